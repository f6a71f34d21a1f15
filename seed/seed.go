// Package seed reads seed files, the secrets an emulator or a test starts
// with, and adds them to a [store.Store].
//
// # Format
//
// A seed file is one JSON object. Its members are named as the members
// of CreateSecret and PutSecretValue are in the AWS API reference:
//
//	{
//	  "Secrets": [
//	    {"Name": "prod/db", "SecretString": "{\"user\":\"app\",\"password\":\"s3cret\"}",
//	     "Description": "the app's database", "Tags": [{"Key": "team", "Value": "payments"}]},
//	    {"Name": "prod/tls-key", "SecretBinary": "AAECAwQ="},
//	    {"Name": "prod/api-key", "Region": "eu-west-1", "Account": "111122223333",
//	     "Versions": [
//	       {"SecretString": "old", "VersionStages": ["AWSPREVIOUS"]},
//	       {"VersionId": "b3c1e0a2-0000-4000-8000-000000000002", "SecretString": "new", "VersionStages": ["AWSCURRENT"]},
//	       {"SecretString": "next", "VersionStages": ["AWSPENDING"]}
//	     ]}
//	  ]
//	}
//
// Each secret has a Name and, optionally:
//
//   - SecretString, or SecretBinary (base64, as the AWS CLI and SDKs send
//     it): its value, a first version that carries AWSCURRENT. Neither:
//     a secret without a version, as CreateSecret makes one.
//   - Versions, in place of a value: its versions, oldest first, each with
//     SecretString or SecretBinary, VersionStages (its labels; none for a
//     deprecated version) and a VersionId (32 to 64 characters; left out,
//     one derived from the secret's namespace, name and the version's
//     place, the same at every start). Exactly one version carries
//     AWSCURRENT, and a label is on one version at most.
//   - Description, KmsKeyId and Tags, as CreateSecret takes them.
//   - Region and Account: its namespace; left out, the store's.
//
// A member the format does not know is an error, as is any rule of
// Secrets Manager the secret breaks (a name's characters, a tag key
// beginning with "aws:", lengths), reported with the secret's place in
// the file.
//
// # Applying
//
// [Apply] adds a file's secrets to a store, each as one change, each
// created now. A secret the store holds already, by its name in its
// namespace (scheduled for deletion or not), is left as it is: a file is
// applied at every start of an emulator whose state it seeded, and never
// undoes a change made since. A file is applied whole or, when a secret
// of it breaks a rule, not at all.
package seed

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/store"
)

// File is a seed file: the secrets it holds, in its order.
type File struct {
	Secrets []Secret
}

// Secret is one secret of a seed file (see the package's doc for each
// member). It holds secret material: its String and Format print none.
type Secret struct {
	Name         string
	Region       string      `json:",omitempty"`
	Account      string      `json:",omitempty"`
	Description  string      `json:",omitempty"`
	KmsKeyId     string      `json:",omitempty"`
	Tags         []store.Tag `json:",omitempty"`
	SecretString *string     `json:",omitempty"`
	SecretBinary []byte      `json:",omitempty"`
	Versions     []Version   `json:",omitempty"`
}

// Version is one version of a [Secret]. It holds secret material: its
// String and Format print none.
type Version struct {
	VersionId     string   `json:",omitempty"`
	SecretString  *string  `json:",omitempty"`
	SecretBinary  []byte   `json:",omitempty"`
	VersionStages []string `json:",omitempty"`
}

// String returns the secret's name, namespace and versions, without
// values.
func (s Secret) String() string {
	return fmt.Sprintf("{Name:%s Region:%s Account:%s Versions:%v}", s.Name, s.Region, s.Account, s.versions())
}

// Format makes every fmt verb print s as [Secret.String] does.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), s.String()) }

// String returns the version's id and labels, without its value.
func (v Version) String() string {
	return fmt.Sprintf("{VersionId:%s VersionStages:%v}", v.VersionId, v.VersionStages)
}

// Format makes every fmt verb print v as [Version.String] does.
func (v Version) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v.String())
}

// versions returns the secret's versions: Versions, or the one its value
// makes, or none.
func (s Secret) versions() []Version {
	if len(s.Versions) == 0 && (s.SecretString != nil || s.SecretBinary != nil) {
		return []Version{{SecretString: s.SecretString, SecretBinary: s.SecretBinary, VersionStages: []string{string(stage.Current)}}}
	}
	return s.Versions
}

// ReadFile reads the seed file at path, as [Read] does; an error names
// the path.
func ReadFile(path string) (File, error) {
	file, err := os.Open(path)
	if err != nil {
		return File{}, err // names the path
	}
	defer file.Close()
	f, err := Read(file)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Read reads a seed file and checks its shape: each secret named, with
// one value or versions, each version with one value, one version
// carrying AWSCURRENT, each label on one version at most, Region and
// Account shaped as AWS's (such as "eu-west-1"; 12 digits). An error
// names the line and column, or the secret, at fault. Read does not
// check what only a store does (a name's characters, lengths): [Apply]
// does.
func Read(r io.Reader) (File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return File{}, fmt.Errorf("seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		offset := dec.InputOffset()
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			offset = syntax.Offset
		case errors.As(err, &typ):
			offset = typ.Offset
		case errors.Is(err, io.EOF):
			return File{}, errors.New("seed: the file is empty: want a JSON object such as {\"Secrets\": []}")
		}
		return File{}, fmt.Errorf("seed: %s: %v", position(data, offset), strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return File{}, fmt.Errorf("seed: %s: more after the file's object", position(data, dec.InputOffset()))
	}
	for i, s := range f.Secrets {
		if err := s.check(); err != nil {
			return File{}, fmt.Errorf("seed: %s: %w", place(i, s), err)
		}
	}
	return f, nil
}

// position returns "line L, column C" (from 1, C in bytes) of the last of
// the first offset bytes of data, where encoding/json found an error.
func position(data []byte, offset int64) string {
	before := data[:min(max(offset, 1), int64(len(data)))]
	line := bytes.Count(before, []byte("\n")) + 1
	return fmt.Sprintf("line %d, column %d", line, max(len(before)-bytes.LastIndexByte(before, '\n')-1, 1))
}

// place names secret s, the i-th of a file, in an error.
func place(i int, s Secret) string {
	if s.Name == "" {
		return fmt.Sprintf("secret %d", i+1)
	}
	return fmt.Sprintf("secret %d (%q)", i+1, s.Name)
}

// check checks the shape of s (see [Read]).
func (s Secret) check() error {
	switch {
	case s.Name == "":
		return errors.New("no Name")
	case s.Region != "" && !sigv4.IsRegion(s.Region):
		return fmt.Errorf("member Region %q: want such a name as eu-west-1", s.Region)
	case s.Account != "" && !sigv4.IsAccount(s.Account):
		return fmt.Errorf("member Account %q: want 12 digits", s.Account)
	case s.SecretString != nil && s.SecretBinary != nil:
		return errors.New("both SecretString and SecretBinary: give one")
	case len(s.Versions) > 0 && (s.SecretString != nil || s.SecretBinary != nil):
		return errors.New("both a value and Versions: give the value as a version")
	}
	holder := map[string]int{} // label → version, from 1
	ids := map[string]int{}
	for i, v := range s.Versions {
		switch {
		case v.SecretString == nil && v.SecretBinary == nil:
			return fmt.Errorf("version %d: no SecretString or SecretBinary", i+1)
		case v.SecretString != nil && v.SecretBinary != nil:
			return fmt.Errorf("version %d: both SecretString and SecretBinary: give one", i+1)
		}
		if v.VersionId != "" {
			if j, ok := ids[v.VersionId]; ok {
				return fmt.Errorf("versions %d and %d: one VersionId, %s", j, i+1, v.VersionId)
			}
			ids[v.VersionId] = i + 1
		}
		for _, l := range v.VersionStages {
			if j, ok := holder[l]; ok {
				return fmt.Errorf("versions %d and %d: both carry %s; a label is on one version at most", j, i+1, l)
			}
			holder[l] = i + 1
		}
	}
	if _, ok := holder[string(stage.Current)]; len(s.Versions) > 0 && !ok {
		return errors.New("no version carries AWSCURRENT: one must")
	}
	return nil
}

// Result is what [Apply] did: the ARNs of the secrets it created, and of
// those the store held already, which it left as they were, each in the
// file's order.
type Result struct {
	Created []string
	Kept    []string
}

// Apply adds the secrets of f to st, or to the store of their namespace
// beside it ([store.Store.In]), each as one change ([store.Store.Import]),
// and leaves a secret the store holds already as it is (see the package's
// doc). It first builds every secret of f in a store of its own, made
// with opts, such as st's clock and random source (store.WithClock,
// store.WithRandom; the secret's namespace replaces any store.WithRegion
// and store.WithAccount), through the operations a client would call; it adds
// none when one fails, and returns that failure, naming the secret, which
// wraps the store's *[stagelabel.Error]. A failure while adding (the
// store's backend refusing a change) leaves the secrets added before it,
// which the result lists.
func Apply(st *store.Store, f File, opts ...store.Option) (Result, error) {
	type built struct {
		home *store.Store
		snap store.SecretSnapshot
	}
	var all []built
	seen := map[string]int{} // the key of each secret → its place in f
	for i, s := range f.Secrets {
		if err := s.check(); err != nil {
			return Result{}, fmt.Errorf("seed: %s: %w", place(i, s), err)
		}
		ns := st.Namespace()
		ns.Region, ns.Account = cmp.Or(s.Region, ns.Region), cmp.Or(s.Account, ns.Account)
		home, err := st.In(ns)
		if err != nil {
			return Result{}, fmt.Errorf("seed: %s: %w", place(i, s), err)
		}
		snap, err := build(s, ns, opts)
		if err != nil {
			return Result{}, fmt.Errorf("seed: %s in %s, %s: %w", place(i, s), ns.Region, ns.Account, err)
		}
		if j, ok := seen[snap.Key()]; ok {
			return Result{}, fmt.Errorf("seed: secrets %d and %d: one name, %q, in one region and account (%s, %s)", j+1, i+1, s.Name, ns.Region, ns.Account)
		}
		seen[snap.Key()] = i
		all = append(all, built{home, snap})
	}
	var res Result
	for _, b := range all {
		d, err := b.home.DescribeSecret(store.DescribeSecretInput{SecretId: b.snap.Name})
		switch {
		case err == nil:
			res.Kept = append(res.Kept, d.ARN)
			continue
		case !errors.Is(err, stagelabel.ErrResourceNotFound):
			return res, fmt.Errorf("seed: secret %q: %w", b.snap.Name, err)
		}
		if err := b.home.Import(b.snap); err != nil {
			return res, fmt.Errorf("seed: secret %q: %w", b.snap.Name, err)
		}
		res.Created = append(res.Created, b.snap.ARN)
	}
	return res, nil
}

// build makes secret s in a store of namespace ns of its own, made with
// opts, through CreateSecret, PutSecretValue and UpdateSecretVersionStage,
// and returns its snapshot.
func build(s Secret, ns store.Namespace, opts []store.Option) (store.SecretSnapshot, error) {
	st := store.New(append(slices.Clip(opts), store.WithRegion(ns.Region), store.WithAccount(ns.Account))...)
	vs := s.versions()
	ids := make([]string, max(len(vs), 1))
	for i := range ids {
		if i < len(vs) && vs[i].VersionId != "" {
			ids[i] = vs[i].VersionId
		} else {
			ids[i] = derivedID(ns, s.Name, i)
		}
	}
	in := store.CreateSecretInput{Name: s.Name, ClientRequestToken: ids[0], Description: s.Description, KmsKeyId: s.KmsKeyId, Tags: s.Tags}
	if len(vs) > 0 {
		in.SecretString, in.SecretBinary = vs[0].SecretString, vs[0].SecretBinary
	}
	if _, err := st.CreateSecret(in); err != nil {
		return store.SecretSnapshot{}, err
	}
	if len(vs) == 0 {
		return st.Export(s.Name)
	}
	// Each later version is put with its labels (none: AWSCURRENT, as
	// PutSecretValue's default); then each label is moved where the file
	// puts it, AWSCURRENT first, since moving it moves AWSPREVIOUS, and
	// the labels the file does not give are removed.
	want := map[string]string{} // label → version id
	for i, v := range vs {
		for _, l := range v.VersionStages {
			want[l] = ids[i]
		}
		if i == 0 {
			continue
		}
		if _, err := st.PutSecretValue(store.PutSecretValueInput{SecretId: s.Name, ClientRequestToken: ids[i],
			SecretString: v.SecretString, SecretBinary: v.SecretBinary, VersionStages: v.VersionStages}); err != nil {
			return store.SecretSnapshot{}, err
		}
	}
	others := slices.DeleteFunc(slices.Sorted(maps.Keys(want)), func(l string) bool { return l == string(stage.Current) })
	for _, l := range append([]string{string(stage.Current)}, others...) {
		holder, err := holders(st, s.Name)
		if err != nil {
			return store.SecretSnapshot{}, err
		}
		if holder[l] != want[l] {
			if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: s.Name, VersionStage: l,
				RemoveFromVersionId: holder[l], MoveToVersionId: want[l]}); err != nil {
				return store.SecretSnapshot{}, err
			}
		}
	}
	holder, err := holders(st, s.Name)
	if err != nil {
		return store.SecretSnapshot{}, err
	}
	for _, l := range slices.Sorted(maps.Keys(holder)) {
		if _, ok := want[l]; ok {
			continue
		}
		if _, err := st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: s.Name, VersionStage: l, RemoveFromVersionId: holder[l]}); err != nil {
			return store.SecretSnapshot{}, err
		}
	}
	snap, err := st.Export(s.Name)
	if err != nil {
		return store.SecretSnapshot{}, err
	}
	if len(snap.Versions) != len(vs) || !maps.Equal(snap.Labels, want) {
		return store.SecretSnapshot{}, fmt.Errorf("built with %d versions and labels %v, not the file's %d and %v (Secrets Manager keeps at most 100 versions without a label)", len(snap.Versions), snap.Labels, len(vs), want)
	}
	return snap, nil
}

// holders returns the version each label of secret name is on.
func holders(st *store.Store, name string) (map[string]string, error) {
	d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: name})
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for id, ls := range d.VersionIdsToStages {
		for _, l := range ls {
			m[l] = id
		}
	}
	return m, nil
}

// derivedID returns the id of the i-th version of the secret name of
// namespace ns that a file leaves without one: shaped as a UUID (version
// 8, for ids of one's own making), from a SHA-256 of the three, so the
// same at every start.
func derivedID(ns store.Namespace, name string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "stagelabel seed\x00%s\x00%s\x00%s\x00%d", ns.Region, ns.Account, name, i))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // variant 10
	h := hex.EncodeToString(u)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
