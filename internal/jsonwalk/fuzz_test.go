package jsonwalk

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// transforms are string rewrites of different shapes: whole-string changes,
// a change in the middle (exercises the verbatim copy of escapes around it),
// growth and shrinkage.
var transforms = []func(string) string{
	func(s string) string { return "<" + s + ">" },
	func(s string) string { return strings.Replace(s, "a", "<A\"\n>", 1) },
	func(s string) string {
		r := []rune(s) // cut at rune boundaries: a cut rune is a test artefact
		if len(r) < 3 {
			return s
		}
		return string(r[:len(r)/3]) + string(r[2*len(r)/3:])
	},
	func(s string) string { return strings.ReplaceAll(s, "e", "") },
}

func apply(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		for i := range x {
			x[i] = apply(x[i], f)
		}
	case map[string]any:
		for k := range x {
			x[k] = apply(x[k], f)
		}
	}
	return v
}

func decodeAny(t *testing.T, data []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("output is not valid JSON: %v\n%q", err, data)
	}
	return v
}

// FuzzRewrite checks Rewrite against encoding/json: it accepts exactly the
// documents encoding/json accepts, copies them unchanged when the callback
// changes nothing, and otherwise produces the document encoding/json would
// get by changing the same strings.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`{"role":"user","parts":[{"type":"text","content":"mail a@b.co"}]}`,
		`["caf\u00e9 \ud83d\ude00 \u0026 a\/b", 1.5e3, true, null]`,
		`"\ud800"`, `{"a":{"b":{"c":[[["deep"]]]}}}`, `[1,]`, `{"a" 1}`, "\"\xff\xfe\"",
	} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		out, changed, err := Rewrite(data, func(s string) (string, bool) { return s, false })
		valid := json.Valid(data)
		if errors.Is(err, ErrTooDeep) {
			return
		}
		if (err == nil) != valid {
			t.Fatalf("Rewrite error %v, json.Valid %v for %q", err, valid, data)
		}
		if err != nil {
			return
		}
		if changed || !bytes.Equal(out, data) {
			t.Fatalf("identity rewrite changed the document: %q -> %q", data, out)
		}

		tf := transforms[int(which)%len(transforms)]
		out, _, err = Rewrite(data, func(s string) (string, bool) { r := tf(s); return r, r != s })
		if err != nil {
			t.Fatalf("second walk failed: %v", err)
		}
		got := decodeAny(t, out)
		want := apply(decodeAny(t, data), func(s string) string {
			// encoding/json replaced invalid UTF-8 before tf saw it; apply the
			// transform to the same text.
			return tf(s)
		})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("rewritten document differs from encoding/json's\nin:   %q\nout:  %q\ngot:  %#v\nwant: %#v", data, out, got, want)
		}

		// Edits replacing every "e" give what encoding/json gets by replacing
		// them in the decoded strings.
		edits := Rewriter{Edits: func(_ string, s string, dst []Edit) []Edit {
			for i := 0; i < len(s); i++ {
				if s[i] == 'e' {
					dst = append(dst, Edit{Start: i, End: i + 1, Text: "<E\"/>"})
				}
			}
			return dst
		}}
		out, _, err = edits.Rewrite(data)
		if err != nil {
			t.Fatalf("edit walk failed: %v", err)
		}
		got = decodeAny(t, out)
		want = apply(decodeAny(t, data), func(s string) string { return strings.ReplaceAll(s, "e", "<E\"/>") })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("edited document differs\nin:  %q\nout: %q", data, out)
		}

		// Edits at arbitrary byte positions (inside escaped runes too, next
		// to each other, overlapping): still valid JSON, no panic.
		step := 1 + int(which)%4
		edits = Rewriter{Edits: func(_ string, s string, dst []Edit) []Edit {
			for i := 0; i < len(s); i += step {
				dst = append(dst, Edit{Start: i, End: i + 1 + int(which)%3, Text: "#"})
			}
			return dst
		}}
		out, _, err = edits.Rewrite(data)
		if err != nil || !json.Valid(out) {
			t.Fatalf("arbitrary edits: err %v, output %q", err, out)
		}

		// Keys and numbers: still valid JSON, no panic.
		rw := Rewriter{
			Key:    func(s string) (string, bool) { return tf(s), true },
			Number: func(_, s string) (string, bool) { return "n" + s, true },
		}
		out, _, err = rw.Rewrite(data)
		if err != nil || !json.Valid(out) {
			t.Fatalf("key/number rewrite: err %v, output %q", err, out)
		}
	})
}

// FuzzVisit checks that Visit and RewriteString agree on validity and that
// every decoded string equals encoding/json's decoding.
func FuzzVisit(f *testing.F) {
	f.Add(`["a\u00e9",{"k":"v"},2]`)
	f.Add(`"\udc00\ud800"`)
	f.Fuzz(func(t *testing.T, doc string) {
		var strs []string
		err := VisitString(doc, func(l Leaf) error {
			if l.Kind == KindString {
				strs = append(strs, l.Value)
			}
			return nil
		})
		if errors.Is(err, ErrTooDeep) {
			return
		}
		if (err == nil) != json.Valid([]byte(doc)) {
			t.Fatalf("Visit error %v for %q", err, doc)
		}
		if err != nil {
			return
		}
		// Compare against encoding/json for a top-level string.
		var s string
		if json.Unmarshal([]byte(doc), &s) == nil {
			if len(strs) != 1 || replaceInvalid(strs[0]) != s {
				t.Fatalf("decoded %q, encoding/json %q", strs, s)
			}
		}
	})
}

// replaceInvalid replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json does when it decodes a string.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
