package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

// filtered makes four secrets, an hour apart, with descriptions and tags.
func filtered(t *testing.T) (*store.Store, *clock) {
	st, c := newStore()
	for i, s := range []struct {
		name, description string
		tags              []store.Tag
	}{
		{"dev/db", "database for dev", []store.Tag{{"env", "dev"}}},
		{"prod/db", "Primary database", []store.Tag{{"team", "Payments"}, {"env", "prod"}}},
		{"prod/api", "API key", nil},
		{"credsDatabase892", "", []store.Tag{{"owner", ""}}},
	} {
		c.Advance(time.Hour)
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: s.name, Description: s.description, Tags: s.tags, ClientRequestToken: tok(i)}); err != nil {
			t.Fatal(err)
		}
	}
	return st, c
}

func TestListSecretsFilters(t *testing.T) {
	st, _ := filtered(t)
	f := func(key string, values ...string) store.Filter { return store.Filter{Key: key, Values: values} }
	for _, c := range []struct {
		name    string
		filters []store.Filter
		want    []string
	}{
		{"name: a prefix", []store.Filter{f("name", "prod/")}, []string{"prod/db", "prod/api"}},
		{"name: case-sensitive", []store.Filter{f("name", "Prod/")}, []string{}},
		{"name: values are alternatives", []store.Filter{f("name", "prod/db", "dev/")}, []string{"dev/db", "prod/db"}},
		{"name: ! excludes", []store.Filter{f("name", "!prod/")}, []string{"dev/db", "credsDatabase892"}},
		{"name: ! excludes from the others", []store.Filter{f("name", "prod/", "!prod/api")}, []string{"prod/db"}},
		{"name: every ! excludes", []store.Filter{f("name", "!prod/", "!dev/")}, []string{"credsDatabase892"}},
		{"description: a prefix, any case", []store.Filter{f("description", "primary")}, []string{"prod/db"}},
		{"description: a prefix only", []store.Filter{f("description", "database")}, []string{"dev/db"}},
		{"filters all apply", []store.Filter{f("name", "prod/"), f("description", "api")}, []string{"prod/api"}},
		{"all: words of name and description, any case", []store.Filter{f("all", "Database")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"all: any word of the value", []store.Filter{f("all", "db api")}, []string{"dev/db", "prod/db", "prod/api"}},
		{"all: words break at case and digits", []store.Filter{f("all", "892")}, []string{"credsDatabase892"}},
		{"all: a word's beginning", []store.Filter{f("all", "dat")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"all: not inside a word", []store.Filter{f("all", "base")}, []string{}},
		{"all: ! excludes", []store.Filter{f("all", "!prod")}, []string{"dev/db", "credsDatabase892"}},
		{"tag-key: a prefix", []store.Filter{f("tag-key", "en")}, []string{"dev/db", "prod/db"}},
		{"tag-key: case-sensitive", []store.Filter{f("tag-key", "Env")}, []string{}},
		{"tag-key: ! excludes", []store.Filter{f("tag-key", "!team")}, []string{"dev/db", "prod/api", "credsDatabase892"}},
		{"tag-value: a prefix", []store.Filter{f("tag-value", "pro")}, []string{"prod/db"}},
		{"tag-value: an empty prefix, any tag", []store.Filter{f("tag-value", "")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"tag-value: case-sensitive", []store.Filter{f("tag-value", "payments")}, []string{}},
		{"all: tag keys and values too", []store.Filter{f("all", "payments owner")}, []string{"prod/db", "credsDatabase892"}},
		{"primary-region: no replicas", []store.Filter{f("primary-region", "us-east-1")}, []string{}},
		{"owning-service: none", []store.Filter{f("owning-service", "rds")}, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, listed(t, st, store.ListSecretsInput{Filters: c.filters, MaxResults: ptr(2)})); diff != "" {
				t.Errorf("ListSecrets(%+v) mismatch (-want +got):\n%s", c.filters, diff)
			}
		})
	}
}

func TestListSecretsOrder(t *testing.T) {
	st, c := filtered(t)
	c.Advance(time.Hour)
	put(t, st, "prod/db", 10) // changed last
	c.Advance(24 * time.Hour)
	if _, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "prod/db"}); err != nil { // the only one read
		t.Fatal(err)
	}
	created := []string{"dev/db", "prod/db", "prod/api", "credsDatabase892"}
	for _, c := range []struct {
		by, order string
		want      []string
	}{
		{"", "", created},
		{"created-date", "asc", created},
		{"created-date", "desc", []string{"credsDatabase892", "prod/api", "prod/db", "dev/db"}},
		{"name", "", []string{"credsDatabase892", "dev/db", "prod/api", "prod/db"}},
		{"name", "desc", []string{"prod/db", "prod/api", "dev/db", "credsDatabase892"}},
		{"last-changed-date", "", []string{"dev/db", "prod/api", "credsDatabase892", "prod/db"}},
		{"last-accessed-date", "desc", []string{"prod/db", "prod/api", "dev/db", "credsDatabase892"}}, // never read: ties by name, reversed
		{"last-accessed-date", "", []string{"credsDatabase892", "dev/db", "prod/api", "prod/db"}},
	} {
		if diff := cmp.Diff(c.want, listed(t, st, store.ListSecretsInput{SortBy: c.by, SortOrder: c.order, MaxResults: ptr(2)})); diff != "" {
			t.Errorf("ListSecrets(SortBy %q, SortOrder %q) mismatch (-want +got):\n%s", c.by, c.order, diff)
		}
	}
}

func TestListSecretsValidation(t *testing.T) {
	st, _ := filtered(t)
	f := func(key string, values ...string) store.Filter { return store.Filter{Key: key, Values: values} }
	const keys = "[description, name, tag-key, tag-value, primary-region, owning-service, all]"
	const pattern = `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`
	eleven := slices.Repeat([]store.Filter{f("name", "a")}, 11)
	for _, c := range []struct {
		name string
		in   store.ListSecretsInput
		msg  string
	}{
		{"unknown key", store.ListSecretsInput{Filters: []store.Filter{f("name", "a"), f("size", "a")}},
			"1 validation error detected: Value 'size' at 'filters.2.member.key' failed to satisfy constraint: Member must satisfy enum value set: " + keys},
		{"no values", store.ListSecretsInput{Filters: []store.Filter{f("name")}},
			"1 validation error detected: Value '[]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"eleven values", store.ListSecretsInput{Filters: []store.Filter{f("name", strings.Split("a b c d e f g h i j k", " ")...)}},
			"1 validation error detected: Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"a value outside the pattern", store.ListSecretsInput{Filters: []store.Filter{f("all", "ok", "a#b")}},
			"1 validation error detected: Value 'a#b' at 'filters.1.member.values.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"a value too long", store.ListSecretsInput{Filters: []store.Filter{f("name", strings.Repeat("a", 513))}},
			"1 validation error detected: Value '" + strings.Repeat("a", 513) + "' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"eleven filters", store.ListSecretsInput{Filters: eleven},
			"1 validation error detected: Value '[" + strings.Repeat("{Key: name,Values: [a]}, ", 10) + "{Key: name,Values: [a]}]' at 'filters' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"SortBy", store.ListSecretsInput{SortBy: "size"},
			"1 validation error detected: Value 'size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]"},
		{"SortBy and SortOrder", store.ListSecretsInput{SortBy: "Name", SortOrder: "up"},
			"2 validation errors detected: Value 'Name' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]; " +
				"Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := st.ListSecrets(c.in)
			check.Err(t, err, stagelabel.ErrValidation, c.msg)
			if out.SecretList != nil {
				t.Errorf("a failed ListSecrets listed %v", out.SecretList)
			}
		})
	}
}

// TestListSecretsFilterProperties checks, over random secrets and filters,
// what filtering must keep: any page size gives the same list; a filter
// keeps a subsequence of the unfiltered list; another filter only narrows;
// a value's "!" form keeps exactly what the value drops; more values widen.
func TestListSecretsFilterProperties(t *testing.T) {
	word := rapid.StringMatching(`[a-cA-C0-2]{1,3}`)
	rapid.Check(t, func(t *rapid.T) {
		st, c := newStore()
		for i, name := range rapid.SliceOfNDistinct(rapid.StringMatching(`[a-cA-C0-2/_-]{1,8}`), 1, 8, rapid.ID).Draw(t, "names") {
			desc := strings.Join(rapid.SliceOfN(word, 0, 3).Draw(t, "description"), " ")
			if _, err := st.CreateSecret(store.CreateSecretInput{Name: name, Description: desc, ClientRequestToken: tok(i)}); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Duration(rapid.IntRange(0, 1).Draw(t, "tie")) * time.Hour)
		}
		key := rapid.SampledFrom([]string{"name", "description", "all", "tag-key"})
		filter := rapid.Custom(func(t *rapid.T) store.Filter {
			return store.Filter{Key: key.Draw(t, "key"), Values: rapid.SliceOfN(word, 1, 3).Draw(t, "values")}
		})
		list := func(in store.ListSecretsInput) []string { return listed(t, st, in) }
		all := list(store.ListSecretsInput{})
		fs := rapid.SliceOfN(filter, 1, 3).Draw(t, "filters")
		got := list(store.ListSecretsInput{Filters: fs})
		if paged := list(store.ListSecretsInput{Filters: fs, MaxResults: ptr(rapid.IntRange(1, 3).Draw(t, "size"))}); !slices.Equal(paged, got) {
			t.Fatalf("page by page %v, at once %v", paged, got)
		}
		if !isSubsequence(got, all) {
			t.Fatalf("filtered %v is not a subsequence of %v", got, all)
		}
		if narrower := list(store.ListSecretsInput{Filters: append(slices.Clone(fs), filter.Draw(t, "another"))}); !isSubsequence(narrower, got) {
			t.Fatalf("another filter widened %v to %v", got, narrower)
		}
		one := store.Filter{Key: key.Draw(t, "key"), Values: []string{word.Draw(t, "value")}}
		kept := list(store.ListSecretsInput{Filters: []store.Filter{one}})
		dropped := list(store.ListSecretsInput{Filters: []store.Filter{{Key: one.Key, Values: []string{"!" + one.Values[0]}}}})
		if merged := slices.Concat(kept, dropped); len(merged) != len(all) || !isSubsequence(kept, all) || !isSubsequence(dropped, all) ||
			slices.ContainsFunc(kept, func(n string) bool { return slices.Contains(dropped, n) }) {
			t.Fatalf("%v keeps %v, its negation %v; together not %v", one, kept, dropped, all)
		}
		wider := store.Filter{Key: one.Key, Values: append(slices.Clone(one.Values), word.Draw(t, "more"))}
		if w := list(store.ListSecretsInput{Filters: []store.Filter{wider}}); !isSubsequence(kept, w) {
			t.Fatalf("%v keeps %v, narrower than %v's %v", wider, w, one, kept)
		}
	})
}

// isSubsequence reports whether sub is s with some elements left out.
func isSubsequence(sub, s []string) bool {
	for _, x := range sub {
		i := slices.Index(s, x)
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
	return true
}

// TestListSecretsTokens checks that a page token works only with the order
// that gave it, and pins what a date order does with a secret that moves
// between pages: it comes again.
func TestListSecretsTokens(t *testing.T) {
	st, c := filtered(t)
	first, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr(1)})
	check.Err(t, err, "", "")
	for _, in := range []store.ListSecretsInput{
		{SortBy: "name"},
		{SortOrder: "desc"},
		{SortBy: "last-changed-date"},
		{NextToken: "not base64!"},
		{NextToken: "bmFtZQ"}, // "name": no order's key
	} {
		if in.NextToken == "" {
			in.NextToken = first.NextToken
		}
		_, err := st.ListSecrets(in)
		check.Err(t, err, stagelabel.ErrInvalidNextToken, "The NextToken value is invalid.")
	}
	if got := listed(t, st, store.ListSecretsInput{SortBy: "created-date", SortOrder: "asc", MaxResults: ptr(1), NextToken: first.NextToken}); len(got) != 3 {
		t.Errorf("the token of the default order, with that order named, continued with %v", got)
	}

	byChange := store.ListSecretsInput{SortBy: "last-changed-date", MaxResults: ptr(2)}
	page, _ := st.ListSecrets(byChange)
	c.Advance(time.Hour)
	if _, err := st.UpdateSecret(store.UpdateSecretInput{SecretId: "dev/db", ClientRequestToken: tok(9), Description: ptr("moved")}); err != nil {
		t.Fatal(err)
	}
	byChange.NextToken = page.NextToken
	names := []string{page.SecretList[0].Name, page.SecretList[1].Name}
	names = append(names, listed(t, st, byChange)...)
	if want := []string{"dev/db", "prod/db", "prod/api", "credsDatabase892", "dev/db"}; !cmp.Equal(names, want) {
		t.Errorf("a changed secret, by LastChangedDate across pages: %v, want %v", names, want)
	}
}

func TestListSecretsValidatesAtOnce(t *testing.T) {
	st, _ := filtered(t)
	_, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr(0), SortOrder: "up"})
	check.Err(t, err, stagelabel.ErrValidation, "2 validation errors detected: "+
		"Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]; "+
		"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
}
