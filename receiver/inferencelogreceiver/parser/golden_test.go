package parser

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files from the parser's output")

// goldenNow places timestamps without a year: the samples were written in
// 2024 and 2025, read on the last day of 2025.
var goldenNow = time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)

// readAll runs a sample through a File as the receiver does, line by line,
// and returns the statistics lines (the command's output) and every record.
func readAll(t testing.TB, path string, opts Options) (events, records []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if opts.Now == nil {
		opts.Now = func() time.Time { return goldenNow }
	}
	name := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path)))
	f := NewFile(opts)
	emit := func(r *Record) {
		records = append(AppendRecordJSON(records, name, r), '\n')
		if r.Kind != KindNone {
			events = append(AppendJSON(events, name, r), '\n')
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Line(sc.Bytes(), emit)
	}
	require.NoError(t, sc.Err())
	f.Flush(emit)
	return events, records
}

// TestGoldenSamples reads every sample log under testdata/<server>/ and
// compares the statistics it finds (<name>.events.jsonl, what
// inferencelog-parse prints) and the records it builds (<name>.records.jsonl:
// grouping, severity, time, attributes) with the reviewed golden files.
func TestGoldenSamples(t *testing.T) {
	logs, err := filepath.Glob(filepath.Join("testdata", "*", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	for _, path := range logs {
		t.Run(strings.TrimSuffix(filepath.ToSlash(path)[len("testdata/"):], ".log"), func(t *testing.T) {
			events, records := readAll(t, path, Options{})
			base := strings.TrimSuffix(path, ".log")
			compareGolden(t, base+".events.jsonl", events)
			compareGolden(t, base+".records.jsonl", records)
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o600))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test -run TestGoldenSamples -update and review the diff")
	assert.Equal(t, string(want), string(got))
}

// TestEverySampleIsDetected: auto-detection names the right server for each
// sample directory, and every directory yields statistics.
func TestEverySampleIsDetected(t *testing.T) {
	for _, dir := range []string{"vllm", "tgi", "llamacpp", "sglang", "ollama", "triton"} {
		want, err := ParseFormat(dir)
		require.NoError(t, err)
		logs, _ := filepath.Glob(filepath.Join("testdata", dir, "*.log"))
		require.NotEmpty(t, logs, dir)
		for _, path := range logs {
			events, _ := readAll(t, path, Options{})
			assert.NotEmpty(t, events, "%s yields no statistics", path)
			assert.Contains(t, string(events), `"server":"`+want.String()+`"`, path)
			assert.NotContains(t, string(events), `"server":""`, path)
		}
	}
}

// TestForcedFormatMatchesDetection: forcing the right format gives the same
// result as detecting it.
func TestForcedFormatMatchesDetection(t *testing.T) {
	for _, dir := range []string{"vllm", "tgi", "llamacpp", "sglang", "ollama", "triton"} {
		format, _ := ParseFormat(dir)
		logs, _ := filepath.Glob(filepath.Join("testdata", dir, "*.log"))
		for _, path := range logs {
			detected, _ := readAll(t, path, Options{})
			forced, _ := readAll(t, path, Options{Format: format})
			assert.Equal(t, string(detected), string(forced), path)
		}
	}
}
