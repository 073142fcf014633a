package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import "bytes"

// StripANSI removes terminal escape sequences (colours, cursor moves, window
// titles) in place and returns the shortened slice. Lines without an ESC
// byte are returned untouched without a copy.
func StripANSI(b []byte) []byte {
	i := bytes.IndexByte(b, 0x1b)
	if i < 0 {
		return b
	}
	out := b[:i]
	for i < len(b) {
		c := b[i]
		if c != 0x1b {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			i++
			continue
		}
		switch b[i+1] {
		case '[': // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E
			j := i + 2
			for j < len(b) && b[j] >= 0x20 && b[j] <= 0x3f {
				j++
			}
			if j < len(b) && b[j] >= 0x40 && b[j] <= 0x7e {
				j++
			}
			i = j
		case ']', 'P', '_', '^': // OSC, DCS, APC, PM: up to BEL or ESC \
			j := i + 2
			for j < len(b) {
				if b[j] == 0x07 {
					j++
					break
				}
				if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
					j += 2
					break
				}
				j++
			}
			i = j
		default: // two-byte sequences (ESC c, ESC =, ESC (B ...)
			if b[i+1] == '(' || b[i+1] == ')' {
				i += 3
			} else {
				i += 2
			}
		}
	}
	return out
}
