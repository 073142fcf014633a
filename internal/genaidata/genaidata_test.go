package genaidata

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestSameSeedSameData(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	a := NewGenerator(7).Batch(now)
	b := NewGenerator(7).Batch(now)
	m := ptrace.ProtoMarshaler{}
	ab, err := m.MarshalTraces(a.Traces)
	require.NoError(t, err)
	bb, err := m.MarshalTraces(b.Traces)
	require.NoError(t, err)
	assert.Equal(t, ab, bb)
}

func TestBatchHasEveryScenario(t *testing.T) {
	b := NewGenerator(1).Batch(time.Now())
	// a server and a client span per model, then a retrieval and an LLM span
	assert.Equal(t, 2*len(Models)+2, b.Traces.SpanCount())
	var retrieval, openInference, older int
	rss := b.Traces.ResourceSpans()
	for i := range rss.Len() {
		spans := rss.At(i).ScopeSpans().At(0).Spans()
		for j := range spans.Len() {
			a := spans.At(j).Attributes()
			if v, ok := a.Get("gen_ai.operation.name"); ok && v.Str() == "retrieval" {
				retrieval++
				raw, _ := a.Get("gen_ai.retrieval.documents")
				var docs []map[string]any
				require.NoError(t, json.Unmarshal([]byte(raw.Str()), &docs))
				assert.Len(t, docs, 4)
			}
			if _, ok := a.Get("openinference.span.kind"); ok {
				openInference++
			}
			if _, ok := a.Get("gen_ai.usage.prompt_tokens"); ok {
				older++
			}
			if v, ok := a.Get("gen_ai.input.messages"); ok {
				assert.True(t, json.Valid([]byte(v.Str())), "messages are valid JSON")
			}
		}
	}
	assert.Equal(t, 1, retrieval)
	assert.Equal(t, 1, openInference)
	assert.Equal(t, 1, older)
	assert.Equal(t, 2, b.Logs.LogRecordCount())
}

func TestLatencyHistogramIsCumulative(t *testing.T) {
	g := NewGenerator(3)
	now := time.Now()
	first := g.Batch(now).Metrics
	second := g.Batch(now.Add(time.Second)).Metrics
	count := func(md pmetric.Metrics) uint64 {
		ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
		var n uint64
		for i := range ms.Len() {
			if ms.At(i).Name() == "gen_ai.server.request.duration" {
				dps := ms.At(i).Histogram().DataPoints()
				for j := range dps.Len() {
					n += dps.At(j).Count()
					assert.Equal(t, dps.At(j).BucketCounts().Len(), dps.At(j).ExplicitBounds().Len()+1)
				}
			}
		}
		return n
	}
	assert.Equal(t, uint64(RequestsPerBatch*len(Models)), count(first))
	assert.Equal(t, uint64(2*RequestsPerBatch*len(Models)), count(second))
}

func TestChatSpansHaveRequestedMessageSize(t *testing.T) {
	td := NewGenerator(1).ChatSpans(10, 2048, time.Now())
	require.Equal(t, 10, td.SpanCount())
	a := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	v, ok := a.Get("gen_ai.input.messages")
	require.True(t, ok)
	assert.GreaterOrEqual(t, len(v.Str()), 2048)
}

func TestDegradedModelsStandOutInTheRequestCounters(t *testing.T) {
	g := NewGenerator(5)
	now := time.Now()
	var md pmetric.Metrics
	for i := range 20 {
		md = g.Batch(now.Add(time.Duration(i) * 2 * time.Second)).Metrics
	}
	errorRatio := map[string]float64{}
	total := map[string]int64{}
	errs := map[string]int64{}
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := range ms.Len() {
		if ms.At(i).Name() != "gen_ai.server.requests" {
			continue
		}
		dps := ms.At(i).Sum().DataPoints()
		for j := range dps.Len() {
			model, _ := dps.At(j).Attributes().Get("gen_ai.request.model")
			outcome, _ := dps.At(j).Attributes().Get("outcome")
			total[model.Str()] += dps.At(j).IntValue()
			if outcome.Str() == "error" {
				errs[model.Str()] += dps.At(j).IntValue()
			}
		}
	}
	for m, n := range total {
		errorRatio[m] = float64(errs[m]) / float64(n)
	}
	assert.Equal(t, int64(20*RequestsPerBatch), total["o3-mini"])
	assert.Greater(t, errorRatio["o3-mini"], 0.05)
	assert.Less(t, errorRatio["gpt-4o"], 0.01)
}
