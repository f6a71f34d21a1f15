package secret

import (
	"fmt"
	"maps"
	"testing"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel/version"
)

// TestTrie checks the trie against a Go map, with hashes drawn so that they
// share long prefixes and collide outright, and checks that every earlier
// trie still holds what it held, and every entry an insert reported where
// it kept still reads as it did.
func TestTrie(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		type snap struct {
			tr   trie
			want map[version.ID]uint64
			kept *entry // where the insert that made tr kept its entry
			id   version.ID
		}
		hashes := map[version.ID]uint64{} // fixed per id, as a hash is
		genHash := rapid.OneOf(
			rapid.Uint64Range(0, 3), // full collisions
			rapid.Map(rapid.Uint64Range(0, 3), func(x uint64) uint64 { return x << 60 }), // differ only at the last level
			rapid.Uint64(),
		)
		var tr trie
		want := map[version.ID]uint64{}
		var snaps []snap
		for i := range rapid.IntRange(0, 200).Draw(t, "ops") {
			vid := version.ID(fmt.Sprint("id", rapid.IntRange(0, 40).Draw(t, "id")))
			h, ok := hashes[vid]
			if !ok {
				h = genHash.Draw(t, "hash")
				hashes[vid] = h
			}
			var p *entry
			tr, p = tr.insert(h, entry{v: version.New(vid), seq: uint64(i)})
			if got, ok := tr.lookup(h, vid); !ok || got != *p {
				t.Fatalf("insert kept %+v, lookup finds %+v, %v", *p, got, ok)
			}
			want[vid] = uint64(i)
			snaps = append(snaps, snap{tr, maps.Clone(want), p, vid})
		}
		for _, s := range snaps {
			if s.kept.v.ID() != s.id || s.kept.seq != s.want[s.id] {
				t.Fatalf("an entry kept for %s seq %d now reads %s seq %d", s.id, s.want[s.id], s.kept.v.ID(), s.kept.seq)
			}
			if s.tr.n != len(s.want) {
				t.Fatalf("n = %d, want %d", s.tr.n, len(s.want))
			}
			for vid, h := range hashes {
				e, ok := s.tr.lookup(h, vid)
				seq, in := s.want[vid]
				if ok != in || (ok && (e.seq != seq || e.v.ID() != vid)) {
					t.Fatalf("lookup(%s) = %+v, %v; want seq %d, %v", vid, e, ok, seq, in)
				}
			}
			seen := 0
			for e := range s.tr.all {
				if s.want[e.v.ID()] != e.seq {
					t.Fatalf("all yields %s seq %d, want %d", e.v.ID(), e.seq, s.want[e.v.ID()])
				}
				seen++
			}
			if seen != len(s.want) {
				t.Fatalf("all yields %d entries, want %d", seen, len(s.want))
			}
		}
	})
}
