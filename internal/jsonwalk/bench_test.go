package jsonwalk

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

// chatMessages returns gen_ai.input.messages values of about 2 KB each from
// the shared GenAI generator.
func chatMessages(tb testing.TB) []string {
	td := genaidata.NewGenerator(1).ChatSpans(70, 2048, time.Unix(1_700_000_000, 0))
	var docs []string
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		span := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0)
		if v, ok := span.Attributes().Get("gen_ai.input.messages"); ok {
			docs = append(docs, v.Str())
		}
	}
	if len(docs) == 0 {
		tb.Fatal("generator produced no message arrays")
	}
	return docs
}

func maskAt(s string) (string, bool) {
	if strings.IndexByte(s, '@') < 0 {
		return s, false
	}
	return strings.ReplaceAll(s, "@", "<AT>"), true
}

func rewriteAny(v any, fn func(string) (string, bool)) any {
	switch x := v.(type) {
	case string:
		if r, ok := fn(x); ok {
			return r
		}
	case []any:
		for i := range x {
			x[i] = rewriteAny(x[i], fn)
		}
	case map[string]any:
		for k := range x {
			x[k] = rewriteAny(x[k], fn)
		}
	}
	return v
}

// BenchmarkRewrite compares rewriting the string leaves of GenAI message
// arrays with jsonwalk against decoding and re-encoding them with
// encoding/json.
func BenchmarkRewrite(b *testing.B) {
	docs := chatMessages(b)
	var total int64
	for _, d := range docs {
		total += int64(len(d))
	}
	run := func(b *testing.B, f func(doc string)) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range docs {
				f(d)
			}
		}
	}
	b.Run("jsonwalk_validate_only", func(b *testing.B) {
		run(b, func(d string) {
			if _, _, err := RewriteString(d, func(s string) (string, bool) { return s, false }); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("jsonwalk_rewrite", func(b *testing.B) {
		run(b, func(d string) {
			if _, _, err := RewriteString(d, maskAt); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("encoding_json_unmarshal_marshal", func(b *testing.B) {
		run(b, func(d string) {
			var v any
			if err := json.Unmarshal([]byte(d), &v); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(rewriteAny(v, maskAt)); err != nil {
				b.Fatal(err)
			}
		})
	})
}
