package inferencelogreceiver

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
)

var update = flag.Bool("update", false, "rewrite the expected logs.yaml and metrics.yaml from what the receiver emits")

// testNow is the receiver's clock in the golden tests: it places the year of
// timestamps without one and stamps observed times.
var testNow = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)

type running struct {
	r       *inferenceLogReceiver
	logs    *consumertest.LogsSink
	metrics *consumertest.MetricsSink
}

// startReceiver starts one receiver for both signals on cfg.
func startReceiver(t *testing.T, cfg *Config, now func() time.Time) *running {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	logs, mets := new(consumertest.LogsSink), new(consumertest.MetricsSink)
	f := NewFactory()
	lr, err := f.CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	mr, err := f.CreateMetrics(context.Background(), set, cfg, mets)
	require.NoError(t, err)
	r := lr.(*inferenceLogReceiver)
	require.Same(t, r, mr.(*inferenceLogReceiver), "both signals share one instance")
	if now != nil {
		r.now = now
	}
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, mr.Start(context.Background(), componenttest.NewNopHost()))
	return &running{r: r, logs: logs, metrics: mets}
}

// countLines counts the lines of the .log files under dir.
func countLines(t *testing.T, dir string) int64 {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".log") {
			return err
		}
		data, err := os.ReadFile(path)
		n += strings.Count(string(data), "\n")
		return err
	})
	require.NoError(t, err)
	return int64(n)
}

// TestGoldenCases reads each testdata/<case>/input tree from the beginning,
// stops the receiver (which emits what it held), and compares the logs and
// metrics with the case's reviewed logs.yaml and metrics.yaml.
func TestGoldenCases(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "*", "input"))
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, input := range cases {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Include = []string{filepath.Join(input, "**", "*.log")}
			cfg.StartAt = "beginning"
			cfg.PollInterval = 10 * time.Millisecond
			run := startReceiver(t, cfg, func() time.Time { return testNow })
			want := countLines(t, input)
			require.Positive(t, want)
			require.Eventually(t, func() bool { return run.r.linesRead.Load() >= want }, 10*time.Second, 5*time.Millisecond)
			require.NoError(t, run.r.Shutdown(context.Background()))

			gotLogs := mergeLogs(run.logs.AllLogs())
			gotMetrics := mergeMetrics(run.metrics.AllMetrics())
			logsPath, metricsPath := filepath.Join(dir, "logs.yaml"), filepath.Join(dir, "metrics.yaml")
			if *update {
				require.NoError(t, golden.WriteLogsToFile(logsPath, gotLogs))
				require.NoError(t, golden.WriteMetricsToFile(metricsPath, gotMetrics, golden.SkipMetricTimestampNormalization()))
				return
			}
			wantLogs, err := golden.ReadLogs(logsPath)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(wantLogs, gotLogs, plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreResourceLogsOrder()))
			wantMetrics, err := golden.ReadMetrics(metricsPath)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(wantMetrics, gotMetrics,
				pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
				pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreStartTimestamp(),
				pmetrictest.IgnoreScopeVersion()))
		})
	}
}

// mergeLogs puts the records of each resource under one ResourceLogs, in
// the order they arrived, so batch boundaries do not matter.
func mergeLogs(all []plog.Logs) plog.Logs {
	out := plog.NewLogs()
	index := map[string]plog.LogRecordSlice{}
	for _, ld := range all {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			key := resourceKey(rl.Resource())
			dst, ok := index[key]
			if !ok {
				nrl := out.ResourceLogs().AppendEmpty()
				rl.Resource().CopyTo(nrl.Resource())
				sl := nrl.ScopeLogs().AppendEmpty()
				sl.Scope().SetName(metadata.ScopeName)
				dst = sl.LogRecords()
				index[key] = dst
			}
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				rl.ScopeLogs().At(j).LogRecords().MoveAndAppendTo(dst)
			}
		}
	}
	return out
}

// mergeMetrics puts each resource's data points under one ResourceMetrics;
// of a cumulative histogram series only the last state is kept.
func mergeMetrics(all []pmetric.Metrics) pmetric.Metrics {
	out := pmetric.NewMetrics()
	type res struct {
		metrics pmetric.MetricSlice
		byName  map[string]pmetric.Metric
	}
	index := map[string]*res{}
	for _, md := range all {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			rm := md.ResourceMetrics().At(i)
			key := resourceKey(rm.Resource())
			dst, ok := index[key]
			if !ok {
				nrm := out.ResourceMetrics().AppendEmpty()
				rm.Resource().CopyTo(nrm.Resource())
				sm := nrm.ScopeMetrics().AppendEmpty()
				sm.Scope().SetName(metadata.ScopeName)
				dst = &res{metrics: sm.Metrics(), byName: map[string]pmetric.Metric{}}
				index[key] = dst
			}
			for j := 0; j < rm.ScopeMetrics().Len(); j++ {
				ms := rm.ScopeMetrics().At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					if m.Type() == pmetric.MetricTypeGauge {
						// The builder stamps gauges with its creation time.
						for p := 0; p < m.Gauge().DataPoints().Len(); p++ {
							m.Gauge().DataPoints().At(p).SetStartTimestamp(0)
						}
					}
					have, ok := dst.byName[m.Name()]
					if !ok {
						have = dst.metrics.AppendEmpty()
						m.CopyTo(have)
						dst.byName[m.Name()] = have
						continue
					}
					switch m.Type() {
					case pmetric.MetricTypeGauge:
						m.Gauge().DataPoints().MoveAndAppendTo(have.Gauge().DataPoints())
					case pmetric.MetricTypeHistogram:
						for p := 0; p < m.Histogram().DataPoints().Len(); p++ {
							dp := m.Histogram().DataPoints().At(p)
							replaced := false
							hdps := have.Histogram().DataPoints()
							for q := 0; q < hdps.Len(); q++ {
								if hdps.At(q).Attributes().Equal(dp.Attributes()) {
									dp.CopyTo(hdps.At(q))
									replaced = true
								}
							}
							if !replaced {
								dp.CopyTo(hdps.AppendEmpty())
							}
						}
					}
				}
			}
		}
	}
	return out
}

func resourceKey(r pcommon.Resource) string {
	var b strings.Builder
	r.Attributes().Range(func(k string, v pcommon.Value) bool {
		b.WriteString(k + "=" + v.AsString() + ";")
		return true
	})
	return b.String()
}

func TestRecordsCarryTheirParsedFields(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vllm.log")
	require.NoError(t, os.WriteFile(path, []byte(
		"INFO 04-22 07:57:01 [loggers.py:87] Avg prompt throughput: 212.4 tokens/s, Avg generation throughput: 96.7 tokens/s, Running: 4 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.2%, Prefix cache hit rate: 27.5%\n"+
			"INFO 04-22 07:57:11 [loggers.py:87] next\n"), 0o600))
	cfg := createDefaultConfig().(*Config)
	cfg.Include = []string{path}
	cfg.StartAt = "beginning"
	cfg.PollInterval = 10 * time.Millisecond
	cfg.IncludeFilePath = true
	run := startReceiver(t, cfg, nil)
	require.Eventually(t, func() bool { return run.logs.LogRecordCount() == 2 }, 10*time.Second, 5*time.Millisecond,
		"the held last line comes out after multiline.flush_timeout")
	require.NoError(t, run.r.Shutdown(context.Background()))

	lr := run.logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	attrs := lr.Attributes().AsRaw()
	assert.Equal(t, "vllm", attrs["gen_ai.provider.name"])
	assert.Equal(t, "vllm_stats_v1", attrs["inference.log.kind"])
	assert.Equal(t, int64(4), attrs["inference.running"])
	assert.Equal(t, 212.4, attrs["inference.prompt_tokens_per_s"])
	assert.Equal(t, "vllm.log", attrs["log.file.name"])
	assert.Equal(t, path, attrs["log.file.path"])
	assert.Equal(t, "loggers.py", attrs["code.file.path"])
	assert.Equal(t, "INFO", lr.SeverityText())
	assert.Equal(t, plog.SeverityNumberInfo, lr.SeverityNumber())
	assert.Equal(t, time.Now().Year(), lr.Timestamp().AsTime().Year(), "no year in the line: the current one")
	assert.Positive(t, run.metrics.DataPointCount())
}

// Lines the container unwrapper builds in its own buffer (CRI partial lines
// joined, docker json-file lines unescaped) are copied before the buffer is
// reused: every record keeps its own text. Only a receiver test sees this,
// since the receiver alone lets records share the file consumer's bytes.
func TestJoinedAndUnescapedContainerLinesKeepTheirText(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cri.log"), []byte(
		"2025-05-01T10:00:00.000000001Z stdout P the first line was long enough \n"+
			"2025-05-01T10:00:00.000000002Z stdout F to be split in two by the runtime\n"+
			"2025-05-01T10:00:00.000000003Z stdout P second \n"+
			"2025-05-01T10:00:00.000000004Z stdout F one\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "docker.log"), []byte(
		`{"log":"a \"quoted\" first line that is the longest\n","stream":"stdout","time":"2025-05-01T10:00:00.000000001Z"}`+"\n"+
			`{"log":"second\ttab\n","stream":"stderr","time":"2025-05-01T10:00:00.000000002Z"}`+"\n"), 0o600))
	cfg := createDefaultConfig().(*Config)
	cfg.Include = []string{filepath.Join(dir, "*.log")}
	cfg.StartAt = "beginning"
	cfg.PollInterval = 10 * time.Millisecond
	run := startReceiver(t, cfg, nil)
	require.Eventually(t, func() bool { return run.logs.LogRecordCount() == 4 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, run.r.Shutdown(context.Background()))

	bodies := map[string][]string{}
	for _, ld := range run.logs.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			lrs := ld.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords()
			for j := 0; j < lrs.Len(); j++ {
				name, _ := lrs.At(j).Attributes().Get("log.file.name")
				bodies[name.Str()] = append(bodies[name.Str()], lrs.At(j).Body().Str())
			}
		}
	}
	assert.Equal(t, map[string][]string{
		"cri.log":    {"the first line was long enough to be split in two by the runtime", "second one"},
		"docker.log": {`a "quoted" first line that is the longest`, "second\ttab"},
	}, bodies)
}

func TestFormatRulesForceTheFormat(t *testing.T) {
	dir := t.TempDir()
	// A SGLang batch line without its header: only a rule can say whose it is.
	line := "Decode batch. #running-req: 3, #token: 40, token usage: 0.50, gen throughput (token/s): 30.57, #queue-req: %d\n"
	// (The files differ: the file consumer takes files with the same first
	// bytes for copies of one file.)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "forced.log"), fmt.Appendf(nil, line, 1), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "other.log"), fmt.Appendf(nil, line, 2), 0o600))
	cfg := createDefaultConfig().(*Config)
	cfg.Include = []string{filepath.Join(dir, "*.log")}
	cfg.Format = "vllm"
	cfg.Formats = []FormatRule{{Include: []string{filepath.Join(dir, "forced*.log")}, Format: "sglang"}}
	cfg.StartAt = "beginning"
	cfg.PollInterval = 10 * time.Millisecond
	run := startReceiver(t, cfg, nil)
	require.Eventually(t, func() bool { return run.logs.LogRecordCount() == 2 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, run.r.Shutdown(context.Background()))
	servers, kinds := map[string]any{}, map[string]any{}
	for _, ld := range run.logs.AllLogs() {
		a := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw()
		servers[a["log.file.name"].(string)] = a["gen_ai.provider.name"]
		kinds[a["log.file.name"].(string)] = a["inference.log.kind"]
	}
	assert.Equal(t, map[string]any{"forced.log": "sglang", "other.log": "vllm"}, servers)
	assert.Equal(t, map[string]any{"forced.log": "sglang_decode", "other.log": nil}, kinds)
}
