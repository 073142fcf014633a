package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"
)

const regenerateRules = "go run ./cmd/slo-rules -out deploy/prometheus distributions/otelcol-ai-gateway/config.yaml"

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "prometheus", "prometheus-rules.yaml"))
	if err != nil {
		t.Fatalf("%v (generate it: %s)", err, regenerateRules)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(raw, &rf); err != nil {
		t.Fatalf("deploy/prometheus/prometheus-rules.yaml: %v", err)
	}
	return rf
}

// recordedSeries lists the series the recording rules of deploy/prometheus
// write, which dashboards may query beside the raw metrics.
func recordedSeries(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				out = append(out, r.Record)
			}
		}
	}
	return out
}

// gatewaySLOConfig reads the slo_burn_rate processor of a gateway
// configuration the way the collector would, over the factory defaults.
func gatewaySLOConfig(t *testing.T, cfg map[string]any) *sloburnrateprocessor.Config {
	t.Helper()
	procs, _ := cfg["processors"].(map[string]any)
	block, ok := procs["slo_burn_rate"].(map[string]any)
	if !ok {
		t.Fatal("the gateway configuration has no slo_burn_rate processor")
	}
	out := sloburnrateprocessor.NewFactory().CreateDefaultConfig().(*sloburnrateprocessor.Config)
	if err := confmap.NewFromStringMap(block).Unmarshal(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPrometheusRulesAreGenerated: deploy/prometheus holds what cmd/slo-rules
// writes for the gateway's SLOs, so the rules never drift from the
// processor's configuration.
func TestPrometheusRulesAreGenerated(t *testing.T) {
	cfg := gatewaySLOConfig(t, readYAMLMap(t, filepath.Join(repoRoot, "distributions", "otelcol-ai-gateway", "config.yaml")))
	opts := sloburnrateprocessor.RulesOptions{MetricSuffixes: true}
	promRules, err := sloburnrateprocessor.GeneratePrometheusRules(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	sloth, err := sloburnrateprocessor.GenerateSlothSpec(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"prometheus-rules.yaml": promRules, "sloth.yaml": sloth} {
		got, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "prometheus", name))
		if err != nil {
			t.Errorf("%v (generate it: %s)", err, regenerateRules)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("deploy/prometheus/%s is stale: regenerate it with %s", name, regenerateRules)
		}
	}
}

// TestPrometheusRulesQueryDocumentedMetrics: the raw series the rules read
// are metrics the components document, under their Prometheus names.
func TestPrometheusRulesQueryDocumentedMetrics(t *testing.T) {
	known := knownPrometheusNames(t)
	recorded := recordedSeries(t)
	rules := 0
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			rules++
			names, err := metricNames(r.Expr)
			if err != nil {
				t.Errorf("group %s, rule %s%s: %v", g.Name, r.Record, r.Alert, err)
				continue
			}
			for _, n := range names {
				if _, ok := known[n]; !ok && !slices.Contains(recorded, n) {
					t.Errorf("group %s, rule %s%s reads %s, which no component documents%s", g.Name, r.Record, r.Alert, n, suggest(n, known))
				}
			}
		}
	}
	if rules == 0 {
		t.Error("deploy/prometheus/prometheus-rules.yaml has no rules")
	}
}
