package kedascalerexporter // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadata"
)

// NewFactory returns the factory of the keda_scaler exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	e, err := newScalerExporter(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	// No queue and no retry: storing a point in memory cannot fail for a
	// reason that a retry would fix.
	return exporterhelper.NewMetrics(ctx, set, cfg, e.consume,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	)
}
