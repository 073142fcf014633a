package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

func TestUnredactedDemoTrafficIsReportedAsALeak(t *testing.T) {
	s := NewSummary(genaidata.PersonalData())
	b := genaidata.NewGenerator(1).Batch(time.Now())
	s.AddTraces(b.Traces)
	s.AddLogs(b.Logs)
	var out bytes.Buffer
	s.Render(&out)
	assert.Contains(t, out.String(), "LEAK:")
}

func TestProcessedTrafficIsSummarised(t *testing.T) {
	s := NewSummary(genaidata.PersonalData())

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	chat := spans.AppendEmpty().Attributes()
	chat.PutStr("gen_ai.request.model", "gpt-4o")
	chat.PutInt("gen_ai.usage.input_tokens", 1000)
	chat.PutInt("gen_ai.usage.output_tokens", 1000)
	chat.PutDouble("gen_ai.usage.cost.amount", 0.0125)
	chat.PutInt("prompt_redaction.matches.email", 2)
	chat.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"mail <EMAIL>"}]}]`)
	own := spans.AppendEmpty().Attributes()
	own.PutStr("gen_ai.request.model", "llama")
	own.PutStr("gen_ai.usage.cost.unpriced", "self_hosted")
	rag := spans.AppendEmpty().Attributes()
	rag.PutDouble("gen_ai.retrieval.evaluation.groundedness.value", 0.8)
	rag.PutDouble("gen_ai.retrieval.evaluation.ndcg_at_k.value", 0.6)
	rag.PutStr("gen_ai.retrieval.evaluation.label", "good")
	s.AddTraces(td)

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	gauge := func(name string, v float64, kv map[string]any) {
		m := ms.AppendEmpty()
		m.SetName(name)
		p := m.SetEmptyGauge().DataPoints().AppendEmpty()
		p.SetDoubleValue(v)
		_ = p.Attributes().FromRaw(kv)
	}
	slo := map[string]any{"slo.name": "chat-latency", "gen_ai.request.model": "gpt-4o"}
	gauge("slo.burn_rate", 16.5, map[string]any{"slo.name": "chat-latency", "gen_ai.request.model": "gpt-4o", "slo.window": "1h"})
	gauge("slo.burn_rate", 2, map[string]any{"slo.name": "chat-latency", "gen_ai.request.model": "gpt-4o", "slo.window": "5m"})
	gauge("slo.alert.firing", 1, map[string]any{"slo.name": "chat-latency", "gen_ai.request.model": "gpt-4o", "slo.severity": "page"})
	gauge("slo.error_budget.remaining", 0.25, slo)
	gpu := md.ResourceMetrics().AppendEmpty()
	gpu.Resource().Attributes().PutStr("hw.id", "GPU-1")
	gm := gpu.ScopeMetrics().AppendEmpty().Metrics()
	u := gm.AppendEmpty()
	u.SetName("hw.gpu.utilization")
	up := u.SetEmptyGauge().DataPoints().AppendEmpty()
	up.SetDoubleValue(0.5)
	up.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	s.AddMetrics(md)

	var out bytes.Buffer
	s.Render(&out)
	text := out.String()
	for _, want := range []string{
		"redaction  2 values masked (email 2); no demo secret reached the backend",
		"cost       $0.0125 over 1 priced requests; unpriced: self_hosted 1",
		"$0.00625 per 1K tokens",
		"retrieval  1 RAG requests scored: mean groundedness 0.80, mean nDCG@k 0.60; good 1",
		"25.0%",
		"16.50 (1h)",
		"page FIRING",
		"gpu        1 GPUs and MIG instances, mean utilization 50%",
	} {
		assert.Contains(t, text, want)
	}
}
