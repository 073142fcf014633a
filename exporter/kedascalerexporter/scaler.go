package kedascalerexporter // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"

import (
	"context"
	"errors"
	"math"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/query"
)

// scalerService answers KEDA's externalscaler.ExternalScaler calls.
type scalerService struct {
	externalscaler.UnimplementedExternalScalerServer
	e *scalerExporter
}

const (
	outcomeOK                 = "ok"
	outcomeFallback           = "fallback"
	outcomeNoData             = "no_data"
	outcomeInvalidArgument    = "invalid_argument"
	outcomeFailedPrecondition = "failed_precondition"
)

func (s *scalerService) count(ctx context.Context, method, outcome string) {
	s.e.telemetry.KedaScalerRequests.Add(ctx, 1, metric.WithAttributes(
		attribute.String("method", method), attribute.String("outcome", outcome)))
}

// parse reads the ScaledObject's scalerMetadata; a bad one is InvalidArgument
// naming the keys.
func (s *scalerService) parse(ref *externalscaler.ScaledObjectRef) (*query.Query, error) {
	if ref == nil {
		return nil, status.Error(codes.InvalidArgument, "scaledObjectRef is missing")
	}
	q, err := query.Parse(ref.GetScalerMetadata(), s.e.defaults)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "ScaledObject %s/%s: %v", ref.GetNamespace(), ref.GetName(), err)
	}
	return q, nil
}

// evaluation is one query's answer, or the gRPC error and outcome label for it.
type evaluation struct {
	value   float64
	active  bool
	outcome string
	noData  error // set for the no_data and fallback outcomes
	err     error // a gRPC status error for the FailedPrecondition case
}

func (s *scalerService) evaluate(q *query.Query, ref *externalscaler.ScaledObjectRef) evaluation {
	r, err := q.Evaluate(s.e.store, s.e.now())
	var kindErr *query.KindError
	var noData *query.NoDataError
	switch {
	case errors.As(err, &kindErr):
		return evaluation{outcome: outcomeFailedPrecondition,
			err: status.Errorf(codes.FailedPrecondition, "ScaledObject %s/%s: %v", ref.GetNamespace(), ref.GetName(), err)}
	case errors.As(err, &noData):
		return evaluation{outcome: outcomeNoData, noData: err}
	case err != nil:
		return evaluation{outcome: "error", err: status.Error(codes.Internal, err.Error())}
	case r.Fallback:
		return evaluation{value: r.Value, active: q.Active(r.Value), outcome: outcomeFallback, noData: r.NoData}
	}
	return evaluation{value: r.Value, active: q.Active(r.Value), outcome: outcomeOK}
}

func (s *scalerService) logNoData(method string, ref *externalscaler.ScaledObjectRef, ev evaluation) {
	if ev.noData != nil {
		s.e.logger.Debug("no fresh data for a scaler query", zap.String("method", method),
			zap.String("scaled_object", ref.GetNamespace()+"/"+ref.GetName()),
			zap.Bool("fallback", ev.outcome == outcomeFallback), zap.Error(ev.noData))
	}
}

// IsActive: the value is above activationThreshold. Without fresh data the
// scaler is inactive, unless a fallbackValue answers for it.
func (s *scalerService) IsActive(ctx context.Context, ref *externalscaler.ScaledObjectRef) (*externalscaler.IsActiveResponse, error) {
	const method = "IsActive"
	q, err := s.parse(ref)
	if err != nil {
		s.count(ctx, method, outcomeInvalidArgument)
		return nil, err
	}
	ev := s.evaluate(q, ref)
	s.count(ctx, method, ev.outcome)
	s.logNoData(method, ref, ev)
	if ev.err != nil {
		return nil, ev.err
	}
	return &externalscaler.IsActiveResponse{Result: ev.active}, nil
}

// StreamIsActive sends the activity at once, then whenever it changes; it
// re-evaluates every stream_interval until KEDA or the collector ends it.
func (s *scalerService) StreamIsActive(ref *externalscaler.ScaledObjectRef, stream grpc.ServerStreamingServer[externalscaler.IsActiveResponse]) error {
	const method = "StreamIsActive"
	ctx := stream.Context()
	q, err := s.parse(ref)
	if err != nil {
		s.count(ctx, method, outcomeInvalidArgument)
		return err
	}
	t := time.NewTicker(s.e.cfg.StreamInterval)
	defer t.Stop()
	first, last := true, false
	for {
		ev := s.evaluate(q, ref)
		if ev.err != nil {
			s.count(ctx, method, ev.outcome)
			return ev.err
		}
		if first || ev.active != last {
			s.count(ctx, method, ev.outcome)
			s.logNoData(method, ref, ev)
			if err := stream.Send(&externalscaler.IsActiveResponse{Result: ev.active}); err != nil {
				return err
			}
			first, last = false, ev.active
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.e.stopping:
			return status.Error(codes.Unavailable, "the collector is shutting down")
		case <-t.C:
		}
	}
}

func (s *scalerService) metricSpec(q *query.Query) *externalscaler.GetMetricSpecResponse {
	return &externalscaler.GetMetricSpecResponse{MetricSpecs: []*externalscaler.MetricSpec{{
		MetricName:      q.ScalerMetricName(),
		TargetSize:      roundToInt64(q.Target),
		TargetSizeFloat: q.Target,
	}}}
}

// GetMetricSpec: the metric's name for KEDA and the per-replica target.
func (s *scalerService) GetMetricSpec(ctx context.Context, ref *externalscaler.ScaledObjectRef) (*externalscaler.GetMetricSpecResponse, error) {
	const method = "GetMetricSpec"
	q, err := s.parse(ref)
	if err != nil {
		s.count(ctx, method, outcomeInvalidArgument)
		return nil, err
	}
	s.count(ctx, method, outcomeOK)
	return s.metricSpec(q), nil
}

// StreamMetricSpec sends the spec once: it changes only with the
// ScaledObject, and KEDA reopens the stream then.
func (s *scalerService) StreamMetricSpec(ref *externalscaler.ScaledObjectRef, stream grpc.ServerStreamingServer[externalscaler.GetMetricSpecResponse]) error {
	const method = "StreamMetricSpec"
	ctx := stream.Context()
	q, err := s.parse(ref)
	if err != nil {
		s.count(ctx, method, outcomeInvalidArgument)
		return err
	}
	s.count(ctx, method, outcomeOK)
	if err := stream.Send(s.metricSpec(q)); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return nil
	case <-s.e.stopping:
		return status.Error(codes.Unavailable, "the collector is shutting down")
	}
}

// GetMetrics: the aggregated value. Without fresh data it is the fallbackValue
// or an UNAVAILABLE error (KEDA then applies the ScaledObject's own fallback),
// never a zero.
func (s *scalerService) GetMetrics(ctx context.Context, req *externalscaler.GetMetricsRequest) (*externalscaler.GetMetricsResponse, error) {
	const method = "GetMetrics"
	ref := req.GetScaledObjectRef()
	q, err := s.parse(ref)
	if err != nil {
		s.count(ctx, method, outcomeInvalidArgument)
		return nil, err
	}
	name := q.ScalerMetricName()
	if req.GetMetricName() != "" && req.GetMetricName() != name {
		s.count(ctx, method, outcomeInvalidArgument)
		return nil, status.Errorf(codes.InvalidArgument, "ScaledObject %s/%s: metricName %q is not this trigger's metric (GetMetricSpec names it %q)",
			ref.GetNamespace(), ref.GetName(), req.GetMetricName(), name)
	}
	ev := s.evaluate(q, ref)
	s.count(ctx, method, ev.outcome)
	s.logNoData(method, ref, ev)
	if ev.err != nil {
		return nil, ev.err
	}
	if ev.outcome == outcomeNoData {
		return nil, status.Errorf(codes.Unavailable, "ScaledObject %s/%s: %v", ref.GetNamespace(), ref.GetName(), ev.noData)
	}
	return &externalscaler.GetMetricsResponse{MetricValues: []*externalscaler.MetricValue{{
		MetricName:       name,
		MetricValue:      roundToInt64(ev.value),
		MetricValueFloat: ev.value,
	}}}, nil
}

// roundToInt64 fills KEDA's deprecated integer fields.
func roundToInt64(f float64) int64 {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Round(f))
}
