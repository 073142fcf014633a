// Command demo-summary is the local demo's backend: an OTLP/gRPC endpoint that
// keeps what the collector exports and prints, every few seconds, what a
// newcomer wants to see — values redacted (and that no demo secret got
// through), cost per model and per 1K tokens, retrieval scores, SLO burn rates
// and budgets, GPUs and inference engines.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // the collector's OTLP exporter compresses

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Summary
}

func (t traceService) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	t.s.AddTraces(req.Traces())
	return ptraceotlp.NewExportResponse(), nil
}

type metricService struct {
	pmetricotlp.UnimplementedGRPCServer
	s *Summary
}

func (m metricService) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	m.s.AddMetrics(req.Metrics())
	return pmetricotlp.NewExportResponse(), nil
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	s *Summary
}

func (l logService) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	l.s.AddLogs(req.Logs())
	return plogotlp.NewExportResponse(), nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:4319", "OTLP/gRPC address to receive the collector's output on")
	every := flag.Duration("every", 10*time.Second, "how often to print the summary")
	flag.Parse()

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("demo-summary: %v", err)
	}
	s := NewSummary(genaidata.PersonalData())
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, &traceService{s: s})
	pmetricotlp.RegisterGRPCServer(srv, &metricService{s: s})
	plogotlp.RegisterGRPCServer(srv, &logService{s: s})
	go func() { _ = srv.Serve(l) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	ticker := time.NewTicker(*every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			srv.GracefulStop()
			report(s, start, "final")
			return
		case <-ticker.C:
			report(s, start, "")
		}
	}
}

func report(s *Summary, start time.Time, label string) {
	fmt.Printf("\n== otelcol-ai demo, %s %s ===========================================\n", time.Since(start).Round(time.Second), label)
	s.Render(os.Stdout)
}
