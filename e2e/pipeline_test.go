//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/testdata"
)

const passthroughConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
processors:
  batch:
    timeout: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_grpc]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_grpc]
`

func TestOTLPPassesThroughBatchForAllSignals(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, passthroughConfig, nil)

	sender := NewSender(t, ports.Endpoint("otlp"))
	traces := testdata.GenerateTraces(5)
	metrics := testdata.GenerateMetrics(5)
	logs := testdata.GenerateLogs(5)
	sender.SendTraces(t, traces)
	sender.SendMetrics(t, metrics)
	sender.SendLogs(t, logs)

	if !assert.Eventually(t, func() bool {
		return sink.Traces.SpanCount() == 5 && sink.Metrics.DataPointCount() == metrics.DataPointCount() && sink.Logs.LogRecordCount() == 5
	}, 20*time.Second, 50*time.Millisecond) {
		t.Fatalf("sink got %d spans, %d points, %d logs; collector output:\n%s",
			sink.Traces.SpanCount(), sink.Metrics.DataPointCount(), sink.Logs.LogRecordCount(), c.Output())
	}

	require.NoError(t, ptracetest.CompareTraces(traces, sink.AllTraces(), ptracetest.IgnoreResourceSpansOrder()))
	require.NoError(t, pmetrictest.CompareMetrics(metrics, sink.AllMetrics(), pmetrictest.IgnoreResourceMetricsOrder()))
	require.NoError(t, plogtest.CompareLogs(logs, sink.AllLogs(), plogtest.IgnoreResourceLogsOrder()))
}

func TestHealthEndpointAnswersWhileRunning(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	// StartWithSink fails the test unless GET / on the health endpoint returns 200.
	c := StartWithSink(t, ports, sink, passthroughConfig, nil)
	c.Stop()
	assert.True(t, c.Exited())
}

func TestInvalidConfigFailsAtStartWithTheKeyPath(t *testing.T) {
	cfg := `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
processors:
  batch:
    send_batch_size: 10
    send_batch_max_size: 5
exporters:
  debug: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
`
	out, code := RunToExit(t, cfg, 30*time.Second)
	assert.NotEqual(t, 0, code, "collector must refuse an invalid config; output:\n%s", out)
	assert.Contains(t, out, "processors::batch", "the error names the component")
	assert.True(t, strings.Contains(out, "send_batch_max_size"), "the error names the key; output:\n%s", out)
}

func TestUnknownComponentFailsAtStart(t *testing.T) {
	cfg := `
receivers:
  no_such_receiver: {}
exporters:
  debug: {}
service:
  pipelines:
    traces:
      receivers: [no_such_receiver]
      exporters: [debug]
`
	out, code := RunToExit(t, cfg, 30*time.Second)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "no_such_receiver")
}
