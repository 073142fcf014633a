package dcgmreceiver

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

// cpuTime is the user+system CPU time of the whole process: the receivers'
// background goroutines (the Prometheus scrape loop) and the in-process HTTP
// server count too, the same for both sub-benchmarks.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScrape compares, per scrape of the same 8-GPU MIG page served over
// HTTP, the dcgm receiver with contrib's prometheus receiver (what people run
// today to read dcgm-exporter into a collector). cpu-ns/scrape is the number
// to compare: the prometheus receiver scrapes on its own 50 ms ticker, so its
// ns/op is wall time set by that interval. B/op and allocs/op count every
// allocation of the process during the run, per scrape.
func BenchmarkScrape(b *testing.B) {
	page, err := os.ReadFile(filepath.Join("testdata", "fixtures", "synthetic-h100-8gpu-mig-k8s.prom"))
	require.NoError(b, err)
	endpoint := servePage(b, page)

	b.Run("dcgm", func(b *testing.B) {
		cfg := createDefaultConfig().(*Config)
		cfg.ClientConfig.Endpoint = endpoint
		s, err := newScraper(cfg, receivertest.NewNopSettings(metadata.Type))
		require.NoError(b, err)
		require.NoError(b, s.start(context.Background(), componenttest.NewNopHost()))
		defer func() { require.NoError(b, s.shutdown(context.Background())) }()
		md, err := s.scrape(context.Background())
		require.NoError(b, err)
		points := md.DataPointCount()

		b.ReportAllocs()
		runtime.GC()
		start := cpuTime(b)
		b.ResetTimer()
		for range b.N {
			if _, err := s.scrape(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/scrape")
		b.ReportMetric(float64(points), "points/scrape")
	})

	b.Run("contrib_prometheus", func(b *testing.B) {
		u, err := url.Parse(endpoint)
		require.NoError(b, err)
		f := prometheusreceiver.NewFactory()
		cfg := f.CreateDefaultConfig()
		require.NoError(b, confmap.NewFromStringMap(map[string]any{
			"config": map[string]any{"scrape_configs": []any{map[string]any{
				"job_name":        "dcgm",
				"scrape_interval": "50ms",
				"scrape_timeout":  "50ms",
				"metrics_path":    u.Path,
				"static_configs":  []any{map[string]any{"targets": []any{u.Host}}},
			}}},
		}).Unmarshal(&cfg))
		sink := new(consumertest.MetricsSink)
		r, err := f.CreateMetrics(context.Background(), receivertest.NewNopSettings(component.MustNewType("prometheus")), cfg, sink)
		require.NoError(b, err)
		require.NoError(b, r.Start(context.Background(), componenttest.NewNopHost()))
		defer func() { require.NoError(b, r.Shutdown(context.Background())) }()
		waitScrapes := func(n int) {
			deadline := time.Now().Add(time.Minute)
			for len(sink.AllMetrics()) < n {
				if time.Now().After(deadline) {
					b.Fatalf("prometheus receiver delivered %d of %d scrapes", len(sink.AllMetrics()), n)
				}
				time.Sleep(time.Millisecond)
			}
		}
		waitScrapes(2) // past the first scrape's setup
		points := sink.AllMetrics()[1].DataPointCount()

		b.ReportAllocs()
		runtime.GC()
		base := len(sink.AllMetrics())
		start := cpuTime(b)
		b.ResetTimer()
		waitScrapes(base + b.N)
		b.StopTimer()
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/scrape")
		b.ReportMetric(float64(points), "points/scrape")
	})
}
