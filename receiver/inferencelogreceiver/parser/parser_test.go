package parser

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
)

type rec struct {
	body     string
	line     int
	lines    int
	kind     Kind
	sev      Severity
	time     time.Time
	format   Format
	fields   map[string]string
	model    string
	engine   string
	failed   bool
	attrs    map[string]any
	severity string
}

func collect(opts Options, lines ...string) []rec {
	if opts.Now == nil {
		opts.Now = func() time.Time { return goldenNow }
	}
	f := NewFile(opts)
	var out []rec
	emit := func(r *Record) {
		x := rec{body: r.Body, line: r.Line, lines: r.Lines, kind: r.Kind, sev: r.Severity, severity: r.SeverityText, time: r.Time,
			format: r.Format, model: r.EventModel(), engine: r.EngineID, failed: r.ParseFailed, fields: map[string]string{}, attrs: map[string]any{}}
		for _, fl := range r.Fields {
			if fl.IsString || fl.Text != "" {
				x.fields[fl.Name] = fl.Text
			} else {
				x.fields[fl.Name] = formatFloat(fl.Value)
			}
		}
		for _, a := range r.Attrs {
			if a.IsInt {
				x.attrs[a.Key] = a.Int
			} else {
				x.attrs[a.Key] = a.Str
			}
		}
		out = append(out, x)
	}
	for _, l := range lines {
		f.Line([]byte(l), emit)
	}
	f.Flush(emit)
	return out
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func TestVLLMV1StatsVariants(t *testing.T) {
	out := collect(Options{},
		"INFO 04-22 07:57:01 [loggers.py:87] Avg prompt throughput: 212.4 tokens/s, Avg generation throughput: 96.7 tokens/s, Running: 4 reqs, Waiting: 0 reqs, GPU KV cache usage: 1.2%, Prefix cache hit rate: 27.5%",
		"(APIServer pid=7) INFO 08-14 16:05:20 [loggers.py:123] Engine 003: Avg prompt throughput: 1.0 tokens/s, Avg generation throughput: 2.0 tokens/s, Running: 5 reqs, Waiting: 6 reqs, GPU KV cache usage: 7.0%, Prefix cache hit rate: 8.0%, MM cache hit rate: 9.5%, Something new: 4 things",
	)
	require.Len(t, out, 2)
	assert.Equal(t, KindVLLMStatsV1, out[0].kind)
	assert.Equal(t, map[string]string{"prompt_tokens_per_s": "212.4", "generation_tokens_per_s": "96.7", "running": "4", "waiting": "0", "gpu_kv_cache_pct": "1.2", "prefix_cache_hit_pct": "27.5"}, out[0].fields)
	assert.Equal(t, KindVLLMStatsV1, out[1].kind)
	assert.Equal(t, "003", out[1].engine)
	assert.Equal(t, "003", out[1].fields["engine"])
	assert.Equal(t, "9.5", out[1].fields["mm_cache_hit_pct"])
	assert.False(t, out[1].failed, "unknown trailing fields are not failures")
	assert.Equal(t, int64(7), out[1].attrs["process.pid"])
	assert.Equal(t, "APIServer", out[1].attrs["inference.process.name"])
}

func TestVLLMV0StatsWithAndWithoutBracketsAndFullStop(t *testing.T) {
	out := collect(Options{},
		"INFO 05-14 09:13:04 metrics.py:229] Avg prompt throughput: 3.0 tokens/s, Avg generation throughput: 21.4 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 2 reqs, GPU KV cache usage: 0.1%, CPU KV cache usage: 0.0%",
		"INFO 10-02 14:21:00 [metrics.py:351] Avg prompt throughput: 3.0 tokens/s, Avg generation throughput: 21.4 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 2 reqs, GPU KV cache usage: 0.1%, CPU KV cache usage: 0.0%.",
		"INFO 10-02 14:21:00 Avg prompt throughput: 3.0 tokens/s, Avg generation throughput: 21.4 tokens/s, Running: 1 reqs, Swapped: 0 reqs, Pending: 2 reqs, GPU KV cache usage: 0.1%, CPU KV cache usage: 0.0%.",
	)
	require.Len(t, out, 3)
	for _, r := range out {
		assert.Equal(t, KindVLLMStatsV0, r.kind, r.body)
		assert.Equal(t, "2", r.fields["pending"])
		assert.Equal(t, "0.0", r.fields["cpu_kv_cache_pct"])
		assert.Len(t, r.fields, 7)
	}
	assert.Equal(t, "metrics.py", out[0].attrs["code.file.path"])
	assert.Equal(t, "metrics.py", out[1].attrs["code.file.path"])
	assert.NotContains(t, out[2].attrs, "code.file.path")
}

func TestStatsLineWithUnreadableNumberIsFlagged(t *testing.T) {
	out := collect(Options{Format: VLLM},
		"INFO 04-22 07:57:01 [loggers.py:87] Avg prompt throughput: n/a tokens/s, Avg generation throughput: 96.7 tokens/s, Running: 4 reqs, Waiting: 0 reqs",
		"INFO 04-22 07:57:01 [loggers.py:87] Avg prompt throughput: garbage",
	)
	require.Len(t, out, 2)
	assert.Equal(t, KindVLLMStatsV1, out[0].kind)
	assert.True(t, out[0].failed)
	assert.NotContains(t, out[0].fields, "prompt_tokens_per_s")
	assert.Equal(t, KindNone, out[1].kind)
	assert.True(t, out[1].failed)
}

func TestYearlessTimestamps(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	jan2 := func() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }
	out := collect(Options{Format: VLLM, Now: jan2, Location: berlin},
		"INFO 12-31 23:59:58 [x.py:1] a december line read in january",
		"INFO 01-02 08:00:00 [x.py:1] today",
	)
	require.Len(t, out, 2)
	assert.Equal(t, time.Date(2025, 12, 31, 23, 59, 58, 0, berlin), out[0].time, "the year before")
	assert.Equal(t, time.Date(2026, 1, 2, 8, 0, 0, 0, berlin), out[1].time)
	assert.Equal(t, time.Date(2026, 1, 2, 7, 0, 0, 0, time.UTC), out[1].time.UTC(), "the configured zone applies")

	// Inside a container log, the runtime's own timestamp places the year.
	out = collect(Options{Now: jan2},
		"2023-03-05T10:00:00.5Z stdout F I0305 10:00:00.250000 1 server.cc:1] old triton line")
	require.Len(t, out, 1)
	assert.Equal(t, time.Date(2023, 3, 5, 10, 0, 0, 250000000, time.UTC), out[0].time)
}

func TestTimestampsWithZoneIgnoreTheConfiguredOne(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	out := collect(Options{Location: tokyo},
		"time=2024-11-20T09:15:33.285+01:00 level=INFO source=server.go:626 msg=\"llama runner started in 2.51 seconds\"",
		"[GIN] 2024/11/20 - 09:15:35 | 200 |  4.716204331s |      10.42.0.15 | POST     \"/api/chat\"",
	)
	require.Len(t, out, 2)
	assert.Equal(t, time.Date(2024, 11, 20, 8, 15, 33, 285000000, time.UTC), out[0].time.UTC())
	assert.Equal(t, time.Date(2024, 11, 20, 9, 15, 35, 0, tokyo), out[1].time, "gin prints local time")
}

func TestANSIIsStripped(t *testing.T) {
	assert.Equal(t, "INFO hi", string(StripANSI([]byte("\x1b[32mINFO\x1b[0m hi"))))
	assert.Equal(t, "title", string(StripANSI([]byte("\x1b]0;x\x07title"))))
	assert.Equal(t, "ab", string(StripANSI([]byte("a\x1b(Bb"))))
	assert.Equal(t, "a", string(StripANSI([]byte("a\x1b"))))
	assert.Equal(t, "x", string(StripANSI([]byte("\x1b[1;36mx\x1b[0;0m"))))
	plain := []byte("no escapes")
	assert.Equal(t, &plain[0], &StripANSI(plain)[0], "no copy without escapes")
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]float64{"1.2s": 1.2, "49.382µs": 0.000049382, "49.382μs": 0.000049382, "12.5ms": 0.0125, "100ns": 1e-7, "3.107585609s": 3.107585609} {
		got, ok := rustDuration(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "s", "1.2", "1.2h", "fast"} {
		_, ok := rustDuration(bad)
		assert.False(t, ok, bad)
	}
	for in, want := range map[string]float64{"1m2.301s": 62.301, "523.4µs": 0.0005234, "2h0m0s": 7200} {
		got, ok := goDuration(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
}

func TestPairsContinueValuesWithoutLabels(t *testing.T) {
	p := pairs{s: "Mean acceptance length: 2.49, Per-position acceptance rate: 0.747, 0.498, 0.249, Avg Draft acceptance rate: 49.8%, trailing"}
	var labels, values []string
	for {
		l, v, ok := p.next()
		if !ok {
			break
		}
		labels = append(labels, l)
		values = append(values, v)
	}
	assert.Equal(t, []string{"Mean acceptance length", "Per-position acceptance rate", "Avg Draft acceptance rate"}, labels)
	assert.Equal(t, []string{"2.49", "0.747, 0.498, 0.249", "49.8%, trailing"}, values)
}

func TestVLLMMultiLineCallIsOneRecordButSeparateCallsAreNot(t *testing.T) {
	out := collect(Options{},
		"INFO 08-14 16:05:00 [api.py:9] Route: /v1/models, Methods: GET",
		"INFO 08-14 16:05:00 [api.py:9] Route: /v1/chat, Methods: POST",
		"ERROR 08-14 16:06:02 [chat.py:12] Error in stream generator.",
		"ERROR 08-14 16:06:02 [chat.py:12] Traceback (most recent call last):",
		"ERROR 08-14 16:06:02 [chat.py:12]   File \"x.py\", line 1, in f",
		"ERROR 08-14 16:06:02 [chat.py:12] ValueError: boom",
		"ERROR 08-14 16:06:02 [chat.py:12] more detail of the same call",
		"ERROR 08-14 16:06:03 [chat.py:12] a later call",
	)
	require.Len(t, out, 4)
	assert.Equal(t, 1, out[0].lines)
	assert.Equal(t, 1, out[1].lines)
	assert.Equal(t, 5, out[2].lines)
	assert.Equal(t, 3, out[2].line)
	assert.True(t, strings.HasSuffix(out[2].body, "more detail of the same call"))
	assert.Equal(t, SeverityError, out[2].sev)
	assert.Equal(t, 8, out[3].line)
}

func TestRawPythonTracebackGroupsUntilTheException(t *testing.T) {
	out := collect(Options{Format: VLLM},
		"Traceback (most recent call last):",
		"  File \"a.py\", line 1, in <module>",
		"    f()",
		"KeyError: 'x'",
		"",
		"During handling of the above exception, another exception occurred:",
		"",
		"Traceback (most recent call last):",
		"  File \"b.py\", line 2, in g",
		"RuntimeError",
		"",
		"unrelated line after",
	)
	require.Len(t, out, 3)
	assert.Equal(t, 10, out[0].lines)
	assert.Equal(t, SeverityError, out[0].sev)
	assert.Equal(t, "", out[1].body, "the trailing blank line is its own record")
	assert.Equal(t, "unrelated line after", out[2].body)
}

func TestPanicsAreGrouped(t *testing.T) {
	out := collect(Options{Format: Ollama},
		"time=2024-11-20T09:15:42.001Z level=WARN source=server.go:566 msg=\"runner died\"",
		"panic: runtime error: index out of range [3] with length 3",
		"",
		"goroutine 1 [running]:",
		"main.main()",
		"\t/app/main.go:12 +0x1d",
		"exit status 2",
		"thread 'tokio-runtime-worker' panicked at src/lib.rs:7:9:",
		"boom",
		"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
		"[GIN] 2024/11/20 - 09:15:35 | 200 |  4.7s |      10.42.0.15 | POST     \"/api/chat\"",
	)
	require.Len(t, out, 4)
	assert.Equal(t, 6, out[1].lines)
	assert.Equal(t, SeverityFatal, out[1].sev)
	assert.Equal(t, 3, out[2].lines)
	assert.Equal(t, SeverityFatal, out[2].sev)
	assert.Equal(t, KindOllamaGIN, out[3].kind)
}

func TestBracketDumpIsOneRecord(t *testing.T) {
	out := collect(Options{Format: TGI},
		"2024-06-03T11:20:14.120431Z  INFO text_generation_launcher: Args {",
		"    model_id: \"x/y\",",
		"    num_shard: Some(",
		"        2,",
		"    ),",
		"    stop: \"}\",",
		"}",
		"2024-06-03T11:20:14.121012Z  INFO text_generation_launcher: next",
	)
	require.Len(t, out, 2)
	assert.Equal(t, 7, out[0].lines)
	assert.Equal(t, "x/y", out[0].model)
	assert.Equal(t, "x/y", out[1].model, "later records carry the model")
}

func TestGroupsAreBounded(t *testing.T) {
	lines := []string{"Traceback (most recent call last):"}
	for i := 0; i < 50; i++ {
		lines = append(lines, "  File \"a.py\", line 1, in f")
	}
	out := collect(Options{MaxGroupLines: 20}, lines...)
	require.Len(t, out, 3)
	assert.Equal(t, 20, out[0].lines)
	assert.Equal(t, 20, out[1].lines)
	assert.Equal(t, 11, out[2].lines)
}

func TestLlamaCppGuessTurnsIntoOllama(t *testing.T) {
	out := collect(Options{},
		"llama_model_loader: loaded meta data with 23 key-value pairs",
		"[GIN] 2024/01/31 - 10:02:16 | 200 |  3.201947312s |       127.0.0.1 | POST     /api/generate",
		"print_timings:       total time =    2913.03 ms",
	)
	require.Len(t, out, 3)
	assert.Equal(t, LlamaCpp, out[0].format)
	assert.Equal(t, Ollama, out[1].format)
	assert.Equal(t, Ollama, out[2].format)
	assert.Equal(t, KindLlamaCppTimings, out[2].kind)
	assert.Equal(t, map[string]string{"total_ms": "2913.03"}, out[2].fields)
}

func TestUnknownFilesStillEmitEveryLine(t *testing.T) {
	out := collect(Options{}, "hello", "", "world")
	require.Len(t, out, 3)
	for _, r := range out {
		assert.Equal(t, Unknown, r.format)
		assert.Equal(t, KindNone, r.kind)
	}
}

func TestContainerModeIsForcedOrDetected(t *testing.T) {
	line := "2025-08-14T16:05:10Z stdout F INFO 08-14 16:05:10 [a.py:1] hi"
	out := collect(Options{Container: container.None}, line)
	require.Len(t, out, 1)
	assert.Equal(t, line, out[0].body)
	assert.Equal(t, Unknown, out[0].format)
	out = collect(Options{}, line)
	assert.Equal(t, "INFO 08-14 16:05:10 [a.py:1] hi", out[0].body)
	assert.Equal(t, VLLM, out[0].format)
}

func TestTritonLoadDuration(t *testing.T) {
	out := collect(Options{},
		`I0917 08:10:51.211390 1 model_lifecycle.cc:462] "loading: m:3"`,
		`I0917 08:10:53.711390 1 model_lifecycle.cc:815] "successfully loaded 'm' version 3"`,
		`I0917 08:10:54.000000 1 model_lifecycle.cc:815] "successfully loaded 'other'"`,
	)
	require.Len(t, out, 3)
	assert.Equal(t, map[string]string{"model": "m", "version": "3"}, out[0].fields)
	assert.Equal(t, map[string]string{"model": "m", "version": "3", "load_duration_s": "2.5"}, out[1].fields)
	assert.Equal(t, "m", out[1].model)
	assert.Equal(t, map[string]string{"model": "other"}, out[2].fields)
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		got, err := ParseFormat(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	got, err := ParseFormat("auto")
	require.NoError(t, err)
	assert.Equal(t, Unknown, got)
	_, err = ParseFormat("vLLM")
	assert.ErrorContains(t, err, "vLLM")
}

func TestJSONNumbersAsPrinted(t *testing.T) {
	r := &Record{Format: VLLM, Line: 3, Kind: KindVLLMStatsV0, Fields: []Field{
		{Name: "a", Value: 1, Text: "1.0"}, {Name: "b", Value: 0.5}, {Name: "c", Text: "01", Value: 1},
		{Name: "d", Text: "nan"}, {Name: "e", Text: `q"s`, IsString: true},
	}}
	r.Fields[3].Value = nanValue()
	got := string(AppendJSON(nil, "f\n.log", r))
	assert.Equal(t, `{"server":"vllm","file":"f\n.log","line":3,"kind":"vllm_stats_v0","fields":{"a":1.0,"b":0.5,"c":1,"d":null,"e":"q\"s"}}`, got)
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
