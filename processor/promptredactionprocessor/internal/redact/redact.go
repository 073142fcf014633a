// Package redact redacts one value: a string (JSON-aware), or a pdata value
// of any type, recursively. It decides between JSON and text, applies the
// scanner and the actions, counts what it did and fails closed: a value that
// is too large, JSON that does not parse, or any internal error turns the
// whole value into Redacted.
package redact

import (
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-ai/otelcol-ai/internal/jsonwalk"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

// Redacted replaces a value the processor could not scan safely.
const Redacted = "<REDACTED>"

// Reason says why a value failed closed.
type Reason uint8

const (
	TooLarge Reason = iota
	ParseError
	InternalError
	NumReasons
)

func (r Reason) String() string {
	switch r {
	case TooLarge:
		return "too_large"
	case ParseError:
		return "parse_error"
	}
	return "internal_error"
}

// Stats counts what redaction did.
type Stats struct {
	// Matches per detector type (built-in first, then custom).
	Matches []int64
	// Values and Bytes scanned.
	Values, Bytes int64
	// FailClosed per reason.
	FailClosed [NumReasons]int64
	// Dropped attributes and fields.
	Dropped int64
}

// NewStats returns zeroed stats for n detector types.
func NewStats(n int) *Stats { return &Stats{Matches: make([]int64, n)} }

// Reset zeroes the counts.
func (s *Stats) Reset() {
	clear(s.Matches)
	s.Values, s.Bytes, s.Dropped = 0, 0, 0
	s.FailClosed = [NumReasons]int64{}
}

// Add adds o to s.
func (s *Stats) Add(o *Stats) {
	for i, v := range o.Matches {
		s.Matches[i] += v
	}
	s.Values += o.Values
	s.Bytes += o.Bytes
	s.Dropped += o.Dropped
	for i, v := range o.FailClosed {
		s.FailClosed[i] += v
	}
}

// TotalFailClosed sums the fail-closed counts.
func (s *Stats) TotalFailClosed() int64 {
	var n int64
	for _, v := range s.FailClosed {
		n += v
	}
	return n
}

// Outcome of redacting one value.
type Outcome uint8

const (
	Unchanged Outcome = iota
	Changed
	// Drop: remove the attribute or field that holds the value.
	Drop
)

// Redactor redacts values. It is safe for concurrent use.
type Redactor struct {
	scanner  *scan.Scanner
	actions  *action.Applier
	maxBytes int
	// nestedJSON bounds JSON found inside JSON string leaves.
	nestedJSON int
	maxDepth   int
	// failHook, when set, runs before a value is scanned (tests use it to
	// raise an internal error).
	failHook func(string)
	calls    sync.Pool
}

// Config of a Redactor.
type Config struct {
	Scanner       *scan.Scanner
	Actions       *action.Applier
	MaxValueBytes int
	// MaxDepth bounds nesting in JSON and in pdata maps and slices.
	MaxDepth int
}

// New returns a Redactor.
func New(cfg Config) *Redactor {
	r := &Redactor{scanner: cfg.Scanner, actions: cfg.Actions, maxBytes: cfg.MaxValueBytes, nestedJSON: 3, maxDepth: cfg.MaxDepth}
	if r.maxDepth <= 0 {
		r.maxDepth = 64
	}
	return r
}

// SetFailHook installs a function that runs on every value before it is
// scanned; a panic in it exercises the internal-error path.
func (r *Redactor) SetFailHook(f func(string)) { r.failHook = f }

// call redacts one top-level value. Calls are pooled: each holds its match
// storage and a Rewriter whose callbacks are bound to it once.
type call struct {
	r       *Redactor
	st      *Stats
	matches []scan.Match
	drop    bool
	// nested counts the JSON documents being walked, outermost first.
	nested int
	rw     jsonwalk.Rewriter
}

func (r *Redactor) getCall(st *Stats) *call {
	c, _ := r.calls.Get().(*call)
	if c == nil {
		c = &call{r: r}
		c.rw = jsonwalk.Rewriter{MaxDepth: r.maxDepth, Edits: c.leafEdits, Key: c.key, Number: c.number}
	}
	c.st, c.drop, c.nested = st, false, 0
	return c
}

func (r *Redactor) putCall(c *call) {
	c.st = nil
	clear(c.matches)
	r.calls.Put(c)
}

// String redacts a string value read from key (an attribute key, map key or
// "" for a log body).
func (r *Redactor) String(key, s string, st *Stats) (out string, o Outcome) {
	st.Values++
	st.Bytes += int64(len(s))
	if r.maxBytes > 0 && len(s) > r.maxBytes {
		st.FailClosed[TooLarge]++
		return Redacted, Changed
	}
	defer func() {
		if p := recover(); p != nil {
			// The call that failed is not returned to the pool.
			st.FailClosed[InternalError]++
			out, o = Redacted, Changed
		}
	}()
	c := r.getCall(st)
	res, changed, err := c.str(key, s)
	drop := c.drop
	r.putCall(c)
	switch {
	case err != nil:
		st.FailClosed[ParseError]++
		return Redacted, Changed
	case drop:
		st.Dropped++
		return "", Drop
	case changed:
		return res, Changed
	}
	return s, Unchanged
}

// str redacts a top-level value.
func (c *call) str(key, s string) (string, bool, error) {
	if c.r.failHook != nil {
		c.r.failHook(s)
	}
	if isSecretKey(key) && plausibleSecret(s) {
		return c.secret(s), true, nil
	}
	if looksLikeJSON(s) {
		return c.json(s)
	}
	return c.text(key, s)
}

// secret replaces a value held under a secret key; a value that one
// detector matches whole (an API key under "api_key") is named by it.
func (c *call) secret(s string) string {
	t := detect.SecretAssignment
	c.matches = c.r.scanner.Scan(s, "", c.matches[:0])
	if len(c.matches) == 1 && c.matches[0].Start == 0 && c.matches[0].End == len(s) {
		t = c.matches[0].Type
	}
	return c.whole(t, s)
}

func (c *call) whole(t detect.Type, s string) string {
	c.st.Matches[t]++
	if c.r.actions.Rule(t).Kind == action.Drop {
		c.drop = true
	}
	return c.r.actions.Replacement(t, s)
}

func (c *call) text(hint, s string) (string, bool, error) {
	c.matches = c.r.scanner.Scan(s, hint, c.matches[:0])
	if len(c.matches) == 0 {
		return s, false, nil
	}
	for _, m := range c.matches {
		c.st.Matches[m.Type]++
	}
	if c.r.actions.Drops(c.matches) {
		c.drop = true
	}
	return c.r.actions.Apply(s, c.matches), true, nil
}

func (c *call) json(s string) (string, bool, error) {
	c.nested++
	out, changed, err := c.rw.RewriteString(s)
	c.nested--
	return out, changed, err
}

// key redacts a JSON member name. Names of letters and '_' only ("role",
// "finish_reason") cannot hold a match and skip the scanner.
func (c *call) key(name string) (string, bool) {
	if plainName(name) {
		return name, false
	}
	out, changed, _ := c.text("", name)
	return out, changed
}

// number redacts a JSON number: whole under a secret member, scanned as text
// when it is long enough to be a card, phone or SSN.
func (c *call) number(member, lit string) (string, bool) {
	if isSecretKey(member) {
		return c.whole(detect.SecretAssignment, lit), true
	}
	if !longInteger(lit) {
		return lit, false
	}
	out, changed, _ := c.text(member, lit)
	return out, changed
}

// leafEdits returns the edits for one JSON string leaf: one per match, so
// that the leaf's bytes between matches (escapes included) are kept.
func (c *call) leafEdits(member, leaf string, dst []jsonwalk.Edit) []jsonwalk.Edit {
	if c.r.failHook != nil {
		c.r.failHook(leaf)
	}
	if isSecretKey(member) && plausibleSecret(leaf) {
		return append(dst, jsonwalk.Edit{Start: 0, End: len(leaf), Text: c.secret(leaf)})
	}
	if c.nested < c.r.nestedJSON && looksLikeJSON(leaf) {
		out, changed, err := c.json(leaf)
		if err != nil {
			// A leaf that looks like JSON but is not: fail closed on the
			// leaf only.
			c.st.FailClosed[ParseError]++
			return append(dst, jsonwalk.Edit{Start: 0, End: len(leaf), Text: Redacted})
		}
		if !changed {
			return dst
		}
		return append(dst, jsonwalk.EditBetween(leaf, out))
	}
	c.matches = c.r.scanner.Scan(leaf, member, c.matches[:0])
	for _, m := range c.matches {
		c.st.Matches[m.Type]++
		dst = append(dst, jsonwalk.Edit{Start: m.Start, End: m.End, Text: c.r.actions.Replacement(m.Type, leaf[m.Start:m.End])})
	}
	if c.r.actions.Drops(c.matches) {
		c.drop = true
	}
	return dst
}

func plainName(s string) bool {
	if len(s) >= 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; (c < 'a' || c > 'z') && s[i] != '_' {
			return false
		}
	}
	return true
}

// longInteger: only integers of nine digits or more can hold a card, phone
// or SSN.
func longInteger(lit string) bool {
	if len(lit) < 9 {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lit[i] < '0' || lit[i] > '9' {
			return i == 0 && lit[i] == '-' && len(lit) > 9
		}
	}
	return true
}

// looksLikeJSON decides which values are parsed as JSON. A value that
// starts like a JSON object or array of objects, arrays or strings is JSON
// and must parse (or it fails closed, since escapes could hide what it
// holds); "[INFO] ..." or "[1] Smith et al." stay text.
func looksLikeJSON(s string) bool {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) || (s[i] != '{' && s[i] != '[') {
		return false
	}
	open := s[i]
	j := i + 1
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) {
		return false
	}
	next := s[j]
	if open == '{' {
		return next == '"' || next == '}'
	}
	if next == '{' || next == '[' || next == '"' || next == ']' {
		return true
	}
	k := len(s)
	for k > j && isSpace(s[k-1]) {
		k--
	}
	return s[k-1] == ']' && (next == '-' || next >= '0' && next <= '9' || next == 't' || next == 'f' || next == 'n')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isSecretKey(key string) bool { return key != "" && scan.IsSecretKey(key) }

// plausibleSecret: an empty value or a placeholder under a secret key is
// left alone.
func plausibleSecret(s string) bool {
	if s == "" || s[0] == '<' && s[len(s)-1] == '>' {
		return false
	}
	return strings.Trim(s, "*") != ""
}

// Value redacts a pdata value in place: strings as String does, maps and
// slices recursively (map keys too), integers of nine digits or more as
// text. A Drop outcome asks the caller to remove the value.
func (r *Redactor) Value(key string, v pcommon.Value, st *Stats) (o Outcome) {
	defer func() {
		if p := recover(); p != nil {
			st.FailClosed[InternalError]++
			v.SetStr(Redacted)
			o = Changed
		}
	}()
	return r.value(key, v, st, 0)
}

func (r *Redactor) value(key string, v pcommon.Value, st *Stats, depth int) Outcome {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		out, o := r.String(key, v.Str(), st)
		if o == Changed {
			v.SetStr(out)
		}
		return o
	case pcommon.ValueTypeInt:
		return r.intValue(key, v, st)
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		if depth >= r.maxDepth {
			st.FailClosed[ParseError]++
			v.SetStr(Redacted)
			return Changed
		}
		if v.Type() == pcommon.ValueTypeMap {
			return r.mapAt(v.Map(), st, depth+1, nil, true)
		}
		return r.slice(key, v.Slice(), st, depth+1)
	}
	return Unchanged
}

func (r *Redactor) intValue(key string, v pcommon.Value, st *Stats) Outcome {
	lit := strconv.FormatInt(v.Int(), 10)
	if !isSecretKey(key) && !longInteger(lit) {
		return Unchanged
	}
	out, o := r.String(key, lit, st)
	if o == Changed {
		v.SetStr(out)
	}
	return o
}

func (r *Redactor) slice(key string, s pcommon.Slice, st *Stats, depth int) Outcome {
	o := Unchanged
	var drop []bool
	for i := 0; i < s.Len(); i++ {
		switch r.value(key, s.At(i), st, depth) {
		case Changed:
			o = Changed
		case Drop:
			if drop == nil {
				drop = make([]bool, s.Len())
			}
			drop[i] = true
		}
	}
	if drop != nil {
		i := 0
		s.RemoveIf(func(pcommon.Value) bool {
			d := drop[i]
			i++
			return d
		})
		o = Changed
	}
	return o
}

// Map redacts the entries of m that only selects (all when only is nil).
// Entries whose outcome is Drop are removed. When scanKeys is set, keys that
// hold personal data are renamed to their redacted form. Maps and slices
// inside values are redacted in full, keys included. If redaction fails
// unexpectedly, every selected entry becomes Redacted.
func (r *Redactor) Map(m pcommon.Map, st *Stats, only func(key string) bool, scanKeys bool) (o Outcome) {
	defer func() {
		if p := recover(); p != nil {
			st.FailClosed[InternalError]++
			m.Range(func(k string, v pcommon.Value) bool {
				if only == nil || only(k) {
					v.SetStr(Redacted)
				}
				return true
			})
			o = Changed
		}
	}()
	return r.mapAt(m, st, 0, only, scanKeys)
}

func (r *Redactor) mapAt(m pcommon.Map, st *Stats, depth int, only func(key string) bool, scanKeys bool) Outcome {
	o := Unchanged
	var drop []string
	var renames [][2]string
	m.Range(func(k string, v pcommon.Value) bool {
		if only != nil && !only(k) {
			return true
		}
		switch r.value(k, v, st, depth) {
		case Changed:
			o = Changed
		case Drop:
			drop = append(drop, k)
			return true
		}
		if !scanKeys {
			return true
		}
		if nk, ko := r.String("", k, st); ko == Changed {
			renames = append(renames, [2]string{k, nk})
		} else if ko == Drop {
			drop = append(drop, k)
		}
		return true
	})
	for _, k := range drop {
		m.Remove(k)
		o = Changed
	}
	for _, rn := range renames {
		if v, ok := m.Get(rn[0]); ok {
			if _, taken := m.Get(rn[1]); taken {
				// Two keys redact to one name (two addresses both become
				// <EMAIL>): the earlier entry is replaced, and counted.
				st.Dropped++
			}
			v.CopyTo(m.PutEmpty(rn[1]))
			m.Remove(rn[0])
			o = Changed
		}
	}
	return o
}
