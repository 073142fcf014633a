package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// query is one PromQL expression found in a dashboard.
type query struct {
	where string // dashboard file and JSON path
	expr  string
}

// dashboardQueries walks a dashboard's JSON and returns every target
// expression (panels, rows' panels, library panels inlined) and every
// templating query.
func dashboardQueries(t *testing.T, file string, doc map[string]any) []query {
	t.Helper()
	var out []query
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if e, ok := x["expr"].(string); ok {
				out = append(out, query{where: file + " " + path, expr: e})
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "templating" {
					continue
				}
				walk(path+"."+k, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", doc)
	templating, _ := doc["templating"].(map[string]any)
	list, _ := templating["list"].([]any)
	for i, v := range list {
		variable, _ := v.(map[string]any)
		if variable["type"] != "query" {
			continue
		}
		q := variable["query"]
		if m, ok := q.(map[string]any); ok {
			q = m["query"]
		}
		if s, ok := q.(string); ok && s != "" {
			out = append(out, query{where: fmt.Sprintf("%s templating.list[%d] (%v)", file, i, variable["name"]), expr: s})
		}
	}
	return out
}

var (
	// Grafana's built-in interval variables stand for a range.
	grafanaRange = regexp.MustCompile(`\$\{?__(rate_interval|interval|range)\}?`)
	// Dashboard variables: $name, ${name}, ${name:format}.
	grafanaVar = regexp.MustCompile(`\$\{[A-Za-z0-9_]+(:[A-Za-z0-9_]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*`)
	// Template functions of Grafana's Prometheus data source.
	labelValues = regexp.MustCompile(`^\s*label_values\((.*)\)\s*$`)
	queryResult = regexp.MustCompile(`^\s*query_result\((.*)\)\s*$`)
)

// promQL turns a Grafana query into plain PromQL: variables become values
// that parse; label_values(selector, label) becomes its selector.
func promQL(expr string) (string, error) {
	if m := labelValues.FindStringSubmatch(expr); m != nil {
		args := m[1]
		i := strings.LastIndex(args, ",")
		if i < 0 {
			// label_values(label): no metric.
			return "", nil
		}
		expr = args[:i]
	} else if m := queryResult.FindStringSubmatch(expr); m != nil {
		expr = m[1]
	}
	expr = grafanaRange.ReplaceAllString(expr, "5m")
	expr = grafanaVar.ReplaceAllString(expr, "var")
	return expr, nil
}

// metricNames parses a PromQL expression and returns every metric it
// selects; a selector without a literal metric name is an error, since it
// cannot be checked.
func metricNames(expr string) ([]string, error) {
	node, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	var bad error
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		if name == "" {
			for _, m := range vs.LabelMatchers {
				if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
		}
		if name == "" {
			bad = fmt.Errorf("selector %s names no metric", vs)
			return nil
		}
		names = append(names, name)
		return nil
	})
	return names, bad
}

func dashboardFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "grafana", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no dashboards in deploy/grafana")
	}
	return files
}

// TestDashboardsQueryDocumentedMetrics: every metric a dashboard queries is
// one that our components (or the gateway's connectors, or a recording rule
// of deploy/prometheus) document, under the name the gateway's
// prometheus_remote_write exporter gives it. A renamed metric or a typo
// fails here instead of leaving an empty panel.
func TestDashboardsQueryDocumentedMetrics(t *testing.T) {
	known := knownPrometheusNames(t)
	recorded := recordedSeries(t)
	uids := map[string]string{}
	for _, f := range dashboardFiles(t) {
		rel, _ := filepath.Rel(repoRoot, f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		uid, _ := doc["uid"].(string)
		title, _ := doc["title"].(string)
		if uid == "" || title == "" {
			t.Errorf("%s: a dashboard needs a uid and a title", rel)
		}
		if other, dup := uids[uid]; dup {
			t.Errorf("%s: uid %q already used by %s", rel, uid, other)
		}
		uids[uid] = rel
		queries := dashboardQueries(t, rel, doc)
		if len(queries) == 0 {
			t.Errorf("%s: no queries", rel)
		}
		for _, q := range queries {
			expr, _ := promQL(q.expr)
			if expr == "" {
				continue
			}
			names, err := metricNames(expr)
			if err != nil {
				t.Errorf("%s: %q: %v", q.where, q.expr, err)
				continue
			}
			for _, n := range names {
				if _, ok := known[n]; ok {
					continue
				}
				if slices.Contains(recorded, n) {
					continue
				}
				t.Errorf("%s: %q queries %s, which no component documents%s", q.where, q.expr, n, suggest(n, known))
			}
		}
	}
}

// suggest names the documented metrics closest to an unknown one.
func suggest(name string, known map[string]otelMetric) string {
	stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_total"), "_bucket"), "_count")
	var close []string
	for k := range known {
		if strings.HasPrefix(k, stem) || strings.HasPrefix(stem, strings.TrimSuffix(k, "_total")) {
			close = append(close, k)
		}
	}
	if len(close) == 0 {
		return ""
	}
	sort.Strings(close)
	return fmt.Sprintf(" (documented: %s)", strings.Join(close, ", "))
}

// TestDashboardCheckCatchesUnknownMetrics proves the check above fails on
// what it must: a misspelt metric, a selector without a name, a query that
// does not parse.
func TestDashboardCheckCatchesUnknownMetrics(t *testing.T) {
	known := knownPrometheusNames(t)
	for _, tc := range []struct {
		expr    string
		unknown string
		err     bool
	}{
		{expr: `sum by (k8s_pod_name) (hw_gpu_utilization_ratio{k8s_namespace_name=~"$namespace"})`},
		{expr: `histogram_quantile(0.9, sum by (le) (rate(gen_ai_server_request_duration_seconds_bucket[$__rate_interval])))`},
		{expr: `label_values(hw_gpu_utilization_ratio, hw_model)`},
		{expr: `label_values(k8s_namespace_name)`},
		{expr: `avg(hw_gpu_utilisation_ratio)`, unknown: "hw_gpu_utilisation_ratio"},
		{expr: `rate(otelcol_prompt_redaction_matches[5m])`},
		{expr: `rate(otelcol_prompt_redaction_matches_total[5m])`, unknown: "otelcol_prompt_redaction_matches_total"},
		{expr: `{__name__=~"hw_.*"}`, err: true},
		{expr: `sum(rate(hw_energy_joules_total[5m])`, err: true},
	} {
		expr, _ := promQL(tc.expr)
		if expr == "" {
			continue
		}
		names, err := metricNames(expr)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v, want error %v", tc.expr, err, tc.err)
			continue
		}
		var unknown string
		for _, n := range names {
			if _, ok := known[n]; !ok {
				unknown = n
			}
		}
		if unknown != tc.unknown {
			t.Errorf("%q: unknown metric %q, want %q", tc.expr, unknown, tc.unknown)
		}
	}
}
