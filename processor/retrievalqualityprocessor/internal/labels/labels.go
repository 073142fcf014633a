// Package labels reads relevance labels: which documents should have been
// retrieved for a query, with a relevance grade each. Labels come from an
// attribute on the retrieval span (set by an evaluation harness) or from a
// file keyed by query text (for evaluation runs that replay a fixed set of
// questions).
//
// Accepted shapes, as JSON text or as the equivalent attribute value:
//
//	["kb-101", "kb-105"]                           every id grade 1
//	{"kb-101": 3, "kb-105": 1}                     id → grade
//	[{"id": "kb-101", "relevance": 3}, ...]        objects ("grade" works too; default 1)
//	kb-101,kb-105                                  plain text, comma-separated ids
//
// A grade of 0 marks a document judged not relevant; grades must be finite
// and not negative.
package labels

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Grades maps a document id to its relevance grade.
type Grades map[string]float64

// MaxEntries bounds the labels of one query, so a hostile attribute cannot
// make the reader allocate without limit.
const MaxEntries = 1000

// FromValue reads labels from an attribute value: a JSON string, plain
// comma-separated ids, a list or a map.
func FromValue(v pcommon.Value) (Grades, error) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return Parse(v.Str())
	case pcommon.ValueTypeSlice:
		return fromAny(v.Slice().AsRaw())
	case pcommon.ValueTypeMap:
		return fromAny(v.Map().AsRaw())
	case pcommon.ValueTypeEmpty:
		return nil, nil
	}
	return nil, fmt.Errorf("want a list, a map or a string, got %s", v.Type())
}

// Parse reads labels from text: JSON (an array or an object) or
// comma-separated ids.
func Parse(s string) (Grades, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s[0] == '[' || s[0] == '{' {
		var raw any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		if err := d.Decode(&raw); err != nil {
			return nil, fmt.Errorf("not valid JSON: %w", err)
		}
		if d.More() {
			return nil, errors.New("not valid JSON: data after the value")
		}
		return fromAny(raw)
	}
	g := Grades{}
	for id := range strings.SplitSeq(s, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if len(g) >= MaxEntries {
			return nil, fmt.Errorf("more than %d labels", MaxEntries)
		}
		g[id] = 1
	}
	return g, nil
}

func fromAny(raw any) (Grades, error) {
	g := Grades{}
	switch t := raw.(type) {
	case []any:
		if len(t) > MaxEntries {
			return nil, fmt.Errorf("more than %d labels", MaxEntries)
		}
		for i, item := range t {
			id, grade, err := entry(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			g.add(id, grade)
		}
	case map[string]any:
		if len(t) > MaxEntries {
			return nil, fmt.Errorf("more than %d labels", MaxEntries)
		}
		for id, v := range t {
			if id == "" {
				return nil, errors.New("empty document id")
			}
			grade, err := gradeOf(v)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", id, err)
			}
			g.add(id, grade)
		}
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("want a list or an object, got %T", raw)
	}
	return g, nil
}

// add keeps the higher grade when an id is listed twice.
func (g Grades) add(id string, grade float64) {
	if old, ok := g[id]; !ok || grade > old {
		g[id] = grade
	}
}

func entry(item any) (string, float64, error) {
	switch t := item.(type) {
	case map[string]any:
		id := idOf(t["id"])
		if id == "" {
			id = idOf(t["document_id"])
		}
		if id == "" {
			return "", 0, errors.New("object without an id")
		}
		grade := 1.0
		for _, k := range []string{"relevance", "grade"} {
			if v, ok := t[k]; ok {
				g, err := gradeOf(v)
				if err != nil {
					return "", 0, fmt.Errorf("%s: %w", k, err)
				}
				grade = g
				break
			}
		}
		return id, grade, nil
	default:
		id := idOf(t)
		if id == "" {
			return "", 0, fmt.Errorf("want an id or an object, got %s", describe(item))
		}
		return id, 1, nil
	}
}

func idOf(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case json.Number:
		return t.String()
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}

func gradeOf(v any) (float64, error) {
	var f float64
	switch t := v.(type) {
	case json.Number:
		var err error
		if f, err = t.Float64(); err != nil {
			return 0, fmt.Errorf("grade %s is not a number", t)
		}
	case float64:
		f = t
	case int64:
		f = float64(t)
	case int:
		f = float64(t)
	case bool:
		if t {
			f = 1
		}
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(t), 64); err != nil {
			return 0, fmt.Errorf("grade %q is not a number", t)
		}
	default:
		return 0, fmt.Errorf("grade must be a number, got %s", describe(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("grade %v must be a finite number >= 0", f)
	}
	return f, nil
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
