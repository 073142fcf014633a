package rules

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
)

func specs() []*slo.Spec {
	return []*slo.Spec{
		{
			Name: "chat-availability", Service: "genai-gateway", Objective: 99.5, Period: 30 * 24 * time.Hour, Kind: slo.KindRatio,
			Bad:     slo.Selector{Metric: "gen_ai.server.requests", Unit: "{request}", Match: map[string]string{"outcome": "error"}},
			Total:   slo.Selector{Metric: "gen_ai.server.requests", Unit: "{request}"},
			GroupBy: []string{"gen_ai.request.model"},
			Windows: slo.DefaultAlertWindows(),
		},
		{
			Name: "chat-latency", Service: "genai-gateway", Objective: 99, Period: 28 * 24 * time.Hour, Kind: slo.KindLatency,
			Events:    slo.Selector{Metric: "gen_ai.server.request.duration", Unit: "s", MatchRegex: map[string]string{"gen_ai.request.model": "gpt-.*"}},
			Threshold: 2.5,
			Windows:   slo.DefaultAlertWindows(),
		},
		{
			Name: "ttft", Objective: 95, Period: 7 * 24 * time.Hour, Kind: slo.KindLatency,
			Events:    slo.Selector{Metric: "gen_ai.server.time_to_first_token", Unit: "s", PrometheusMetric: "ttft_seconds"},
			Threshold: 1,
			Windows:   []slo.AlertWindow{{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, BurnRate: 14.4}},
			AlertName: "TTFTTooSlow",
		},
	}
}

func TestNamesFollowTheRemoteWriteExporter(t *testing.T) {
	n := NewNames(true)
	assert.Equal(t, "gen_ai_request_model", n.Label("gen_ai.request.model"))
	assert.Equal(t, "gen_ai_server_request_duration_seconds", n.HistogramBase(&slo.Selector{Metric: "gen_ai.server.request.duration", Unit: "s"}))
	assert.Equal(t, "gen_ai_server_requests_total", n.Counter(&slo.Selector{Metric: "gen_ai.server.requests", Unit: "{request}"}))
	assert.Equal(t, "my_total", n.Counter(&slo.Selector{Metric: "x", PrometheusMetric: "my_total"}))
	plain := NewNames(false)
	assert.Equal(t, "gen_ai_server_requests", plain.Counter(&slo.Selector{Metric: "gen_ai.server.requests"}))
}

func TestErrorRatioExpressions(t *testing.T) {
	n := NewNames(true)
	s := specs()
	assert.Equal(t, `(
  sum by (gen_ai_request_model) (rate(gen_ai_server_requests_total{outcome="error"}[5m]))
  or
  0 * sum by (gen_ai_request_model) (rate(gen_ai_server_requests_total[5m]))
)
/
sum by (gen_ai_request_model) (rate(gen_ai_server_requests_total[5m]))`, n.ErrorRatioExpr(s[0], 5*time.Minute))
	assert.Equal(t, `(
  sum (rate(gen_ai_server_request_duration_seconds_count{gen_ai_request_model=~"gpt-.*"}[1h])) - sum (rate(gen_ai_server_request_duration_seconds_bucket{gen_ai_request_model=~"gpt-.*", le="2.5"}[1h]))
)
/
sum (rate(gen_ai_server_request_duration_seconds_count{gen_ai_request_model=~"gpt-.*"}[1h]))`, n.ErrorRatioExpr(s[1], time.Hour))
	assert.Contains(t, n.ErrorRatioExpr(s[2], time.Hour), `ttft_seconds_bucket{le="1"}`)
}

func TestAlertsCompareWithTheProcessorsThresholds(t *testing.T) {
	s := specs()[0]
	expr := AlertExpr(s, "page")
	// 14.4 × 0.005 and 6 × 0.005 as float64, written to read back exactly.
	assert.Contains(t, expr, `slo:sli_error:ratio_rate1h{slo_name="chat-availability"} > `+slo.FormatFloat(14.4*s.Budget()))
	assert.Contains(t, expr, `slo:sli_error:ratio_rate30m{slo_name="chat-availability"} > `+slo.FormatFloat(6*s.Budget()))
	assert.NotContains(t, expr, "ratio_rate1d", "ticket windows are not in the page alert")
	assert.Equal(t, "ChatAvailabilityErrorBudgetBurn", AlertName(s))
	assert.Equal(t, "TTFTTooSlow", AlertName(specs()[2]))
	assert.Equal(t, "SLO99thErrorBudgetBurn", AlertName(&slo.Spec{Name: "99th"}))
}

func writeRules(t *testing.T) string {
	b, err := PrometheusYAML(specs(), Options{MetricSuffixes: true, Interval: time.Minute})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func TestRulesLoadInPrometheus(t *testing.T) {
	groups, errs := rulefmt.ParseFile(writeRules(t), false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	require.Empty(t, errs)
	var records, alerts int
	for _, g := range groups.Groups {
		assert.Equal(t, model.Duration(time.Minute), g.Interval)
		for _, r := range g.Rules {
			if r.Record != "" {
				records++
			} else {
				alerts++
			}
		}
	}
	// Per SLO: error ratio and burn rate for 7 alert windows and the
	// period (the ttft SLO: 2 windows and the period), budget, objective,
	// error budget; one alert per severity.
	assert.Equal(t, (8*2+3)*2+(3*2+3), records)
	assert.Equal(t, 2+2+1, alerts)
}

// TestPromtoolAcceptsTheRules runs promtool check rules (Debian's prometheus
// package). In CI, where .ci/install-deps.sh installs it, a missing promtool
// fails the test.
func TestPromtoolAcceptsTheRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found: .ci/install-deps.sh installs Debian's prometheus package")
		}
		t.Skip("promtool not found (apt-get install prometheus); CI runs this test")
	}
	out, err := exec.Command(promtool, "check", "rules", writeRules(t)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "SUCCESS")
}

func TestSlothSpecHasOneDocumentPerService(t *testing.T) {
	b, err := SlothYAML(specs(), Options{MetricSuffixes: true})
	require.NoError(t, err)
	text := string(b)
	assert.Contains(t, text, "SLO ttft uses its own alert windows")
	assert.Contains(t, text, "different periods (1w, 4w, 30d)")
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []SlothSpec
	for {
		var d SlothSpec
		if err := dec.Decode(&d); err != nil {
			break
		}
		docs = append(docs, d)
	}
	require.Len(t, docs, 2)
	assert.Equal(t, "prometheus/v1", docs[0].Version)
	assert.Equal(t, "genai-gateway", docs[0].Service)
	require.Len(t, docs[0].SLOs, 2)
	lat := docs[0].SLOs[1]
	assert.Equal(t, 99.0, lat.Objective)
	assert.Equal(t, `sum (rate(gen_ai_server_request_duration_seconds_count{gen_ai_request_model=~"gpt-.*"}[{{.window}}])) - sum (rate(gen_ai_server_request_duration_seconds_bucket{gen_ai_request_model=~"gpt-.*", le="2.5"}[{{.window}}]))`, lat.SLI.Events.ErrorQuery)
	assert.Equal(t, "ttft", docs[1].Service, "an SLO without a service is its own")
	assert.True(t, docs[1].SLOs[0].Alerting.TicketAlert.Disable, "ttft has no ticket windows")
	assert.False(t, docs[1].SLOs[0].Alerting.PageAlert.Disable)
}
