// Package kedascalerexporter serves KEDA's external scaler gRPC protocol from
// the metrics the collector receives, so that Kubernetes workloads can be
// autoscaled on queue depth, tokens per second or KV-cache use.
package kedascalerexporter // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"
