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
	keyPresent      // KmsKeyId is not "": the record ends with it
	replicated      // a replica or a primary: PrimaryRegion and ReplicationStatus follow
	configured      // RotationConfigured is not zero: the record ends with it
	headerFlags     = rotationEnabled | rulesPresent | daysPresent | tagsPresent | keyPresent | replicated | configured
)

// Kinds of a version record, a set of bits.
const (
	hasString = 1 << iota
	hasBinary
	isPruned     // a tombstone: the id and place only
	hasKey       // KmsKeyId is not "": the record ends with it
	versionKinds = hasString | hasBinary | isPruned | hasKey
)

// year1 is the Unix time of January 1 of year 1, the zero time.Time: times
// are stored as seconds since then, so that a zero time costs three bytes
// (seconds, nanoseconds, offset: 0 each).
const year1 = -62135596800

// errCorrupt is the error of every decoder: the record is not one this
// encoding writes.
var errCorrupt = errors.New("corrupt record")

// appendHeader appends the header record of s (all of it but its name,
// versions and pruned ids) with revision rev and next, the place the next
// new version of the secret takes.
func appendHeader(b []byte, s *store.SecretSnapshot, rev store.Revision, next uint64) []byte {
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
	if s.KmsKeyId != "" {
		flags |= keyPresent
	}
	if s.PrimaryRegion != "" || len(s.ReplicationStatus) > 0 {
		flags |= replicated
	}
	if !s.RotationConfigured.IsZero() {
		flags |= configured
	}
	b = append(b, recordFormat, flags)
	b = binary.AppendUvarint(b, uint64(rev))
	b = binary.AppendUvarint(b, next)
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
	if s.KmsKeyId != "" {
		b = appendString(b, s.KmsKeyId)
	}
	if flags&replicated != 0 {
		b = appendString(b, s.PrimaryRegion)
		b = binary.AppendUvarint(b, uint64(len(s.ReplicationStatus)))
		for _, r := range s.ReplicationStatus {
			b = appendString(appendString(appendString(appendString(b, r.Region), r.KmsKeyId), r.Status), r.StatusMessage)
		}
	}
	if flags&configured != 0 {
		b = appendTime(b, s.RotationConfigured)
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
	if v.KmsKeyId != "" {
		kind |= hasKey
	}
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, place)
	b = append(b, kind)
	if v.SecretString != nil {
		b = appendString(b, *v.SecretString)
	}
	if v.SecretBinary != nil {
		b = appendString(b, v.SecretBinary)
	}
	b = appendTime(b, v.Created)
	b = appendTime(b, v.LastAccessed)
	if v.KmsKeyId != "" {
		b = appendString(b, v.KmsKeyId)
	}
	return b
}

// appendPruned appends the record of a pruned version, at place in its
// secret: its id is the key, its value is gone.
func appendPruned(b []byte, place uint64) []byte {
	b = append(b, recordFormat)
	b = binary.AppendUvarint(b, place)
	return append(b, isPruned)
}

func appendString[S string | []byte](b []byte, s S) []byte {
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

// decoder reads records. Its methods never panic: past a fault they
// return zero values, and bad is set.
type decoder struct {
	s     string // the key's string and the record, which strings are cut from
	i     int    // where in s to read next
	bad   bool
	buf   []byte                 // scratch for reset
	zones map[int]*time.Location // fixed zones by offset, shared by the times decoded
}

// reset starts decoding rec, with key (a string of the record's key)
// before it, which it returns. Both are copied into one string, so that
// they may change once decoding is done.
func (d *decoder) reset(key, rec []byte) string {
	d.buf = append(append(d.buf[:0], key...), rec...)
	d.s, d.i, d.bad = string(d.buf), len(key), false
	return d.s[:len(key)]
}

func (d *decoder) fail() {
	d.bad = true
	d.i = len(d.s)
}

func (d *decoder) byte() byte {
	if d.i >= len(d.s) {
		d.fail()
		return 0
	}
	c := d.s[d.i]
	d.i++
	return c
}

// uvarint reads what [binary.AppendUvarint] writes.
func (d *decoder) uvarint() uint64 {
	var x uint64
	for shift := 0; shift < 64 && d.i < len(d.s); shift += 7 {
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			if shift == 63 && c > 1 {
				break // overflows
			}
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
	}
	d.fail()
	return 0
}

// varint reads what [binary.AppendVarint] writes.
func (d *decoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.s)-d.i) {
		d.fail()
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
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
	if d.bad {
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

// count reads a number of items that take at least two bytes each.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.s)-d.i)/2 {
		d.fail()
		return 0
	}
	return int(n)
}

// result is the decoder's error, errCorrupt when it failed or did not read
// the whole record.
func (d *decoder) result() error {
	if d.bad || d.i != len(d.s) {
		return errCorrupt
	}
	return nil
}

// header decodes the header record rec of the secret name into s (all but
// Versions and Pruned), returning its revision and the next place.
func (d *decoder) header(name, rec []byte, s *store.SecretSnapshot) (store.Revision, uint64, error) {
	*s = store.SecretSnapshot{Name: d.reset(name, rec)}
	if d.byte() != recordFormat {
		d.fail()
	}
	flags := d.byte()
	if flags&^headerFlags != 0 || flags&daysPresent != 0 && flags&rulesPresent == 0 {
		d.fail()
	}
	rev, next := store.Revision(d.uvarint()), d.uvarint()
	if rev == 0 {
		d.fail()
	}
	s.ARN, s.Description, s.ResourcePolicy, s.RotationLambdaARN = d.string(), d.string(), d.string(), d.string()
	for _, t := range []*time.Time{&s.Created, &s.LastChanged, &s.LastAccessed, &s.DeletedDate, &s.DeleteAt, &s.LastRotated} {
		*t = d.time()
	}
	s.RotationEnabled = flags&rotationEnabled != 0
	if flags&rulesPresent != 0 {
		r := &store.RotationRules{}
		if flags&daysPresent != 0 {
			days := d.varint()
			r.AutomaticallyAfterDays = &days
		}
		r.Duration, r.ScheduleExpression = d.string(), d.string()
		s.RotationRules = r
	}
	if n := d.count(); flags&tagsPresent != 0 {
		s.Tags = make([]store.Tag, n)
		for i := range s.Tags {
			s.Tags[i] = store.Tag{Key: d.string(), Value: d.string()}
		}
	} else if n != 0 {
		d.fail()
	}
	n := d.count()
	s.Labels = make(map[string]string, n)
	for range n {
		l := d.string()
		if _, dup := s.Labels[l]; dup {
			d.fail()
		}
		s.Labels[l] = d.string()
	}
	if flags&keyPresent != 0 {
		if s.KmsKeyId = d.string(); s.KmsKeyId == "" {
			d.fail() // written only when not empty
		}
	}
	if flags&replicated != 0 {
		s.PrimaryRegion = d.string()
		if n := d.count(); n > 0 {
			s.ReplicationStatus = make([]store.ReplicationStatus, n)
			for i := range s.ReplicationStatus {
				s.ReplicationStatus[i] = store.ReplicationStatus{Region: d.string(), KmsKeyId: d.string(), Status: d.string(), StatusMessage: d.string()}
			}
		} else if s.PrimaryRegion == "" {
			d.fail() // written only for a replica or a primary with replicas
		}
	}
	if flags&configured != 0 {
		if s.RotationConfigured = d.time(); s.RotationConfigured.IsZero() {
			d.fail() // written only when not zero
		}
	}
	if err := d.result(); err != nil {
		return 0, 0, err
	}
	return rev, next, nil
}

// version decodes the record rec of the version id into v, returning its
// place and whether it is pruned (then v holds its id only). The version's
// SecretString, if any, is text, which the caller provides.
func (d *decoder) version(id, rec []byte, v *store.VersionSnapshot, text *string) (place uint64, pruned bool, err error) {
	*v = store.VersionSnapshot{VersionId: d.reset(id, rec)}
	if d.byte() != recordFormat {
		d.fail()
	}
	place = d.uvarint()
	kind := d.byte()
	switch {
	case kind&^versionKinds != 0 || kind&isPruned != 0 && kind != isPruned:
		d.fail()
	case kind == isPruned:
		return place, true, d.result()
	default:
		if kind&hasString != 0 {
			*text = d.string()
			v.SecretString = text
		}
		if kind&hasBinary != 0 {
			v.SecretBinary = append([]byte{}, d.string()...) // non-nil even when empty: still a value
		}
	}
	v.Created, v.LastAccessed = d.time(), d.time()
	if kind&hasKey != 0 {
		if v.KmsKeyId = d.string(); v.KmsKeyId == "" {
			d.fail() // written only when not empty
		}
	}
	return place, false, d.result()
}

// stored decodes the revision and the next place of a header record,
// reading no more.
func stored(rec []byte) (rev store.Revision, next uint64, err error) {
	if len(rec) < 2 || rec[0] != recordFormat {
		return 0, 0, errCorrupt
	}
	rec = rec[2:]
	x, n := binary.Uvarint(rec)
	if n <= 0 || x == 0 {
		return 0, 0, errCorrupt
	}
	next, m := binary.Uvarint(rec[n:])
	if m <= 0 {
		return 0, 0, errCorrupt
	}
	return store.Revision(x), next, nil
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

// corrupt returns the error for a record of the secret name that does not
// decode; key names the record, never its value.
func corrupt(name string, key []byte, err error) error {
	return fmt.Errorf("boltstate: secret %q, record %q: %w", name, key, err)
}
