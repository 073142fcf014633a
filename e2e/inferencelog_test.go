//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const inferenceLogConfig = `
receivers:
  inference_log:
    include: [{{ .logs }}/**/*.log]
    start_at: beginning
    poll_interval: 50ms
    storage: file_storage
    multiline:
      flush_timeout: 100ms
processors:
  batch:
    timeout: 100ms
extensions:
  file_storage:
    directory: {{ .storage }}
service:
  extensions: [health_check, file_storage]
  pipelines:
    logs:
      receivers: [inference_log]
      processors: [batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [inference_log]
      processors: [batch]
      exporters: [otlp_grpc]
`

// writeInferenceLogs writes a node's log directory: a vLLM pod log as the
// kubelet writes it (CRI lines, one split in two), a TGI log and an Ollama
// log. It returns how many log records they make.
func writeInferenceLogs(t *testing.T, dir string) int {
	t.Helper()
	pod := filepath.Join(dir, "pods", "llm_vllm-0_5c1f7a3e-2d4b-4f7e-9a1c-8b2d3e4f5a6b", "vllm")
	require.NoError(t, os.MkdirAll(pod, 0o755))
	stats := "(APIServer pid=1) INFO 08-14 16:05:20 [loggers.py:123] Engine 000: Avg prompt throughput: 3512.8 tokens/s, Avg generation throughput: 655.1 tokens/s, Running: 42 reqs, Waiting: 7 reqs, GPU KV cache usage: 38.2%, Prefix cache hit rate: 61.0%"
	cri := strings.Join([]string{
		"2025-08-14T16:05:10.100000000Z stdout F (APIServer pid=1) INFO 08-14 16:05:10 [api_server.py:1805] vLLM API server version 0.10.1",
		"2025-08-14T16:05:20.501234567Z stdout P " + stats[:90],
		"2025-08-14T16:05:20.501234999Z stdout F " + stats[90:],
		"2025-08-14T16:05:20.600000000Z stdout F (APIServer pid=1) INFO 08-14 16:05:20 [loggers.py:123] Engine 001: Avg prompt throughput: 2987.1 tokens/s, Avg generation throughput: 701.4 tokens/s, Running: 39 reqs, Waiting: 3 reqs, GPU KV cache usage: 35.9%, Prefix cache hit rate: 58.4%",
		"2025-08-14T16:06:02.000000000Z stderr F (APIServer pid=1) ERROR 08-14 16:06:02 [serving_chat.py:1201] Error in chat completion stream generator.",
		"2025-08-14T16:06:02.000000100Z stderr F (APIServer pid=1) ERROR 08-14 16:06:02 [serving_chat.py:1201] Traceback (most recent call last):",
		"2025-08-14T16:06:02.000000200Z stderr F (APIServer pid=1) ERROR 08-14 16:06:02 [serving_chat.py:1201]   File \"serving_chat.py\", line 571, in generator",
		"2025-08-14T16:06:02.000000300Z stderr F (APIServer pid=1) ERROR 08-14 16:06:02 [serving_chat.py:1201] vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue.",
		"2025-08-14T16:06:03.000000000Z stdout F (APIServer pid=1) INFO:     10.42.0.7:38410 - \"POST /v1/chat/completions HTTP/1.1\" 200 OK",
	}, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(pod, "0.log"), []byte(cri), 0o600))
	tgi := strings.Join([]string{
		"2024-06-03T11:20:31.826472Z  INFO shard-manager: text_generation_launcher: Shard ready in 14.422917342s rank=0",
		"2024-06-03T11:21:02.551034Z  INFO generate{total_time=\"1.205870321s\" validation_time=\"1.23181ms\" queue_time=\"49.382µs\" inference_time=\"1.204589758s\" time_per_token=\"18.821714ms\" seed=\"None\"}: text_generation_router::server: router/src/server.rs:322: Success",
		"2024-06-03T11:21:05.118220Z  INFO chat_completions{total_time=\"2.8s\" validation_time=\"312.5µs\" queue_time=\"12.5ms\" inference_time=\"2.787187s\" time_per_token=\"27.59591ms\" seed=\"None\"}: text_generation_router::server: router/src/server.rs:1018: Success",
	}, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tgi.log"), []byte(tgi), 0o600))
	ollama := strings.Join([]string{
		"time=2024-11-20T09:15:33.285Z level=INFO source=server.go:626 msg=\"llama runner started in 2.51 seconds\"",
		"[GIN] 2024/11/20 - 09:15:35 | 200 |  4.716204331s |      10.42.0.15 | POST     \"/api/chat\"",
		"[GIN] 2024/11/20 - 09:15:42 | 500 |  901.01229ms |      10.42.0.16 | POST     \"/api/generate\"",
	}, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ollama.log"), []byte(ollama), 0o600))
	// vLLM: version, two stats lines, one grouped traceback, one access line.
	return 5 + 3 + 3
}

type inferenceLogRecord struct {
	resource map[string]any
	attrs    map[string]any
	body     string
}

func inferenceLogRecords(ld plog.Logs) []inferenceLogRecord {
	var out []inferenceLogRecord
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		res := rl.Resource().Attributes().AsRaw()
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				out = append(out, inferenceLogRecord{resource: res, attrs: lrs.At(k).Attributes().AsRaw(), body: lrs.At(k).Body().Str()})
			}
		}
	}
	return out
}

// metricPoints lists "name attr=value,..." for every data point.
func metricPoints(md pmetric.Metrics) map[string]int {
	out := map[string]int{}
	add := func(name string, attrs pcommon.Map) {
		keys := []string{}
		attrs.Range(func(k string, v pcommon.Value) bool {
			if k != "gen_ai.request.model" {
				keys = append(keys, k+"="+v.AsString())
			}
			return true
		})
		sort.Strings(keys)
		out[name+" "+strings.Join(keys, ",")]++
	}
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					for p := 0; p < m.Gauge().DataPoints().Len(); p++ {
						add(m.Name(), m.Gauge().DataPoints().At(p).Attributes())
					}
				case pmetric.MetricTypeHistogram:
					for p := 0; p < m.Histogram().DataPoints().Len(); p++ {
						add(m.Name(), m.Histogram().DataPoints().At(p).Attributes())
					}
				}
			}
		}
	}
	return out
}

// TestInferenceLogReadsANodesLogDirectory runs the built collector on a
// generated log directory and checks, at the OTLP sink, the records (with
// Kubernetes attributes from the pod log path, parsed fields, one record for
// a multi-line traceback) and the metrics. Then it stops the collector,
// appends lines, starts it again on the same file_storage directory and
// checks that exactly the new lines arrive.
func TestInferenceLogReadsANodesLogDirectory(t *testing.T) {
	logs := t.TempDir()
	storage := t.TempDir()
	want := writeInferenceLogs(t, logs)

	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, inferenceLogConfig, map[string]any{"logs": logs, "storage": storage})

	require.Eventually(t, func() bool { return sink.Logs.LogRecordCount() >= want }, 30*time.Second, 50*time.Millisecond,
		"got %d of %d log records", sink.Logs.LogRecordCount(), want)
	require.Eventually(t, func() bool {
		p := metricPoints(sink.AllMetrics())
		return p["gen_ai.server.request.duration gen_ai.provider.name=tgi"] > 0 && p["inference.startup.duration gen_ai.provider.name=ollama,inference.startup.phase=runner_start"] > 0
	}, 30*time.Second, 50*time.Millisecond)
	c.Stop()

	records := inferenceLogRecords(sink.AllLogs())
	require.Len(t, records, want, "no line lost, none repeated")
	byKind := map[string][]inferenceLogRecord{}
	providers := map[string]int{}
	for _, r := range records {
		kind, _ := r.attrs["inference.log.kind"].(string)
		byKind[kind] = append(byKind[kind], r)
		if p, ok := r.attrs["gen_ai.provider.name"].(string); ok {
			providers[p]++
		}
	}
	assert.Equal(t, map[string]int{"vllm": 5, "tgi": 3, "ollama": 3}, providers)

	stats := byKind["vllm_stats_v1"]
	require.Len(t, stats, 2)
	for _, r := range stats {
		assert.Equal(t, "llm", r.resource["k8s.namespace.name"])
		assert.Equal(t, "vllm-0", r.resource["k8s.pod.name"])
		assert.Equal(t, "vllm", r.resource["k8s.container.name"])
		assert.Equal(t, "stdout", r.attrs["log.iostream"])
		assert.NotContains(t, r.body, "stdout P", "the CRI wrapping is removed and the partial line joined")
	}
	engines := map[any]any{}
	for _, r := range stats {
		engines[r.attrs["inference.engine.id"]] = r.attrs["inference.running"]
	}
	assert.Equal(t, map[any]any{"000": int64(42), "001": int64(39)}, engines)

	var traceback *inferenceLogRecord
	for i, r := range records {
		if strings.Contains(r.body, "Traceback (most recent call last):") {
			traceback = &records[i]
		}
	}
	require.NotNil(t, traceback)
	assert.Equal(t, int64(4), traceback.attrs["inference.log.lines"])
	assert.Equal(t, "stderr", traceback.attrs["log.iostream"])
	assert.Len(t, byKind["tgi_success"], 2)
	assert.Len(t, byKind["ollama_gin"], 2)

	points := metricPoints(sink.AllMetrics())
	for _, p := range []string{
		"inference.engine.requests gen_ai.provider.name=vllm,inference.engine.id=000,inference.request.state=running",
		"inference.engine.requests gen_ai.provider.name=vllm,inference.engine.id=001,inference.request.state=waiting",
		"inference.engine.kv_cache.usage gen_ai.provider.name=vllm,inference.engine.id=000,inference.kv_cache.device=gpu",
		"inference.engine.prefix_cache.hit_ratio gen_ai.provider.name=vllm,inference.engine.id=001,inference.kv_cache.device=gpu",
		"inference.startup.duration gen_ai.provider.name=tgi,inference.startup.phase=shard_ready",
		"gen_ai.server.time_per_output_token gen_ai.provider.name=tgi",
		"inference.server.request.phase.duration gen_ai.provider.name=tgi,inference.request.phase=queue",
		"gen_ai.server.request.duration gen_ai.operation.name=chat,gen_ai.provider.name=ollama",
		"gen_ai.server.request.duration error.type=500,gen_ai.operation.name=text_completion,gen_ai.provider.name=ollama",
	} {
		assert.Positive(t, points[p], "missing data point %s; have %v", p, points)
	}

	// Restart on the same storage: only the lines written meanwhile arrive.
	f, err := os.OpenFile(filepath.Join(logs, "tgi.log"), os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err = fmt.Fprintf(f, "2024-06-03T11:22:0%d.000000Z  INFO text_generation_router: router/src/main.rs:371: line written while stopped %d\n", i, i)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	before := sink.Logs.LogRecordCount()
	c = StartWithSink(t, ports, sink, inferenceLogConfig, map[string]any{"logs": logs, "storage": storage})
	require.Eventually(t, func() bool { return sink.Logs.LogRecordCount() >= before+3 }, 30*time.Second, 50*time.Millisecond)
	time.Sleep(500 * time.Millisecond) // anything repeated would arrive now
	c.Stop()
	after := inferenceLogRecords(sink.AllLogs())
	require.Len(t, after, before+3, "the restart read the new lines only")
	for _, r := range after[before:] {
		assert.Contains(t, r.body, "line written while stopped")
	}
}
