package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/stagelabel/stagelabel"
)

// Tag is a key and a value attached to a secret, not to a version [D].
// Keys and values are case-sensitive [D]. Keys are 1 to 128 characters and
// values 0 to 256, as AWS's Tag shape has them [D] (its TagResource page
// says 127 and 255). Stagelabel refuses keys, not values, that begin with
// "aws:", the prefix AWS reserves [M].
type Tag struct {
	Key   string `aws:"key,len=1..128"`
	Value string `aws:"value,len=0..256"`
}

// MaxTags is the number of tags a secret can carry [D].
const MaxTags = 50

// reservedPrefix begins the tag keys AWS keeps for itself [D].
const reservedPrefix = "aws:"

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	SecretId string `aws:"secretId,len=1..2048"`
	Tags     []Tag  `aws:"tags"`
}

// TagResourceOutput is the output of TagResource, which has no members.
type TagResourceOutput struct{}

// TagResource attaches tags to a secret; a key it already has takes the
// new value [D], and of one key given twice the last value counts [M].
// LastChangedDate moves when a tag changes [D]; tags given as they are
// change nothing [M].
//
// Errors: a key or value of the wrong length, ValidationException (see
// [Validate]); a key beginning with "aws:", in any case, or a secret left
// with more than 50 tags, InvalidParameterException (AWS documents the
// limits [D], not their error [M]); a secret scheduled for deletion,
// InvalidRequestException [M].
func (st *Store) TagResource(in TagResourceInput) (TagResourceOutput, error) {
	const op = "TagResource"
	if err := Validate(op, in, nil); err != nil {
		return TagResourceOutput{}, err
	}
	if err := ownKeys(op, tagKeys(in.Tags)); err != nil {
		return TagResourceOutput{}, err
	}
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		tags, err := withTags(op, r.meta.tags, in.Tags)
		if err != nil || slices.Equal(tags, r.meta.tags) {
			return r, err
		}
		n := r.cloneMeta()
		n.meta.tags, n.lastChanged = tags, now
		return n, nil
	})
	if err != nil {
		return TagResourceOutput{}, err
	}
	st.report(op, old, next, "")
	return TagResourceOutput{}, nil
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	SecretId string   `aws:"secretId,len=1..2048"`
	TagKeys  []string `aws:"tagKeys,len=1..128"`
}

// UntagResourceOutput is the output of UntagResource, which has no
// members.
type UntagResourceOutput struct{}

// UntagResource removes the tags with the given keys from a secret; a key
// it does not have is no error [M]. LastChangedDate moves when a tag goes
// [D].
//
// Errors: a key of the wrong length, ValidationException (see
// [Validate]); a key beginning with "aws:", which AWS documents as not
// removable [D], InvalidParameterException [M]; a secret scheduled for
// deletion, InvalidRequestException [M].
func (st *Store) UntagResource(in UntagResourceInput) (UntagResourceOutput, error) {
	const op = "UntagResource"
	if err := Validate(op, in, nil); err != nil {
		return UntagResourceOutput{}, err
	}
	if err := ownKeys(op, in.TagKeys); err != nil {
		return UntagResourceOutput{}, err
	}
	old, next, err := st.update(op, in.SecretId, false, func(r *record, now time.Time) (*record, error) {
		tags := slices.DeleteFunc(slices.Clone(r.meta.tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		if len(tags) == len(r.meta.tags) {
			return r, nil
		}
		n := r.cloneMeta()
		n.meta.tags, n.lastChanged = slices.Clip(tags), now
		return n, nil
	})
	if err != nil {
		return UntagResourceOutput{}, err
	}
	st.report(op, old, next, "")
	return UntagResourceOutput{}, nil
}

// tagKeys returns the keys of tags.
func tagKeys(tags []Tag) []string {
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = t.Key
	}
	return keys
}

// ownKeys returns InvalidParameterException if a key has the prefix AWS
// reserves, in any case.
func ownKeys(op string, keys []string) error {
	i := slices.IndexFunc(keys, reserved)
	if i < 0 {
		return nil
	}
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
		Message: fmt.Sprintf("The tag key %s begins with aws:, which AWS reserves for its own use.", keys[i])}
}

// withTags returns the tags have (sorted by key, keys unique), with add
// attached: sorted by key, keys unique, a key of have taking its new
// value; InvalidParameterException if more than MaxTags would be counted.
// It never writes have.
func withTags(op string, have, add []Tag) ([]Tag, error) {
	tags := slices.Clone(have)
	for _, t := range add {
		i, found := slices.BinarySearchFunc(tags, t.Key, func(t Tag, key string) int { return cmp.Compare(t.Key, key) })
		if found {
			tags[i].Value = t.Value
		} else {
			tags = slices.Insert(tags, i, t)
		}
	}
	if len(tags) > MaxTags {
		return nil, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: fmt.Sprintf("A secret can have at most %d tags.", MaxTags)}
	}
	if tags == nil && add != nil {
		tags = []Tag{} // tagged, if with nothing: the member is sent [M]
	}
	return slices.Clip(tags), nil
}

// reserved reports whether key has the prefix AWS keeps for itself.
func reserved(key string) bool { return hasPrefixFold(key, reservedPrefix) }
