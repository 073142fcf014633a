package tokencostprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// NewFactory returns the token_cost processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

// Attributes are added, never removed: the data is changed in place.
var mutates = processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p, err := newRequestPricer(cfg.(*Config), set.TelemetrySettings, tb, "traces")
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces, mutates,
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(func(ctx context.Context) error {
			defer tb.Shutdown()
			return p.shutdown(ctx)
		}))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p, err := newRequestPricer(cfg.(*Config), set.TelemetrySettings, tb, "logs")
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs, mutates,
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(func(ctx context.Context) error {
			defer tb.Shutdown()
			return p.shutdown(ctx)
		}))
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	instanceID := ""
	if v, ok := set.Resource.Attributes().Get("service.instance.id"); ok {
		instanceID = v.AsString()
	}
	g := newGPUPricer(cfg.(*Config), set.TelemetrySettings, set.BuildInfo, instanceID, tb, next)
	return processorhelper.NewMetrics(ctx, set, cfg, next, g.processMetrics,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		processorhelper.WithStart(g.start),
		processorhelper.WithShutdown(func(ctx context.Context) error {
			defer tb.Shutdown()
			return g.shutdown(ctx)
		}))
}
