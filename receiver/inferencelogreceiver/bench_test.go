package inferencelogreceiver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/receiver/filelogreceiver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

// benchLinesEnv sets the size of the benchmark's log file. The default keeps
// `make bench` short; the recorded numbers use 1000000.
const benchLinesEnv = "INFERENCELOG_BENCH_LINES"

// vllmStatsRegex is what a file_log user writes for the vLLM V1 stats line.
const vllmStatsRegex = `^\((?P<process>[^)]*)\) (?P<level>[A-Z]+) (?P<timestamp>\d\d-\d\d \d\d:\d\d:\d\d) \[(?P<code_file>[^:\]]+):(?P<code_line>\d+)\] Engine (?P<engine>\d+): Avg prompt throughput: (?P<prompt_tokens_per_s>[\d.]+) tokens/s, Avg generation throughput: (?P<generation_tokens_per_s>[\d.]+) tokens/s, Running: (?P<running>\d+) reqs, Waiting: (?P<waiting>\d+) reqs, GPU KV cache usage: (?P<gpu_kv_cache_pct>[\d.]+)%, Prefix cache hit rate: (?P<prefix_cache_hit_pct>[\d.]+)%`

// writeVLLMLog writes a vLLM V1 server log of n lines: half engine stats
// lines, the rest access lines and request lines, as a busy server prints.
func writeVLLMLog(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	require.NoError(tb, err)
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		sec := i / 10
		stamp := fmt.Sprintf("%02d-%02d %02d:%02d:%02d", 8, 14, (sec/3600)%24, (sec/60)%60, sec%60)
		switch i % 4 {
		case 0, 2:
			fmt.Fprintf(w, "(APIServer pid=1) INFO %s [loggers.py:123] Engine 000: Avg prompt throughput: %d.%d tokens/s, Avg generation throughput: %d.%d tokens/s, Running: %d reqs, Waiting: %d reqs, GPU KV cache usage: %d.%d%%, Prefix cache hit rate: %d.%d%%\n",
				stamp, 1000+i%3000, i%10, 200+i%900, (i/3)%10, i%64, i%9, i%100, i%7, 40+i%50, i%10)
		case 1:
			fmt.Fprintf(w, "(APIServer pid=1) INFO:     10.42.%d.%d:%d - \"POST /v1/chat/completions HTTP/1.1\" 200 OK\n", i%4, i%250, 30000+i%20000)
		case 3:
			fmt.Fprintf(w, "(APIServer pid=1) INFO %s [logger.py:43] Received request chatcmpl-%016x: params: SamplingParams(n=1, temperature=0.7, top_p=0.95, max_tokens=512), prompt_token_ids: None, lora_request: None.\n", stamp, uint64(i)*2654435761)
		}
	}
	require.NoError(tb, w.Flush())
	require.NoError(tb, f.Close())
}

// countingLogs counts records and keeps nothing.
type countingLogs struct{ n atomic.Int64 }

func (c *countingLogs) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	c.n.Add(int64(ld.LogRecordCount()))
	return nil
}
func (c *countingLogs) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

type countingMetrics struct{ n atomic.Int64 }

func (c *countingMetrics) ConsumeMetrics(_ context.Context, md pmetric.Metrics) error {
	c.n.Add(int64(md.DataPointCount()))
	return nil
}
func (c *countingMetrics) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

// cpuTime is the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTailVLLMLog reads the same vLLM V1 log with this receiver (every
// line a record, stats parsed into attributes and engine gauges) and with
// contrib's file_log and a regex_parser for the stats line, and reports
// lines per CPU-second of the whole process (all goroutines).
func BenchmarkTailVLLMLog(b *testing.B) {
	n := 200_000
	if s := os.Getenv(benchLinesEnv); s != "" {
		v, err := strconv.Atoi(s)
		require.NoError(b, err)
		n = v
	}
	path := filepath.Join(b.TempDir(), "vllm.log")
	writeVLLMLog(b, path, n)

	run := func(b *testing.B, start func(b *testing.B, logs consumer.Logs) receiver.Logs) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			sink := &countingLogs{}
			before := cpuTime()
			r := start(b, sink)
			for sink.n.Load() < int64(n) {
				time.Sleep(time.Millisecond)
			}
			require.NoError(b, r.Shutdown(context.Background()))
			cpu += cpuTime() - before
			require.Equal(b, int64(n), sink.n.Load())
		}
		lines := float64(n) * float64(b.N)
		b.ReportMetric(lines/cpu.Seconds(), "lines/cpu-s")
		b.ReportMetric(float64(cpu.Nanoseconds())/lines, "cpu-ns/line")
	}

	startInferenceLog := func(withMetrics bool) func(b *testing.B, logs consumer.Logs) receiver.Logs {
		return func(b *testing.B, logs consumer.Logs) receiver.Logs {
			cfg := createDefaultConfig().(*Config)
			cfg.Include = []string{path}
			cfg.StartAt = "beginning"
			cfg.PollInterval = 10 * time.Millisecond
			cfg.Multiline.FlushTimeout = 20 * time.Millisecond
			f := NewFactory()
			set := receivertest.NewNopSettings(f.Type())
			lr, err := f.CreateLogs(context.Background(), set, cfg, logs)
			require.NoError(b, err)
			if withMetrics {
				_, err = f.CreateMetrics(context.Background(), set, cfg, &countingMetrics{})
				require.NoError(b, err)
			}
			require.NoError(b, lr.Start(context.Background(), componenttest.NewNopHost()))
			return lr
		}
	}
	// The same job as file_log with a regex_parser: every line a log record,
	// the stats line's fields as attributes.
	b.Run("inference_log", func(b *testing.B) { run(b, startInferenceLog(false)) })
	// And the metrics on top: engine gauges from every stats line.
	b.Run("inference_log_with_metrics", func(b *testing.B) { run(b, startInferenceLog(true)) })

	b.Run("contrib_filelog_regex", func(b *testing.B) {
		run(b, func(b *testing.B, logs consumer.Logs) receiver.Logs {
			f := filelogreceiver.NewFactory()
			cfg := f.CreateDefaultConfig()
			require.NoError(b, confmap.NewFromStringMap(map[string]any{
				"include":       []string{path},
				"start_at":      "beginning",
				"poll_interval": "10ms",
				"operators": []any{map[string]any{
					"type":     "regex_parser",
					"regex":    vllmStatsRegex,
					"on_error": "send_quiet",
				}},
			}).Unmarshal(cfg))
			lr, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, logs)
			require.NoError(b, err)
			require.NoError(b, lr.Start(context.Background(), componenttest.NewNopHost()))
			return lr
		})
	})
}
