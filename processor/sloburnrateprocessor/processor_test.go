package sloburnrateprocessor

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadatatest"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
)

var update = flag.Bool("update", false, "rewrite the golden input and output files")

var goldenStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// goldenInputs generate the input.yaml of each golden case (only with
// -update; the test reads the files).
var goldenInputs = map[string]func() pmetric.Metrics{
	"ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model": func() pmetric.Metrics {
		return requestCounters(12, map[string]func(minute float64) int{
			"model-a": func(float64) int { return 1 },
			"model-b": func(m float64) int {
				if m >= 6 && m < 8 {
					return 50
				}
				return 1
			},
		}, pmetric.AggregationTemporalityCumulative)
	},
	"latency_sli_counts_requests_slower_than_the_threshold": func() pmetric.Metrics {
		return latencyHistograms(12, "s", func(m float64) int {
			if m >= 4 && m < 5 {
				return 40
			}
			return 5
		})
	},
	"metrics_no_slo_selects_pass_through_unchanged": func() pmetric.Metrics {
		md := requestCounters(3, map[string]func(float64) int{"model-a": func(float64) int { return 1 }}, pmetric.AggregationTemporalityCumulative)
		sm := md.ResourceMetrics().At(0).ScopeMetrics().At(0)
		for i := 0; i < sm.Metrics().Len(); i++ {
			sm.Metrics().At(i).SetName("gen_ai.client.operations")
		}
		g := sm.Metrics().AppendEmpty()
		g.SetName("hw.gpu.utilization")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(goldenStart))
		dp.SetDoubleValue(0.75)
		return md
	},
}

// requestCounters: every 30 s for minutes, per model 100 requests of which
// bad(minute) fail, as a cumulative (or delta) counter by outcome.
func requestCounters(minutes int, bad map[string]func(float64) int, temporality pmetric.AggregationTemporality) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("loadgen")
	m := sm.Metrics().AppendEmpty()
	m.SetName("gen_ai.server.requests")
	m.SetUnit("{request}")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(temporality)
	for _, model := range []string{"model-a", "model-b"} {
		f, ok := bad[model]
		if !ok {
			continue
		}
		okCount, errCount := int64(1000), int64(10)
		prev := goldenStart
		for s := 1; s <= minutes*2; s++ {
			ts := goldenStart.Add(time.Duration(s)*30*time.Second + 3*time.Second)
			e := int64(f(float64(s) / 2))
			okCount += 100 - e
			errCount += e
			for _, o := range []struct {
				outcome string
				v, d    int64
			}{{"ok", okCount, 100 - e}, {"error", errCount, e}} {
				dp := sum.DataPoints().AppendEmpty()
				dp.Attributes().PutStr("gen_ai.request.model", model)
				dp.Attributes().PutStr("outcome", o.outcome)
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				if temporality == pmetric.AggregationTemporalityDelta {
					dp.SetStartTimestamp(pcommon.NewTimestampFromTime(prev))
					dp.SetIntValue(o.d)
					if s == 1 {
						dp.SetIntValue(o.v)
					}
				} else {
					dp.SetStartTimestamp(pcommon.NewTimestampFromTime(goldenStart))
					dp.SetIntValue(o.v)
				}
			}
			prev = ts
		}
	}
	return md
}

// latencyHistograms: every 30 s, 100 requests of which slow(minute) take
// longer than 1 s, as a cumulative histogram with bounds 0.5, 1, 2.
func latencyHistograms(minutes int, unit string, slow func(float64) int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
	sm := rm.ScopeMetrics().AppendEmpty()
	m := sm.Metrics().AppendEmpty()
	m.SetName("gen_ai.server.request.duration")
	m.SetUnit(unit)
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	counts := []uint64{5000, 3000, 100, 20}
	for s := 1; s <= minutes*2; s++ {
		n := slow(float64(s) / 2)
		counts[0] += uint64(60)
		counts[1] += uint64(40 - n)
		counts[2] += uint64(n / 2)
		counts[3] += uint64(n - n/2)
		dp := h.DataPoints().AppendEmpty()
		dp.Attributes().PutStr("gen_ai.request.model", "model-a")
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(goldenStart))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(goldenStart.Add(time.Duration(s)*30*time.Second + 3*time.Second)))
		dp.ExplicitBounds().FromRaw([]float64{0.5, 1, 2})
		dp.BucketCounts().FromRaw(counts)
		var total uint64
		for _, c := range counts {
			total += c
		}
		dp.SetCount(total)
		dp.SetSum(float64(total) * 0.4)
	}
	return md
}

func loadCaseConfig(t *testing.T, dir string) *Config {
	cm, err := confmaptest.LoadConf(filepath.Join(dir, "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cm.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	return cfg
}

func newTestProcessor(t *testing.T, cfg *Config, set processor.Settings) (processor.Metrics, *consumertest.MetricsSink) {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, sink
}

func TestGolden(t *testing.T) {
	for name, gen := range goldenInputs {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			if *update {
				require.NoError(t, golden.WriteMetricsToFile(filepath.Join(dir, "input.yaml"), gen(), golden.SkipMetricTimestampNormalization()))
			}
			cfg := loadCaseConfig(t, dir)
			input, err := golden.ReadMetrics(filepath.Join(dir, "input.yaml"))
			require.NoError(t, err)
			p, sink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
			in := pmetric.NewMetrics()
			input.CopyTo(in)
			require.NoError(t, p.ConsumeMetrics(context.Background(), in))
			require.Len(t, sink.AllMetrics(), 1)
			got := sink.AllMetrics()[0]

			// The input passes through unchanged: it is the output's first part.
			passed := pmetric.NewMetrics()
			for i := 0; i < input.ResourceMetrics().Len(); i++ {
				got.ResourceMetrics().At(i).CopyTo(passed.ResourceMetrics().AppendEmpty())
			}
			require.NoError(t, pmetrictest.CompareMetrics(input, passed))

			outPath := filepath.Join(dir, "output.yaml")
			if *update {
				require.NoError(t, golden.WriteMetricsToFile(outPath, got, golden.SkipMetricTimestampNormalization()))
			}
			want, err := golden.ReadMetrics(outPath)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(want, got,
				pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(), pmetrictest.IgnoreMetricDataPointsOrder()))
		})
	}
}

// sloPoints returns the processor's SLO points by metric, SLO, qualifier
// (window or severity), model and time.
func sloPoints(all []pmetric.Metrics) map[pointKey]float64 { return processorPoints(all) }

func TestSteadyErrorsGiveTheExpectedRatioAndBurnRate(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	p, sink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	md := requestCounters(12, map[string]func(float64) int{"model-a": func(float64) int { return 2 }}, pmetric.AggregationTemporalityCumulative)
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	points := sloPoints(sink.AllMetrics())
	var ratios, burns int
	for k, v := range points {
		switch k.metric {
		case slo.MetricErrorRatio:
			ratios++
			assert.InDelta(t, 0.02, v, 1e-12, "%+v", k)
		case slo.MetricBurnRate:
			burns++
			assert.InDelta(t, 2, v, 1e-10, "%+v: 2%% errors against a 1%% budget", k)
		case slo.MetricBudgetRemaining:
			assert.InDelta(t, -1, v, 1e-10, "%+v: twice the budget spent", k)
		case slo.MetricAlertFiring:
			assert.Zero(t, v, "%+v: burn rate 2 is below the factor 10", k)
		}
	}
	// Windows 2m, 5m and the 10m period, evaluated each minute from the
	// first minute after the first sample to the last one before the
	// newest sample (12 minutes of data).
	assert.Equal(t, 3*11, ratios)
	assert.Equal(t, ratios, burns)
}

func TestReplayedDataGivesTheSameAnswerAsLiveData(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	all := goldenInputs["ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"]()

	// Live: one batch per scrape, as an exporter sends them.
	live, liveSink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	for _, b := range splitByTimestamp(all) {
		require.NoError(t, live.ConsumeMetrics(context.Background(), b))
	}
	// Replayed: everything in one batch, hours later.
	replay, replaySink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, replay.ConsumeMetrics(context.Background(), all))

	assert.Equal(t, sloPoints(liveSink.AllMetrics()), sloPoints(replaySink.AllMetrics()))
	assert.NotEmpty(t, sloPoints(liveSink.AllMetrics()))
}

// splitByTimestamp cuts md into one Metrics per distinct timestamp, in time
// order.
func splitByTimestamp(md pmetric.Metrics) []pmetric.Metrics {
	byTS := map[pcommon.Timestamp]pmetric.Metrics{}
	var order []pcommon.Timestamp
	sum := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
	for i := 0; i < sum.Sum().DataPoints().Len(); i++ {
		dp := sum.Sum().DataPoints().At(i)
		b, ok := byTS[dp.Timestamp()]
		if !ok {
			b = pmetric.NewMetrics()
			md.ResourceMetrics().At(0).Resource().CopyTo(b.ResourceMetrics().AppendEmpty().Resource())
			m := b.ResourceMetrics().At(0).ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName(sum.Name())
			m.SetUnit(sum.Unit())
			s := m.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(sum.Sum().AggregationTemporality())
			byTS[dp.Timestamp()] = b
			order = append(order, dp.Timestamp())
		}
		dp.CopyTo(b.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().AppendEmpty())
	}
	slices.Sort(order)
	out := make([]pmetric.Metrics, len(order))
	for i, ts := range order {
		out[i] = byTS[ts]
	}
	return out
}

func TestDeltaCountersGiveTheSameValuesAsCumulative(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	bad := map[string]func(float64) int{"model-a": func(m float64) int { return int(m) % 4 }, "model-b": func(float64) int { return 3 }}
	cum, cumSink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, cum.ConsumeMetrics(context.Background(), requestCounters(12, bad, pmetric.AggregationTemporalityCumulative)))
	del, delSink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	require.NoError(t, del.ConsumeMetrics(context.Background(), requestCounters(12, bad, pmetric.AggregationTemporalityDelta)))
	want, got := sloPoints(cumSink.AllMetrics()), sloPoints(delSink.AllMetrics())
	require.NotEmpty(t, want)
	require.Len(t, got, len(want))
	for k, w := range want {
		assert.InDelta(t, w, got[k], 1e-12, "%+v", k)
	}
}

func refused(reason string, n int64) metricdata.DataPoint[int64] {
	return metricdata.DataPoint[int64]{Attributes: attribute.NewSet(attribute.String("reason", reason)), Value: n}
}

func TestLateAndDuplicatePointsAreLeftOutAndCounted(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	clean := requestCounters(12, map[string]func(float64) int{"model-a": func(float64) int { return 3 }}, pmetric.AggregationTemporalityCumulative)
	batches := splitByTimestamp(clean)

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	dirty, dirtySink := newTestProcessor(t, cfg, metadatatest.NewSettings(tel))
	ref, refSink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	for i, b := range batches {
		require.NoError(t, ref.ConsumeMetrics(context.Background(), cloneMetrics(b)))
		require.NoError(t, dirty.ConsumeMetrics(context.Background(), cloneMetrics(b)))
		if i == 10 {
			// The same batch again (2 duplicate points), then an older one
			// with different values (2 late points).
			require.NoError(t, dirty.ConsumeMetrics(context.Background(), cloneMetrics(b)))
			old := cloneMetrics(batches[4])
			dps := old.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
			for j := 0; j < dps.Len(); j++ {
				dps.At(j).SetIntValue(dps.At(j).IntValue() * 7)
			}
			require.NoError(t, dirty.ConsumeMetrics(context.Background(), old))
		}
	}
	assert.Equal(t, sloPoints(refSink.AllMetrics()), sloPoints(dirtySink.AllMetrics()))
	metadatatest.AssertEqualSloBurnRatePointsRefused(t, tel, []metricdata.DataPoint[int64]{refused("duplicate", 2), refused("late", 2)},
		metricdatatest.IgnoreTimestamp())
}

func TestSeriesBeyondTheCapAreRefusedAndCounted(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	cfg.MaxSeries = 2 // model-a's ok and error series
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	p, sink := newTestProcessor(t, cfg, metadatatest.NewSettings(tel))
	md := goldenInputs["ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"]()
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	models := map[string]bool{}
	for k := range sloPoints(sink.AllMetrics()) {
		models[k.model] = true
	}
	assert.Equal(t, map[string]bool{"model-a": true}, models)
	// model-b: 24 scrapes of an ok and an error point.
	metadatatest.AssertEqualSloBurnRatePointsRefused(t, tel, []metricdata.DataPoint[int64]{refused("series_limit", 48)}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualSloBurnRateSeries(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
}

func TestHistogramsThatCannotMeetTheSLIAreRefusedAndCounted(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "latency_sli_counts_requests_slower_than_the_threshold"))
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	p, sink := newTestProcessor(t, cfg, metadatatest.NewSettings(tel))

	inMs := latencyHistograms(2, "ms", func(float64) int { return 1 })
	offGrid := latencyHistograms(2, "s", func(float64) int { return 1 })
	dps := offGrid.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints()
	for i := 0; i < dps.Len(); i++ {
		dps.At(i).ExplicitBounds().FromRaw([]float64{0.5, 0.75, 2})
	}
	require.NoError(t, p.ConsumeMetrics(context.Background(), inMs))
	require.NoError(t, p.ConsumeMetrics(context.Background(), offGrid))
	assert.Empty(t, sloPoints(sink.AllMetrics()))
	metadatatest.AssertEqualSloBurnRatePointsRefused(t, tel, []metricdata.DataPoint[int64]{
		refused("no_bucket_at_threshold", 4), refused("unit_mismatch", 4),
	}, metricdatatest.IgnoreTimestamp())
}

func cloneMetrics(md pmetric.Metrics) pmetric.Metrics {
	out := pmetric.NewMetrics()
	md.CopyTo(out)
	return out
}

var _ component.Config = (*Config)(nil)

func TestASeriesRefusedByTheCapDoesNotRepeatEvaluations(t *testing.T) {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	cfg.MaxSeries = 2 // model-a's ok and error series
	p, sink := newTestProcessor(t, cfg, processortest.NewNopSettings(metadata.Type))
	batches := splitByTimestamp(requestCounters(12, map[string]func(float64) int{"model-a": func(float64) int { return 2 }}, pmetric.AggregationTemporalityCumulative))
	for i, b := range batches {
		if i >= 4 {
			// A third series of the same SLO series, newest first in the
			// batch: the cap refuses it.
			dps := b.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
			extra := pmetric.NewNumberDataPoint()
			dps.At(0).CopyTo(extra)
			extra.Attributes().PutStr("outcome", "timeout")
			extra.CopyTo(dps.AppendEmpty())
			dps.Sort(func(a, b pmetric.NumberDataPoint) bool {
				oa, _ := a.Attributes().Get("outcome")
				return oa.Str() == "timeout" && b.Timestamp() >= a.Timestamp()
			})
		}
		require.NoError(t, p.ConsumeMetrics(context.Background(), b))
	}
	seen := map[string]int{}
	for _, md := range sink.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			sm := rms.At(i).ScopeMetrics().At(0)
			if sm.Scope().Name() != metadata.ScopeName {
				continue
			}
			for j := 0; j < sm.Metrics().Len(); j++ {
				m := sm.Metrics().At(j)
				for k := 0; k < m.Gauge().DataPoints().Len(); k++ {
					dp := m.Gauge().DataPoints().At(k)
					seen[m.Name()+dp.Timestamp().String()+fmt.Sprint(dp.Attributes().AsRaw())]++
				}
			}
		}
	}
	require.NotEmpty(t, seen)
	for k, n := range seen {
		assert.Equal(t, 1, n, "%s emitted %d times", k, n)
	}
}
