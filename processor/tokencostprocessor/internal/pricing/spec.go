// Package pricing holds the token price table: its file format (the embedded
// prices.yaml, an external file, or entries in the collector config), its
// validation, and the lookup of a model's price by provider and model name.
package pricing

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
)

// File is one layer of the price table: the embedded table, an external file
// or the config's inline entries. Layers are merged in that order.
type File struct {
	// Providers declares provider names, their aliases and their counting
	// semantics; a later layer's fields override an earlier one's.
	Providers map[string]ProviderSpec `mapstructure:"providers"`
	// Shapes overrides the semantics for an instrumentation shape
	// (semconv, semconv_legacy, openinference), whatever the provider.
	Shapes map[string]SemanticsSpec `mapstructure:"shapes"`
	// Models are the priced models.
	Models []ModelSpec `mapstructure:"models"`
	// Prevents unkeyed literals.
	_ struct{}
}

// ProviderSpec describes a provider.
type ProviderSpec struct {
	Aliases   []string      `mapstructure:"aliases"`
	Source    string        `mapstructure:"source"`
	Semantics SemanticsSpec `mapstructure:"semantics"`
	_         struct{}
}

// SemanticsSpec is the counting semantics, each field optional so that a
// layer overrides only what it sets.
type SemanticsSpec struct {
	InputIncludesCacheRead     *bool  `mapstructure:"input_includes_cache_read"`
	InputIncludesCacheCreation *bool  `mapstructure:"input_includes_cache_creation"`
	OutputIncludesReasoning    *bool  `mapstructure:"output_includes_reasoning"`
	CacheWriteTTL              string `mapstructure:"cache_write_ttl"`
	_                          struct{}
}

// RatesSpec are prices in USD per 1M tokens.
type RatesSpec struct {
	Input        *float64 `mapstructure:"input"`
	Output       *float64 `mapstructure:"output"`
	CacheRead    *float64 `mapstructure:"cache_read"`
	CacheWrite   *float64 `mapstructure:"cache_write"`
	CacheWrite1h *float64 `mapstructure:"cache_write_1h"`
	Reasoning    *float64 `mapstructure:"reasoning"`
}

// TierSpec is a long-context band.
type TierSpec struct {
	AboveInputTokens int64 `mapstructure:"above_input_tokens"`
	RatesSpec        `mapstructure:",squash"`
}

// ModelSpec is one priced model.
type ModelSpec struct {
	Provider  string   `mapstructure:"provider"`
	Providers []string `mapstructure:"providers"`
	Model     string   `mapstructure:"model"`
	Aliases   []string `mapstructure:"aliases"`
	Source    string   `mapstructure:"source"`
	Date      string   `mapstructure:"date"`
	RatesSpec `mapstructure:",squash"`
	Tiers     []TierSpec    `mapstructure:"tiers"`
	Semantics SemanticsSpec `mapstructure:"semantics"`
}

// ProviderNames returns the providers the entry is sold under.
func (m ModelSpec) ProviderNames() []string {
	if m.Provider != "" {
		return []string{m.Provider}
	}
	return m.Providers
}

// Parse decodes a price table in YAML. Unknown keys are errors, so that a
// misspelt price is never silently ignored.
func Parse(data []byte) (*File, error) {
	r, err := confmap.NewRetrievedFromYAML(data)
	if err != nil {
		return nil, err
	}
	raw, err := r.AsRaw()
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return &File{}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("price table: the top level must be a mapping with providers, shapes and models")
	}
	var f File
	if err := confmap.NewFromStringMap(m).Unmarshal(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// shapeNames are the instrumentation shapes a usage can be read in, named as
// internal/genai names them (Entry.Semantics looks them up by that name).
var shapeNames = []string{genai.ShapeSemconv.String(), genai.ShapeSemconvLegacy.String(), genai.ShapeOpenInference.String()}

// Validate checks one layer on its own; key paths in the errors start with
// prefix (e.g. "prices." for the config's inline entries). Checks that need
// the merged table (that a model's provider is declared) are done by Build.
func (f *File) Validate(prefix string) error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", prefix, path, fmt.Sprintf(format, args...)))
	}

	provOwner := map[string]string{}
	for _, name := range sortedKeys(f.Providers) {
		p := f.Providers[name]
		path := "providers." + name
		if strings.TrimSpace(name) == "" {
			add(path, "provider name must not be empty")
			continue
		}
		claim := func(n, at string) {
			n = normName(n)
			if n == "" {
				add(at, "must not be empty")
				return
			}
			if owner, dup := provOwner[n]; dup && owner != name {
				add(at, "%q is already a name of provider %q", n, owner)
				return
			}
			provOwner[n] = name
		}
		claim(name, path)
		for i, a := range p.Aliases {
			claim(a, fmt.Sprintf("%s.aliases[%d]", path, i))
		}
		if p.Source != "" {
			if err := checkURL(p.Source); err != nil {
				add(path+".source", "%v", err)
			}
		}
		p.Semantics.validate(path+".semantics", add)
	}
	for _, name := range sortedKeys(f.Shapes) {
		if !contains(shapeNames, name) {
			add("shapes."+name, "unknown shape (one of %s)", strings.Join(shapeNames, ", "))
		}
		f.Shapes[name].validate("shapes."+name, add)
	}

	type owner struct {
		path string
	}
	names := map[string]owner{} // provider \x00 name → first path
	for i, m := range f.Models {
		path := fmt.Sprintf("models[%d]", i)
		switch {
		case m.Provider != "" && len(m.Providers) > 0:
			add(path, "set provider or providers, not both")
		case m.Provider == "" && len(m.Providers) == 0:
			add(path+".provider", "required")
		}
		for j, p := range m.Providers {
			if normName(p) == "" {
				add(fmt.Sprintf("%s.providers[%d]", path, j), "must not be empty")
			}
		}
		if normName(m.Model) == "" {
			add(path+".model", "required")
		}
		for j, a := range m.Aliases {
			if normName(a) == "" {
				add(fmt.Sprintf("%s.aliases[%d]", path, j), "must not be empty")
			}
		}
		if m.Date != "" {
			if _, err := time.Parse(time.DateOnly, m.Date); err != nil {
				add(path+".date", "%q is not a date in YYYY-MM-DD form", m.Date)
			}
		}
		if m.Source != "" {
			if err := checkURL(m.Source); err != nil {
				add(path+".source", "%v", err)
			}
		}
		m.RatesSpec.validate(path, true, add)
		last := int64(0)
		for j, t := range m.Tiers {
			tp := fmt.Sprintf("%s.tiers[%d]", path, j)
			switch {
			case t.AboveInputTokens <= 0:
				add(tp+".above_input_tokens", "must be greater than 0, got %d", t.AboveInputTokens)
			case t.AboveInputTokens <= last:
				add(tp+".above_input_tokens", "must be greater than the previous tier's %d, got %d", last, t.AboveInputTokens)
			}
			if t.AboveInputTokens > last {
				last = t.AboveInputTokens
			}
			t.RatesSpec.validate(tp, true, add)
		}
		m.Semantics.validate(path+".semantics", add)

		// A name may lead to one entry per provider within a layer.
		for _, p := range m.ProviderNames() {
			for j, n := range append([]string{m.Model}, m.Aliases...) {
				at := path + ".model"
				if j > 0 {
					at = fmt.Sprintf("%s.aliases[%d]", path, j-1)
				}
				key := normName(p) + "\x00" + normName(n)
				if prev, dup := names[key]; dup && normName(n) != "" {
					add(at, "%q (provider %s) is already named by %s", normName(n), normName(p), prev.path)
					continue
				}
				names[key] = owner{path: at}
			}
		}
	}
	return errors.Join(errs...)
}

func (r RatesSpec) validate(path string, required bool, add func(string, string, ...any)) {
	check := func(name string, v *float64, req bool) {
		switch {
		case v == nil:
			if req {
				add(path+"."+name, "required (USD per 1M tokens)")
			}
		case math.IsNaN(*v) || math.IsInf(*v, 0):
			add(path+"."+name, "must be a finite number")
		case *v < 0:
			add(path+"."+name, "must not be negative, got %v", *v)
		}
	}
	check("input", r.Input, required)
	check("output", r.Output, required)
	check("cache_read", r.CacheRead, false)
	check("cache_write", r.CacheWrite, false)
	check("cache_write_1h", r.CacheWrite1h, false)
	check("reasoning", r.Reasoning, false)
}

func (s SemanticsSpec) validate(path string, add func(string, string, ...any)) {
	switch s.CacheWriteTTL {
	case "", "5m", "1h":
	default:
		add(path+".cache_write_ttl", "must be 5m or 1h, got %q", s.CacheWriteTTL)
	}
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// normName is the form names are compared in.
func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
