package kedascalerexporter

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadata"
)

var waitingQuery = map[string]string{
	"scalerAddress":            "otelcol-ai-gateway.observability:4050",
	"metricName":               "vllm:num_requests_waiting",
	"attr.k8s.deployment.name": "vllm-llama",
	"aggregation":              "sum",
	"targetValue":              "5",
	"activationThreshold":      "2",
}

func TestAllCallsThroughTheFactoryBuiltExporter(t *testing.T) {
	// A free port for the factory-built exporter to listen on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = addr
	exp, err := f.CreateMetrics(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	now := time.Now()
	require.NoError(t, exp.ConsumeMetrics(context.Background(), scrape(now,
		vllmPod{deployment: "vllm-llama", pod: "vllm-llama-0", model: "llama", waiting: 7},
		vllmPod{deployment: "vllm-llama", pod: "vllm-llama-1", model: "llama", waiting: 5},
		vllmPod{deployment: "vllm-mistral", pod: "vllm-mistral-0", model: "mistral", waiting: 40},
	)))

	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := externalscaler.NewExternalScalerClient(conn)
	ctx := context.Background()

	spec, err := client.GetMetricSpec(ctx, ref(waitingQuery))
	require.NoError(t, err)
	require.Len(t, spec.MetricSpecs, 1)
	assert.Equal(t, "vllm-num-requests-waiting", spec.MetricSpecs[0].MetricName)
	assert.Equal(t, 5.0, spec.MetricSpecs[0].TargetSizeFloat)
	assert.Equal(t, int64(5), spec.MetricSpecs[0].TargetSize)

	metrics, err := client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{
		ScaledObjectRef: ref(waitingQuery), MetricName: spec.MetricSpecs[0].MetricName,
	})
	require.NoError(t, err)
	require.Len(t, metrics.MetricValues, 1)
	assert.Equal(t, "vllm-num-requests-waiting", metrics.MetricValues[0].MetricName)
	assert.Equal(t, 12.0, metrics.MetricValues[0].MetricValueFloat, "7 + 5 waiting on the two llama pods; mistral's 40 not counted")
	assert.Equal(t, int64(12), metrics.MetricValues[0].MetricValue)

	active, err := client.IsActive(ctx, ref(waitingQuery))
	require.NoError(t, err)
	assert.True(t, active.Result, "12 > activationThreshold 2")

	idle := map[string]string{}
	for k, v := range waitingQuery {
		idle[k] = v
	}
	idle["activationThreshold"] = "12"
	active, err = client.IsActive(ctx, ref(idle))
	require.NoError(t, err)
	assert.False(t, active.Result, "12 is not above 12")
}

func TestGetMetricsAnswersTokensPerSecondAndCachePressure(t *testing.T) {
	r := startScaler(t, nil)
	start := time.Now().Add(-time.Minute)
	// Two pods; pod 0 generates 300 tokens/s, pod 1 100 tokens/s, scraped every 15 s.
	for i := 0; i <= 4; i++ {
		ts := start.Add(time.Duration(i*15) * time.Second)
		r.clock.Set(ts)
		r.send(t, scrape(ts,
			vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", generationTokens: float64(i * 15 * 300), cacheUsage: 0.5 + 0.1*float64(i)},
			vllmPod{deployment: "vllm-llama", pod: "p1", model: "llama", generationTokens: float64(i * 15 * 100), cacheUsage: 0.2},
		))
	}
	ctx := context.Background()

	tokens := map[string]string{
		"metricName": "vllm:generation_tokens_total", "attr.k8s.deployment.name": "vllm-llama",
		"function": "rate", "window": "60s", "targetValue": "250",
	}
	got, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(tokens), MetricName: "vllm-generation-tokens-total"})
	require.NoError(t, err)
	assert.InDelta(t, 400.0, got.MetricValues[0].MetricValueFloat, 1e-9)

	cache := map[string]string{
		"metricName": "vllm:gpu_cache_usage_perc", "attr.model_name": "llama",
		"aggregation": "max", "targetValue": "0.8",
	}
	got, err = r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(cache), MetricName: "vllm-gpu-cache-usage-perc"})
	require.NoError(t, err)
	assert.InDelta(t, 0.9, got.MetricValues[0].MetricValueFloat, 1e-9)
	assert.Equal(t, int64(1), got.MetricValues[0].MetricValue, "the deprecated integer field is rounded")

	spec, err := r.client.GetMetricSpec(ctx, ref(cache))
	require.NoError(t, err)
	assert.Equal(t, 0.8, spec.MetricSpecs[0].TargetSizeFloat)
}

func TestStreamIsActiveSendsWhenTheValueCrossesTheThreshold(t *testing.T) {
	const interval = 10 * time.Millisecond
	r := startScaler(t, func(c *Config) { c.StreamInterval = interval })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Several re-evaluations with an unchanged state: a stream that sent
	// on every evaluation would have queued messages by then.
	unchanged := func() { time.Sleep(10 * interval) }

	r.send(t, scrape(r.clock.Now(), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 1}))
	stream, err := r.client.StreamIsActive(ctx, ref(waitingQuery))
	require.NoError(t, err)

	msg, err := stream.Recv()
	require.NoError(t, err)
	assert.False(t, msg.Result, "the first message tells the state at once: 1 waiting is not above 2")

	unchanged()
	r.send(t, scrape(r.clock.Now().Add(time.Second), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 9}))
	msg, err = stream.Recv()
	require.NoError(t, err)
	assert.True(t, msg.Result, "9 waiting crosses the threshold; nothing was sent while the state stayed")

	unchanged()
	r.send(t, scrape(r.clock.Now().Add(2*time.Second), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 0}))
	msg, err = stream.Recv()
	require.NoError(t, err)
	assert.False(t, msg.Result, "back under the threshold")

	unchanged()
	assert.Equal(t, int64(3), r.counter(t, "otelcol.keda_scaler.requests",
		attribute.String("method", "StreamIsActive"), attribute.String("outcome", "ok")), "one message per change of state, each counted once")
}

func TestStreamIsActiveTurnsInactiveWhenDataGoesStale(t *testing.T) {
	r := startScaler(t, func(c *Config) { c.StreamInterval = 10 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.send(t, scrape(r.clock.Now(), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 9}))

	stream, err := r.client.StreamIsActive(ctx, ref(waitingQuery))
	require.NoError(t, err)
	msg, err := stream.Recv()
	require.NoError(t, err)
	assert.True(t, msg.Result)

	r.clock.Set(r.clock.Now().Add(3 * time.Minute)) // past the default stale_after of 2m
	msg, err = stream.Recv()
	require.NoError(t, err)
	assert.False(t, msg.Result)
}

func TestStaleDataIsNeverAZero(t *testing.T) {
	r := startScaler(t, nil)
	ctx := context.Background()
	r.send(t, scrape(r.clock.Now(), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 30}))

	query := map[string]string{}
	for k, v := range waitingQuery {
		query[k] = v
	}
	query["staleAfter"] = "30s"

	got, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(query), MetricName: "vllm-num-requests-waiting"})
	require.NoError(t, err)
	assert.Equal(t, 30.0, got.MetricValues[0].MetricValueFloat)

	r.clock.Set(r.clock.Now().Add(31 * time.Second))

	t.Run("GetMetrics fails with UNAVAILABLE saying why", func(t *testing.T) {
		_, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(query), MetricName: "vllm-num-requests-waiting"})
		require.Error(t, err)
		st := status.Convert(err)
		assert.Equal(t, codes.Unavailable, st.Code())
		assert.Contains(t, st.Message(), "ScaledObject inference/vllm-llama")
		assert.Contains(t, st.Message(), `no data for vllm:num_requests_waiting{k8s.deployment.name="vllm-llama"}: the 1 matching series are stale, newest point received 31s ago (staleAfter 30s)`)
	})
	t.Run("IsActive is false", func(t *testing.T) {
		active, err := r.client.IsActive(ctx, ref(query))
		require.NoError(t, err)
		assert.False(t, active.Result)
	})
	t.Run("a fallbackValue answers instead", func(t *testing.T) {
		withFallback := map[string]string{"fallbackValue": "10"}
		for k, v := range query {
			withFallback[k] = v
		}
		got, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(withFallback), MetricName: "vllm-num-requests-waiting"})
		require.NoError(t, err)
		assert.Equal(t, 10.0, got.MetricValues[0].MetricValueFloat)
		active, err := r.client.IsActive(ctx, ref(withFallback))
		require.NoError(t, err)
		assert.True(t, active.Result, "the fallback 10 is above the threshold 2")
	})
	t.Run("telemetry tells no_data from fallback", func(t *testing.T) {
		assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.requests", attribute.String("method", "GetMetrics"), attribute.String("outcome", "no_data")))
		assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.requests", attribute.String("method", "IsActive"), attribute.String("outcome", "no_data")))
		assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.requests", attribute.String("method", "GetMetrics"), attribute.String("outcome", "fallback")))
		assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.requests", attribute.String("method", "GetMetrics"), attribute.String("outcome", "ok")))
	})

	// Fresh data again: the answer is the data.
	r.send(t, scrape(r.clock.Now(), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 4}))
	got, err = r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(query), MetricName: "vllm-num-requests-waiting"})
	require.NoError(t, err)
	assert.Equal(t, 4.0, got.MetricValues[0].MetricValueFloat)
}

func TestBadScalerMetadataIsInvalidArgumentNamingTheKey(t *testing.T) {
	r := startScaler(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cases := []struct {
		name string
		md   map[string]string
		want string
	}{
		{"no metric name", map[string]string{"targetValue": "5"}, `scalerMetadata "metricName": required`},
		{"no target", map[string]string{"metricName": "m"}, `scalerMetadata "targetValue": required`},
		{"bad aggregation", map[string]string{"metricName": "m", "targetValue": "5", "aggregation": "p99"}, `scalerMetadata "aggregation": "p99" is not an aggregation: want sum, avg or max`},
		{"bad window", map[string]string{"metricName": "m", "targetValue": "5", "window": "soon"}, `scalerMetadata "window": "soon" is not a duration`},
		{"window beyond max_window", map[string]string{"metricName": "m", "targetValue": "5", "window": "1h"}, `scalerMetadata "window": 1h0m0s is longer than the 10m0s of data the exporter keeps`},
		{"typo", map[string]string{"metricName": "m", "targetValue": "5", "treshold": "1"}, `scalerMetadata "treshold": unknown key`},
	}
	calls := map[string]func(md map[string]string) error{
		"IsActive": func(md map[string]string) error {
			_, err := r.client.IsActive(ctx, ref(md))
			return err
		},
		"GetMetricSpec": func(md map[string]string) error {
			_, err := r.client.GetMetricSpec(ctx, ref(md))
			return err
		},
		"GetMetrics": func(md map[string]string) error {
			_, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(md), MetricName: "m"})
			return err
		},
		"StreamIsActive": func(md map[string]string) error {
			s, err := r.client.StreamIsActive(ctx, ref(md))
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		},
		"StreamMetricSpec": func(md map[string]string) error {
			s, err := r.client.StreamMetricSpec(ctx, ref(md))
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		},
	}
	for _, c := range cases {
		for method, call := range calls {
			t.Run(c.name+"/"+method, func(t *testing.T) {
				err := call(c.md)
				require.Error(t, err)
				st := status.Convert(err)
				assert.Equal(t, codes.InvalidArgument, st.Code(), st.Message())
				assert.Contains(t, st.Message(), "ScaledObject inference/vllm-llama: ")
				assert.Contains(t, st.Message(), c.want)
			})
		}
	}
	assert.Equal(t, int64(len(cases)), r.counter(t, "otelcol.keda_scaler.requests",
		attribute.String("method", "GetMetrics"), attribute.String("outcome", "invalid_argument")))

	t.Run("no scaledObjectRef", func(t *testing.T) {
		_, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{MetricName: "m"})
		assert.Equal(t, codes.InvalidArgument, status.Code(err))
	})
	t.Run("a metric name that is not the trigger's", func(t *testing.T) {
		_, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(waitingQuery), MetricName: "s0-something-else"})
		st := status.Convert(err)
		assert.Equal(t, codes.InvalidArgument, st.Code())
		assert.Contains(t, st.Message(), `metricName "s0-something-else" is not this trigger's metric (GetMetricSpec names it "vllm-num-requests-waiting")`)
	})
}

func TestRateOfAGaugeIsFailedPrecondition(t *testing.T) {
	r := startScaler(t, nil)
	r.send(t, scrape(r.clock.Now(), vllmPod{deployment: "vllm-llama", pod: "p0", model: "llama", waiting: 3}))
	md := map[string]string{"metricName": "vllm:num_requests_waiting", "function": "rate", "targetValue": "5"}
	_, err := r.client.GetMetrics(context.Background(), &externalscaler.GetMetricsRequest{ScaledObjectRef: ref(md), MetricName: "vllm-num-requests-waiting"})
	st := status.Convert(err)
	assert.Equal(t, codes.FailedPrecondition, st.Code())
	assert.Contains(t, st.Message(), "is a gauge: function rate needs a monotonic sum")
	_, err = r.client.IsActive(context.Background(), ref(md))
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
}

func TestStreamMetricSpecSendsTheSpecAtOnce(t *testing.T) {
	r := startScaler(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := r.client.StreamMetricSpec(ctx, ref(waitingQuery))
	require.NoError(t, err)
	spec, err := s.Recv()
	require.NoError(t, err)
	assert.Equal(t, "vllm-num-requests-waiting", spec.MetricSpecs[0].MetricName)
	assert.Equal(t, 5.0, spec.MetricSpecs[0].TargetSizeFloat)
}

func TestShutdownEndsOpenStreams(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.StreamInterval = time.Hour
	e, err := newScalerExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	conn, err := grpc.NewClient("passthrough:///"+e.addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := externalscaler.NewExternalScalerClient(conn)

	active, err := client.StreamIsActive(context.Background(), ref(waitingQuery))
	require.NoError(t, err)
	_, err = active.Recv()
	require.NoError(t, err)
	specs, err := client.StreamMetricSpec(context.Background(), ref(waitingQuery))
	require.NoError(t, err)
	_, err = specs.Recv()
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	begin := time.Now()
	require.NoError(t, e.shutdown(ctx))
	assert.Less(t, time.Since(begin), 4*time.Second, "shutdown does not wait for KEDA to hang up")
	for _, recv := range []func() error{
		func() error { _, err := active.Recv(); return err },
		func() error { _, err := specs.Recv(); return err },
	} {
		err := recv()
		require.Error(t, err)
		assert.True(t, errors.Is(err, io.EOF) || status.Code(err) == codes.Unavailable, "%v", err)
	}
}

func TestStartFailsWhenThePortIsTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = l.Addr().String()
	e, err := newScalerExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	err = e.start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "keda_scaler: listening on "+l.Addr().String())
	require.NoError(t, e.shutdown(context.Background()))
}

func TestDroppedPointsAndSeriesAreCounted(t *testing.T) {
	r := startScaler(t, func(c *Config) { c.MaxSeries = 2 })
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	h := ms.AppendEmpty()
	h.SetName("vllm:e2e_request_latency_seconds")
	h.SetEmptyHistogram().DataPoints().AppendEmpty()
	g := ms.AppendEmpty()
	g.SetName("queue")
	points := g.SetEmptyGauge().DataPoints()
	for i := 0; i < 3; i++ {
		dp := points.AppendEmpty()
		dp.SetDoubleValue(1)
		dp.Attributes().PutStr("pod", strconv.Itoa(i))
	}
	r.send(t, md)

	assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.points.dropped", attribute.String("reason", "unsupported_type")))
	assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.points.dropped", attribute.String("reason", "series_limit")))
	assert.Equal(t, int64(2), r.counter(t, "otelcol.keda_scaler.points.stored"))
	assert.Equal(t, int64(2), r.counter(t, "otelcol.keda_scaler.series"))

	// A Prometheus staleness marker ends pod 0's series.
	end := pmetric.NewMetrics()
	eg := end.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	eg.SetName("queue")
	dp := eg.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.Attributes().PutStr("pod", "0")
	dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	r.send(t, end)
	assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.series.removed", attribute.String("reason", "ended")))
	assert.Equal(t, int64(1), r.counter(t, "otelcol.keda_scaler.series"))
}

func TestTheFirstDropOfEachReasonIsLogged(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	set := exportertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	cfg := createDefaultConfig()
	e, err := newScalerExporter(cfg, set)
	require.NoError(t, err)

	histogram := pmetric.NewMetrics()
	h := histogram.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	h.SetName("vllm:time_to_first_token_seconds")
	h.SetEmptyHistogram().DataPoints().AppendEmpty()
	for i := 0; i < 3; i++ {
		require.NoError(t, e.consume(context.Background(), histogram))
	}
	require.Equal(t, 1, logs.Len())
	entry := logs.All()[0]
	assert.Equal(t, "unsupported_type", entry.ContextMap()["reason"])
	assert.Contains(t, entry.ContextMap()["hint"], "histograms")
}
