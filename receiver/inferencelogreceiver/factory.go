package inferencelogreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
)

// NewFactory returns the inference_log receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		StartAt:            "end",
		PollInterval:       200 * time.Millisecond,
		FingerprintSize:    1000,
		MaxLogSize:         1024 * 1024,
		MaxConcurrentFiles: 1024,
		Encoding:           "utf-8",
		OnTruncate:         "ignore",
		IncludeFileName:    true,
		Format:             "auto",
		Container:          "auto",
		Timezone:           "UTC",
		Multiline: MultilineConfig{
			MaxLines:     1000,
			FlushTimeout: 500 * time.Millisecond,
		},
		Metrics: defaultMetricsConfig(),
	}
}

// A pipeline for logs and one for metrics with the same receiver share one
// instance, so each file is read once.
var (
	sharedMu sync.Mutex
	shared   = map[*Config]*inferenceLogReceiver{}
)

func getOrCreate(set receiver.Settings, cfg *Config) (*inferenceLogReceiver, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if r, ok := shared[cfg]; ok {
		return r, nil
	}
	r, err := newReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	r.onShutdown = func() {
		sharedMu.Lock()
		defer sharedMu.Unlock()
		if shared[cfg] == r {
			delete(shared, cfg)
		}
	}
	shared[cfg] = r
	return r, nil
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := getOrCreate(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setLogs(next)
	return r, nil
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r, err := getOrCreate(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setMetrics(next)
	return r, nil
}
