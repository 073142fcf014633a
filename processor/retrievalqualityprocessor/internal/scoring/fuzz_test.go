package scoring

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
)

// FuzzScoreRetrievalSpan feeds arbitrary documents, labels, query and answer
// through the whole path a span takes (read, score, write): no panic, no
// score outside its range, nothing NaN.
func FuzzScoreRetrievalSpan(f *testing.F) {
	f.Add(`[{"id":"kb-1","score":0.9,"content":"reset your password"},{"id":"kb-2","score":0.9,"content":"plants"}]`, `{"kb-1":2}`, "reset password", "reset your password now", int64(2))
	f.Add(`[{"document":{"id":1e308,"score":"NaN","text":"x"}},"plain",null,{"metadata":{"id":"m"}}]`, `["a","a"]`, "", "", int64(-1))
	f.Add(`[]`, `kb-1,kb-2`, "日本", "日本", int64(1<<40))
	f.Add(`{`, `[{"id":"x","relevance":-1}]`, "q", "a", int64(0))
	f.Fuzz(func(t *testing.T, docs, lbls, query, answer string, topK int64) {
		span := ptrace.NewSpan()
		a := span.Attributes()
		a.PutStr(genai.AttrOperationName, "retrieval")
		a.PutStr(genai.AttrRetrievalQueryText, query)
		a.PutStr(genai.AttrRetrievalDocuments, docs)
		a.PutInt(genai.AttrRequestTopK, topK)
		r, _ := genai.ReadRetrieval(span)
		g, _ := labels.Parse(lbls)
		res := NewScorer(opts()).Score(Input{Retrieval: r, Answer: answer, HasAnswer: answer != "", Labels: g})
		for _, s := range res.Scores {
			if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
				t.Fatalf("%s = %v", s.Name, s.Value)
			}
			switch s.Name {
			case LexicalRelevance, QueryCoverage, Groundedness, ContextUtilization, HitRateAtK, MRRAtK, PrecisionAtK, RecallAtK, NDCGAtK:
				if s.Value < 0 || s.Value > 1+1e-9 {
					t.Fatalf("%s = %v out of [0, 1]", s.Name, s.Value)
				}
			case DocumentCount, DuplicateDocuments, ScoreSpread, ScoreGap:
				if s.Value < 0 {
					t.Fatalf("%s = %v negative", s.Name, s.Value)
				}
			}
		}
		Write(span, res)
		if !Scored(span) {
			t.Fatal("written span not marked scored")
		}
	})
}
