// Package stage defines staging labels, the names Secrets Manager attaches
// to versions of a secret to mark where each version is in its life.
//
// A label is any string of 1 to 256 characters. Three labels have a meaning
// of their own: [Current], [Previous] and [Pending]. Every other label,
// including one that happens to begin with "AWS", is a custom label with no
// special behaviour [R].
package stage

import (
	"cmp"
	"unicode/utf8"
)

// Label is a staging label. The zero Label is the empty string, which is not
// a valid label.
type Label string

// The labels Secrets Manager itself manages.
const (
	// Current marks the version a reader gets by default. Once a secret has
	// a version, exactly one version carries it, and it can only be moved,
	// never removed.
	Current Label = "AWSCURRENT"
	// Previous marks the version that carried Current before it last moved.
	// Secrets Manager moves it automatically whenever Current moves.
	Previous Label = "AWSPREVIOUS"
	// Pending marks the version a rotation is preparing.
	Pending Label = "AWSPENDING"
)

// Length limits of a label, in characters, as the Secrets Manager API
// reference gives them.
const (
	MinLen = 1
	MaxLen = 256
)

// Valid reports whether l has an allowed length: 1 to 256 characters.
func (l Label) Valid() bool {
	n := utf8.RuneCountInString(string(l))
	return n >= MinLen && n <= MaxLen
}

// Compare returns an integer comparing l and m by their bytes: -1 if l < m,
// 0 if l == m, +1 if l > m. It orders labels as every listing in stagelabel
// does, and suits [slices.SortFunc].
func (l Label) Compare(m Label) int { return cmp.Compare(l, m) }
