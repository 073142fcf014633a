// Package gpupod is the contract between the GPU receivers and the extension
// that knows which pod holds which GPU (pod_resources). Receivers depend on
// this interface, not on the extension, so a vendor build can supply its own.
package gpupod

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
)

// Pod identifies the container that a GPU device is assigned to.
type Pod struct {
	Namespace string
	Name      string
	Container string
}

// Resolver maps a GPU device ID, as the kubelet reports it, to the pod that
// holds it. IDs are `GPU-<uuid>` for whole GPUs, `MIG-<uuid>` for MIG
// instances, and either of those followed by `::<n>` for time-sliced replicas;
// implementations accept all three.
type Resolver interface {
	PodForDevice(deviceID string) (Pod, bool)
}

// FromHost returns the Resolver provided by the extension id, with an error
// that names the extension when it is missing or is not a Resolver.
func FromHost(host component.Host, id component.ID) (Resolver, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("pod_resources: extension %q is not configured in service.extensions", id)
	}
	r, ok := ext.(Resolver)
	if !ok {
		return nil, fmt.Errorf("pod_resources: extension %q does not map GPU devices to pods", id)
	}
	return r, nil
}
