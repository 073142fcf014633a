package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
)

// fuzzFormat feeds arbitrary lines to a File of one format and checks what
// must hold for any input: no panic, and every line ends up in exactly one
// record (the lines of all records add up to the lines read).
func fuzzFormat(f *testing.F, format Format, dir string) {
	// Seeds are the sample lines in small windows: whole files make each
	// new-coverage input slow to minimise.
	seeds, _ := filepath.Glob(filepath.Join("testdata", dir, "*.log"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i += 3 {
			f.Add(strings.Join(lines[i:min(i+3, len(lines))], "\n"))
		}
	}
	f.Add("")
	f.Add("\n\n\x1b[")
	f.Fuzz(func(t *testing.T, data string) {
		pf := NewFile(Options{Format: format, Container: container.None, MaxGroupLines: 7,
			Now: func() time.Time { return goldenNow }})
		lines := strings.Split(data, "\n")
		records, grouped := 0, 0
		emit := func(r *Record) {
			records++
			grouped += r.Lines
			if r.Lines < 1 || r.Lines > 7 {
				t.Fatalf("record of %d lines", r.Lines)
			}
			if r.Line < 1 || r.Line > len(lines) {
				t.Fatalf("record starts at line %d of %d", r.Line, len(lines))
			}
			if r.Kind >= NumKinds {
				t.Fatalf("kind %d", r.Kind)
			}
			_ = AppendJSON(nil, "f", r)
			_ = AppendRecordJSON(nil, "f", r)
		}
		for _, l := range lines {
			pf.Line([]byte(l), emit)
		}
		pf.Flush(emit)
		if grouped != len(lines) {
			t.Fatalf("%d lines in, %d lines in %d records out", len(lines), grouped, records)
		}
		if pf.Pending() {
			t.Fatal("lines still held after Flush")
		}
	})
}

func FuzzVLLM(f *testing.F)     { fuzzFormat(f, VLLM, "vllm") }
func FuzzTGI(f *testing.F)      { fuzzFormat(f, TGI, "tgi") }
func FuzzLlamaCpp(f *testing.F) { fuzzFormat(f, LlamaCpp, "llamacpp") }
func FuzzSGLang(f *testing.F)   { fuzzFormat(f, SGLang, "sglang") }
func FuzzOllama(f *testing.F)   { fuzzFormat(f, Ollama, "ollama") }
func FuzzTriton(f *testing.F)   { fuzzFormat(f, Triton, "triton") }

// FuzzDetect: detection on arbitrary lines, with every server's samples as
// seeds.
func FuzzDetect(f *testing.F) { fuzzFormat(f, Unknown, "*") }

// FuzzContainerWrapped: CRI and docker wrapped input through the whole file
// pipeline never panics, and nothing is held after Flush.
func FuzzContainerWrapped(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "container", "*.log"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(string(data))
		}
	}
	f.Fuzz(func(t *testing.T, data string) {
		pf := NewFile(Options{MaxLineBytes: 256, MaxGroupLines: 5})
		n := 0
		emit := func(*Record) { n++ }
		lines := strings.Split(data, "\n")
		for _, l := range lines {
			pf.Line([]byte(l), emit)
		}
		pf.Flush(emit)
		if pf.Pending() {
			t.Fatal("lines still held after Flush")
		}
		if n > len(lines)+1 {
			t.Fatalf("%d records from %d lines", n, len(lines))
		}
	})
}
