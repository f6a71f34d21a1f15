package secret

import (
	"hash/maphash"
	"math/bits"
	"slices"

	"github.com/stagelabel/stagelabel/version"
)

// entry is what a Secret keeps of one version.
type entry struct {
	v       version.Version
	seq     uint64 // order of arrival: listings run oldest first
	deleted bool   // pruned: only the id remains, so that it is told apart from an unknown one
}

// trie is a persistent hash array mapped trie from version id to entry.
// A change returns a new trie that shares every node it did not touch with
// the old one, so adding or replacing a version costs O(log n) time and
// memory, and no Secret ever copies all of its versions. Nodes are never
// written after they are built.
//
// The standard library has no persistent map; this one does only what a
// Secret needs: lookup, insert-or-replace, and a walk in no set order.
type trie struct {
	root *node
	n    int // entries, pruned ones included
}

// node is an inner node: one kid for each set bit of bitmap, in bit order.
type node struct {
	bitmap uint32
	kids   []kid
}

// kid is a subtrie (node != nil) or a leaf: the entries whose ids hash to
// hash. A leaf holds more than one entry only on a full 64-bit collision.
type kid struct {
	node    *node
	hash    uint64
	entries []entry
}

// seed keys the hash; ids come from callers, so the hash is seeded.
var seed = maphash.MakeSeed()

func hashID(id version.ID) uint64 { return maphash.String(seed, string(id)) }

const fanBits = 5 // 32 kids a node

// slot returns the bit of h at shift and the index its kid has in n.kids.
func (n *node) slot(h uint64, shift uint) (bit uint32, i int) {
	bit = 1 << ((h >> shift) & (1<<fanBits - 1))
	return bit, bits.OnesCount32(n.bitmap & (bit - 1))
}

// get returns the entry of id.
func (t trie) get(id version.ID) (entry, bool) { return t.lookup(hashID(id), id) }

// lookup returns the entry of id, whose hash is h.
func (t trie) lookup(h uint64, id version.ID) (entry, bool) {
	n := t.root
	for shift := uint(0); n != nil; shift += fanBits {
		bit, i := n.slot(h, shift)
		if n.bitmap&bit == 0 {
			break
		}
		k := &n.kids[i]
		if k.node != nil {
			n = k.node
			continue
		}
		if k.hash == h {
			for _, e := range k.entries {
				if e.v.ID() == id {
					return e, true
				}
			}
		}
		break
	}
	return entry{}, false
}

// with returns t with e in place of the entry of the same id, or with e
// added, and where the new trie keeps e. That copy of e is never written:
// a [queue] may share it.
func (t trie) with(e entry) (trie, *entry) { return t.insert(hashID(e.v.ID()), e) }

// insert returns t with e, whose id hashes to h, put in, and where it keeps
// e.
func (t trie) insert(h uint64, e entry) (trie, *entry) {
	root := t.root
	if root == nil {
		root = &node{}
	}
	root, p, added := root.with(h, 0, e)
	if added {
		t.n++
	}
	t.root = root
	return t, p
}

// with returns a copy of n with e put in, where it keeps e, and whether e
// was added (rather than replacing an entry of the same id). h is the hash
// of e's id.
func (n *node) with(h uint64, shift uint, e entry) (*node, *entry, bool) {
	bit, i := n.slot(h, shift)
	if n.bitmap&bit == 0 {
		kids := make([]kid, len(n.kids)+1)
		copy(kids, n.kids[:i])
		kids[i] = kid{hash: h, entries: []entry{e}}
		copy(kids[i+1:], n.kids[i:])
		return &node{bitmap: n.bitmap | bit, kids: kids}, &kids[i].entries[0], true
	}
	m := &node{bitmap: n.bitmap, kids: slices.Clone(n.kids)}
	k := &m.kids[i]
	switch {
	case k.node != nil:
		var p *entry
		var added bool
		k.node, p, added = k.node.with(h, shift+fanBits, e)
		return m, p, added
	case k.hash == h:
		j := slices.IndexFunc(k.entries, func(x entry) bool { return x.v.ID() == e.v.ID() })
		if j < 0 {
			k.entries = append(slices.Clip(k.entries), e)
			return m, &k.entries[len(k.entries)-1], true
		}
		k.entries = slices.Clone(k.entries)
		k.entries[j] = e
		return m, &k.entries[j], false
	}
	// Another hash sits here: push it one level down, then put e in beside
	// it. Different hashes part by the last level at the latest.
	obit, _ := (&node{}).slot(k.hash, shift+fanBits)
	sub := &node{bitmap: obit, kids: []kid{*k}}
	sub, p, _ := sub.with(h, shift+fanBits, e)
	*k = kid{node: sub}
	return m, p, true
}

// all yields every entry of t, in no set order.
func (t trie) all(yield func(entry) bool) {
	if t.root != nil {
		t.root.all(yield)
	}
}

func (n *node) all(yield func(entry) bool) bool {
	for _, k := range n.kids {
		if k.node != nil {
			if !k.node.all(yield) {
				return false
			}
			continue
		}
		for _, e := range k.entries {
			if !yield(e) {
				return false
			}
		}
	}
	return true
}
