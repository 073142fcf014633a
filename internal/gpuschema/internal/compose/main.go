// Command compose writes each GPU receiver's metadata.yaml from its
// metadata.header.yaml and the shared GPU schema (internal/gpuschema/metrics.yaml).
// `go generate ./internal/gpuschema` runs it from that directory.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

func main() {
	root := filepath.Join("..", "..")
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for _, dir := range gpuschema.Receivers {
		if err := compose(filepath.Join(root, dir)); err != nil {
			fmt.Fprintf(os.Stderr, "compose %s: %v\n", dir, err)
			os.Exit(1)
		}
	}
}

func compose(dir string) error {
	header, err := os.ReadFile(filepath.Join(dir, gpuschema.HeaderFile))
	if err != nil {
		return err
	}
	out, err := gpuschema.ComposeMetadata(header, gpuschema.SharedMetadata)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, gpuschema.MetadataFile), out, 0o644)
}
