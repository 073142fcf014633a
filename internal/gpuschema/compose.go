package gpuschema

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SharedMetadata is metrics.yaml: the resource_attributes, attributes and
// metrics sections every GPU receiver's metadata.yaml is built from.
//
//go:embed metrics.yaml
var SharedMetadata []byte

// Receivers lists, relative to the repository root, the components whose
// metadata.yaml is composed from metadata.header.yaml + SharedMetadata.
var Receivers = []string{"receiver/dcgmreceiver", "receiver/nvmlreceiver"}

// HeaderFile and MetadataFile name the input and output of ComposeMetadata in
// each receiver directory.
const (
	HeaderFile   = "metadata.header.yaml"
	MetadataFile = "metadata.yaml"
)

// sharedSections are the top-level keys owned by SharedMetadata. A header may
// add attributes (for its own telemetry) but never resource attributes or
// metrics: those exist once, here.
var sharedSections = []string{"resource_attributes", "attributes", "metrics"}

const generatedNotice = "# Code generated from metadata.header.yaml and internal/gpuschema/metrics.yaml by\n" +
	"# `go generate ./internal/gpuschema` (part of `make generate`). DO NOT EDIT.\n" +
	"# Edit metadata.header.yaml for this component, metrics.yaml for the GPU schema.\n\n"

// ComposeMetadata returns a receiver's metadata.yaml: its header followed by
// the shared sections. Attributes the header declares for its own telemetry
// are merged with the shared ones; all mapping keys of the shared sections are
// sorted, as mdatagen requires.
func ComposeMetadata(header, shared []byte) ([]byte, error) {
	hdr, err := topMapping(header)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	sh, err := topMapping(shared)
	if err != nil {
		return nil, fmt.Errorf("shared schema: %w", err)
	}
	for _, key := range []string{"resource_attributes", "metrics"} {
		if _, ok := lookup(hdr, key); ok {
			return nil, fmt.Errorf("header: %q belongs to internal/gpuschema/metrics.yaml only", key)
		}
	}
	var headerAttrs *yaml.Node
	if i, ok := lookup(hdr, "attributes"); ok {
		headerAttrs = hdr.Content[i+1]
		hdr.Content = slices.Delete(hdr.Content, i, i+2)
	}
	for _, key := range sharedSections {
		i, ok := lookup(sh, key)
		if !ok {
			return nil, fmt.Errorf("shared schema: missing %q", key)
		}
		k, v := sh.Content[i], sh.Content[i+1]
		if v.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("shared schema: %q is not a mapping", key)
		}
		if key == "attributes" && headerAttrs != nil {
			merged, err := mergeMappings(v, headerAttrs)
			if err != nil {
				return nil, err
			}
			v = merged
		}
		sortMapping(v)
		hdr.Content = append(hdr.Content, k, v)
	}
	// mdatagen also checks the order of the header's telemetry metrics.
	if i, ok := lookup(hdr, "telemetry"); ok && hdr.Content[i+1].Kind == yaml.MappingNode {
		if j, ok := lookup(hdr.Content[i+1], "metrics"); ok && hdr.Content[i+1].Content[j+1].Kind == yaml.MappingNode {
			sortMapping(hdr.Content[i+1].Content[j+1])
		}
	}
	var buf bytes.Buffer
	buf.WriteString(generatedNotice)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{hdr}}
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func topMapping(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("top level is not a mapping")
	}
	top := doc.Content[0]
	// The file's leading comment describes the source file, not the output.
	top.HeadComment = ""
	doc.HeadComment = ""
	return top, nil
}

func lookup(m *yaml.Node, key string) (int, bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i, true
		}
	}
	return 0, false
}

func mergeMappings(shared, header *yaml.Node) (*yaml.Node, error) {
	if header.Kind != yaml.MappingNode {
		return nil, errors.New("header: attributes is not a mapping")
	}
	out := *shared
	out.Content = slices.Clone(shared.Content)
	for i := 0; i+1 < len(header.Content); i += 2 {
		if _, dup := lookup(shared, header.Content[i].Value); dup {
			return nil, fmt.Errorf("header: attribute %q is already defined by the shared GPU schema", header.Content[i].Value)
		}
		out.Content = append(out.Content, header.Content[i], header.Content[i+1])
	}
	return &out, nil
}

func sortMapping(m *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return strings.Compare(a.k.Value, b.k.Value) })
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}
