// Package checkpoint keeps the processor's window state in a storage
// extension (such as file_storage), so that a restart does not blank windows
// that take hours or days to fill again.
package checkpoint

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// key is the storage key of the snapshot.
const key = "slo_burn_rate.state"

// Store reads and writes one snapshot.
type Store struct {
	client storage.Client
}

// Open gets a storage client for the processor id from the extension
// storageID of host.
func Open(ctx context.Context, host component.Host, storageID component.ID, id component.ID) (*Store, error) {
	ext, ok := host.GetExtensions()[storageID]
	if !ok {
		return nil, fmt.Errorf("storage extension %q not found: add it to service.extensions", storageID)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a storage extension", storageID)
	}
	client, err := se.GetClient(ctx, component.KindProcessor, id, "")
	if err != nil {
		return nil, fmt.Errorf("storage extension %q: %w", storageID, err)
	}
	return &Store{client: client}, nil
}

// NewStore wraps a storage client (tests use storage.NewNopClient or an
// in-memory one).
func NewStore(client storage.Client) *Store { return &Store{client: client} }

// Load returns the stored snapshot, or nil when there is none.
func (s *Store) Load(ctx context.Context) ([]byte, error) {
	return s.client.Get(ctx, key)
}

// Save replaces the stored snapshot.
func (s *Store) Save(ctx context.Context, snapshot []byte) error {
	return s.client.Set(ctx, key, snapshot)
}

// Close releases the client.
func (s *Store) Close(ctx context.Context) error { return s.client.Close(ctx) }
