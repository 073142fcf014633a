// Package kedascalertest gives tests and tools outside this module's
// exporter package a client of the keda_scaler exporter's gRPC service:
// KEDA's externalscaler.ExternalScaler, with the message types KEDA uses.
package kedascalertest // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/kedascalertest"

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
)

// The generated types of KEDA's external scaler protocol.
type (
	Client                = externalscaler.ExternalScalerClient
	ScaledObjectRef       = externalscaler.ScaledObjectRef
	IsActiveResponse      = externalscaler.IsActiveResponse
	GetMetricSpecResponse = externalscaler.GetMetricSpecResponse
	MetricSpec            = externalscaler.MetricSpec
	GetMetricsRequest     = externalscaler.GetMetricsRequest
	GetMetricsResponse    = externalscaler.GetMetricsResponse
	MetricValue           = externalscaler.MetricValue
)

// NewClient returns a client of the service on cc.
func NewClient(cc grpc.ClientConnInterface) Client { return externalscaler.NewExternalScalerClient(cc) }

// Dial connects to an exporter listening without TLS at endpoint
// (host:port), as KEDA does for a ScaledObject without enableTLS. The
// connection is made lazily, on the first call.
func Dial(endpoint string) (Client, *grpc.ClientConn, error) {
	conn, err := grpc.NewClient("passthrough:///"+endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	return NewClient(conn), conn, nil
}
