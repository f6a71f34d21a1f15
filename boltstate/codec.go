package boltstate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// recordFormat is the first byte of every record: the version of the
// encoding. Decoding refuses others.
const recordFormat = 1

// Flags of a header record.
const (
	rotationEnabled = 1 << iota
	rulesPresent    // RotationRules is not nil
	daysPresent     // RotationRules.AutomaticallyAfterDays is not nil
	tagsPresent     // Tags is not nil
	headerFlags     = rotationEnabled | rulesPresent | daysPresent | tagsPresent
)

// Kinds of a version record, a set of bits.
const (
	hasString = 1 << iota
	hasBinary
	isPruned     // a tombstone: the id and place only
	versionKinds = hasString | hasBinary | isPruned
)

// year1 is the Unix time of January 1 of year 1, the zero time.Time: times
// are stored as seconds since then, so that a zero time costs one byte.
const year1 = -62135596800

// errCorrupt is the error of every decoder: the record is not one this
// encoding writes.
var errCorrupt = errors.New("corrupt record")

// appendHeader appends the header record of s (all of it but its name,
// versions and pruned ids) with revision rev.
func appendHeader(b []byte, s *store.SecretSnapshot, rev store.Revision) []byte {
	var flags byte
	if s.RotationEnabled {
		flags |= rotationEnabled
	}
	if s.RotationRules != nil {
		flags |= rulesPresent
		if s.RotationRules.AutomaticallyAfterDays != nil {
			flags |= daysPresent
		}
	}
	if s.Tags != nil {
		flags |= tagsPresent
	}
	b = append(b, recordFormat, flags)
	b = binary.AppendUvarint(b, uint64(rev))
	b = appendString(b, s.ARN)
	b = appendString(b, s.Description)
	b = appendString(b, s.ResourcePolicy)
	b = appendString(b, s.RotationLambdaARN)
	for _, t := range []time.Time{s.Created, s.LastChanged, s.LastAccessed, s.DeletedDate, s.DeleteAt, s.LastRotated} {
		b = appendTime(b, t)
	}
	if r := s.RotationRules; r != nil {
		if r.AutomaticallyAfterDays != nil {
			b = binary.AppendVarint(b, *r.AutomaticallyAfterDays)
		}
		b = appendString(b, r.Duration)
		b = appendString(b, r.ScheduleExpression)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Tags)))
	for _, t := range s.Tags {
		b = appendString(b, t.Key)
		b = appendString(b, t.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Labels)))
	for _, l := range slices.Sorted(maps.Keys(s.Labels)) {
		b = appendString(b, l)
		b = appendString(b, s.Labels[l])
	}
	return b
}

// appendVersion appends the record of version v, at place in its secret.
func appendVersion(b []byte, v *store.VersionSnapshot, place uint64) []byte {
	var kind byte
	if v.SecretString != nil {
		kind |= hasString
	}
	if v.SecretBinary != nil {
		kind |= hasBinary
	}
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, place)
	b = append(b, kind)
	if v.SecretString != nil {
		b = appendString(b, *v.SecretString)
	}
	if v.SecretBinary != nil {
		b = binary.AppendUvarint(b, uint64(len(v.SecretBinary)))
		b = append(b, v.SecretBinary...)
	}
	b = appendTime(b, v.Created)
	return appendTime(b, v.LastAccessed)
}

// appendPruned appends the record of a pruned version, at place in its
// secret: its id is the key, its value is gone.
func appendPruned(b []byte, place uint64) []byte {
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, place)
	return append(b, isPruned)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime appends t as its seconds since year 1, its nanoseconds and
// its offset from UTC in seconds; its location's name and its monotonic
// reading are not kept (see [decoder.time]).
func appendTime(b []byte, t time.Time) []byte {
	_, offset := t.Zone()
	b = binary.AppendVarint(b, t.Unix()-year1) // wraps, and wraps back in decoding, for times far out
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	return binary.AppendVarint(b, int64(offset))
}

// decoder reads one record. Its methods never panic: past an error they
// return zero values, and err keeps the first error.
type decoder struct {
	b     []byte // what is left to read
	text  string // a copy of the whole record, which strings are cut from
	off   int    // the offset of b in text
	err   error
	zones map[int]*time.Location // fixed zones by offset, shared by the times decoded
}

// reset starts decoding rec. The strings decoded are cut from one copy of
// rec, so rec may change once decoding is done.
func (d *decoder) reset(rec []byte) {
	d.b, d.text, d.off, d.err = rec, string(rec), 0, nil
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *decoder) skip(n int) {
	d.b = d.b[n:]
	d.off += n
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.skip(1)
	return c
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.skip(n)
	return x
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.skip(n)
	return x
}

// length reads a length and checks that as many bytes are left.
func (d *decoder) length() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.length()
	s := d.text[d.off : d.off+n]
	d.skip(n)
	return s
}

func (d *decoder) bytes() []byte {
	n := d.length()
	b := append([]byte{}, d.b[:n]...) // non-nil even when empty: still a value
	d.skip(n)
	return b
}

// time reads a time as [appendTime] wrote it, in the location that
// encoding/json gives it (as a store's JSON snapshot would): UTC for offset
// 0, Local when Local has that offset at that instant, else a fixed zone
// without a name.
func (d *decoder) time() time.Time {
	sec, nsec, offset := d.varint(), d.uvarint(), d.varint()
	if nsec >= 1e9 || offset != int64(int32(offset)) {
		d.fail()
	}
	if d.err != nil {
		return time.Time{}
	}
	t := time.Unix(sec+year1, int64(nsec))
	if offset == 0 {
		return t.UTC()
	}
	if _, local := t.Zone(); local == int(offset) {
		return t
	}
	loc := d.zones[int(offset)]
	if loc == nil {
		loc = time.FixedZone("", int(offset))
		if d.zones == nil {
			d.zones = map[int]*time.Location{}
		}
		d.zones[int(offset)] = loc
	}
	return t.In(loc)
}

// count reads a number of items that take at least min bytes each.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

// end checks that the whole record was read.
func (d *decoder) end() error {
	if len(d.b) != 0 {
		d.fail()
	}
	return d.err
}

// format reads the format byte.
func (d *decoder) format() {
	if d.byte() != recordFormat {
		d.fail()
	}
}

// header decodes a header record into s (all but Name, Versions and
// Pruned), returning its revision.
func (d *decoder) header(rec []byte, s *store.SecretSnapshot) (store.Revision, error) {
	d.reset(rec)
	d.format()
	flags := d.byte()
	if flags&^headerFlags != 0 || flags&daysPresent != 0 && flags&rulesPresent == 0 {
		d.fail()
	}
	rev := store.Revision(d.uvarint())
	if rev == 0 {
		d.fail()
	}
	s.ARN, s.Description, s.ResourcePolicy, s.RotationLambdaARN = d.string(), d.string(), d.string(), d.string()
	for _, t := range []*time.Time{&s.Created, &s.LastChanged, &s.LastAccessed, &s.DeletedDate, &s.DeleteAt, &s.LastRotated} {
		*t = d.time()
	}
	s.RotationEnabled = flags&rotationEnabled != 0
	s.RotationRules = nil
	if flags&rulesPresent != 0 {
		r := &store.RotationRules{}
		if flags&daysPresent != 0 {
			days := d.varint()
			r.AutomaticallyAfterDays = &days
		}
		r.Duration, r.ScheduleExpression = d.string(), d.string()
		s.RotationRules = r
	}
	s.Tags = nil
	if n := d.count(2); flags&tagsPresent != 0 {
		s.Tags = make([]store.Tag, n)
		for i := range s.Tags {
			s.Tags[i] = store.Tag{Key: d.string(), Value: d.string()}
		}
	} else if n != 0 {
		d.fail()
	}
	n := d.count(2)
	s.Labels = make(map[string]string, n)
	for range n {
		l := d.string()
		if _, dup := s.Labels[l]; dup {
			d.fail()
		}
		s.Labels[l] = d.string()
	}
	if err := d.end(); err != nil {
		return 0, err
	}
	return rev, nil
}

// version decodes the record of the version id, returning its place and
// whether it is pruned (then v holds its id only).
func (d *decoder) version(id string, rec []byte, v *store.VersionSnapshot) (place uint64, pruned bool, err error) {
	d.reset(rec)
	d.format()
	place = d.uvarint()
	kind := d.byte()
	*v = store.VersionSnapshot{VersionId: id}
	switch {
	case kind&^versionKinds != 0 || kind&isPruned != 0 && kind != isPruned:
		d.fail()
	case kind == isPruned:
		return place, true, d.end()
	}
	if kind&hasString != 0 {
		text := d.string()
		v.SecretString = &text
	}
	if kind&hasBinary != 0 {
		v.SecretBinary = d.bytes()
	}
	v.Created, v.LastAccessed = d.time(), d.time()
	return place, false, d.end()
}

// place decodes the place of a version record, reading no more.
func place(rec []byte) (uint64, error) {
	if len(rec) < 1 || rec[0] != recordFormat {
		return 0, errCorrupt
	}
	x, n := binary.Uvarint(rec[1:])
	if n <= 0 {
		return 0, errCorrupt
	}
	return x, nil
}

// revision decodes the revision of a header record, reading no more.
func revision(rec []byte) (store.Revision, error) {
	if len(rec) < 2 || rec[0] != recordFormat {
		return 0, errCorrupt
	}
	x, n := binary.Uvarint(rec[2:])
	if n <= 0 || x == 0 {
		return 0, errCorrupt
	}
	return store.Revision(x), nil
}

// corrupt returns the error for a record of the secret name that does not
// decode; key names the record, never its value.
func corrupt(name string, key []byte, err error) error {
	return fmt.Errorf("boltstate: secret %q, record %q: %w", name, key, err)
}
