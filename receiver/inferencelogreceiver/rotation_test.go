package inferencelogreceiver

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
)

// The rotation and restart tests write numbered vLLM lines and count, at
// the sink, how often each number arrived: every one exactly once.

var testID = component.NewIDWithName(metadata.Type, "rotation")

var lineNumber = regexp.MustCompile(`\] line (\d{6}) `)

// seenLines counts the numbered lines the receiver emitted.
type seenLines struct {
	mu     sync.Mutex
	counts map[int]int
	total  int
}

func newSeen() *seenLines { return &seenLines{counts: map[int]int{}} }

func (s *seenLines) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				for _, m := range lineNumber.FindAllStringSubmatch(lrs.At(k).Body().Str(), -1) {
					n, _ := strconv.Atoi(m[1])
					s.counts[n]++
					s.total++
				}
			}
		}
	}
	return nil
}

func (s *seenLines) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *seenLines) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// check: every number below n exactly once, nothing else.
func (s *seenLines) check(t *testing.T, n int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	lost, dup := 0, 0
	for i := 0; i < n; i++ {
		switch c := s.counts[i]; {
		case c == 0:
			lost++
		case c > 1:
			dup += c - 1
		}
	}
	assert.Zero(t, lost, "lines lost")
	assert.Zero(t, dup, "lines repeated")
	assert.Equal(t, n, s.total, "lines emitted")
}

// writeLines appends lines [from, to) to w.
func writeLines(t *testing.T, w io.Writer, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		_, err := fmt.Fprintf(w, "INFO 08-14 16:%02d:%02d [app.py:7] line %06d of the rotation test, padded to look like a real log line\n", (i/60)%60, i%60, i)
		require.NoError(t, err)
	}
}

func appendTo(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	writeLines(t, f, from, to)
	require.NoError(t, f.Close())
}

type hostWithExtensions struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h hostWithExtensions) GetExtensions() map[component.ID]component.Component { return h.ext }

// startFileStorage starts a real file_storage extension on dir.
func startFileStorage(t *testing.T, dir string) (component.Host, extension.Extension) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	host := hostWithExtensions{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{component.NewID(f.Type()): ext}}
	require.NoError(t, ext.Start(context.Background(), host))
	return host, ext
}

func rotationConfig(include ...string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Include = include
	cfg.StartAt = "beginning"
	cfg.PollInterval = 20 * time.Millisecond
	cfg.Multiline.FlushTimeout = 50 * time.Millisecond
	return cfg
}

// startLogsReceiver starts a receiver with the component ID id: a restart
// finds its checkpoints under the same ID.
func startLogsReceiver(t *testing.T, id component.ID, cfg *Config, host component.Host, sink consumer.Logs) *inferenceLogReceiver {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = id
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, lr.Start(context.Background(), host))
	return lr.(*inferenceLogReceiver)
}

func waitFor(t *testing.T, seen *seenLines, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return seen.count() >= n }, 20*time.Second, 10*time.Millisecond, "got %d of %d lines", seen.count(), n)
}

func TestRenameRotationLosesAndRepeatsNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	seen := newSeen()
	r := startLogsReceiver(t, testID, rotationConfig(path), componenttest.NewNopHost(), seen)

	appendTo(t, path, 0, 1000)
	waitFor(t, seen, 1000)
	// The server writes more, then the file is renamed away (no longer
	// matched by include) and a new one started: the tail of the old file
	// is still read.
	appendTo(t, path, 1000, 1500)
	require.NoError(t, os.Rename(path, path+".1"))
	appendTo(t, path, 1500, 2500)
	waitFor(t, seen, 2500)
	require.NoError(t, r.Shutdown(context.Background()))
	seen.check(t, 2500)
}

func TestCopyTruncateRotationLosesAndRepeatsNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	seen := newSeen()
	cfg := rotationConfig(path, path+".1")
	r := startLogsReceiver(t, testID, cfg, componenttest.NewNopHost(), seen)

	appendTo(t, path, 0, 1000)
	waitFor(t, seen, 1000)
	// Lines written just before the copy are only in the copy once the
	// original is truncated: they are read from there, the rest not again.
	appendTo(t, path, 1000, 1400)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path+".1", data, 0o600))
	require.NoError(t, os.Truncate(path, 0))
	appendTo(t, path, 1400, 2400)
	waitFor(t, seen, 2400)
	require.NoError(t, r.Shutdown(context.Background()))
	seen.check(t, 2400)
}

func TestRestartWithFileStorageLosesAndRepeatsNothing(t *testing.T) {
	dir := t.TempDir()
	storageDir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	seen := newSeen()
	storageID := component.MustNewID("file_storage")

	newCfg := func() *Config {
		cfg := rotationConfig(path)
		cfg.StartAt = "end" // a restart must resume from the checkpoint, not from the end
		cfg.Storage = &storageID
		return cfg
	}
	appendTo(t, path, 0, 10) // written before the first start: skipped by start_at end
	host, ext := startFileStorage(t, storageDir)
	r := startLogsReceiver(t, testID, newCfg(), host, seen)
	time.Sleep(100 * time.Millisecond) // the first poll sees the file and notes its end
	appendTo(t, path, 10, 800)
	waitFor(t, seen, 790)
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()))

	// Written while the collector is down.
	appendTo(t, path, 800, 1600)

	host, ext = startFileStorage(t, storageDir)
	r = startLogsReceiver(t, testID, newCfg(), host, seen)
	waitFor(t, seen, 1590)
	appendTo(t, path, 1600, 2000)
	waitFor(t, seen, 1990)
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()))

	seen.mu.Lock()
	for i := 0; i < 10; i++ {
		assert.Zero(t, seen.counts[i], "line %d predates the first start", i)
		seen.counts[i] = 1 // not expected: mark so check counts the rest
	}
	seen.total += 10
	seen.mu.Unlock()
	seen.check(t, 2000)
}

// TestFileConsumerHandsOverFreshLines guards what LinesAreOwned relies on:
// the file consumer hands every line over in a slice of its own, which it
// does not write again after the callback returns. A release that reuses its
// buffers would corrupt records kept without a copy; this test fails first.
func TestFileConsumerHandsOverFreshLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	appendTo(t, path, 0, 300)
	var kept [][]byte
	var copies [][]byte
	done := make(chan struct{})
	var once sync.Once
	mgr, err := buildFileConsumer(rotationConfig(path), componenttest.NewNopTelemetrySettings(), func(_ context.Context, tokens [][]byte, _ map[string]any, _ int64, _ []int64) error {
		for _, tok := range tokens {
			kept = append(kept, tok)
			copies = append(copies, append([]byte(nil), tok...))
		}
		if len(kept) >= 300 {
			once.Do(func() { close(done) })
		}
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, mgr.Start(nil))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("lines not read")
	}
	require.NoError(t, mgr.Stop())
	for i := range kept {
		require.Equal(t, string(copies[i]), string(kept[i]), "line %d changed after it was handed over", i)
	}
}
