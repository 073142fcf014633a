package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const collectorConfig = `
receivers:
  otlp:
    protocols:
      grpc:
processors:
  batch: {}
  slo_burn_rate:
    slos:
      - name: chat-availability
        service: genai-gateway
        objective: 99.5
        sli:
          ratio:
            bad: {metric: gen_ai.server.requests, match: {outcome: error}}
            total: {metric: gen_ai.server.requests}
        group_by: [gen_ai.request.model]
      - name: chat-latency
        service: genai-gateway
        objective: 99
        period: 28d
        sli:
          latency: {metric: gen_ai.server.request.duration, threshold: 2.56}
        group_by: [gen_ai.request.model]
exporters:
  debug: {}
`

func writeFile(t *testing.T, content string) string {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestWritesRulesAndSlothSpecFromACollectorConfig(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-out", out, writeFile(t, collectorConfig)}, &stdout, &stderr), stderr.String())
	rules, err := os.ReadFile(filepath.Join(out, "prometheus-rules.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(rules), "record: slo:sli_error:ratio_rate5m")
	assert.Contains(t, string(rules), "gen_ai_server_request_duration_seconds_bucket{le=\"2.56\"}")
	assert.Contains(t, string(rules), "alert: ChatLatencyErrorBudgetBurn")
	sloth, err := os.ReadFile(filepath.Join(out, "sloth.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(sloth), "version: prometheus/v1")
	assert.Contains(t, stdout.String(), "prometheus-rules.yaml")

	if promtool, err := exec.LookPath("promtool"); err == nil {
		b, err := exec.Command(promtool, "check", "rules", filepath.Join(out, "prometheus-rules.yaml")).CombinedOutput()
		require.NoError(t, err, "%s", b)
	} else if os.Getenv("CI") != "" {
		t.Fatal("promtool not found: .ci/install-deps.sh installs Debian's prometheus package")
	}
}

func TestPrintsOneFileToStandardOutput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-print", "sloth", "-metric-suffixes=false", writeFile(t, collectorConfig)}, &stdout, &stderr))
	assert.True(t, strings.HasPrefix(stdout.String(), "# Sloth prometheus/v1"))
	assert.Contains(t, stdout.String(), "rate(gen_ai_server_requests{outcome=\"error\"}[{{.window}}])", "no _total without suffixes")
}

func TestReadsTheProcessorBlockAlone(t *testing.T) {
	block := `
slos:
  - name: ttft
    objective: 95
    sli:
      latency: {metric: gen_ai.server.time_to_first_token, threshold: 0.5}
`
	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-print", "prometheus", writeFile(t, block)}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), `gen_ai_server_time_to_first_token_seconds_bucket{le="0.5"}`)
}

func TestErrorsNameTheProblem(t *testing.T) {
	two := strings.Replace(collectorConfig, "  slo_burn_rate:\n", "  slo_burn_rate/b:\n    slos: []\n  slo_burn_rate:\n", 1)
	tests := []struct {
		name, config string
		args         []string
		want         string
	}{
		{"several processors", two, nil, "several slo_burn_rate processors (slo_burn_rate, slo_burn_rate/b): pick one with -processor"},
		{"unknown processor", collectorConfig, []string{"-processor", "slo_burn_rate/x"}, `no processor "slo_burn_rate/x"`},
		{"invalid slo", "slos:\n  - name: a\n    objective: 0.99\n    sli: {latency: {metric: d, threshold: 1}}\n", nil, "slos[0].objective"},
		{"no processor", "processors:\n  batch: {}\n", nil, "no slo_burn_rate processor under processors:"},
		{"bad print", collectorConfig, []string{"-print", "json"}, "-print: want prometheus or sloth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(append([]string{}, tt.args...), writeFile(t, tt.config))
			err := run(args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	var stdout, stderr bytes.Buffer
	assert.Error(t, run(nil, &stdout, &stderr), "a config file is required")
}

// TestExampleRulesAreCurrent keeps the rules and Sloth spec committed in
// examples/slo equal to what slo-rules writes from its gateway config.
func TestExampleRulesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "examples", "slo")
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run([]string{"-out", out, filepath.Join(root, "gateway.yaml")}, &stdout, &stderr), stderr.String())
	for _, name := range []string{"prometheus-rules.yaml", "sloth.yaml"} {
		want, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(root, name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "examples/slo/%s is stale: go run ./cmd/slo-rules -out examples/slo examples/slo/gateway.yaml", name)
	}
}
