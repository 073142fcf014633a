package scan

import (
	"unsafe"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

// A number run is a sequence of digit groups joined by single separators
// (space, '-', '.', or the parentheses of an area code): "+1 (415) 555-0132",
// "4111 1111 1111 1111", "192.168.0.1", "536-22-1234". Card numbers, phone
// numbers, SSNs and IPv4 addresses are all read from runs; a run may hold
// several of them, or one after unrelated digits, so candidates are tried on
// every span of groups that starts and ends at a space.

const maxGroups = 16

// maxCandidateGroups is the most groups any format has ("+33 1 23 45 67 89",
// "0 800 12 34 56 78" with a country code).
const maxCandidateGroups = 8

// versionWords near a dotted quad make it a version number, not an address.
var versionWords = []string{"version", "release", "build", "firmware", "ver", "ver."}

type group struct {
	start, end int
	sep        byte // separator before the group: 0 for the first
	paren      bool // written as "(415)"
}

type numRun struct {
	groups [maxGroups]group
	ng     int
	plus   int // position of a leading '+', or -1
	end    int
}

// parseRun reads the run at p into r.
func (st *state) parseRun(p int, r *numRun) {
	text := st.text
	n := len(text)
	r.ng, r.plus = 0, -1
	i := p
	if text[i] == '+' {
		r.plus = i
		i++
	}
	paren := p > 0 && text[p-1] == '(' && r.plus < 0
	sep := byte(0)
	for r.ng < maxGroups {
		gs := i
		for i < n && isDigit(text[i]) && i-gs < 20 {
			i++
		}
		if i == gs {
			break
		}
		r.groups[r.ng] = group{start: gs, end: i, sep: sep, paren: paren}
		r.ng++
		if i >= n {
			break
		}
		c := text[i]
		if paren && c != ')' {
			// "(" before digits that never close: a parenthesis around the
			// whole number, like "(020 7946 0958)".
			paren = false
			r.groups[r.ng-1].paren = false
		}
		if paren {
			paren = false
			j := i + 1
			if j < n && text[j] == ' ' {
				j++
			} else if j < n && text[j] == '-' {
				j++
			}
			if j < n && isDigit(text[j]) {
				i, sep = j, ')'
				continue
			}
			i++
			break
		}
		if c == ' ' || c == '-' || c == '.' {
			j := i + 1
			if j < n && isDigit(text[j]) {
				i, sep = j, c
				continue
			}
			// "+1 (415) …", "1 (415) …", "+44 (0)20 …": a parenthesis
			// continues a run only after a country or trunk prefix;
			// elsewhere it starts a new number.
			if c == ' ' && j+1 < n && text[j] == '(' && isDigit(text[j+1]) && r.ng == 1 &&
				(r.plus >= 0 || text[r.groups[0].start:r.groups[0].end] == "1") {
				i, sep, paren = j+1, ' ', true
				continue
			}
		}
		break
	}
	r.end = i
}

// numbers reads the run at p and emits the cards, phones, SSNs and IPv4
// addresses in it; it returns the end of the run.
func (st *state) numbers(p int) int {
	r := &st.run
	st.parseRun(p, r)
	if r.ng == 0 {
		return 0
	}
	endGlued := glued(st.text, r.end) || (r.end < len(st.text) && st.text[r.end] == '.' && r.end+1 < len(st.text) && isDigit(st.text[r.end+1]))
	// Digit counts before each group, to skip candidates no format allows
	// without classifying them.
	var before [maxGroups + 1]int
	for i := 0; i < r.ng; i++ {
		before[i+1] = before[i] + glen(r.groups[i])
	}
	for s := 0; s < r.ng; s++ {
		if s > 0 && r.groups[s].sep != ' ' {
			continue
		}
		for k := min(r.ng, s+maxCandidateGroups); k > s; k-- {
			if k < r.ng && r.groups[k].sep != ' ' {
				continue
			}
			if k == r.ng && endGlued {
				continue
			}
			// Digit counts the formats allow: SSN 9, card 13-19, phone 10-15
			// (8-15 after '+'), a dotted quad 4-12 in four groups.
			if nd := before[k] - before[s]; nd > 19 || nd < 9 && k-s != 4 && !(nd >= 8 && s == 0 && r.plus >= 0) {
				continue
			}
			if t, ok := st.classify(r, s, k); ok && st.s.on[t] {
				start := r.groups[s].start
				if s == 0 && r.plus >= 0 {
					start = r.plus
				} else if r.groups[s].paren {
					start--
				}
				st.emit(start, r.groups[k-1].end, t)
				s = k - 1
				break
			}
		}
	}
	return r.end
}

// classify decides what the groups s..k-1 of a run are.
func (st *state) classify(r *numRun, s, k int) (detect.Type, bool) {
	text := st.text
	gs := r.groups[s:k]
	d := st.digits[:0]
	for _, g := range gs {
		if len(d)+g.end-g.start > len(st.digits) {
			return 0, false
		}
		d = append(d, text[g.start:g.end]...)
	}
	// A view of st.digits, valid until the next candidate: the validators
	// it is passed to do not keep it.
	digits := unsafe.String(&st.digits[0], len(d))
	nd := len(digits)
	plus := s == 0 && r.plus >= 0
	paren := false
	seps := uint8(0) // bit set of separators used between groups
	for i, g := range gs {
		paren = paren || g.paren
		if i > 0 {
			switch g.sep {
			case ' ':
				seps |= 1
			case '-':
				seps |= 2
			case '.':
				seps |= 4
			case ')':
				seps |= 8
			}
		}
	}
	ng := len(gs)
	uniform := seps&(seps-1) == 0 // at most one kind of separator

	if !plus && !paren {
		if ng == 4 && seps == 4 && st.s.on[detect.IPv4] && detect.IPv4Valid(text[gs[0].start:gs[3].end]) &&
			!st.wordJustBefore(gs[0].start, versionWords...) && !st.clauseAfter(gs[3].end, 16, "firmware") {
			return detect.IPv4, true
		}
		if seps&4 == 0 && uniform {
			if ng == 3 && seps != 0 && glen(gs[0]) == 3 && glen(gs[1]) == 2 && glen(gs[2]) == 4 &&
				detect.SSNValid(digits[:3], digits[3:5], digits[5:]) {
				return detect.USSSN, true
			}
			if ng == 1 && nd == 9 && detect.SSNValid(digits[:3], digits[3:5], digits[5:]) &&
				st.clauseBefore(gs[0].start, 28, "ssn", "social security", "social-security") {
				return detect.USSSN, true
			}
			if nd >= 13 && nd <= 19 && seps&8 == 0 && cardGrouping(gs) && detect.CardNetwork(digits) && detect.Luhn(digits) {
				return detect.PaymentCard, true
			}
		}
	}
	if s > 0 {
		// A phone number is the whole run, never its tail: "Order 3672
		// 0800 5125 74" holds no phone.
		return 0, false
	}
	return st.phone(gs, digits, plus, paren, seps, uniform)
}

func glen(g group) int { return g.end - g.start }

// cardGrouping accepts how card numbers are written: unbroken, in fours
// (the last group 1-4 digits), or Amex/Diners 4-6-5 and 4-6-4.
func cardGrouping(gs []group) bool {
	if len(gs) == 1 {
		return true
	}
	if len(gs) == 3 && glen(gs[0]) == 4 && glen(gs[1]) == 6 && (glen(gs[2]) == 5 || glen(gs[2]) == 4) {
		return true
	}
	for i, g := range gs {
		l := glen(g)
		if i < len(gs)-1 && l != 4 || i == len(gs)-1 && (l < 1 || l > 4) {
			return false
		}
	}
	return true
}

func (st *state) phone(gs []group, digits string, plus, paren bool, seps uint8, uniform bool) (detect.Type, bool) {
	ng := len(gs)
	nd := len(digits)
	switch {
	case plus:
		// "+<country code> ..." in any grouping.
		if seps&4 != 0 && !uniform {
			return 0, false
		}
		return detect.Phone, detect.PhoneE164(digits)
	case paren:
		// "(415) 555-0132", "1 (415) 555-0132", "+44 (0)20 ..." is handled
		// above; the parenthesised group must be the area code.
		if nd == 10 && glen(gs[0]) == 3 && gs[0].paren {
			return detect.Phone, detect.PhoneNANP(digits)
		}
		if nd == 11 && digits[0] == '1' && ng >= 2 && gs[1].paren && glen(gs[1]) == 3 {
			return detect.Phone, detect.PhoneNANP(digits[1:])
		}
		if digits[0] == '0' && gs[0].paren && detect.PhoneTrunk(digits) {
			return detect.Phone, true
		}
		return 0, false
	}
	if ng >= 2 && nd >= 10 && digits[0] == '0' && digits[1] == '0' && seps == 1 && glen(gs[0]) <= 5 {
		// International call prefix 00 instead of '+', written with spaces.
		return detect.Phone, detect.PhoneE164(digits[2:])
	}
	if ng == 3 && nd == 10 && glen(gs[0]) == 3 && glen(gs[1]) == 3 && seps&8 == 0 {
		return detect.Phone, detect.PhoneNANP(digits)
	}
	if ng == 4 && nd == 11 && digits[0] == '1' && glen(gs[0]) == 1 && glen(gs[1]) == 3 && glen(gs[2]) == 3 && uniform {
		return detect.Phone, detect.PhoneNANP(digits[1:])
	}
	if ng >= 2 && digits[0] == '0' && uniform && detect.PhoneTrunk(digits) {
		first := glen(gs[0])
		if first < 2 || first > 5 {
			return 0, false
		}
		for _, g := range gs[1:] {
			if l := glen(g); l < 2 || l > 8 {
				return 0, false
			}
		}
		return detect.Phone, true
	}
	if ng == 1 && (nd == 10 || nd == 11) && st.clauseBefore(gs[0].start, 20, "phone", "tel", "call", "mobile", "cell", "sms", "whatsapp", "fax", "text me") {
		if detect.PhoneNANP(digits) || nd == 11 && digits[0] == '1' && detect.PhoneNANP(digits[1:]) || detect.PhoneTrunk(digits) {
			return detect.Phone, true
		}
	}
	return 0, false
}
