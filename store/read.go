package store

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"time"

	"github.com/stagelabel/stagelabel"
)

// DescribeSecretInput is the input of DescribeSecret.
type DescribeSecretInput struct {
	SecretId string
}

// DescribeSecretOutput is the output of DescribeSecret. Zero times and a
// nil VersionIdsToStages stand for members AWS leaves out.
type DescribeSecretOutput struct {
	ARN                string
	Name               string
	Description        string
	CreatedDate        time.Time
	LastChangedDate    time.Time
	LastAccessedDate   time.Time
	LastRotatedDate    time.Time
	DeletedDate        time.Time
	RotationEnabled    bool
	RotationLambdaARN  string
	RotationRules      *RotationRules
	VersionIdsToStages map[string][]string
}

// DescribeSecret returns a secret's details. VersionIdsToStages holds the
// labelled versions only, and is nil when there are none [R]. It works on
// a secret scheduled for deletion, whose DeletedDate it shows [R].
func (st *Store) DescribeSecret(in DescribeSecretInput) (DescribeSecretOutput, error) {
	r, _, err := st.read("DescribeSecret", in.SecretId, true)
	if err != nil {
		return DescribeSecretOutput{}, err
	}
	return describe(r), nil
}

func describe(r *record) DescribeSecretOutput {
	out := DescribeSecretOutput{
		ARN: r.secret.ARN(), Name: r.secret.Name(), Description: r.description,
		CreatedDate: r.created, LastChangedDate: r.lastChanged, LastAccessedDate: r.lastAccessed,
		LastRotatedDate: r.rotation.lastRotated, DeletedDate: r.deletedDate,
		RotationEnabled: r.rotation.enabled, RotationLambdaARN: r.rotation.lambdaARN,
	}
	if r.rotation.rules != nil {
		rules := *r.rotation.rules
		out.RotationRules = &rules
	}
	if stages := r.secret.Stages(); len(stages) > 0 {
		out.VersionIdsToStages = make(map[string][]string, len(stages))
		for id, ls := range stages {
			out.VersionIdsToStages[string(id)] = names(ls)
		}
	}
	return out
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
	size, from, err := page(op, in.MaxResults, in.NextToken)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	r, _, err := st.read(op, in.SecretId, true)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	var all []SecretVersionsListEntry
	for v := range r.secret.All() {
		e := SecretVersionsListEntry{VersionId: string(v.ID()), CreatedDate: v.Created(), LastAccessedDate: r.accessed[v.ID()]}
		if ls := r.secret.Labels(v.ID()); len(ls) > 0 {
			e.VersionStages = names(ls)
		} else if !in.IncludeDeprecated {
			continue
		}
		all = append(all, e)
	}
	items, next, err := cut(op, all, size, from)
	if err != nil {
		return ListSecretVersionIdsOutput{}, err
	}
	return ListSecretVersionIdsOutput{ARN: r.secret.ARN(), Name: r.secret.Name(), Versions: items, NextToken: next}, nil
}

// ListSecretsInput is the input of ListSecrets.
type ListSecretsInput struct {
	IncludePlannedDeletion bool
	MaxResults             *int // nil: 100
	NextToken              string
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
	ARN                    string
	Name                   string
	Description            string
	CreatedDate            time.Time
	LastChangedDate        time.Time
	LastAccessedDate       time.Time
	LastRotatedDate        time.Time
	DeletedDate            time.Time
	RotationEnabled        bool
	RotationLambdaARN      string
	RotationRules          *RotationRules
	SecretVersionsToStages map[string][]string
}

// ListSecrets lists the secrets by name, leaving out those scheduled for
// deletion unless IncludePlannedDeletion [D]. Filters are not supported.
// Each secret is listed as it was at one instant, but not all at the same
// instant; the order by name is stagelabel's [M].
func (st *Store) ListSecrets(in ListSecretsInput) (ListSecretsOutput, error) {
	const op = "ListSecrets"
	size, from, err := page(op, in.MaxResults, in.NextToken)
	if err != nil {
		return ListSecretsOutput{}, err
	}
	now := st.now()
	var all []SecretListEntry
	for _, r := range st.records(now) {
		if !r.deleteAt.IsZero() && !in.IncludePlannedDeletion {
			continue
		}
		d := describe(r)
		all = append(all, SecretListEntry{
			ARN: d.ARN, Name: d.Name, Description: d.Description,
			CreatedDate: d.CreatedDate, LastChangedDate: d.LastChangedDate, LastAccessedDate: d.LastAccessedDate,
			LastRotatedDate: d.LastRotatedDate, DeletedDate: d.DeletedDate,
			RotationEnabled: d.RotationEnabled, RotationLambdaARN: d.RotationLambdaARN, RotationRules: d.RotationRules,
			SecretVersionsToStages: d.VersionIdsToStages,
		})
	}
	items, next, err := cut(op, all, size, from)
	if err != nil {
		return ListSecretsOutput{}, err
	}
	return ListSecretsOutput{SecretList: items, NextToken: next}, nil
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

// page checks MaxResults (1 to 100, by default 100) and decodes NextToken
// into the index the page starts at.
func page(op string, maxResults *int, token string) (size, from int, err error) {
	size = MaxPageSize
	if maxResults != nil {
		size = *maxResults
		if err := stagelabel.ValidationError(op, stagelabel.RangeViolation("maxResults", size, 1, MaxPageSize)); err != nil {
			return 0, 0, err
		}
	}
	if token == "" {
		return size, 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		from, err = strconv.Atoi(string(raw))
	}
	if err != nil || from <= 0 {
		return 0, 0, badToken(op)
	}
	return size, from, nil
}

// cut returns the page of all that starts at from, and the token of the
// next page, if any.
func cut[T any](op string, all []T, size, from int) ([]T, string, error) {
	if from > len(all) {
		return nil, "", badToken(op)
	}
	end := min(from+size, len(all))
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return all[from:end], next, nil
}

func badToken(op string) error {
	return &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidNextToken, Message: "The NextToken value is invalid."}
}
