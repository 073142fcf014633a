package e2e

import (
	"context"
	"net"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	// The collector's OTLP exporter compresses with gzip by default.
	_ "google.golang.org/grpc/encoding/gzip"
)

// Sink is an OTLP/gRPC server inside the test that keeps everything a
// collector exports to it.
type Sink struct {
	Endpoint string
	Traces   *consumertest.TracesSink
	Metrics  *consumertest.MetricsSink
	Logs     *consumertest.LogsSink
}

type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	sink *consumertest.TracesSink
}

func (s *traceService) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), s.sink.ConsumeTraces(ctx, req.Traces())
}

type metricService struct {
	pmetricotlp.UnimplementedGRPCServer
	sink *consumertest.MetricsSink
}

func (s *metricService) Export(ctx context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	return pmetricotlp.NewExportResponse(), s.sink.ConsumeMetrics(ctx, req.Metrics())
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	sink *consumertest.LogsSink
}

func (s *logService) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), s.sink.ConsumeLogs(ctx, req.Logs())
}

// NewSink starts an OTLP/gRPC sink on a free loopback port; it stops when the
// test ends.
func NewSink(tb testing.TB) *Sink {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Sink{
		Endpoint: l.Addr().String(),
		Traces:   new(consumertest.TracesSink),
		Metrics:  new(consumertest.MetricsSink),
		Logs:     new(consumertest.LogsSink),
	}
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, &traceService{sink: s.Traces})
	pmetricotlp.RegisterGRPCServer(srv, &metricService{sink: s.Metrics})
	plogotlp.RegisterGRPCServer(srv, &logService{sink: s.Logs})
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(srv.Stop)
	return s
}

// AllTraces returns a copy of every batch the sink received, merged into one
// ptrace.Traces; the sink keeps its data.
func (s *Sink) AllTraces() ptrace.Traces {
	out := ptrace.NewTraces()
	for _, td := range s.Traces.AllTraces() {
		for i := range td.ResourceSpans().Len() {
			td.ResourceSpans().At(i).CopyTo(out.ResourceSpans().AppendEmpty())
		}
	}
	return out
}

// AllMetrics returns a copy of every batch the sink received, merged into one
// pmetric.Metrics; the sink keeps its data.
func (s *Sink) AllMetrics() pmetric.Metrics {
	out := pmetric.NewMetrics()
	for _, md := range s.Metrics.AllMetrics() {
		for i := range md.ResourceMetrics().Len() {
			md.ResourceMetrics().At(i).CopyTo(out.ResourceMetrics().AppendEmpty())
		}
	}
	return out
}

// AllLogs returns a copy of every batch the sink received, merged into one
// plog.Logs; the sink keeps its data.
func (s *Sink) AllLogs() plog.Logs {
	out := plog.NewLogs()
	for _, ld := range s.Logs.AllLogs() {
		for i := range ld.ResourceLogs().Len() {
			ld.ResourceLogs().At(i).CopyTo(out.ResourceLogs().AppendEmpty())
		}
	}
	return out
}

// Sender sends OTLP/gRPC to a collector.
type Sender struct {
	conn    *grpc.ClientConn
	traces  ptraceotlp.GRPCClient
	metrics pmetricotlp.GRPCClient
	logs    plogotlp.GRPCClient
}

// NewSender connects to an OTLP/gRPC endpoint (host:port).
func NewSender(tb testing.TB, endpoint string) *Sender {
	tb.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return &Sender{
		conn:    conn,
		traces:  ptraceotlp.NewGRPCClient(conn),
		metrics: pmetricotlp.NewGRPCClient(conn),
		logs:    plogotlp.NewGRPCClient(conn),
	}
}

func sendCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// SendTraces exports td, failing the test on error.
func (s *Sender) SendTraces(tb testing.TB, td ptrace.Traces) {
	tb.Helper()
	ctx, cancel := sendCtx()
	defer cancel()
	if _, err := s.traces.Export(ctx, ptraceotlp.NewExportRequestFromTraces(td), grpc.WaitForReady(true)); err != nil {
		tb.Fatalf("send traces: %v", err)
	}
}

// SendMetrics exports md, failing the test on error.
func (s *Sender) SendMetrics(tb testing.TB, md pmetric.Metrics) {
	tb.Helper()
	ctx, cancel := sendCtx()
	defer cancel()
	if _, err := s.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md), grpc.WaitForReady(true)); err != nil {
		tb.Fatalf("send metrics: %v", err)
	}
}

// SendLogs exports ld, failing the test on error.
func (s *Sender) SendLogs(tb testing.TB, ld plog.Logs) {
	tb.Helper()
	ctx, cancel := sendCtx()
	defer cancel()
	if _, err := s.logs.Export(ctx, plogotlp.NewExportRequestFromLogs(ld), grpc.WaitForReady(true)); err != nil {
		tb.Fatalf("send logs: %v", err)
	}
}
