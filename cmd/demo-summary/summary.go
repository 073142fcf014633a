package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
)

// Summary keeps, since start, what the demo wants a newcomer to see: what
// was redacted (and whether any demo secret got through), what requests cost,
// how retrieval scored, SLO burn rates, GPUs and inference engines.
type Summary struct {
	mu sync.Mutex
	// secrets are values the demo traffic carries that must never arrive.
	secrets []string

	spans, logRecords, metricPoints int
	leaks                           int
	redactions                      map[string]int64 // detector → values masked

	cost       map[string]float64 // model → USD
	pricedReqs map[string]int
	tokens     map[string]int64 // model → input+output tokens
	unpriced   map[string]int   // reason → requests

	retrievals       int
	grounded, ndcg   float64
	groundedN, ndcgN int
	retrievalLabels  map[string]int // good / poor

	burn   map[string]float64 // "slo model window" → latest burn rate
	firing map[string]bool    // "slo model severity" → firing
	budget map[string]float64 // "slo model" → error budget remaining

	gpuUtil  map[string]float64 // hw.id (+ MIG) → latest utilization ratio
	gpuPower map[string]float64 // hw.id → latest watts

	engineRequests map[string]float64 // "server state" → latest
	kvCache        map[string]float64 // server → latest GPU KV-cache usage ratio
	serverLogs     map[string]int     // server → log records from inference_log
}

// NewSummary returns an empty summary that watches for the given secrets.
func NewSummary(secrets []string) *Summary {
	return &Summary{
		secrets:         secrets,
		redactions:      map[string]int64{},
		cost:            map[string]float64{},
		pricedReqs:      map[string]int{},
		tokens:          map[string]int64{},
		unpriced:        map[string]int{},
		retrievalLabels: map[string]int{},
		burn:            map[string]float64{},
		firing:          map[string]bool{},
		budget:          map[string]float64{},
		gpuUtil:         map[string]float64{},
		gpuPower:        map[string]float64{},
		engineRequests:  map[string]float64{},
		kvCache:         map[string]float64{},
		serverLogs:      map[string]int{},
	}
}

func (s *Summary) leaked(v pcommon.Value) bool {
	str := v.AsString()
	for _, secret := range s.secrets {
		if strings.Contains(str, secret) {
			return true
		}
	}
	return false
}

func (s *Summary) countRedactions(attrs pcommon.Map) {
	attrs.Range(func(k string, v pcommon.Value) bool {
		if d, ok := strings.CutPrefix(k, "prompt_redaction.matches."); ok {
			n, _ := genai.AsCount(v)
			s.redactions[d] += n
		}
		if s.leaked(v) {
			s.leaks++
		}
		return true
	})
}

// AddTraces folds a batch of spans into the summary.
func (s *Summary) AddTraces(td ptrace.Traces) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				s.addSpan(spans.At(k))
			}
		}
	}
}

func (s *Summary) addSpan(span ptrace.Span) {
	s.spans++
	attrs := span.Attributes()
	s.countRedactions(attrs)
	events := span.Events()
	for i := range events.Len() {
		events.At(i).Attributes().Range(func(_ string, v pcommon.Value) bool {
			if s.leaked(v) {
				s.leaks++
			}
			return true
		})
	}
	model := genai.ReadModel(attrs).Request
	if model == "" {
		model = genai.ReadModel(attrs).Name()
	}
	if v, ok := attrs.Get(genai.AttrUsageCostAmount); ok {
		s.cost[model] += v.Double()
		s.pricedReqs[model]++
		u := genai.ReadUsage(attrs)
		s.tokens[model] += u.InputTokens + u.OutputTokens
	}
	if v, ok := attrs.Get("gen_ai.usage.cost.unpriced"); ok {
		s.unpriced[v.AsString()]++
	}
	if v, ok := attrs.Get("gen_ai.retrieval.evaluation.groundedness.value"); ok {
		s.grounded += v.Double()
		s.groundedN++
	}
	if v, ok := attrs.Get("gen_ai.retrieval.evaluation.ndcg_at_k.value"); ok {
		s.ndcg += v.Double()
		s.ndcgN++
	}
	if v, ok := attrs.Get("gen_ai.retrieval.evaluation.label"); ok {
		s.retrievals++
		s.retrievalLabels[v.Str()]++
	}
}

// AddLogs folds a batch of log records into the summary.
func (s *Summary) AddLogs(ld plog.Logs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			recs := sls.At(j).LogRecords()
			for k := range recs.Len() {
				r := recs.At(k)
				s.logRecords++
				s.countRedactions(r.Attributes())
				if s.leaked(r.Body()) {
					s.leaks++
				}
				// inference_log names the server on every record it reads.
				if v, ok := r.Attributes().Get(genai.AttrProviderName); ok {
					s.serverLogs[v.Str()]++
				}
			}
		}
	}
}

// AddMetrics folds a batch of metrics into the summary.
func (s *Summary) AddMetrics(md pmetric.Metrics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.metricPoints += md.DataPointCount()
	rms := md.ResourceMetrics()
	for i := range rms.Len() {
		res := rms.At(i).Resource().Attributes()
		gpu := str(res, "hw.id")
		if mig := str(res, "hw.gpu.mig.instance_id"); mig != "" {
			gpu += "/" + mig
		}
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				s.addMetric(ms.At(k), res, gpu)
			}
		}
	}
}

func (s *Summary) addMetric(m pmetric.Metric, res pcommon.Map, gpu string) {
	var points pmetric.NumberDataPointSlice
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		points = m.Gauge().DataPoints()
	case pmetric.MetricTypeSum:
		points = m.Sum().DataPoints()
	default:
		return
	}
	for i := range points.Len() {
		p := points.At(i)
		a := p.Attributes()
		v := p.DoubleValue()
		if p.ValueType() == pmetric.NumberDataPointValueTypeInt {
			v = float64(p.IntValue())
		}
		sloKey := str(a, "slo.name") + " " + str(a, "gen_ai.request.model")
		switch m.Name() {
		case "slo.burn_rate":
			s.burn[sloKey+" "+str(a, "slo.window")] = v
		case "slo.alert.firing":
			s.firing[sloKey+" "+str(a, "slo.severity")] = v > 0
		case "slo.error_budget.remaining":
			s.budget[sloKey] = v
		case "hw.gpu.utilization":
			if task := str(a, "hw.gpu.task"); task == "" || task == "general" {
				s.gpuUtil[gpu] = v
			}
		case "hw.power":
			if gpu != "" && !strings.Contains(gpu, "/") {
				s.gpuPower[gpu] = v
			}
		case "inference.engine.requests":
			s.engineRequests[str(res, genai.AttrProviderName)+str(a, genai.AttrProviderName)+" "+str(a, "inference.request.state")] = v
		case "inference.engine.kv_cache.usage":
			if str(a, "inference.kv_cache.device") != "cpu" {
				s.kvCache[str(res, genai.AttrProviderName)+str(a, genai.AttrProviderName)] = v
			}
		}
	}
}

func str(m pcommon.Map, key string) string {
	if v, ok := m.Get(key); ok {
		return v.AsString()
	}
	return ""
}

// Render writes the summary as a few lines of text.
func (s *Summary) Render(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "received   %d spans, %d log records, %d metric points\n", s.spans, s.logRecords, s.metricPoints)

	var total int64
	for _, n := range s.redactions {
		total += n
	}
	leak := "no demo secret reached the backend"
	if s.leaks > 0 {
		leak = fmt.Sprintf("LEAK: %d values still carry demo secrets", s.leaks)
	}
	fmt.Fprintf(w, "redaction  %d values masked (%s); %s\n", total, topCounts(s.redactions, 6), leak)

	var usd float64
	var reqs int
	for m, c := range s.cost {
		usd += c
		reqs += s.pricedReqs[m]
	}
	fmt.Fprintf(w, "cost       $%.4f over %d priced requests", usd, reqs)
	if len(s.unpriced) > 0 {
		fmt.Fprintf(w, "; unpriced: %s", topIntCounts(s.unpriced, 4))
	}
	fmt.Fprintln(w)
	for _, m := range sortedKeys(s.cost) {
		per1k := 0.0
		if s.tokens[m] > 0 {
			per1k = s.cost[m] / float64(s.tokens[m]) * 1000
		}
		fmt.Fprintf(w, "           %-34s $%.4f  ($%.5f per 1K tokens)\n", m, s.cost[m], per1k)
	}

	if s.retrievals > 0 || s.groundedN > 0 {
		fmt.Fprintf(w, "retrieval  %d RAG requests scored: mean groundedness %.2f, mean nDCG@k %.2f; %s\n",
			s.retrievals, mean(s.grounded, s.groundedN), mean(s.ndcg, s.ndcgN), topIntCounts(s.retrievalLabels, 2))
	}

	if len(s.budget) > 0 {
		width := 0
		for key := range s.budget {
			width = max(width, len(key))
		}
		fmt.Fprintf(w, "slo        %-*s budget left  max burn rate (window)  alerts\n", width, "")
		for _, key := range sortedKeys(s.budget) {
			maxBurn, maxWin := 0.0, ""
			for k, v := range s.burn {
				if strings.HasPrefix(k, key+" ") && v >= maxBurn {
					maxBurn, maxWin = v, strings.TrimPrefix(k, key+" ")
				}
			}
			var alerts []string
			for _, k := range sortedKeys(s.firing) {
				if strings.HasPrefix(k, key+" ") && s.firing[k] {
					alerts = append(alerts, strings.TrimPrefix(k, key+" ")+" FIRING")
				}
			}
			if len(alerts) == 0 {
				alerts = []string{"ok"}
			}
			fmt.Fprintf(w, "           %-*s %10.1f%%  %6.2f (%s)  %s\n", width, key, 100*s.budget[key], maxBurn, maxWin, strings.Join(alerts, ", "))
		}
	}

	if len(s.gpuUtil) > 0 {
		var util, watts float64
		for _, v := range s.gpuUtil {
			util += v
		}
		for _, v := range s.gpuPower {
			watts += v
		}
		fmt.Fprintf(w, "gpu        %d GPUs and MIG instances, mean utilization %.0f%%, %.0f W\n",
			len(s.gpuUtil), 100*util/float64(len(s.gpuUtil)), watts)
	}
	if len(s.serverLogs) > 0 || len(s.engineRequests) > 0 {
		fmt.Fprintf(w, "inference  log records by server: %s\n", topIntCounts(s.serverLogs, 6))
		for _, k := range sortedKeys(s.kvCache) {
			fmt.Fprintf(w, "           %-8s running %.0f, waiting %.0f, GPU KV cache %.0f%%\n",
				k, s.engineRequests[k+" running"], s.engineRequests[k+" waiting"], 100*s.kvCache[k])
		}
	}
}

func mean(sum float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func topCounts(m map[string]int64, n int) string {
	type kv struct {
		k string
		v int64
	}
	var all []kv
	for k, v := range m {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || (all[i].v == all[j].v && all[i].k < all[j].k) })
	var parts []string
	for i, e := range all {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.v))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func topIntCounts(m map[string]int, n int) string {
	m64 := make(map[string]int64, len(m))
	for k, v := range m {
		m64[k] = int64(v)
	}
	return topCounts(m64, n)
}
