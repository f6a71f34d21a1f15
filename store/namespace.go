package store

import (
	"fmt"
	"strings"
	"sync"
)

// Namespace is an account and a region: each holds its own secrets, as in
// AWS, where one name can be a secret in two regions or two accounts, each
// ARN names its region and account, and ListSecrets sees its own
// namespace only (docs/semantics.md §N13) [D]. Neither may be empty or
// hold a colon, the ARN's separator (§N15) [M]; AWS's are 12 digits and
// such names as "eu-west-1", which the store does not require.
type Namespace struct {
	Account string
	Region  string
}

// valid reports whether ns can be named in an ARN.
func (ns Namespace) valid() bool {
	return ns.Account != "" && ns.Region != "" && !strings.Contains(ns.Account+ns.Region, ":")
}

// space is one namespace of a store: its secrets by name.
type space struct {
	region  string
	account string
	prefix  string   // of every ARN: arn:aws:secretsmanager:<region>:<account>:secret:
	names   sync.Map // secret name → *slot
	self    *Store   // the store of this namespace
}

// In returns the store of namespace ns, sharing this store's clock,
// random source, observer and backend: the same secrets whichever store
// of the set asks for them. A store is made for each namespace the first
// time one asks; the store [New], [Load] and [Open] return is that of the
// account and region they were given ([WithAccount], [WithRegion]).
func (st *Store) In(ns Namespace) (*Store, error) {
	if v, ok := st.spaces.Load(ns); ok {
		return v.(*space).self, nil
	}
	if !ns.valid() {
		return nil, fmt.Errorf("store: namespace of account %q and region %q: neither may be empty or hold a colon", ns.Account, ns.Region)
	}
	sp := &space{region: ns.Region, account: ns.Account, prefix: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:", ns.Region, ns.Account)}
	sp.self = &Store{st.shared, sp}
	v, _ := st.spaces.LoadOrStore(ns, sp)
	return v.(*space).self, nil
}

// Namespace returns the store's namespace.
func (st *Store) Namespace() Namespace { return Namespace{st.account, st.region} }

// namespaceOf returns the namespace an ARN of a store names:
// arn:aws:secretsmanager:<region>:<account>:secret:..., and whether it is
// one.
func namespaceOf(arn string) (Namespace, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:secretsmanager:")
	region, rest, ok2 := strings.Cut(rest, ":")
	account, _, ok3 := strings.Cut(rest, ":")
	return Namespace{account, region}, ok && ok2 && ok3
}

// owner returns the store of the namespace where secretID is looked up:
// for the ARN of a secret of another account in this store's region, that
// account's, as AWS resolves a full ARN for a caller of another account
// ([D]; AWS then checks the secret's resource policy and its key's, which
// a store does not [M]); for anything else, st. An ARN of another region
// is looked up here, and so not found [M] (docs/semantics.md §N11).
func (st *Store) owner(secretID string) *Store {
	if !strings.HasPrefix(secretID, "arn:") || strings.HasPrefix(secretID, st.prefix) {
		return st
	}
	ns, ok := namespaceOf(secretID)
	if !ok || ns.Region != st.region {
		return st
	}
	if v, ok := st.spaces.Load(ns); ok {
		return v.(*space).self
	}
	if st.follower != nil {
		// Another store may have made the namespace, and the feed has
		// not brought it yet: sync, then look again (an error is the
		// lookup's, which syncs again).
		if st.follower.Sync() == nil {
			if v, ok := st.spaces.Load(ns); ok {
				return v.(*space).self
			}
		}
	}
	return st
}

// home returns the store of the namespace the ARN of snapshot s names,
// where a loaded secret lives.
func (st *Store) home(s SecretSnapshot) (*Store, error) {
	ns, ok := namespaceOf(s.ARN)
	if !ok {
		return nil, fmt.Errorf("secret %q: ARN %q names no account and region", s.Name, s.ARN)
	}
	home, err := st.In(ns)
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", s.Name, err)
	}
	return home, nil
}

// Key returns what names the secret of s in a [Backend]: its ARN without
// the random suffix, arn:aws:secretsmanager:<region>:<account>:secret:<name>,
// one key for each name in each namespace. A secret created again after
// it was deleted for good has the same key.
func (s SecretSnapshot) Key() string { return key(s.ARN) }

// key returns the key of the secret with ARN arn, an ARN a store made.
func key(arn string) string { return arn[:max(len(arn)-suffixLen-1, 0)] }
