package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"
)

// leadingNumber returns the number at the start of s (after spaces) as it is
// written, and what follows it.
func leadingNumber(s string) (num, rest string, ok bool) {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i+3 <= len(s) && (s[i]|0x20 == 'n' || s[i]|0x20 == 'i') {
		switch strings.ToLower(s[i : i+3]) {
		case "nan", "inf":
			return s[start : i+3], s[i+3:], true
		}
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return "", s, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	return s[start:i], s[i:], true
}

// number reads the number at the start of s: its text and value.
func number(s string) (string, float64, bool) {
	text, _, ok := leadingNumber(s)
	if !ok {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return "", 0, false
	}
	return text, v, true
}

// rustDuration reads a Rust Debug duration (`1.2s`, `49.382µs`, `12.5ms`,
// `100ns`) and returns seconds.
func rustDuration(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	text, rest, ok := leadingNumber(s)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, false
	}
	switch rest {
	case "s":
		return v, true
	case "ms":
		return clean(v / 1e3), true
	case "µs", "μs", "us":
		return clean(v / 1e6), true
	case "ns":
		return clean(v / 1e9), true
	case "m", "min":
		return clean(v * 60), true
	}
	return 0, false
}

// clean rounds away the binary noise a unit conversion adds (49.382µs is
// 4.9382e-05 s, not 4.9381999999999996e-05).
func clean(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// goDuration reads a Go duration (`1.234567s`, `523.4µs`, `1m2.3s`) and
// returns seconds.
func goDuration(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, false
	}
	return clean(d.Seconds()), true
}

// pairs walks a `Label: value, Label: value` list. A part without `: `
// continues the previous value (`Per-position acceptance rate: 0.8, 0.5`).
type pairs struct {
	s   string
	pos int
}

func (p *pairs) next() (label, value string, ok bool) {
	for p.pos < len(p.s) {
		rest := p.s[p.pos:]
		colon := strings.Index(rest, ": ")
		if colon < 0 {
			// A trailing label with an empty value (`#queue-req:`) or junk.
			p.pos = len(p.s)
			return "", "", false
		}
		// A ", " before the colon means the part had no label: skip it.
		if comma := strings.Index(rest[:colon], ", "); comma >= 0 {
			p.pos += comma + 2
			continue
		}
		label = strings.TrimSpace(rest[:colon])
		vstart := p.pos + colon + 2
		end := p.valueEnd(vstart)
		value = strings.TrimSpace(p.s[vstart:end])
		p.pos = end
		if p.pos < len(p.s) {
			p.pos += 2 // ", "
		}
		return label, value, true
	}
	return "", "", false
}

// valueEnd finds where the value starting at from ends: at the first ", "
// followed by a part that has a label.
func (p *pairs) valueEnd(from int) int {
	cur := from
	for {
		j := strings.Index(p.s[cur:], ", ")
		if j < 0 {
			return len(p.s)
		}
		j += cur
		nextPart := p.s[j+2:]
		if k := strings.Index(nextPart, ", "); k >= 0 {
			nextPart = nextPart[:k]
		}
		if strings.Contains(nextPart, ": ") || strings.HasSuffix(nextPart, ":") || nextPart == "" {
			return j
		}
		cur = j + 2
	}
}

// fieldSpec maps a label a server prints to the field name we give it.
type fieldSpec struct {
	label string
	name  string
	// pct: the value is a percentage; ratio fields are read as printed.
	pct bool
}

// readPairs reads the known labels of a pairs list into vals (indexed like
// specs), in one pass. It returns how many labels were found and whether one
// of them had a value that is not a number. A part without a label continues
// the previous value, whose leading number is all that is read.
func readPairs(s string, specs []fieldSpec, vals []string) (found int, bad bool) {
	pos := 0
	for pos < len(s) {
		end := strings.Index(s[pos:], ", ")
		if end < 0 {
			end = len(s)
		} else {
			end += pos
		}
		part := s[pos:end]
		if c := strings.Index(part, ": "); c >= 0 {
			label := strings.TrimSpace(part[:c])
			for i := range specs {
				if specs[i].label != label {
					continue
				}
				if vals[i] == "" {
					if text, _, ok := leadingNumber(part[c+2:]); ok {
						vals[i] = text
						found++
					} else {
						bad = true
					}
				}
				break
			}
		}
		pos = end + 2
	}
	return found, bad
}

// addFields appends the values read by readPairs, in spec order.
func (r *Record) addFields(specs []fieldSpec, vals []string) bool {
	good := true
	for i, v := range vals {
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			good = false
			continue
		}
		r.addNum(specs[i].name, v, f)
	}
	return good
}

// inferYear builds a time from a stamp without a year: the year is ref's,
// unless that puts the stamp more than two days after ref (a December line
// read in January), then the year before.
func inferYear(month, day, hour, minute, sec, nsec int, ref time.Time, loc *time.Location) time.Time {
	t := time.Date(ref.Year(), time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Sub(ref) > 48*time.Hour {
		t = time.Date(ref.Year()-1, time.Month(month), day, hour, minute, sec, nsec, loc)
	}
	return t
}

// digits reads n decimal digits at s[i:].
func digits(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for k := i; k < i+n; k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// fraction reads `.ddd` at s[i:] and returns nanoseconds and the index after.
func fraction(s string, i int) (int, int) {
	if i >= len(s) || s[i] != '.' {
		return 0, i
	}
	j := i + 1
	ns, scale := 0, 100000000
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		if scale > 0 {
			ns += int(s[j]-'0') * scale
			scale /= 10
		}
		j++
	}
	if j == i+1 {
		return 0, i
	}
	return ns, j
}

// clockAt reads HH:MM:SS at s[i:].
func clockAt(s string, i int) (h, m, sec int, ok bool) {
	if i+8 > len(s) || s[i+2] != ':' || s[i+5] != ':' {
		return 0, 0, 0, false
	}
	h, ok1 := digits(s, i, 2)
	m, ok2 := digits(s, i+3, 2)
	sec, ok3 := digits(s, i+6, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return 0, 0, 0, false
	}
	return h, m, sec, true
}

// dateAt reads YYYY-MM-DD (sep '-') or YYYY/MM/DD (sep '/') at s[i:].
func dateAt(s string, i int, sep byte) (y, mo, d int, ok bool) {
	if i+10 > len(s) || s[i+4] != sep || s[i+7] != sep {
		return 0, 0, 0, false
	}
	y, ok1 := digits(s, i, 4)
	mo, ok2 := digits(s, i+5, 2)
	d, ok3 := digits(s, i+8, 2)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return 0, 0, 0, false
	}
	return y, mo, d, true
}

// rfc3339At reads an RFC 3339 time at the start of s (`2024-05-01T10:00:00.123Z`,
// `...+02:00`); without a zone it is in loc. It returns the index after it.
func rfc3339At(s string, loc *time.Location) (time.Time, int, bool) {
	y, mo, d, ok := dateAt(s, 0, '-')
	if !ok || len(s) < 19 || (s[10] != 'T' && s[10] != ' ') {
		return time.Time{}, 0, false
	}
	h, m, sec, ok := clockAt(s, 11)
	if !ok {
		return time.Time{}, 0, false
	}
	ns, i := fraction(s, 19)
	zone := loc
	switch {
	case i < len(s) && (s[i] == 'Z' || s[i] == 'z'):
		zone = time.UTC
		i++
	case i+6 <= len(s) && (s[i] == '+' || s[i] == '-') && s[i+3] == ':':
		zh, ok1 := digits(s, i+1, 2)
		zm, ok2 := digits(s, i+4, 2)
		if ok1 && ok2 {
			off := zh*3600 + zm*60
			if s[i] == '-' {
				off = -off
			}
			zone = fixedZone(off)
			i += 6
		}
	}
	return time.Date(y, time.Month(mo), d, h, m, sec, ns, zone), i, true
}

// fixedZone returns UTC for offset 0 and a fixed zone otherwise. Times are
// compared by instant, so the zone's name does not matter.
func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// quotedAfter returns the text between the quotes that follow key in s
// (`key="value"`), or the bare token (`key=value`).
func quotedAfter(s, key string) (string, bool) {
	i := strings.Index(s, key)
	for i > 0 && s[i-1] != ' ' && s[i-1] != '{' && s[i-1] != ',' {
		j := strings.Index(s[i+1:], key)
		if j < 0 {
			return "", false
		}
		i += 1 + j
	}
	if i < 0 {
		return "", false
	}
	v := s[i+len(key):]
	if strings.HasPrefix(v, `"`) {
		end := strings.IndexByte(v[1:], '"')
		if end < 0 {
			return "", false
		}
		return v[1 : 1+end], true
	}
	end := strings.IndexAny(v, " },")
	if end < 0 {
		end = len(v)
	}
	return v[:end], true
}
