package store_test

import (
	"reflect"
	"regexp"
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
		{"name: a prefix", []store.Filter{f(store.FilterName, "prod/")}, []string{"prod/db", "prod/api"}},
		{"name: case-sensitive", []store.Filter{f(store.FilterName, "Prod/")}, []string{}},
		{"name: values are alternatives", []store.Filter{f(store.FilterName, "prod/db", "dev/")}, []string{"dev/db", "prod/db"}},
		{"name: ! excludes", []store.Filter{f(store.FilterName, "!prod/")}, []string{"dev/db", "credsDatabase892"}},
		{"name: ! excludes from the others", []store.Filter{f(store.FilterName, "prod/", "!prod/api")}, []string{"prod/db"}},
		{"name: every ! excludes", []store.Filter{f(store.FilterName, "!prod/", "!dev/")}, []string{"credsDatabase892"}},
		{"description: a word's beginning, any case", []store.Filter{f(store.FilterDescription, "primary")}, []string{"prod/db"}},
		{"description: any word, not only the first", []store.Filter{f(store.FilterDescription, "database")}, []string{"dev/db", "prod/db"}},
		{"description: every word of the value", []store.Filter{f(store.FilterDescription, "data for")}, []string{"dev/db"}},
		{"description: not inside a word", []store.Filter{f(store.FilterDescription, "base")}, []string{}},
		{"description: an empty value matches nothing [M]", []store.Filter{f(store.FilterDescription, "")}, []string{}},
		{"description: so its negation excludes nothing", []store.Filter{f(store.FilterDescription, "!")}, []string{"dev/db", "prod/db", "prod/api", "credsDatabase892"}},
		{"filters all apply", []store.Filter{f(store.FilterName, "prod/"), f(store.FilterDescription, "api")}, []string{"prod/api"}},
		{"all: words of name and description, any case", []store.Filter{f(store.FilterAll, "Database")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"all: every word of the value, in one attribute", []store.Filter{f(store.FilterAll, "prod api")}, []string{"prod/api"}},
		{"all: words in different attributes do not add up [M]", []store.Filter{f(store.FilterAll, "db for")}, []string{}},
		{"all: words break at case and digits", []store.Filter{f(store.FilterAll, "892")}, []string{"credsDatabase892"}},
		{"all: a word's beginning", []store.Filter{f(store.FilterAll, "dat")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"all: not inside a word", []store.Filter{f(store.FilterAll, "base")}, []string{}},
		{"all: a value without words matches nothing", []store.Filter{f(store.FilterAll, "-/")}, []string{}},
		{"all: ! excludes", []store.Filter{f(store.FilterAll, "!prod")}, []string{"dev/db", "credsDatabase892"}},
		{"tag-key: a prefix", []store.Filter{f(store.FilterTagKey, "en")}, []string{"dev/db", "prod/db"}},
		{"tag-key: case-sensitive", []store.Filter{f(store.FilterTagKey, "Env")}, []string{}},
		{"tag-key: ! excludes", []store.Filter{f(store.FilterTagKey, "!team")}, []string{"dev/db", "prod/api", "credsDatabase892"}},
		{"tag-value: a prefix", []store.Filter{f(store.FilterTagValue, "pro")}, []string{"prod/db"}},
		{"tag-value: an empty prefix, any tag", []store.Filter{f(store.FilterTagValue, "")}, []string{"dev/db", "prod/db", "credsDatabase892"}},
		{"tag-value: case-sensitive", []store.Filter{f(store.FilterTagValue, "payments")}, []string{}},
		{"all: tag keys and values too, values alternatives", []store.Filter{f(store.FilterAll, "payments", "owner")}, []string{"prod/db", "credsDatabase892"}},
		{"primary-region: no replicas", []store.Filter{f(store.FilterPrimaryRegion, "us-east-1")}, []string{}},
		{"owning-service: none", []store.Filter{f(store.FilterOwningService, "rds")}, []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, listed(t, st, store.ListSecretsInput{Filters: c.filters, MaxResults: ptr[int32](2)})); diff != "" {
				t.Errorf("ListSecrets(%+v) mismatch (-want +got):\n%s", c.filters, diff)
			}
		})
	}
}

// TestListSecretsFiltersRecorded replays, in a store of their secrets
// alone, the filter tests that other projects ran against AWS, with what
// AWS listed. moto's aws_verified tests (getmoto/moto,
// tests/test_secretsmanager/test_list_secrets.py) end each name in six
// characters of a fresh UUID; here they are "3f9c1e". LocalStack's
// validated test (localstack/localstack,
// tests/aws/services/secretsmanager/test_secretsmanager.py) ends names in
// a random number, here 12345, and asserts which of its four secrets are
// listed and which are not, which here is the whole list.
func TestListSecretsFiltersRecorded(t *testing.T) {
	type secret struct {
		name, description string
		tags              []store.Tag
	}
	type query struct {
		filters []store.Filter
		want    []string
	}
	f := func(key string, values ...string) store.Filter { return store.Filter{Key: key, Values: values} }
	q := func(want []string, filters ...store.Filter) query { return query{filters, want} }
	named := func(names ...string) []secret {
		ss := make([]secret, len(names))
		for i, n := range names {
			ss[i].name = n
		}
		return ss
	}
	const u = "3f9c1e"
	var (
		one, two, third    = "SecretOne" + u, "SecretTwo" + u, "Thirdsecret" + u
		fTag, fValue, none = "SecretFTag" + u, "SecretFValue" + u, "none" + u
		special            = []string{"prod/AppBeta/" + u, "prod_AppBeta_" + u, "prod+AppBeta+" + u, "prod=AppBeta=" + u, "prod.AppBeta." + u, "prod@AppBeta@" + u, "prod-AppBeta-" + u}
		company, things    = "uat/COMPANY/" + u, "uat/COMPANYthings/" + u
		ls                 = []string{"testing1/one-12345", "/testing2/two-12345", "testing3/three-12345", "/testing4/four-12345"}
	)
	for _, c := range []struct {
		test    string
		secrets []secret
		queries []query
	}{
		{
			test: "moto test_with_all_filter",
			secrets: []secret{{name: one}, {name: two, description: "DescTwo"}, {name: third},
				{name: fTag, tags: []store.Tag{{"1", "foo"}}}, {name: fValue, tags: []store.Tag{{"foo", "v"}}}, {name: none}},
			queries: []query{
				q([]string{one}, f(store.FilterAll, "SecretOne")), // every word of the value, not one of them
				q([]string{fTag, fValue}, f(store.FilterAll, "foo")),
				q([]string{one, two, fTag, fValue}, f(store.FilterAll, "Secret")),
				q([]string{one, two, fTag, fValue}, f(store.FilterAll, "secret")), // not case-sensitive
				q([]string{}, f(store.FilterAll, "ret")),                          // a word's beginning only
				q([]string{one, two, fTag, fValue}, f(store.FilterAll, "sec")),
				q([]string{}, f(store.FilterAll, "SomeSecret")),
				q([]string{two}, f(store.FilterAll, "d")),
				q([]string{two}, f(store.FilterAll, "d t")),
				q([]string{two, third, fTag}, f(store.FilterAll, "t")), // SecretFTag is Secret, F, Tag
			},
		},
		{
			test:    "moto test_with_all_filter_special_characters",
			secrets: named(append(slices.Clone(special), company, things)...),
			queries: []query{
				q(special, f(store.FilterAll, "AppBeta")),
				q(special, f(store.FilterAll, "Beta")),
				q(special, f(store.FilterAll, "AppBeta", "prod")),
				q([]string{}, f(store.FilterAll, "+")), // no words, no match
				q(append(slices.Clone(special), company, things), f(store.FilterAll, u)),
				q([]string{company}, f(store.FilterAll, "company")),
				q([]string{}, f(store.FilterAll, "things")),
				q([]string{things}, f(store.FilterAll, "Ythings")), // COMPANYthings is COMPAN, Ythings
				q([]string{}, f(store.FilterAll, "N")),
				q([]string{}, f(store.FilterAll, "pany")),
			},
		},
		{
			test:    "moto test_with_duplicate_filter_keys",
			secrets: []secret{{name: "foo", description: "one two"}, {name: "bar", description: "one"}, {name: "baz", description: "two"}, {name: "qux", description: "unrelated"}},
			queries: []query{q([]string{"foo"}, f(store.FilterDescription, "one"), f(store.FilterDescription, "two"))},
		},
		{
			test: "moto test_with_filter_with_value_with_multiple_words",
			secrets: []secret{{name: "foo", description: "one two"}, {name: "bar", description: "one and two"},
				{name: "baz", description: "one"}, {name: "qux", description: "two"}, {name: "none", description: "unrelated"}},
			queries: []query{
				q([]string{"foo", "bar"}, f(store.FilterDescription, "one two")),
				q([]string{"foo", "bar"}, f(store.FilterDescription, "o t")),
				q([]string{"foo", "bar", "qux"}, f(store.FilterDescription, "t")),
			},
		},
		{
			test: "LocalStack test_list_secrets_filtering",
			secrets: []secret{{name: ls[0], description: "a secret"}, {name: ls[1], description: "an secret"},
				{name: ls[2], description: "asecret"}, {name: ls[3], description: "thesecret"}},
			queries: []query{
				q([]string{ls[1], ls[3]}, f(store.FilterName, "/")), // the whole name, not its words
				q([]string{ls[0], ls[2]}, f(store.FilterName, "!/")),
				q([]string{}, f(store.FilterName, "testing1 one")),
				q([]string{ls[0], ls[1], ls[2]}, f(store.FilterDescription, "a")),
				q([]string{ls[3]}, f(store.FilterDescription, "!a")),
				q([]string{ls[0], ls[1]}, f(store.FilterDescription, "a secret")),
				q([]string{}, f(store.FilterDescription, "a"), f(store.FilterName, "secret")),
				q([]string{}, f(store.FilterDescription, "a"), f(store.FilterName, "an")),
				q(ls, f(store.FilterDescription, "!c")),
			},
		},
	} {
		t.Run(c.test, func(t *testing.T) {
			st, clk := newStore()
			for i, s := range c.secrets {
				clk.Advance(time.Second) // listed in the order made, as the recordings are
				if _, err := st.CreateSecret(store.CreateSecretInput{Name: s.name, Description: s.description, Tags: s.tags, ClientRequestToken: tok(i)}); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range c.queries {
				if diff := cmp.Diff(q.want, listed(t, st, store.ListSecretsInput{Filters: q.filters})); diff != "" {
					t.Errorf("ListSecrets(%+v) mismatch (-want +got):\n%s", q.filters, diff)
				}
			}
		})
	}
}

// TestListSecretsFiltersUnicode pins stagelabel's choices for words
// beyond ASCII, which descriptions and tags may hold [M]: Unicode's
// letters, digits and cases, and its simple case folding.
func TestListSecretsFiltersUnicode(t *testing.T) {
	for _, c := range []struct {
		name, description, value string
		want                     bool
	}{
		{"the Kelvin sign folds to k", "\u212Aelvin scale", "kelvin", true},
		{"an accented letter is not its base letter", "Émile", "emile", false},
		{"a case change splits, accented or not", "ÉtéHiver", "hiver", true},
		{"so does a change to a digit", "été2026", "2026", true},
		{"a letter without case joins its neighbours", "メモcafe", "cafe", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, _ := newStore()
			if _, err := st.CreateSecret(store.CreateSecretInput{Name: "s", Description: c.description, ClientRequestToken: tok(1)}); err != nil {
				t.Fatal(err)
			}
			got := len(listed(t, st, store.ListSecretsInput{Filters: []store.Filter{{Key: store.FilterDescription, Values: []string{c.value}}}})) == 1
			if got != c.want {
				t.Errorf("description %q, filter %q: listed %t, want %t", c.description, c.value, got, c.want)
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
		{store.SortByCreatedDate, store.SortAsc, created},
		{store.SortByCreatedDate, store.SortDesc, []string{"credsDatabase892", "prod/api", "prod/db", "dev/db"}},
		{store.SortByName, "", []string{"credsDatabase892", "dev/db", "prod/api", "prod/db"}},
		{store.SortByName, store.SortDesc, []string{"prod/db", "prod/api", "dev/db", "credsDatabase892"}},
		{store.SortByLastChangedDate, "", []string{"dev/db", "prod/api", "credsDatabase892", "prod/db"}},
		{store.SortByLastAccessedDate, store.SortDesc, []string{"prod/db", "prod/api", "dev/db", "credsDatabase892"}}, // never read: ties by name, reversed
		{store.SortByLastAccessedDate, "", []string{"credsDatabase892", "dev/db", "prod/api", "prod/db"}},
	} {
		if diff := cmp.Diff(c.want, listed(t, st, store.ListSecretsInput{SortBy: c.by, SortOrder: c.order, MaxResults: ptr[int32](2)})); diff != "" {
			t.Errorf("ListSecrets(SortBy %q, SortOrder %q) mismatch (-want +got):\n%s", c.by, c.order, diff)
		}
	}
}

func TestListSecretsValidation(t *testing.T) {
	st, _ := filtered(t)
	f := func(key string, values ...string) store.Filter { return store.Filter{Key: key, Values: values} }
	const keys = "[description, name, tag-key, tag-value, primary-region, owning-service, all]"
	const pattern = `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`
	eleven := slices.Repeat([]store.Filter{f(store.FilterName, "a")}, 11)
	for _, c := range []struct {
		name string
		in   store.ListSecretsInput
		msg  string
	}{
		{"unknown key", store.ListSecretsInput{Filters: []store.Filter{f(store.FilterName, "a"), f("size", "a")}},
			"1 validation error detected: Value 'size' at 'filters.2.member.key' failed to satisfy constraint: Member must satisfy enum value set: " + keys},
		{"no values", store.ListSecretsInput{Filters: []store.Filter{f("name")}},
			"1 validation error detected: Value '[]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"eleven values", store.ListSecretsInput{Filters: []store.Filter{f(store.FilterName, strings.Split("a b c d e f g h i j k", " ")...)}},
			"1 validation error detected: Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"a value outside the pattern", store.ListSecretsInput{Filters: []store.Filter{f(store.FilterAll, "ok", "a#b")}},
			"1 validation error detected: Value 'a#b' at 'filters.1.member.values.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern},
		{"a value too long", store.ListSecretsInput{Filters: []store.Filter{f(store.FilterName, strings.Repeat("a", 513))}},
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
		key := rapid.SampledFrom([]string{store.FilterName, store.FilterDescription, store.FilterAll, store.FilterTagKey})
		filter := rapid.Custom(func(t *rapid.T) store.Filter {
			return store.Filter{Key: key.Draw(t, "key"), Values: rapid.SliceOfN(word, 1, 3).Draw(t, "values")}
		})
		list := func(in store.ListSecretsInput) []string { return listed(t, st, in) }
		all := list(store.ListSecretsInput{})
		fs := rapid.SliceOfN(filter, 1, 3).Draw(t, "filters")
		got := list(store.ListSecretsInput{Filters: fs})
		if paged := list(store.ListSecretsInput{Filters: fs, MaxResults: ptr(rapid.Int32Range(1, 3).Draw(t, "size"))}); !slices.Equal(paged, got) {
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
	first, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr[int32](1)})
	check.Err(t, err, "", "")
	for _, in := range []store.ListSecretsInput{
		{SortBy: store.SortByName},
		{SortOrder: store.SortDesc},
		{SortBy: store.SortByLastChangedDate},
		{NextToken: "not base64!"},
		{NextToken: "bmFtZQ"}, // "name": no order's key
	} {
		if in.NextToken == "" {
			in.NextToken = first.NextToken
		}
		_, err := st.ListSecrets(in)
		check.Err(t, err, stagelabel.ErrInvalidNextToken, "The NextToken value is invalid.")
	}
	if got := listed(t, st, store.ListSecretsInput{SortBy: store.SortByCreatedDate, SortOrder: store.SortAsc, MaxResults: ptr[int32](1), NextToken: first.NextToken}); len(got) != 3 {
		t.Errorf("the token of the default order, with that order named, continued with %v", got)
	}

	byChange := store.ListSecretsInput{SortBy: store.SortByLastChangedDate, MaxResults: ptr[int32](2)}
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
	_, err := st.ListSecrets(store.ListSecretsInput{MaxResults: ptr[int32](0), SortOrder: "up"})
	check.Err(t, err, stagelabel.ErrValidation, "2 validation errors detected: "+
		"Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]; "+
		"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
}

// TestListSecretsWordFilters checks the "description" and "all" filters
// against refMatch over random secrets and values; FuzzWordFilters runs
// the same check from fuzzed bytes.
func TestListSecretsWordFilters(t *testing.T) { rapid.Check(t, checkWordFilters) }

func FuzzWordFilters(f *testing.F) { f.Fuzz(rapid.MakeFuzz(checkWordFilters)) }

// checkWordFilters makes secrets from a small alphabet of cases, digits
// and separators, so that words meet often, and checks that one filter
// lists exactly the secrets refMatch finds.
func checkWordFilters(t *rapid.T) {
	type secret struct {
		name, description string
		tags              []store.Tag
	}
	tag := rapid.Custom(func(t *rapid.T) store.Tag {
		return store.Tag{Key: rapid.StringMatching(`[aAbB0 _.-]{1,5}`).Draw(t, "key"), Value: rapid.StringMatching(`[aAbB0 _.-]{0,5}`).Draw(t, "value")}
	})
	st, _ := newStore()
	var secrets []secret
	for i, name := range rapid.SliceOfNDistinct(rapid.StringMatching(`[aAbB01/_+=.@-]{1,8}`), 1, 6, rapid.ID).Draw(t, "names") {
		s := secret{
			name:        name,
			description: rapid.StringMatching(`[aAbBcC01 /_.#-]{0,10}`).Draw(t, "description"),
			tags:        rapid.SliceOfNDistinct(tag, 0, 2, func(t store.Tag) string { return t.Key }).Draw(t, "tags"),
		}
		if _, err := st.CreateSecret(store.CreateSecretInput{Name: s.name, Description: s.description, Tags: s.tags, ClientRequestToken: tok(i)}); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s)
	}
	key := rapid.SampledFrom([]string{"description", "all"}).Draw(t, "key")
	value := rapid.StringMatching(`!?[aAbBcC01 /_.+-]{0,6}`).Draw(t, "value")
	rest, negated := strings.CutPrefix(value, "!")
	want := []string{}
	for _, s := range secrets {
		attrs := []string{s.description}
		if key == store.FilterAll {
			attrs = append(attrs, s.name)
			for _, tg := range s.tags {
				attrs = append(attrs, tg.Key, tg.Value)
			}
		}
		if refMatch(rest, attrs) != negated {
			want = append(want, s.name)
		}
	}
	got := listed(t, st, store.ListSecretsInput{Filters: []store.Filter{{Key: key, Values: []string{value}}}, SortBy: store.SortByName})
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ListSecrets(%s %q) mismatch (-want +got):\n%s", key, value, diff)
	}
}

// refBoundaries find, in ASCII, the places where one word ends and the
// next begins within a run of letters and digits; refWords marks them with
// a space. Each is applied to the whole string in turn, upper-case runs
// first, so that none hides another.
var refBoundaries = []*regexp.Regexp{
	regexp.MustCompile(`([A-Z])([A-Z][a-z])`), // COMPANYthings: COMPAN Ythings
	regexp.MustCompile(`([a-z])([A-Z])`),      // AppBeta: App Beta
	regexp.MustCompile(`([A-Za-z])([0-9])`),   // creds892: creds 892
	regexp.MustCompile(`([0-9])([A-Za-z])`),   // 892creds: 892 creds
}

// refWords is a plain reference for the words of an ASCII string.
func refWords(s string) []string {
	for _, re := range refBoundaries {
		s = re.ReplaceAllString(s, "$1 $2")
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
}

// refMatch reports whether value has words and one of attrs has, for each
// of them, a word that it begins, in lower case.
func refMatch(value string, attrs []string) bool {
	want := refWords(value)
	return len(want) > 0 && slices.ContainsFunc(attrs, func(attr string) bool {
		have := refWords(attr)
		return !slices.ContainsFunc(want, func(w string) bool {
			return !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(strings.ToLower(h), strings.ToLower(w)) })
		})
	})
}

// TestEnumConstants checks that the constants of SortBy, SortOrder and
// Filter's Key are the values their aws tags allow, each once.
func TestEnumConstants(t *testing.T) {
	enum := func(v any, member string) []string {
		f, ok := reflect.TypeOf(v).FieldByName(member)
		if !ok {
			t.Fatalf("%T has no member %s", v, member)
		}
		_, set, _ := strings.Cut(f.Tag.Get("aws"), ",enum=")
		set, _, _ = strings.Cut(set, ",")
		return strings.Split(set, "|")
	}
	for _, tt := range []struct {
		name      string
		allowed   []string
		constants []string
	}{
		{"SortBy", enum(store.ListSecretsInput{}, "SortBy"),
			[]string{store.SortByCreatedDate, store.SortByLastAccessedDate, store.SortByLastChangedDate, store.SortByName}},
		{"SortOrder", enum(store.ListSecretsInput{}, "SortOrder"), []string{store.SortAsc, store.SortDesc}},
		{"Filter.Key", enum(store.Filter{}, "Key"),
			[]string{store.FilterDescription, store.FilterName, store.FilterTagKey, store.FilterTagValue,
				store.FilterPrimaryRegion, store.FilterOwningService, store.FilterAll}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(slices.Sorted(slices.Values(tt.allowed)), slices.Sorted(slices.Values(tt.constants))); diff != "" {
				t.Errorf("constants mismatch the aws tag's enum (-tag +constants):\n%s", diff)
			}
		})
	}
}
