package kedascalerexporter

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadatatest"
)

// fakeClock is a settable clock for the exporter's notion of now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// running is an exporter started on a loopback port, with a gRPC client of
// the generated ExternalScaler service connected to it.
type running struct {
	e         *scalerExporter
	client    externalscaler.ExternalScalerClient
	telemetry *componenttest.Telemetry
	clock     *fakeClock
}

func startScaler(t testing.TB, configure func(*Config)) *running {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	if configure != nil {
		configure(cfg)
	}
	require.NoError(t, cfg.Validate())
	tt := componenttest.NewTelemetry()
	e, err := newScalerExporter(cfg, metadatatest.NewSettings(tt))
	require.NoError(t, err)
	clock := &fakeClock{t: time.Now()}
	e.now = clock.Now
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))

	conn, err := grpc.NewClient("passthrough:///"+e.addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = conn.Close()
		require.NoError(t, e.shutdown(context.Background()))
		_ = tt.Shutdown(context.Background())
	})
	return &running{e: e, client: externalscaler.NewExternalScalerClient(conn), telemetry: tt, clock: clock}
}

// send hands metrics to the exporter as the pipeline would.
func (r *running) send(t testing.TB, md pmetric.Metrics) {
	t.Helper()
	require.NoError(t, r.e.consume(context.Background(), md))
}

// counter sums the data points of a telemetry counter whose attributes
// include attrs.
func (r *running) counter(t *testing.T, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := r.telemetry.GetMetric(name)
	if err != nil {
		return 0
	}
	var total int64
	switch data := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range data.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				total += dp.Value
			}
		}
	case metricdata.Gauge[int64]:
		for _, dp := range data.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				total += dp.Value
			}
		}
	default:
		t.Fatalf("%s: unexpected data %T", name, m.Data)
	}
	return total
}

func hasAll(set attribute.Set, attrs []attribute.KeyValue) bool {
	for _, kv := range attrs {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// vllmPod describes one vLLM pod's scrape, as the prometheus receiver and
// k8s_attributes would deliver it.
type vllmPod struct {
	deployment, pod, model string
	waiting                float64 // vllm:num_requests_waiting (gauge)
	generationTokens       float64 // vllm:generation_tokens_total (cumulative counter)
	cacheUsage             float64 // vllm:gpu_cache_usage_perc (gauge, 0..1)
}

func scrape(ts time.Time, pods ...vllmPod) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for _, p := range pods {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("k8s.deployment.name", p.deployment)
		rm.Resource().Attributes().PutStr("k8s.pod.name", p.pod)
		rm.Resource().Attributes().PutStr("k8s.namespace.name", "inference")
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()

		g := ms.AppendEmpty()
		g.SetName("vllm:num_requests_waiting")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(p.waiting)
		dp.Attributes().PutStr("model_name", p.model)

		c := ms.AppendEmpty()
		c.SetName("vllm:generation_tokens_total")
		sum := c.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp = sum.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(p.generationTokens)
		dp.Attributes().PutStr("model_name", p.model)

		k := ms.AppendEmpty()
		k.SetName("vllm:gpu_cache_usage_perc")
		dp = k.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(p.cacheUsage)
		dp.Attributes().PutStr("model_name", p.model)
	}
	return md
}

func ref(md map[string]string) *externalscaler.ScaledObjectRef {
	return &externalscaler.ScaledObjectRef{Name: "vllm-llama", Namespace: "inference", ScalerMetadata: md}
}
