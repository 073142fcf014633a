// Package genaidata generates realistic GenAI telemetry: chat and RAG traces in
// the attribute shapes that instrumentations emit, token usage for several
// hosted and self-hosted models, prompts that carry personal data, latency
// histograms and logs. The demo load generator, benchmarks and end-to-end tests
// share it so that they all exercise the same shapes.
package genaidata

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Batch is one round of demo telemetry.
type Batch struct {
	Traces  ptrace.Traces
	Metrics pmetric.Metrics
	Logs    plog.Logs
}

// Generator produces deterministic batches for a seed.
type Generator struct {
	rng *rand.Rand
	// traffic draws the simulated request volume behind the metrics, apart
	// from rng so that the spans of a seed stay the same.
	traffic *rand.Rand
	// Start of the latency histogram's cumulative series.
	start time.Time
	// Cumulative histogram state per model, so successive batches form a
	// proper cumulative series.
	hist map[string]*histState
	reqs map[string]*[2]int64 // model → {total, errors}
}

type histState struct {
	counts []uint64
	sum    float64
}

// LatencyBounds are the explicit bucket boundaries (seconds) of the request
// duration histogram, those the GenAI semantic conventions advise.
var LatencyBounds = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}

// NewGenerator returns a generator; the same seed yields the same data.
func NewGenerator(seed int64) *Generator {
	return &Generator{
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		traffic: rand.New(rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d)),
		start:   time.Now(),
		hist:    map[string]*histState{},
		reqs:    map[string]*[2]int64{},
	}
}

// Model describes one model the demo traffic uses.
type Model struct {
	Provider      string // gen_ai.provider.name
	Request       string // gen_ai.request.model
	Response      string // gen_ai.response.model
	Service       string
	Team          string
	CacheRead     bool
	Reasoning     bool
	SelfHosted    bool
	OlderSemconv  bool // gen_ai.system + gen_ai.usage.prompt_tokens
	OpenInference bool
	// ErrorRate and SlowRate shape the request metrics: the share of requests
	// that fail, and that take longer than 5.12 s.
	ErrorRate float64
	SlowRate  float64
}

// RequestsPerBatch is the request volume per model and batch behind the
// latency histogram and request counters (the spans sample one of them).
const RequestsPerBatch = 100

// Healthy request profile; Models below degrade two of them so that the SLO
// views have something to show.
const (
	healthyErrorRate = 0.0005
	healthySlowRate  = 0.002
)

// Models is the demo's model mix.
var Models = []Model{
	{Provider: "openai", Request: "gpt-4o", Response: "gpt-4o-2024-08-06", Service: "support-bot", Team: "support", ErrorRate: healthyErrorRate, SlowRate: healthySlowRate},
	// Failing often enough to page on the availability SLO.
	{Provider: "openai", Request: "o3-mini", Response: "o3-mini-2025-01-31", Service: "code-review", Team: "platform", Reasoning: true, ErrorRate: 0.10, SlowRate: healthySlowRate},
	// Slow often enough to open a ticket on the latency SLO.
	{Provider: "anthropic", Request: "claude-sonnet-4-5", Response: "claude-sonnet-4-5-20250929", Service: "research-assistant", Team: "research", CacheRead: true, ErrorRate: healthyErrorRate, SlowRate: 0.05},
	{Provider: "gcp.gemini", Request: "gemini-2.5-flash", Response: "gemini-2.5-flash", Service: "search", Team: "search", ErrorRate: healthyErrorRate, SlowRate: healthySlowRate},
	{Provider: "openai", Request: "gpt-4o-mini", Response: "gpt-4o-mini-2024-07-18", Service: "legacy-chat", Team: "support", OlderSemconv: true, ErrorRate: healthyErrorRate, SlowRate: healthySlowRate},
	{Provider: "openai", Request: "gpt-4.1", Response: "gpt-4.1-2025-04-14", Service: "rag-api", Team: "search", OpenInference: true, ErrorRate: healthyErrorRate, SlowRate: healthySlowRate},
	{Provider: "vllm", Request: "meta-llama/Llama-3.1-8B-Instruct", Response: "meta-llama/Llama-3.1-8B-Instruct", Service: "internal-llm", Team: "platform", SelfHosted: true, ErrorRate: healthyErrorRate, SlowRate: healthySlowRate},
}

// People whose data appears in demo prompts. The values are syntactically valid
// (Luhn-valid test card, mod-97-valid IBAN) so that validators accept them.
var people = []struct{ Name, Email, Phone, Card, IBAN string }{
	{"Maria Lopez", "maria.lopez@example.com", "+1 415 555 0132", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"},
	{"Kenji Sato", "kenji.sato@example.org", "+44 20 7946 0958", "5555-5555-5555-4444", "GB82 WEST 1234 5698 7654 32"},
	{"Amara Okafor", "amara@example.net", "+33 1 23 45 67 89", "378282246310005", "FR14 2004 1010 0505 0001 3M02 606"},
}

var questions = []string{
	"How do I reset the password on my account?",
	"Summarise the refund policy for annual plans.",
	"Which regions does the GPU cluster run in?",
	"Explain the difference between prefill and decode.",
	"What is the on-call escalation path for the inference platform?",
}

// Documents are the retrieval corpus of the RAG scenario.
var Documents = []struct{ ID, Content string }{
	{"kb-101", "Password resets are done from the account settings page: choose Security, then Reset password, and follow the link sent by email."},
	{"kb-102", "Refunds for annual plans are prorated for the unused months when requested within 90 days of renewal."},
	{"kb-103", "The GPU cluster runs in us-east-1 and eu-west-1, with H100 nodes for serving and A100 nodes for batch jobs."},
	{"kb-104", "Prefill processes the whole prompt in one pass and is compute bound; decode generates one token per step and is memory-bandwidth bound."},
	{"kb-105", "On-call escalation for the inference platform goes from the primary to the secondary engineer, then to the platform lead after 30 minutes."},
	{"kb-106", "Office plants are watered on Tuesdays by the facilities team."},
}

func (g *Generator) traceID() pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], g.rng.Uint64())
	binary.BigEndian.PutUint64(id[8:], g.rng.Uint64())
	return id
}

func (g *Generator) spanID() pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], g.rng.Uint64()|1)
	return id
}

// Batch returns one round of telemetry stamped around now: a chat trace per
// model, one RAG trace, request-duration histograms and request counters per
// model, and application logs.
func (g *Generator) Batch(now time.Time) Batch {
	b := Batch{Traces: ptrace.NewTraces(), Metrics: pmetric.NewMetrics(), Logs: plog.NewLogs()}
	for i := range Models {
		m := Models[i]
		g.chatTrace(b.Traces, m, now)
		// Kept so that the spans of a seed stay as they were.
		_ = g.rng.IntN(50)
		g.simulateRequests(m)
	}
	g.ragTrace(b.Traces, now)
	g.metrics(b.Metrics, now)
	g.logs(b.Logs, now)
	return b
}

// ChatSpans returns n chat traces (one span each) whose message arrays are
// about msgBytes long: the benchmark input for processors that read prompts.
func (g *Generator) ChatSpans(n, msgBytes int, now time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	for i := range n {
		m := Models[i%len(Models)]
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", m.Service)
		ss := rs.ScopeSpans().AppendEmpty()
		span := ss.Spans().AppendEmpty()
		g.fillChatSpan(span, m, g.traceID(), pcommon.SpanID{}, now, msgBytes)
	}
	return td
}

func (g *Generator) chatTrace(td ptrace.Traces, m Model, now time.Time) float64 {
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", m.Service)
	res.PutStr("team", m.Team)
	res.PutStr("tenant", fmt.Sprintf("tenant-%d", g.rng.IntN(3)+1))
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("genai-loadgen")
	tid := g.traceID()
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(tid)
	root.SetSpanID(g.spanID())
	root.SetName("POST /v1/chat")
	root.SetKind(ptrace.SpanKindServer)
	root.Attributes().PutStr("http.route", "/v1/chat")
	child := ss.Spans().AppendEmpty()
	latency := g.fillChatSpan(child, m, tid, root.SpanID(), now, 600)
	root.SetStartTimestamp(child.StartTimestamp())
	root.SetEndTimestamp(child.EndTimestamp() + pcommon.Timestamp(2*time.Millisecond))
	return latency
}

// fillChatSpan writes one chat completion span and returns its latency in
// seconds.
func (g *Generator) fillChatSpan(span ptrace.Span, m Model, tid pcommon.TraceID, parent pcommon.SpanID, now time.Time, msgBytes int) float64 {
	p := people[g.rng.IntN(len(people))]
	q := questions[g.rng.IntN(len(questions))]
	user := fmt.Sprintf("Hi, I'm %s (%s, call me on %s). %s My card %s was charged twice.", p.Name, p.Email, p.Phone, q, p.Card)
	for len(user) < msgBytes {
		user += " Some more context about the issue follows, with order number 1234-5678-9012 and version 2.14.1."
	}
	answer := "Thanks for reaching out. " + q + " Here is what I found: please check the account settings page."

	in := g.rng.IntN(2000) + 200
	out := g.rng.IntN(600) + 20
	latency := 0.2 + float64(out)*0.012 + g.rng.Float64()*0.3
	start := now.Add(-time.Duration(latency * float64(time.Second)))

	span.SetTraceID(tid)
	span.SetSpanID(g.spanID())
	span.SetParentSpanID(parent)
	span.SetKind(ptrace.SpanKindClient)
	span.SetName("chat " + m.Request)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	a := span.Attributes()
	a.PutStr("team", m.Team)
	switch {
	case m.OpenInference:
		a.PutStr("openinference.span.kind", "LLM")
		a.PutStr("llm.provider", m.Provider)
		a.PutStr("llm.model_name", m.Response)
		a.PutInt("llm.token_count.prompt", int64(in))
		a.PutInt("llm.token_count.completion", int64(out))
		a.PutInt("llm.token_count.total", int64(in+out))
		a.PutStr("input.value", user)
		a.PutStr("output.value", answer)
		a.PutStr("llm.input_messages.0.message.role", "user")
		a.PutStr("llm.input_messages.0.message.content", user)
		a.PutStr("llm.output_messages.0.message.role", "assistant")
		a.PutStr("llm.output_messages.0.message.content", answer)
	case m.OlderSemconv:
		a.PutStr("gen_ai.system", m.Provider)
		a.PutStr("gen_ai.request.model", m.Request)
		a.PutStr("gen_ai.response.model", m.Response)
		a.PutInt("gen_ai.usage.prompt_tokens", int64(in))
		a.PutInt("gen_ai.usage.completion_tokens", int64(out))
		a.PutStr("gen_ai.prompt.0.role", "user")
		a.PutStr("gen_ai.prompt.0.content", user)
		a.PutStr("gen_ai.completion.0.role", "assistant")
		a.PutStr("gen_ai.completion.0.content", answer)
	default:
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", m.Provider)
		a.PutStr("gen_ai.request.model", m.Request)
		a.PutStr("gen_ai.response.model", m.Response)
		a.PutInt("gen_ai.usage.input_tokens", int64(in))
		a.PutInt("gen_ai.usage.output_tokens", int64(out))
		if m.CacheRead {
			a.PutInt("gen_ai.usage.cache_read.input_tokens", int64(in/2))
		}
		if m.Reasoning {
			a.PutInt("gen_ai.usage.reasoning.output_tokens", int64(out/3))
		}
		a.PutStr("gen_ai.input.messages", mustJSON([]any{
			map[string]any{"role": "system", "parts": []any{map[string]any{"type": "text", "content": "You are a helpful support assistant."}}},
			map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": user}}},
		}))
		a.PutStr("gen_ai.output.messages", mustJSON([]any{
			map[string]any{"role": "assistant", "finish_reason": "stop", "parts": []any{map[string]any{"type": "text", "content": answer}}},
		}))
	}
	return latency
}

func (g *Generator) ragTrace(td ptrace.Traces, now time.Time) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "rag-api")
	rs.Resource().Attributes().PutStr("team", "search")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("genai-loadgen")
	tid := g.traceID()
	qi := g.rng.IntN(len(questions))
	q := questions[qi]

	// Retrieval: the relevant document first (usually), then others.
	order := g.rng.Perm(len(Documents))
	if g.rng.IntN(4) != 0 {
		for i, d := range order {
			if d == qi {
				order[0], order[i] = order[i], order[0]
			}
		}
	}
	docs := make([]any, 0, 4)
	score := 0.92
	for _, d := range order[:4] {
		docs = append(docs, map[string]any{"id": Documents[d].ID, "score": score, "content": Documents[d].Content})
		score -= 0.07 + g.rng.Float64()*0.05
	}
	retrieval := ss.Spans().AppendEmpty()
	retrieval.SetTraceID(tid)
	retrieval.SetSpanID(g.spanID())
	retrieval.SetName("retrieval kb-index")
	retrieval.SetKind(ptrace.SpanKindClient)
	retrieval.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-900 * time.Millisecond)))
	retrieval.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(-850 * time.Millisecond)))
	ra := retrieval.Attributes()
	ra.PutStr("gen_ai.operation.name", "retrieval")
	ra.PutStr("gen_ai.data_source.id", "kb-index")
	ra.PutStr("gen_ai.retrieval.query.text", q)
	ra.PutInt("gen_ai.request.top_k", 4)
	ra.PutStr("gen_ai.retrieval.documents", mustJSON(docs))

	// The answer reuses the first document's words, so it is grounded in it.
	answer := "According to the knowledge base: " + Documents[order[0]].Content
	llm := ss.Spans().AppendEmpty()
	llm.SetTraceID(tid)
	llm.SetSpanID(g.spanID())
	llm.SetName("chat gpt-4.1")
	llm.SetKind(ptrace.SpanKindClient)
	llm.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-840 * time.Millisecond)))
	llm.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	la := llm.Attributes()
	la.PutStr("gen_ai.operation.name", "chat")
	la.PutStr("gen_ai.provider.name", "openai")
	la.PutStr("gen_ai.request.model", "gpt-4.1")
	la.PutInt("gen_ai.usage.input_tokens", 900)
	la.PutInt("gen_ai.usage.output_tokens", 60)
	la.PutStr("gen_ai.input.messages", mustJSON([]any{
		map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": q}}},
	}))
	la.PutStr("gen_ai.output.messages", mustJSON([]any{
		map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text", "content": answer}}},
	}))
}

// simulateRequests adds a batch's worth of requests of model m to the latency
// histogram and request counters, following the model's error and slow rates.
func (g *Generator) simulateRequests(m Model) {
	h := g.hist[m.Request]
	if h == nil {
		h = &histState{counts: make([]uint64, len(LatencyBounds)+1)}
		g.hist[m.Request] = h
	}
	r := g.reqs[m.Request]
	if r == nil {
		r = new([2]int64)
		g.reqs[m.Request] = r
	}
	for range RequestsPerBatch {
		seconds := 0.15 + g.traffic.ExpFloat64()*0.6
		if g.traffic.Float64() < m.SlowRate {
			seconds = 6 + g.traffic.Float64()*10
		} else if seconds > 5 {
			seconds = 5
		}
		i := 0
		for i < len(LatencyBounds) && seconds > LatencyBounds[i] {
			i++
		}
		h.counts[i]++
		h.sum += seconds
		r[0]++
		if g.traffic.Float64() < m.ErrorRate {
			r[1]++
		}
	}
}

func (g *Generator) metrics(md pmetric.Metrics, now time.Time) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("genai-loadgen")
	start := pcommon.NewTimestampFromTime(g.start)
	ts := pcommon.NewTimestampFromTime(now)

	dur := sm.Metrics().AppendEmpty()
	dur.SetName("gen_ai.server.request.duration")
	dur.SetUnit("s")
	dur.SetDescription("Generative AI server request duration.")
	hist := dur.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)

	reqs := sm.Metrics().AppendEmpty()
	reqs.SetName("gen_ai.server.requests")
	reqs.SetUnit("{request}")
	reqs.SetDescription("Requests served, by outcome.")
	sum := reqs.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)

	for _, m := range Models {
		h := g.hist[m.Request]
		if h == nil {
			continue
		}
		dp := hist.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(ts)
		dp.Attributes().PutStr("gen_ai.request.model", m.Request)
		dp.Attributes().PutStr("gen_ai.provider.name", m.Provider)
		dp.ExplicitBounds().FromRaw(LatencyBounds)
		var count uint64
		for _, c := range h.counts {
			count += c
		}
		dp.BucketCounts().FromRaw(h.counts)
		dp.SetCount(count)
		dp.SetSum(h.sum)

		r := g.reqs[m.Request]
		for _, outcome := range []struct {
			name string
			v    int64
		}{{"ok", r[0] - r[1]}, {"error", r[1]}} {
			p := sum.DataPoints().AppendEmpty()
			p.SetStartTimestamp(start)
			p.SetTimestamp(ts)
			p.Attributes().PutStr("gen_ai.request.model", m.Request)
			p.Attributes().PutStr("outcome", outcome.name)
			p.SetIntValue(outcome.v)
		}
	}
}

func (g *Generator) logs(ld plog.Logs, now time.Time) {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "support-bot")
	sl := rl.ScopeLogs().AppendEmpty()
	p := people[g.rng.IntN(len(people))]
	rec := sl.LogRecords().AppendEmpty()
	rec.SetTimestamp(pcommon.NewTimestampFromTime(now))
	rec.SetSeverityNumber(plog.SeverityNumberInfo)
	rec.SetSeverityText("INFO")
	rec.Body().SetStr(fmt.Sprintf("ticket opened by %s <%s>, IBAN %s on file", p.Name, p.Email, p.IBAN))
	ev := sl.LogRecords().AppendEmpty()
	ev.SetTimestamp(pcommon.NewTimestampFromTime(now))
	ev.SetEventName("gen_ai.client.inference.operation.details")
	body := ev.Body().SetEmptyMap()
	body.PutStr("gen_ai.request.model", "gpt-4o")
	body.PutStr("gen_ai.provider.name", "openai")
	msgs := body.PutEmptySlice("gen_ai.input.messages")
	msg := msgs.AppendEmpty().SetEmptyMap()
	msg.PutStr("role", "user")
	msg.PutEmptySlice("parts").AppendEmpty().SetEmptyMap().PutStr("content", "My phone is "+p.Phone+", please call back.")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// PersonalData returns every personal value the generated traffic carries, so
// that a test or the demo can check that none of it comes out of a redacting
// pipeline.
func PersonalData() []string {
	var out []string
	for _, p := range people {
		out = append(out, p.Email, p.Phone, p.Card, p.IBAN)
	}
	return out
}
