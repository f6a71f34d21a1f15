package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

// noCurrent is GetSecretValue's message for a secret without AWSCURRENT
// (docs/semantics.md §G4 [R]).
const noCurrent = "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"

// batchStore makes db (its current version tok(2), binary), other (string
// "value 1"), empty (no value) and gone (scheduled for deletion), a
// second apart.
func batchStore(t *testing.T) (*store.Store, *clock, map[string]string) {
	t.Helper()
	st, c := newStore()
	arns := map[string]string{}
	arns["db"] = create(t, st, "db", 1).ARN
	c.Advance(time.Second)
	if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: "db", ClientRequestToken: tok(2), SecretBinary: []byte{0, 7}}); err != nil {
		t.Fatal(err)
	}
	arns["other"] = create(t, st, "other", 1).ARN
	c.Advance(time.Second)
	out, err := st.CreateSecret(store.CreateSecretInput{Name: "empty", ClientRequestToken: tok(1)})
	if err != nil {
		t.Fatal(err)
	}
	arns["empty"] = out.ARN
	c.Advance(time.Second)
	arns["gone"] = create(t, st, "gone", 1).ARN
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"}); err != nil {
		t.Fatal(err)
	}
	return st, c, arns
}

func TestBatchGetSecretValue(t *testing.T) {
	st, _, arns := batchStore(t)
	db := store.SecretValueEntry{ARN: arns["db"], Name: "db", VersionId: tok(2), SecretBinary: []byte{0, 7},
		VersionStages: []string{"AWSCURRENT"}, CreatedDate: store.Time{Time: t0.Add(time.Second)}}
	other := store.SecretValueEntry{ARN: arns["other"], Name: "other", VersionId: tok(1), SecretString: ptr("value 1"),
		VersionStages: []string{"AWSCURRENT"}, CreatedDate: store.Time{Time: t0.Add(time.Second)}}
	noErrors := []store.SecretValueError{}
	tests := []struct {
		name   string
		ids    []string
		values []store.SecretValueEntry
		errors []store.SecretValueError
	}{
		{"names, full and partial ARNs, in the order given",
			[]string{"other", arns["db"], arns["db"][:len(arns["db"])-7]}, []store.SecretValueEntry{other, db, db}, noErrors},
		{"a SecretId given twice is read twice", []string{"other", "other"}, []store.SecretValueEntry{other, other}, noErrors},
		{"each secret that cannot be read is an error of its own, with GetSecretValue's code and message",
			[]string{"nope", "gone", "other", "empty", "a b", arns["db"] + "x"},
			[]store.SecretValueEntry{other},
			[]store.SecretValueError{
				{"nope", "ResourceNotFoundException", notFound},
				{"gone", "InvalidRequestException", marked},
				{"empty", "ResourceNotFoundException", noCurrent},
				{"a b", "ValidationException", invalidName},
				{arns["db"] + "x", "ResourceNotFoundException", notFound},
			}},
		{"twenty ids", []string{"other", "other", "other", "other", "other", "other", "other", "other", "other", "other",
			"other", "other", "other", "other", "other", "other", "other", "other", "other", "empty"},
			[]store.SecretValueEntry{other, other, other, other, other, other, other, other, other, other,
				other, other, other, other, other, other, other, other, other},
			[]store.SecretValueError{{"empty", "ResourceNotFoundException", noCurrent}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.BatchGetSecretValue(store.BatchGetSecretValueInput{SecretIdList: tt.ids})
			check.Err(t, err, "", "")
			want := store.BatchGetSecretValueOutput{SecretValues: tt.values, Errors: tt.errors}
			if want.SecretValues == nil {
				want.SecretValues = []store.SecretValueEntry{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BatchGetSecretValue(%q) mismatch (-want +got):\n%s", tt.ids, diff)
			}
		})
	}

	// A read is a read: LastAccessedDate is the day of it, as for GetSecretValue.
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "other"})
	check.Err(t, err, "", "")
	if day := t0.Truncate(24 * time.Hour); !d.LastAccessedDate.Equal(day) {
		t.Errorf("LastAccessedDate after BatchGetSecretValue = %v, want %v", d.LastAccessedDate, day)
	}
}

func TestBatchGetSecretValueFilters(t *testing.T) {
	st, c := newStore()
	arns := map[string]string{}
	for i, name := range []string{"prod/db", "dev/db", "prod/api"} {
		arns[name] = create(t, st, name, i+1).ARN
		c.Advance(time.Second)
	}
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "prod/empty", ClientRequestToken: tok(1)}); err != nil {
		t.Fatal(err)
	}
	create(t, st, "prod/gone", 1)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "prod/gone"}); err != nil {
		t.Fatal(err)
	}
	entry := func(name string, n int) store.SecretValueEntry {
		return store.SecretValueEntry{ARN: arns[name], Name: name, VersionId: tok(n), SecretString: ptr("value " + string(rune('0'+n))),
			VersionStages: []string{"AWSCURRENT"}, CreatedDate: store.Time{Time: t0.Add(time.Duration(n-1) * time.Second)}}
	}
	prod := []store.Filter{{Key: store.FilterName, Values: []string{"prod/"}}}
	// The secrets ListSecrets lists, oldest first, those scheduled for
	// deletion left out; a secret without a value is an error named by
	// its name.
	want := store.BatchGetSecretValueOutput{
		SecretValues: []store.SecretValueEntry{entry("prod/db", 1), entry("prod/api", 3)},
		Errors:       []store.SecretValueError{{"prod/empty", "ResourceNotFoundException", noCurrent}},
	}
	got, err := st.BatchGetSecretValue(store.BatchGetSecretValueInput{Filters: prod})
	check.Err(t, err, "", "")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BatchGetSecretValue(name prod/) mismatch (-want +got):\n%s", diff)
	}

	// Page by page as at once; an empty Filters list chooses every secret.
	for _, filters := range [][]store.Filter{prod, {}} {
		all, err := st.BatchGetSecretValue(store.BatchGetSecretValueInput{Filters: filters})
		check.Err(t, err, "", "")
		paged := store.BatchGetSecretValueOutput{SecretValues: []store.SecretValueEntry{}, Errors: []store.SecretValueError{}}
		in := store.BatchGetSecretValueInput{Filters: filters, MaxResults: ptr[int32](1)}
		for pages := 1; ; pages++ {
			p, err := st.BatchGetSecretValue(in)
			check.Err(t, err, "", "")
			if n := len(p.SecretValues) + len(p.Errors); n != 1 {
				t.Fatalf("page %d of size 1 holds %d secrets", pages, n)
			}
			paged.SecretValues = append(paged.SecretValues, p.SecretValues...)
			paged.Errors = append(paged.Errors, p.Errors...)
			if in.NextToken = p.NextToken; in.NextToken == "" {
				break
			}
		}
		if diff := cmp.Diff(all, paged); diff != "" {
			t.Errorf("BatchGetSecretValue(%v) page by page mismatch (-at once +paged):\n%s", filters, diff)
		}
		if len(filters) == 0 && len(all.SecretValues) != 3 {
			t.Errorf("BatchGetSecretValue(no filters) read %d secrets, want the 3 with values", len(all.SecretValues))
		}
	}

	// Twenty-one secrets: a first page of 20 by default.
	for i := range 17 {
		create(t, st, "n"+string(rune('a'+i)), 1)
	}
	first, err := st.BatchGetSecretValue(store.BatchGetSecretValueInput{Filters: []store.Filter{}})
	check.Err(t, err, "", "")
	if n := len(first.SecretValues) + len(first.Errors); n != 20 || first.NextToken == "" {
		t.Errorf("BatchGetSecretValue() of 21 secrets = %d and NextToken %q, want 20 and a token", n, first.NextToken)
	}
}

func TestBatchGetSecretValueErrors(t *testing.T) {
	st, _, _ := batchStore(t)
	twentyOne := strings.Split(strings.Repeat("a,", 20)+"a", ",")
	name := store.Filter{Key: store.FilterName, Values: []string{"d"}}
	const (
		notBoth   = "Either 'SecretIdList' or 'Filters' must be provided, but not both."
		noFilters = "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."
	)
	tests := []struct {
		name string
		in   store.BatchGetSecretValueInput
		code stagelabel.Code
		msg  string
	}{
		{"both SecretIdList and Filters", store.BatchGetSecretValueInput{SecretIdList: []string{"db"}, Filters: []store.Filter{name}},
			stagelabel.ErrInvalidParameter, notBoth},
		{"neither", store.BatchGetSecretValueInput{}, stagelabel.ErrInvalidParameter, notBoth},
		{"neither, with MaxResults", store.BatchGetSecretValueInput{MaxResults: ptr[int32](2)}, stagelabel.ErrInvalidParameter, notBoth},
		{"MaxResults without Filters", store.BatchGetSecretValueInput{SecretIdList: []string{"db"}, MaxResults: ptr[int32](2)},
			stagelabel.ErrInvalidParameter, noFilters},
		{"an empty SecretIdList", store.BatchGetSecretValueInput{SecretIdList: []string{}}, stagelabel.ErrValidation,
			"1 validation error detected: Value '[]' at 'secretIdList' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"21 ids", store.BatchGetSecretValueInput{SecretIdList: twentyOne}, stagelabel.ErrValidation,
			"1 validation error detected: Value '[" + strings.Join(twentyOne, ", ") + "]' at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"an empty id and one too long", store.BatchGetSecretValueInput{SecretIdList: []string{"db", "", strings.Repeat("x", 2049)}}, stagelabel.ErrValidation,
			"2 validation errors detected: Value '' at 'secretIdList.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '" + strings.Repeat("x", 2049) + "' at 'secretIdList.3.member' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"MaxResults 0", store.BatchGetSecretValueInput{Filters: []store.Filter{name}, MaxResults: ptr[int32](0)}, stagelabel.ErrValidation,
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"MaxResults 21", store.BatchGetSecretValueInput{Filters: []store.Filter{name}, MaxResults: ptr[int32](21)}, stagelabel.ErrValidation,
			"1 validation error detected: Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20"},
		{"a filter ListSecrets refuses, with MaxResults 21", store.BatchGetSecretValueInput{Filters: []store.Filter{{Key: "size", Values: []string{"a"}}}, MaxResults: ptr[int32](21)},
			stagelabel.ErrValidation, "2 validation errors detected: " +
				"Value 'size' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [description, name, tag-key, tag-value, primary-region, owning-service, all]; " +
				"Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20"},
		{"a NextToken with SecretIdList", store.BatchGetSecretValueInput{SecretIdList: []string{"db"}, NextToken: "x"},
			stagelabel.ErrInvalidNextToken, "The NextToken value is invalid."},
		{"a NextToken no listing gave", store.BatchGetSecretValueInput{Filters: []store.Filter{name}, NextToken: "!"},
			stagelabel.ErrInvalidNextToken, "The NextToken value is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := st.Snapshot()
			out, err := st.BatchGetSecretValue(tt.in)
			check.Err(t, err, tt.code, tt.msg)
			if e := err.(*stagelabel.Error); e.Op != "BatchGetSecretValue" {
				t.Errorf("error's Op = %q", e.Op)
			}
			if out.SecretValues != nil || out.Errors != nil {
				t.Errorf("a failed BatchGetSecretValue answered %v", out)
			}
			if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
				t.Errorf("a failed BatchGetSecretValue changed the store (a read recorded?) (-before +after):\n%s", diff)
			}
		})
	}
}
