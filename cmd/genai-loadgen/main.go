// Command genai-loadgen sends realistic GenAI telemetry over OTLP/gRPC: chat and
// RAG traces in the shapes instrumentations emit (current semantic conventions,
// the older gen_ai.prompt/usage forms, OpenInference), with personal data in
// prompts, token usage for several models, retrieval spans with their answers,
// latency histograms and logs. The local demo and the end-to-end tests use it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint (host:port)")
	interval := flag.Duration("interval", 2*time.Second, "time between batches")
	duration := flag.Duration("duration", 0, "stop after this long (0: run until interrupted)")
	batches := flag.Int("batches", 0, "stop after this many batches (0: no limit)")
	seed := flag.Int64("seed", 1, "random seed: the same seed sends the same data")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}

	conn, err := grpc.NewClient(*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("genai-loadgen: %v", err)
	}
	defer conn.Close()
	traces := ptraceotlp.NewGRPCClient(conn)
	metrics := pmetricotlp.NewGRPCClient(conn)
	logs := plogotlp.NewGRPCClient(conn)

	gen := genaidata.NewGenerator(*seed)
	ticker := time.NewTicker(*interval)
	defer ticker.Stop()
	for n := 1; ; n++ {
		b := gen.Batch(time.Now())
		sendCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, errT := traces.Export(sendCtx, ptraceotlp.NewExportRequestFromTraces(b.Traces), grpc.WaitForReady(true))
		_, errM := metrics.Export(sendCtx, pmetricotlp.NewExportRequestFromMetrics(b.Metrics), grpc.WaitForReady(true))
		_, errL := logs.Export(sendCtx, plogotlp.NewExportRequestFromLogs(b.Logs), grpc.WaitForReady(true))
		cancel()
		if ctx.Err() != nil {
			return
		}
		for _, err := range []error{errT, errM, errL} {
			if err != nil {
				log.Printf("genai-loadgen: send: %v", err)
			}
		}
		fmt.Fprintf(os.Stderr, "genai-loadgen: batch %d sent: %d spans, %d metric points, %d log records\n",
			n, b.Traces.SpanCount(), b.Metrics.DataPointCount(), b.Logs.LogRecordCount())
		if *batches > 0 && n >= *batches {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
