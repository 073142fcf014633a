package promptredactionprocessor

import (
	"context"
	"regexp"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/redact"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

// Summary attribute names. The semantic conventions have no attributes for
// redaction; these are this processor's own.
const (
	summaryMatchesPrefix = "prompt_redaction.matches."
	summaryFailClosed    = "prompt_redaction.fail_closed"
	summaryDropped       = "prompt_redaction.dropped"
)

type redactionProcessor struct {
	redactor *redact.Redactor
	sel      *selector
	summary  bool
	names    []string // detector name by type
	// summaryKeys are the summary attribute names by type.
	summaryKeys []string
	telemetry   *metadata.TelemetryBuilder
	// Precomputed metric attributes per detector and per fail-closed reason.
	detectorAttrs []metric.AddOption
	reasonAttrs   [redact.NumReasons]metric.AddOption
	stats         sync.Pool
}

func newRedactionProcessor(set processor.Settings, cfg *Config) (*redactionProcessor, error) {
	global, _ := action.ParseKind(cfg.Action)
	rules := make([]action.Rule, detect.NumBuiltin, int(detect.NumBuiltin)+len(cfg.CustomDetectors))
	names := make([]string, detect.NumBuiltin, cap(rules))
	var disabled []detect.Type
	for _, t := range detect.Builtin() {
		names[t] = t.Name()
		rules[t] = action.Rule{Kind: global, Label: detect.Label(t.Name())}
		d, ok := cfg.Detectors[t.Name()]
		if !ok {
			continue
		}
		if d.Enabled != nil && !*d.Enabled {
			disabled = append(disabled, t)
		}
		if d.Action != "" {
			rules[t].Kind, _ = action.ParseKind(d.Action)
		}
	}
	var custom []scan.Custom
	for i, cd := range cfg.CustomDetectors {
		t := detect.NumBuiltin + detect.Type(i)
		kind := global
		if cd.Action != "" {
			kind, _ = action.ParseKind(cd.Action)
		}
		rules = append(rules, action.Rule{Kind: kind, Label: detect.Label(cd.Name)})
		names = append(names, cd.Name)
		custom = append(custom, scan.Custom{Type: t, Pattern: regexp.MustCompile(cd.Pattern)})
	}
	var allowPatterns []*regexp.Regexp
	for _, p := range cfg.AllowPatterns {
		allowPatterns = append(allowPatterns, regexp.MustCompile(p))
	}
	sc := scan.New(scan.Config{Disabled: disabled, Custom: custom, Allow: cfg.AllowList, AllowPatterns: allowPatterns})

	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &redactionProcessor{
		redactor: redact.New(redact.Config{
			Scanner:       sc,
			Actions:       action.New(rules, []byte(cfg.HMACKey)),
			MaxValueBytes: cfg.MaxValueBytes,
		}),
		sel:       newSelector(cfg),
		summary:   cfg.Summary,
		names:     names,
		telemetry: tb,
	}
	for _, n := range names {
		p.summaryKeys = append(p.summaryKeys, summaryMatchesPrefix+n)
		p.detectorAttrs = append(p.detectorAttrs, metric.WithAttributeSet(attribute.NewSet(attribute.String("detector", n))))
	}
	for r := range redact.NumReasons {
		p.reasonAttrs[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r.String())))
	}
	p.stats.New = func() any { return redact.NewStats(len(names)) }
	// Only the shape of the configuration is logged: never values, keys or
	// the HMAC key.
	set.Logger.Info("prompt redaction configured",
		zap.String("action", global.String()),
		zap.Int("detectors_disabled", len(disabled)),
		zap.Int("custom_detectors", len(custom)),
		zap.Bool("all_attributes", cfg.AllAttributes))
	return p, nil
}

func (p *redactionProcessor) shutdown(context.Context) error {
	p.telemetry.Shutdown()
	return nil
}

// batch holds the counts of one ConsumeXxx call and of the current record.
type batch struct {
	total, record *redact.Stats
}

func (p *redactionProcessor) begin() batch {
	b := batch{total: p.stats.Get().(*redact.Stats), record: p.stats.Get().(*redact.Stats)}
	b.total.Reset()
	b.record.Reset()
	return b
}

func (p *redactionProcessor) end(ctx context.Context, b batch) {
	st := b.total
	tb := p.telemetry
	if st.Values > 0 {
		tb.PromptRedactionValuesScanned.Add(ctx, st.Values)
		tb.PromptRedactionBytesScanned.Add(ctx, st.Bytes)
	}
	for t, n := range st.Matches {
		if n > 0 {
			tb.PromptRedactionMatches.Add(ctx, n, p.detectorAttrs[t])
		}
	}
	for r, n := range st.FailClosed {
		if n > 0 {
			tb.PromptRedactionFailClosed.Add(ctx, n, p.reasonAttrs[r])
		}
	}
	if st.Dropped > 0 {
		tb.PromptRedactionAttributesDropped.Add(ctx, st.Dropped)
	}
	p.stats.Put(b.total)
	p.stats.Put(b.record)
}

// finishRecord moves the current record's counts into the batch and, when
// asked, writes them as summary attributes of the record.
func (p *redactionProcessor) finishRecord(b batch, attrs pcommon.Map) {
	st := b.record
	if p.summary {
		for t, n := range st.Matches {
			if n > 0 {
				addInt(attrs, p.summaryKeys[t], n)
			}
		}
		if n := st.TotalFailClosed(); n > 0 {
			addInt(attrs, summaryFailClosed, n)
		}
		if st.Dropped > 0 {
			addInt(attrs, summaryDropped, st.Dropped)
		}
	}
	b.total.Add(st)
	st.Reset()
}

// addInt adds n to an integer attribute, so that counts from two passes
// (two gateways in a row) accumulate.
func addInt(attrs pcommon.Map, key string, n int64) {
	if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeInt {
		v.SetInt(v.Int() + n)
		return
	}
	attrs.PutInt(key, n)
}

func (p *redactionProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	b := p.begin()
	r := p.redactor
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		if p.sel.resources {
			r.Map(rs.Resource().Attributes(), b.total, p.sel.content, false)
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				r.Map(span.Attributes(), b.record, p.sel.content, false)
				events := span.Events()
				for e := 0; e < events.Len(); e++ {
					// Events carry content under any key (gen_ai.* events,
					// exception messages, custom events): all of them.
					r.Map(events.At(e).Attributes(), b.record, p.sel.any, true)
				}
				if p.sel.all {
					links := span.Links()
					for l := 0; l < links.Len(); l++ {
						r.Map(links.At(l).Attributes(), b.record, p.sel.content, false)
					}
				}
				p.finishRecord(b, span.Attributes())
			}
		}
	}
	p.end(ctx, b)
	return td, nil
}

func (p *redactionProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	b := p.begin()
	r := p.redactor
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		if p.sel.resources {
			r.Map(rl.Resource().Attributes(), b.total, p.sel.content, false)
		}
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			records := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < records.Len(); k++ {
				rec := records.At(k)
				if r.Value("", rec.Body(), b.record) == redact.Drop {
					pcommon.NewValueEmpty().CopyTo(rec.Body())
				}
				if genai.IsEventRecord(rec) {
					// GenAI events put content under any key.
					r.Map(rec.Attributes(), b.record, p.sel.any, true)
				} else {
					r.Map(rec.Attributes(), b.record, p.sel.content, false)
				}
				p.finishRecord(b, rec.Attributes())
			}
		}
	}
	p.end(ctx, b)
	return ld, nil
}

func (p *redactionProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	b := p.begin()
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		rm := md.ResourceMetrics().At(i)
		if p.sel.resources {
			p.redactor.Map(rm.Resource().Attributes(), b.total, p.sel.content, false)
		}
		for j := 0; j < rm.ScopeMetrics().Len(); j++ {
			ms := rm.ScopeMetrics().At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				p.metricPoints(ms.At(k), b.total)
			}
		}
	}
	p.end(ctx, b)
	return md, nil
}

// metricPoints redacts every datapoint attribute of m. Datapoints get no
// summary attributes: a new attribute would start a new series.
func (p *redactionProcessor) metricPoints(m pmetric.Metric, st *redact.Stats) {
	attrs := func(a pcommon.Map) { p.redactor.Map(a, st, p.sel.any, true) }
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for i := 0; i < m.Gauge().DataPoints().Len(); i++ {
			attrs(m.Gauge().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeSum:
		for i := 0; i < m.Sum().DataPoints().Len(); i++ {
			attrs(m.Sum().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeHistogram:
		for i := 0; i < m.Histogram().DataPoints().Len(); i++ {
			attrs(m.Histogram().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeExponentialHistogram:
		for i := 0; i < m.ExponentialHistogram().DataPoints().Len(); i++ {
			attrs(m.ExponentialHistogram().DataPoints().At(i).Attributes())
		}
	case pmetric.MetricTypeSummary:
		for i := 0; i < m.Summary().DataPoints().Len(); i++ {
			attrs(m.Summary().DataPoints().At(i).Attributes())
		}
	}
}

// selector decides which attribute keys are scanned.
type selector struct {
	all       bool
	resources bool // resource attributes can hold a selected key
	keys      map[string]bool
	ignored   map[string]bool
	patterns  []*regexp.Regexp
	// cache holds the decisions for keys that are neither ignored nor
	// configured: keys repeat across spans.
	cache  sync.Map
	cached atomic.Int64
}

const maxCachedKeys = 10_000

func newSelector(cfg *Config) *selector {
	s := &selector{all: cfg.AllAttributes, keys: map[string]bool{}, ignored: map[string]bool{}}
	for _, k := range cfg.Keys {
		s.keys[k] = true
	}
	for _, k := range cfg.IgnoredKeys {
		s.ignored[k] = true
	}
	for _, p := range cfg.KeyPatterns {
		s.patterns = append(s.patterns, regexp.MustCompile(p))
	}
	s.resources = s.all || len(s.keys) > 0 || len(s.patterns) > 0
	return s
}

// content selects GenAI content keys (in every shape internal/genai knows),
// configured keys and keys matching configured patterns; every key when
// all_attributes is set.
func (s *selector) content(key string) bool {
	if s.ignored[key] {
		return false
	}
	if s.all || s.keys[key] {
		return true
	}
	if v, ok := s.cache.Load(key); ok {
		return v.(bool)
	}
	match := genai.ClassifyContentKey(key) != genai.ContentNone
	for _, re := range s.patterns {
		if match {
			break
		}
		match = re.MatchString(key)
	}
	if s.cached.Load() < maxCachedKeys {
		s.cache.Store(key, match)
		s.cached.Add(1)
	}
	return match
}

// any selects every key that is not ignored.
func (s *selector) any(key string) bool { return !s.ignored[key] }
