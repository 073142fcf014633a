package pricing

import (
	_ "embed"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/cost"
)

// EmbeddedYAML is the price table compiled into the collector.
//
//go:embed prices.yaml
var EmbeddedYAML []byte

var embedded = sync.OnceValues(func() (*File, error) {
	f, err := Parse(EmbeddedYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded price table: %w", err)
	}
	if err := f.Validate("embedded price table: "); err != nil {
		return nil, err
	}
	return f, nil
})

// Embedded returns the parsed embedded table. Callers must not modify it.
func Embedded() (*File, error) { return embedded() }

// Layer is a named File: the name prefixes the key paths of Build's errors.
type Layer struct {
	Name string // "embedded price table: ", "prices.file /etc/prices.yaml: ", "prices."
	File *File
}

// Entry is the price of one model under one provider.
type Entry struct {
	Provider string // canonical provider name
	Model    string // the entry's model name (not the alias that matched)
	Source   string
	Date     string
	Price    cost.Price
	// semantics per genai.Shape, resolved at build time.
	semantics [4]cost.Semantics
}

// Semantics returns how counts in the given instrumentation shape relate for
// this entry.
func (e *Entry) Semantics(shape genai.Shape) cost.Semantics {
	if int(shape) < len(e.semantics) {
		return e.semantics[shape]
	}
	return e.semantics[genai.ShapeNone]
}

// Key names the entry, e.g. "anthropic/claude-sonnet-4-5".
func (e *Entry) Key() string { return e.Provider + "/" + e.Model }

// Reason says why a lookup found no price.
type Reason uint8

const (
	Found Reason = iota
	// UnknownProvider: the provider is neither declared nor an alias.
	UnknownProvider
	// UnknownModel: no entry of the provider has this name.
	UnknownModel
	// AmbiguousModel: no provider was reported and providers that sell the
	// model price it differently.
	AmbiguousModel
)

func (r Reason) String() string {
	switch r {
	case UnknownProvider:
		return "unknown_provider"
	case UnknownModel:
		return "unknown_model"
	case AmbiguousModel:
		return "ambiguous_model"
	}
	return "found"
}

// Table is the merged, indexed price table. It is immutable once built and
// safe for concurrent lookups.
type Table struct {
	canonical map[string]string            // provider name or alias → canonical name
	index     map[string]map[string]*Entry // canonical provider → model name → entry
	providers []string                     // canonical names, sorted
	entries   int

	// cache: provider → model name → result. Nested maps keyed by the
	// reported strings avoid building a key per lookup.
	cacheMu   sync.RWMutex
	cache     map[string]map[string]lookupResult
	cacheSize int
}

type lookupResult struct {
	entry  *Entry
	reason Reason
}

// maxCached bounds the lookup cache: model names come from telemetry, and a
// client sending random names must not grow memory without bound.
const maxCached = 8192

// Len is the number of (provider, model) entries.
func (t *Table) Len() int { return t.entries }

// Lookup finds the price of model as served by provider. An empty provider
// matches the model under any provider, as long as every match has the same
// price.
func (t *Table) Lookup(provider, model string) (*Entry, Reason) {
	t.cacheMu.RLock()
	r, ok := t.cache[provider][model]
	t.cacheMu.RUnlock()
	if ok {
		return r.entry, r.reason
	}
	e, reason := t.lookup(provider, model)
	t.cacheMu.Lock()
	if t.cacheSize < maxCached {
		byModel := t.cache[provider]
		if byModel == nil {
			if t.cache == nil {
				t.cache = map[string]map[string]lookupResult{}
			}
			byModel = map[string]lookupResult{}
			t.cache[provider] = byModel
		}
		if _, dup := byModel[model]; !dup {
			byModel[model] = lookupResult{e, reason}
			t.cacheSize++
		}
	}
	t.cacheMu.Unlock()
	return e, reason
}

func (t *Table) lookup(provider, model string) (*Entry, Reason) {
	names := Candidates(model)
	if len(names) == 0 {
		return nil, UnknownModel
	}
	if p := normName(provider); p != "" {
		canon, ok := t.canonical[p]
		if !ok {
			return nil, UnknownProvider
		}
		idx := t.index[canon]
		for _, n := range names {
			if e, ok := idx[n]; ok {
				return e, Found
			}
		}
		return nil, UnknownModel
	}
	var found *Entry
	for _, n := range names {
		for _, p := range t.providers {
			e, ok := t.index[p][n]
			if !ok {
				continue
			}
			if found == nil {
				found = e
			} else if !reflect.DeepEqual(found.Price, e.Price) || found.semantics != e.semantics {
				return nil, AmbiguousModel
			}
		}
		if found != nil {
			return found, Found
		}
	}
	return nil, UnknownModel
}

// Build merges the layers (later layers override earlier ones) and indexes
// the result. Each layer must have passed File.Validate.
//
// Merging: a provider's fields and aliases are combined, later values win; a
// model entry replaces the entry of the same provider and model name from an
// earlier layer, and the earlier entry's aliases lead to the replacement; a
// name claimed by a later layer's entry wins over an earlier alias.
func Build(layers ...Layer) (*Table, error) {
	type provider struct {
		aliases []string
		sem     SemanticsSpec
		layer   string // name of the last layer that declared it
	}
	provs := map[string]*provider{}
	// Provider semantics per layer: a later layer's provider setting beats an
	// earlier layer's model entry (so that prices.providers.anthropic in the
	// config applies to the embedded Claude entries).
	layerSem := make([]map[string]SemanticsSpec, len(layers))
	canonical := map[string]string{}
	shapes := map[string]SemanticsSpec{}
	var errs []error

	for li, l := range layers {
		layerSem[li] = map[string]SemanticsSpec{}
		if l.File == nil {
			continue
		}
		for _, name := range sortedKeys(l.File.Providers) {
			spec := l.File.Providers[name]
			n := normName(name)
			if c, ok := canonical[n]; ok && c != n {
				// An alias of another provider cannot become a provider.
				errs = append(errs, fmt.Errorf("%sproviders.%s: %q is already an alias of provider %q", l.Name, name, n, c))
				continue
			}
			p := provs[n]
			if p == nil {
				p = &provider{}
				provs[n] = p
				canonical[n] = n
			}
			p.sem = mergeSemantics(p.sem, spec.Semantics)
			p.layer = l.Name
			layerSem[li][n] = mergeSemantics(layerSem[li][n], spec.Semantics)
			for i, a := range spec.Aliases {
				a = normName(a)
				if c, ok := canonical[a]; ok && c != n {
					errs = append(errs, fmt.Errorf("%sproviders.%s.aliases[%d]: %q is already a name of provider %q", l.Name, name, i, a, c))
					continue
				}
				canonical[a] = n
				p.aliases = append(p.aliases, a)
			}
		}
		for name, s := range l.File.Shapes {
			shapes[name] = mergeSemantics(shapes[name], s)
		}
	}
	for _, name := range sortedKeys(provs) {
		s := provs[name].sem
		for _, f := range []struct {
			field string
			v     *bool
		}{
			{"input_includes_cache_read", s.InputIncludesCacheRead},
			{"input_includes_cache_creation", s.InputIncludesCacheCreation},
			{"output_includes_reasoning", s.OutputIncludesReasoning},
		} {
			if f.v == nil {
				errs = append(errs, fmt.Errorf("%sproviders.%s.semantics.%s: required: say how this provider counts tokens (see the README)", provs[name].layer, name, f.field))
			}
		}
	}

	// Entries by provider and model name, in layer order.
	type slot struct {
		layer   int
		spec    ModelSpec
		aliases []string
	}
	slots := map[[2]string]*slot{}
	var order [][2]string
	for li, l := range layers {
		if l.File == nil {
			continue
		}
		for i, m := range l.File.Models {
			for j, p := range m.ProviderNames() {
				canon, ok := canonical[normName(p)]
				if !ok {
					at := fmt.Sprintf("%smodels[%d].provider", l.Name, i)
					if m.Provider == "" {
						at = fmt.Sprintf("%smodels[%d].providers[%d]", l.Name, i, j)
					}
					errs = append(errs, fmt.Errorf("%s: unknown provider %q: declare it under providers", at, p))
					continue
				}
				k := [2]string{canon, normName(m.Model)}
				s := slots[k]
				if s == nil {
					s = &slot{}
					slots[k] = s
					order = append(order, k)
				}
				s.layer = li
				s.spec = m
				for _, a := range m.Aliases {
					s.aliases = append(s.aliases, normName(a))
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	t := &Table{canonical: canonical, index: map[string]map[string]*Entry{}}
	for name := range provs {
		t.providers = append(t.providers, name)
		t.index[name] = map[string]*Entry{}
	}
	sort.Strings(t.providers)
	// Index earlier layers first so that later layers' names win.
	sort.SliceStable(order, func(a, b int) bool { return slots[order[a]].layer < slots[order[b]].layer })
	for _, k := range order {
		s := slots[k]
		e := &Entry{
			Provider: k[0],
			Model:    k[1],
			Source:   s.spec.Source,
			Date:     s.spec.Date,
			Price:    resolvePrice(s.spec),
		}
		var base SemanticsSpec
		for li := 0; li <= s.layer; li++ {
			base = mergeSemantics(base, layerSem[li][k[0]])
		}
		base = mergeSemantics(base, s.spec.Semantics)
		for li := s.layer + 1; li < len(layers); li++ {
			base = mergeSemantics(base, layerSem[li][k[0]])
		}
		for shape := range e.semantics {
			sem := base
			if name := genai.Shape(shape).String(); name != "none" {
				if o, ok := shapes[name]; ok {
					sem = mergeSemantics(sem, o)
				}
			}
			e.semantics[shape] = toSemantics(sem)
		}
		idx := t.index[k[0]]
		idx[k[1]] = e
		for _, a := range s.aliases {
			if prev, ok := idx[a]; ok && prev != e && prev.Model == a {
				// An entry's own model name is never taken by an alias.
				continue
			}
			idx[a] = e
		}
		t.entries++
	}
	return t, nil
}

func mergeSemantics(base, over SemanticsSpec) SemanticsSpec {
	if over.InputIncludesCacheRead != nil {
		base.InputIncludesCacheRead = over.InputIncludesCacheRead
	}
	if over.InputIncludesCacheCreation != nil {
		base.InputIncludesCacheCreation = over.InputIncludesCacheCreation
	}
	if over.OutputIncludesReasoning != nil {
		base.OutputIncludesReasoning = over.OutputIncludesReasoning
	}
	if over.CacheWriteTTL != "" {
		base.CacheWriteTTL = over.CacheWriteTTL
	}
	return base
}

func toSemantics(s SemanticsSpec) cost.Semantics {
	out := cost.Semantics{
		InputIncludesCacheRead:     s.InputIncludesCacheRead != nil && *s.InputIncludesCacheRead,
		InputIncludesCacheCreation: s.InputIncludesCacheCreation != nil && *s.InputIncludesCacheCreation,
		OutputIncludesReasoning:    s.OutputIncludesReasoning != nil && *s.OutputIncludesReasoning,
	}
	if s.CacheWriteTTL == "1h" {
		out.CacheWriteTTL = cost.CacheTTL1h
	}
	return out
}

// resolveRates applies the documented fallbacks: cache read and cache write
// default to the input price (a model without caching bills those tokens as
// input), the 1-hour write to the default write, reasoning to output.
func resolveRates(r RatesSpec) cost.Rates {
	val := func(p *float64, def float64) float64 {
		if p == nil {
			return def
		}
		return *p
	}
	out := cost.Rates{Input: val(r.Input, 0), Output: val(r.Output, 0)}
	out.CacheRead = val(r.CacheRead, out.Input)
	out.CacheWrite = val(r.CacheWrite, out.Input)
	out.CacheWrite1h = val(r.CacheWrite1h, out.CacheWrite)
	out.Reasoning = val(r.Reasoning, out.Output)
	return out
}

func resolvePrice(m ModelSpec) cost.Price {
	p := cost.Price{Base: resolveRates(m.RatesSpec)}
	for _, t := range m.Tiers {
		p.Tiers = append(p.Tiers, cost.Tier{AboveInputTokens: t.AboveInputTokens, Rates: resolveRates(t.RatesSpec)})
	}
	return p
}
