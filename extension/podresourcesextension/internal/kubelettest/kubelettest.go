// Package kubelettest serves the kubelet pod-resources v1 API on a unix socket
// for tests: a real gRPC server implementing the generated service, whose
// answers a test changes between calls.
package kubelettest // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/kubelettest"

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"
)

// SocketPath returns a path for a socket in a new temporary directory that
// the test removes at its end. A unix socket path must fit in 108 bytes,
// which t.TempDir() paths (named after the test) can exceed, so the
// directory has a short name under the system's temporary directory.
func SocketPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "prx")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "kubelet.sock")
}

// Server is a fake kubelet pod-resources endpoint.
type Server struct {
	podresourcesv1.UnimplementedPodResourcesListerServer

	path  string
	calls atomic.Int64

	mu    sync.Mutex
	resp  *podresourcesv1.ListPodResourcesResponse
	err   error
	delay time.Duration
	grpc  *grpc.Server
}

// NewServer returns a server for the socket at path; it does not listen
// until Start.
func NewServer(path string) *Server {
	return &Server{path: path, resp: &podresourcesv1.ListPodResourcesResponse{}}
}

// Start listens on the socket and serves until Stop or the end of the test.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	lis, err := net.Listen("unix", s.path)
	require.NoError(t, err)
	g := grpc.NewServer()
	podresourcesv1.RegisterPodResourcesListerServer(g, s)
	s.mu.Lock()
	s.grpc = g
	s.mu.Unlock()
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(s.Stop)
}

// Stop closes the server and removes its socket, as a kubelet that exits does.
func (s *Server) Stop() {
	s.mu.Lock()
	g := s.grpc
	s.grpc = nil
	s.mu.Unlock()
	if g != nil {
		g.Stop()
	}
	_ = os.Remove(s.path)
}

// SetPods sets the List answer.
func (s *Server) SetPods(pods ...*podresourcesv1.PodResources) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resp = &podresourcesv1.ListPodResourcesResponse{PodResources: pods}
	s.err = nil
}

// SetError makes List fail with err (a gRPC status error, say) until SetPods.
func (s *Server) SetError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// SetDelay makes List wait d before answering, or until the caller gives up.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Calls is the number of List calls the server received.
func (s *Server) Calls() int { return int(s.calls.Load()) }

// List implements podresourcesv1.PodResourcesListerServer.
func (s *Server) List(ctx context.Context, _ *podresourcesv1.ListPodResourcesRequest) (*podresourcesv1.ListPodResourcesResponse, error) {
	s.calls.Add(1)
	s.mu.Lock()
	resp, err, delay := s.resp, s.err, s.delay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return proto.Clone(resp).(*podresourcesv1.ListPodResourcesResponse), nil
}

// Pod builds a pod whose containers are given as name → resource → device IDs.
func Pod(namespace, name string, containers ...*podresourcesv1.ContainerResources) *podresourcesv1.PodResources {
	return &podresourcesv1.PodResources{Namespace: namespace, Name: name, Containers: containers}
}

// Container builds a container holding deviceIDs of resource.
func Container(name, resource string, deviceIDs ...string) *podresourcesv1.ContainerResources {
	return &podresourcesv1.ContainerResources{
		Name:    name,
		Devices: []*podresourcesv1.ContainerDevices{{ResourceName: resource, DeviceIds: deviceIDs}},
	}
}
