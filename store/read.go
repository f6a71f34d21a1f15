package store

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
)

// DescribeSecretInput is the input of DescribeSecret.
type DescribeSecretInput struct {
	SecretId string
}

// SecretDetails are the members DescribeSecret and ListSecrets both give of
// a secret. Zero times stand for members AWS leaves out.
type SecretDetails struct {
	ARN               string
	Name              string
	Description       string
	CreatedDate       time.Time
	LastChangedDate   time.Time
	LastAccessedDate  time.Time
	LastRotatedDate   time.Time
	DeletedDate       time.Time
	RotationEnabled   bool
	RotationLambdaARN string
	RotationRules     *RotationRules
	Tags              []Tag // nil when there are none
}

// DescribeSecretOutput is the output of DescribeSecret. A nil
// VersionIdsToStages stands for the member AWS leaves out.
type DescribeSecretOutput struct {
	SecretDetails
	VersionIdsToStages map[string][]string
}

// DescribeSecret returns a secret's details. VersionIdsToStages holds the
// labelled versions only, and is nil when there are none [R]. It works on
// a secret scheduled for deletion, whose DeletedDate it shows [R].
func (st *Store) DescribeSecret(in DescribeSecretInput) (DescribeSecretOutput, error) {
	_, r, err := st.current("DescribeSecret", in.SecretId, true, st.now())
	if err != nil {
		return DescribeSecretOutput{}, err
	}
	d, stages := describe(r)
	return DescribeSecretOutput{d, stages}, nil
}

// describe returns the details of r and its labelled versions' labels,
// nil when there are none.
func describe(r *record) (SecretDetails, map[string][]string) {
	d := SecretDetails{
		ARN: r.secret.ARN(), Name: r.secret.Name(), Description: r.meta.description,
		CreatedDate: r.meta.created, LastChangedDate: r.lastChanged, LastAccessedDate: r.meta.lastAccessed,
		LastRotatedDate: r.meta.rotation.lastRotated, DeletedDate: r.meta.deletedDate,
		RotationEnabled: r.meta.rotation.enabled, RotationLambdaARN: r.meta.rotation.lambdaARN,
		RotationRules: r.meta.rotation.rules.clone(), Tags: slices.Clone(r.meta.tags),
	}
	var stages map[string][]string
	if labelled := r.secret.Stages(); len(labelled) > 0 {
		stages = make(map[string][]string, len(labelled))
		for id, ls := range labelled {
			stages[string(id)] = names(ls)
		}
	}
	return d, stages
}

// ListSecretVersionIdsInput is the input of ListSecretVersionIds.
type ListSecretVersionIdsInput struct {
	SecretId          string
	IncludeDeprecated bool
	MaxResults        *int // nil: 100
	NextToken         string
}

// ListSecretVersionIdsOutput is the output of ListSecretVersionIds.
type ListSecretVersionIdsOutput struct {
	ARN       string
	Name      string
	Versions  []SecretVersionsListEntry
	NextToken string
}

// SecretVersionsListEntry is one version in ListSecretVersionIds.
// VersionStages is nil for a deprecated version (AWS leaves the key out);
// LastAccessedDate is zero until the version is read [R].
type SecretVersionsListEntry struct {
	VersionId        string
	VersionStages    []string
	CreatedDate      time.Time
	LastAccessedDate time.Time
}

// ListSecretVersionIds lists a secret's versions, oldest first: the
// labelled ones, and with IncludeDeprecated the deprecated ones too [R].
// MaxResults (1 to 100) sizes a page; NextToken continues a listing [R].
// A NextToken the listing did not give: InvalidNextTokenException [M].
// It works on a secret scheduled for deletion, as DescribeSecret does [M].
func (st *Store) ListSecretVersionIds(in ListSecretVersionIdsInput) (ListSecretVersionIdsOutput, error) {
	const op = "ListSecretVersionIds"
	size, err := pageSize(op, in.MaxResults)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	_, r, err := st.current(op, in.SecretId, true, st.now())
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	all := []SecretVersionsListEntry{} // an empty list is sent, not left out
	for v := range r.secret.All() {
		e := SecretVersionsListEntry{VersionId: string(v.ID()), CreatedDate: v.Created(), LastAccessedDate: r.meta.accessed[v.ID()]}
		if ls := r.secret.Labels(v.ID()); len(ls) > 0 {
			e.VersionStages = names(ls)
		} else if !in.IncludeDeprecated {
			continue
		}
		all = append(all, e)
	}
	items, next, err := cut(op, all, func(e SecretVersionsListEntry) string { return e.VersionId }, nil, size, in.NextToken)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	return ListSecretVersionIdsOutput{ARN: r.secret.ARN(), Name: r.secret.Name(), Versions: items, NextToken: next}, nil
}

// ListSecretsInput is the input of ListSecrets.
type ListSecretsInput struct {
	Filters                []Filter
	IncludePlannedDeletion bool
	MaxResults             *int // nil: 100
	NextToken              string
	SortBy                 string // "created-date" (the default), "last-accessed-date", "last-changed-date" or "name"
	SortOrder              string // "asc" (the default) or "desc"
}

// ListSecretsOutput is the output of ListSecrets.
type ListSecretsOutput struct {
	SecretList []SecretListEntry
	NextToken  string
}

// SecretListEntry is one secret in ListSecrets: DescribeSecret's details,
// with the labelled versions under the name SecretVersionsToStages, as AWS
// calls them there [D].
type SecretListEntry struct {
	SecretDetails
	SecretVersionsToStages map[string][]string
}

// ListSecrets lists the secrets that pass every filter (see [Filter]),
// leaving out those scheduled for deletion unless IncludePlannedDeletion
// [D]. They come by SortBy, CreatedDate unless given [D], in SortOrder;
// that the default order is ascending, and that ties go by name (reversed
// with "desc"), is stagelabel's [M]. Each secret is listed as it was at
// one instant, but not all at the same instant.
func (st *Store) ListSecrets(in ListSecretsInput) (ListSecretsOutput, error) {
	const op = "ListSecrets"
	size, err := pageSize(op, in.MaxResults)
	if err != nil {
		return ListSecretsOutput{}, err
	}
	if err := stagelabel.ValidationError(op, listViolations(in)...); err != nil {
		return ListSecretsOutput{}, err
	}
	type keyed struct {
		key   string // the sort key, which page tokens name
		entry SecretListEntry
	}
	var all []keyed
	for _, r := range st.records(st.now()) {
		if !r.meta.deleteAt.IsZero() && !in.IncludePlannedDeletion {
			continue
		}
		d, stages := describe(r)
		if pass(in.Filters, d) {
			all = append(all, keyed{sortKey(in.SortBy, d), SecretListEntry{d, stages}})
		}
	}
	order := strings.Compare
	if in.SortOrder == "desc" {
		order = func(a, b string) int { return strings.Compare(b, a) }
	}
	slices.SortFunc(all, func(a, b keyed) int { return order(a.key, b.key) })
	page, next, err := cut(op, all, func(e keyed) string { return e.key }, order, size, in.NextToken)
	if err != nil {
		return ListSecretsOutput{}, err
	}
	out := ListSecretsOutput{SecretList: make([]SecretListEntry, len(page)), NextToken: next} // an empty list is sent, not left out
	for i, e := range page {
		out.SecretList[i] = e.entry
	}
	return out, nil
}

// sortKey returns the key that orders d by the member by names: the date,
// as a fixed-width string that sorts as the time does, then the name; or
// the name alone.
func sortKey(by string, d SecretDetails) string {
	var t time.Time
	switch by {
	case "name":
		return d.Name
	case "last-accessed-date":
		t = d.LastAccessedDate
	case "last-changed-date":
		t = d.LastChangedDate
	default:
		t = d.CreatedDate
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 12+len(d.Name)), uint64(t.Unix())^1<<63)
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	return string(append(b, d.Name...))
}

// records returns the current record of every secret that exists at now,
// by name.
func (st *Store) records(now time.Time) []*record {
	var rs []*record
	st.names.Range(func(_, v any) bool {
		if r := v.(*slot).rec.Load(); !r.gone(now) {
			rs = append(rs, r)
		}
		return true
	})
	slices.SortFunc(rs, func(a, b *record) int { return cmp.Compare(a.secret.Name(), b.secret.Name()) })
	return rs
}

// pageSize checks MaxResults: 1 to 100, by default 100 [R].
func pageSize(op string, maxResults *int) (int, error) {
	if maxResults == nil {
		return MaxPageSize, nil
	}
	return *maxResults, stagelabel.ValidationError(op, stagelabel.RangeViolation("maxResults", *maxResults, 1, MaxPageSize))
}

// cut returns a page of all, whose entries have the keys key gives: size
// entries after the one whose key the token names, and the token of the
// next page, if any. A token names the last key of its page, so a listing
// that changes between pages neither repeats nor skips what stays. If all
// is sorted by order, a page follows a key that has since gone; if order
// is nil, such a token is InvalidNextTokenException [M].
func cut[T any](op string, all []T, key func(T) string, order func(a, b string) int, size int, token string) ([]T, string, error) {
	from := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, "", badToken(op)
		}
		last := string(raw)
		if i := slices.IndexFunc(all, func(e T) bool { return key(e) == last }); i >= 0 {
			from = i + 1
		} else if order != nil {
			from, _ = slices.BinarySearchFunc(all, last, func(e T, k string) int { return order(key(e), k) })
		} else {
			return nil, "", badToken(op)
		}
	}
	end := min(from+size, len(all))
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(all[end-1])))
	}
	return all[from:end], next, nil
}

func badToken(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidNextToken, Message: "The NextToken value is invalid."}
}
