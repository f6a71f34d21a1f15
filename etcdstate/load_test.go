package etcdstate_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stagelabel/stagelabel/store"
)

// TestLoadPages checks that Load reads more keys than fit in a page, and
// sees one revision of the cluster: changes made while it reads (from its
// first yield, once the first page is read) are not seen, though they
// touch keys of later pages.
func TestLoadPages(t *testing.T) {
	t.Parallel()
	endpoint := startEtcd(t)
	db := open(t, endpoint, "pages/")
	const secrets = 700 // 1,400 keys: three pages
	revs := make([]store.Revision, secrets)
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for i := w; i < secrets; i += 10 {
				rev, err := db.Commit(store.Change{Secret: secret(fmt.Sprintf("s%03d", i), "", "v")})
				if err != nil {
					t.Error(err)
					return
				}
				revs[i] = rev
			}
		})
	}
	wg.Wait()

	last := fmt.Sprintf("s%03d", secrets-1)
	var got []string
	err := db.Load(func(s store.SecretSnapshot, rev store.Revision) error {
		if len(got) == 0 {
			if _, err := db.Commit(store.Change{Prev: revs[secrets-1], Secret: secret(last, "changed", "w")}); err != nil {
				return err
			}
			if _, err := db.Commit(store.Change{Secret: secret("zzz", "")}); err != nil {
				return err
			}
		}
		i := len(got)
		got = append(got, s.Name)
		if i >= secrets {
			t.Errorf("Load yielded %s, committed after it began", s.Name)
			return nil
		}
		if want := fmt.Sprintf("s%03d", i); s.Name != want || rev != revs[i] || len(s.Versions) != 1 || s.Description != "" {
			t.Errorf("secret %d: %s at revision %d with %d versions, description %q; want %s at %d, 1 version, no description",
				i, s.Name, rev, len(s.Versions), s.Description, want, revs[i])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != secrets {
		t.Errorf("Load yielded %d secrets, want %d", len(got), secrets)
	}
	if s, _ := current(t, db, last); s.Description != "changed" || len(s.Versions) != 2 {
		t.Errorf("a Load after: %s has description %q and %d versions; want the change", last, s.Description, len(s.Versions))
	}
}
