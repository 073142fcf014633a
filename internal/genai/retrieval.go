package genai

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Document is one retrieved document.
type Document struct {
	ID       string
	Score    float64
	HasScore bool
	Content  string
}

// Retrieval is what a retrieval span asked and got back.
type Retrieval struct {
	Query      string
	Documents  []Document
	DataSource string
	// TopK is the requested number of documents, 0 when not reported.
	TopK  int64
	Shape Shape
}

// MaxDocuments bounds how many documents are read from one span, so a
// malformed or hostile span cannot make the reader allocate without limit.
const MaxDocuments = 1000

// ErrNotRetrieval is returned for spans that are not retrieval operations.
var ErrNotRetrieval = errors.New("not a retrieval span")

// IsRetrievalSpan reports whether the span is a retrieval operation in any
// supported shape.
func IsRetrievalSpan(span ptrace.Span) bool {
	attrs := span.Attributes()
	if Operation(attrs) == semconvOperationRetrieval {
		return true
	}
	if _, ok := attrs.Get(AttrRetrievalDocuments); ok {
		return true
	}
	events := span.Events()
	for i := range events.Len() {
		if events.At(i).Name() == openLLMetryQueryResultEvent {
			return true
		}
	}
	return false
}

// ReadRetrieval reads the query and documents of a retrieval span. The error
// is ErrNotRetrieval for other spans, or says what was malformed; documents
// that could be read are returned with it.
func ReadRetrieval(span ptrace.Span) (Retrieval, error) {
	if !IsRetrievalSpan(span) {
		return Retrieval{}, ErrNotRetrieval
	}
	attrs := span.Attributes()
	r := Retrieval{DataSource: firstStr(attrs, AttrDataSourceID)}
	if v, ok := attrs.Get(AttrRequestTopK); ok {
		r.TopK, _ = AsCount(v)
	} else if v, ok := attrs.Get(openLLMetryVectorQueryTopK); ok {
		r.TopK, _ = AsCount(v)
	}

	var err error
	switch {
	case hasKey(attrs, AttrRetrievalDocuments) || firstStr(attrs, AttrOperationName) == semconvOperationRetrieval:
		r.Shape = ShapeSemconv
		r.Query = firstStr(attrs, AttrRetrievalQueryText)
		if v, ok := attrs.Get(AttrRetrievalDocuments); ok {
			r.Documents, err = DocumentsFromValue(v)
		}
		// Instrumentations that label the operation but keep OpenInference
		// documents: fall through to those.
		if len(r.Documents) == 0 && err == nil {
			r.Documents = openInferenceDocuments(attrs)
		}
	case firstStr(attrs, AttrOISpanKind) == OISpanKindRetriever:
		r.Shape = ShapeOpenInference
		r.Query = firstStr(attrs, AttrOIInputValue)
		r.Documents = openInferenceDocuments(attrs)
	default:
		r.Shape = ShapeOpenLLMetry
		r.Query = firstStr(attrs, openLLMetryQueryText, AttrRetrievalQueryText, openLLMetryEntityInput)
		r.Documents = openLLMetryDocuments(span.Events())
	}
	if r.Query == "" {
		r.Query = firstStr(attrs, AttrOIInputValue)
	}
	return r, err
}

// DocumentsFromValue reads gen_ai.retrieval.documents: a JSON array (as a
// string) or a slice attribute of objects with id, score and content. Keys
// used by common frameworks are accepted too (document_id, text,
// page_content, and a nested "document" or "metadata" object).
func DocumentsFromValue(v pcommon.Value) ([]Document, error) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return ParseDocuments(v.Str())
	case pcommon.ValueTypeSlice:
		return documentsFromAny(v.Slice().AsRaw())
	case pcommon.ValueTypeEmpty:
		return nil, nil
	}
	return nil, fmt.Errorf("%s: want a JSON array or a list, got %s", AttrRetrievalDocuments, v.Type())
}

// ParseDocuments parses a JSON array of retrieved documents.
func ParseDocuments(s string) ([]Document, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var raw []any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("%s: not a JSON array: %w", AttrRetrievalDocuments, err)
	}
	return documentsFromAny(raw)
}

func documentsFromAny(items []any) ([]Document, error) {
	var docs []Document
	var errs []error
	for i, item := range items {
		if len(docs) >= MaxDocuments {
			errs = append(errs, fmt.Errorf("%s: more than %d documents, rest ignored", AttrRetrievalDocuments, MaxDocuments))
			break
		}
		m, ok := item.(map[string]any)
		if !ok {
			if s, ok := item.(string); ok {
				docs = append(docs, Document{Content: s})
				continue
			}
			errs = append(errs, fmt.Errorf("%s[%d]: want an object", AttrRetrievalDocuments, i))
			continue
		}
		if inner, ok := m["document"].(map[string]any); ok {
			m = inner
		}
		d := Document{ID: idString(m["id"])}
		if d.ID == "" {
			d.ID = idString(m["document_id"])
		}
		if meta, ok := m["metadata"].(map[string]any); ok && d.ID == "" {
			d.ID = idString(meta["id"])
		}
		d.Score, d.HasScore = number(m["score"])
		for _, k := range []string{"content", "text", "page_content"} {
			if s, ok := m[k].(string); ok {
				d.Content = s
				break
			}
		}
		docs = append(docs, d)
	}
	return docs, errors.Join(errs...)
}

func openInferenceDocuments(attrs pcommon.Map) []Document {
	byIndex := map[int]*Document{}
	attrs.Range(func(k string, v pcommon.Value) bool {
		if !strings.HasPrefix(k, oiRetrievalDocumentsPrefix) {
			return true
		}
		rest := k[len(oiRetrievalDocumentsPrefix):]
		dot := strings.IndexByte(rest, '.')
		if dot <= 0 {
			return true
		}
		idx, err := strconv.Atoi(rest[:dot])
		if err != nil || idx < 0 || idx >= MaxDocuments {
			return true
		}
		d := byIndex[idx]
		if d == nil {
			d = &Document{}
			byIndex[idx] = d
		}
		switch rest[dot:] {
		case ".document.id":
			d.ID = v.AsString()
		case ".document.content":
			d.Content = v.AsString()
		case ".document.score":
			d.Score, d.HasScore = AsFloat(v)
		}
		return true
	})
	return orderedDocuments(byIndex)
}

func openLLMetryDocuments(events ptrace.SpanEventSlice) []Document {
	var docs []Document
	for i := range events.Len() {
		ev := events.At(i)
		if ev.Name() != openLLMetryQueryResultEvent || len(docs) >= MaxDocuments {
			continue
		}
		a := ev.Attributes()
		d := Document{ID: firstStr(a, openLLMetryQueryResultID), Content: firstStr(a, openLLMetryQueryResultDocument)}
		if v, ok := a.Get(openLLMetryQueryResultScore); ok {
			d.Score, d.HasScore = AsFloat(v)
		}
		docs = append(docs, d)
	}
	return docs
}

func orderedDocuments(byIndex map[int]*Document) []Document {
	if len(byIndex) == 0 {
		return nil
	}
	idxs := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	docs := make([]Document, 0, len(idxs))
	for _, i := range idxs {
		docs = append(docs, *byIndex[i])
	}
	return docs
}

func hasKey(attrs pcommon.Map, key string) bool {
	_, ok := attrs.Get(key)
	return ok
}

func idString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(t, 10)
	}
	return ""
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		// A double in a list attribute can be NaN or infinite; JSON text
		// cannot hold either.
		return t, !math.IsNaN(t) && !math.IsInf(t, 0)
	case int64:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}
