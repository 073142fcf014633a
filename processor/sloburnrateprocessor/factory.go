package sloburnrateprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
)

// NewFactory returns the factory of the slo_burn_rate processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Windows:            defaultWindows(),
		EvaluationInterval: time.Minute,
		BucketsPerWindow:   60,
		MaxSeries:          10000,
		CheckpointInterval: time.Minute,
	}
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, errors.New("slo_burn_rate: unexpected configuration type")
	}
	p, err := newProcessor(set, c)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown),
	)
}
