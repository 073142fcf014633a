// Package action turns matches into the text that replaces them: a typed
// placeholder (mask), a keyed pseudonym that is stable across spans
// (pseudonymize), or a request to drop the whole attribute (drop).
package action

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

// Kind is what happens to a match.
type Kind uint8

const (
	// Mask replaces the match with a typed placeholder: <EMAIL>.
	Mask Kind = iota
	// Pseudonymize replaces the match with its type and the first 32 bits
	// of HMAC-SHA256(key, type, normalized value): <EMAIL:9f3a1c2b>.
	Pseudonymize
	// Drop removes the whole attribute (or log body field) that holds the
	// match.
	Drop
)

func (k Kind) String() string {
	switch k {
	case Pseudonymize:
		return "pseudonymize"
	case Drop:
		return "drop"
	}
	return "mask"
}

// ParseKind reads an action name from the configuration.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "", "mask":
		return Mask, nil
	case "pseudonymize":
		return Pseudonymize, nil
	case "drop":
		return Drop, nil
	}
	return 0, fmt.Errorf("unknown action %q (want mask, pseudonymize or drop)", s)
}

// Rule is the action for one detector type.
type Rule struct {
	Kind Kind
	// Label names the type in placeholders: EMAIL, PAYMENT_CARD.
	Label string
}

// Applier rewrites text for a set of matches. It is safe for concurrent use.
type Applier struct {
	rules []Rule // indexed by detect.Type
	// masks caches each type's placeholder.
	masks []string
	macs  sync.Pool
	keyed bool
}

// New returns an Applier with one rule per detector type (index = type).
// key is the HMAC key for pseudonyms; it may be empty when no rule
// pseudonymizes.
func New(rules []Rule, key []byte) *Applier {
	a := &Applier{rules: rules, keyed: len(key) > 0}
	for _, r := range rules {
		a.masks = append(a.masks, "<"+r.Label+">")
	}
	k := append([]byte(nil), key...)
	a.macs.New = func() any { return hmac.New(sha256.New, k) }
	return a
}

// Rule returns the rule for a type.
func (a *Applier) Rule(t detect.Type) Rule {
	if int(t) < len(a.rules) {
		return a.rules[t]
	}
	return Rule{Label: "REDACTED"}
}

// Drops reports whether any of the matches asks to drop its attribute.
func (a *Applier) Drops(ms []scan.Match) bool {
	for _, m := range ms {
		if a.Rule(m.Type).Kind == Drop {
			return true
		}
	}
	return false
}

// Apply returns text with every match replaced by its placeholder or
// pseudonym. Matches must be sorted and must not overlap (as scan returns
// them). Drop rules mask here; callers check Drops first.
func (a *Applier) Apply(text string, ms []scan.Match) string {
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16*len(ms))
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m.Start])
		a.write(&b, m.Type, text[m.Start:m.End])
		last = m.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Replacement returns what replaces a single value of type t.
func (a *Applier) Replacement(t detect.Type, value string) string {
	if int(t) < len(a.rules) && (a.rules[t].Kind != Pseudonymize || !a.keyed) {
		return a.masks[t]
	}
	var b strings.Builder
	a.write(&b, t, value)
	return b.String()
}

func (a *Applier) write(b *strings.Builder, t detect.Type, value string) {
	r := a.Rule(t)
	b.WriteByte('<')
	b.WriteString(r.Label)
	if r.Kind == Pseudonymize && a.keyed {
		b.WriteByte(':')
		b.WriteString(a.pseudonym(r.Label, normalize(t, value)))
	}
	b.WriteByte('>')
}

func (a *Applier) pseudonym(label, value string) string {
	h := a.macs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(value))
	var sum [sha256.Size]byte
	out := h.Sum(sum[:0])
	a.macs.Put(h)
	return hex.EncodeToString(out[:4])
}

// normalize makes the different spellings of one value produce one pseudonym:
// addresses are case-insensitive, numbers are their digits.
func normalize(t detect.Type, v string) string {
	switch t {
	case detect.Email, detect.IPv6:
		return strings.ToLower(v)
	case detect.Phone, detect.PaymentCard, detect.USSSN:
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			if v[i] >= '0' && v[i] <= '9' {
				b.WriteByte(v[i])
			}
		}
		return b.String()
	case detect.IBAN:
		return strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	case detect.MAC:
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c >= 'A' && c <= 'F' {
				c += 'a' - 'A'
			}
			if c >= '0' && c <= '9' || c >= 'a' && c <= 'f' {
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	return v
}
