package externalscaler

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The field numbers of KEDA's externalscaler.proto (v2.21.0), written out by
// hand: these bytes are what KEDA sends and expects, whatever the .proto in
// this directory says.

func msg(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

func str(num protowire.Number, s string) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func sub(num protowire.Number, m []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

func TestRequestsDecodeFromKEDAsFieldNumbers(t *testing.T) {
	ref := msg(
		str(1, "vllm-llama"), // ScaledObjectRef.name
		str(2, "inference"),  // ScaledObjectRef.namespace
		sub(3, msg(str(1, "metricName"), str(2, "vllm:num_requests_waiting"))), // scalerMetadata entry
		sub(3, msg(str(1, "targetValue"), str(2, "5"))),
	)
	wire := msg(sub(1, ref), str(2, "s0-vllm-num-requests-waiting")) // GetMetricsRequest

	var req GetMetricsRequest
	require.NoError(t, proto.Unmarshal(wire, &req))
	assert.Equal(t, "s0-vllm-num-requests-waiting", req.GetMetricName())
	assert.Equal(t, "vllm-llama", req.GetScaledObjectRef().GetName())
	assert.Equal(t, "inference", req.GetScaledObjectRef().GetNamespace())
	assert.Equal(t, map[string]string{"metricName": "vllm:num_requests_waiting", "targetValue": "5"}, req.GetScaledObjectRef().GetScalerMetadata())
}

func TestResponsesEncodeToKEDAsFieldNumbers(t *testing.T) {
	det := proto.MarshalOptions{Deterministic: true}

	value := msg(
		str(1, "vllm-num-requests-waiting"),                                                                 // MetricValue.metricName
		protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 12),                       // metricValue
		protowire.AppendFixed64(protowire.AppendTag(nil, 3, protowire.Fixed64Type), math.Float64bits(11.5)), // metricValueFloat
	)
	got, err := det.Marshal(&GetMetricsResponse{MetricValues: []*MetricValue{{MetricName: "vllm-num-requests-waiting", MetricValue: 12, MetricValueFloat: 11.5}}})
	require.NoError(t, err)
	assert.Equal(t, msg(sub(1, value)), got)

	spec := msg(
		str(1, "vllm-num-requests-waiting"),                                                                // MetricSpec.metricName
		protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 5),                       // targetSize
		protowire.AppendFixed64(protowire.AppendTag(nil, 3, protowire.Fixed64Type), math.Float64bits(4.5)), // targetSizeFloat
	)
	got, err = det.Marshal(&GetMetricSpecResponse{MetricSpecs: []*MetricSpec{{MetricName: "vllm-num-requests-waiting", TargetSize: 5, TargetSizeFloat: 4.5}}})
	require.NoError(t, err)
	assert.Equal(t, msg(sub(1, spec)), got)

	got, err = det.Marshal(&IsActiveResponse{Result: true})
	require.NoError(t, err)
	assert.Equal(t, protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 1), got)
}

func TestServiceMethodsAreKEDAs(t *testing.T) {
	assert.Equal(t, "externalscaler.ExternalScaler", ExternalScaler_ServiceDesc.ServiceName)
	assert.Equal(t, "/externalscaler.ExternalScaler/IsActive", ExternalScaler_IsActive_FullMethodName)
	assert.Equal(t, "/externalscaler.ExternalScaler/StreamIsActive", ExternalScaler_StreamIsActive_FullMethodName)
	assert.Equal(t, "/externalscaler.ExternalScaler/GetMetricSpec", ExternalScaler_GetMetricSpec_FullMethodName)
	assert.Equal(t, "/externalscaler.ExternalScaler/GetMetrics", ExternalScaler_GetMetrics_FullMethodName)
}
