// Command dcgm-fixture-server serves a dcgm-exporter page over HTTP, as
// dcgm-exporter does on :9400/metrics, so that the dcgm receiver can be tried
// without a GPU. The local demo (scripts/run-demo.sh) runs it.
//
//	dcgm-fixture-server --addr 127.0.0.1:9400 [--file page.prom]
//
// Without --file it serves an embedded page: an 8-GPU H100 node with MIG on
// two GPUs, on Kubernetes (values are made up). With --file the file is read
// at every request, so edits show at the next scrape.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

//go:embed h100-8gpu-mig-k8s.prom
var defaultPage []byte

func main() {
	addr := flag.String("addr", "127.0.0.1:9400", "listen address")
	file := flag.String("file", "", "page to serve instead of the embedded H100 node")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("dcgm-fixture-server: %v", err)
	}
	srv := &http.Server{Handler: handler(*file), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		_ = srv.Close()
	}()
	fmt.Printf("dcgm-fixture-server: serving http://%s/metrics\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("dcgm-fixture-server: %v", err)
	}
}

// handler serves the page on /metrics and 404 elsewhere.
func handler(file string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		page := defaultPage
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			page = b
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(page)
	})
	return mux
}
