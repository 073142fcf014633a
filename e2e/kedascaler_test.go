//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/kedascalertest"
)

const kedaScalerConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
exporters:
  keda_scaler:
    endpoint: {{ endpoint "keda" }}
    stream_interval: 100ms
service:
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [keda_scaler]
`

// vllmScrape is what a scrape of vLLM pods looks like after the prometheus
// receiver and k8s_attributes: a waiting-requests gauge and a cumulative
// generation-tokens counter per pod.
func vllmScrape(ts time.Time, deployment string, waiting, tokens map[string]float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for pod, w := range waiting {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("k8s.namespace.name", "inference")
		rm.Resource().Attributes().PutStr("k8s.deployment.name", deployment)
		rm.Resource().Attributes().PutStr("k8s.pod.name", pod)
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		g := ms.AppendEmpty()
		g.SetName("vllm:num_requests_waiting")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(w)
		dp.Attributes().PutStr("model_name", "meta-llama/Llama-3.1-8B-Instruct")
		if total, ok := tokens[pod]; ok {
			c := ms.AppendEmpty()
			c.SetName("vllm:generation_tokens_total")
			s := c.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp := s.DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(total)
			dp.Attributes().PutStr("model_name", "meta-llama/Llama-3.1-8B-Instruct")
		}
	}
	return md
}

func scaledObject(md map[string]string) *kedascalertest.ScaledObjectRef {
	return &kedascalertest.ScaledObjectRef{Name: "vllm-llama", Namespace: "inference", ScalerMetadata: md}
}

func TestKEDAScalerAnswersFromMetricsSentOverOTLP(t *testing.T) {
	ports := NewPorts(t)
	StartWithSink(t, ports, nil, kedaScalerConfig, nil)

	client, conn, err := kedascalertest.Dial(ports.Endpoint("keda"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	sender := NewSender(t, ports.Endpoint("otlp"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	waiting := map[string]string{
		"scalerAddress":            ports.Endpoint("keda"),
		"metricName":               "vllm:num_requests_waiting",
		"attr.k8s.deployment.name": "vllm-llama",
		"targetValue":              "5",
		"activationThreshold":      "2",
		"staleAfter":               "30s",
	}
	tokens := map[string]string{
		"scalerAddress":            ports.Endpoint("keda"),
		"metricName":               "vllm:generation_tokens_total",
		"attr.k8s.deployment.name": "vllm-llama",
		"window":                   "60s",
		"targetValue":              "400",
	}

	// Two scrapes 15 s apart: 3 + 1 waiting, and 300 + 100 tokens/s.
	now := time.Now()
	sender.SendMetrics(t, vllmScrape(now.Add(-15*time.Second), "vllm-llama",
		map[string]float64{"vllm-llama-0": 6, "vllm-llama-1": 0},
		map[string]float64{"vllm-llama-0": 10000, "vllm-llama-1": 2000}))
	sender.SendMetrics(t, vllmScrape(now, "vllm-llama",
		map[string]float64{"vllm-llama-0": 3, "vllm-llama-1": 1},
		map[string]float64{"vllm-llama-0": 14500, "vllm-llama-1": 3500}))
	sender.SendMetrics(t, vllmScrape(now, "vllm-mistral", map[string]float64{"vllm-mistral-0": 50}, nil))

	t.Run("GetMetricSpec", func(t *testing.T) {
		spec, err := client.GetMetricSpec(ctx, scaledObject(waiting))
		require.NoError(t, err)
		require.Len(t, spec.MetricSpecs, 1)
		assert.Equal(t, "vllm-num-requests-waiting", spec.MetricSpecs[0].MetricName)
		assert.Equal(t, 5.0, spec.MetricSpecs[0].TargetSizeFloat)
	})

	t.Run("GetMetrics sums the deployment's waiting requests", func(t *testing.T) {
		var got float64
		require.Eventually(t, func() bool {
			resp, err := client.GetMetrics(ctx, &kedascalertest.GetMetricsRequest{ScaledObjectRef: scaledObject(waiting), MetricName: "vllm-num-requests-waiting"})
			if err != nil {
				return false
			}
			got = resp.MetricValues[0].MetricValueFloat
			return got == 4
		}, 10*time.Second, 50*time.Millisecond, "last value %v", got)
	})

	t.Run("GetMetrics gives the tokens per second of a counter", func(t *testing.T) {
		resp, err := client.GetMetrics(ctx, &kedascalertest.GetMetricsRequest{ScaledObjectRef: scaledObject(tokens), MetricName: "vllm-generation-tokens-total"})
		require.NoError(t, err)
		assert.InDelta(t, 400.0, resp.MetricValues[0].MetricValueFloat, 1e-6)
	})

	t.Run("IsActive and StreamIsActive follow the threshold", func(t *testing.T) {
		active, err := client.IsActive(ctx, scaledObject(waiting))
		require.NoError(t, err)
		assert.True(t, active.Result, "4 waiting > 2")

		sender.SendMetrics(t, vllmScrape(time.Now(), "vllm-llama", map[string]float64{"vllm-llama-0": 0, "vllm-llama-1": 1}, nil))
		stream, err := client.StreamIsActive(ctx, scaledObject(waiting))
		require.NoError(t, err)
		msg, err := stream.Recv()
		require.NoError(t, err)
		assert.False(t, msg.Result, "1 waiting is not above 2")

		sender.SendMetrics(t, vllmScrape(time.Now(), "vllm-llama", map[string]float64{"vllm-llama-0": 8, "vllm-llama-1": 4}, nil))
		msg, err = stream.Recv()
		require.NoError(t, err)
		assert.True(t, msg.Result, "12 waiting crosses the threshold")
	})

	t.Run("bad scalerMetadata is InvalidArgument naming the key", func(t *testing.T) {
		bad := map[string]string{"metricName": "vllm:num_requests_waiting", "targetValue": "5", "aggregation": "median"}
		_, err := client.GetMetrics(ctx, &kedascalertest.GetMetricsRequest{ScaledObjectRef: scaledObject(bad), MetricName: "vllm-num-requests-waiting"})
		st := status.Convert(err)
		assert.Equal(t, codes.InvalidArgument, st.Code())
		assert.Contains(t, st.Message(), `scalerMetadata "aggregation": "median" is not an aggregation`)
	})

	t.Run("stale data is UNAVAILABLE, not zero", func(t *testing.T) {
		stale := map[string]string{}
		for k, v := range waiting {
			stale[k] = v
		}
		stale["staleAfter"] = "1s"
		time.Sleep(1500 * time.Millisecond)
		_, err := client.GetMetrics(ctx, &kedascalertest.GetMetricsRequest{ScaledObjectRef: scaledObject(stale), MetricName: "vllm-num-requests-waiting"})
		st := status.Convert(err)
		assert.Equal(t, codes.Unavailable, st.Code())
		assert.Contains(t, st.Message(), "matching series are stale")
		active, err := client.IsActive(ctx, scaledObject(stale))
		require.NoError(t, err)
		assert.False(t, active.Result)
	})

	t.Run("the collector counts what it stored and answered", func(t *testing.T) {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		for _, name := range []string{"otelcol_keda_scaler_points_stored", "otelcol_keda_scaler_requests", "otelcol_keda_scaler_series"} {
			assert.True(t, strings.Contains(page, name), "%s missing from\n%s", name, page)
		}
		assert.Contains(t, page, `outcome="invalid_argument"`)
		assert.Contains(t, page, `outcome="no_data"`)
	})
}

func TestKEDAScalerRefusesAnInvalidConfigAtStart(t *testing.T) {
	cfg := `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
exporters:
  keda_scaler:
    endpoint: 127.0.0.1:0
    default_window: 20m
    max_window: 5m
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [keda_scaler]
`
	out, code := RunToExit(t, cfg, 30*time.Second)
	assert.NotEqual(t, 0, code, "output:\n%s", out)
	assert.Contains(t, out, "exporters::keda_scaler")
	assert.Contains(t, out, "default_window: 20m0s is longer than max_window (5m0s)")
}

// The example scaler collector must stay a valid config of this distribution.
func TestKEDAExampleCollectorConfigIsValid(t *testing.T) {
	cmd := exec.Command(Binary(t), "validate", "--config", filepath.Join(RepoRoot(), "examples", "keda", "collector.yaml"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
