package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	prw "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/prometheusremotewrite"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"gopkg.in/yaml.v3"
)

// otelMetric is one documented OpenTelemetry metric as it leaves the
// gateway towards Prometheus.
type otelMetric struct {
	Name      string
	Type      string // gauge, sum, histogram
	Unit      string
	Monotonic bool
	Delta     bool
	Source    string // where it is documented
	// SelfTelemetry: the collector's own telemetry, which Prometheus scrapes
	// from the collector's endpoint rather than receiving by remote write.
	SelfTelemetry bool
}

// catalogEntry is an entry of deploy/metrics.yaml: a metric documented
// outside a metadata.yaml `metrics:` section.
type catalogEntry struct {
	Name         string `yaml:"name"`
	Type         string `yaml:"type"`
	Unit         string `yaml:"unit"`
	Monotonic    bool   `yaml:"monotonic"`
	Temporality  string `yaml:"temporality"`
	DocumentedIn string `yaml:"documented_in"`
}

type mdMetric struct {
	Unit string `yaml:"unit"`
	Sum  *struct {
		Monotonic   bool   `yaml:"monotonic"`
		Temporality string `yaml:"aggregation_temporality"`
	} `yaml:"sum"`
	Gauge     *struct{} `yaml:"gauge"`
	Histogram *struct{} `yaml:"histogram"`
}

type metadataFile struct {
	Type      string              `yaml:"type"`
	Metrics   map[string]mdMetric `yaml:"metrics"`
	Telemetry struct {
		Metrics map[string]mdMetric `yaml:"metrics"`
	} `yaml:"telemetry"`
}

func (m mdMetric) kind() string {
	switch {
	case m.Sum != nil:
		return "sum"
	case m.Histogram != nil:
		return "histogram"
	default:
		return "gauge"
	}
}

// componentMetadata reads every component's metadata.yaml: the metrics it
// emits, and its own telemetry, which mdatagen names otelcol.<name>.
func componentMetadata(t *testing.T) []otelMetric {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "*", "*", "metadata.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no component metadata.yaml found (%v)", err)
	}
	var out []otelMetric
	for _, f := range files {
		rel, _ := filepath.Rel(repoRoot, f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var md metadataFile
		if err := yaml.Unmarshal(raw, &md); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for name, m := range md.Metrics {
			om := otelMetric{Name: name, Type: m.kind(), Unit: m.Unit, Source: rel}
			if m.Sum != nil {
				om.Monotonic = m.Sum.Monotonic
				om.Delta = m.Sum.Temporality == "delta"
			}
			out = append(out, om)
		}
		for name, m := range md.Telemetry.Metrics {
			om := otelMetric{Name: "otelcol." + name, Type: m.kind(), Unit: m.Unit, Source: rel + " (telemetry)", SelfTelemetry: true}
			if m.Sum != nil {
				om.Monotonic = m.Sum.Monotonic
			}
			out = append(out, om)
		}
	}
	return out
}

// catalogExtras reads deploy/metrics.yaml and checks that each metric is
// named in the document it cites, so an entry cannot outlive its docs.
func catalogExtras(t *testing.T) []otelMetric {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "metrics.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metrics []catalogEntry `yaml:"metrics"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("deploy/metrics.yaml: %v", err)
	}
	var out []otelMetric
	for i, e := range doc.Metrics {
		key := fmt.Sprintf("deploy/metrics.yaml: metrics[%d] (%s)", i, e.Name)
		if !slices.Contains([]string{"gauge", "sum", "histogram"}, e.Type) {
			t.Errorf("%s: type %q: must be gauge, sum or histogram", key, e.Type)
		}
		if e.Temporality != "" && e.Temporality != "delta" && e.Temporality != "cumulative" {
			t.Errorf("%s: temporality %q: must be delta or cumulative", key, e.Temporality)
		}
		if e.DocumentedIn == "" {
			t.Errorf("%s: documented_in: must name the document that describes the metric", key)
			continue
		}
		docText, err := os.ReadFile(filepath.Join(repoRoot, e.DocumentedIn))
		if err != nil {
			t.Errorf("%s: documented_in: %v", key, err)
			continue
		}
		if !strings.Contains(string(docText), e.Name) {
			t.Errorf("%s: %s does not mention the metric", key, e.DocumentedIn)
		}
		out = append(out, otelMetric{Name: e.Name, Type: e.Type, Unit: e.Unit, Monotonic: e.Monotonic,
			Delta: e.Temporality == "delta", Source: e.DocumentedIn})
	}
	return out
}

// connectorMetrics reads the metrics the gateway configuration's connectors
// define: span_metrics (calls, duration) and every signal_to_metrics metric.
func connectorMetrics(t *testing.T, cfg map[string]any, source string) []otelMetric {
	t.Helper()
	var out []otelMetric
	connectors, _ := cfg["connectors"].(map[string]any)
	for id, c := range connectors {
		body, _ := c.(map[string]any)
		switch componentType(id) {
		case "span_metrics":
			ns := "traces.span.metrics"
			if v, ok := body["namespace"].(string); ok {
				ns = v
			}
			unit := "ms"
			if h, ok := body["histogram"].(map[string]any); ok {
				if u, ok := h["unit"].(string); ok {
					unit = u
				}
			}
			out = append(out,
				otelMetric{Name: ns + ".calls", Type: "sum", Monotonic: true, Source: source + " span_metrics"},
				otelMetric{Name: ns + ".duration", Type: "histogram", Unit: unit, Source: source + " span_metrics"})
		case "signal_to_metrics":
			for _, signal := range []string{"spans", "datapoints", "logs", "profiles"} {
				defs, _ := body[signal].([]any)
				for _, d := range defs {
					def, _ := d.(map[string]any)
					name, _ := def["name"].(string)
					unit, _ := def["unit"].(string)
					m := otelMetric{Name: name, Unit: unit, Delta: true, Source: source + " " + id}
					switch {
					case def["sum"] != nil:
						m.Type = "sum"
						if sum, ok := def["sum"].(map[string]any); ok {
							m.Monotonic, _ = sum["monotonic"].(bool)
						}
					case def["histogram"] != nil, def["exponential_histogram"] != nil:
						m.Type = "histogram"
					default:
						m.Type = "gauge"
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func componentType(id string) string {
	typ, _, _ := strings.Cut(id, "/")
	return typ
}

// prometheusNames translates each metric the way the gateway's
// prometheus_remote_write exporter does at this release (contrib
// pkg/translator/prometheusremotewrite with add_metric_suffixes, its
// default): unit and type suffixes, _total for monotonic sums,
// _bucket/_sum/_count for histograms. The collector's own telemetry is read
// from its Prometheus endpoint (service::telemetry's pull reader), which at
// this release writes names without unit or type suffixes
// (without_units and without_type_suffix default to true):
// otelcol.slo_burn_rate.points.refused is otelcol_slo_burn_rate_points_refused.
//
// Delta sums cannot be written to Prometheus: the gateway turns them into
// gauges of the interval's amount (transform/delta_to_gauge), so they are
// named as gauges here. Delta histograms would be dropped, so they get no
// name at all.
func prometheusNames(t *testing.T, metrics []otelMetric) map[string]otelMetric {
	t.Helper()
	names := map[string]otelMetric{}
	for _, m := range metrics {
		if m.Type == "histogram" && m.Delta {
			continue
		}
		md := pmetric.NewMetrics()
		pm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		pm.SetName(m.Name)
		pm.SetUnit(m.Unit)
		switch {
		case m.Type == "gauge" || (m.Type == "sum" && m.Delta):
			pm.SetEmptyGauge().DataPoints().AppendEmpty().SetDoubleValue(1)
		case m.Type == "sum":
			s := pm.SetEmptySum()
			s.SetIsMonotonic(m.Monotonic)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			s.DataPoints().AppendEmpty().SetDoubleValue(1)
		case m.Type == "histogram":
			h := pm.SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp := h.DataPoints().AppendEmpty()
			dp.ExplicitBounds().FromRaw([]float64{1})
			dp.BucketCounts().FromRaw([]uint64{1, 0})
			dp.SetCount(1)
			dp.SetSum(0.5)
		}
		series, err := prw.FromMetrics(md, prw.Settings{AddMetricSuffixes: !m.SelfTelemetry})
		if err != nil {
			t.Fatalf("translating %s (%s): %v", m.Name, m.Source, err)
		}
		for _, ts := range series {
			for _, l := range ts.Labels {
				if l.Name == "__name__" {
					names[l.Value] = m
				}
			}
		}
	}
	return names
}

// knownPrometheusNames is every Prometheus series name our components and
// the gateway configuration document.
func knownPrometheusNames(t *testing.T) map[string]otelMetric {
	t.Helper()
	metrics := componentMetadata(t)
	metrics = append(metrics, catalogExtras(t)...)
	gw := readYAMLMap(t, filepath.Join(repoRoot, "distributions", "otelcol-ai-gateway", "config.yaml"))
	metrics = append(metrics, connectorMetrics(t, gw, "distributions/otelcol-ai-gateway/config.yaml")...)
	return prometheusNames(t, metrics)
}

// TestPrometheusNamesFollowTheExporter pins a few translations, so that a
// change of the translator at a collector upgrade shows up here first.
func TestPrometheusNamesFollowTheExporter(t *testing.T) {
	got := prometheusNames(t, []otelMetric{
		{Name: "hw.gpu.utilization", Type: "gauge", Unit: "1"},
		{Name: "hw.gpu.memory.usage", Type: "sum", Unit: "By"},
		{Name: "hw.energy", Type: "sum", Unit: "J", Monotonic: true},
		{Name: "inference.engine.generation_throughput", Type: "gauge", Unit: "{token}/s"},
		{Name: "gen_ai.server.request.duration", Type: "histogram", Unit: "s"},
		{Name: "otelcol.prompt_redaction.matches", Type: "sum", Unit: "{match}", Monotonic: true, SelfTelemetry: true},
		{Name: "otelcol.token_cost.gpu.unpriced", Type: "sum", Unit: "s", Monotonic: true, SelfTelemetry: true},
		{Name: "inference.gpu.cost", Type: "sum", Unit: "{USD}", Monotonic: true, Delta: true},
		{Name: "dropped.delta.histogram", Type: "histogram", Unit: "s", Delta: true},
	})
	want := []string{
		"gen_ai_server_request_duration_seconds_bucket",
		"gen_ai_server_request_duration_seconds_count",
		"gen_ai_server_request_duration_seconds_sum",
		"hw_energy_joules_total",
		"hw_gpu_memory_usage_bytes",
		"hw_gpu_utilization_ratio",
		"inference_engine_generation_throughput_per_second",
		"inference_gpu_cost",
		"otelcol_prompt_redaction_matches",
		"otelcol_token_cost_gpu_unpriced",
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	if !slices.Equal(names, want) {
		t.Errorf("translated names:\n got %v\nwant %v", names, want)
	}
}
