package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

func TestTags(t *testing.T) {
	st, c := newStore()
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1),
		Tags: []store.Tag{{"team", "a"}, {"env", "dev"}, {"team", "b"}}}); err != nil {
		t.Fatal(err)
	}
	tags := func() ([]store.Tag, time.Time) {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		return d.Tags, d.LastChangedDate.Time
	}
	// Sorted by key; of a key given twice, the last value.
	if got, _ := tags(); !cmp.Equal(got, []store.Tag{{"env", "dev"}, {"team", "b"}}) {
		t.Errorf("tags after CreateSecret = %v", got)
	}

	c.Advance(time.Hour)
	if _, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"env", "prod"}, {"Env", ""}}}); err != nil {
		t.Fatal(err)
	}
	got, changed := tags()
	if want := []store.Tag{{"Env", ""}, {"env", "prod"}, {"team", "b"}}; !cmp.Equal(got, want) || !changed.Equal(c.Now()) {
		t.Errorf("after TagResource: %v, changed %v; want %v, changed now", got, changed, want)
	}
	// The same tags again change nothing, LastChangedDate included.
	c.Advance(time.Hour)
	if _, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"env", "prod"}}}); err != nil {
		t.Fatal(err)
	}
	if _, again := tags(); !again.Equal(changed) {
		t.Errorf("a TagResource that changes nothing moved LastChangedDate to %v", again)
	}

	c.Advance(time.Hour)
	if _, err := st.UntagResource(store.UntagResourceInput{SecretId: "db", TagKeys: []string{"Env", "team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	got, changed = tags()
	if want := []store.Tag{{"env", "prod"}}; !cmp.Equal(got, want) || !changed.Equal(c.Now()) {
		t.Errorf("after UntagResource: %v, changed %v; want %v, changed now", got, changed, want)
	}
	if _, err := st.UntagResource(store.UntagResourceInput{SecretId: "db", TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	// Once every tag is removed, Tags is [], not left out (LocalStack's
	// AWS-validated test_secret_tags, describe_secret_4).
	if got, _ := tags(); got == nil || len(got) != 0 {
		t.Errorf("tags after the last is removed = %#v, want []", got)
	}

	// 50 tags are allowed; a 51st is not.
	many := make([]store.Tag, store.MaxTags)
	for i := range many {
		many[i] = store.Tag{Key: fmt.Sprint("k", i)}
	}
	if _, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: many}); err != nil {
		t.Fatal(err)
	}
	full, _ := tags()

	create(t, st, "gone", 2)
	if _, err := st.DeleteSecret(store.DeleteSecretInput{SecretId: "gone"}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("k", 129)
	for _, tt := range []struct {
		name string
		call func() error
		code stagelabel.Code
		msg  string
	}{
		{"a 51st tag", func() error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"one", "more"}}})
			return err
		}, stagelabel.ErrInvalidParameter, "A secret can have at most 50 tags."},
		{"a reserved key", func() error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"k1", "x"}, {"AWS:owner", "x"}}})
			return err
		}, stagelabel.ErrInvalidParameter, "The tag key AWS:owner begins with aws:, which AWS reserves for its own use."},
		{"removing a reserved key", func() error {
			_, err := st.UntagResource(store.UntagResourceInput{SecretId: "db", TagKeys: []string{"k1", "aws:x"}})
			return err
		}, stagelabel.ErrInvalidParameter, "The tag key aws:x begins with aws:, which AWS reserves for its own use."},
		{"a key and a value too long", func() error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: []store.Tag{{"k1", "x"}, {long, strings.Repeat("v", 257)}}})
			return err
		}, stagelabel.ErrValidation, "2 validation errors detected: Value '" + long + "' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 128; " +
			"Value '" + strings.Repeat("v", 257) + "' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"an empty key", func() error {
			_, err := st.UntagResource(store.UntagResourceInput{SecretId: "db", TagKeys: []string{"k1", ""}})
			return err
		}, stagelabel.ErrValidation, "1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"no such secret", func() error {
			_, err := st.TagResource(store.TagResourceInput{SecretId: "nope", Tags: []store.Tag{{"k", "v"}}})
			return err
		}, stagelabel.ErrResourceNotFound, notFound},
		{"a secret marked for deletion", func() error {
			_, err := st.UntagResource(store.UntagResourceInput{SecretId: "gone", TagKeys: []string{"k"}})
			return err
		}, stagelabel.ErrInvalidRequest, marked},
		{"CreateSecret with a reserved key", func() error {
			_, err := st.CreateSecret(store.CreateSecretInput{Name: "new", ClientRequestToken: tok(1), Tags: []store.Tag{{"aws:x", ""}}})
			return err
		}, stagelabel.ErrInvalidParameter, "The tag key aws:x begins with aws:, which AWS reserves for its own use."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check.Err(t, tt.call(), tt.code, tt.msg)
			if got, _ := tags(); !cmp.Equal(got, full) {
				t.Errorf("a failed call changed the tags to %v", got)
			}
		})
	}
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "new"}); err == nil {
		t.Error("a failed CreateSecret made the secret")
	}
}

// TestTagsAreNeverShared checks that no tag slice is shared: not between
// records (a new value is a change, and a concurrent reader sees no write;
// run with -race), nor with what callers pass or get.
func TestTagsAreNeverShared(t *testing.T) {
	st, c := newStore()
	in := []store.Tag{{"env", "dev"}}
	if _, err := st.CreateSecret(store.CreateSecretInput{Name: "db", ClientRequestToken: tok(1), Tags: in}); err != nil {
		t.Fatal(err)
	}
	in[0].Value = "theirs"
	describe := func() store.DescribeSecretOutput {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := describe(); d.Tags[0].Value != "dev" {
		t.Fatalf("the caller's slice changed the secret's tags: %v", d.Tags)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
			}
		}
	})
	c.Advance(time.Hour)
	tags := []store.Tag{{"env", "prod"}}
	_, err := st.TagResource(store.TagResourceInput{SecretId: "db", Tags: tags})
	close(stop)
	wg.Wait()
	check.Err(t, err, "", "")
	tags[0].Value = "theirs"
	d := describe()
	if !cmp.Equal(d.Tags, []store.Tag{{"env", "prod"}}) || !d.LastChangedDate.Equal(c.Now()) {
		t.Fatalf("after a new value: %v, changed %v; want env=prod, changed now", d.Tags, d.LastChangedDate)
	}

	d.Tags[0].Value = "theirs"
	l, _ := st.ListSecrets(store.ListSecretsInput{})
	l.SecretList[0].Tags[0].Value = "theirs"
	e, _ := st.Export("db")
	e.Tags[0].Value = "theirs"
	if d := describe(); d.Tags[0].Value != "prod" {
		t.Errorf("an output shares the secret's tags: %v", d.Tags)
	}
}
