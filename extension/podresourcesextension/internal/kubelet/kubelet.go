// Package kubelet calls the kubelet pod-resources v1 API over its unix socket.
package kubelet // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/kubelet"

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	podresourcesv1 "k8s.io/kubelet/pkg/apis/podresources/v1"
)

// maxResponseBytes bounds a List answer; the kubelet's own client allows the
// same 16 MiB, enough for thousands of pods.
const maxResponseBytes = 16 << 20

// ErrSocketNotFound: nothing exists at the socket path (no kubelet on this
// host, or the hostPath mount is missing from the collector's pod).
var ErrSocketNotFound = errors.New("pod-resources socket not found")

// Reasons a List call failed, as Reason reports them.
const (
	ReasonSocketNotFound = "socket_not_found"
	ReasonTimeout        = "timeout"
	ReasonUnavailable    = "unavailable"
	ReasonKubeletError   = "kubelet_error"
)

// Client lists pod resources. It keeps one connection while calls succeed
// and drops it after a failure, so that the next call dials a kubelet that
// has restarted, or a socket that has appeared, at once rather than after
// gRPC's reconnect backoff.
type Client struct {
	path    string
	timeout time.Duration

	mu   sync.Mutex
	conn *grpc.ClientConn
}

// New returns a client for the socket at path; each call gives up after timeout.
func New(path string, timeout time.Duration) *Client {
	return &Client{path: path, timeout: timeout}
}

// List asks the kubelet which devices each container holds.
func (c *Client) List(ctx context.Context) (*podresourcesv1.ListPodResourcesResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// gRPC would report a missing socket as a generic connection failure;
	// checking first lets the log say what to fix.
	fi, err := os.Stat(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		c.closeLocked()
		return nil, fmt.Errorf("%w at %s", ErrSocketNotFound, c.path)
	}
	if err == nil && fi.Mode().Type() != fs.ModeSocket {
		c.closeLocked()
		return nil, fmt.Errorf("%w: %s is not a unix socket", ErrSocketNotFound, c.path)
	}
	if c.conn == nil {
		conn, err := grpc.NewClient("unix://"+c.path,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponseBytes)))
		if err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", c.path, err)
		}
		c.conn = conn
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := podresourcesv1.NewPodResourcesListerClient(c.conn).List(ctx, &podresourcesv1.ListPodResourcesRequest{})
	if err != nil {
		c.closeLocked()
		return nil, fmt.Errorf("kubelet pod-resources List at %s: %w", c.path, err)
	}
	return resp, nil
}

// Close releases the connection; a later List dials again.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeLocked()
}

func (c *Client) closeLocked() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}

// Reason names the kind of a List error for counters and status.
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrSocketNotFound):
		return ReasonSocketNotFound
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		return ReasonTimeout
	case codes.Unavailable:
		return ReasonUnavailable
	}
	return ReasonKubeletError
}
