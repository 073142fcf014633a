package promptredactionprocessor

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/metadata"
)

var update = flag.Bool("update", false, "rewrite the golden output files")

// TestGolden runs every testdata/golden/<behaviour>/ case: config.yaml (the
// processor's configuration, default when absent), input.yaml and the
// expected output.yaml, for traces, logs or metrics as the input holds.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "golden"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, d := range dirs {
		dir := filepath.Join("testdata", "golden", d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			cfg := createDefaultConfig()
			if _, err := os.Stat(filepath.Join(dir, "config.yaml")); err == nil {
				cm, err := confmaptest.LoadConf(filepath.Join(dir, "config.yaml"))
				require.NoError(t, err)
				require.NoError(t, cm.Unmarshal(cfg))
			}
			require.NoError(t, cfg.Validate())
			raw, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
			require.NoError(t, err)
			in, out := filepath.Join(dir, "input.yaml"), filepath.Join(dir, "output.yaml")
			f := NewFactory()
			set := processortest.NewNopSettings(metadata.Type)
			ctx := context.Background()
			switch {
			case strings.HasPrefix(string(raw), "resourceSpans"):
				sink := new(consumertest.TracesSink)
				p, err := f.CreateTraces(ctx, set, cfg, sink)
				require.NoError(t, err)
				td, err := golden.ReadTraces(in)
				require.NoError(t, err)
				require.NoError(t, p.ConsumeTraces(ctx, td))
				got := sink.AllTraces()[0]
				if *update {
					require.NoError(t, golden.WriteTraces(t, out, got))
				}
				want, err := golden.ReadTraces(out)
				require.NoError(t, err)
				require.NoError(t, ptracetest.CompareTraces(want, got))
			case strings.HasPrefix(string(raw), "resourceLogs"):
				sink := new(consumertest.LogsSink)
				p, err := f.CreateLogs(ctx, set, cfg, sink)
				require.NoError(t, err)
				ld, err := golden.ReadLogs(in)
				require.NoError(t, err)
				require.NoError(t, p.ConsumeLogs(ctx, ld))
				got := sink.AllLogs()[0]
				if *update {
					require.NoError(t, golden.WriteLogs(t, out, got))
				}
				want, err := golden.ReadLogs(out)
				require.NoError(t, err)
				require.NoError(t, plogtest.CompareLogs(want, got))
			case strings.HasPrefix(string(raw), "resourceMetrics"):
				sink := new(consumertest.MetricsSink)
				p, err := f.CreateMetrics(ctx, set, cfg, sink)
				require.NoError(t, err)
				md, err := golden.ReadMetrics(in)
				require.NoError(t, err)
				require.NoError(t, p.ConsumeMetrics(ctx, md))
				got := sink.AllMetrics()[0]
				if *update {
					require.NoError(t, golden.WriteMetrics(t, out, got))
				}
				want, err := golden.ReadMetrics(out)
				require.NoError(t, err)
				require.NoError(t, pmetrictest.CompareMetrics(want, got))
			default:
				t.Fatalf("%s: input.yaml holds no resourceSpans, resourceLogs or resourceMetrics", dir)
			}
		})
	}
	assert.False(t, *update, "golden files were rewritten: review the diff and run again without -update")
}
