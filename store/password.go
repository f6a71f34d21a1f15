package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/stagelabel/stagelabel"
)

// DefaultPasswordLen is the length of a password when none is asked for
// [D].
const DefaultPasswordLen = 32

// Character kinds of a password [D].
const (
	lowercase   = "abcdefghijklmnopqrstuvwxyz"
	uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// GetRandomPasswordInput is the input of GetRandomPassword. A nil
// PasswordLength is 32 and a nil RequireEachIncludedType true [D].
type GetRandomPasswordInput struct {
	PasswordLength          *int64 `aws:"passwordLength,range=1..4096"`
	ExcludeCharacters       string `aws:"excludeCharacters,len=0..4096"`
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType *bool
}

// GetRandomPasswordOutput is the output of GetRandomPassword. It holds
// secret material: its String and Format never print it.
type GetRandomPasswordOutput struct {
	RandomPassword string `json:",omitzero"`
}

// String returns the output without its password.
func (o GetRandomPasswordOutput) String() string { return "{RandomPassword:<redacted>}" }

// Format makes every fmt verb print o as [GetRandomPasswordOutput.String]
// does.
func (o GetRandomPasswordOutput) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), o.String())
}

// GetRandomPassword returns a password of PasswordLength characters drawn
// uniformly from lowercase and uppercase letters, digits and the
// punctuation !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, less those excluded, and
// the space if IncludeSpace; with RequireEachIncludedType, it holds at
// least one of each kind not excluded (the space is not a kind) [D]. It
// draws from the store's random source (see [WithRandom]), uniformly
// among the passwords that meet the requirement [M].
//
// Errors: PasswordLength outside 1 to 4096 or ExcludeCharacters longer
// than 4096, ValidationException (see [Validate]); no character left to
// draw, or fewer characters than kinds required,
// InvalidParameterException [M].
func (st *Store) GetRandomPassword(in GetRandomPasswordInput) (GetRandomPasswordOutput, error) {
	const op = "GetRandomPassword"
	if err := Validate(op, in, nil); err != nil {
		return GetRandomPasswordOutput{}, err
	}
	n := int64(DefaultPasswordLen)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	var kinds []string
	for _, k := range []struct {
		set      string
		excluded bool
	}{{lowercase, in.ExcludeLowercase}, {uppercase, in.ExcludeUppercase}, {digits, in.ExcludeNumbers}, {punctuation, in.ExcludePunctuation}} {
		set := strings.Map(func(r rune) rune {
			if strings.ContainsRune(in.ExcludeCharacters, r) {
				return -1
			}
			return r
		}, k.set)
		if !k.excluded && set != "" {
			kinds = append(kinds, set)
		}
	}
	all := strings.Join(kinds, "")
	if in.IncludeSpace && !strings.ContainsRune(in.ExcludeCharacters, ' ') {
		all += " "
	}
	eachKind := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	switch {
	case all == "":
		return GetRandomPasswordOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: "Every character is excluded: the password can't be made."}
	case eachKind && n < int64(len(kinds)):
		return GetRandomPasswordOutput{}, &stagelabel.Error{Op: op, Code: stagelabel.ErrInvalidParameter,
			Message: fmt.Sprintf("A password of %d characters can't hold one of each of the %d kinds of character required.", n, len(kinds))}
	}
	// The least likely request that can be met is met about once in 2,000
	// draws: a true source meets any of them long before maxDraws.
	const maxDraws = 1 << 20
	for range maxDraws {
		p, err := st.draw(op, all, int(n))
		if err != nil {
			return GetRandomPasswordOutput{}, err
		}
		if !eachKind || !slices.ContainsFunc(kinds, func(set string) bool { return !strings.ContainsAny(p, set) }) {
			return GetRandomPasswordOutput{RandomPassword: p}, nil
		}
	}
	return GetRandomPasswordOutput{}, randomError(op, errors.New("no draw held every kind required"))
}
