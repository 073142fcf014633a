package redact

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

func newRedactor(t *testing.T, kinds map[detect.Type]action.Kind, maxBytes int) *Redactor {
	t.Helper()
	rules := make([]action.Rule, detect.NumBuiltin)
	for _, ty := range detect.Builtin() {
		rules[ty] = action.Rule{Kind: kinds[ty], Label: detect.Label(ty.Name())}
	}
	return New(Config{
		Scanner:       scan.New(scan.Config{}),
		Actions:       action.New(rules, []byte("0123456789abcdef0123456789abcdef")),
		MaxValueBytes: maxBytes,
	})
}

func stats() *Stats { return NewStats(int(detect.NumBuiltin)) }

func TestTextIsMaskedAndCounted(t *testing.T) {
	r := newRedactor(t, nil, 0)
	st := stats()
	out, o := r.String("gen_ai.prompt", "I'm maria@example.com, card 4111 1111 1111 1111.", st)
	assert.Equal(t, Changed, o)
	assert.Equal(t, "I'm <EMAIL>, card <PAYMENT_CARD>.", out)
	assert.EqualValues(t, 1, st.Matches[detect.Email])
	assert.EqualValues(t, 1, st.Matches[detect.PaymentCard])
	assert.EqualValues(t, 1, st.Values)
	assert.EqualValues(t, len("I'm maria@example.com, card 4111 1111 1111 1111."), st.Bytes)

	out, o = r.String("gen_ai.prompt", "nothing to see", st)
	assert.Equal(t, Unchanged, o)
	assert.Equal(t, "nothing to see", out)
}

func TestJSONKeepsStructureAndRewritesOnlyLeaves(t *testing.T) {
	r := newRedactor(t, nil, 0)
	in := `[{"role":"user","parts":[{"type":"text","content":"mail maria@example.com \u0026 call +44 20 7946 0958"}]},` +
		`{"role":"tool","parts":[{"type":"tool_call","arguments":{"password":"hunter2","card":4111111111111111,"n":42}}]},` +
		`{"maria@example.com":"as key"}]`
	out, o := r.String("gen_ai.input.messages", in, stats())
	require.Equal(t, Changed, o)
	assert.Equal(t, `[{"role":"user","parts":[{"type":"text","content":"mail <EMAIL> \u0026 call <PHONE>"}]},`+
		`{"role":"tool","parts":[{"type":"tool_call","arguments":{"password":"<SECRET>","card":"<PAYMENT_CARD>","n":42}}]},`+
		`{"<EMAIL>":"as key"}]`, out)
	assert.True(t, json.Valid([]byte(out)))
}

func TestEscapedPersonalDataInJSONIsFound(t *testing.T) {
	r := newRedactor(t, nil, 0)
	out, _ := r.String("k", `{"content":"maria\u0040example.com"}`, stats())
	assert.Equal(t, `{"content":"<EMAIL>"}`, out)
}

func TestJSONInsideJSONIsWalkedToo(t *testing.T) {
	r := newRedactor(t, nil, 0)
	inner := `{"email":"maria@example.com","note":"ok"}`
	b, _ := json.Marshal(map[string]string{"arguments": inner})
	out, o := r.String("gen_ai.output.messages", string(b), stats())
	require.Equal(t, Changed, o)
	var got map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.JSONEq(t, `{"email":"<EMAIL>","note":"ok"}`, got["arguments"])
}

// Escapes inside JSON held in a JSON string are doubled in the outer text
// ("maria\\u0040example.com"): only walking the inner document finds what
// they spell.
func TestEscapesInJSONInsideJSONCannotHideAValue(t *testing.T) {
	r := newRedactor(t, nil, 0)
	inner := `{"to":"maria\u0040example.com","note":"ok"}`
	b, _ := json.Marshal(map[string]string{"arguments": inner})
	out, o := r.String("gen_ai.tool.call.arguments", string(b), stats())
	require.Equal(t, Changed, o)
	var got map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.JSONEq(t, `{"to":"<EMAIL>","note":"ok"}`, got["arguments"])
}

func TestFailClosed(t *testing.T) {
	r := newRedactor(t, nil, 64)
	st := stats()

	out, o := r.String("k", strings.Repeat("a", 65), st)
	assert.Equal(t, Redacted, out)
	assert.Equal(t, Changed, o)
	assert.EqualValues(t, 1, st.FailClosed[TooLarge])

	out, _ = r.String("k", `[{"content":"maria\u0040example.com"`, st) // truncated JSON
	assert.Equal(t, Redacted, out)
	assert.EqualValues(t, 1, st.FailClosed[ParseError])

	r.SetFailHook(func(s string) {
		if strings.Contains(s, "boom") {
			panic("scanner bug")
		}
	})
	out, _ = r.String("k", "boom maria@example.com", st)
	assert.Equal(t, Redacted, out)
	assert.EqualValues(t, 1, st.FailClosed[InternalError])
	assert.EqualValues(t, 3, st.TotalFailClosed())
}

func TestTextThatOnlyStartsLikeJSONStaysText(t *testing.T) {
	r := newRedactor(t, nil, 0)
	for in, want := range map[string]string{
		"[INFO] user maria@example.com logged in": "[INFO] user <EMAIL> logged in",
		"[1] Smith et al., maria@example.com":     "[1] Smith et al., <EMAIL>",
		"{curly} maria@example.com":               "{curly} <EMAIL>",
	} {
		out, _ := r.String("k", in, stats())
		assert.Equal(t, want, out)
	}
}

func TestDropActionRemovesTheWholeValue(t *testing.T) {
	r := newRedactor(t, map[detect.Type]action.Kind{detect.PaymentCard: action.Drop}, 0)
	st := stats()
	_, o := r.String("k", `[{"content":"card 4111 1111 1111 1111"}]`, st)
	assert.Equal(t, Drop, o)
	assert.EqualValues(t, 1, st.Dropped)
	_, o = r.String("k", "mail maria@example.com", st)
	assert.Equal(t, Changed, o)
}

func TestPseudonymizeIsStableAcrossValues(t *testing.T) {
	r := newRedactor(t, map[detect.Type]action.Kind{detect.Email: action.Pseudonymize}, 0)
	a, _ := r.String("k", "from maria@example.com", stats())
	b, _ := r.String("k", `[{"content":"MARIA@example.com wrote"}]`, stats())
	tok := a[len("from "):]
	assert.Regexp(t, `^<EMAIL:[0-9a-f]{8}>$`, tok)
	assert.Contains(t, b, tok)
}

func TestSecretKeysMaskTheWholeValue(t *testing.T) {
	r := newRedactor(t, nil, 0)
	out, o := r.String("db.password", "correct horse battery staple", stats())
	assert.Equal(t, Changed, o)
	assert.Equal(t, "<SECRET>", out)
	out, o = r.String("db.password", "", stats())
	assert.Equal(t, Unchanged, o)
	assert.Equal(t, "", out)
}

func TestPdataValuesAreRedactedRecursively(t *testing.T) {
	r := newRedactor(t, map[detect.Type]action.Kind{detect.IBAN: action.Drop}, 0)
	body := pcommon.NewValueMap()
	m := body.Map()
	m.PutStr("message", "ticket by maria@example.com")
	m.PutStr("iban", "DE89 3704 0044 0532 0130 00")
	m.PutInt("card", 4111111111111111)
	m.PutInt("count", 3)
	m.PutStr("kenji@example.org", "as key")
	msgs := m.PutEmptySlice("messages")
	msgs.AppendEmpty().SetStr("call +1 415 555 0132")
	msgs.AppendEmpty().SetStr("IBAN GB82 WEST 1234 5698 7654 32")
	msgs.AppendEmpty().SetEmptyMap().PutStr("content", "token=abc123def")
	m.PutEmptyBytes("raw").FromRaw([]byte("maria@example.com"))

	st := stats()
	assert.Equal(t, Changed, r.Value("", body, st))
	assert.Equal(t, map[string]any{
		"message":  "ticket by <EMAIL>",
		"card":     "<PAYMENT_CARD>",
		"count":    int64(3),
		"<EMAIL>":  "as key",
		"messages": []any{"call <PHONE>", map[string]any{"content": "token=<SECRET>"}},
		"raw":      []byte("maria@example.com"),
	}, body.Map().AsRaw())
	assert.EqualValues(t, 2, st.Dropped)
}

func TestKeysThatRedactToOneNameAreCountedWhenOneIsLost(t *testing.T) {
	r := newRedactor(t, nil, 0)
	body := pcommon.NewValueMap()
	body.Map().PutStr("maria@example.com", "first")
	body.Map().PutStr("kenji@example.org", "second")
	body.Map().PutStr("note", "kept")
	st := stats()
	assert.Equal(t, Changed, r.Value("", body, st))
	assert.Equal(t, 2, body.Map().Len(), "both addresses became <EMAIL>")
	assert.Contains(t, body.Map().AsRaw(), "<EMAIL>")
	assert.EqualValues(t, 1, st.Dropped, "the value that lost its key is counted")
}

func TestDeepPdataNestingFailsClosed(t *testing.T) {
	r := newRedactor(t, nil, 0)
	v := pcommon.NewValueMap()
	cur := v.Map()
	for range 70 {
		cur = cur.PutEmptyMap("m")
	}
	cur.PutStr("x", "maria@example.com")
	st := stats()
	r.Value("", v, st)
	assert.EqualValues(t, 1, st.FailClosed[ParseError])
	assert.NotContains(t, strings.Join(flatten(v), " "), "maria")
}

func flatten(v pcommon.Value) []string {
	switch v.Type() {
	case pcommon.ValueTypeMap:
		var out []string
		v.Map().Range(func(k string, e pcommon.Value) bool {
			out = append(out, k)
			out = append(out, flatten(e)...)
			return true
		})
		return out
	case pcommon.ValueTypeSlice:
		var out []string
		for i := 0; i < v.Slice().Len(); i++ {
			out = append(out, flatten(v.Slice().At(i))...)
		}
		return out
	}
	return []string{v.AsString()}
}
