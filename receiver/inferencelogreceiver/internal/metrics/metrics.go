// Package metrics turns the statistics lines the parser reads into metrics:
// engine gauges and cold-start durations through the generated metrics
// builder, per-request histograms (which the generated builder does not
// offer) as cumulative explicit-bucket histograms kept here.
package metrics // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metrics"

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"
)

// Histogram metric names. gen_ai.server.* follow the GenAI semantic
// conventions; the semantic conventions have no server-side phase or token
// metrics, so those are inference.* names.
const (
	RequestDuration    = "gen_ai.server.request.duration"
	TimePerOutputToken = "gen_ai.server.time_per_output_token"
	PhaseDuration      = "inference.server.request.phase.duration"
	TokenUsage         = "inference.server.token.usage"
)

// Bucket boundaries: the semantic conventions' advice for the gen_ai.server
// metrics and for token counts; phases reach down to microseconds (TGI's
// queue and validation times).
var (
	durationBounds = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	tpotBounds     = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5}
	phaseBounds    = []float64{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	tokenBounds    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
)

type histDef struct {
	name, description, unit string
	bounds                  []float64
}

var histDefs = map[string]histDef{
	RequestDuration:    {RequestDuration, "Time from the request reaching the server to its last token, as the server logs it (TGI total_time, llama.cpp total time, Ollama access-line latency of inference routes).", "s", durationBounds},
	TimePerOutputToken: {TimePerOutputToken, "Time per generated token after the first, as the server logs it (TGI time_per_token, llama.cpp eval time per token).", "s", tpotBounds},
	PhaseDuration:      {PhaseDuration, "Time a request spent in one phase: validation, queue, inference (TGI), prefill, decode (llama.cpp prompt eval and eval).", "s", phaseBounds},
	TokenUsage:         {TokenUsage, "Tokens of one request, by gen_ai.token.type input (prompt) or output (generated) (llama.cpp timings).", "{token}", tokenBounds},
}

// Config says which metrics are on.
type Config struct {
	Builder metadata.MetricsBuilderConfig
	// Histograms holds the enabled histogram names.
	Histograms map[string]bool
}

// Recorder collects the metrics of one file (one resource). It is not safe
// for concurrent use.
type Recorder struct {
	cfg   Config
	mb    *metadata.MetricsBuilder
	res   pcommon.Resource
	hists map[string]*series
	dirty []*series
	// recorded: the builder holds data points.
	recorded bool

	modelOpt    metadata.MetricAttributeOption
	modelOptFor string
	engineOpt   metadata.MetricAttributeOption
	engineFor   string
	opts        []metadata.MetricAttributeOption
}

// New returns a recorder for the metrics of a resource.
func New(cfg Config, set receiver.Settings, res pcommon.Resource) *Recorder {
	return &Recorder{
		cfg:   cfg,
		mb:    metadata.NewMetricsBuilder(cfg.Builder, set),
		res:   res,
		hists: map[string]*series{},
	}
}

// series is one cumulative histogram data point stream.
type series struct {
	def        histDef
	attrs      [][2]string
	counts     []uint64
	count      uint64
	sum        float64
	min, max   float64
	start, end time.Time
	dirty      bool
}

// Record reads the metrics of one record; at is when it was read, the data
// points' time when the line carries none.
func (r *Recorder) Record(rec *parser.Record, at time.Time) {
	if rec.Kind == parser.KindNone {
		return
	}
	provider, ok := metadata.MapAttributeGenAiProviderName[rec.Format.String()]
	if !ok {
		return
	}
	t := rec.Time
	if t.IsZero() {
		t = at
	}
	ts := pcommon.NewTimestampFromTime(t)
	opts := r.options(rec)
	f := fields{rec}
	mb := r.mb
	before := r.recorded
	r.recorded = true
	switch rec.Kind {
	case parser.KindVLLMStatsV0, parser.KindVLLMStatsV1:
		if v, ok := f.get("prompt_tokens_per_s"); ok {
			mb.RecordInferenceEnginePromptThroughputDataPoint(ts, v, provider, opts...)
		}
		if v, ok := f.get("generation_tokens_per_s"); ok {
			mb.RecordInferenceEngineGenerationThroughputDataPoint(ts, v, provider, opts...)
		}
		r.requests(ts, f, "running", metadata.AttributeInferenceRequestStateRunning, provider, opts)
		r.requests(ts, f, "waiting", metadata.AttributeInferenceRequestStateWaiting, provider, opts)
		r.requests(ts, f, "pending", metadata.AttributeInferenceRequestStateWaiting, provider, opts)
		r.requests(ts, f, "swapped", metadata.AttributeInferenceRequestStateSwapped, provider, opts)
		if v, ok := f.get("gpu_kv_cache_pct"); ok {
			mb.RecordInferenceEngineKvCacheUsageDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
		}
		if v, ok := f.get("cpu_kv_cache_pct"); ok {
			mb.RecordInferenceEngineKvCacheUsageDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceCPU, opts...)
		}
		if v, ok := f.get("prefix_cache_hit_pct"); ok {
			mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
		}
	case parser.KindVLLMPrefixCacheV0:
		if v, ok := f.get("gpu_pct"); ok {
			mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
		}
		if v, ok := f.get("cpu_pct"); ok {
			mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceCPU, opts...)
		}
	case parser.KindVLLMSpecDecode:
		if v, ok := f.get("mean_acceptance_length"); ok {
			mb.RecordInferenceEngineSpecDecodeMeanAcceptanceLengthDataPoint(ts, v, provider, opts...)
		}
		if v, ok := f.get("draft_acceptance_rate_pct"); ok {
			mb.RecordInferenceEngineSpecDecodeAcceptanceRateDataPoint(ts, v/100, provider, opts...)
		}
		if v, ok := f.get("accepted_tokens_per_s"); ok {
			mb.RecordInferenceEngineSpecDecodeThroughputDataPoint(ts, v, provider, metadata.AttributeInferenceSpecDecodeTokenTypeAccepted, opts...)
		}
		if v, ok := f.get("drafted_tokens_per_s"); ok {
			mb.RecordInferenceEngineSpecDecodeThroughputDataPoint(ts, v, provider, metadata.AttributeInferenceSpecDecodeTokenTypeDrafted, opts...)
		}
	case parser.KindVLLMSpecDecodeV0:
		if v, ok := f.get("draft_acceptance_rate"); ok {
			mb.RecordInferenceEngineSpecDecodeAcceptanceRateDataPoint(ts, v, provider, opts...)
		}
	case parser.KindVLLMModelLoad, parser.KindSGLangWeightsLoaded:
		r.startup(ts, f, "seconds", 1, metadata.AttributeInferenceStartupPhaseModelLoad, provider, opts)
	case parser.KindVLLMEngineInit:
		r.startup(ts, f, "seconds", 1, metadata.AttributeInferenceStartupPhaseEngineInit, provider, opts)
	case parser.KindVLLMCUDAGraph, parser.KindSGLangCUDAGraph:
		r.startup(ts, f, "seconds", 1, metadata.AttributeInferenceStartupPhaseCudaGraphCapture, provider, opts)
	case parser.KindTGIShardReady:
		r.startup(ts, f, "seconds", 1, metadata.AttributeInferenceStartupPhaseShardReady, provider, opts)
	case parser.KindOllamaRunnerStarted:
		r.startup(ts, f, "seconds", 1, metadata.AttributeInferenceStartupPhaseRunnerStart, provider, opts)
	case parser.KindLlamaCppLoad:
		r.startup(ts, f, "load_ms", 1e-3, metadata.AttributeInferenceStartupPhaseModelLoad, provider, opts)
	case parser.KindTritonModelLoaded:
		r.startup(ts, f, "load_duration_s", 1, metadata.AttributeInferenceStartupPhaseModelLoad, provider, opts)
	case parser.KindSGLangPrefill, parser.KindSGLangDecode:
		r.requests(ts, f, "running_req", metadata.AttributeInferenceRequestStateRunning, provider, opts)
		r.requests(ts, f, "queue_req", metadata.AttributeInferenceRequestStateWaiting, provider, opts)
		usage, ok := f.get("token_usage")
		if !ok {
			usage, ok = f.get("full_token_usage")
		}
		if ok {
			mb.RecordInferenceEngineKvCacheUsageDataPoint(ts, usage, provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
		}
		if v, ok := f.get("gen_throughput_tok_s"); ok {
			mb.RecordInferenceEngineGenerationThroughputDataPoint(ts, v, provider, opts...)
		}
		if v, ok := f.get("input_throughput_tok_s"); ok {
			mb.RecordInferenceEnginePromptThroughputDataPoint(ts, v, provider, opts...)
		}
		if v, ok := f.get("accept_len"); ok {
			mb.RecordInferenceEngineSpecDecodeMeanAcceptanceLengthDataPoint(ts, v, provider, opts...)
		}
		if v, ok := f.get("cache_hit_rate_pct"); ok {
			mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, v/100, provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
		} else if cached, ok := f.get("cached_token"); ok {
			if fresh, ok := f.get("new_token"); ok && cached+fresh > 0 {
				mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, cached/(cached+fresh), provider, metadata.AttributeInferenceKvCacheDeviceGpu, opts...)
			}
		}
	default:
		r.recorded = before
		r.requestMetrics(rec, t, f)
	}
}

func (r *Recorder) requests(ts pcommon.Timestamp, f fields, name string, state metadata.AttributeInferenceRequestState, provider metadata.AttributeGenAiProviderName, opts []metadata.MetricAttributeOption) {
	if v, ok := f.get(name); ok {
		r.mb.RecordInferenceEngineRequestsDataPoint(ts, int64(v), provider, state, opts...)
	}
}

func (r *Recorder) startup(ts pcommon.Timestamp, f fields, name string, scale float64, phase metadata.AttributeInferenceStartupPhase, provider metadata.AttributeGenAiProviderName, opts []metadata.MetricAttributeOption) {
	if v, ok := f.get(name); ok {
		r.mb.RecordInferenceStartupDurationDataPoint(ts, v*scale, provider, phase, opts...)
	}
}

// options returns the conditional attributes (model, engine) of a record,
// built once per value.
func (r *Recorder) options(rec *parser.Record) []metadata.MetricAttributeOption {
	r.opts = r.opts[:0]
	if m := rec.EventModel(); m != "" {
		if m != r.modelOptFor {
			r.modelOpt, r.modelOptFor = metadata.WithGenAiRequestModelMetricAttribute(m), m
		}
		r.opts = append(r.opts, r.modelOpt)
	}
	if e := rec.EngineID; e != "" {
		if e != r.engineFor {
			r.engineOpt, r.engineFor = metadata.WithInferenceEngineIDMetricAttribute(e), e
		}
		r.opts = append(r.opts, r.engineOpt)
	}
	return r.opts
}

// requestMetrics records the per-request histograms.
func (r *Recorder) requestMetrics(rec *parser.Record, t time.Time, f fields) {
	provider := rec.Format.String()
	model := rec.EventModel()
	switch rec.Kind {
	case parser.KindTGISuccess:
		if v, ok := f.get("total_time_s"); ok {
			r.observe(RequestDuration, t, v, provider, model, "", "")
		}
		if v, ok := f.get("time_per_token_s"); ok {
			r.observe(TimePerOutputToken, t, v, provider, model, "", "")
		}
		for _, p := range [...][2]string{{"validation_time_s", "validation"}, {"queue_time_s", "queue"}, {"inference_time_s", "inference"}} {
			if v, ok := f.get(p[0]); ok {
				r.observe(PhaseDuration, t, v, provider, model, "inference.request.phase", p[1])
			}
		}
	case parser.KindLlamaCppTimings:
		if v, ok := f.get("total_ms"); ok {
			r.observe(RequestDuration, t, v/1e3, provider, model, "", "")
		}
		genMS, okMS := f.get("generation_ms")
		genN, okN := f.get("generation_tokens")
		if okMS && okN && genN > 0 {
			r.observe(TimePerOutputToken, t, genMS/1e3/genN, provider, model, "", "")
		}
		if v, ok := f.get("prompt_ms"); ok {
			r.observe(PhaseDuration, t, v/1e3, provider, model, "inference.request.phase", "prefill")
		}
		if okMS {
			r.observe(PhaseDuration, t, genMS/1e3, provider, model, "inference.request.phase", "decode")
		}
		if v, ok := f.get("prompt_tokens"); ok {
			r.observe(TokenUsage, t, v, provider, model, "gen_ai.token.type", "input")
		}
		if okN {
			r.observe(TokenUsage, t, genN, provider, model, "gen_ai.token.type", "output")
		}
	case parser.KindOllamaGIN:
		path, _ := rec.Field("path")
		op := ollamaOperation(path.Text)
		if op == "" {
			return
		}
		latency, ok := f.get("latency_s")
		if !ok {
			return
		}
		status, _ := f.get("status")
		errType := ""
		if status >= 400 {
			errType = strconv.Itoa(int(status))
		}
		r.observeOllama(t, latency, provider, model, op, errType)
	}
}

// ollamaOperation maps Ollama's inference routes to gen_ai.operation.name;
// other routes (tags, show, pull) are not requests to a model.
func ollamaOperation(path string) string {
	path, _, _ = strings.Cut(path, "?")
	switch path {
	case "/api/chat", "/v1/chat/completions":
		return "chat"
	case "/api/generate", "/v1/completions":
		return "text_completion"
	case "/api/embed", "/api/embeddings", "/v1/embeddings":
		return "embeddings"
	}
	return ""
}

func (r *Recorder) observeOllama(t time.Time, v float64, provider, model, op, errType string) {
	if !r.cfg.Histograms[RequestDuration] {
		return
	}
	attrs := [][2]string{{"gen_ai.provider.name", provider}, {"gen_ai.operation.name", op}}
	if model != "" {
		attrs = append(attrs, [2]string{"gen_ai.request.model", model})
	}
	if errType != "" {
		attrs = append(attrs, [2]string{"error.type", errType})
	}
	r.observeAttrs(RequestDuration, t, v, attrs)
}

func (r *Recorder) observe(name string, t time.Time, v float64, provider, model, key, value string) {
	if !r.cfg.Histograms[name] {
		return
	}
	attrs := make([][2]string, 0, 3)
	attrs = append(attrs, [2]string{"gen_ai.provider.name", provider})
	if model != "" {
		attrs = append(attrs, [2]string{"gen_ai.request.model", model})
	}
	if key != "" {
		attrs = append(attrs, [2]string{key, value})
	}
	r.observeAttrs(name, t, v, attrs)
}

func (r *Recorder) observeAttrs(name string, t time.Time, v float64, attrs [][2]string) {
	if v < 0 || v != v {
		return // a negative or NaN duration or count is not an observation
	}
	var key strings.Builder
	key.WriteString(name)
	for _, a := range attrs {
		key.WriteByte(0)
		key.WriteString(a[0])
		key.WriteByte(0)
		key.WriteString(a[1])
	}
	s, ok := r.hists[key.String()]
	if !ok {
		def := histDefs[name]
		s = &series{def: def, attrs: attrs, counts: make([]uint64, len(def.bounds)+1), min: v, max: v, start: t}
		r.hists[key.String()] = s
	}
	s.counts[sort.SearchFloat64s(s.def.bounds, v)]++
	s.count++
	s.sum += v
	s.min = min(s.min, v)
	s.max = max(s.max, v)
	if t.After(s.end) {
		s.end = t
	}
	if t.Before(s.start) {
		s.start = t
	}
	if !s.dirty {
		s.dirty = true
		r.dirty = append(r.dirty, s)
	}
}

// Emit returns the data points recorded since the last call: the gauges, and
// the current state of every histogram that changed. ok is false when there
// is nothing.
func (r *Recorder) Emit() (pmetric.Metrics, bool) {
	if !r.recorded && len(r.dirty) == 0 {
		return pmetric.Metrics{}, false
	}
	r.recorded = false
	md := r.mb.Emit(metadata.WithResource(r.res))
	if len(r.dirty) == 0 {
		return md, md.ResourceMetrics().Len() > 0
	}
	var sm pmetric.ScopeMetrics
	if md.ResourceMetrics().Len() == 0 {
		rm := md.ResourceMetrics().AppendEmpty()
		r.res.CopyTo(rm.Resource())
		sm = rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(metadata.ScopeName)
	} else {
		sm = md.ResourceMetrics().At(0).ScopeMetrics().At(0)
	}
	byName := map[string]pmetric.HistogramDataPointSlice{}
	for _, s := range r.dirty {
		dps, ok := byName[s.def.name]
		if !ok {
			m := sm.Metrics().AppendEmpty()
			m.SetName(s.def.name)
			m.SetDescription(s.def.description)
			m.SetUnit(s.def.unit)
			h := m.SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dps = h.DataPoints()
			byName[s.def.name] = dps
		}
		dp := dps.AppendEmpty()
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(s.start))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(s.end))
		dp.SetCount(s.count)
		dp.SetSum(s.sum)
		dp.SetMin(s.min)
		dp.SetMax(s.max)
		dp.ExplicitBounds().FromRaw(s.def.bounds)
		dp.BucketCounts().FromRaw(s.counts)
		for _, a := range s.attrs {
			dp.Attributes().PutStr(a[0], a[1])
		}
		s.dirty = false
	}
	r.dirty = r.dirty[:0]
	return md, true
}

// fields looks up a record's numeric fields.
type fields struct{ rec *parser.Record }

func (f fields) get(name string) (float64, bool) {
	for i := range f.rec.Fields {
		fl := &f.rec.Fields[i]
		if fl.Name == name && !fl.IsString {
			return fl.Value, true
		}
	}
	return 0, false
}
