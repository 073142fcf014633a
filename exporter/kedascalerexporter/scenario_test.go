package kedascalerexporter

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
)

// scenarioQuery is one entry of a scenario's queries.yaml: the trigger's
// scalerMetadata, when it is asked (after the first scrape was received),
// and what GetMetrics and IsActive must answer.
type scenarioQuery struct {
	Name     string            `yaml:"name"`
	Metadata map[string]string `yaml:"metadata"`
	After    string            `yaml:"after"`
	Value    *float64          `yaml:"value"`
	Active   *bool             `yaml:"active"`
	Code     string            `yaml:"code"`
	Message  string            `yaml:"message"`
}

var scrapeFile = regexp.MustCompile(`^scrape_(\d+)s\.yaml$`)

// TestScenarios replays each testdata/scenarios/<behaviour>/ folder: its
// scrape_<N>s.yaml files (pmetric, as the prometheus receiver and
// k8s_attributes deliver vLLM metrics) are received N seconds after the
// first, then every query of queries.yaml is asked over gRPC.
func TestScenarios(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "scenarios"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", "scenarios", d.Name())
			r := startScaler(t, nil)
			t0 := r.clock.Now()

			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			type scrape struct {
				at   time.Duration
				path string
			}
			var scrapes []scrape
			for _, e := range entries {
				if m := scrapeFile.FindStringSubmatch(e.Name()); m != nil {
					sec, _ := strconv.Atoi(m[1])
					scrapes = append(scrapes, scrape{time.Duration(sec) * time.Second, filepath.Join(dir, e.Name())})
				}
			}
			require.NotEmpty(t, scrapes)
			sort.Slice(scrapes, func(i, j int) bool { return scrapes[i].at < scrapes[j].at })
			for _, s := range scrapes {
				md, err := golden.ReadMetrics(s.path)
				require.NoError(t, err)
				r.clock.Set(t0.Add(s.at))
				r.send(t, md)
			}

			raw, err := os.ReadFile(filepath.Join(dir, "queries.yaml"))
			require.NoError(t, err)
			var queries []scenarioQuery
			require.NoError(t, yaml.Unmarshal(raw, &queries))
			require.NotEmpty(t, queries)

			ctx := context.Background()
			for _, q := range queries {
				t.Run(q.Name, func(t *testing.T) {
					after := time.Duration(0)
					if q.After != "" {
						after, err = time.ParseDuration(q.After)
						require.NoError(t, err)
					}
					// Queries are asked after every scrape was received.
					require.GreaterOrEqual(t, after, scrapes[len(scrapes)-1].at, "queries.yaml: after must not precede the last scrape")
					r.clock.Set(t0.Add(after))
					so := &externalscaler.ScaledObjectRef{Name: "scenario", Namespace: "test", ScalerMetadata: q.Metadata}

					spec, err := r.client.GetMetricSpec(ctx, so)
					require.NoError(t, err)
					got, err := r.client.GetMetrics(ctx, &externalscaler.GetMetricsRequest{
						ScaledObjectRef: so, MetricName: spec.MetricSpecs[0].MetricName,
					})
					if q.Code != "" {
						require.Error(t, err)
						st := status.Convert(err)
						assert.Equal(t, q.Code, st.Code().String())
						assert.Contains(t, st.Message(), q.Message)
					} else {
						require.NoError(t, err)
						require.NotNil(t, q.Value, "queries.yaml: a query without code needs a value")
						assert.InDelta(t, *q.Value, got.MetricValues[0].MetricValueFloat, 1e-9)
					}

					active, err := r.client.IsActive(ctx, so)
					if status.Code(err) == codes.FailedPrecondition {
						assert.Equal(t, "FailedPrecondition", q.Code)
						return
					}
					require.NoError(t, err)
					if q.Active != nil {
						assert.Equal(t, *q.Active, active.Result)
					}
				})
			}
		})
	}
}
