// Package metrics turns the statistics lines the parser reads into metrics:
// engine gauges and cold-start durations through the generated metrics
// builder, per-request histograms (which the generated builder does not
// offer) as cumulative explicit-bucket histograms kept here.
package metrics // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metrics"

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
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

// gauge indexes the engine and cold-start gauges of metadata.yaml.
type gauge uint8

const (
	gPromptThroughput gauge = iota
	gGenerationThroughput
	gRequests
	gKVCacheUsage
	gPrefixCacheHitRatio
	gSpecMeanAcceptanceLength
	gSpecAcceptanceRate
	gSpecThroughput
	gStartupDuration
	numGauges
)

// gaugeMeta holds each gauge's name, description and unit, read once from
// the generated metrics builder so they follow metadata.yaml.
var (
	gaugeMetaOnce sync.Once
	gaugeMeta     [numGauges]struct{ name, description, unit string }
)

func describeGauges() {
	set := receiver.Settings{BuildInfo: component.NewDefaultBuildInfo(), TelemetrySettings: component.TelemetrySettings{Logger: zap.NewNop()}}
	mb := metadata.NewMetricsBuilder(metadata.NewDefaultMetricsBuilderConfig(), set)
	var ts pcommon.Timestamp
	p := metadata.AttributeGenAiProviderNameVllm
	mb.RecordInferenceEnginePromptThroughputDataPoint(ts, 0, p)
	mb.RecordInferenceEngineGenerationThroughputDataPoint(ts, 0, p)
	mb.RecordInferenceEngineRequestsDataPoint(ts, 0, p, metadata.AttributeInferenceRequestStateRunning)
	mb.RecordInferenceEngineKvCacheUsageDataPoint(ts, 0, p, metadata.AttributeInferenceKvCacheDeviceGpu)
	mb.RecordInferenceEnginePrefixCacheHitRatioDataPoint(ts, 0, p, metadata.AttributeInferenceKvCacheDeviceGpu)
	mb.RecordInferenceEngineSpecDecodeMeanAcceptanceLengthDataPoint(ts, 0, p)
	mb.RecordInferenceEngineSpecDecodeAcceptanceRateDataPoint(ts, 0, p)
	mb.RecordInferenceEngineSpecDecodeThroughputDataPoint(ts, 0, p, metadata.AttributeInferenceSpecDecodeTokenTypeAccepted)
	mb.RecordInferenceStartupDurationDataPoint(ts, 0, p, metadata.AttributeInferenceStartupPhaseModelLoad)
	byName := map[string]pmetric.Metric{}
	ms := mb.Emit().ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		byName[ms.At(i).Name()] = ms.At(i)
	}
	for g, name := range gaugeNames {
		m := byName[name]
		gaugeMeta[g].name, gaugeMeta[g].description, gaugeMeta[g].unit = m.Name(), m.Description(), m.Unit()
	}
}

var gaugeNames = [numGauges]string{
	"inference.engine.prompt_throughput",
	"inference.engine.generation_throughput",
	"inference.engine.requests",
	"inference.engine.kv_cache.usage",
	"inference.engine.prefix_cache.hit_ratio",
	"inference.engine.spec_decode.mean_acceptance_length",
	"inference.engine.spec_decode.acceptance_rate",
	"inference.engine.spec_decode.throughput",
	"inference.startup.duration",
}

func gaugesEnabled(m metadata.MetricsConfig) [numGauges]bool {
	return [numGauges]bool{
		m.InferenceEnginePromptThroughput.Enabled,
		m.InferenceEngineGenerationThroughput.Enabled,
		m.InferenceEngineRequests.Enabled,
		m.InferenceEngineKvCacheUsage.Enabled,
		m.InferenceEnginePrefixCacheHitRatio.Enabled,
		m.InferenceEngineSpecDecodeMeanAcceptanceLength.Enabled,
		m.InferenceEngineSpecDecodeAcceptanceRate.Enabled,
		m.InferenceEngineSpecDecodeThroughput.Enabled,
		m.InferenceStartupDuration.Enabled,
	}
}

// Recorder collects the metrics of one file (one resource). It is not safe
// for concurrent use.
type Recorder struct {
	cfg     Config
	enabled [numGauges]bool
	res     pcommon.Resource
	hists   map[string]*series
	dirty   []*series

	// The batch being built: gauge data points go straight into pdata, one
	// per statistics line (every sample is kept, a backlog included).
	md     pmetric.Metrics
	sm     pmetric.ScopeMetrics
	gauges [numGauges]pmetric.NumberDataPointSlice
	have   [numGauges]bool
	latest []seriesEntry
	points int

	// The data point attributes of the record being read.
	provider, model, engine string
	baseAttrs               int
	ts                      pcommon.Timestamp
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// New returns a recorder for the metrics of a resource.
func New(cfg Config, res pcommon.Resource) *Recorder {
	gaugeMetaOnce.Do(describeGauges)
	return &Recorder{
		cfg:     cfg,
		enabled: gaugesEnabled(cfg.Builder.Metrics),
		res:     res,
		hists:   map[string]*series{},
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

// point appends a gauge data point with the record's attributes and, when
// key is set, one more.
func (r *Recorder) point(g gauge, v float64, key, value string) {
	if !r.enabled[g] {
		return
	}
	if !r.have[g] {
		if r.md == (pmetric.Metrics{}) {
			r.md = pmetric.NewMetrics()
			rm := r.md.ResourceMetrics().AppendEmpty()
			r.res.CopyTo(rm.Resource())
			r.sm = rm.ScopeMetrics().AppendEmpty()
			r.sm.Scope().SetName(metadata.ScopeName)
		}
		m := r.sm.Metrics().AppendEmpty()
		meta := &gaugeMeta[g]
		m.SetName(meta.name)
		m.SetDescription(meta.description)
		m.SetUnit(meta.unit)
		r.gauges[g] = m.SetEmptyGauge().DataPoints()
		r.have[g] = true
	}
	// A gauge keeps its last value per read: the OpenTelemetry gauge
	// aggregation, as signal_to_metrics does per interval. Reading live, a
	// read holds at most one statistics line per series; catching up on a
	// backlog, the latest of each read is kept.
	// A read holds few series: a linear search beats hashing five strings.
	sk := seriesKey{g: g, provider: r.provider, model: r.model, engine: r.engine, key: key, value: value}
	for _, e := range r.latest {
		if e.key == sk {
			dp := r.gauges[g].At(e.index)
			if r.ts >= dp.Timestamp() {
				dp.SetTimestamp(r.ts)
				setValue(dp, g, v)
			}
			return
		}
	}
	r.latest = append(r.latest, seriesEntry{key: sk, index: r.gauges[g].Len()})
	dp := r.gauges[g].AppendEmpty()
	dp.SetTimestamp(r.ts)
	setValue(dp, g, v)
	a := dp.Attributes()
	a.EnsureCapacity(r.baseAttrs + boolInt(key != ""))
	a.PutStr(genai.AttrProviderName, r.provider)
	if r.model != "" {
		a.PutStr(genai.AttrRequestModel, r.model)
	}
	if r.engine != "" {
		a.PutStr("inference.engine.id", r.engine)
	}
	if key != "" {
		a.PutStr(key, value)
	}
	r.points++
}

type seriesEntry struct {
	key   seriesKey
	index int
}

// seriesKey identifies a gauge series within a read.
type seriesKey struct {
	g                                   gauge
	provider, model, engine, key, value string
}

func setValue(dp pmetric.NumberDataPoint, g gauge, v float64) {
	if g == gRequests {
		dp.SetIntValue(int64(v))
	} else {
		dp.SetDoubleValue(v)
	}
}

// gaugeOf records the named field divided by div (100 for percentages, 1000
// for milliseconds: dividing keeps 38.2% at 0.382 exactly as printed).
func (r *Recorder) gaugeOf(f fields, name string, g gauge, div float64, key, value string) {
	if v, ok := f.get(name); ok {
		r.point(g, v/div, key, value)
	}
}

const (
	stateKey  = "inference.request.state"
	deviceKey = "inference.kv_cache.device"
	phaseKey  = "inference.startup.phase"
	tokenKey  = "inference.spec_decode.token.type"
)

// Record reads the metrics of one record; at is when it was read, the data
// points' time when the line carries none.
func (r *Recorder) Record(rec *parser.Record, at time.Time) {
	if rec.Kind == parser.KindNone || rec.Format == parser.Unknown {
		return
	}
	t := rec.Time
	if t.IsZero() {
		t = at
	}
	r.ts = pcommon.NewTimestampFromTime(t)
	r.provider, r.model, r.engine = rec.Format.String(), rec.EventModel(), rec.EngineID
	r.baseAttrs = 1 + boolInt(r.model != "") + boolInt(r.engine != "")
	f := fields{rec}
	switch rec.Kind {
	case parser.KindVLLMStatsV0, parser.KindVLLMStatsV1:
		r.gaugeOf(f, "prompt_tokens_per_s", gPromptThroughput, 1, "", "")
		r.gaugeOf(f, "generation_tokens_per_s", gGenerationThroughput, 1, "", "")
		r.gaugeOf(f, "running", gRequests, 1, stateKey, "running")
		r.gaugeOf(f, "waiting", gRequests, 1, stateKey, "waiting")
		r.gaugeOf(f, "pending", gRequests, 1, stateKey, "waiting")
		r.gaugeOf(f, "swapped", gRequests, 1, stateKey, "swapped")
		r.gaugeOf(f, "gpu_kv_cache_pct", gKVCacheUsage, 100, deviceKey, "gpu")
		r.gaugeOf(f, "cpu_kv_cache_pct", gKVCacheUsage, 100, deviceKey, "cpu")
		r.gaugeOf(f, "prefix_cache_hit_pct", gPrefixCacheHitRatio, 100, deviceKey, "gpu")
	case parser.KindVLLMPrefixCacheV0:
		r.gaugeOf(f, "gpu_pct", gPrefixCacheHitRatio, 100, deviceKey, "gpu")
		r.gaugeOf(f, "cpu_pct", gPrefixCacheHitRatio, 100, deviceKey, "cpu")
	case parser.KindVLLMSpecDecode:
		r.gaugeOf(f, "mean_acceptance_length", gSpecMeanAcceptanceLength, 1, "", "")
		r.gaugeOf(f, "draft_acceptance_rate_pct", gSpecAcceptanceRate, 100, "", "")
		r.gaugeOf(f, "accepted_tokens_per_s", gSpecThroughput, 1, tokenKey, "accepted")
		r.gaugeOf(f, "drafted_tokens_per_s", gSpecThroughput, 1, tokenKey, "drafted")
	case parser.KindVLLMSpecDecodeV0:
		r.gaugeOf(f, "draft_acceptance_rate", gSpecAcceptanceRate, 1, "", "")
	case parser.KindVLLMModelLoad, parser.KindSGLangWeightsLoaded:
		r.gaugeOf(f, "seconds", gStartupDuration, 1, phaseKey, "model_load")
	case parser.KindVLLMEngineInit:
		r.gaugeOf(f, "seconds", gStartupDuration, 1, phaseKey, "engine_init")
	case parser.KindVLLMCUDAGraph, parser.KindSGLangCUDAGraph:
		r.gaugeOf(f, "seconds", gStartupDuration, 1, phaseKey, "cuda_graph_capture")
	case parser.KindTGIShardReady:
		r.gaugeOf(f, "seconds", gStartupDuration, 1, phaseKey, "shard_ready")
	case parser.KindOllamaRunnerStarted:
		r.gaugeOf(f, "seconds", gStartupDuration, 1, phaseKey, "runner_start")
	case parser.KindLlamaCppLoad:
		r.gaugeOf(f, "load_ms", gStartupDuration, 1000, phaseKey, "model_load")
	case parser.KindTritonModelLoaded:
		r.gaugeOf(f, "load_duration_s", gStartupDuration, 1, phaseKey, "model_load")
	case parser.KindSGLangPrefill, parser.KindSGLangDecode:
		r.gaugeOf(f, "running_req", gRequests, 1, stateKey, "running")
		r.gaugeOf(f, "queue_req", gRequests, 1, stateKey, "waiting")
		if _, ok := f.get("token_usage"); ok {
			r.gaugeOf(f, "token_usage", gKVCacheUsage, 1, deviceKey, "gpu")
		} else {
			r.gaugeOf(f, "full_token_usage", gKVCacheUsage, 1, deviceKey, "gpu")
		}
		r.gaugeOf(f, "gen_throughput_tok_s", gGenerationThroughput, 1, "", "")
		r.gaugeOf(f, "input_throughput_tok_s", gPromptThroughput, 1, "", "")
		r.gaugeOf(f, "accept_len", gSpecMeanAcceptanceLength, 1, "", "")
		if _, ok := f.get("cache_hit_rate_pct"); ok {
			r.gaugeOf(f, "cache_hit_rate_pct", gPrefixCacheHitRatio, 100, deviceKey, "gpu")
		} else if cached, ok := f.get("cached_token"); ok {
			if fresh, ok := f.get("new_token"); ok && cached+fresh > 0 {
				r.point(gPrefixCacheHitRatio, cached/(cached+fresh), deviceKey, "gpu")
			}
		}
	default:
		r.requestMetrics(rec, t, f)
	}
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
	attrs := [][2]string{{genai.AttrProviderName, provider}, {genai.AttrOperationName, op}}
	if model != "" {
		attrs = append(attrs, [2]string{genai.AttrRequestModel, model})
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
	attrs = append(attrs, [2]string{genai.AttrProviderName, provider})
	if model != "" {
		attrs = append(attrs, [2]string{genai.AttrRequestModel, model})
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
	if r.points == 0 && len(r.dirty) == 0 {
		return pmetric.Metrics{}, false
	}
	if r.md == (pmetric.Metrics{}) {
		r.md = pmetric.NewMetrics()
		rm := r.md.ResourceMetrics().AppendEmpty()
		r.res.CopyTo(rm.Resource())
		r.sm = rm.ScopeMetrics().AppendEmpty()
		r.sm.Scope().SetName(metadata.ScopeName)
	}
	byName := map[string]pmetric.HistogramDataPointSlice{}
	for _, s := range r.dirty {
		dps, ok := byName[s.def.name]
		if !ok {
			m := r.sm.Metrics().AppendEmpty()
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
	md := r.md
	r.md, r.sm = pmetric.Metrics{}, pmetric.ScopeMetrics{}
	r.have = [numGauges]bool{}
	r.latest = r.latest[:0]
	r.points = 0
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
