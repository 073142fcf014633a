//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"
)

const podResourcesConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
extensions:
  pod_resources:
    endpoint: unix://{{ .socket }}
    refresh_interval: 200ms
    timeout: 1s
service:
  extensions: [health_check, pod_resources]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{ port "telemetry" }}
  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [otlp_grpc]
`

// fakeKubelet serves the pod-resources List call on a unix socket.
type fakeKubelet struct {
	podresourcesv1.UnimplementedPodResourcesListerServer
	mu   sync.Mutex
	pods []*podresourcesv1.PodResources
}

func (k *fakeKubelet) List(context.Context, *podresourcesv1.ListPodResourcesRequest) (*podresourcesv1.ListPodResourcesResponse, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return &podresourcesv1.ListPodResourcesResponse{PodResources: k.pods}, nil
}

func (k *fakeKubelet) serve(t *testing.T, path string) {
	t.Helper()
	lis, err := net.Listen("unix", path)
	require.NoError(t, err)
	srv := grpc.NewServer()
	podresourcesv1.RegisterPodResourcesListerServer(srv, k)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
}

func gpuPod(namespace, name, container, resource string, ids ...string) *podresourcesv1.PodResources {
	return &podresourcesv1.PodResources{Namespace: namespace, Name: name, Containers: []*podresourcesv1.ContainerResources{{
		Name: container, Devices: []*podresourcesv1.ContainerDevices{{ResourceName: resource, DeviceIds: ids}},
	}}}
}

// socketPath is short enough for a unix socket address (108 bytes), which
// t.TempDir() paths may not be.
func socketPath(t *testing.T) string {
	dir, err := os.MkdirTemp("", "prx")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "kubelet.sock")
}

// selfMetric adds up the samples of a metric on the collector's own
// Prometheus page whose series contain every one of labels. A counter is
// found with or without the `_total` suffix, whichever the exporter writes.
func selfMetric(t *testing.T, page, name string, labels ...string) (float64, bool) {
	if v, ok := selfMetricSamples(t, page, name, labels); ok {
		return v, true
	}
	return selfMetricSamples(t, page, name+"_total", labels)
}

func selfMetricSamples(t *testing.T, page, name string, labels []string) (float64, bool) {
	var total float64
	found := false
	sc := bufio.NewScanner(strings.NewReader(page))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		match := true
		for _, l := range labels {
			match = match && strings.Contains(line, l)
		}
		if !match {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		require.NoError(t, err, line)
		total += v
		found = true
	}
	return total, found
}

func TestPodResourcesMapsGPUsFromTheKubeletSocket(t *testing.T) {
	sock := socketPath(t)
	kubelet := &fakeKubelet{pods: []*podresourcesv1.PodResources{
		gpuPod("ml", "vllm-0", "vllm", "nvidia.com/gpu", "GPU-0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3", "GPU-1c6d2e3f-4051-4b6c-9d7e-8f90a1b2c3d4"),
		gpuPod("ml", "tgi-0", "tgi", "nvidia.com/mig-1g.10gb", "MIG-7a8b9c0d-1e2f-5a3b-9c4d-5e6f7a8b9c0d"),
		gpuPod("net", "router", "r", "example.com/sriov", "0000:3b:00.1"),
	}}
	kubelet.serve(t, sock)

	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, podResourcesConfig, map[string]any{"socket": sock})

	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		mapped, ok := selfMetric(t, page, "otelcol_pod_resources_devices_mapped")
		assert.True(ct, ok, "no devices.mapped gauge on the telemetry page")
		assert.Equal(ct, 3.0, mapped)
	}, 30*time.Second, 200*time.Millisecond)
	page := SelfMetrics(t, ports.Endpoint("telemetry"))
	refreshes, _ := selfMetric(t, page, "otelcol_pod_resources_refreshes")
	assert.GreaterOrEqual(t, refreshes, 1.0)
	errs, _ := selfMetric(t, page, "otelcol_pod_resources_refresh_errors")
	assert.Zero(t, errs)
	assert.Contains(t, c.Output(), "Mapping GPU devices to pods")
	assert.NotContains(t, c.Output(), "pod-resources API unreachable")
}

func TestPodResourcesWithoutSocketKeepsTheCollectorRunning(t *testing.T) {
	sock := socketPath(t)
	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, podResourcesConfig, map[string]any{"socket": sock})

	// Retries go on, counted, with a single warning.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		errs, _ := selfMetric(t, page, "otelcol_pod_resources_refresh_errors", `error_type="socket_not_found"`)
		assert.GreaterOrEqual(ct, errs, 3.0)
	}, 30*time.Second, 200*time.Millisecond)
	assert.Equal(t, 1, strings.Count(c.Output(), "pod-resources API unreachable"), c.Output())
	assert.Contains(t, c.Output(), "hostPath")

	// The kubelet appears: the mapping follows without a restart.
	kubelet := &fakeKubelet{pods: []*podresourcesv1.PodResources{
		gpuPod("ml", "vllm-0", "vllm", "nvidia.com/gpu", "GPU-0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3::0"),
	}}
	kubelet.serve(t, sock)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		mapped, _ := selfMetric(t, SelfMetrics(t, ports.Endpoint("telemetry")), "otelcol_pod_resources_devices_mapped")
		assert.Equal(ct, 1.0, mapped)
	}, 30*time.Second, 200*time.Millisecond)
	assert.Contains(t, c.Output(), "Mapping GPU devices to pods")
	assert.False(t, c.Exited())
}
