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
	SecretId string `aws:"secretId,len=1..2048"`
}

// SecretDetails are the members DescribeSecret and ListSecrets both give of
// a secret. Zero times stand for members AWS leaves out.
type SecretDetails struct {
	ARN               string         `json:",omitzero"`
	Name              string         `json:",omitzero"`
	Description       string         `json:",omitzero"`
	KmsKeyId          string         `json:",omitzero"` // as given [M] (§G25); left out for the default key [R] (§G17)
	PrimaryRegion     string         `json:",omitzero"` // of a replicated secret: the primary's region [D] (§RP)
	CreatedDate       Time           `json:",omitzero"`
	LastChangedDate   Time           `json:",omitzero"`
	LastAccessedDate  Time           `json:",omitzero"`
	LastRotatedDate   Time           `json:",omitzero"`
	NextRotationDate  Time           `json:",omitzero"` // while rotation is on, with a schedule (§RT18)
	DeletedDate       Time           `json:",omitzero"`
	RotationEnabled   *bool          `json:",omitzero"` // see DescribeSecret
	RotationLambdaARN string         `json:",omitzero"`
	RotationRules     *RotationRules `json:",omitzero"`
	Tags              []Tag          `json:",omitzero"` // sorted by key; nil until tagged, [] once every tag is removed [R]
}

// DescribeSecretOutput is the output of DescribeSecret. A nil
// VersionIdsToStages stands for the member AWS leaves out.
type DescribeSecretOutput struct {
	SecretDetails
	ReplicationStatus  []ReplicationStatus `json:",omitzero"` // of a primary: its replicas [D]
	VersionIdsToStages map[string][]string `json:",omitzero"`
}

// DescribeSecret returns a secret's details. VersionIdsToStages holds the
// labelled versions only, and is nil when there are none [R] (§G10, §G11). It works on
// a secret scheduled for deletion, whose DeletedDate it shows [R] (§X5).
// RotationEnabled is nil, and left out, until rotation has been configured
// for the secret, true once it has (LocalStack's AWS-validated
// test_rotate_secret_with_lambda_success; absent after a refused rotation,
// test_rotate_secret_invalid_lambda_arn) [R] (§G13), and false after
// CancelRotateSecret [M] (§G14). Tags is nil until the secret is tagged and []
// once every tag has been removed (test_secret_tags) [R] (§T7, §T9).
func (st *Store) DescribeSecret(in DescribeSecretInput) (DescribeSecretOutput, error) {
	const op = "DescribeSecret"
	if err := Validate(op, in, nil); err != nil {
		return DescribeSecretOutput{}, err
	}
	_, r, err := st.current(op, in.SecretId, true, st.now())
	if err != nil {
		return DescribeSecretOutput{}, err
	}
	d, stages := describe(r)
	return DescribeSecretOutput{d, st.statuses(r), stages}, nil
}

// describe returns the details of r and its labelled versions' labels,
// nil when there are none.
func describe(r *record) (SecretDetails, map[string][]string) {
	d := SecretDetails{
		ARN: r.secret.ARN(), Name: r.secret.Name(), Description: r.meta.description, KmsKeyId: r.meta.kmsKey,
		CreatedDate: Time{r.meta.created}, LastChangedDate: Time{r.lastChanged}, LastAccessedDate: Time{r.meta.lastAccessed},
		LastRotatedDate: Time{r.meta.rotation.lastRotated}, NextRotationDate: nextRotationDate(r), DeletedDate: Time{r.meta.deletedDate},
		RotationEnabled: r.meta.rotation.shown(), RotationLambdaARN: r.meta.rotation.lambdaARN,
		RotationRules: r.meta.rotation.rules.clone(), Tags: slices.Clone(r.meta.tags), PrimaryRegion: r.meta.primary,
	}
	if len(r.meta.replicas) > 0 {
		d.PrimaryRegion = regionOf(r.secret.ARN())
	}
	var stages map[string][]string
	if n := r.secret.LabelCount(); n > 0 {
		stages = make(map[string][]string, n)
		for l, id := range r.secret.AllLabels() { // in label order: each version's labels sorted (§I6)
			stages[string(id)] = append(stages[string(id)], string(l))
		}
	}
	return d, stages
}

// ListSecretVersionIdsInput is the input of ListSecretVersionIds.
type ListSecretVersionIdsInput struct {
	SecretId          string `aws:"secretId,len=1..2048"`
	IncludeDeprecated bool
	MaxResults        *int32 `aws:"maxResults,range=1..100"` // nil: 100
	NextToken         string `aws:"nextToken,omitempty,len=1..4096"`
}

// ListSecretVersionIdsOutput is the output of ListSecretVersionIds.
type ListSecretVersionIdsOutput struct {
	ARN       string                    `json:",omitzero"`
	Name      string                    `json:",omitzero"`
	Versions  []SecretVersionsListEntry `json:",omitzero"`
	NextToken string                    `json:",omitzero"`
}

// DefaultEncryptionKey is how ListSecretVersionIds names Secrets Manager's
// default KMS key, aws/secretsmanager, in a version's KmsKeyIds (LocalStack's
// AWS-validated snapshots, every ListSecretVersionIds) [R] (§G16).
const DefaultEncryptionKey = "DefaultEncryptionKey"

// SecretVersionsListEntry is one version in ListSecretVersionIds.
// VersionStages is nil for a deprecated version (AWS leaves the key out);
// LastAccessedDate is zero until the version is read [R].
type SecretVersionsListEntry struct {
	VersionId        string   `json:",omitzero"`
	VersionStages    []string `json:",omitzero"`
	CreatedDate      Time     `json:",omitzero"`
	LastAccessedDate Time     `json:",omitzero"`
	KmsKeyIds        []string `json:",omitzero"` // the key it was written with: ["DefaultEncryptionKey"] for the default [R]
}

// ListSecretVersionIds lists a secret's versions, oldest first: the
// labelled ones, and with IncludeDeprecated the deprecated ones too [R]
// (§G18); the order is stagelabel's [M] (§G19). MaxResults (1 to 100)
// sizes a page; NextToken continues a listing [D] (§G20).
// A NextToken the listing did not give: InvalidNextTokenException [M].
// It works on a secret scheduled for deletion, as DescribeSecret does [M].
func (st *Store) ListSecretVersionIds(in ListSecretVersionIdsInput) (ListSecretVersionIdsOutput, error) {
	const op = "ListSecretVersionIds"
	if err := Validate(op, in, nil); err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	_, r, err := st.current(op, in.SecretId, true, st.now())
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	all := []SecretVersionsListEntry{} // an empty list is sent, not left out
	for v := range r.secret.All() {
		e := SecretVersionsListEntry{VersionId: string(v.ID()), CreatedDate: Time{v.Created()}, LastAccessedDate: Time{r.meta.accessed[v.ID()]},
			KmsKeyIds: []string{cmp.Or(v.KMSKey(), DefaultEncryptionKey)}}
		if ls := r.secret.Labels(v.ID()); len(ls) > 0 {
			e.VersionStages = names(ls)
		} else if !in.IncludeDeprecated {
			continue
		}
		all = append(all, e)
	}
	last, err := tokenKey(op, in.NextToken)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	items, next, ok := cut(all, func(e SecretVersionsListEntry) string { return e.VersionId }, nil, pageSize(in.MaxResults), last)
	if !ok {
		return ListSecretVersionIdsOutput{}, badToken(op)
	}
	return ListSecretVersionIdsOutput{ARN: r.secret.ARN(), Name: r.secret.Name(), Versions: items, NextToken: next}, nil
}

// ListSecretsInput is the input of ListSecrets. Its members are validated
// in their order here, MaxResults last.
type ListSecretsInput struct {
	Filters                []Filter `aws:"filters,count=0..10"`
	IncludePlannedDeletion bool
	NextToken              string `aws:"nextToken,omitempty,len=1..4096"`
	SortBy                 string `aws:"sortBy,omitempty,enum=created-date|last-accessed-date|last-changed-date|name"` // a SortBy constant; "": SortByCreatedDate
	SortOrder              string `aws:"sortOrder,omitempty,enum=asc|desc"`                                            // SortAsc or SortDesc; "": SortAsc
	MaxResults             *int32 `aws:"maxResults,range=1..100"`                                                      // nil: 100
}

// The values of [ListSecretsInput].SortBy: the member of each secret that
// orders the list [D].
const (
	SortByCreatedDate      = "created-date" // the default
	SortByLastAccessedDate = "last-accessed-date"
	SortByLastChangedDate  = "last-changed-date"
	SortByName             = "name"
)

// The values of [ListSecretsInput].SortOrder [D].
const (
	SortAsc  = "asc" // the default
	SortDesc = "desc"
)

// ListSecretsOutput is the output of ListSecrets.
type ListSecretsOutput struct {
	SecretList []SecretListEntry `json:",omitzero"`
	NextToken  string            `json:",omitzero"`
}

// SecretListEntry is one secret in ListSecrets: DescribeSecret's details,
// with the labelled versions under the name SecretVersionsToStages, as AWS
// calls them there [R] (§S17).
type SecretListEntry struct {
	SecretDetails
	SecretVersionsToStages map[string][]string `json:",omitzero"`
}

// ListSecrets lists the secrets that pass every filter (see [Filter]),
// leaving out those scheduled for deletion unless IncludePlannedDeletion
// [D]. They come by SortBy, CreatedDate unless given [D], in SortOrder.
// Stagelabel's choices [M]: the default order is ascending; ties go by
// name (reversed with "desc"); a secret never read sorts by
// LastAccessedDate as the oldest; a page token works only with the SortBy
// and SortOrder that gave it, else InvalidNextTokenException; and a secret
// whose LastChangedDate or LastAccessedDate moves between pages may be
// listed twice, or not at all, in those orders (names and creation times
// never move). Each secret is listed as it was at one instant, but not all
// at the same instant.
func (st *Store) ListSecrets(in ListSecretsInput) (ListSecretsOutput, error) {
	const op = "ListSecrets"
	if err := Validate(op, in, nil); err != nil {
		return ListSecretsOutput{}, err
	}
	by, order := cmp.Or(in.SortBy, SortByCreatedDate), cmp.Or(in.SortOrder, SortAsc)
	tag := by + " " + order + "\x00" // begins every key, and so every token, of this order
	last, err := tokenKey(op, in.NextToken)
	if err != nil || !strings.HasPrefix(last, tag) && last != "" {
		return ListSecretsOutput{}, badToken(op)
	}
	if !st.localReads {
		if err := st.sync(op); err != nil {
			return ListSecretsOutput{}, err
		}
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
			all = append(all, keyed{tag + sortKey(by, d), SecretListEntry{d, stages}})
		}
	}
	compare := strings.Compare
	if order == SortDesc {
		compare = func(a, b string) int { return strings.Compare(b, a) }
	}
	slices.SortFunc(all, func(a, b keyed) int { return compare(a.key, b.key) })
	// all is sorted, so cut finds a page for any token.
	page, next, _ := cut(all, func(e keyed) string { return e.key }, compare, pageSize(in.MaxResults), last)
	// An empty list is sent, not left out.
	out := ListSecretsOutput{SecretList: make([]SecretListEntry, len(page)), NextToken: next}
	for i, e := range page {
		out.SecretList[i] = e.entry
	}
	return out, nil
}

// sortKey returns the key that orders d by the member by names: the date,
// as a fixed-width string that sorts as the time does, then the name; or
// the name alone.
func sortKey(by string, d SecretDetails) string {
	var t Time
	switch by {
	case SortByName:
		return d.Name
	case SortByLastAccessedDate:
		t = d.LastAccessedDate
	case SortByLastChangedDate:
		t = d.LastChangedDate
	default:
		t = d.CreatedDate
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 12+len(d.Name)), uint64(t.Unix())^1<<63)
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	return string(append(b, d.Name...))
}

// records returns the current record of every secret that exists at now
// (its creation committed), in no order.
func (st *Store) records(now time.Time) []*record {
	var rs []*record
	st.names.Range(func(_, v any) bool {
		if r := v.(*slot).rec.Load(); r != nil && !r.gone(now) {
			rs = append(rs, r)
		}
		return true
	})
	return rs
}

// pageSize returns the page size MaxResults asks for, once checked; by
// default 100 [M] (§G24, §S16).
func pageSize(maxResults *int32) int {
	if maxResults == nil {
		return MaxPageSize
	}
	return int(*maxResults)
}

// tokenKey returns the key a page token names, "" for no token; a token
// that is not one of stagelabel's is InvalidNextTokenException [M].
func tokenKey(op, token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", badToken(op)
	}
	return string(raw), nil
}

// cut returns a page of all, whose entries have the keys key gives: size
// entries after the one whose key is last ("" for the first page), and the
// token of the next page, if any. A token names the last key of its page,
// so a listing that changes between pages neither repeats nor skips what
// stays where it was. If all is sorted by compare, a page follows a key
// that has since gone; if compare is nil, such a key gives no page, ok
// false.
func cut[T any](all []T, key func(T) string, compare func(a, b string) int, size int, last string) (page []T, next string, ok bool) {
	from := 0
	if last != "" {
		if compare != nil {
			i, found := slices.BinarySearchFunc(all, last, func(e T, k string) int { return compare(key(e), k) })
			from = i
			if found {
				from++
			}
		} else if i := slices.IndexFunc(all, func(e T) bool { return key(e) == last }); i >= 0 {
			from = i + 1
		} else {
			return nil, "", false
		}
	}
	end := min(from+size, len(all))
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(all[end-1])))
	}
	return all[from:end], next, true
}

func badToken(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidNextToken, Message: "The NextToken value is invalid."}
}
