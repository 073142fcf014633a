package sloburnrateprocessor

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
)

const benchSLOSeries = 10_000

// benchLoad is one scrape of benchSLOSeries SLO series (model × route): a
// request counter by outcome (ok/error) and a request-duration histogram per
// series, updated in place from scrape to scrape.
type benchLoad struct {
	md     pmetric.Metrics
	sums   pmetric.NumberDataPointSlice
	hists  pmetric.HistogramDataPointSlice
	points int
}

func newBenchLoad() *benchLoad {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
	sm := rm.ScopeMetrics().AppendEmpty()
	reqs := sm.Metrics().AppendEmpty()
	reqs.SetName("gen_ai.server.requests")
	sum := reqs.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dur := sm.Metrics().AppendEmpty()
	dur.SetName("gen_ai.server.request.duration")
	dur.SetUnit("s")
	hist := dur.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i := 0; i < benchSLOSeries; i++ {
		model := fmt.Sprintf("model-%03d", i%100)
		route := fmt.Sprintf("/v1/route-%03d", i/100)
		for _, outcome := range []string{"ok", "error"} {
			dp := sum.DataPoints().AppendEmpty()
			dp.Attributes().PutStr("gen_ai.request.model", model)
			dp.Attributes().PutStr("http.route", route)
			dp.Attributes().PutStr("outcome", outcome)
		}
		hp := hist.DataPoints().AppendEmpty()
		hp.Attributes().PutStr("gen_ai.request.model", model)
		hp.Attributes().PutStr("http.route", route)
		hp.ExplicitBounds().FromRaw(synthBounds)
		hp.BucketCounts().FromRaw(make([]uint64, len(synthBounds)+1))
	}
	return &benchLoad{md: md, sums: sum.DataPoints(), hists: hist.DataPoints(), points: 3 * benchSLOSeries}
}

// scrape advances every series to scrape n (15 s apart).
func (l *benchLoad) scrape(n int) pmetric.Metrics {
	ts := pcommon.NewTimestampFromTime(synthStart.Add(time.Duration(n) * 15 * time.Second))
	start := pcommon.NewTimestampFromTime(synthStart)
	for i := 0; i < l.sums.Len(); i++ {
		dp := l.sums.At(i)
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(ts)
		if i%2 == 0 {
			dp.SetIntValue(int64(n) * 100)
		} else {
			dp.SetIntValue(int64(n) * int64(1+i%3))
		}
	}
	for i := 0; i < l.hists.Len(); i++ {
		hp := l.hists.At(i)
		hp.SetStartTimestamp(start)
		hp.SetTimestamp(ts)
		counts := hp.BucketCounts()
		var total uint64
		for b := 0; b < counts.Len(); b++ {
			counts.SetAt(b, counts.At(b)+uint64(40>>b))
			total += counts.At(b)
		}
		hp.SetCount(total)
	}
	return l.md
}

func benchConfig() *Config {
	cfg := agreementConfig()
	cfg.MaxSeries = 10 * benchSLOSeries
	for i := range cfg.SLOs {
		cfg.SLOs[i].GroupBy = []string{"gen_ai.request.model", "http.route"}
	}
	return cfg
}

// BenchmarkSLOBurnRate: 10k SLO series per SLO (a ratio SLO on the outcome
// counter, a latency SLO on the histogram; 40k counter series), SRE workbook
// windows and a 30-day period, after an hour of data. One op is one scrape of
// every series; evaluations happen every fourth scrape (each minute). It
// reports CPU per input data point and memory per counter series and per SLO
// series.
func BenchmarkSLOBurnRate(b *testing.B) {
	b.Run("10k_slo_series", func(b *testing.B) {
		ctx := context.Background()
		load := newBenchLoad()
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var emitted int
		count, err := consumer.NewMetrics(func(_ context.Context, md pmetric.Metrics) error {
			emitted += md.DataPointCount()
			return nil
		})
		require.NoError(b, err)
		p, err := NewFactory().CreateMetrics(ctx, processortest.NewNopSettings(metadata.Type), benchConfig(), count)
		require.NoError(b, err)
		n := 0
		feed := func() {
			n++
			md := load.scrape(n)
			require.NoError(b, p.ConsumeMetrics(ctx, md))
			// Drop the SLO points the processor appended: the input is
			// reused for the next scrape.
			md.ResourceMetrics().RemoveIf(func(rm pmetric.ResourceMetrics) bool {
				return rm.ScopeMetrics().Len() > 0 && rm.ScopeMetrics().At(0).Scope().Name() == metadata.ScopeName
			})
		}
		for range 240 { // an hour of data: the rings are in use
			feed()
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		// ok + error per ratio SLO series, bucket + count per latency one.
		counters := 4 * benchSLOSeries
		emitted = 0
		b.ResetTimer()
		for b.Loop() {
			feed()
		}
		b.StopTimer()
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*load.points), "ns/datapoint")
		b.ReportMetric(float64(emitted-b.N*load.points)/float64(b.N*load.points), "slo_points/datapoint")
		b.ReportMetric(heap/float64(counters), "B/counter_series")
		b.ReportMetric(heap/float64(2*benchSLOSeries), "B/slo_series")
		require.NoError(b, p.Shutdown(ctx))
	})
}
