package retrievalqualityprocessor

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/scoring"
)

const (
	benchDocs     = 10
	benchDocBytes = 1024
	spansPerBatch = 100
)

// benchDocuments returns n documents of about size bytes each, built from
// the demo corpus so that they read like real knowledge-base text.
func benchDocuments(n, size int) []map[string]any {
	docs := make([]map[string]any, n)
	for i := range n {
		var b strings.Builder
		for j := 0; b.Len() < size; j++ {
			d := genaidata.Documents[(i+j)%len(genaidata.Documents)]
			fmt.Fprintf(&b, "%s (section %d.%d) ", d.Content, i, j)
		}
		docs[i] = map[string]any{"id": fmt.Sprintf("kb-%03d", i), "score": 0.95 - float64(i)*0.04, "content": b.String()[:size]}
	}
	return docs
}

// ragTraces builds n RAG traces (a retrieval span of benchDocs documents and
// the LLM span whose answer quotes the first one), split into the retrieval
// spans and the answers.
func ragTraces(n int) (retrievals, answers ptrace.Traces) {
	docs := benchDocuments(benchDocs, benchDocBytes)
	docsJSON, _ := json.Marshal(docs)
	answer, _ := json.Marshal([]any{map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text",
		"content": "According to the knowledge base: " + docs[0]["content"].(string)[:300]}}}})
	retrievals, answers = ptrace.NewTraces(), ptrace.NewTraces()
	rss := retrievals.ResourceSpans().AppendEmpty()
	rss.Resource().Attributes().PutStr("service.name", "rag-api")
	ass := answers.ResourceSpans().AppendEmpty()
	ass.Resource().Attributes().PutStr("service.name", "rag-api")
	rspans := rss.ScopeSpans().AppendEmpty().Spans()
	aspans := ass.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	for i := range n {
		tid := pcommon.TraceID{byte(i), byte(i >> 8), byte(i >> 16), 1}
		r := rspans.AppendEmpty()
		r.SetTraceID(tid)
		r.SetSpanID(pcommon.SpanID{1, byte(i)})
		r.SetName("retrieval kb-index")
		r.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		r.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(50 * time.Millisecond)))
		ra := r.Attributes()
		ra.PutStr(genai.AttrOperationName, "retrieval")
		ra.PutStr(genai.AttrDataSourceID, "kb-index")
		ra.PutStr(genai.AttrRetrievalQueryText, "Which regions does the GPU cluster run in, and which nodes serve traffic?")
		ra.PutInt(genai.AttrRequestTopK, benchDocs)
		ra.PutStr(genai.AttrRetrievalDocuments, string(docsJSON))
		a := aspans.AppendEmpty()
		a.SetTraceID(tid)
		a.SetSpanID(pcommon.SpanID{2, byte(i)})
		a.SetName("chat gpt-4.1")
		a.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(60 * time.Millisecond)))
		a.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(900 * time.Millisecond)))
		a.Attributes().PutStr(genai.AttrOperationName, "chat")
		a.Attributes().PutStr(genai.AttrOutputMessages, string(answer))
	}
	return retrievals, answers
}

// BenchmarkRetrievalQuality measures retrieval spans scored per second with
// 10 documents of 1 KB each, for the scoring alone and through the
// processor with the answer in the same request or in a later one.
func BenchmarkRetrievalQuality(b *testing.B) {
	retrievals, answers := ragTraces(1)
	span := retrievals.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	r, err := genai.ReadRetrieval(span)
	require.NoError(b, err)
	answerText := genai.MessagesText(genai.SpanOutputMessages(answers.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)))
	grades := labels.Grades{"kb-000": 3, "kb-004": 1, "kb-042": 2}

	scoreOnly := func(relevance string, withLabels bool) func(*testing.B) {
		return func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.Lexical.Relevance = relevance
			s := scoring.NewScorer(cfg.scoringOptions())
			in := scoring.Input{Retrieval: r, Answer: answerText, HasAnswer: true}
			if withLabels {
				in.Labels = grades
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Score(in)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spans/s")
		}
	}
	b.Run("score/bm25", scoreOnly(relevanceBM25, false))
	b.Run("score/term_overlap", scoreOnly(relevanceTermOverlap, false))
	b.Run("score/bm25_with_labels", scoreOnly(relevanceBM25, true))

	through := func(wait time.Duration) func(*testing.B) {
		return func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.Wait = wait
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
			require.NoError(b, err)
			require.NoError(b, p.Start(context.Background(), nil))
			defer func() { require.NoError(b, p.Shutdown(context.Background())) }()
			rs, as := ragTraces(spansPerBatch)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				retr, ans := ptrace.NewTraces(), ptrace.NewTraces()
				rs.CopyTo(retr)
				as.CopyTo(ans)
				b.StartTimer()
				sendPair(b, p, wait, retr, ans)
			}
			b.ReportMetric(float64(b.N*spansPerBatch)/b.Elapsed().Seconds(), "spans/s")
		}
	}
	b.Run("processor/same_request", through(0))
	b.Run("processor/retrieval_then_answer", through(time.Minute))
}

// sendPair sends the retrievals and their answers: in one request without
// a wait, else the retrievals first (held) and the answers after.
func sendPair(b *testing.B, p processor.Traces, wait time.Duration, retr, ans ptrace.Traces) {
	ctx := context.Background()
	if wait == 0 {
		ans.ResourceSpans().MoveAndAppendTo(retr.ResourceSpans())
		require.NoError(b, p.ConsumeTraces(ctx, retr))
		return
	}
	require.NoError(b, p.ConsumeTraces(ctx, retr))
	require.NoError(b, p.ConsumeTraces(ctx, ans))
}
