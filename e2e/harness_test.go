package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/testdata"
)

// The harness's own tests need no collector binary.

func TestSinkKeepsWhatItReceivedAcrossReads(t *testing.T) {
	sink := NewSink(t)
	sender := NewSender(t, sink.Endpoint)
	sender.SendTraces(t, testdata.GenerateTraces(3))
	sender.SendMetrics(t, testdata.GenerateMetrics(2))
	sender.SendLogs(t, testdata.GenerateLogs(4))
	require.Eventually(t, func() bool {
		return sink.Traces.SpanCount() == 3 && sink.Logs.LogRecordCount() == 4 && len(sink.Metrics.AllMetrics()) == 1
	}, 5*time.Second, 10*time.Millisecond)
	for range 2 {
		assert.Equal(t, 3, sink.AllTraces().SpanCount())
		assert.Equal(t, 4, sink.AllLogs().LogRecordCount())
		assert.Equal(t, testdata.GenerateMetrics(2).DataPointCount(), sink.AllMetrics().DataPointCount())
	}
}

func TestRenderConfigAllocatesOnePortPerName(t *testing.T) {
	ports := NewPorts(t)
	out := RenderConfig(t, ports, `a: {{ endpoint "otlp" }}
b: {{ port "otlp" }}
c: {{ port "health" }}
d: {{ .sink }}`, map[string]any{"sink": "127.0.0.1:1"})
	lines := strings.Split(out, "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "a: "+ports.Endpoint("otlp"), lines[0])
	assert.NotEqual(t, ports.Get("otlp"), ports.Get("health"))
	assert.Equal(t, "d: 127.0.0.1:1", lines[3])
}

func TestBinaryNamesTheBuildCommandWhenMissing(t *testing.T) {
	t.Setenv(BinaryEnv, "/nonexistent/otelcol-ai")
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		Binary(ft)
	}()
	assert.Contains(t, ft.msg, "make build")
}

// fatalRecorder records Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}
