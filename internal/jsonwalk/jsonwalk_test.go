package jsonwalk

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func upper(s string) (string, bool) {
	u := strings.ToUpper(s)
	return u, u != s
}

func TestRewriteChangesOnlyStringValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"scalar string", `"abc"`, `"ABC"`},
		{"member names stay", `{"role":"user","n":1.50e3}`, `{"role":"USER","n":1.50e3}`},
		{"whitespace and order stay", "{ \"b\" : [ \"x\" ,\ttrue, null ] ,\n\"a\":\"y\" }", "{ \"b\" : [ \"X\" ,\ttrue, null ] ,\n\"a\":\"Y\" }"},
		{"unchanged strings stay byte for byte", `["ABC","d\u0065f"]`, `["ABC","DEF"]`},
		{"nested arrays of objects", `[{"parts":[{"content":"hi"}]}]`, `[{"parts":[{"content":"HI"}]}]`},
		{"empty containers", `{"a":[],"b":{}}`, `{"a":[],"b":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed, err := RewriteString(tt.in, upper)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
			assert.Equal(t, tt.in != tt.want, changed)
			bout, bchanged, err := Rewrite([]byte(tt.in), upper)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(bout))
			assert.Equal(t, changed, bchanged)
		})
	}
}

func TestRewriteUnchangedReturnsTheInputWithoutCopy(t *testing.T) {
	in := []byte(`{"a":["x","y"],"b":1}`)
	out, changed, err := Rewrite(in, func(s string) (string, bool) { return s, false })
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Same(t, &in[0], &out[0])
}

func TestReplacementIsEscaped(t *testing.T) {
	out, _, err := RewriteString(`{"a":"x"}`, func(string) (string, bool) { return "q\"\\\n\x01<é>", true })
	require.NoError(t, err)
	assert.Equal(t, `{"a":"q\"\\\n\u0001<é>"}`, out)
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "q\"\\\n\x01<é>", v["a"])
}

func TestEscapesOutsideTheChangedPartKeepTheirSpelling(t *testing.T) {
	// "mail me at a@b.co \u0026 thanks\/bye" with the address replaced.
	in := `["caf\u00e9 mail a@b.co \u0026 thanks\/bye"]`
	out, changed, err := RewriteString(in, func(s string) (string, bool) {
		return strings.Replace(s, "a@b.co", "<EMAIL>", 1), true
	})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, `["caf\u00e9 mail <EMAIL> \u0026 thanks\/bye"]`, out)

	// A change that covers part of an escape's text re-escapes just that unit.
	out, _, err = RewriteString(`"x\u00e9y"`, func(s string) (string, bool) { return strings.Replace(s, "é", "e", 1), true })
	require.NoError(t, err)
	assert.Equal(t, `"xey"`, out)

	// Surrogate pairs decode to one rune and are kept when untouched.
	out, _, err = RewriteString(`"\ud83d\ude00 secret"`, func(s string) (string, bool) {
		return strings.Replace(s, "secret", "<X>", 1), true
	})
	require.NoError(t, err)
	assert.Equal(t, `"\ud83d\ude00 <X>"`, out)
}

func TestEditsKeepEveryByteOutsideThem(t *testing.T) {
	in := `{"content":"mail a@b.co \u0026 call 555\/0132 \u00e9t\u00e9", "n": 1}`
	rw := Rewriter{Edits: func(member string, s string, dst []Edit) []Edit {
		if i := strings.Index(s, "a@b.co"); i >= 0 {
			dst = append(dst, Edit{Start: i, End: i + 6, Text: "<EMAIL>"})
		}
		if i := strings.Index(s, "555/0132"); i >= 0 {
			dst = append(dst, Edit{Start: i, End: i + 8, Text: "<PHONE>"})
		}
		return dst
	}}
	out, changed, err := rw.RewriteString(in)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, `{"content":"mail <EMAIL> \u0026 call <PHONE> \u00e9t\u00e9", "n": 1}`, out)

	// An edit boundary inside an escaped rune widens to the whole escape.
	rw.Edits = func(_ string, s string, dst []Edit) []Edit {
		return append(dst, Edit{Start: 1, End: 2, Text: "?"})
	}
	out, _, err = rw.RewriteString(`"\u00e9x"`)
	require.NoError(t, err)
	assert.Equal(t, "\"\xc3?x\"", out, "the escape's text outside the edit is kept, the escape is not")

	// Edits that meet inside one escape are replaced together: neither gives
	// back text the other covers.
	rw.Edits = func(_ string, s string, dst []Edit) []Edit {
		return append(dst, Edit{Start: 0, End: 1, Text: "X"}, Edit{Start: 1, End: 2, Text: "Y"})
	}
	out, _, err = rw.RewriteString(`"\u00e9abc"`)
	require.NoError(t, err)
	assert.Equal(t, `"XYabc"`, out)
	rw.Edits = func(_ string, s string, dst []Edit) []Edit {
		return append(dst, Edit{Start: 0, End: 1, Text: "<A>"}, Edit{Start: 1, End: 4, Text: "<B>"})
	}
	out, _, err = rw.RewriteString(`"\u00e9secret, rest"`)
	require.NoError(t, err)
	assert.Equal(t, `"<A><B>cret, rest"`, out)

	// Overlapping or out-of-range edits are clamped, not skipped.
	rw.Edits = func(_ string, s string, dst []Edit) []Edit {
		return append(dst, Edit{Start: 0, End: 3, Text: "A"}, Edit{Start: 1, End: 99, Text: "B"})
	}
	out, _, err = rw.RewriteString(`"abcdef"`)
	require.NoError(t, err)
	assert.Equal(t, `"AB"`, out)
}

func TestEditBetweenCoversOnlyWhatChanged(t *testing.T) {
	assert.Equal(t, Edit{Start: 5, End: 22, Text: "<EMAIL>"}, EditBetween("mail maria@example.com now", "mail <EMAIL> now"))
	assert.Equal(t, Edit{Start: 3, End: 3}, EditBetween("abc", "abc"))
	assert.Equal(t, Edit{Start: 0, End: 3, Text: "xyz"}, EditBetween("abc", "xyz"))
	// A repeated byte at the seam is counted once.
	assert.Equal(t, Edit{Start: 2, End: 2, Text: "a"}, EditBetween("aa", "aaa"))
}

func TestDecodedTextMatchesEncodingJSON(t *testing.T) {
	in := `["\u00e9\ud83d\ude00\ud800x\udc00\"\\\/\b\f\n\r\t", "plain"]`
	var want []string
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	var got []string
	require.NoError(t, VisitString(in, func(l Leaf) error {
		got = append(got, l.Value)
		return nil
	}))
	assert.Equal(t, want, got)
}

func TestMemberIsTheNearestEnclosingName(t *testing.T) {
	in := `{"password":"a","list":["b",{"token":"c"}],"top":[["d"]]}`
	var got []string
	rw := Rewriter{Value: func(member, s string) (string, bool) {
		got = append(got, member+"="+s)
		return s, false
	}}
	_, _, err := rw.RewriteString(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"password=a", "list=b", "token=c", "top=d"}, got)
}

func TestKeysAndNumbersAreRewrittenOnRequest(t *testing.T) {
	rw := Rewriter{
		Key: func(name string) (string, bool) {
			if name == "a@b.co" {
				return "<EMAIL>", true
			}
			return name, false
		},
		Number: func(member, lit string) (string, bool) {
			if len(lit) > 10 {
				return "<CARD>", true
			}
			return lit, false
		},
	}
	out, changed, err := rw.RewriteString(`{"a@b.co":4111111111111111,"n":42,"x":-1.5e-3}`)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, `{"<EMAIL>":"<CARD>","n":42,"x":-1.5e-3}`, out)
}

func TestInvalidDocumentsAreRejected(t *testing.T) {
	bad := []string{
		``, ` `, `{`, `[`, `"abc`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`,
		`{a:1}`, `'x'`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `tru`, `nul`, `[true false]`,
		`"\x"`, `"\u12"`, `"\u12G4"`, "\"a\nb\"", `{"a":1}x`, `[1]]`, `NaN`, `"\`,
		// Control characters deep in long strings, where the body is
		// scanned eight bytes at a time.
		"\"a long message body\nwith a raw newline\"", "[\"0123456789abcdef\x01ghij\"]",
		"{\"content\":\"tab\tin the middle of a long value\"}",
	}
	for _, in := range bad {
		_, _, err := RewriteString(in, upper)
		var se *SyntaxError
		assert.ErrorAs(t, err, &se, "input %q", in)
		assert.False(t, json.Valid([]byte(in)), "test case %q is valid JSON", in)
		assert.Error(t, Validate([]byte(in)))
	}
}

func TestNestingIsBounded(t *testing.T) {
	deep := strings.Repeat("[", 20) + strings.Repeat("]", 20)
	rw := Rewriter{MaxDepth: 19}
	_, _, err := rw.RewriteString(deep)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrTooDeep))
	rw.MaxDepth = 20
	_, _, err = rw.RewriteString(deep)
	require.NoError(t, err)

	huge := strings.Repeat(`{"a":`, DefaultMaxDepth+1) + "1" + strings.Repeat("}", DefaultMaxDepth+1)
	assert.ErrorIs(t, Validate([]byte(huge)), ErrTooDeep)
}

func TestVisitReportsEveryLeafAndStopsOnError(t *testing.T) {
	var kinds []Kind
	err := Visit([]byte(`{"a":["s",1,true,false,null]}`), func(l Leaf) error {
		kinds = append(kinds, l.Kind)
		assert.Equal(t, 2, l.Depth)
		assert.Equal(t, "a", l.Member)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []Kind{KindString, KindNumber, KindTrue, KindFalse, KindNull}, kinds)

	stop := errors.New("enough")
	n := 0
	err = Visit([]byte(`["a","b","c"]`), func(Leaf) error {
		n++
		return stop
	})
	assert.Same(t, stop, err)
	assert.Equal(t, 1, n)
}

func TestAppendString(t *testing.T) {
	assert.Equal(t, `"a\"b\\c\td"`, string(AppendString(nil, "a\"b\\c\td")))
}
