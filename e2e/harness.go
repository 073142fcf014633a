// Package e2e runs the built otelcol-ai binary against real configs on loopback
// ports. The harness (this file and sink.go) is shared by every end-to-end test;
// the tests themselves carry the `e2e` build tag so that `go test ./...` does not
// need the binary, and `make test` runs them after `make build`.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// BinaryEnv names the environment variable that points the harness at a
// collector binary other than bin/otelcol-ai.
const BinaryEnv = "OTELCOL_AI_BIN"

// RepoRoot returns the repository root, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// Binary returns the collector binary the tests run, failing the test with the
// command that builds it when it is missing.
func Binary(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		bin = filepath.Join(RepoRoot(), "bin", "otelcol-ai")
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("collector binary %s not found (run `make build`, or set %s): %v", bin, BinaryEnv, err)
	}
	return bin
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Ports hands out one free loopback port per name, the same port for the same
// name, so a config template and the test agree on where things listen.
type Ports struct {
	tb    testing.TB
	mu    sync.Mutex
	ports map[string]int
}

// NewPorts returns an empty port registry.
func NewPorts(tb testing.TB) *Ports { return &Ports{tb: tb, ports: map[string]int{}} }

// Get returns the port for name, allocating it on first use.
func (p *Ports) Get(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if port, ok := p.ports[name]; ok {
		return port
	}
	port := FreePort(p.tb)
	p.ports[name] = port
	return port
}

// Endpoint returns "127.0.0.1:<port>" for name.
func (p *Ports) Endpoint(name string) string { return fmt.Sprintf("127.0.0.1:%d", p.Get(name)) }

// RenderConfig expands a collector config template. Templates may use
// {{ port "name" }} and {{ endpoint "name" }} (allocated through ports),
// {{ repo }} (the repository root), {{ tmp }} (a per-test temporary directory)
// and any key of vars as {{ .key }}.
func RenderConfig(tb testing.TB, ports *Ports, tmpl string, vars map[string]any) string {
	tb.Helper()
	tmp := tb.TempDir()
	t, err := template.New("config").Option("missingkey=error").Funcs(template.FuncMap{
		"port":     ports.Get,
		"endpoint": ports.Endpoint,
		"repo":     RepoRoot,
		"tmp":      func() string { return tmp },
	}).Parse(tmpl)
	if err != nil {
		tb.Fatalf("config template: %v", err)
	}
	if vars == nil {
		vars = map[string]any{}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, vars); err != nil {
		tb.Fatalf("config template: %v", err)
	}
	return buf.String()
}

// StartGatewayExample starts examples/gateway/config.yaml as shipped, with
// every 0.0.0.0 listener moved to a free loopback port (4317 → "otlp",
// 13133 → "health", others → "example-<port>") and BACKEND_ENDPOINT pointed at
// sink. args are extra command-line arguments (--set=...).
func StartGatewayExample(tb testing.TB, ports *Ports, sink *Sink, args ...string) *Collector {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "gateway", "config.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	names := map[string]string{"4317": "otlp", "13133": "health"}
	cfg := anyAddress.ReplaceAllStringFunc(string(raw), func(m string) string {
		port := strings.TrimPrefix(m, "0.0.0.0:")
		if name, ok := names[port]; ok {
			return ports.Endpoint(name)
		}
		return ports.Endpoint("example-" + port)
	})
	return StartCollector(tb, cfg, Options{
		HealthEndpoint: ports.Endpoint("health"),
		Env:            []string{"BACKEND_ENDPOINT=" + sink.Endpoint},
		Args:           args,
	})
}

var anyAddress = regexp.MustCompile(`0\.0\.0\.0:([0-9]+)`)

// syncBuffer collects the collector's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Collector is one running otelcol-ai process.
type Collector struct {
	tb         testing.TB
	cmd        *exec.Cmd
	output     *syncBuffer
	done       chan struct{}
	waitErr    error
	ConfigPath string
	stopOnce   sync.Once
}

// Options change how a collector is started.
type Options struct {
	// Env is added to the process environment (KEY=value).
	Env []string
	// HealthEndpoint, when set, is polled until it answers 200 before Start
	// returns (the health_check extension's endpoint, host:port).
	HealthEndpoint string
	// StartTimeout bounds the wait for the health endpoint (default 60s).
	StartTimeout time.Duration
	// Args are extra command-line arguments (e.g. --feature-gates).
	Args []string
	// BaseConfig, when set, is a config the main one is merged over (the
	// collector merges its --config files in order).
	BaseConfig string
}

// sharedConfig is what most end-to-end configs have in common: the in-test
// sink as exporter otlp_grpc, health_check on port "health" and the
// collector's own metrics (detailed) on port "telemetry" for SelfMetrics. A
// test's config adds its receivers, processors and pipelines, and may
// override any of these.
const sharedConfig = `
{{- if .sink }}
exporters:
  otlp_grpc:
    endpoint: {{ .sink }}
    tls:
      insecure: true
{{- end }}
extensions:
  health_check:
    endpoint: {{ endpoint "health" }}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{ port "telemetry" }}
`

// StartWithSink renders tmpl (see RenderConfig; vars gains "sink", the sink's
// endpoint), merges it over the shared config (the sink as exporter
// otlp_grpc unless sink is nil, health_check, self-telemetry) and starts the
// collector, waiting until it is healthy.
func StartWithSink(tb testing.TB, ports *Ports, sink *Sink, tmpl string, vars map[string]any) *Collector {
	tb.Helper()
	all := map[string]any{"sink": ""}
	if sink != nil {
		all["sink"] = sink.Endpoint
	}
	for k, v := range vars {
		all[k] = v
	}
	return StartCollector(tb, RenderConfig(tb, ports, tmpl, all), Options{
		BaseConfig:     RenderConfig(tb, ports, sharedConfig, all),
		HealthEndpoint: ports.Endpoint("health"),
	})
}

// StartCollector writes config to a temporary file, starts the binary with it
// and, when opts.HealthEndpoint is set, waits until the collector is healthy.
// The process is stopped (SIGTERM) when the test ends; a non-zero exit then
// fails the test.
func StartCollector(tb testing.TB, config string, opts Options) *Collector {
	tb.Helper()
	c := launch(tb, config, opts)
	tb.Cleanup(func() { c.Stop() })
	if opts.HealthEndpoint != "" {
		timeout := opts.StartTimeout
		if timeout == 0 {
			timeout = 60 * time.Second
		}
		if err := c.waitHealthy(opts.HealthEndpoint, timeout); err != nil {
			tb.Fatalf("collector did not become healthy: %v\n--- collector output ---\n%s", err, c.Output())
		}
	}
	return c
}

func launch(tb testing.TB, config string, opts Options) *Collector {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	args := []string{"--config", path}
	if opts.BaseConfig != "" {
		base := filepath.Join(dir, "base.yaml")
		if err := os.WriteFile(base, []byte(opts.BaseConfig), 0o600); err != nil {
			tb.Fatal(err)
		}
		args = []string{"--config", base, "--config", path}
	}
	args = append(args, opts.Args...)
	cmd := exec.Command(Binary(tb), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), opts.Env...)
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start collector: %v", err)
	}
	c := &Collector{tb: tb, cmd: cmd, output: out, done: make(chan struct{}), ConfigPath: path}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	return c
}

// RunToExit starts the collector with config and waits for it to exit on its
// own (an invalid config, say). It returns the combined output and exit code;
// a collector still running after timeout fails the test.
func RunToExit(tb testing.TB, config string, timeout time.Duration) (string, int) {
	tb.Helper()
	c := launch(tb, config, Options{})
	select {
	case <-c.done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		tb.Fatalf("collector still running after %s; output:\n%s", timeout, c.Output())
	}
	code := 0
	var exitErr *exec.ExitError
	if errors.As(c.waitErr, &exitErr) {
		code = exitErr.ExitCode()
	} else if c.waitErr != nil {
		tb.Fatalf("collector: %v", c.waitErr)
	}
	return c.Output(), code
}

// Output returns everything the collector has printed so far.
func (c *Collector) Output() string { return c.output.String() }

// Exited reports whether the process has ended.
func (c *Collector) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *Collector) waitHealthy(endpoint string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	url := "http://" + endpoint + "/"
	for time.Now().Before(deadline) {
		if c.Exited() {
			return fmt.Errorf("collector exited: %v", c.waitErr)
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy after %s", url, timeout)
}

// Stop sends SIGTERM and waits for a clean exit; a crash or a non-zero exit
// fails the test with the collector's output.
func (c *Collector) Stop() {
	c.stopOnce.Do(func() {
		if !c.Exited() {
			_ = c.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
			c.tb.Errorf("collector did not stop within 30s of SIGTERM; output:\n%s", c.Output())
			return
		}
		if c.waitErr != nil {
			c.tb.Errorf("collector exited with %v; output:\n%s", c.waitErr, c.Output())
		}
		if strings.Contains(c.Output(), "panic:") {
			c.tb.Errorf("collector panicked; output:\n%s", c.Output())
		}
	})
}

// SelfMetrics scrapes the collector's own Prometheus telemetry endpoint
// (service.telemetry.metrics with a pull reader on endpoint) and returns the
// page.
func SelfMetrics(tb testing.TB, endpoint string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+endpoint+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("scrape collector telemetry: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return buf.String()
}
