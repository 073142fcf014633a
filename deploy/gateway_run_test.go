package deploy

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/e2e"
	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

// remoteWriteSink is a Prometheus remote-write endpoint that records the
// series names it receives.
type remoteWriteSink struct {
	url   string
	mu    sync.Mutex
	names map[string]bool
	errs  []string
}

func newRemoteWriteSink(t *testing.T) *remoteWriteSink {
	t.Helper()
	s := &remoteWriteSink{names: map[string]bool{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.url = "http://" + l.Addr().String() + "/api/v1/write"
	return s
}

func (s *remoteWriteSink) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, err := io.ReadAll(r.Body)
	if err == nil {
		body, err = snappy.Decode(nil, body)
	}
	var req prompb.WriteRequest
	if err == nil {
		err = req.Unmarshal(body)
	}
	if err != nil {
		s.errs = append(s.errs, err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, ts := range req.Timeseries {
		for _, l := range ts.Labels {
			if l.Name == "__name__" {
				s.names[l.Value] = true
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *remoteWriteSink) received() (names []string, errs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := range s.names {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, slices.Clone(s.errs)
}

// TestGatewayDistributionEndToEnd runs bin/otelcol-ai-gateway on its image's
// default configuration, with only the addresses moved to loopback: demo
// GenAI telemetry goes in over OTLP; the OTLP backend must get redacted and
// priced spans, and Prometheus (remote write) the connectors' metrics under
// the names the dashboards query. Every series the gateway derives itself
// must be one the metric catalog documents.
func TestGatewayDistributionEndToEnd(t *testing.T) {
	bin := distBinary(t, "otelcol-ai-gateway")
	t.Setenv(e2e.BinaryEnv, bin)

	cfg := readYAMLMap(t, filepath.Join(repoRoot, "distributions", "otelcol-ai-gateway", "config.yaml"))
	ports := e2e.NewPorts(t)
	sink := e2e.NewSink(t)
	prw := newRemoteWriteSink(t)
	set := func(v any, path ...string) {
		m := cfg
		for _, p := range path[:len(path)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				t.Fatalf("gateway config has no %s", strings.Join(path, "."))
			}
			m = next
		}
		if _, ok := m[path[len(path)-1]]; !ok {
			t.Fatalf("gateway config has no %s", strings.Join(path, "."))
		}
		m[path[len(path)-1]] = v
	}
	set(ports.Endpoint("otlp"), "receivers", "otlp", "protocols", "grpc", "endpoint")
	set(ports.Endpoint("otlp_http"), "receivers", "otlp", "protocols", "http", "endpoint")
	set(sink.Endpoint, "exporters", "otlp_grpc", "endpoint")
	set(prw.url, "exporters", "prometheus_remote_write", "endpoint")
	set(ports.Endpoint("keda"), "exporters", "keda_scaler", "endpoint")
	set(ports.Endpoint("health"), "extensions", "health_check", "endpoint")
	set(t.TempDir(), "extensions", "file_storage", "directory")
	readers, _ := dig(cfg, "service", "telemetry", "metrics", "readers").([]any)
	if len(readers) != 1 {
		t.Fatal("gateway config: one telemetry reader expected")
	}
	prom, _ := dig(readers[0].(map[string]any), "pull", "exporter", "prometheus").(map[string]any)
	prom["host"], prom["port"] = "127.0.0.1", ports.Get("telemetry")
	raw, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	col := e2e.StartCollector(t, string(raw), e2e.Options{HealthEndpoint: ports.Endpoint("health")})

	sender := e2e.NewSender(t, ports.Endpoint("otlp"))
	gen := genaidata.NewGenerator(1)
	want := []string{
		"gen_ai_usage_cost", "gen_ai_usage_tokens", "gen_ai_retrieval_evaluations",
		"traces_span_metrics_calls_total", "traces_span_metrics_duration_seconds_bucket",
	}
	start := time.Now()
	deadline := start.Add(90 * time.Second)
	var names []string
	arrived := map[string]time.Duration{}
	for {
		b := gen.Batch(time.Now())
		sender.SendTraces(t, b.Traces)
		sender.SendMetrics(t, b.Metrics)
		time.Sleep(time.Second)
		var errs []string
		names, errs = prw.received()
		if len(errs) > 0 {
			t.Fatalf("remote write requests the sink could not read: %v", errs)
		}
		for _, n := range names {
			if _, ok := arrived[n]; !ok {
				arrived[n] = time.Since(start).Round(time.Second)
			}
		}
		if !slices.ContainsFunc(want, func(n string) bool { return !slices.Contains(names, n) }) || time.Now().After(deadline) {
			break
		}
	}
	for _, n := range want {
		t.Logf("%s arrived after %s", n, arrived[n])
		if !slices.Contains(names, n) {
			t.Errorf("Prometheus never received %s; got %v\ncollector output:\n%s", n, names, col.Output())
		}
	}
	// What the gateway derives (connectors, processors) is documented; the
	// apps' own metrics pass through untouched and are theirs to document.
	known := knownPrometheusNames(t)
	checkSelfTelemetryNames(t, e2e.SelfMetrics(t, ports.Endpoint("telemetry")), known)
	for _, n := range names {
		derived := false
		for _, prefix := range []string{"gen_ai_usage_", "gen_ai_retrieval_", "traces_span_metrics_", "slo_", "inference_gpu_", "inference_cost_", "inference_tokens"} {
			derived = derived || strings.HasPrefix(n, prefix)
		}
		if _, ok := known[n]; derived && !ok {
			t.Errorf("the gateway writes %s, which no component documents", n)
		}
	}

	// The backend gets spans with personal data masked and a price.
	td := sink.AllTraces()
	if td.SpanCount() == 0 {
		t.Fatal("the OTLP backend received no spans")
	}
	priced := 0
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				if _, ok := span.Attributes().Get("gen_ai.usage.cost.amount"); ok {
					priced++
				}
				span.Attributes().Range(func(k string, v pcommon.Value) bool {
					if s := v.AsString(); strings.Contains(s, "maria.lopez@example.com") || strings.Contains(s, "4111 1111 1111 1111") {
						t.Errorf("span %q attribute %s still holds personal data: %.120s", span.Name(), k, s)
					}
					return true
				})
			}
		}
	}
	if priced == 0 {
		t.Error("no span carries gen_ai.usage.cost.amount: token_cost did not price the chat spans")
	}
}

// checkSelfTelemetryNames: the series of our components on the collector's
// own telemetry endpoint, named as Prometheus scrapes them, are the names the
// catalog (and so the dashboards) use.
func checkSelfTelemetryNames(t *testing.T, page string, known map[string]otelMetric) {
	t.Helper()
	prefixes := []string{"otelcol_prompt_redaction_", "otelcol_token_cost_", "otelcol_retrieval_quality_", "otelcol_slo_burn_rate_", "otelcol_keda_scaler_"}
	ours := 0
	for _, line := range strings.Split(page, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		ours++
		if _, ok := known[name]; !ok {
			t.Errorf("the gateway's telemetry endpoint shows %s, which the catalog does not know under that name%s", name, suggest(name, known))
		}
	}
	if ours == 0 {
		t.Errorf("the gateway's telemetry endpoint shows no series of our components:\n%s", page)
	}
}
