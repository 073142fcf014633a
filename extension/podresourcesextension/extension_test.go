package podresourcesextension

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/kubelettest"
	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/metadatatest"
	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
)

const (
	gpu0 = "GPU-0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"
	gpu1 = "GPU-1c6d2e3f-4051-4b6c-9d7e-8f90a1b2c3d4"
	gpu2 = "GPU-2d7e3f40-5162-4c7d-8e8f-90a1b2c3d4e5"
	mig0 = "MIG-7a8b9c0d-1e2f-5a3b-9c4d-5e6f7a8b9c0d"

	waitFor = 10 * time.Second
	tick    = 5 * time.Millisecond
)

var (
	vllm  = gpupod.Pod{Namespace: "ml", Name: "vllm-0", Container: "vllm"}
	tgi   = gpupod.Pod{Namespace: "ml", Name: "tgi-0", Container: "tgi"}
	small = gpupod.Pod{Namespace: "dev", Name: "notebook", Container: "jupyter"}
)

// statusHost records the status events the extension reports and serves
// the extension to gpupod.FromHost as the collector's host does.
type statusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
	exts   map[component.ID]component.Component
}

func (h *statusHost) GetExtensions() map[component.ID]component.Component { return h.exts }

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []componentstatus.Status
	for _, ev := range h.events {
		out = append(out, ev.Status())
	}
	return out
}

func (h *statusHost) last() *componentstatus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return nil
	}
	return h.events[len(h.events)-1]
}

type harness struct {
	resolver gpupod.Resolver
	ext      *podResources
	host     *statusHost
	tel      *componenttest.Telemetry
	logs     *observer.ObservedLogs
}

func testConfig(path string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = path
	cfg.RefreshInterval = 20 * time.Millisecond
	cfg.Timeout = time.Second
	cfg.MaxStaleness = time.Hour
	return cfg
}

// start creates and starts the extension through its factory and returns it
// as the receivers see it, through gpupod.FromHost.
func start(t *testing.T, cfg *Config) *harness {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	core, logs := observer.New(zapcore.DebugLevel)
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)

	ext, err := NewFactory().Create(context.Background(), set, cfg)
	require.NoError(t, err)
	host := &statusHost{exts: map[component.ID]component.Component{set.ID: ext}}
	require.NoError(t, ext.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })

	resolver, err := gpupod.FromHost(host, set.ID)
	require.NoError(t, err)
	return &harness{resolver: resolver, ext: ext.(*podResources), host: host, tel: tel, logs: logs}
}

// intSum adds up the points of an int metric whose attributes include attrs.
func (h *harness) intSum(t *testing.T, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := h.tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var points []metricdata.DataPoint[int64]
	switch data := m.Data.(type) {
	case metricdata.Sum[int64]:
		points = data.DataPoints
	case metricdata.Gauge[int64]:
		points = data.DataPoints
	default:
		t.Fatalf("%s: unexpected data %T", name, m.Data)
	}
	var total int64
	for _, p := range points {
		match := true
		for _, a := range attrs {
			if v, ok := p.Attributes.Value(a.Key); !ok || v != a.Value {
				match = false
			}
		}
		if match {
			total += p.Value
		}
	}
	return total
}

func (h *harness) refreshErrors(t *testing.T, reason string) int64 {
	return h.intSum(t, "otelcol.pod_resources.refresh.errors", attribute.String("error.type", reason))
}

func (h *harness) warnings() []observer.LoggedEntry {
	return h.logs.FilterLevelExact(zapcore.WarnLevel).All()
}

// lookupEventually waits until the resolver answers want for id.
func (h *harness) lookupEventually(t *testing.T, id string, want gpupod.Pod, wantOK bool) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, ok := h.resolver.PodForDevice(id)
		assert.Equal(c, wantOK, ok)
		assert.Equal(c, want, got)
	}, waitFor, tick, "PodForDevice(%q)", id)
}

func serve(t *testing.T, path string, pods ...*podresourcesv1.PodResources) *kubelettest.Server {
	t.Helper()
	srv := kubelettest.NewServer(path)
	srv.SetPods(pods...)
	srv.Start(t)
	return srv
}

func TestMappingIsReadyWhenStartReturns(t *testing.T) {
	path := kubelettest.SocketPath(t)
	serve(t, path,
		kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0, gpu1)),
		kubelettest.Pod("ml", "tgi-0", kubelettest.Container("tgi", "nvidia.com/mig-1g.10gb", mig0)),
		kubelettest.Pod("dev", "notebook", kubelettest.Container("jupyter", "nvidia.com/gpu.shared", gpu2+"::3")),
		kubelettest.Pod("net", "router", kubelettest.Container("r", "example.com/sriov", "0000:3b:00.1")),
	)
	cfg := testConfig(path)
	cfg.RefreshInterval = time.Hour // only the refresh in Start
	h := start(t, cfg)

	for id, want := range map[string]gpupod.Pod{
		gpu0:                                   vllm,
		gpu1:                                   vllm,
		"1C6D2E3F-4051-4B6C-9D7E-8F90A1B2C3D4": vllm,
		mig0:                                   tgi,
		"7a8b9c0d-1e2f-5a3b-9c4d-5e6f7a8b9c0d": tgi,
		gpu2:                                   small,
		gpu2 + "::3":                           small,
	} {
		got, ok := h.resolver.PodForDevice(id)
		assert.True(t, ok, id)
		assert.Equal(t, want, got, id)
	}
	_, ok := h.resolver.PodForDevice("0000:3b:00.1")
	assert.False(t, ok, "devices of other resources are not GPUs")

	assert.Equal(t, int64(4), h.intSum(t, "otelcol.pod_resources.devices.mapped"))
	assert.Equal(t, int64(0), h.intSum(t, "otelcol.pod_resources.devices.shared"))
	assert.Equal(t, int64(1), h.intSum(t, "otelcol.pod_resources.refreshes"))
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, h.host.statuses())
	assert.Empty(t, h.warnings())
	assert.Equal(t, 1, h.logs.FilterMessage("Mapping GPU devices to pods").Len())
}

func TestPodsChangingBetweenRefreshes(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	h := start(t, testConfig(path))
	h.lookupEventually(t, gpu0, vllm, true)

	// vllm-0 is deleted and tgi-0 is scheduled on its GPU.
	srv.SetPods(kubelettest.Pod("ml", "tgi-0", kubelettest.Container("tgi", "nvidia.com/gpu", gpu0)))
	h.lookupEventually(t, gpu0, tgi, true)

	// The GPU is time-sliced between two pods: by UUID alone it belongs to
	// neither, by replica to each.
	srv.SetPods(
		kubelettest.Pod("ml", "tgi-0", kubelettest.Container("tgi", "nvidia.com/gpu", gpu0+"::0")),
		kubelettest.Pod("dev", "notebook", kubelettest.Container("jupyter", "nvidia.com/gpu", gpu0+"::1")),
	)
	h.lookupEventually(t, gpu0, gpupod.Pod{}, false)
	h.lookupEventually(t, gpu0+"::0", tgi, true)
	h.lookupEventually(t, gpu0+"::1", small, true)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, int64(1), h.intSum(t, "otelcol.pod_resources.devices.shared"))
		assert.Equal(c, int64(0), h.intSum(t, "otelcol.pod_resources.devices.mapped"))
	}, waitFor, tick)

	// All pods gone.
	srv.SetPods()
	h.lookupEventually(t, gpu0+"::0", gpupod.Pod{}, false)
	assert.Empty(t, h.warnings())
}

func TestSocketAppearingLater(t *testing.T) {
	path := kubelettest.SocketPath(t)
	h := start(t, testConfig(path))

	_, ok := h.resolver.PodForDevice(gpu0)
	assert.False(t, ok)
	last := h.host.last()
	require.NotNil(t, last)
	assert.Equal(t, componentstatus.StatusRecoverableError, last.Status())
	require.ErrorContains(t, last.Err(), "pod-resources socket not found")

	// Several refreshes fail while the socket is missing; they warn once.
	require.Eventually(t, func() bool { return h.refreshErrors(t, "socket_not_found") >= 3 }, waitFor, tick)
	warnings := h.warnings()
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0].Message, "GPU metrics carry no pod attributes")
	assert.Equal(t, path, warnings[0].ContextMap()["endpoint"])
	assert.Contains(t, warnings[0].ContextMap()["hint"], "hostPath")

	serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	h.lookupEventually(t, gpu0, vllm, true)
	require.Eventually(t, func() bool { return h.host.last().Status() == componentstatus.StatusOK }, waitFor, tick)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, h.host.statuses())
	assert.Len(t, h.warnings(), 1)
	assert.Equal(t, 1, h.logs.FilterMessage("Mapping GPU devices to pods").Len())
}

func TestKubeletErrorsKeepTheLastMappingWithinMaxStaleness(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	h := start(t, testConfig(path))
	h.lookupEventually(t, gpu0, vllm, true)

	srv.SetError(status.Error(codes.Internal, "checkpoint corrupted"))
	require.Eventually(t, func() bool { return h.refreshErrors(t, "kubelet_error") >= 3 }, waitFor, tick)
	got, ok := h.resolver.PodForDevice(gpu0)
	assert.True(t, ok, "the last mapping answers for max_staleness")
	assert.Equal(t, vllm, got)
	require.Len(t, h.warnings(), 1)
	assert.Contains(t, h.warnings()[0].Message, "keeping the last GPU-to-pod mapping")
	assert.Equal(t, componentstatus.StatusRecoverableError, h.host.last().Status())
	assert.ErrorContains(t, h.host.last().Err(), "checkpoint corrupted")

	srv.SetPods(kubelettest.Pod("ml", "tgi-0", kubelettest.Container("tgi", "nvidia.com/gpu", gpu0)))
	h.lookupEventually(t, gpu0, tgi, true)
	require.Eventually(t, func() bool { return h.host.last().Status() == componentstatus.StatusOK }, waitFor, tick)
}

func TestMappingIsDroppedAfterMaxStaleness(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	cfg := testConfig(path)
	cfg.MaxStaleness = 0
	h := start(t, cfg)
	h.lookupEventually(t, gpu0, vllm, true)
	require.Equal(t, int64(1), h.intSum(t, "otelcol.pod_resources.devices.mapped"))

	srv.SetError(status.Error(codes.Unknown, "boom"))
	h.lookupEventually(t, gpu0, gpupod.Pod{}, false)
	require.Eventually(t, func() bool { return h.intSum(t, "otelcol.pod_resources.devices.mapped") == 0 }, waitFor, tick)
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("Dropped the GPU-to-pod mapping").Len())
}

func TestSlowKubeletTimesOut(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	srv.SetDelay(time.Minute)
	cfg := testConfig(path)
	cfg.Timeout = 50 * time.Millisecond
	begin := time.Now()
	h := start(t, cfg)
	assert.Less(t, time.Since(begin), 30*time.Second, "Start waits for one timeout at most")
	assert.Equal(t, int64(1), h.refreshErrors(t, "timeout"))
	_, ok := h.resolver.PodForDevice(gpu0)
	assert.False(t, ok)

	srv.SetDelay(0)
	h.lookupEventually(t, gpu0, vllm, true)
}

func TestKubeletRestart(t *testing.T) {
	path := kubelettest.SocketPath(t)
	first := serve(t, path, kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	h := start(t, testConfig(path))
	h.lookupEventually(t, gpu0, vllm, true)

	first.Stop()
	require.Eventually(t, func() bool { return h.refreshErrors(t, "socket_not_found") >= 1 }, waitFor, tick)
	second := serve(t, path, kubelettest.Pod("ml", "tgi-0", kubelettest.Container("tgi", "nvidia.com/gpu", gpu0)))
	h.lookupEventually(t, gpu0, tgi, true)
	assert.Positive(t, second.Calls())
	assert.Len(t, h.warnings(), 1)
}

func TestCauseChangeWarnsAgain(t *testing.T) {
	path := kubelettest.SocketPath(t)
	h := start(t, testConfig(path))
	require.Eventually(t, func() bool { return h.refreshErrors(t, "socket_not_found") >= 2 }, waitFor, tick)

	// The socket appears but the kubelet refuses: a new cause, a new warning.
	srv := serve(t, path)
	srv.SetError(status.Error(codes.PermissionDenied, "not allowed"))
	require.Eventually(t, func() bool { return h.refreshErrors(t, "kubelet_error") >= 3 }, waitFor, tick)
	warnings := h.warnings()
	require.Len(t, warnings, 2)
	assert.Contains(t, warnings[1].ContextMap()["error"], "not allowed")
	assert.NotContains(t, warnings[1].ContextMap(), "hint")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusRecoverableError}, h.host.statuses())
}

func TestNoRefreshAfterShutdown(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := serve(t, path)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	ext, err := NewFactory().Create(context.Background(), metadatatest.NewSettings(tel), testConfig(path))
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return srv.Calls() >= 2 }, waitFor, tick)
	require.NoError(t, ext.Shutdown(context.Background()))
	calls := srv.Calls()
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, calls, srv.Calls())
}

func TestShutdownWithoutStart(t *testing.T) {
	ext, err := NewFactory().Create(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), createDefaultConfig())
	require.NoError(t, err)
	require.NoError(t, ext.Shutdown(context.Background()))
	_, ok := ext.(gpupod.Resolver).PodForDevice(gpu0)
	assert.False(t, ok)
}

func TestFactoryType(t *testing.T) {
	assert.Equal(t, metadata.Type, NewFactory().Type())
}
