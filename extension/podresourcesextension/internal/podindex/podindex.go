// Package podindex turns a kubelet pod-resources List response into an index
// from GPU device to the pod and container that hold it.
package podindex // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/podindex"

import (
	"strings"

	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/deviceid"
	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
)

// ResourceFilter selects the extended resources whose devices are GPUs.
type ResourceFilter struct {
	exact    map[string]struct{}
	prefixes []string
}

// NewResourceFilter builds a filter from resource names; a name ending in `*`
// matches every resource that starts with what precedes the `*`.
func NewResourceFilter(names []string) ResourceFilter {
	f := ResourceFilter{exact: make(map[string]struct{}, len(names))}
	for _, n := range names {
		if prefix, ok := strings.CutSuffix(n, "*"); ok {
			f.prefixes = append(f.prefixes, prefix)
			continue
		}
		f.exact[n] = struct{}{}
	}
	return f
}

// Match reports whether the filter selects the resource.
func (f ResourceFilter) Match(resource string) bool {
	if _, ok := f.exact[resource]; ok {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(resource, p) {
			return true
		}
	}
	return false
}

// holder is who holds one device (or one replica of it).
type holder struct {
	pod gpupod.Pod
	// shared: containers of more than one pod hold the device, so no single
	// pod can be named for it.
	shared bool
}

// add records that pod holds the device. Two containers of the same pod
// leave the pod known and the container empty.
func (h *holder) add(pod gpupod.Pod, first bool) {
	switch {
	case first:
		h.pod = pod
	case h.pod.Namespace != pod.Namespace || h.pod.Name != pod.Name:
		h.shared = true
	case h.pod.Container != pod.Container:
		h.pod.Container = ""
	}
}

type device struct {
	holder
	// replicas holds time-sliced replicas (`GPU-<uuid>::<n>`) by replica
	// number; nil for a device that is not time-sliced.
	replicas map[string]*holder
}

// Index maps GPU devices to pods. The zero value and nil map nothing. An
// Index is not changed after Build, so any number of goroutines may read it.
type Index struct {
	devices map[string]*device
	shared  int
}

// Build indexes the devices of the selected resources in resp.
func Build(resp *podresourcesv1.ListPodResourcesResponse, filter ResourceFilter) *Index {
	ix := &Index{devices: make(map[string]*device)}
	for _, p := range resp.GetPodResources() {
		for _, c := range p.GetContainers() {
			pod := gpupod.Pod{Namespace: p.GetNamespace(), Name: p.GetName(), Container: c.GetName()}
			for _, d := range c.GetDevices() {
				if !filter.Match(d.GetResourceName()) {
					continue
				}
				for _, raw := range d.GetDeviceIds() {
					ix.add(raw, pod)
				}
			}
		}
	}
	for _, d := range ix.devices {
		if d.shared {
			ix.shared++
		}
	}
	return ix
}

func (ix *Index) add(raw string, pod gpupod.Pod) {
	id, ok := deviceid.Parse(raw)
	if !ok {
		return
	}
	d, seen := ix.devices[id.Device]
	if !seen {
		d = &device{}
		ix.devices[id.Device] = d
	}
	d.add(pod, !seen)
	if id.Replica == "" {
		return
	}
	if d.replicas == nil {
		d.replicas = make(map[string]*holder)
	}
	r, seenReplica := d.replicas[id.Replica]
	if !seenReplica {
		r = &holder{}
		d.replicas[id.Replica] = r
	}
	r.add(pod, !seenReplica)
}

// Lookup returns the pod that holds the device. It accepts `GPU-<uuid>`,
// `MIG-<uuid>`, a bare UUID in any letter case, and any of them with a
// time-slicing replica suffix `::<n>`. A device whose replicas several pods
// hold is found only with the replica suffix.
func (ix *Index) Lookup(raw string) (gpupod.Pod, bool) {
	if ix == nil {
		return gpupod.Pod{}, false
	}
	id, ok := deviceid.Parse(raw)
	if !ok {
		return gpupod.Pod{}, false
	}
	d, ok := ix.devices[id.Device]
	if !ok {
		return gpupod.Pod{}, false
	}
	if r, ok := d.replicas[id.Replica]; ok && id.Replica != "" && !r.shared {
		return r.pod, true
	}
	if d.shared {
		return gpupod.Pod{}, false
	}
	return d.pod, true
}

// Mapped is the number of devices that one pod holds.
func (ix *Index) Mapped() int {
	if ix == nil {
		return 0
	}
	return len(ix.devices) - ix.shared
}

// Shared is the number of devices whose replicas more than one pod holds.
func (ix *Index) Shared() int {
	if ix == nil {
		return 0
	}
	return ix.shared
}
