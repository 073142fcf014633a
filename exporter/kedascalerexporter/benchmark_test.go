package kedascalerexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/query"
)

const (
	benchDeployments   = 100
	benchPodsPerDeploy = 50
	benchScrapes       = 5 // 15 s apart
	benchPods          = benchDeployments * benchPodsPerDeploy
)

// benchScrape builds one scrape of every pod: a waiting-requests gauge and a
// generation-tokens counter per pod, 2 × 5,000 = 10,000 series.
func benchScrape(ts time.Time, i int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for d := 0; d < benchDeployments; d++ {
		for p := 0; p < benchPodsPerDeploy; p++ {
			rm := md.ResourceMetrics().AppendEmpty()
			res := rm.Resource().Attributes()
			res.PutStr("k8s.namespace.name", "inference")
			res.PutStr("k8s.deployment.name", fmt.Sprintf("vllm-%03d", d))
			res.PutStr("k8s.pod.name", fmt.Sprintf("vllm-%03d-%02d", d, p))
			ms := rm.ScopeMetrics().AppendEmpty().Metrics()

			g := ms.AppendEmpty()
			g.SetName("vllm:num_requests_waiting")
			dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(float64((d + p + i) % 7))
			dp.Attributes().PutStr("model_name", "llama-3.1-8b")

			c := ms.AppendEmpty()
			c.SetName("vllm:generation_tokens_total")
			s := c.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp = s.DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(float64(i * 15 * (100 + p)))
			dp.Attributes().PutStr("model_name", "llama-3.1-8b")
		}
	}
	return md
}

// BenchmarkGetMetrics measures one GetMetrics call, over loopback gRPC with
// the generated client, while the exporter holds 10,000 series with five
// samples each.
func BenchmarkGetMetrics(b *testing.B) {
	r := startScaler(b, nil)
	start := time.Now().Add(-time.Minute)
	for i := 0; i < benchScrapes; i++ {
		r.send(b, benchScrape(start.Add(time.Duration(i*15)*time.Second), i))
	}
	r.clock.Set(start.Add(time.Minute))
	require.Equal(b, 2*benchPods, r.e.store.SeriesCount())

	cases := []struct {
		name string
		md   map[string]string
	}{
		{"grpc/gauge_sum_of_one_deployment", map[string]string{
			"metricName": "vllm:num_requests_waiting", "attr.k8s.deployment.name": "vllm-042", "targetValue": "5"}},
		{"grpc/gauge_sum_of_all_5000", map[string]string{
			"metricName": "vllm:num_requests_waiting", "targetValue": "5"}},
		{"grpc/counter_rate_of_one_deployment", map[string]string{
			"metricName": "vllm:generation_tokens_total", "attr.k8s.deployment.name": "vllm-042", "targetValue": "1000"}},
		{"grpc/counter_rate_max_of_all_5000", map[string]string{
			"metricName": "vllm:generation_tokens_total", "aggregation": "max", "targetValue": "1000"}},
	}
	ctx := context.Background()
	for _, c := range cases {
		req := &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(c.md)}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := r.client.GetMetrics(ctx, req)
				if err != nil || len(resp.MetricValues) != 1 {
					b.Fatal(err)
				}
			}
		})
	}

	// The same queries without gRPC: parse the metadata and evaluate.
	for _, c := range []struct {
		name string
		md   map[string]string
	}{
		{"direct/gauge_sum_of_one_deployment", cases[0].md},
		{"direct/counter_rate_max_of_all_5000", cases[3].md},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q, err := query.Parse(c.md, r.e.defaults)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := q.Evaluate(r.e.store, r.clock.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConsume measures storing one scrape of 10,000 points into series
// that already exist.
func BenchmarkConsume(b *testing.B) {
	r := startScaler(b, nil)
	start := time.Now()
	r.send(b, benchScrape(start, 0))
	batches := make([]pmetric.Metrics, 16)
	for i := range batches {
		batches[i] = benchScrape(start, i+1)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		md := batches[i%len(batches)]
		// Move the batch forward in time so that no point is out of order.
		b.StopTimer()
		ts := pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Second))
		rms := md.ResourceMetrics()
		for j := 0; j < rms.Len(); j++ {
			ms := rms.At(j).ScopeMetrics().At(0).Metrics()
			ms.At(0).Gauge().DataPoints().At(0).SetTimestamp(ts)
			ms.At(1).Sum().DataPoints().At(0).SetTimestamp(ts)
		}
		b.StartTimer()
		r.send(b, md)
	}
	b.ReportMetric(float64(2*benchPods), "points/op")
}
