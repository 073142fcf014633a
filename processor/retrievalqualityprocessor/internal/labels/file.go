package labels

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Index holds the labels of a file, by normalised query text.
type Index struct {
	byQuery map[string]Grades
}

// File is the labels file: YAML (or JSON, which YAML reads too).
//
//	queries:
//	  - query: How do I reset the password on my account?
//	    relevant: [kb-101]
//	  - query: Summarise the refund policy for annual plans.
//	    relevant: {kb-102: 3, kb-107: 1}
type file struct {
	Queries []struct {
		Query    string `yaml:"query"`
		Relevant any    `yaml:"relevant"`
	} `yaml:"queries"`
}

// MaxFileBytes bounds the labels file read into memory.
const MaxFileBytes = 64 << 20

// LoadFile reads and parses a labels file.
func LoadFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileBytes)
	}
	return ParseFile(data)
}

// ParseFile parses the content of a labels file. Errors name the entry
// (queries[3].relevant: ...).
func ParseFile(data []byte) (*Index, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file: want a queries list")
		}
		return nil, err
	}
	ix := &Index{byQuery: make(map[string]Grades, len(f.Queries))}
	first := map[string]int{}
	for i, q := range f.Queries {
		key := NormalizeQuery(q.Query)
		if key == "" {
			return nil, fmt.Errorf("queries[%d].query: empty", i)
		}
		if j, dup := first[key]; dup {
			return nil, fmt.Errorf("queries[%d].query: same query as queries[%d]", i, j)
		}
		first[key] = i
		var (
			g   Grades
			err error
		)
		if s, ok := q.Relevant.(string); ok {
			g, err = Parse(s)
		} else {
			g, err = fromAny(normalizeYAML(q.Relevant))
		}
		if err != nil {
			return nil, fmt.Errorf("queries[%d].relevant%s", i, joinPath(err))
		}
		if len(g) == 0 {
			return nil, fmt.Errorf("queries[%d].relevant: no documents", i)
		}
		ix.byQuery[key] = g
	}
	return ix, nil
}

// joinPath prefixes an error with ": " unless it starts with an index.
func joinPath(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "[") {
		return s
	}
	return ": " + s
}

// normalizeYAML turns the map[string]any / map[any]any / int shapes of the
// YAML decoder into the JSON-like shapes fromAny reads.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalizeYAML(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizeYAML(e)
		}
		return out
	}
	return v
}

// Lookup returns the labels of a query.
func (ix *Index) Lookup(query string) (Grades, bool) {
	if ix == nil {
		return nil, false
	}
	g, ok := ix.byQuery[NormalizeQuery(query)]
	return g, ok
}

// Len returns the number of labelled queries.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.byQuery)
}

// NormalizeQuery makes the lookup key of a query: lower case, runs of
// white space as one space, no white space at the ends.
func NormalizeQuery(q string) string {
	return strings.ToLower(strings.Join(strings.Fields(q), " "))
}
