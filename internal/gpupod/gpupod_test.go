package gpupod

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
)

type fakeHost struct {
	exts map[component.ID]component.Component
}

func (h fakeHost) GetExtensions() map[component.ID]component.Component { return h.exts }

type mapResolver struct {
	component.StartFunc
	component.ShutdownFunc
	pods map[string]Pod
}

func (m mapResolver) PodForDevice(id string) (Pod, bool) { p, ok := m.pods[id]; return p, ok }

type notAResolver struct {
	component.StartFunc
	component.ShutdownFunc
}

func TestFromHost(t *testing.T) {
	id := component.MustNewID("pod_resources")
	other := component.MustNewIDWithName("pod_resources", "other")
	plain := component.MustNewID("health_check")
	r := mapResolver{pods: map[string]Pod{"GPU-1": {Namespace: "ml", Name: "vllm-0", Container: "vllm"}}}
	host := fakeHost{exts: map[component.ID]component.Component{id: r, plain: notAResolver{}}}

	got, err := FromHost(host, id)
	require.NoError(t, err)
	pod, ok := got.PodForDevice("GPU-1")
	assert.True(t, ok)
	assert.Equal(t, "vllm-0", pod.Name)
	require.NoError(t, r.Start(context.Background(), host))

	_, err = FromHost(host, other)
	assert.ErrorContains(t, err, `"pod_resources/other" is not configured`)
	_, err = FromHost(host, plain)
	assert.ErrorContains(t, err, "does not map GPU devices to pods")
}
