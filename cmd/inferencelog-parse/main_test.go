package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const samples = "../../receiver/inferencelogreceiver/parser/testdata"

// TestPrintsTheStatisticsLines: the command's output for a sample is the
// reviewed events golden of the parser (the same package reads both).
func TestPrintsTheStatisticsLines(t *testing.T) {
	for _, name := range []string{"vllm/v1_0.10_engines_ansi", "tgi/json_1.4_fields", "llamacpp/server_2025_slots", "sglang/v0.2_tp", "ollama/v0.4_slog", "triton/default_23.05"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(samples, name+".log")
			var out, errOut bytes.Buffer
			require.NoError(t, run([]string{path}, &out, &errOut))
			want, err := os.ReadFile(filepath.Join(samples, name+".events.jsonl"))
			require.NoError(t, err)
			// The golden names files dir/name.log; the command prints the path given.
			assert.Equal(t, string(want), strings.ReplaceAll(out.String(), `"file":"`+filepath.ToSlash(path)+`"`, `"file":"`+name+`.log"`))
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var v map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &v), "each line is a JSON object: %s", line)
				for _, key := range []string{"server", "file", "line", "kind", "fields"} {
					assert.Contains(t, v, key)
				}
			}
		})
	}
}

func TestRecordsFlagPrintsEveryRecord(t *testing.T) {
	path := filepath.Join(samples, "container", "cri_vllm_partial.log")
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"-records", path}, &out, &errOut))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, 5, "10 CRI lines: a partial line joined, a traceback grouped")
}

func TestForcedFormatAndBadFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "batch.log")
	require.NoError(t, os.WriteFile(path, []byte("Decode batch. #running-req: 3, #token: 40, token usage: 0.50, gen throughput (token/s): 30.57, #queue-req: 1\n"), 0o600))
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"-format", "sglang", path}, &out, &errOut))
	assert.Contains(t, out.String(), `"kind":"sglang_decode"`)

	for _, args := range [][]string{{}, {"-format", "mistral", path}, {"-container", "podman", path}, {"-timezone", "Mars/Base", path}, {filepath.Join(dir, "missing.log")}} {
		out.Reset()
		assert.Error(t, run(args, &out, &errOut), "%v", args)
	}
}
