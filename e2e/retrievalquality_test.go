//go:build e2e

package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

const retrievalQualityConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
processors:
  retrieval_quality:
    wait: 2s
  batch:
    timeout: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [retrieval_quality, batch]
      exporters: [otlp_grpc]
`

const retrievalSpanName = "retrieval kb-index"

// ragRequests returns the demo's RAG trace (internal/genaidata) split into
// two requests, the retrieval span and the LLM span, and the id of the
// document the answer quotes.
func ragRequests(t *testing.T, seed int64) (retrieval, answer ptrace.Traces, quoted string) {
	t.Helper()
	batch := genaidata.NewGenerator(seed).Batch(time.Now())
	rss := batch.Traces.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		spans := rs.ScopeSpans().At(0).Spans()
		found := false
		for k := range spans.Len() {
			if spans.At(k).Name() == retrievalSpanName {
				r, err := genai.ReadRetrieval(spans.At(k))
				require.NoError(t, err)
				require.NotEmpty(t, r.Documents)
				quoted = r.Documents[0].ID
				found = true
			}
		}
		if !found {
			continue
		}
		retrieval, answer = ptrace.NewTraces(), ptrace.NewTraces()
		rs.CopyTo(retrieval.ResourceSpans().AppendEmpty())
		rs.CopyTo(answer.ResourceSpans().AppendEmpty())
		retrieval.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.Name() != retrievalSpanName })
		answer.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.Name() == retrievalSpanName })
		require.Equal(t, 1, retrieval.SpanCount())
		require.Equal(t, 1, answer.SpanCount())
		return retrieval, answer, quoted
	}
	t.Fatal("the generator made no RAG trace")
	return
}

func traceID(td ptrace.Traces) pcommon.TraceID {
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
}

// receivedSpan finds a span by trace ID and name among what the sink got.
func receivedSpan(sink *Sink, id pcommon.TraceID, name string) (ptrace.Span, bool) {
	for _, td := range sink.Traces.AllTraces() {
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			sss := rss.At(i).ScopeSpans()
			for j := range sss.Len() {
				spans := sss.At(j).Spans()
				for k := range spans.Len() {
					if s := spans.At(k); s.TraceID() == id && s.Name() == name {
						return s, true
					}
				}
			}
		}
	}
	return ptrace.Span{}, false
}

func spanAttr(span ptrace.Span, key string) any {
	if v, ok := span.Attributes().Get(key); ok {
		return v.AsRaw()
	}
	return nil
}

func evaluationNames(span ptrace.Span) []string {
	var names []string
	for i := range span.Events().Len() {
		ev := span.Events().At(i)
		if ev.Name() != genai.EventEvaluationResult {
			continue
		}
		if v, ok := ev.Attributes().Get(genai.AttrEvaluationName); ok {
			names = append(names, v.Str())
		}
	}
	return names
}

func waitForSpan(t *testing.T, sink *Sink, id pcommon.TraceID, name string, within time.Duration) ptrace.Span {
	t.Helper()
	var span ptrace.Span
	require.Eventually(t, func() bool {
		var ok bool
		span, ok = receivedSpan(sink, id, name)
		return ok
	}, within, 20*time.Millisecond, "span %q of trace %s never reached the sink", name, id)
	return span
}

func assertGrounded(t *testing.T, span ptrace.Span, quoted string) {
	t.Helper()
	assert.Equal(t, true, spanAttr(span, "gen_ai.retrieval.evaluation.answer_found"))
	g, ok := spanAttr(span, "gen_ai.retrieval.evaluation.groundedness.value").(float64)
	require.True(t, ok, "groundedness written")
	// The demo's answer quotes the first document after a short preamble.
	assert.Greater(t, g, 0.5)
	assert.Contains(t, spanAttr(span, "gen_ai.retrieval.evaluation.documents_used"), quoted)
	names := evaluationNames(span)
	for _, want := range []string{"retrieval.document_count", "retrieval.top_score", "retrieval.score_gap", "retrieval.lexical_relevance", "retrieval.query_coverage", "retrieval.groundedness", "retrieval.context_utilization"} {
		assert.Contains(t, names, want)
	}
}

// A retrieval span and the LLM span with its answer, sent in separate
// requests in either order, meet in the processor: the retrieval span comes
// out scored with the answer's groundedness. A retrieval whose answer never
// comes is scored without it after the wait.
func TestRetrievalQualityPairsSpansArrivingInEitherOrder(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	StartWithSink(t, ports, sink, retrievalQualityConfig, nil)
	sender := NewSender(t, ports.Endpoint("otlp"))

	t.Run("retrieval first", func(t *testing.T) {
		retrieval, answer, quoted := ragRequests(t, 101)
		id := traceID(retrieval)
		sender.SendTraces(t, retrieval)
		// Held while it waits for its answer.
		time.Sleep(500 * time.Millisecond)
		_, early := receivedSpan(sink, id, retrievalSpanName)
		assert.False(t, early, "the retrieval waits for its answer")
		sender.SendTraces(t, answer)
		span := waitForSpan(t, sink, id, retrievalSpanName, 10*time.Second)
		assertGrounded(t, span, quoted)
	})

	t.Run("answer first", func(t *testing.T) {
		retrieval, answer, quoted := ragRequests(t, 202)
		id := traceID(retrieval)
		sender.SendTraces(t, answer)
		llm := waitForSpan(t, sink, id, "chat gpt-4.1", 10*time.Second)
		assert.Zero(t, llm.Events().Len(), "the LLM span passes unchanged")
		sender.SendTraces(t, retrieval)
		span := waitForSpan(t, sink, id, retrievalSpanName, 10*time.Second)
		assertGrounded(t, span, quoted)
	})

	t.Run("no answer within the wait", func(t *testing.T) {
		retrieval, _, _ := ragRequests(t, 303)
		id := traceID(retrieval)
		start := time.Now()
		sender.SendTraces(t, retrieval)
		span := waitForSpan(t, sink, id, retrievalSpanName, 15*time.Second)
		assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "released after the 2s wait")
		assert.Equal(t, false, spanAttr(span, "gen_ai.retrieval.evaluation.answer_found"))
		assert.Nil(t, spanAttr(span, "gen_ai.retrieval.evaluation.groundedness.value"))
		assert.NotNil(t, spanAttr(span, "gen_ai.retrieval.evaluation.query_coverage.value"))
	})

	// The collector's own counters say what happened.
	require.Eventually(t, func() bool {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		return counter(page, "otelcol_retrieval_quality_spans_scored", `shape="semconv"`) == 3 &&
			counter(page, "otelcol_retrieval_quality_spans_scored_without_answer", `reason="wait_elapsed"`) == 1
	}, 10*time.Second, 200*time.Millisecond, "self metrics:\n%s", SelfMetrics(t, ports.Endpoint("telemetry")))
}

// counter returns the value of the first sample of a Prometheus metric whose
// name starts with name and whose labels contain label, or -1.
func counter(page, name, label string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `[a-z_]*\{([^}]*)\} ([0-9.e+-]+)$`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], label) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// The gateway example runs as shipped (ports and backend swapped for the
// test's): retrieval spans come out scored and signal_to_metrics turns them
// into retrieval metrics per data source.
func TestGatewayExampleScoresRetrievalsAndCountsThem(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	StartGatewayExample(t, ports, sink, "--set=service.telemetry.metrics.level=none")
	sender := NewSender(t, ports.Endpoint("otlp"))
	retrieval, answer, quoted := ragRequests(t, 404)
	id := traceID(retrieval)
	sender.SendTraces(t, retrieval)
	sender.SendTraces(t, answer)
	span := waitForSpan(t, sink, id, retrievalSpanName, 15*time.Second)
	assertGrounded(t, span, quoted)

	require.Eventually(t, func() bool {
		return hasMetric(sink, "gen_ai.retrieval.evaluations", "kb-index") && hasMetric(sink, "gen_ai.retrieval.groundedness", "kb-index")
	}, 15*time.Second, 100*time.Millisecond, "retrieval metrics never reached the sink")
}

// hasMetric reports whether the sink got a metric with a data point whose
// gen_ai.data_source.id is source.
func hasMetric(sink *Sink, name, source string) bool {
	for _, md := range sink.Metrics.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := range rms.Len() {
			sms := rms.At(i).ScopeMetrics()
			for j := range sms.Len() {
				ms := sms.At(j).Metrics()
				for k := range ms.Len() {
					m := ms.At(k)
					if m.Name() != name {
						continue
					}
					var attrs []pcommon.Map
					switch m.Type() {
					case pmetric.MetricTypeSum:
						for p := range m.Sum().DataPoints().Len() {
							attrs = append(attrs, m.Sum().DataPoints().At(p).Attributes())
						}
					case pmetric.MetricTypeHistogram:
						for p := range m.Histogram().DataPoints().Len() {
							attrs = append(attrs, m.Histogram().DataPoints().At(p).Attributes())
						}
					}
					for _, a := range attrs {
						if v, ok := a.Get("gen_ai.data_source.id"); ok && v.Str() == source {
							return true
						}
					}
				}
			}
		}
	}
	return false
}
