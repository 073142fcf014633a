//go:build !cgo

package nvmlsource // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"

// New returns the NVML source; without cgo it cannot open.
func New() Source { return noCgo{} }

type noCgo struct{}

func (noCgo) Open(Options) (Info, error) { return Info{}, ErrNoCgo }
func (noCgo) Read() Result               { return Result{} }
func (noCgo) Close() error               { return nil }
