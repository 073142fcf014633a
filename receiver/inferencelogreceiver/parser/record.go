package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Kind names a statistics-bearing line.
type Kind uint8

const (
	KindNone Kind = iota
	KindVLLMStatsV0
	KindVLLMStatsV1
	KindVLLMSpecDecode
	KindVLLMSpecDecodeV0
	KindVLLMPrefixCacheV0
	KindVLLMModelLoad
	KindVLLMEngineInit
	KindVLLMCUDAGraph
	KindTGISuccess
	KindTGIShardReady
	KindLlamaCppTimings
	KindLlamaCppLoad
	KindSGLangPrefill
	KindSGLangDecode
	KindSGLangWeightsLoaded
	KindSGLangCUDAGraph
	KindOllamaGIN
	KindOllamaRunnerStarted
	KindTritonModelLoading
	KindTritonModelLoaded
	KindTritonModelUnloading
	KindTritonModelUnloaded
	KindTritonModelLoadFailed
	NumKinds
)

var kindNames = [NumKinds]string{
	"",
	"vllm_stats_v0",
	"vllm_stats_v1",
	"vllm_spec_decode",
	"vllm_spec_decode_v0",
	"vllm_prefix_cache_v0",
	"vllm_model_load",
	"vllm_engine_init",
	"vllm_cuda_graph",
	"tgi_success",
	"tgi_shard_ready",
	"llamacpp_timings",
	"llamacpp_load",
	"sglang_prefill",
	"sglang_decode",
	"sglang_weights_loaded",
	"sglang_cuda_graph",
	"ollama_gin",
	"ollama_runner_started",
	"triton_model_loading",
	"triton_model_loaded",
	"triton_model_unloading",
	"triton_model_unloaded",
	"triton_model_load_failed",
}

// String returns the kind's name as the command prints it.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Field is one value read from a statistics line.
type Field struct {
	Name string
	// Value is the number (durations in seconds); unset for string fields.
	Value float64
	// Text is the number exactly as the log printed it ("" when the value
	// was converted, e.g. a duration), or the value of a string field.
	Text string
	// IsString marks a string field (Text holds it).
	IsString bool
}

// Attr is an attribute read from a line's header (code location, process).
type Attr struct {
	Key   string
	Str   string
	Int   int64
	IsInt bool
}

// Record is one log record: one line, or several grouped (a traceback, a
// panic, a multi-line dump). The parser reuses it between calls: copy what
// you keep.
type Record struct {
	// Body is the record's text: lines joined with "\n", container wrapping
	// and ANSI codes removed.
	Body string
	// Message is the first line's message, after the server's header.
	Message string
	// Line is the number (from 1) of the file line the record starts on; for
	// llama.cpp timing blocks, the line that ends the block.
	Line int
	// Lines is how many lines were grouped into the record.
	Lines int
	// Time is when the server wrote the record: from its own header, else from
	// the container runtime; zero when neither says.
	Time         time.Time
	Severity     Severity
	SeverityText string
	// Stream is stdout or stderr when the container runtime recorded it.
	Stream string
	Format Format
	// Kind is set on statistics lines; Fields holds their values.
	Kind   Kind
	Fields []Field
	// Attrs holds header attributes (code.file.path, process.pid, ...).
	Attrs []Attr
	// Model is the model the server serves, when its log named it.
	Model string
	// EngineID is the engine that printed vLLM V1 statistics.
	EngineID string
	// ParseFailed marks a line that looked like a statistics line whose
	// numbers could not all be read.
	ParseFailed bool

	// tritonModel is the model a Triton lifecycle line names.
	tritonModel string
}

func (r *Record) reset() {
	fields, attrs := r.Fields[:0], r.Attrs[:0]
	*r = Record{Fields: fields, Attrs: attrs}
}

func (r *Record) addNum(name, text string, v float64) {
	r.Fields = append(r.Fields, Field{Name: name, Value: v, Text: text})
}

func (r *Record) addConverted(name string, v float64) {
	r.Fields = append(r.Fields, Field{Name: name, Value: v})
}

func (r *Record) addStr(name, v string) {
	r.Fields = append(r.Fields, Field{Name: name, Text: v, IsString: true})
}

// EventModel returns the model the record's statistics are about: the model
// a Triton lifecycle line names, else the model the log named earlier.
func (r *Record) EventModel() string {
	if r.tritonModel != "" {
		return r.tritonModel
	}
	return r.Model
}

// Field returns the named field.
func (r *Record) Field(name string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// AppendJSON appends the command's view of a statistics record:
// {"server":...,"file":...,"line":N,"kind":...,"fields":{...}}.
func AppendJSON(dst []byte, file string, r *Record) []byte {
	dst = append(dst, `{"server":`...)
	dst = appendJSONString(dst, r.Format.String())
	dst = append(dst, `,"file":`...)
	dst = appendJSONString(dst, file)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(r.Line), 10)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, r.Kind.String())
	dst = append(dst, `,"fields":{`...)
	for i, f := range r.Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, f.Name)
		dst = append(dst, ':')
		switch {
		case f.IsString:
			dst = appendJSONString(dst, f.Text)
		case f.Text != "" && isJSONNumber(f.Text):
			dst = append(dst, f.Text...)
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			dst = append(dst, "null"...)
		default:
			dst = strconv.AppendFloat(dst, f.Value, 'g', -1, 64)
		}
	}
	return append(dst, "}}"...)
}

func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// isJSONNumber reports whether s is a number in JSON's grammar, so it can be
// printed as the log printed it.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// AppendRecordJSON appends a summary of any record (statistics or not), for
// looking at how lines were grouped and read: file, line, lines, server,
// severity, time, kind and body.
func AppendRecordJSON(dst []byte, file string, r *Record) []byte {
	dst = append(dst, `{"file":`...)
	dst = appendJSONString(dst, file)
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(r.Line), 10)
	dst = append(dst, `,"lines":`...)
	dst = strconv.AppendInt(dst, int64(r.Lines), 10)
	dst = append(dst, `,"server":`...)
	dst = appendJSONString(dst, r.Format.String())
	dst = append(dst, `,"severity":`...)
	dst = appendJSONString(dst, r.SeverityText)
	dst = append(dst, `,"time":`...)
	if r.Time.IsZero() {
		dst = append(dst, `""`...)
	} else {
		dst = appendJSONString(dst, r.Time.UTC().Format(time.RFC3339Nano))
	}
	if r.Stream != "" {
		dst = append(dst, `,"stream":`...)
		dst = appendJSONString(dst, r.Stream)
	}
	if r.Kind != KindNone {
		dst = append(dst, `,"kind":`...)
		dst = appendJSONString(dst, r.Kind.String())
	}
	if m := r.EventModel(); m != "" {
		dst = append(dst, `,"model":`...)
		dst = appendJSONString(dst, m)
	}
	if r.ParseFailed {
		dst = append(dst, `,"parse_failed":true`...)
	}
	if len(r.Attrs) > 0 {
		dst = append(dst, `,"attrs":{`...)
		for i, a := range r.Attrs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, a.Key)
			dst = append(dst, ':')
			if a.IsInt {
				dst = strconv.AppendInt(dst, a.Int, 10)
			} else {
				dst = appendJSONString(dst, a.Str)
			}
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"body":`...)
	dst = appendJSONString(dst, r.Body)
	return append(dst, '}')
}

// FieldNames lists the names of the fields the parser reads (so callers can
// prepare what they derive from them).
func FieldNames() []string {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, specs := range [][]fieldSpec{vllmStatsSpecs, vllmSpecDecodeSpecs, vllmSpecDecodeV0Specs, vllmPrefixCacheV0Specs, sglangPrefillSpecs, sglangDecodeSpecs} {
		for _, s := range specs {
			add(s.name)
		}
	}
	for _, d := range tgiDurations {
		add(d.name)
	}
	for _, n := range otherFieldNames {
		add(n)
	}
	return names
}

// otherFieldNames are the fields not read through a spec table.
var otherFieldNames = []string{
	"engine", "memory_gib", "seconds", "memory_gb", "prompt_ms", "prompt_tokens", "generation_ms",
	"generation_tokens", "total_ms", "load_ms", "status", "latency_s", "client_ip", "method", "path",
	"model", "version", "load_duration_s", "reason",
}
