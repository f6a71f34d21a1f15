package etcdstate

import (
	"encoding/json"
	"fmt"

	"github.com/stagelabel/stagelabel/store"
)

// recordFormat is the version of the records' encoding, the first member
// of each; Load refuses others.
const recordFormat = 1

// header is the value of a secret's header key: every member of the
// secret's snapshot but its versions and pruned ids, and the place its
// next new version will take.
type header struct {
	Format int
	Next   uint64
	Secret store.SecretSnapshot
}

// versionRecord is the value of a version's key: the place the version
// took when it was first written, and the version, or, for a pruned
// version, its place only (a tombstone).
type versionRecord struct {
	Format  int
	Place   uint64
	Pruned  bool                   `json:",omitempty"`
	Version *store.VersionSnapshot `json:",omitempty"`
}

// encodeHeader returns the header record of s with next, without s's
// versions and pruned ids.
func encodeHeader(s store.SecretSnapshot, next uint64) ([]byte, error) {
	s.Versions, s.Pruned = nil, nil
	return json.Marshal(header{Format: recordFormat, Next: next, Secret: s})
}

func encodeVersion(r versionRecord) ([]byte, error) {
	r.Format = recordFormat
	return json.Marshal(r)
}

func decodeHeader(b []byte) (header, error) {
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return header{}, err
	}
	if h.Format != recordFormat {
		return header{}, fmt.Errorf("header record of format %d, want %d", h.Format, recordFormat)
	}
	return h, nil
}

func decodeVersion(b []byte) (versionRecord, error) {
	var r versionRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return versionRecord{}, err
	}
	if r.Format != recordFormat {
		return versionRecord{}, fmt.Errorf("version record of format %d, want %d", r.Format, recordFormat)
	}
	if r.Pruned == (r.Version != nil) {
		return versionRecord{}, fmt.Errorf("version record is neither a version nor a tombstone, or both")
	}
	return r, nil
}
