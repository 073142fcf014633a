package inferencelogreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver"

import (
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func noopMeterProvider() metricnoop.MeterProvider { return metricnoop.NewMeterProvider() }

func noopTracerProvider() tracenoop.TracerProvider { return tracenoop.NewTracerProvider() }
