// Command inferencelog-parse shows what the inference_log receiver reads in
// inference server logs: one JSON object per statistics line,
//
//	{"server":"vllm","file":"vllm.log","line":12,"kind":"vllm_stats_v1","fields":{...}}
//
// numbers as the log printed them, durations converted to seconds. With
// -records it prints every record instead (after container unwrapping and
// multi-line grouping). It uses the receiver's parser package, so it sees
// exactly what the receiver sees.
//
//	go run ./cmd/inferencelog-parse [-format auto] [-container auto] [-timezone UTC] [-records] FILE...
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "inferencelog-parse:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inferencelog-parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formatName := fs.String("format", "auto", "server format: auto, vllm, tgi, llamacpp, sglang, ollama, triton")
	containerName := fs.String("container", "auto", "container log wrapping: auto, none, cri, docker")
	tz := fs.String("timezone", "UTC", "time zone of timestamps that carry none (IANA name or Local)")
	records := fs.Bool("records", false, "print every record, not only statistics lines")
	maxLine := fs.Int("max-line-bytes", 1<<20, "longest line read")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: inferencelog-parse [flags] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no files given")
	}
	format, err := parser.ParseFormat(*formatName)
	if err != nil {
		return fmt.Errorf("-format: %w", err)
	}
	mode, err := container.ParseMode(*containerName)
	if err != nil {
		return fmt.Errorf("-container: %w", err)
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("-timezone: %w", err)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	for _, name := range fs.Args() {
		opts := parser.Options{Format: format, Container: mode, Location: loc, MaxLineBytes: *maxLine}
		if err := parseFile(name, opts, *records, *maxLine, out); err != nil {
			return err
		}
	}
	return out.Flush()
}

func parseFile(name string, opts parser.Options, records bool, maxLine int, out *bufio.Writer) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return Parse(f, name, opts, records, maxLine, out)
}

// Parse reads one log and writes its JSON lines.
func Parse(r io.Reader, name string, opts parser.Options, records bool, maxLine int, out io.Writer) error {
	var buf []byte
	emit := func(rec *parser.Record) {
		switch {
		case records:
			buf = parser.AppendRecordJSON(buf[:0], name, rec)
		case rec.Kind != parser.KindNone:
			buf = parser.AppendJSON(buf[:0], name, rec)
		default:
			return
		}
		buf = append(buf, '\n')
		_, _ = out.Write(buf)
	}
	pf := parser.NewFile(opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		pf.Line(sc.Bytes(), emit)
	}
	pf.Flush(emit)
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
