package redact

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
	"github.com/otelcol-ai/otelcol-ai/internal/jsonwalk"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

// FuzzRedactJSON runs JSON-aware redaction on arbitrary values: it must not
// fail internally, must keep valid JSON valid, and must leave none of the
// values the scanner claims in a string leaf.
func FuzzRedactJSON(f *testing.F) {
	td := genaidata.NewGenerator(5).ChatSpans(3, 600, time.Unix(1_700_000_000, 0))
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0).Attributes().Range(func(_ string, v pcommon.Value) bool {
			f.Add(v.AsString())
			return true
		})
	}
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"mail maria\u0040example.com \u0026 call +1 415 555 0132"}]}]`)
	f.Add(`{"arguments":"{\"card\":\"4111 1111 1111 1111\"}","password":"hunter2","n":4111111111111111}`)
	f.Add(`[{"a":"x"}, "truncated`)
	sc := scan.New(scan.Config{})
	r := New(Config{Scanner: sc, Actions: maskApplier(), MaxValueBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, doc string) {
		st := NewStats(32)
		out, _ := r.String("gen_ai.input.messages", doc, st)
		if st.FailClosed[InternalError] != 0 {
			t.Fatalf("internal error on %q", doc)
		}
		if out == Redacted {
			return
		}
		validIn := json.Valid([]byte(doc))
		if looksLikeJSON(doc) && validIn && !json.Valid([]byte(out)) {
			t.Fatalf("valid JSON became invalid:\nin:  %q\nout: %q", doc, out)
		}
		if !looksLikeJSON(doc) || !validIn {
			return
		}
		// What the scanner claims in plain (non-JSON) leaves must be gone.
		var claimed []string
		var leaves []string
		_ = jsonwalk.VisitString(doc, func(l jsonwalk.Leaf) error {
			if l.Kind != jsonwalk.KindString {
				return nil
			}
			leaves = append(leaves, l.Value)
			if looksLikeJSON(l.Value) {
				return nil
			}
			for _, m := range sc.Scan(l.Value, l.Member, nil) {
				claimed = append(claimed, l.Value[m.Start:m.End])
			}
			return nil
		})
		all := strings.Join(leaves, "\x00")
		var outLeaves []string
		_ = jsonwalk.VisitString(out, func(l jsonwalk.Leaf) error {
			outLeaves = append(outLeaves, l.Value)
			return nil
		})
		outAll := strings.Join(outLeaves, "\x00")
		for _, c := range claimed {
			if len(c) >= 6 && strings.Count(all, c) == 1 && strings.Contains(outAll, c) {
				t.Fatalf("claimed %q survives:\nin:  %q\nout: %q", c, doc, out)
			}
		}
	})
}

func maskApplier() *action.Applier {
	rules := make([]action.Rule, detect.NumBuiltin)
	for _, t := range detect.Builtin() {
		rules[t] = action.Rule{Label: detect.Label(t.Name())}
	}
	return action.New(rules, nil)
}
