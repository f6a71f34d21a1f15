package store_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/secret"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/store"
	"github.com/stagelabel/stagelabel/version"
)

// model is the reference for the store: a plain map of secrets, each a
// secret.Secret (whose rules package secret proves) with its ARN and
// deletion time, changed in place.
type model struct {
	now     time.Time
	secrets map[string]*msecret
}

type msecret struct {
	arn         string
	s           secret.Secret
	description string
	tags        map[string]string
	created     time.Time
	deleteAt    time.Time // zero when not scheduled
	configured  bool      // rotation was configured: RotationEnabled is shown
	enabled     bool      // rotation is on
	function    string    // the rotation function's ARN
	lastRotated time.Time
}

// find resolves a SecretId the model's way: names, full ARNs and partial
// ARNs are all kept, so the lookup is a scan.
func (m *model) find(id string) (string, *msecret) {
	for name, ms := range m.secrets {
		if !ms.deleteAt.IsZero() && !m.now.Before(ms.deleteAt) {
			delete(m.secrets, name)
			continue
		}
		partial := ms.arn[:len(ms.arn)-7]
		if id == name || id == ms.arn || (id == partial && !(len(name) >= 7 && name[len(name)-7] == '-')) {
			return name, ms
		}
	}
	return "", nil
}

// change applies f to the secret id names, as the store's value and label
// operations do, and returns the error code expected.
func (m *model) change(id string, f func(secret.Secret) (secret.Secret, error)) stagelabel.Code {
	_, ms := m.find(id)
	if ms == nil {
		return stagelabel.ErrResourceNotFound
	}
	if !ms.deleteAt.IsZero() {
		return stagelabel.ErrInvalidRequest
	}
	s, err := f(ms.s)
	if err != nil {
		return err.(*stagelabel.Error).Code
	}
	ms.s, _ = s.Prune(m.now)
	return ""
}

var (
	names   = []string{"db", "api/key", "trap-abcdef"}
	tagKeys = []string{"env", "team", "AWS:x"}
	labels  = []string{"AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "X"}
)

type machine struct {
	st *store.Store
	c  *clock
	m  *model
	// failAt is the step at which the rotation function fails, before it
	// does anything; "" for none. Set before each call that may start a
	// rotation, which the machine waits for.
	failAt string
}

// Rotation functions of the machine: one the store can invoke, one it
// cannot (no such function).
const (
	fnRotate  = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
	fnMissing = "arn:aws:lambda:us-east-1:123456789012:function:missing"
)

// rotate is the machine's rotation function: AWS's rotation template
// (SecretsManagerRotationTemplate), against the store, with a new value
// of its own and nothing to set it in, failing at sm.failAt.
func (sm *machine) rotate(_ context.Context, e store.RotationEvent) error {
	if e.Step == sm.failAt {
		return errors.New("failing at " + e.Step)
	}
	d, err := sm.st.DescribeSecret(store.DescribeSecretInput{SecretId: e.SecretId})
	if err != nil {
		return err
	}
	if d.RotationEnabled == nil || !*d.RotationEnabled {
		return errors.New("rotation is not enabled")
	}
	ls, ok := d.VersionIdsToStages[e.ClientRequestToken]
	switch {
	case !ok:
		return errors.New("the version has no stage for rotation")
	case slices.Contains(ls, "AWSCURRENT"):
		return nil // done already
	case !slices.Contains(ls, "AWSPENDING"):
		return errors.New("the version is not AWSPENDING")
	}
	switch e.Step {
	case store.StepCreate:
		if _, err := sm.st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionStage: "AWSCURRENT"}); err != nil {
			return err
		}
		_, err := sm.st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING"})
		if errors.Is(err, stagelabel.ErrResourceNotFound) {
			_, err = sm.st.PutSecretValue(store.PutSecretValueInput{SecretId: e.SecretId, ClientRequestToken: e.ClientRequestToken,
				SecretString: ptr(rotated(e.ClientRequestToken)), VersionStages: []string{"AWSPENDING"}})
		}
		return err
	case store.StepTest:
		_, err := sm.st.GetSecretValue(store.GetSecretValueInput{SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING"})
		return err
	case store.StepFinish:
		current := ""
		for id, ls := range d.VersionIdsToStages {
			if slices.Contains(ls, "AWSCURRENT") {
				current = id
			}
		}
		_, err := sm.st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: e.SecretId, VersionStage: "AWSCURRENT",
			MoveToVersionId: e.ClientRequestToken, RemoveFromVersionId: current})
		return err
	}
	return nil
}

// rotated is the value the rotation function gives version id.
func rotated(id string) string { return "rotated " + id }

// rotate applies to ms what the machine's rotation function does to the
// secret for the rotation to version id, failing at failAt.
func (m *model) rotate(ms *msecret, id version.ID, failAt string) {
	for _, step := range []string{store.StepCreate, store.StepSet, store.StepTest, store.StepFinish} {
		if step == failAt || !ms.enabled || !ms.deleteAt.IsZero() {
			return
		}
		ls := ms.s.Labels(id)
		switch {
		case len(ls) == 0:
			return
		case slices.Contains(ls, stage.Current):
			continue
		case !slices.Contains(ls, stage.Pending):
			return
		}
		switch step {
		case store.StepCreate:
			if _, err := ms.s.Get("", stage.Current); err != nil {
				return
			}
			if _, err := ms.s.Get(id, stage.Pending); err != nil {
				s, err := ms.s.Put(version.New(id, version.WithString(rotated(string(id))), version.WithCreated(m.now)), stage.Pending)
				if err != nil {
					return
				}
				ms.s, _ = s.Prune(m.now)
			}
		case store.StepTest:
			if _, err := ms.s.Get(id, stage.Pending); err != nil {
				return
			}
		case store.StepFinish:
			cur, _ := ms.s.Find(stage.Current)
			s, err := ms.s.MoveLabel(stage.Current, cur.ID(), id)
			if err != nil {
				return
			}
			ms.s, _ = s.Prune(m.now)
			ms.lastRotated = m.now
		}
	}
}

// rotateSecret applies RotateSecret to the model, rotating (immediately)
// or testing, and returns the error code expected. The rotation function
// fails at failAt.
func (m *model) rotateSecret(id, function string, token version.ID, immediately bool, failAt string) stagelabel.Code {
	_, ms := m.find(id)
	switch {
	case ms == nil:
		return stagelabel.ErrResourceNotFound
	case !ms.deleteAt.IsZero():
		return stagelabel.ErrInvalidRequest
	}
	if function == "" {
		function = ms.function
	}
	switch function {
	case "":
		return stagelabel.ErrInvalidRequest // no function (§RT5)
	case fnMissing:
		return stagelabel.ErrAccessDenied // one that cannot be invoked (§RT6)
	}
	if !immediately {
		ms.configured, ms.enabled, ms.function = true, true, function
		// The test of the configuration: a version holding AWSCURRENT's value
		// carries AWSPENDING while testSecret runs, then nothing (§RT9).
		cur, ok := ms.s.Find(stage.Current)
		if p, pending := ms.s.Find(stage.Pending); pending && p.ID() != cur.ID() || !ok || !cur.HasValue() {
			return ""
		}
		if _, exists := ms.s.Version(token); exists {
			return ""
		}
		text, _ := cur.SecretString()
		s, err := ms.s.Put(version.New(token, version.WithString(text), version.WithCreated(m.now)), stage.Pending)
		if err == nil {
			s, err = s.MoveLabel(stage.Pending, token, "")
		}
		if err == nil {
			ms.s, _ = s.Prune(m.now)
		}
		return ""
	}
	s, err := ms.s.Rotate(token, m.now)
	if err != nil {
		if e := err.(*stagelabel.Error); e.Message == "A previous rotation isn't complete. That rotation will be reattempted." {
			pending, _ := ms.s.Find(stage.Pending)
			m.rotate(ms, pending.ID(), failAt) // the rotation reattempted (§RT2)
		}
		return err.(*stagelabel.Error).Code
	}
	ms.s, _ = s.Prune(m.now)
	ms.configured, ms.enabled, ms.function = true, true, function
	m.rotate(ms, token, failAt)
	return ""
}

// secretID draws a way to name one of the secrets: its name, its ARN, its
// partial ARN.
func (sm *machine) secretID(t *rapid.T) string {
	name := rapid.SampledFrom(names).Draw(t, "name")
	ms, ok := sm.m.secrets[name]
	switch form := rapid.IntRange(0, 2).Draw(t, "form"); {
	case form == 1 && ok:
		return ms.arn
	case form == 2 && ok:
		return ms.arn[:len(ms.arn)-7]
	}
	return name
}

func token(t *rapid.T, label string) string { return tok(rapid.IntRange(1, 5).Draw(t, label)) }

// compare checks a call's error against the model's expected code.
func compare(t *rapid.T, op string, err error, want stagelabel.Code) {
	if want == "" {
		if err != nil {
			t.Fatalf("%s: %v, model succeeds", op, err)
		}
		return
	}
	var e *stagelabel.Error
	if !errors.As(err, &e) || e.Code != want {
		t.Fatalf("%s: error %v, model fails with %s", op, err, want)
	}
}

// tag applies f to the tags of the secret id names, as TagResource and
// UntagResource do with tags, and returns the error code expected.
func (m *model) tag(id string, tags []store.Tag, f func(*msecret)) stagelabel.Code {
	if slices.ContainsFunc(tags, func(t store.Tag) bool { return strings.HasPrefix(strings.ToLower(t.Key), "aws:") }) {
		return stagelabel.ErrInvalidParameter
	}
	_, ms := m.find(id)
	switch {
	case ms == nil:
		return stagelabel.ErrResourceNotFound
	case !ms.deleteAt.IsZero():
		return stagelabel.ErrInvalidRequest
	}
	f(ms)
	return ""
}

func (sm *machine) check(t *rapid.T) {
	sm.m.now = sm.c.Now()
	for _, name := range names {
		_, ms := sm.m.find(name)
		d, err := sm.st.DescribeSecret(store.DescribeSecretInput{SecretId: name})
		if ms == nil {
			compare(t, "DescribeSecret "+name, err, stagelabel.ErrResourceNotFound)
			continue
		}
		compare(t, "DescribeSecret "+name, err, "")
		want := map[string][]string{}
		for v := range ms.s.Labelled() {
			for _, l := range ms.s.Labels(v.ID()) {
				want[string(v.ID())] = append(want[string(v.ID())], string(l))
			}
		}
		if len(want) == 0 {
			want = nil
		}
		if diff := cmp.Diff(want, d.VersionIdsToStages); diff != "" || d.ARN != ms.arn || d.DeletedDate.IsZero() != ms.deleteAt.IsZero() || d.Description != ms.description {
			t.Fatalf("DescribeSecret(%s) = %+v; model %v, deleting %v:\n%s", name, d, ms.s, ms.deleteAt, diff)
		}
		var enabled *bool
		if ms.configured {
			enabled = &ms.enabled
		}
		if !cmp.Equal(d.RotationEnabled, enabled) || !d.LastRotatedDate.Equal(ms.lastRotated) || d.RotationLambdaARN != ms.function {
			t.Fatalf("DescribeSecret(%s) rotation: enabled %v, last rotated %v, function %q; model %v, %v, %q",
				name, d.RotationEnabled, d.LastRotatedDate, d.RotationLambdaARN, enabled, ms.lastRotated, ms.function)
		}
		var tags []store.Tag
		if ms.tags != nil {
			tags = []store.Tag{}
		}
		for _, k := range slices.Sorted(maps.Keys(ms.tags)) {
			tags = append(tags, store.Tag{Key: k, Value: ms.tags[k]})
		}
		if !cmp.Equal(d.Tags, tags) {
			t.Fatalf("tags of %s = %v, model %v", name, d.Tags, tags)
		}
		var ids []string
		for v := range ms.s.All() {
			ids = append(ids, string(v.ID()))
		}
		if got := versionIDs(t, sm.st, name); !slices.Equal(got, ids) {
			t.Fatalf("versions of %s = %v, model %v", name, got, ids)
		}
	}
	// ListSecrets: the live secrets, oldest first, ties by name; by name
	// on request, either way; page by page as at once.
	var live []string
	for _, name := range slices.Sorted(maps.Keys(sm.m.secrets)) {
		if sm.m.secrets[name].deleteAt.IsZero() {
			live = append(live, name)
		}
	}
	byCreated := slices.Clone(live)
	slices.SortStableFunc(byCreated, func(a, b string) int { return sm.m.secrets[a].created.Compare(sm.m.secrets[b].created) })
	byNameDesc := slices.Clone(live)
	slices.Reverse(byNameDesc)
	for _, c := range []struct {
		in   store.ListSecretsInput
		want []string
	}{
		{store.ListSecretsInput{}, byCreated},
		{store.ListSecretsInput{SortBy: store.SortByName, SortOrder: store.SortDesc}, byNameDesc},
	} {
		for _, size := range []*int32{nil, ptr[int32](1)} {
			in := c.in
			in.MaxResults = size
			if got := listed(t, sm.st, in); !slices.Equal(got, c.want) {
				t.Fatalf("ListSecrets(%+v) = %v, model %v", in, got, c.want)
			}
		}
	}
	// BatchGetSecretValue with Filters: ListSecrets' secrets, each read, or
	// an error for those without AWSCURRENT; page by page as at once.
	var read, unread []string
	for _, name := range byCreated {
		if _, err := sm.m.secrets[name].s.Get("", ""); err != nil {
			unread = append(unread, name)
		} else {
			read = append(read, name)
		}
	}
	for _, size := range []*int32{nil, ptr[int32](2)} {
		in := store.BatchGetSecretValueInput{Filters: []store.Filter{}, MaxResults: size}
		got, failed := []string{}, []string{}
		for {
			out, err := sm.st.BatchGetSecretValue(in)
			if err != nil {
				t.Fatalf("BatchGetSecretValue(%+v): %v", in, err)
			}
			for _, e := range out.SecretValues {
				got = append(got, e.Name)
			}
			for _, e := range out.Errors {
				failed = append(failed, e.SecretId)
			}
			if in.NextToken = out.NextToken; in.NextToken == "" {
				break
			}
		}
		if !slices.Equal(got, read) || !slices.Equal(failed, unread) {
			t.Fatalf("BatchGetSecretValue(Filters) = %v and errors %v, model %v and %v", got, failed, read, unread)
		}
	}
}

func TestStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sm := &machine{m: &model{secrets: map[string]*msecret{}}}
		sm.st, sm.c = newStore(store.WithInvoker(store.Functions{fnRotate: sm.rotate}))
		sm.m.now = sm.c.Now()
		t.Repeat(map[string]func(*rapid.T){
			"CreateSecret": func(t *rapid.T) {
				name := rapid.SampledFrom(append(names, "bad name")).Draw(t, "name")
				tk := token(t, "token")
				withValue := rapid.Bool().Draw(t, "withValue")
				value := rapid.SampledFrom([]string{"v", "a"}).Draw(t, "value")
				in := store.CreateSecretInput{Name: name, ClientRequestToken: tk}
				if withValue {
					in.SecretString = ptr(value)
				}
				out, err := sm.st.CreateSecret(in)
				sm.m.now = sm.c.Now()
				_, ms := sm.m.find(name)
				var want stagelabel.Code
				repeat := false // the same name, token and value again: a success that changes nothing [R]
				switch {
				case name == "bad name":
					want = stagelabel.ErrValidation
				case ms != nil && !ms.deleteAt.IsZero():
					want = stagelabel.ErrInvalidRequest
				case ms != nil:
					prior, ok := ms.s.Version(version.ID(tk))
					text, _ := prior.SecretString()
					repeat = withValue && ok && prior.HasValue() && text == value
					if !repeat {
						want = stagelabel.ErrResourceExists
					}
				}
				compare(t, "CreateSecret", err, want)
				if repeat && (out.ARN != ms.arn || out.VersionId != tk) {
					t.Fatalf("CreateSecret repeated = %+v, want ARN %s and VersionId %s", out, ms.arn, tk)
				}
				if want == "" && !repeat {
					s := secret.New(name)
					if withValue {
						s, _ = s.Put(version.New(version.ID(tk), version.WithString(value), version.WithCreated(sm.m.now)))
					}
					sm.m.secrets[name] = &msecret{arn: out.ARN, s: s, created: sm.m.now}
				}
			},
			"PutSecretValue": func(t *rapid.T) {
				id, tk := sm.secretID(t), token(t, "token")
				value := rapid.SampledFrom([]string{"a", "b"}).Draw(t, "value")
				var ls []string
				var stages []stage.Label
				if rapid.Bool().Draw(t, "stages") {
					ls = rapid.SliceOfN(rapid.SampledFrom(labels), 1, 2).Draw(t, "labels")
					for _, l := range ls {
						stages = append(stages, stage.Label(l))
					}
				}
				_, err := sm.st.PutSecretValue(store.PutSecretValueInput{SecretId: id, ClientRequestToken: tk, SecretString: &value, VersionStages: ls})
				sm.m.now = sm.c.Now()
				compare(t, "PutSecretValue", err, sm.m.change(id, func(s secret.Secret) (secret.Secret, error) {
					return s.Put(version.New(version.ID(tk), version.WithString(value), version.WithCreated(sm.m.now)), stages...)
				}))
			},
			"UpdateSecret": func(t *rapid.T) {
				id, tk := sm.secretID(t), token(t, "token")
				in := store.UpdateSecretInput{SecretId: id, ClientRequestToken: tk}
				if rapid.Bool().Draw(t, "describe") {
					in.Description = ptr(rapid.SampledFrom([]string{"", "d"}).Draw(t, "description"))
				}
				if rapid.Bool().Draw(t, "withValue") {
					in.SecretString = ptr(rapid.SampledFrom([]string{"a", "b"}).Draw(t, "value"))
				}
				_, err := sm.st.UpdateSecret(in)
				sm.m.now = sm.c.Now()
				want := sm.m.change(id, func(s secret.Secret) (secret.Secret, error) {
					if in.SecretString == nil {
						return s, nil
					}
					return s.Put(version.New(version.ID(tk), version.WithString(*in.SecretString), version.WithCreated(sm.m.now)))
				})
				compare(t, "UpdateSecret", err, want)
				if _, ms := sm.m.find(id); want == "" && in.Description != nil {
					ms.description = *in.Description
				}
			},
			"TagResource": func(t *rapid.T) {
				id := sm.secretID(t)
				var tags []store.Tag
				for range rapid.IntRange(1, 2).Draw(t, "n") {
					tags = append(tags, store.Tag{Key: rapid.SampledFrom(tagKeys).Draw(t, "key"), Value: rapid.SampledFrom([]string{"", "x"}).Draw(t, "value")})
				}
				_, err := sm.st.TagResource(store.TagResourceInput{SecretId: id, Tags: tags})
				sm.m.now = sm.c.Now()
				compare(t, "TagResource", err, sm.m.tag(id, tags, func(ms *msecret) {
					if ms.tags == nil { // tagged: Tags is sent from now on, [] once every tag is removed [R]
						ms.tags = map[string]string{}
					}
					for _, tag := range tags {
						ms.tags[tag.Key] = tag.Value
					}
				}))
			},
			"UntagResource": func(t *rapid.T) {
				id := sm.secretID(t)
				keys := rapid.SliceOfN(rapid.SampledFrom(tagKeys), 1, 2).Draw(t, "keys")
				_, err := sm.st.UntagResource(store.UntagResourceInput{SecretId: id, TagKeys: keys})
				sm.m.now = sm.c.Now()
				var tags []store.Tag
				for _, k := range keys {
					tags = append(tags, store.Tag{Key: k})
				}
				compare(t, "UntagResource", err, sm.m.tag(id, tags, func(ms *msecret) {
					for _, k := range keys {
						delete(ms.tags, k)
					}
				}))
			},
			"UpdateSecretVersionStage": func(t *rapid.T) {
				id, l := sm.secretID(t), rapid.SampledFrom(labels).Draw(t, "label")
				from, to := "", ""
				if rapid.Bool().Draw(t, "from") {
					from = token(t, "removeFrom")
				}
				if rapid.Bool().Draw(t, "to") {
					to = token(t, "moveTo")
				}
				_, err := sm.st.UpdateSecretVersionStage(store.UpdateSecretVersionStageInput{SecretId: id, VersionStage: l, RemoveFromVersionId: from, MoveToVersionId: to})
				sm.m.now = sm.c.Now()
				_, ms := sm.m.find(id)
				ends := ms != nil && l == "AWSCURRENT" && slices.Contains(ms.s.Labels(version.ID(to)), stage.Pending) && !slices.Contains(ms.s.Labels(version.ID(to)), stage.Current)
				want := sm.m.change(id, func(s secret.Secret) (secret.Secret, error) {
					return s.MoveLabel(stage.Label(l), version.ID(from), version.ID(to))
				})
				compare(t, "UpdateSecretVersionStage", err, want)
				if want == "" && ends { // AWSCURRENT onto AWSPENDING's version ends a rotation (§RT11)
					ms.lastRotated = sm.m.now
				}
			},
			"RotateSecret": func(t *rapid.T) {
				id, tk := sm.secretID(t), token(t, "token")
				function := rapid.SampledFrom([]string{"", fnRotate, fnRotate, fnMissing}).Draw(t, "function")
				immediately := rapid.IntRange(0, 3).Draw(t, "immediately") > 0
				sm.failAt = rapid.SampledFrom([]string{"", "", store.StepCreate, store.StepSet, store.StepTest, store.StepFinish}).Draw(t, "failAt")
				_, err := sm.st.RotateSecret(store.RotateSecretInput{SecretId: id, ClientRequestToken: tk, RotationLambdaARN: function, RotateImmediately: &immediately})
				sm.st.Wait()
				sm.m.now = sm.c.Now()
				compare(t, "RotateSecret", err, sm.m.rotateSecret(id, function, version.ID(tk), immediately, sm.failAt))
			},
			"GetSecretValue": func(t *rapid.T) {
				id, l, vid := sm.secretID(t), rapid.SampledFrom(append(labels, "")).Draw(t, "label"), ""
				if rapid.Bool().Draw(t, "byId") {
					vid = token(t, "versionId")
				}
				got, err := sm.st.GetSecretValue(store.GetSecretValueInput{SecretId: id, VersionId: vid, VersionStage: l})
				sm.m.now = sm.c.Now()
				var want version.Version
				compare(t, "GetSecretValue", err, sm.m.change(id, func(s secret.Secret) (secret.Secret, error) {
					var err error
					want, err = s.Get(version.ID(vid), stage.Label(l))
					return s, err
				}))
				if err == nil {
					if text, _ := want.SecretString(); got.VersionId != string(want.ID()) || *got.SecretString != text {
						t.Fatalf("GetSecretValue(%s) = %v, model %v", l, got, want)
					}
				}
			},
			"BatchGetSecretValue": func(t *rapid.T) {
				var ids []string
				for range rapid.IntRange(1, 3).Draw(t, "n") {
					ids = append(ids, rapid.OneOf(rapid.Just("bad name"), rapid.Custom(sm.secretID)).Draw(t, "id"))
				}
				got, err := sm.st.BatchGetSecretValue(store.BatchGetSecretValueInput{SecretIdList: ids})
				sm.m.now = sm.c.Now()
				compare(t, "BatchGetSecretValue", err, "")
				values, errs := got.SecretValues, got.Errors
				for _, id := range ids {
					var want version.Version
					code := stagelabel.ErrValidation // "bad name"
					if id != "bad name" {
						code = sm.m.change(id, func(s secret.Secret) (secret.Secret, error) {
							var err error
							want, err = s.Get("", "")
							return s, err
						})
					}
					if code != "" {
						if len(errs) == 0 || errs[0].SecretId != id || errs[0].ErrorCode != string(code) {
							t.Fatalf("BatchGetSecretValue(%q) = %v; model: %s fails with %s", ids, got, id, code)
						}
						errs = errs[1:]
						continue
					}
					text, _ := want.SecretString()
					if len(values) == 0 || values[0].VersionId != string(want.ID()) || *values[0].SecretString != text {
						t.Fatalf("BatchGetSecretValue(%q) = %v; model: %s reads %v", ids, got, id, want)
					}
					values = values[1:]
				}
				if len(values)+len(errs) > 0 {
					t.Fatalf("BatchGetSecretValue(%q) = %v: more than the model reads", ids, got)
				}
			},
			"CancelRotateSecret": func(t *rapid.T) {
				id := sm.secretID(t)
				_, err := sm.st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: id})
				sm.m.now = sm.c.Now()
				want := sm.m.change(id, func(s secret.Secret) (secret.Secret, error) { return s, nil })
				compare(t, "CancelRotateSecret", err, want)
				if _, ms := sm.m.find(id); want == "" {
					ms.enabled = false
				}
			},
			"DeleteSecret": func(t *rapid.T) {
				id := sm.secretID(t)
				force := rapid.Bool().Draw(t, "force")
				in := store.DeleteSecretInput{SecretId: id, ForceDeleteWithoutRecovery: force}
				if !force {
					in.RecoveryWindowInDays = ptr(int64(rapid.IntRange(7, 8).Draw(t, "days")))
				}
				_, err := sm.st.DeleteSecret(in)
				sm.m.now = sm.c.Now()
				name, ms := sm.m.find(id)
				switch {
				case ms == nil && force: // a success that changes nothing [R]
					compare(t, "DeleteSecret", err, "")
				case ms == nil:
					compare(t, "DeleteSecret", err, stagelabel.ErrResourceNotFound)
				case force:
					compare(t, "DeleteSecret", err, "")
					delete(sm.m.secrets, name)
				case !ms.deleteAt.IsZero():
					compare(t, "DeleteSecret", err, stagelabel.ErrInvalidRequest)
				default:
					compare(t, "DeleteSecret", err, "")
					ms.deleteAt = sm.m.now.Add(time.Duration(*in.RecoveryWindowInDays) * 24 * time.Hour)
				}
			},
			"RestoreSecret": func(t *rapid.T) {
				id := sm.secretID(t)
				_, err := sm.st.RestoreSecret(store.RestoreSecretInput{SecretId: id})
				sm.m.now = sm.c.Now()
				_, ms := sm.m.find(id)
				if ms == nil {
					compare(t, "RestoreSecret", err, stagelabel.ErrResourceNotFound)
					return
				}
				compare(t, "RestoreSecret", err, "")
				ms.deleteAt = time.Time{}
			},
			"Advance": func(t *rapid.T) {
				sm.c.Advance(time.Duration(rapid.IntRange(1, 8*24).Draw(t, "hours")) * time.Hour)
			},
			"": sm.check,
		})
	})
}
