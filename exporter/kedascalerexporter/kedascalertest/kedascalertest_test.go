package kedascalertest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadata"
)

func TestDialReachesTheExporter(t *testing.T) {
	l := freeEndpoint(t)
	f := kedascalerexporter.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(t, setEndpoint(cfg, l))
	exp, err := f.CreateMetrics(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	client, conn, err := Dial(l)
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	spec, err := client.GetMetricSpec(ctx, &ScaledObjectRef{ScalerMetadata: map[string]string{"metricName": "queue", "targetValue": "3"}})
	require.NoError(t, err)
	assert.Equal(t, "queue", spec.MetricSpecs[0].MetricName)
	assert.Equal(t, 3.0, spec.MetricSpecs[0].TargetSizeFloat)
}
