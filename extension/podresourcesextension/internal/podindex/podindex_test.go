package podindex

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
)

const (
	gpu0 = "GPU-0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"
	gpu1 = "GPU-1c6d2e3f-4051-4b6c-9d7e-8f90a1b2c3d4"
	gpu2 = "GPU-2d7e3f40-5162-4c7d-8e8f-90a1b2c3d4e5"
	mig0 = "MIG-7a8b9c0d-1e2f-5a3b-9c4d-5e6f7a8b9c0d"
	mig1 = "MIG-8b9c0d1e-2f3a-5b4c-8d5e-6f7a8b9c0d1e"
)

var defaultFilter = NewResourceFilter([]string{"nvidia.com/gpu", "nvidia.com/gpu.shared", "nvidia.com/mig-*"})

type alloc struct {
	resource string
	ids      []string
}

func container(name string, allocs ...alloc) *podresourcesv1.ContainerResources {
	c := &podresourcesv1.ContainerResources{Name: name}
	for _, a := range allocs {
		c.Devices = append(c.Devices, &podresourcesv1.ContainerDevices{ResourceName: a.resource, DeviceIds: a.ids})
	}
	return c
}

func pod(ns, name string, containers ...*podresourcesv1.ContainerResources) *podresourcesv1.PodResources {
	return &podresourcesv1.PodResources{Namespace: ns, Name: name, Containers: containers}
}

func list(pods ...*podresourcesv1.PodResources) *podresourcesv1.ListPodResourcesResponse {
	return &podresourcesv1.ListPodResourcesResponse{PodResources: pods}
}

func TestLookup(t *testing.T) {
	vllm := gpupod.Pod{Namespace: "ml", Name: "vllm-0", Container: "vllm"}
	tgi := gpupod.Pod{Namespace: "ml", Name: "tgi-0", Container: "tgi"}
	resp := list(
		pod("ml", "vllm-0",
			container("vllm", alloc{"nvidia.com/gpu", []string{gpu0, gpu1}}, alloc{"cpu-pinning.example/cores", []string{"3"}}),
			container("sidecar"),
		),
		pod("ml", "tgi-0", container("tgi", alloc{"nvidia.com/mig-1g.10gb", []string{mig0}})),
		pod("ml", "small-0", container("a", alloc{"nvidia.com/mig-3g.40gb.shared", []string{mig1 + "::0"}})),
		pod("ml", "small-1", container("b", alloc{"nvidia.com/mig-3g.40gb.shared", []string{mig1 + "::1"}})),
		pod("batch", "trainer", container("t", alloc{"example.com/fpga", []string{gpu2}})),
	)
	ix := Build(resp, defaultFilter)

	tests := []struct {
		name string
		id   string
		want gpupod.Pod
		ok   bool
	}{
		{"whole GPU", gpu0, vllm, true},
		{"second GPU of the same container", gpu1, vllm, true},
		{"bare upper-case UUID", "0B5C1D2E-3F40-4A5B-8C6D-7E8F90A1B2C3", vllm, true},
		{"bare lower-case UUID", "1c6d2e3f-4051-4b6c-9d7e-8f90a1b2c3d4", vllm, true},
		{"GPU asked with a replica suffix it was not allocated with", gpu0 + "::4", vllm, true},
		{"MIG instance", mig0, tgi, true},
		{"MIG instance by bare UUID", "7a8b9c0d-1e2f-5a3b-9c4d-5e6f7a8b9c0d", tgi, true},
		{"first replica of a shared MIG instance", mig1 + "::0", gpupod.Pod{Namespace: "ml", Name: "small-0", Container: "a"}, true},
		{"second replica of a shared MIG instance", mig1 + "::1", gpupod.Pod{Namespace: "ml", Name: "small-1", Container: "b"}, true},
		{"shared MIG instance without replica names no pod", mig1, gpupod.Pod{}, false},
		{"unallocated replica of a shared MIG instance", mig1 + "::7", gpupod.Pod{}, false},
		{"device of a resource outside resource_names", gpu2, gpupod.Pod{}, false},
		{"unknown GPU", "GPU-ffffffff-ffff-4fff-8fff-ffffffffffff", gpupod.Pod{}, false},
		{"empty ID", "", gpupod.Pod{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Lookup(tt.id)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Equal(t, 3, ix.Mapped(), "gpu0, gpu1, mig0")
	assert.Equal(t, 1, ix.Shared(), "mig1")
}

func TestTimeSlicedGPUHeldByOnePod(t *testing.T) {
	want := gpupod.Pod{Namespace: "ml", Name: "vllm-0", Container: "vllm"}
	ix := Build(list(pod("ml", "vllm-0", container("vllm", alloc{"nvidia.com/gpu", []string{gpu0 + "::0", gpu0 + "::3"}}))), defaultFilter)
	for _, id := range []string{gpu0, gpu0 + "::0", gpu0 + "::3", gpu0 + "::9"} {
		got, ok := ix.Lookup(id)
		assert.True(t, ok, id)
		assert.Equal(t, want, got, id)
	}
	assert.Equal(t, 1, ix.Mapped())
	assert.Zero(t, ix.Shared())
}

func TestTimeSlicedGPUAcrossPods(t *testing.T) {
	ix := Build(list(
		pod("a", "p", container("c", alloc{"nvidia.com/gpu.shared", []string{gpu0 + "::0"}})),
		pod("b", "p", container("c", alloc{"nvidia.com/gpu.shared", []string{gpu0 + "::1"}})),
	), defaultFilter)
	_, ok := ix.Lookup(gpu0)
	assert.False(t, ok, "a GPU that two pods share must not be attributed to either")
	got, ok := ix.Lookup(gpu0 + "::1")
	assert.True(t, ok)
	assert.Equal(t, gpupod.Pod{Namespace: "b", Name: "p", Container: "c"}, got)
	assert.Zero(t, ix.Mapped())
	assert.Equal(t, 1, ix.Shared())
}

// The kubelet should never give one replica to two pods; if a response
// does (a stale or damaged answer), that replica names neither.
func TestReplicaListedByTwoPodsNamesNeither(t *testing.T) {
	ix := Build(list(
		pod("a", "p", container("c", alloc{"nvidia.com/gpu.shared", []string{gpu0 + "::0", gpu0 + "::1"}})),
		pod("b", "q", container("d", alloc{"nvidia.com/gpu.shared", []string{gpu0 + "::1"}})),
	), defaultFilter)
	_, ok := ix.Lookup(gpu0 + "::1")
	assert.False(t, ok)
	got, ok := ix.Lookup(gpu0 + "::0")
	assert.True(t, ok)
	assert.Equal(t, gpupod.Pod{Namespace: "a", Name: "p", Container: "c"}, got)
}

func TestDeviceInTwoContainersOfOnePodKeepsThePod(t *testing.T) {
	ix := Build(list(pod("ml", "vllm-0",
		container("vllm", alloc{"nvidia.com/gpu", []string{gpu0 + "::0"}}),
		container("profiler", alloc{"nvidia.com/gpu", []string{gpu0 + "::1"}}),
	)), defaultFilter)
	got, ok := ix.Lookup(gpu0)
	assert.True(t, ok)
	assert.Equal(t, gpupod.Pod{Namespace: "ml", Name: "vllm-0"}, got, "container unknown when two containers hold the device")
	got, ok = ix.Lookup(gpu0 + "::1")
	assert.True(t, ok)
	assert.Equal(t, gpupod.Pod{Namespace: "ml", Name: "vllm-0", Container: "profiler"}, got)
}

func TestMalformedDeviceIDsAreSkipped(t *testing.T) {
	ix := Build(list(pod("ml", "p", container("c", alloc{"nvidia.com/gpu", []string{"", "GPU-", "::1", gpu0}}))), defaultFilter)
	assert.Equal(t, 1, ix.Mapped())
	_, ok := ix.Lookup(gpu0)
	assert.True(t, ok)
}

func TestEmptyAndNilIndex(t *testing.T) {
	for name, ix := range map[string]*Index{"nil": nil, "empty response": Build(&podresourcesv1.ListPodResourcesResponse{}, defaultFilter), "nil response": Build(nil, defaultFilter)} {
		_, ok := ix.Lookup(gpu0)
		assert.False(t, ok, name)
		assert.Zero(t, ix.Mapped(), name)
		assert.Zero(t, ix.Shared(), name)
	}
}

func TestResourceFilter(t *testing.T) {
	f := NewResourceFilter([]string{"nvidia.com/gpu", "nvidia.com/mig-*"})
	for resource, want := range map[string]bool{
		"nvidia.com/gpu":              true,
		"nvidia.com/gpu.shared":       false,
		"nvidia.com/mig-1g.10gb":      true,
		"nvidia.com/mig-7g.80gb":      true,
		"nvidia.com/mig-":             true,
		"nvidia.com/mi":               false,
		"amd.com/gpu":                 false,
		"":                            false,
		"example.com/nvidia.com/gpu":  false,
		"NVIDIA.COM/GPU":              false,
		"nvidia.com/mig-1g.10gb::bad": true,
	} {
		assert.Equal(t, want, f.Match(resource), resource)
	}
}

// A scrape of an 8-GPU node asks once per GPU and per MIG instance.
func BenchmarkLookup(b *testing.B) {
	var pods []*podresourcesv1.PodResources
	var ids []string
	for i := range 64 {
		id := fmt.Sprintf("GPU-%08x-3f40-4a5b-8c6d-7e8f90a1b2c3", i)
		ids = append(ids, id)
		pods = append(pods, pod("ml", fmt.Sprintf("p%d", i), container("c", alloc{"nvidia.com/gpu", []string{id}})))
	}
	ix := Build(list(pods...), defaultFilter)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := ix.Lookup(ids[i%len(ids)]); !ok {
			b.Fatal("not found")
		}
	}
}

// A refresh on a busy node: 110 pods (the kubelet's default limit), 8 GPUs
// split into 56 MIG instances, every pod with a sidecar.
func BenchmarkBuild(b *testing.B) {
	var pods []*podresourcesv1.PodResources
	for i := range 110 {
		var c []*podresourcesv1.ContainerResources
		if i < 56 {
			c = append(c, container("model", alloc{"nvidia.com/mig-1g.10gb", []string{fmt.Sprintf("MIG-%08x-1e2f-5a3b-9c4d-5e6f7a8b9c0d", i)}}))
		} else {
			c = append(c, container("app", alloc{"example.com/sriov", []string{fmt.Sprintf("0000:3b:00.%d", i)}}))
		}
		c = append(c, container("sidecar"))
		pods = append(pods, pod("ns", fmt.Sprintf("p%d", i), c...))
	}
	resp := list(pods...)
	b.ReportAllocs()
	for b.Loop() {
		if Build(resp, defaultFilter).Mapped() != 56 {
			b.Fatal("wrong count")
		}
	}
}
