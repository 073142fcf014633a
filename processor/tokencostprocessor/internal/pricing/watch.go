package pricing

import (
	"crypto/sha256"
	"fmt"
	"os"
	"time"
)

// maxFileSize bounds an external price file; the embedded table is ~25 KB.
const maxFileSize = 16 << 20

// FileWatcher reads an external price file and reports when its content
// changed. It polls (modification time and size, then a content hash) rather
// than relying on file system events, which Kubernetes ConfigMap volumes
// (updated through symlink swaps) do not deliver reliably.
type FileWatcher struct {
	Path string

	modTime time.Time
	size    int64
	sum     [sha256.Size]byte
	loaded  bool
}

// Poll returns the parsed file when it is new or changed since the last
// successful Poll, nil when unchanged, or an error when it cannot be read or is
// invalid (the caller keeps the previous table). Key paths in errors start
// with "prices.file <path>: ".
func (w *FileWatcher) Poll() (*File, error) {
	fi, err := os.Stat(w.Path)
	if err != nil {
		return nil, fmt.Errorf("prices.file: %w", err)
	}
	if w.loaded && fi.ModTime().Equal(w.modTime) && fi.Size() == w.size {
		return nil, nil
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("prices.file %s: %d bytes, more than the %d allowed", w.Path, fi.Size(), maxFileSize)
	}
	data, err := os.ReadFile(w.Path)
	if err != nil {
		return nil, fmt.Errorf("prices.file: %w", err)
	}
	sum := sha256.Sum256(data)
	if w.loaded && sum == w.sum {
		w.modTime, w.size = fi.ModTime(), fi.Size()
		return nil, nil
	}
	prefix := w.Prefix()
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s%w", prefix, err)
	}
	if err := f.Validate(prefix); err != nil {
		return nil, err
	}
	w.modTime, w.size, w.sum, w.loaded = fi.ModTime(), fi.Size(), sum, true
	return f, nil
}

// Prefix is the key path prefix of errors about this file.
func (w *FileWatcher) Prefix() string { return "prices.file " + w.Path + ": " }
