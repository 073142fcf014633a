//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"
)

// The SLOs of examples/slo/gateway.yaml, for the single-collector test.
const sloProcessorBlock = `
slos:
  - name: request-availability
    service: genai
    objective: 99.5
    period: 30d
    sli:
      ratio:
        bad: {metric: gen_ai.server.requests, match: {outcome: error}}
        total: {metric: gen_ai.server.requests}
    group_by: [gen_ai.request.model]
  - name: request-latency
    service: genai
    objective: 99
    period: 28d
    sli:
      latency: {metric: gen_ai.server.request.duration, unit: s, threshold: 2.56}
    group_by: [gen_ai.request.model]
`

const sloCollectorConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
processors:
  slo_burn_rate:
{{ .slo }}
exporters:
  prometheusremotewrite:
    endpoint: {{ .prometheus }}/api/v1/write
service:
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [slo_burn_rate]
      exporters: [prometheusremotewrite]
`

// startPrometheus starts Debian's prometheus on a free loopback port with the
// remote-write receiver and a temporary TSDB, and returns its base URL. Without
// the binary the test is skipped, unless CI is set (.ci/install-deps.sh
// installs it there): then it fails.
func startPrometheus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prometheus not found: .ci/install-deps.sh installs Debian's prometheus package")
		}
		t.Skip("prometheus not found (apt-get install prometheus); CI runs this test")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	// No scrapes; remote-written samples from several gateways may interleave.
	require.NoError(t, os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1h\nstorage:\n  tsdb:\n    out_of_order_time_window: 6h\n"), 0o600))
	port := FreePort(t)
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--web.enable-remote-write-receiver",
		"--log.level=warn")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "prometheus did not become ready:\n%s", out)
	return base
}

type promSample struct {
	labels map[string]string
	t      int64 // ms
	v      float64
}

// promQuery runs an instant query at ts (ms) and returns its samples: one per
// series for a vector, every sample for a matrix.
func promQuery(t *testing.T, base, query string, ts int64) []promSample {
	t.Helper()
	u := base + "/api/v1/query?" + url.Values{"query": {query}, "time": {strconv.FormatFloat(float64(ts)/1000, 'f', 3, 64)}}.Encode()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "success", body.Status, "%s: %s", query, body.Error)
	var out []promSample
	parse := func(m map[string]string, p [2]any) {
		f, err := strconv.ParseFloat(p[1].(string), 64)
		require.NoError(t, err)
		out = append(out, promSample{labels: m, t: int64(math.Round(p[0].(float64) * 1000)), v: f})
	}
	for _, r := range body.Data.Result {
		if body.Data.ResultType == "matrix" {
			for _, p := range r.Values {
				parse(r.Metric, p)
			}
		} else {
			parse(r.Metric, r.Value)
		}
	}
	return out
}

var sloModels = []string{"gpt-4o", "gpt-4o-mini", "o3-mini", "claude-sonnet", "claude-haiku", "gemini-pro",
	"gemini-flash", "llama-70b", "llama-8b", "mistral-large", "qwen-72b", "deepseek-v3"}

var sloBounds = []float64{0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24}

// sloTraffic returns one Metrics per scrape (15 s, jittered, never on a
// second boundary) from `from` to `to`: per model a cumulative request counter
// by outcome and a request-duration histogram. Some models fail or are slow
// often enough to fire alerts; one has a burst of errors.
func sloTraffic(from, to time.Time, models []string) []pmetric.Metrics {
	rng := rand.New(rand.NewPCG(11, 5))
	type state struct {
		ok, bad uint64
		buckets []uint64
	}
	st := make([]state, len(models))
	for i := range st {
		// Long-running servers: no counter starts near zero. (Where one does,
		// Prometheus 2 limits the extrapolation at the series start in a
		// different order than Prometheus 3 and the processor.)
		st[i] = state{ok: 10_000 + uint64(i)*37, bad: 20, buckets: []uint64{4000, 3000, 2000, 1000, 500, 40, 20, 10}}
	}
	var out []pmetric.Metrics
	for ts := from; ts.Before(to); ts = ts.Add(15 * time.Second) {
		at := ts.Add(time.Duration(rng.IntN(3000)+150) * time.Millisecond)
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
		sm := rm.ScopeMetrics().AppendEmpty()
		reqs := sm.Metrics().AppendEmpty()
		reqs.SetName("gen_ai.server.requests")
		reqs.SetUnit("{request}")
		sum := reqs.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dur := sm.Metrics().AppendEmpty()
		dur.SetName("gen_ai.server.request.duration")
		dur.SetUnit("s")
		hist := dur.SetEmptyHistogram()
		hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for i, model := range models {
			s := &st[i]
			n := 50 + rng.IntN(100)
			errShare := 0.001 * float64(i%4)
			if i == 2 && ts.Sub(from) > 50*time.Minute && ts.Sub(from) < 65*time.Minute {
				errShare = 0.3
			}
			slowShare := 0.002 * float64(i%5)
			for range n {
				if rng.Float64() < errShare {
					s.bad++
				} else {
					s.ok++
				}
				v := rng.Float64() * 2.5
				if rng.Float64() < slowShare {
					v = 2.6 + rng.Float64()*10
				}
				b := sort.SearchFloat64s(sloBounds, v)
				s.buckets[b]++
			}
			for _, o := range []struct {
				outcome string
				v       uint64
			}{{"ok", s.ok}, {"error", s.bad}} {
				dp := sum.DataPoints().AppendEmpty()
				dp.SetStartTimestamp(pcommon.NewTimestampFromTime(from))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
				dp.Attributes().PutStr("gen_ai.request.model", model)
				dp.Attributes().PutStr("outcome", o.outcome)
				dp.SetIntValue(int64(o.v))
			}
			hp := hist.DataPoints().AppendEmpty()
			hp.SetStartTimestamp(pcommon.NewTimestampFromTime(from))
			hp.SetTimestamp(pcommon.NewTimestampFromTime(at))
			hp.Attributes().PutStr("gen_ai.request.model", model)
			hp.ExplicitBounds().FromRaw(sloBounds)
			hp.BucketCounts().FromRaw(s.buckets)
			var count uint64
			for _, c := range s.buckets {
				count += c
			}
			hp.SetCount(count)
			hp.SetSum(float64(count))
		}
		out = append(out, md)
	}
	return out
}

// sloRules are the generated rules of a processor block, by SLO and window:
// the error-ratio expression and the budget the burn rate divides by.
type sloRule struct {
	slo, window, ratio, budget string
}

func generatedRules(t *testing.T, block string) []sloRule {
	t.Helper()
	var raw map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(block), &raw))
	cfg := sloburnrateprocessor.NewFactory().CreateDefaultConfig().(*sloburnrateprocessor.Config)
	require.NoError(t, confmap.NewFromStringMap(raw).Unmarshal(cfg))
	b, err := sloburnrateprocessor.GeneratePrometheusRules(cfg, sloburnrateprocessor.RulesOptions{MetricSuffixes: true})
	require.NoError(t, err)
	var file struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Record string            `yaml:"record"`
				Expr   string            `yaml:"expr"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	require.NoError(t, yaml.Unmarshal(b, &file))
	var out []sloRule
	for _, g := range file.Groups {
		ratios := map[string]string{}
		for _, r := range g.Rules {
			switch {
			case strings.HasPrefix(r.Record, "slo:sli_error:ratio_rate"):
				ratios[r.Labels["slo_window"]] = r.Expr
			case strings.HasPrefix(r.Record, "slo:burn_rate:ratio_rate"):
				// slo:sli_error:ratio_rate5m{slo_name="x"} / 0.005
				i := strings.LastIndex(r.Expr, " / ")
				require.Positive(t, i, r.Expr)
				w := r.Labels["slo_window"]
				out = append(out, sloRule{slo: r.Labels["slo_name"], window: w, ratio: ratios[w], budget: r.Expr[i+3:]})
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// verifySLOAgreement compares every burn rate the processor remote-wrote
// (slo_burn_rate_ratio) with the generated rule evaluated by the Prometheus
// server over the remote-written input, at the processor's evaluation times.
func verifySLOAgreement(t *testing.T, prom string, rules []sloRule, now int64, models int) {
	t.Helper()
	got := map[string]map[int64]map[string]float64{} // slo|window → T → model → value
	for _, s := range promQuery(t, prom, "slo_burn_rate_ratio[6h]", now) {
		k := s.labels["slo_name"] + "|" + s.labels["slo_window"]
		if got[k] == nil {
			got[k] = map[int64]map[string]float64{}
		}
		if got[k][s.t] == nil {
			got[k][s.t] = map[string]float64{}
		}
		got[k][s.t][s.labels["gen_ai_request_model"]] = s.v
	}
	var compared int
	var maxRel float64
	var worst string
	for _, r := range rules {
		times := got[r.slo+"|"+r.window]
		if r.window == "30d" || r.window == "4w" || r.window == "3d" || r.window == "1d" {
			// Evaluated every 12h, 11h12m, 72m and 24m: two hours of data
			// may hold none or a few.
		} else {
			require.NotEmpty(t, times, "no burn rates for %s %s", r.slo, r.window)
		}
		var ts []int64
		for T := range times {
			ts = append(ts, T)
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		for i, T := range ts {
			if r.window == "5m" || r.window == "30m" || r.window == "1h" {
				if i%3 != 0 {
					continue // every third minute is plenty
				}
			}
			want := map[string]float64{}
			for _, s := range promQuery(t, prom, "("+r.ratio+") / "+r.budget, T) {
				if !math.IsNaN(s.v) {
					want[s.labels["gen_ai_request_model"]] = s.v
				}
			}
			for model, w := range want {
				v, ok := times[T][model]
				if !assert.True(t, ok, "%s %s %s at %d: Prometheus %v, the processor nothing", r.slo, r.window, model, T, w) {
					continue
				}
				rel := math.Abs(v - w)
				if w != 0 {
					rel /= math.Abs(w)
				}
				compared++
				if rel > maxRel {
					maxRel, worst = rel, fmt.Sprintf("%s %s %s at %d: processor %v, Prometheus %v", r.slo, r.window, model, T, v, w)
				}
				assert.LessOrEqual(t, rel, 0.01, "%s %s %s at %d: processor %v, Prometheus %v", r.slo, r.window, model, T, v, w)
			}
			for model, v := range times[T] {
				_, ok := want[model]
				assert.True(t, ok, "%s %s %s at %d: processor %v, Prometheus nothing", r.slo, r.window, model, T, v)
			}
		}
	}
	require.Greater(t, compared, 100*models/12)
	t.Logf("%d burn rates compared with the Prometheus server, max relative error %.3g (%s)", compared, maxRel, worst)
}

// sendPaced sends the batches in order, a little apart so that several
// gateways stay close to each other in data time.
func sendPaced(t *testing.T, endpoint string, batches []pmetric.Metrics) {
	sender := NewSender(t, endpoint)
	for _, md := range batches {
		sender.SendMetrics(t, md)
		time.Sleep(20 * time.Millisecond)
	}
}

// waitForInput waits until Prometheus holds the newest input sample.
func waitForInput(t *testing.T, prom string, newest time.Time, series int) {
	require.Eventually(t, func() bool {
		s := promQuery(t, prom, "count(timestamp(gen_ai_server_requests_total) >= "+strconv.FormatFloat(float64(newest.UnixMilli())/1000, 'f', 3, 64)+")", newest.UnixMilli()+1000)
		return len(s) == 1 && int(s[0].v) == series
	}, 60*time.Second, 500*time.Millisecond, "the newest samples did not reach Prometheus")
	// The processor's series of the last evaluations travel in later batches.
	time.Sleep(3 * time.Second)
}

func TestSLOBurnRatesEqualPrometheusServer(t *testing.T) {
	prom := startPrometheus(t)
	ports := NewPorts(t)
	indented := strings.ReplaceAll(strings.TrimPrefix(sloProcessorBlock, "\n"), "\n", "\n    ")
	StartWithSink(t, ports, nil, sloCollectorConfig, map[string]any{"prometheus": prom, "slo": "    " + indented})

	models := sloModels[:4]
	now := time.Now().Truncate(time.Second)
	batches := sloTraffic(now.Add(-2*time.Hour), now.Add(-20*time.Second), models)
	sendPaced(t, ports.Endpoint("otlp"), batches)
	waitForInput(t, prom, newestOf(batches[len(batches)-1]), 2*len(models))
	verifySLOAgreement(t, prom, generatedRules(t, sloProcessorBlock), now.UnixMilli(), len(models))

	// The alert state is there too, and the burst of errors on the third
	// model fired the page alert.
	firing := promQuery(t, prom, `max_over_time(slo_alert_firing{slo_name="request-availability", slo_severity="page"}[3h])`, now.UnixMilli())
	byModel := map[string]float64{}
	for _, s := range firing {
		byModel[s.labels["gen_ai_request_model"]] = s.v
	}
	assert.Equal(t, 1.0, byModel[models[2]], "the burst fires the page alert")
	assert.Equal(t, 0.0, byModel[models[0]], "an error-free model does not page")
}

func TestSLOExampleRoutesEverySLOSeriesToOneGateway(t *testing.T) {
	prom := startPrometheus(t)
	ports := NewPorts(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "slo", name))
		require.NoError(t, err)
		return string(b)
	}
	for _, g := range []string{"gateway-1", "gateway-2"} {
		StartCollector(t, read("gateway.yaml"), Options{
			HealthEndpoint: ports.Endpoint(g + "-health"),
			Env: []string{
				"GATEWAY_OTLP_ENDPOINT=" + ports.Endpoint(g),
				"GATEWAY_HEALTH_ENDPOINT=" + ports.Endpoint(g+"-health"),
				"PROMETHEUS_REMOTE_WRITE_URL=" + prom + "/api/v1/write",
				"SLO_STATE_DIR=" + t.TempDir(),
				"HOSTNAME=" + g,
			},
		})
	}
	StartCollector(t, read("agent.yaml"), Options{
		HealthEndpoint: ports.Endpoint("agent-health"),
		Env: []string{
			"AGENT_OTLP_ENDPOINT=" + ports.Endpoint("agent"),
			"AGENT_HEALTH_ENDPOINT=" + ports.Endpoint("agent-health"),
			"GATEWAY_1=" + ports.Endpoint("gateway-1"),
			"GATEWAY_2=" + ports.Endpoint("gateway-2"),
		},
	})

	now := time.Now().Truncate(time.Second)
	batches := sloTraffic(now.Add(-2*time.Hour), now.Add(-20*time.Second), sloModels)
	sendPaced(t, ports.Endpoint("agent"), batches)
	waitForInput(t, prom, newestOf(batches[len(batches)-1]), 2*len(sloModels))

	// Every model's SLO series come from one gateway, and both gateways work.
	perModel := promQuery(t, prom, `count by (gen_ai_request_model) (count by (gen_ai_request_model, gateway) (last_over_time(slo_burn_rate_ratio[3h])))`, now.UnixMilli())
	require.Len(t, perModel, len(sloModels))
	for _, s := range perModel {
		assert.Equal(t, 1.0, s.v, "model %s has SLO series from %v gateways", s.labels["gen_ai_request_model"], s.v)
	}
	gateways := promQuery(t, prom, `count by (gateway) (last_over_time(slo_burn_rate_ratio[3h]))`, now.UnixMilli())
	assert.Len(t, gateways, 2, "the models are spread over both gateways")

	// And the burn rates equal the rules over the input the gateways wrote.
	example, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "slo", "gateway.yaml"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(example, &doc))
	block, err := yaml.Marshal(doc["processors"].(map[string]any)["slo_burn_rate"])
	require.NoError(t, err)
	verifySLOAgreement(t, prom, generatedRules(t, string(block)), now.UnixMilli(), len(sloModels))
}

func newestOf(md pmetric.Metrics) time.Time {
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
	return dps.At(0).Timestamp().AsTime()
}
