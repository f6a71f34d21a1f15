package boltstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // zones with names, wherever the test runs

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel/store"
)

// sameTime compares times as the decoder promises to keep them: the same
// instant and offset, in the location JSON would give (see expectLoc).
var sameTime = cmp.Comparer(func(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	return a.Equal(b) && ao == bo && locKind(a) == locKind(b)
})

// exactBytes tells nil from empty.
var exactBytes = cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) })

// locKind names the location of t: UTC, Local, or a fixed zone's name.
func locKind(t time.Time) string {
	switch t.Location() {
	case time.UTC:
		return "UTC"
	case time.Local:
		return "Local"
	}
	name, _ := t.Zone()
	return "fixed:" + name
}

// expectLoc returns t in the location a JSON round trip gives it: UTC for
// offset 0, Local when Local has the offset at that instant, else a zone
// of that offset without a name.
func expectLoc(t time.Time) time.Time {
	_, offset := t.Zone()
	if offset == 0 {
		return t.UTC()
	}
	if _, local := t.Local().Zone(); local == offset {
		return t.Local()
	}
	return t.In(time.FixedZone("", offset))
}

var zones = func() []*time.Location {
	locs := []*time.Location{time.UTC, time.Local, time.FixedZone("", 3600), time.FixedZone("EST", -5*3600), time.FixedZone("odd", 5*3600+1799)}
	for _, name := range []string{"America/New_York", "Asia/Kolkata", "Europe/London", "Australia/Lord_Howe"} {
		if loc, err := time.LoadLocation(name); err == nil {
			locs = append(locs, loc)
		}
	}
	return locs
}()

// drawTime draws a time anywhere time.Time goes, with nanoseconds, in one
// of several zones (a monotonic reading too, sometimes).
func drawTime(t *rapid.T, label string) time.Time {
	switch rapid.IntRange(0, 5).Draw(t, label+" kind") {
	case 0:
		return time.Time{}
	case 1:
		return time.Now() // with a monotonic reading, which is not kept
	case 2:
		sec := rapid.Int64().Draw(t, label+" any second")
		return time.Unix(sec, rapid.Int64Range(0, 1e9-1).Draw(t, label+" ns")).In(zones[rapid.IntRange(0, len(zones)-1).Draw(t, label+" zone")])
	}
	sec := rapid.Int64Range(-70e9, 260e9).Draw(t, label+" second") // year -250 to 10,000
	return time.Unix(sec, rapid.Int64Range(0, 1e9-1).Draw(t, label+" ns")).In(zones[rapid.IntRange(0, len(zones)-1).Draw(t, label+" zone")])
}

// drawText draws any string: valid UTF-8 mostly, any bytes sometimes.
func drawText(t *rapid.T, label string) string {
	if rapid.Bool().Draw(t, label+" bytes") {
		return string(rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, label))
	}
	return rapid.StringN(0, 20, -1).Draw(t, label)
}

func drawSecret(t *rapid.T) store.SecretSnapshot {
	s := store.SecretSnapshot{
		Name: "n" + drawText(t, "name"), ARN: drawText(t, "arn"), Description: drawText(t, "description"), ResourcePolicy: drawText(t, "policy"),
		KmsKeyId: drawText(t, "kms key"), Created: drawTime(t, "created"), LastChanged: drawTime(t, "changed"), LastAccessed: drawTime(t, "accessed"),
		DeletedDate: drawTime(t, "deleted"), DeleteAt: drawTime(t, "delete at"), LastRotated: drawTime(t, "rotated"),
		RotationConfigured: drawTime(t, "configured"),
		RotationEnabled:    rapid.Bool().Draw(t, "rotation"), RotationLambdaARN: drawText(t, "lambda"), Labels: map[string]string{},
	}
	if rapid.Bool().Draw(t, "rules") {
		s.RotationRules = &store.RotationRules{Duration: drawText(t, "duration"), ScheduleExpression: drawText(t, "schedule")}
		if rapid.Bool().Draw(t, "days") {
			days := rapid.Int64().Draw(t, "days")
			s.RotationRules.AutomaticallyAfterDays = &days
		}
	}
	if rapid.Bool().Draw(t, "tags") {
		s.Tags = []store.Tag{} // present, maybe empty: in the order given
		for range rapid.IntRange(0, 4).Draw(t, "tag count") {
			s.Tags = append(s.Tags, store.Tag{Key: drawText(t, "tag key"), Value: drawText(t, "tag value")})
		}
	}
	for range rapid.IntRange(0, 4).Draw(t, "label count") {
		s.Labels[drawText(t, "label")] = drawText(t, "label version")
	}
	switch rapid.IntRange(0, 2).Draw(t, "replication") {
	case 1:
		s.PrimaryRegion = "p" + drawText(t, "primary region")
	case 2:
		for range rapid.IntRange(1, 3).Draw(t, "replica count") {
			s.ReplicationStatus = append(s.ReplicationStatus, store.ReplicationStatus{Region: drawText(t, "replica region"),
				KmsKeyId: drawText(t, "replica key"), Status: drawText(t, "replica status"), StatusMessage: drawText(t, "replica message")})
		}
	}
	return s
}

func drawVersion(t *rapid.T) store.VersionSnapshot {
	v := store.VersionSnapshot{VersionId: "v" + drawText(t, "id"), Created: drawTime(t, "version created"), LastAccessed: drawTime(t, "version accessed"),
		KmsKeyId: drawText(t, "version kms key")}
	if rapid.Bool().Draw(t, "string") {
		text := drawText(t, "text")
		v.SecretString = &text
	}
	if rapid.Bool().Draw(t, "binary") {
		v.SecretBinary = rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, "binary") // may be empty, never nil
	}
	return v
}

// expectSecret returns s with its times as decoding gives them back.
func expectSecret(s store.SecretSnapshot) store.SecretSnapshot {
	for _, t := range []*time.Time{&s.Created, &s.LastChanged, &s.LastAccessed, &s.DeletedDate, &s.DeleteAt, &s.LastRotated, &s.RotationConfigured} {
		*t = expectLoc(*t)
	}
	return s
}

// expectVersion returns v with its times as decoding gives them back.
func expectVersion(v store.VersionSnapshot) store.VersionSnapshot {
	v.Created, v.LastAccessed = expectLoc(v.Created), expectLoc(v.LastAccessed)
	return v
}

// TestHeaderRoundTrip checks that a header record gives back what was
// encoded, whatever the snapshot holds.
func TestHeaderRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := drawSecret(t)
		rev := store.Revision(rapid.Uint64Min(1).Draw(t, "revision"))
		next := rapid.Uint64().Draw(t, "next")
		var d decoder
		var got store.SecretSnapshot
		gotRev, gotNext, err := d.header([]byte(want.Name), appendHeader(nil, &want, rev, next), &got)
		if err != nil {
			t.Fatalf("header() error: %v", err)
		}
		if gotRev != rev || gotNext != next {
			t.Errorf("header() = revision %d, next %d; want %d, %d", gotRev, gotNext, rev, next)
		}
		if diff := cmp.Diff(expectSecret(want), got, sameTime, exactBytes); diff != "" {
			t.Errorf("header() mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestVersionRoundTrip checks that a version record gives back what was
// encoded: nil told from empty, both values when both are given.
func TestVersionRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := drawVersion(t)
		place := rapid.Uint64().Draw(t, "place")
		var d decoder
		var got store.VersionSnapshot
		var text string
		gotPlace, pruned, err := d.version([]byte(want.VersionId), appendVersion(nil, &want, place), &got, &text)
		if err != nil || pruned || gotPlace != place {
			t.Fatalf("version() = %d, %t, %v; want %d, false, nil", gotPlace, pruned, err, place)
		}
		if diff := cmp.Diff(expectVersion(want), got, sameTime, exactBytes); diff != "" {
			t.Errorf("version() mismatch (-want +got):\n%s", diff)
		}

		gotPlace, pruned, err = d.version([]byte(want.VersionId), appendPruned(nil, place), &got, &text)
		if err != nil || !pruned || gotPlace != place || got.VersionId != want.VersionId {
			t.Errorf("version(tombstone) = %d, %t, %v, id %q; want %d, true, nil, id %q", gotPlace, pruned, err, got.VersionId, place, want.VersionId)
		}
	})
}

// TestTimeLikeJSON checks that a time comes back as a JSON round trip
// gives it back (location included), wherever JSON can write it.
func TestTimeLikeJSON(t *testing.T) {
	jsonTime := rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(-62135596800, 253402300799).Draw(t, "second") // years 1 to 9999
		zone := zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
		return time.Unix(sec, rapid.Int64Range(0, 1e9-1).Draw(t, "ns")).In(zone)
	}).Filter(func(t time.Time) bool {
		_, offset := t.Zone()
		return offset%60 == 0 // JSON keeps whole minutes only
	})
	rapid.Check(t, func(t *rapid.T) {
		in := jsonTime.Draw(t, "time")
		js, err := json.Marshal(in)
		if err != nil {
			t.Skip(err) // a zone that pushes the year out of range
		}
		var viaJSON time.Time
		if err := json.Unmarshal(js, &viaJSON); err != nil {
			t.Fatal(err)
		}
		d := decoder{}
		d.reset(nil, appendTime(nil, in))
		got := d.time()
		if err := d.result(); err != nil {
			t.Fatal(err)
		}
		if !sameTimeAs(got, viaJSON) {
			t.Errorf("time %v decoded as %v (%s), JSON gives %v (%s)", in, got, locKind(got), viaJSON, locKind(viaJSON))
		}
	})
}

func sameTimeAs(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && ao == bo && an == bn && locKind(a) == locKind(b)
}

// TestDecodeCorrupt checks that records cut short, lengthened or changed
// are refused, never decoded as something else and never a panic.
func TestDecodeCorrupt(t *testing.T) {
	s := store.SecretSnapshot{Name: "n", ARN: "arn", Tags: []store.Tag{{Key: "k", Value: "v"}}, Labels: map[string]string{"AWSCURRENT": "v1"},
		RotationRules: &store.RotationRules{Duration: "2h"}, Created: time.Unix(1e9, 5).In(time.FixedZone("", 3600))}
	text := "value"
	v := store.VersionSnapshot{VersionId: "v1", SecretString: &text, Created: time.Unix(1e9, 0)}
	header, version := appendHeader(nil, &s, 7, 2), appendVersion(nil, &v, 1)
	tests := []struct {
		name   string
		header bool // a header record, else a version record
		rec    []byte
	}{
		{"empty header", true, nil},
		{"header of another format", true, append([]byte{2}, header[1:]...)},
		{"header with unknown flags", true, append([]byte{1, 0x80}, header[2:]...)},
		{"header with days but no rules", true, append([]byte{1, daysPresent}, header[2:]...)},
		{"header of revision 0", true, appendHeader(nil, &s, 0, 0)},
		{"header with a byte after it", true, append(bytes.Clone(header), 0)},
		{"header with a huge count", true, func() []byte {
			b := appendHeader(nil, &store.SecretSnapshot{}, 1, 0) // ends with the count of labels, 0
			return append(b[:len(b)-1], 0xff, 0xff, 0xff, 0x0f)
		}()},
		{"empty version", false, nil},
		{"version of another format", false, append([]byte{0}, version[1:]...)},
		{"version of an unknown kind", false, []byte{1, 0, 8}},
		{"tombstone with a value", false, []byte{1, 0, isPruned | hasString, 0}},
		{"tombstone with a byte after it", false, []byte{1, 0, isPruned, 0}},
		{"version with a nanosecond too many", false, func() []byte {
			b := []byte{1, 0, 0}
			b = append(b, 0)                            // seconds
			b = append(b, 0x80, 0x94, 0xeb, 0xdc, 0x03) // 1e9 nanoseconds
			b = append(b, 0)                            // offset
			return appendTime(b, time.Time{})
		}()},
		{"version with an offset past int32", false, func() []byte {
			b := []byte{1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x3f}
			return appendTime(b, time.Time{})
		}()},
		{"version with a varint too long", false, []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0}},
	}
	for cut := range header {
		tests = append(tests, struct {
			name   string
			header bool
			rec    []byte
		}{"header cut short", true, header[:cut]})
	}
	for cut := range version {
		tests = append(tests, struct {
			name   string
			header bool
			rec    []byte
		}{"version cut short", false, version[:cut]})
	}
	for _, tt := range tests {
		var d decoder
		var err error
		if tt.header {
			_, _, err = d.header([]byte("n"), tt.rec, &store.SecretSnapshot{})
		} else {
			_, _, err = d.version([]byte("v1"), tt.rec, &store.VersionSnapshot{}, new(string))
		}
		if !errors.Is(err, errCorrupt) {
			t.Errorf("%s (% x): got %v, want errCorrupt", tt.name, tt.rec, err)
		}
	}
}

// FuzzDecode decodes any bytes as a header record, a version record and
// their prefixes: never a panic, and what decodes encodes to a record that
// decodes to the same again.
func FuzzDecode(f *testing.F) {
	text := "value"
	s := store.SecretSnapshot{Name: "n", ARN: "arn", Tags: []store.Tag{{Key: "k"}}, Labels: map[string]string{"AWSCURRENT": "v1"},
		RotationRules: &store.RotationRules{}, Created: time.Unix(1e9, 5).In(time.FixedZone("", 3600))}
	f.Add(appendHeader(nil, &s, 3, 1))
	f.Add(appendVersion(nil, &store.VersionSnapshot{VersionId: "v1", SecretString: &text, SecretBinary: []byte{}, Created: time.Now()}, 4))
	f.Add(appendPruned(nil, 9))
	f.Fuzz(func(t *testing.T, rec []byte) {
		stored(rec)
		place(rec)
		var d decoder
		var s store.SecretSnapshot
		if rev, next, err := d.header([]byte("n"), rec, &s); err == nil {
			var again store.SecretSnapshot
			if _, _, err := d.header([]byte("n"), appendHeader(nil, &s, rev, next), &again); err != nil {
				t.Fatalf("header decoded, encoded again, does not decode: %v", err)
			}
			if diff := cmp.Diff(s, again, sameTime, exactBytes); diff != "" {
				t.Errorf("header decoded twice mismatch (-first +second):\n%s", diff)
			}
		}
		var v store.VersionSnapshot
		if p, pruned, err := d.version([]byte("v"), rec, &v, new(string)); err == nil && !pruned {
			var again store.VersionSnapshot
			if _, _, err := d.version([]byte("v"), appendVersion(nil, &v, p), &again, new(string)); err != nil {
				t.Fatalf("version decoded, encoded again, does not decode: %v", err)
			}
			if diff := cmp.Diff(v, again, sameTime, exactBytes); diff != "" {
				t.Errorf("version decoded twice mismatch (-first +second):\n%s", diff)
			}
		}
	})
}

// BenchmarkDecode compares decoding a secret of one version from JSON, as
// a store's snapshot holds it, with decoding its records, which is why
// records are binary.
func BenchmarkDecode(b *testing.B) {
	text := "a value of 20 bytes."
	at := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	v := store.VersionSnapshot{VersionId: "0000abcd-0000-4000-8000-000000000000", SecretString: &text, Created: at}
	s := store.SecretSnapshot{Name: "s0000001", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s0000001-abcdef",
		Created: at, LastChanged: at, Labels: map[string]string{"AWSCURRENT": v.VersionId}, Versions: []store.VersionSnapshot{v}}
	b.Run("json", func(b *testing.B) {
		js, err := json.Marshal(s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			var got store.SecretSnapshot
			if err := json.Unmarshal(js, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		header, version := appendHeader(nil, &s, 1, 1), appendVersion(nil, &v, 0)
		name, id := []byte(s.Name), []byte(v.VersionId)
		var d decoder
		b.ReportAllocs()
		for b.Loop() {
			var got store.SecretSnapshot
			if _, _, err := d.header(name, header, &got); err != nil {
				b.Fatal(err)
			}
			got.Versions = make([]store.VersionSnapshot, 1)
			if _, _, err := d.version(id, version, &got.Versions[0], new(string)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
