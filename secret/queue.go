package secret

import "slices"

// queue holds the live versions of a Secret in order of arrival, for
// [Secret.Prune]. It cuts the arrival numbers (seq) into chunks of 32: the
// chunk of the newest version is the tail, a slice copied on each arrival;
// older chunks are the leaves of a persistent radix trie keyed by seq, 32
// kids a node, which a chunk joins when the tail moves past it. Like trie,
// a change copies only what it touches and shares the rest, and nothing is
// written after it is built: an arrival costs a copy of the tail (and, once
// every 32 arrivals, a path of the trie), a removal a path.
//
// A pruned version leaves the queue, and a chunk or subtrie left without
// live versions is dropped, so that pruned versions cost later walks
// nothing but the nil slots beside live ones (at most 31 a node).
//
// While creation times rise with arrival (the usual case: Put and Rotate
// are given the time of the call), arrival order is the order in which
// Prune removes versions, and Prune reads only the oldest few. The queue
// knows when they do not (unsorted), and Prune then walks every live
// version instead.
type queue struct {
	root *qnode // the chunks before the tail's
	// shift is the level of root: its kid (or entry) i holds the seqs
	// whose bits shift to shift+4 are i, and it holds no seq with a higher
	// bit set. A leaf's shift is 0.
	shift uint
	tail  []*entry // tail[i] holds seq base+i; nil if none is live
	base  uint64   // the first seq of the tail's chunk
	// unsorted reports whether some version in the queue was created
	// before one that arrived before it.
	unsorted bool
}

// qnode is a node of the trie of a queue: a leaf (es, one chunk) at shift
// 0, an inner node (kids) above. Slots are indexed by the seq bits of the
// node's level, so leading slots may be nil once their versions are
// pruned.
type qnode struct {
	n    int      // live entries below
	kids []*qnode // inner node: nil where no live version is left
	es   []*entry // leaf: nil where the version was pruned
}

const (
	qbits = 5
	qmask = 1<<qbits - 1
)

// add returns q with e, the entry of a version that arrived after every
// version in q, appended. e is shared, not copied: it must never be
// written.
func (q queue) add(e *entry) queue {
	if last, ok := q.last(); ok && e.v.Created().Compare(last.v.Created()) < 0 {
		q.unsorted = true
	}
	if len(q.tail) > 0 && e.seq&^qmask != q.base {
		q = q.flush()
	}
	if len(q.tail) == 0 {
		q.base = e.seq &^ qmask
	}
	i := e.seq - q.base
	tail := make([]*entry, i+1)
	copy(tail, q.tail)
	tail[i] = e
	q.tail = tail
	return q
}

// flush returns q with its tail moved into the trie.
func (q queue) flush() queue {
	leaf := &qnode{es: q.tail}
	for _, e := range q.tail {
		if e != nil {
			leaf.n++
		}
	}
	q.tail = nil
	for q.shift+qbits < 64 && q.base>>(q.shift+qbits) != 0 {
		if q.root != nil {
			q.root = &qnode{n: q.root.n, kids: []*qnode{q.root}}
		}
		q.shift += qbits
	}
	q.root = q.root.with(q.base, q.shift, leaf)
	return q
}

// with returns a copy of n (nil: an empty node) with leaf as the chunk of
// seq, which n must not hold.
func (n *qnode) with(seq uint64, shift uint, leaf *qnode) *qnode {
	if shift == 0 {
		return leaf
	}
	m := &qnode{n: leaf.n}
	var kids []*qnode
	if n != nil {
		m.n += n.n
		kids = n.kids
	}
	i := int(seq>>shift) & qmask
	m.kids = make([]*qnode, max(len(kids), i+1))
	copy(m.kids, kids)
	m.kids[i] = m.kids[i].with(seq, shift-qbits, leaf)
	return m
}

// without returns q without the entry of seq, if it holds one.
func (q queue) without(seq uint64) queue {
	switch {
	case seq&^qmask == q.base && seq-q.base < uint64(len(q.tail)):
		if q.tail[seq-q.base] == nil {
			return q
		}
		q.tail = slices.Clone(q.tail)
		q.tail[seq-q.base] = nil
		if !slices.ContainsFunc(q.tail, func(e *entry) bool { return e != nil }) {
			q.tail = nil
		}
	case q.root != nil && (q.shift+qbits >= 64 || seq>>(q.shift+qbits) == 0):
		q.root, _ = q.root.without(seq, q.shift)
	default:
		return q
	}
	if q.root == nil && q.tail == nil {
		q.unsorted = false
	}
	return q
}

// without returns a copy of n without the entry of seq, nil if none is
// left, and whether n held it; n itself when it did not.
func (n *qnode) without(seq uint64, shift uint) (*qnode, bool) {
	i := int(seq>>shift) & qmask
	var kid *qnode
	if shift == 0 {
		if i >= len(n.es) || n.es[i] == nil {
			return n, false
		}
	} else {
		if i >= len(n.kids) || n.kids[i] == nil {
			return n, false
		}
		var held bool
		if kid, held = n.kids[i].without(seq, shift-qbits); !held {
			return n, false
		}
	}
	if n.n == 1 {
		return nil, true
	}
	m := &qnode{n: n.n - 1}
	if shift == 0 {
		m.es = slices.Clone(n.es)
		m.es[i] = nil
	} else {
		m.kids = slices.Clone(n.kids)
		m.kids[i] = kid
	}
	return m, true
}

// last returns the entry of the live version that arrived last.
func (q queue) last() (*entry, bool) {
	if e := lastSet(q.tail); e != nil {
		return e, true
	}
	n := q.root
	for shift := q.shift; n != nil && shift > 0; shift -= qbits {
		n = lastSet(n.kids)
	}
	if n == nil {
		return nil, false
	}
	e := lastSet(n.es)
	return e, e != nil
}

// lastSet returns the last non-nil element of xs, nil if there is none.
func lastSet[T any](xs []*T) *T {
	for _, x := range slices.Backward(xs) {
		if x != nil {
			return x
		}
	}
	return nil
}

// all yields the entries of q in order of arrival.
func (q queue) all(yield func(*entry) bool) {
	if q.root != nil && !q.root.all(q.shift, yield) {
		return
	}
	for _, e := range q.tail {
		if e != nil && !yield(e) {
			return
		}
	}
}

func (n *qnode) all(shift uint, yield func(*entry) bool) bool {
	if shift == 0 {
		for _, e := range n.es {
			if e != nil && !yield(e) {
				return false
			}
		}
		return true
	}
	for _, k := range n.kids {
		if k != nil && !k.all(shift-qbits, yield) {
			return false
		}
	}
	return true
}

// recheck returns q with unsorted found by a walk over every entry, for
// when removals may have put the queue back in order.
func (q queue) recheck() queue {
	q.unsorted = false
	var prev *entry
	for e := range q.all {
		if prev != nil && e.v.Created().Compare(prev.v.Created()) < 0 {
			q.unsorted = true
			break
		}
		prev = e
	}
	return q
}
