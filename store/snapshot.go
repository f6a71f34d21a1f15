package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// snapshotFormat is the version of the snapshot format; Load refuses others.
const snapshotFormat = 1

// Snapshot is the whole state of a store, as [Store.Save] writes it in
// JSON and [Load] reads it. It holds secret material: keep it as safe as
// the secrets themselves.
type Snapshot struct {
	Format  int
	Secrets []SecretSnapshot
}

// SecretSnapshot is the whole state of one secret.
type SecretSnapshot struct {
	Name               string
	ARN                string
	Description        string `json:",omitempty"`
	KmsKeyId           string `json:",omitempty"` // the key of new versions; "" for the default
	Tags               []Tag  `json:",omitzero"`  // nil until tagged, [] once every tag is removed
	ResourcePolicy     string `json:",omitempty"`
	Created            time.Time
	LastChanged        time.Time
	LastAccessed       time.Time           `json:",omitzero"`
	DeletedDate        time.Time           `json:",omitzero"`
	DeleteAt           time.Time           `json:",omitzero"`
	RotationEnabled    bool                `json:",omitempty"`
	RotationLambdaARN  string              `json:",omitempty"`
	RotationRules      *RotationRules      `json:",omitempty"`
	LastRotated        time.Time           `json:",omitzero"`
	RotationConfigured time.Time           `json:",omitzero"`  // when RotateSecret last configured or started a rotation
	PrimaryRegion      string              `json:",omitempty"` // of a replica: its primary's region
	ReplicationStatus  []ReplicationStatus `json:",omitzero"`  // of a primary: its replicas, by region, without LastAccessedDate
	Versions           []VersionSnapshot   // oldest first
	Labels             map[string]string   // label → version id
	Pruned             []string            `json:",omitempty"`
}

// VersionSnapshot is one version of a secret. SecretString and
// SecretBinary are both nil for a version without value.
type VersionSnapshot struct {
	VersionId    string
	SecretString *string `json:",omitempty"`
	SecretBinary []byte  `json:",omitzero"`
	Created      time.Time
	LastAccessed time.Time `json:",omitzero"`
	KmsKeyId     string    `json:",omitempty"` // the key it was written with; "" for the default
}

// String and Format keep a snapshot's secret material out of logs.
func (s VersionSnapshot) String() string {
	return fmt.Sprintf("{VersionId:%s Created:%s}", s.VersionId, s.Created.Format(time.RFC3339))
}

// Format makes every fmt verb print s as [VersionSnapshot.String] does.
func (s VersionSnapshot) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// Snapshot returns the state of every secret of every namespace of the
// store (see [Store.In]; scheduled for deletion included), in the order of
// their keys ([SecretSnapshot.Key]): by region, account, then name. Each
// secret is as it was at one instant, not all at the same instant.
func (st *Store) Snapshot() Snapshot {
	snap := Snapshot{Format: snapshotFormat, Secrets: []SecretSnapshot{}}
	now := st.now()
	var rs []*record
	st.spaces.Range(func(_, v any) bool {
		rs = append(rs, v.(*space).self.records(now)...)
		return true
	})
	slices.SortFunc(rs, func(a, b *record) int { return strings.Compare(key(a.secret.ARN()), key(b.secret.ARN())) })
	for _, r := range rs {
		snap.Secrets = append(snap.Secrets, r.snapshot())
	}
	return snap
}

// Save writes [Store.Snapshot] as JSON.
func (st *Store) Save(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(st.Snapshot())
}

// Export returns the state of the secret secretID names.
func (st *Store) Export(secretID string) (SecretSnapshot, error) {
	_, r, err := st.current("Export", secretID, true, st.now())
	if err != nil {
		return SecretSnapshot{}, err
	}
	return r.snapshot(), nil
}

// snapshot returns the whole state of r.
func (r *record) snapshot() SecretSnapshot {
	s := r.header()
	for v := range r.secret.All() {
		s.Versions = append(s.Versions, r.versionSnapshot(v))
	}
	for _, id := range r.secret.PrunedIDs() {
		s.Pruned = append(s.Pruned, string(id))
	}
	return s
}

// change returns the change that made r from a record of revision prev,
// for the backend: its cost is that of what changed.
func (r *record) change(prev Revision) Change {
	if r.meta.purged {
		return Change{Prev: prev, Secret: SecretSnapshot{Name: r.secret.Name(), ARN: r.secret.ARN()}, Removed: true}
	}
	s := r.header()
	for _, id := range r.touched {
		if v, ok := r.secret.Version(id); ok {
			s.Versions = append(s.Versions, r.versionSnapshot(v))
		}
	}
	for _, id := range r.pruned {
		s.Pruned = append(s.Pruned, string(id))
	}
	return Change{Prev: prev, Secret: s}
}

// header returns the state of r but its versions: all but Versions and
// Pruned of its snapshot.
func (r *record) header() SecretSnapshot {
	s := SecretSnapshot{
		Name: r.secret.Name(), ARN: r.secret.ARN(), Description: r.meta.description, KmsKeyId: r.meta.kmsKey, Tags: slices.Clone(r.meta.tags),
		ResourcePolicy: r.meta.policy, Created: r.meta.created, LastChanged: r.lastChanged, LastAccessed: r.meta.lastAccessed,
		DeletedDate: r.meta.deletedDate, DeleteAt: r.meta.deleteAt,
		RotationEnabled: r.meta.rotation.enabled, RotationLambdaARN: r.meta.rotation.lambdaARN, RotationRules: r.meta.rotation.rules.clone(),
		LastRotated: r.meta.rotation.lastRotated, RotationConfigured: r.meta.rotation.configured, Labels: map[string]string{},
		PrimaryRegion: r.meta.primary, ReplicationStatus: slices.Clone(r.meta.replicas),
	}
	for l, id := range r.secret.AllLabels() {
		s.Labels[string(l)] = string(id)
	}
	return s
}

// versionSnapshot returns the state of v, a version of r.
func (r *record) versionSnapshot(v version.Version) VersionSnapshot {
	vs := VersionSnapshot{VersionId: string(v.ID()), Created: v.Created(), LastAccessed: r.meta.accessed[v.ID()], KmsKeyId: v.KMSKey()}
	if text, ok := v.SecretString(); ok {
		vs.SecretString = &text
	}
	if b, ok := v.SecretBinary(); ok {
		vs.SecretBinary = append([]byte{}, b...) // non-nil even when empty: still a value
	}
	return vs
}

// Load returns a store holding the secrets of the JSON snapshot r, made by
// [Store.Save], with the given options. A snapshot that is truncated, not
// of this format, has unknown members, or holds a secret that breaks any
// rule a store keeps (names, ARNs, labels, versions) is refused whole with
// an error naming the fault; nothing is loaded.
func Load(r io.Reader, opts ...Option) (*Store, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var snap Snapshot
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("store: loading snapshot: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("store: loading snapshot: data after the snapshot")
	}
	if snap.Format != snapshotFormat {
		return nil, fmt.Errorf("store: loading snapshot: format %d, want %d", snap.Format, snapshotFormat)
	}
	st := New(opts...)
	for i, s := range snap.Secrets {
		if err := st.Import(s); err != nil {
			return nil, fmt.Errorf("store: loading snapshot: secret %d: %w", i, err)
		}
	}
	if err := st.settle(); err != nil {
		return nil, fmt.Errorf("store: loading snapshot: replicas: %w", err)
	}
	return st, nil
}

// Import adds the secret of a snapshot to the store (and commits it to
// the store's backend, if it has one). It fails, changing nothing, when the
// snapshot breaks a rule of the store, its name is taken, or the backend
// refuses it.
func (st *Store) Import(s SecretSnapshot) error {
	r, err := st.fromSnapshot(s)
	if err != nil {
		return err
	}
	r.touched, r.pruned = r.secret.VersionIDs(), r.secret.PrunedIDs()
	home, err := st.home(s)
	if err != nil {
		return err
	}
	taken, err := home.add("Import", s.Name, r)
	if err != nil {
		return err
	}
	if taken != nil {
		return fmt.Errorf("secret %q: the name is taken", s.Name)
	}
	return nil
}

// Open returns a store holding the secrets backend keeps, with the given
// options, that commits every change to backend before it answers (see
// [Backend]). A stored secret that breaks any rule a store keeps is
// refused, as [Load] refuses it, and Open fails with an error naming it.
//
// Open checks and builds the secrets on every core while the backend
// reads: its cost is that of the slower of the two.
func Open(backend Backend, opts ...Option) (*Store, error) {
	st := New(opts...)
	type stored struct {
		s   SecretSnapshot
		rev Revision
	}
	const batch = 256 // secrets a worker takes at once
	work := make(chan []stored, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var failure atomic.Pointer[error] // the first secret refused
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range work {
				for _, x := range b {
					if failure.Load() != nil {
						break
					}
					if err := st.put(x.s, x.rev); err != nil {
						err = fmt.Errorf("store: opening: %w", err)
						failure.CompareAndSwap(nil, &err)
					}
				}
			}
		})
	}
	next := make([]stored, 0, batch)
	err := backend.Load(func(s SecretSnapshot, rev Revision) error {
		if failure.Load() != nil {
			return errors.New("store: opening: stopped") // the workers' error is the one returned
		}
		if next = append(next, stored{s, rev}); len(next) == batch {
			work <- next
			next = make([]stored, 0, batch)
		}
		return nil
	})
	work <- next
	close(work)
	wg.Wait()
	if e := failure.Load(); e != nil {
		return nil, *e
	}
	if err != nil {
		return nil, err
	}
	st.backend = backend
	if f, ok := backend.(Follower); ok {
		st.follower = f
		f.Follow(st.follow)
	}
	if !st.replicated.Load() {
		return st, nil // nothing to settle: no walk over every secret
	}
	if err := st.settle(); err != nil {
		return nil, fmt.Errorf("store: opening: replicas: %w", err)
	}
	return st, nil
}

// put adds the secret of snapshot s, at revision rev of the backend, to a
// store that has no backend yet.
func (st *Store) put(s SecretSnapshot, rev Revision) error {
	r, err := st.fromSnapshot(s)
	if err != nil {
		return err
	}
	r.rev = rev
	if r.meta.primary != "" || len(r.meta.replicas) > 0 {
		st.replicated.Store(true)
	}
	home, err := st.home(s)
	if err != nil {
		return err
	}
	sl := &slot{}
	sl.rec.Store(r)
	if _, taken := home.names.LoadOrStore(s.Name, sl); taken {
		return fmt.Errorf("secret %q stored twice", s.Name)
	}
	return nil
}

// plainlyValid reports, at a fraction of Validate's cost (a load checks
// every version of every secret), that v keeps the constraints of
// UpdateSecretInput's tags on a version's members: a value of 1 to 65,536
// bytes, text that is UTF-8, a KMS key of at most 2,048 bytes (so
// characters) of UTF-8. When it does not, Validate says which it breaks.
func plainlyValid(v VersionSnapshot) bool {
	n := len(v.SecretBinary)
	if v.SecretString != nil {
		n = len(*v.SecretString)
	}
	return (v.SecretString == nil && v.SecretBinary == nil || 1 <= n && n <= 65536) &&
		(v.SecretString == nil || utf8.ValidString(*v.SecretString)) &&
		len(v.KmsKeyId) <= 2048 && utf8.ValidString(v.KmsKeyId)
}

// plainlyValidHeader reports, at a fraction of Validate's cost, that s
// keeps the constraints of CreateSecretInput's tags on the members a load
// checks with it: a name of 1 to 512 bytes, a description and a KMS key of
// at most 2,048, tag keys of 1 to 128 and values of at most 256 (bytes
// bounding characters), all UTF-8. When it does not, Validate says which
// it breaks.
func plainlyValidHeader(s SecretSnapshot) bool {
	text := func(v string, lo, hi int) bool { return lo <= len(v) && len(v) <= hi && utf8.ValidString(v) }
	if !text(s.Name, 1, 512) || !text(s.Description, 0, 2048) || !text(s.KmsKeyId, 0, 2048) {
		return false
	}
	for _, t := range s.Tags {
		if !text(t.Key, 1, 128) || !text(t.Value, 0, 256) {
			return false
		}
	}
	return true
}

// fromSnapshot checks a snapshot and builds its record.
func (st *Store) fromSnapshot(s SecretSnapshot) (*record, error) {
	// A snapshot holds nothing the operations would refuse: its members are
	// validated as the operations that set them validate them. But for the
	// rotation function and schedule, which emulators before the service
	// model's constraints kept unchecked: a state they saved still loads,
	// with these as it holds them [M].
	const op = "Import"
	var days *RotationRules
	if s.RotationRules != nil {
		days = &RotationRules{AutomaticallyAfterDays: s.RotationRules.AutomaticallyAfterDays}
	}
	var err error
	if !plainlyValidHeader(s) { // then Validate words what is wrong
		err = Validate(op, CreateSecretInput{Name: s.Name, Description: s.Description, KmsKeyId: s.KmsKeyId, Tags: s.Tags}, nil)
	}
	if days != nil {
		err = errors.Join(err, Validate(op, RotateSecretInput{SecretId: s.Name, RotationRules: days}, nil))
	}
	if err == nil {
		err = errors.Join(nameChars(op, s.Name), ownKeys(op, tagKeys(s.Tags)))
	}
	if err == nil && s.ResourcePolicy != "" {
		err = errors.Join(Validate(op, PutResourcePolicyInput{SecretId: s.Name, ResourcePolicy: s.ResourcePolicy}, nil), checkPolicy(op, s.ResourcePolicy))
	}
	if err == nil && !wellFormedARN(s.ARN, s.Name) {
		err = fmt.Errorf("ARN %q is not arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>", s.ARN)
	}
	if err == nil {
		err = checkReplication(s, regionOf(s.ARN))
	}
	var tags []Tag
	if err == nil {
		tags, err = withTags(op, nil, s.Tags)
	}
	if err == nil && len(tags) != len(s.Tags) {
		err = errors.New("a tag key given twice")
	}
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", s.Name, err)
	}
	vs := make([]version.Version, 0, len(s.Versions))
	var accessed map[version.ID]time.Time // made when needed: most secrets have none
	for _, v := range s.Versions {
		var opt version.Option
		switch {
		case v.SecretString != nil && v.SecretBinary != nil:
			return nil, fmt.Errorf("secret %q: version %s has both SecretString and SecretBinary", s.Name, v.VersionId)
		case v.SecretString != nil:
			opt = version.WithString(*v.SecretString)
		case v.SecretBinary != nil:
			opt = version.WithBinary(v.SecretBinary)
		}
		if !plainlyValid(v) { // then Validate words what is wrong
			err := Validate(op, UpdateSecretInput{SecretId: s.Name, KmsKeyId: &v.KmsKeyId, SecretString: v.SecretString, SecretBinary: v.SecretBinary}, nil)
			if err != nil {
				return nil, fmt.Errorf("secret %q: version %s: %w", s.Name, v.VersionId, err)
			}
		}
		vs = append(vs, version.New(version.ID(v.VersionId), opt, version.WithCreated(v.Created), version.WithKMSKey(v.KmsKeyId)))
		if !v.LastAccessed.IsZero() {
			if accessed == nil {
				accessed = map[version.ID]time.Time{}
			}
			accessed[version.ID(v.VersionId)] = v.LastAccessed
		}
	}
	labels := make(map[stage.Label]version.ID, len(s.Labels))
	for l, id := range s.Labels {
		labels[stage.Label(l)] = version.ID(id)
	}
	pruned := make([]version.ID, len(s.Pruned))
	for i, id := range s.Pruned {
		pruned[i] = version.ID(id)
	}
	sec, err := secret.Assemble(s.Name, vs, labels, pruned)
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", s.Name, err)
	}
	if s.DeleteAt.IsZero() != s.DeletedDate.IsZero() {
		return nil, fmt.Errorf("secret %q: DeletedDate and DeleteAt must be given together", s.Name)
	}
	var replicas []ReplicationStatus // nil when none
	if len(s.ReplicationStatus) > 0 {
		replicas = slices.Clone(s.ReplicationStatus)
	}
	r := &record{secret: sec.WithARN(s.ARN), lastChanged: s.LastChanged, meta: &meta{
		description: s.Description, kmsKey: s.KmsKeyId, tags: tags, policy: s.ResourcePolicy, created: s.Created, lastAccessed: s.LastAccessed, accessed: accessed,
		deletedDate: s.DeletedDate, deleteAt: s.DeleteAt,
		rotation: rotation{enabled: s.RotationEnabled, lambdaARN: s.RotationLambdaARN, lastRotated: s.LastRotated,
			configured: s.RotationConfigured}.withRules(s.RotationRules),
		primary: s.PrimaryRegion, replicas: replicas,
	}}
	return r, nil
}
