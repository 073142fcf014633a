package kubelet

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/kubelettest"
)

const gpu0 = "GPU-0b5c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"

func TestListReturnsWhatTheKubeletAnswers(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := kubelettest.NewServer(path)
	srv.SetPods(kubelettest.Pod("ml", "vllm-0", kubelettest.Container("vllm", "nvidia.com/gpu", gpu0)))
	srv.Start(t)

	c := New(path, time.Second)
	t.Cleanup(func() { _ = c.Close() })
	resp, err := c.List(context.Background())
	require.NoError(t, err)
	require.Len(t, resp.GetPodResources(), 1)
	p := resp.GetPodResources()[0]
	assert.Equal(t, "vllm-0", p.GetName())
	assert.Equal(t, []string{gpu0}, p.GetContainers()[0].GetDevices()[0].GetDeviceIds())
}

func TestListOfMissingSocket(t *testing.T) {
	path := kubelettest.SocketPath(t)
	c := New(path, time.Second)
	_, err := c.List(context.Background())
	require.ErrorIs(t, err, ErrSocketNotFound)
	assert.ErrorContains(t, err, path)
	assert.Equal(t, ReasonSocketNotFound, Reason(err))
}

func TestListOfAPathThatIsNotASocket(t *testing.T) {
	path := kubelettest.SocketPath(t)
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o600))
	_, err := New(path, time.Second).List(context.Background())
	require.ErrorIs(t, err, ErrSocketNotFound)
	assert.ErrorContains(t, err, "is not a unix socket")
}

func TestListOfSocketWithoutListener(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := kubelettest.NewServer(path)
	srv.Start(t)
	// A kubelet that died without removing its socket: the file exists,
	// nobody accepts.
	require.NoError(t, os.Rename(path, path+".keep"))
	srv.Stop()
	require.NoError(t, os.Rename(path+".keep", path))

	_, err := New(path, time.Second).List(context.Background())
	require.Error(t, err)
	assert.Equal(t, ReasonUnavailable, Reason(err))
}

func TestListGivesUpAfterTimeout(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := kubelettest.NewServer(path)
	srv.SetDelay(time.Minute)
	srv.Start(t)

	start := time.Now()
	_, err := New(path, 100*time.Millisecond).List(context.Background())
	require.Error(t, err)
	assert.Equal(t, ReasonTimeout, Reason(err))
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestListReportsKubeletErrors(t *testing.T) {
	path := kubelettest.SocketPath(t)
	srv := kubelettest.NewServer(path)
	srv.SetError(status.Error(codes.Internal, "boom"))
	srv.Start(t)

	c := New(path, time.Second)
	t.Cleanup(func() { _ = c.Close() })
	_, err := c.List(context.Background())
	require.Error(t, err)
	assert.ErrorContains(t, err, "boom")
	assert.Equal(t, ReasonKubeletError, Reason(err))

	srv.SetPods()
	_, err = c.List(context.Background())
	require.NoError(t, err, "the client recovers once the kubelet answers")
}

func TestListReachesAKubeletThatRestarted(t *testing.T) {
	path := kubelettest.SocketPath(t)
	first := kubelettest.NewServer(path)
	first.Start(t)
	c := New(path, time.Second)
	t.Cleanup(func() { _ = c.Close() })
	_, err := c.List(context.Background())
	require.NoError(t, err)

	first.Stop()
	_, err = c.List(context.Background())
	require.ErrorIs(t, err, ErrSocketNotFound)

	second := kubelettest.NewServer(path)
	second.SetPods(kubelettest.Pod("ml", "p", kubelettest.Container("c", "nvidia.com/gpu", gpu0)))
	second.Start(t)
	resp, err := c.List(context.Background())
	require.NoError(t, err)
	assert.Len(t, resp.GetPodResources(), 1)
	assert.Equal(t, 1, second.Calls())
}
