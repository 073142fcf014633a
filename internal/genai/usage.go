package genai

import (
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// UsageField is a bit per token count, so that a count of zero and a count
// that was never reported stay distinct.
type UsageField uint8

const (
	FieldInput UsageField = 1 << iota
	FieldOutput
	FieldCacheRead
	FieldCacheCreation
	FieldReasoning
)

// Usage is the token usage of one request as the instrumentation reported it.
// Counts are copied as reported: whether InputTokens already includes the
// cached tokens depends on the provider, and deciding that is the caller's
// business (see the token_cost processor).
type Usage struct {
	InputTokens              int64
	OutputTokens             int64
	CacheReadInputTokens     int64
	CacheCreationInputTokens int64
	ReasoningOutputTokens    int64
	// Present has a bit set for each count that was reported.
	Present UsageField
	// Shape is the convention the input and output counts came from.
	Shape Shape
}

// Has reports whether every field in f was reported.
func (u Usage) Has(f UsageField) bool { return u.Present&f == f }

// Empty reports whether no token count was found.
func (u Usage) Empty() bool { return u.Present == 0 }

type usageSource struct {
	key   string
	field UsageField
	shape Shape
}

// Sources in order of preference: the first key found for a field wins.
var usageSources = []usageSource{
	{AttrUsageInputTokens, FieldInput, ShapeSemconv},
	{AttrUsagePromptTokens, FieldInput, ShapeSemconvLegacy},
	{AttrOITokenPrompt, FieldInput, ShapeOpenInference},
	{AttrUsageOutputTokens, FieldOutput, ShapeSemconv},
	{AttrUsageCompletionTokens, FieldOutput, ShapeSemconvLegacy},
	{AttrOITokenCompletion, FieldOutput, ShapeOpenInference},
	{AttrUsageCacheReadInputTokens, FieldCacheRead, ShapeSemconv},
	{AttrUsageCacheReadInputTokensLegacy, FieldCacheRead, ShapeSemconvLegacy},
	{AttrOITokenPromptCacheRead, FieldCacheRead, ShapeOpenInference},
	{AttrUsageCacheCreationInputTokens, FieldCacheCreation, ShapeSemconv},
	{AttrUsageCacheCreationInputTokensLegacy, FieldCacheCreation, ShapeSemconvLegacy},
	{AttrOITokenPromptCacheWrite, FieldCacheCreation, ShapeOpenInference},
	{AttrUsageReasoningOutputTokens, FieldReasoning, ShapeSemconv},
	{AttrOITokenCompletionReasoning, FieldReasoning, ShapeOpenInference},
}

// ReadUsage returns the token usage found in attrs, in any supported shape.
// Counts may be ints, integral doubles or decimal strings; negative or
// non-numeric values are ignored as if absent.
func ReadUsage(attrs pcommon.Map) Usage {
	var u Usage
	for _, src := range usageSources {
		if u.Present&src.field != 0 {
			continue
		}
		v, ok := attrs.Get(src.key)
		if !ok {
			continue
		}
		n, ok := AsCount(v)
		if !ok {
			continue
		}
		u.Present |= src.field
		switch src.field {
		case FieldInput:
			u.InputTokens = n
			u.Shape = src.shape
		case FieldOutput:
			u.OutputTokens = n
			if u.Shape == ShapeNone {
				u.Shape = src.shape
			}
		case FieldCacheRead:
			u.CacheReadInputTokens = n
		case FieldCacheCreation:
			u.CacheCreationInputTokens = n
		case FieldReasoning:
			u.ReasoningOutputTokens = n
		}
	}
	return u
}

// AsCount reads a non-negative integer from an int, an integral double or a
// decimal string value.
func AsCount(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		n := v.Int()
		return n, n >= 0
	case pcommon.ValueTypeDouble:
		f := v.Double()
		if f < 0 || f != math.Trunc(f) || f > math.MaxInt64/2 {
			return 0, false
		}
		return int64(f), true
	case pcommon.ValueTypeStr:
		n, err := strconv.ParseInt(strings.TrimSpace(v.Str()), 10, 64)
		return n, err == nil && n >= 0
	}
	return 0, false
}

// AsFloat reads a number from an int, double or numeric string value.
func AsFloat(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		f := v.Double()
		return f, !math.IsNaN(f) && !math.IsInf(f, 0)
	case pcommon.ValueTypeStr:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str()), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}
