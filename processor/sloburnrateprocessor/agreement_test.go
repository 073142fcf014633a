package sloburnrateprocessor

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	prw "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/prometheusremotewrite"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
	sloRules "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/rules"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/window"
)

// agreementConfig is a ratio and a latency SLO per model with the SRE
// workbook windows and a 30-day period.
func agreementConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.SLOs = []SLOConfig{
		{
			Name: "chat-availability", Service: "genai-gateway", Objective: 99.5,
			SLI: SLIConfig{Ratio: &RatioSLIConfig{
				Bad:   MetricSelector{Metric: "gen_ai.server.requests", Match: map[string]string{"outcome": "error"}},
				Total: MetricSelector{Metric: "gen_ai.server.requests"},
			}},
			GroupBy: []string{"gen_ai.request.model"},
		},
		{
			Name: "chat-latency", Service: "genai-gateway", Objective: 99,
			SLI:     SLIConfig{Latency: &LatencySLIConfig{MetricSelector: MetricSelector{Metric: "gen_ai.server.request.duration"}, Threshold: synthThreshold}},
			GroupBy: []string{"gen_ai.request.model"},
		},
	}
	return cfg
}

// pointKey identifies one emitted value: metric, SLO, window or severity,
// model, time (ms).
type pointKey struct {
	metric, slo, qualifier, model string
	t                             int64
}

type agreement struct {
	compared  int
	maxRelErr float64
	worst     string
	alerts    int
	firing    int
}

func (a *agreement) compare(t *testing.T, what string, got, want float64) {
	t.Helper()
	var rel float64
	if math.Abs(want) > 1e-12 {
		rel = math.Abs(got-want) / math.Abs(want)
	} else {
		rel = math.Abs(got - want)
	}
	a.compared++
	if rel > a.maxRelErr {
		a.maxRelErr = rel
		a.worst = fmt.Sprintf("%s: processor %v, Prometheus %v", what, got, want)
	}
	if rel > 0.01 {
		t.Errorf("%s: processor %v, Prometheus %v (relative error %.3g > 1%%)", what, got, want, rel)
	}
}

// TestBurnRatesAgreeWithPrometheus feeds synthetic series through the
// processor and, as remote-written samples, into a Prometheus TSDB, then
// evaluates the rules slo-rules generates with Prometheus's PromQL engine at
// the times the processor evaluates (every third minute for the one-minute
// windows, every evaluation for the others): error ratios, burn rates and budget
// must agree within 1 %, and so must the set of SLO series and alert states.
func TestBurnRatesAgreeWithPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("several days of synthetic data through PromQL")
	}
	for i, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			a := runAgreement(t, sc, uint64(i+1))
			t.Logf("%s: %d values compared, max relative error %.3g (%s); %d alert states compared, %d firing",
				sc.name, a.compared, a.maxRelErr, a.worst, a.alerts, a.firing)
		})
	}
}

func runAgreement(t *testing.T, sc scenario, seed uint64) agreement {
	ctx := context.Background()
	cfg := agreementConfig()
	require.NoError(t, cfg.Validate())
	specs := cfg.Specs()
	sink := new(consumertest.MetricsSink)
	proc, err := NewFactory().CreateMetrics(ctx, processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, proc.Start(ctx, componenttest.NewNopHost()))
	defer func() { require.NoError(t, proc.Shutdown(ctx)) }()

	st := teststorage.New(t)
	var lastT int64
	for _, md := range sc.batches(seed) {
		appendRemoteWrite(t, st, md)
		require.NoError(t, proc.ConsumeMetrics(ctx, md))
		lastT = max(lastT, newestTimestamp(md))
	}
	got := processorPoints(sink.AllMetrics())
	require.NotEmpty(t, got)

	// Rule results go to a second TSDB: the first one's head has moved past
	// the evaluation times already. Queries read both.
	recorded := teststorage.New(t)
	both := storage.QueryableFunc(func(mint, maxt int64) (storage.Querier, error) {
		a, err := st.Querier(mint, maxt)
		if err != nil {
			return nil, err
		}
		b, err := recorded.Querier(mint, maxt)
		if err != nil {
			return nil, err
		}
		return storage.NewMergeQuerier([]storage.Querier{a, b}, nil, storage.ChainedSeriesMerge), nil
	})
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	query := rules.EngineQueryFunc(engine, both)
	rf := sloRules.Prometheus(specs, sloRules.Options{MetricSuffixes: true, Interval: cfg.EvaluationInterval})
	recording := map[string]*rules.RecordingRule{}
	alerting := map[string]parser.Expr{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			expr, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr)
			require.NoError(t, err, r.Expr)
			if r.Record != "" {
				sloName := g.Name[len("slo:") : len(g.Name)-len(":sli")]
				recording[sloName+"|"+r.Record] = rules.NewRecordingRule(r.Record, expr, labels.FromMap(r.Labels))
			} else {
				alerting[r.Labels[sloRules.LabelName]+"|"+r.Labels[sloRules.LabelSeverity]] = expr
			}
		}
	}

	var a agreement
	matched := map[pointKey]bool{}
	prev := map[string]map[string]labels.Labels{}
	iv := cfg.EvaluationInterval.Milliseconds()
	first := (synthStart.UnixMilli()/iv + 1) * iv
	// Every third evaluation time: still every cadence of the windows longer
	// than 3m, and every time the alert states are compared at (6m, 72m).
	stride := 3 * iv
	first = (first/stride + 1) * stride
	for T := first; T < lastT-iv; T += stride {
		ts := time.UnixMilli(T)
		for _, spec := range specs {
			durs := spec.Durations()
			layout := layoutOf(t, spec, cfg)
			for wi, d := range durs {
				if T%layout.WidthMs(wi) != 0 {
					continue
				}
				wl := slo.FormatDuration(d)
				names := []struct{ record, metric string }{
					{sloRules.RecordErrorRatio(d), slo.MetricErrorRatio},
					{sloRules.RecordBurnRate(d), slo.MetricBurnRate},
				}
				if d == spec.Period {
					names = append(names, struct{ record, metric string }{sloRules.RecordBudgetRemaining, slo.MetricBudgetRemaining})
				}
				for _, n := range names {
					rule := recording[spec.Name+"|"+n.record]
					require.NotNil(t, rule, n.record)
					vec, err := rule.Eval(ctx, 0, ts, query, nil, 0)
					require.NoError(t, err)
					record(t, recorded, prev, spec.Name+"|"+n.record, vec, T)
					qual := wl
					if n.metric == slo.MetricBudgetRemaining {
						qual = ""
					}
					want := map[string]float64{}
					for _, s := range vec {
						if !math.IsNaN(s.F) {
							want[s.Metric.Get("gen_ai_request_model")] = s.F
						}
					}
					for model, w := range want {
						k := pointKey{n.metric, spec.Name, qual, model, T}
						v, ok := got[k]
						if !ok {
							t.Errorf("Prometheus has %s{%s, %s, %s} = %v at %s, the processor nothing", n.record, spec.Name, model, wl, w, ts.UTC())
							continue
						}
						matched[k] = true
						a.compare(t, fmt.Sprintf("%s %s %s %s at %s", n.metric, spec.Name, model, wl, ts.UTC()), v, w)
					}
					for _, model := range synthModels {
						k := pointKey{n.metric, spec.Name, qual, model, T}
						if v, ok := got[k]; ok && !matched[k] {
							t.Errorf("the processor has %s{%s, %s, %s} = %v at %s, Prometheus nothing", n.metric, spec.Name, model, wl, v, ts.UTC())
						}
					}
				}
			}
			// Alert states are compared where every window of the
			// severity is evaluated at T, so both sides read them at T.
			for _, sev := range spec.Severities() {
				onAll := true
				for _, w := range spec.Windows {
					if w.Severity != sev {
						continue
					}
					for _, d := range []time.Duration{w.Long, w.Short} {
						if T%layout.WidthMs(indexOf(durs, d)) != 0 {
							onAll = false
						}
					}
				}
				if !onAll {
					continue
				}
				q, err := engine.NewInstantQuery(ctx, both, nil, alerting[spec.Name+"|"+sev].String(), ts)
				require.NoError(t, err)
				res := q.Exec(ctx)
				require.NoError(t, res.Err)
				vec, err := res.Vector()
				require.NoError(t, err)
				firing := map[string]bool{}
				for _, s := range vec {
					firing[s.Metric.Get("gen_ai_request_model")] = true
				}
				q.Close()
				for _, model := range synthModels {
					v, ok := got[pointKey{slo.MetricAlertFiring, spec.Name, sev, model, T}]
					if firing[model] && (!ok || v != 1) {
						t.Errorf("%s %s alert of %s fires in Prometheus at %s, not in the processor (%v, %v)", spec.Name, sev, model, ts.UTC(), v, ok)
					}
					if ok && v == 1 && !firing[model] {
						t.Errorf("%s %s alert of %s fires in the processor at %s, not in Prometheus", spec.Name, sev, model, ts.UTC())
					}
					if ok {
						a.alerts++
						if v == 1 {
							a.firing++
						}
					}
				}
			}
		}
	}
	require.Positive(t, a.compared)
	return a
}

func indexOf(ds []time.Duration, d time.Duration) int {
	for i, x := range ds {
		if x == d {
			return i
		}
	}
	return -1
}

func layoutOf(t *testing.T, spec *slo.Spec, cfg *Config) *window.Layout {
	var ms []int64
	for _, d := range spec.Durations() {
		ms = append(ms, d.Milliseconds())
	}
	l, err := window.NewLayout(cfg.EvaluationInterval.Milliseconds(), ms, cfg.BucketsPerWindow)
	require.NoError(t, err)
	return l
}

// record appends a rule's result at T as Prometheus's rule manager does,
// with a staleness marker for every series the rule returned last time and
// not now.
func record(t *testing.T, st storage.Appendable, prev map[string]map[string]labels.Labels, rule string, vec promql.Vector, T int64) {
	app := st.Appender(context.Background())
	now := map[string]labels.Labels{}
	for _, s := range vec {
		_, err := app.Append(0, s.Metric, T, s.F)
		require.NoError(t, err)
		now[s.Metric.String()] = s.Metric
	}
	for k, l := range prev[rule] {
		if _, ok := now[k]; !ok {
			_, err := app.Append(0, l, T, math.Float64frombits(value.StaleNaN))
			require.NoError(t, err)
		}
	}
	prev[rule] = now
	require.NoError(t, app.Commit())
}

// appendRemoteWrite stores md as the prometheusremotewrite exporter sends it.
func appendRemoteWrite(t *testing.T, st storage.Appendable, md pmetric.Metrics) {
	series, err := prw.FromMetrics(md, prw.Settings{AddMetricSuffixes: true})
	require.NoError(t, err)
	app := st.Appender(context.Background())
	for _, ts := range series {
		b := labels.NewScratchBuilder(len(ts.Labels))
		for _, l := range ts.Labels {
			b.Add(l.Name, l.Value)
		}
		b.Sort()
		ls := b.Labels()
		for _, s := range ts.Samples {
			_, err := app.Append(0, ls, s.Timestamp, s.Value)
			require.NoError(t, err)
		}
	}
	require.NoError(t, app.Commit())
}

func newestTimestamp(md pmetric.Metrics) int64 {
	var newest int64
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for l := 0; l < m.Sum().DataPoints().Len(); l++ {
						newest = max(newest, int64(m.Sum().DataPoints().At(l).Timestamp())/1e6)
					}
				case pmetric.MetricTypeHistogram:
					for l := 0; l < m.Histogram().DataPoints().Len(); l++ {
						newest = max(newest, int64(m.Histogram().DataPoints().At(l).Timestamp())/1e6)
					}
				}
			}
		}
	}
	return newest
}

// processorPoints indexes the SLO points the processor appended.
func processorPoints(all []pmetric.Metrics) map[pointKey]float64 {
	out := map[pointKey]float64{}
	for _, md := range all {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			sms := rms.At(i).ScopeMetrics()
			for j := 0; j < sms.Len(); j++ {
				if sms.At(j).Scope().Name() != metadata.ScopeName {
					continue
				}
				ms := sms.At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					dps := m.Gauge().DataPoints()
					for l := 0; l < dps.Len(); l++ {
						dp := dps.At(l)
						attr := func(k string) string {
							if v, ok := dp.Attributes().Get(k); ok {
								return v.AsString()
							}
							return ""
						}
						qual := attr(slo.AttrSLOWindow)
						if m.Name() == slo.MetricAlertFiring {
							qual = attr(slo.AttrSLOSeverity)
						}
						out[pointKey{m.Name(), attr(slo.AttrSLOName), qual, attr("gen_ai.request.model"), int64(dp.Timestamp()) / 1e6}] = dp.DoubleValue()
					}
				}
			}
		}
	}
	return out
}

// TestCounterRateEqualsPromQLRate checks the window arithmetic itself, not
// only ratios (whose extrapolation factors mostly cancel): one counter that
// starts near zero, resets, pauses and is scraped irregularly, against
// PromQL's rate() over every window at every evaluation time.
func TestCounterRateEqualsPromQLRate(t *testing.T) {
	ctx := context.Background()
	windowsMs := []int64{5 * 60_000, 30 * 60_000, 3_600_000, 6 * 3_600_000}
	layout, err := window.NewLayout(60_000, windowsMs, 60)
	require.NoError(t, err)
	st := teststorage.New(t)
	ls := labels.FromStrings("__name__", "requests_total", "job", "synth")
	c := window.NewCounter(layout)
	rng := newTestRand(3)
	tm := synthStart.UnixMilli() + 250
	v := 3.0
	type evalAt struct {
		T     int64
		rates []float64
		ok    []bool
	}
	var evals []evalAt
	next := (tm/60_000 + 1) * 60_000
	app := st.Appender(ctx)
	for i := 0; i < 4000; i++ {
		for next < tm {
			e := evalAt{T: next}
			for w := range windowsMs {
				r, ok := c.Rate(layout, w, next)
				e.rates = append(e.rates, r)
				e.ok = append(e.ok, ok)
			}
			evals = append(evals, e)
			next += 60_000
		}
		require.Equal(t, window.Accepted, c.Add(layout, tm, v, 0))
		_, err := app.Append(0, ls, tm, v)
		require.NoError(t, err)
		switch r := rng.IntN(200); {
		case r < 3:
			v = float64(rng.IntN(3)) // reset to a small value: the zero point matters
		case r < 6:
			tm += int64(rng.IntN(50)) * 60_000 // a gap of up to 50 minutes
		default:
			v += float64(rng.IntN(7))
		}
		tm += 5_000 + int64(rng.IntN(25_000))
	}
	require.NoError(t, app.Commit())
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 10_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	var a agreement
	for _, e := range evals {
		for w, wms := range windowsMs {
			if e.T%layout.WidthMs(w) != 0 {
				continue // a window is evaluated on its own cadence only
			}
			q, err := engine.NewInstantQuery(ctx, st, nil, fmt.Sprintf("rate(requests_total[%dms])", wms), time.UnixMilli(e.T))
			require.NoError(t, err)
			res := q.Exec(ctx)
			require.NoError(t, res.Err)
			vec, err := res.Vector()
			require.NoError(t, err)
			require.Equal(t, len(vec) == 1, e.ok[w], "window %dms at %d: Prometheus has %d results, the counter ok=%v", wms, e.T, len(vec), e.ok[w])
			if len(vec) == 1 {
				a.compare(t, fmt.Sprintf("rate[%dms] at %d", wms, e.T), e.rates[w], vec[0].F)
			}
			q.Close()
		}
	}
	require.Positive(t, a.compared)
	t.Logf("%d rates compared, max relative error %.3g (%s)", a.compared, a.maxRelErr, a.worst)
	require.Less(t, a.maxRelErr, 1e-9)
}
