// Package parser reads the logs of inference servers: it detects which server
// wrote a file, groups multi-line records, strips ANSI colour codes, reads
// severity and timestamps, and recognises the lines that carry statistics
// (throughput, queue depth, KV-cache usage, per-request timings, model load
// times). The inference_log receiver and the inferencelog-parse command share
// it, so both see exactly the same thing.
package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import "fmt"

// Format is the inference server whose log format a file follows.
type Format uint8

const (
	// Unknown: not detected (yet). In configuration, "auto".
	Unknown Format = iota
	VLLM
	TGI
	LlamaCpp
	SGLang
	Ollama
	Triton
	numFormats
)

var formatNames = [numFormats]string{"", "vllm", "tgi", "llamacpp", "sglang", "ollama", "triton"}

// String returns the server's name as used in configuration and in the
// gen_ai.provider.name attribute; "" for Unknown.
func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// Formats lists every known server format.
func Formats() []Format { return []Format{VLLM, TGI, LlamaCpp, SGLang, Ollama, Triton} }

// ParseFormat reads a configuration name: auto (or empty) for detection, or a
// server name.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return Unknown, nil
	}
	for f := VLLM; f < numFormats; f++ {
		if formatNames[f] == s {
			return f, nil
		}
	}
	return Unknown, fmt.Errorf("%q is not a known format (auto, vllm, tgi, llamacpp, sglang, ollama, triton)", s)
}

// Severity follows the OpenTelemetry log data model's severity numbers.
type Severity int32

const (
	SeverityUnset Severity = 0
	SeverityTrace Severity = 1
	SeverityDebug Severity = 5
	SeverityInfo  Severity = 9
	SeverityWarn  Severity = 13
	SeverityError Severity = 17
	SeverityFatal Severity = 21
)

// severityFromWord maps the level words servers print. It returns the
// canonical text as a constant so records share it.
func severityFromWord(w string) (Severity, string, bool) {
	switch w {
	case "INFO", "info", "Info", "I":
		return SeverityInfo, "INFO", true
	case "WARNING", "WARN", "warning", "warn", "W":
		return SeverityWarn, "WARN", true
	case "ERROR", "ERR", "error", "E":
		return SeverityError, "ERROR", true
	case "DEBUG", "debug", "D", "VERB", "DBG":
		return SeverityDebug, "DEBUG", true
	case "TRACE", "trace", "T":
		return SeverityTrace, "TRACE", true
	case "CRITICAL", "FATAL", "critical", "fatal", "F", "PANIC":
		return SeverityFatal, "FATAL", true
	}
	return SeverityUnset, "", false
}
