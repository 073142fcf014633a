package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
)

// Options configure the reading of one file.
type Options struct {
	// Format forces the server format; Unknown detects it from the lines.
	Format Format
	// Container says how the runtime wrapped the lines (Auto detects it).
	Container container.Mode
	// Location is the time zone of timestamps that carry none (default UTC).
	Location *time.Location
	// Now returns the current time: the year of timestamps without one, when
	// the container runtime did not stamp the line (default time.Now).
	Now func() time.Time
	// MaxGroupLines bounds a multi-line record (default 1000).
	MaxGroupLines int
	// MaxLineBytes bounds a line joined from partial container lines
	// (default 1 MiB).
	MaxLineBytes int
	// LinesAreOwned says the caller hands each line's bytes over for good
	// (a fresh slice per line that nobody writes again), so records may
	// keep them without a copy.
	LinesAreOwned bool
}

// Stats counts what went wrong while reading a file; the counts only grow.
type Stats struct {
	// ContainerMalformed counts lines that did not follow the file's
	// container format (emitted as they are).
	ContainerMalformed int64
}

// line is one logical line: unwrapped, ANSI codes stripped, header read.
type line struct {
	text   string
	stream string
	ctime  time.Time
	num    int
	hdr    header
}

// File reads the lines of one log file in order. It keeps what spans lines:
// the detected format, partial container lines, the multi-line record being
// grouped, and server context (the model, a llama.cpp timing block). It is
// not safe for concurrent use.
type File struct {
	opts   Options
	format Format
	// strong: the format was forced or detected from a line that only that
	// server writes; a weak guess (llama.cpp) may still turn into Ollama.
	strong bool
	unwrap *container.Unwrapper
	phys   int

	group group
	ctx   serverContext
	rec   Record
	stats Stats

	emit  func(*Record)
	strip []byte

	// now caches Options.Now: timestamps without a year only need the
	// current date, not a clock read per line.
	now      time.Time
	nowCalls int
	// stamp caches the last year-less stamp read: consecutive lines mostly
	// share their second.
	stamp stampCache
}

type stampCache struct {
	key    [6]int
	refDay int64
	t      time.Time
}

// yearless returns the time of a stamp without a year (see inferYear).
func (f *File) yearless(month, day, hour, minute, sec, nsec int, ctime time.Time) time.Time {
	ref := f.ref(ctime)
	key := [6]int{month, day, hour, minute, sec, nsec}
	refDay := ref.Unix() / 86400 // the year chosen depends on the reference date only
	if key == f.stamp.key && refDay == f.stamp.refDay && !f.stamp.t.IsZero() {
		return f.stamp.t
	}
	t := inferYear(month, day, hour, minute, sec, nsec, ref, f.opts.Location)
	f.stamp = stampCache{key: key, refDay: refDay, t: t}
	return t
}

// NewFile starts reading a file.
func NewFile(opts Options) *File {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxGroupLines <= 0 {
		opts.MaxGroupLines = 1000
	}
	f := &File{
		opts:   opts,
		format: opts.Format,
		strong: opts.Format != Unknown,
		unwrap: container.NewUnwrapper(opts.Container, opts.MaxLineBytes),
	}
	return f
}

// Format returns the file's format: forced, detected, or Unknown.
func (f *File) Format() Format { return f.format }

// ContainerMode returns the container wrapping in use (Auto before the first
// line).
func (f *File) ContainerMode() container.Mode { return f.unwrap.Mode() }

// Stats returns the file's counts.
func (f *File) Stats() Stats { return f.stats }

// Pending reports whether lines are held: a partial container line or a
// record that the next line may still continue.
func (f *File) Pending() bool { return f.unwrap.Pending() || len(f.group.lines) > 0 }

// Line reads one line of the file, as it is on disk without its newline, and
// calls emit for each record it completes. The record is valid during the
// call only.
func (f *File) Line(raw []byte, emit func(*Record)) {
	f.phys++
	f.emit = emit
	if err := f.unwrap.Push(raw, f.onUnwrapped); err != nil {
		f.stats.ContainerMalformed++
	}
	f.emit = nil
}

// Flush emits everything held: the file ended or went quiet.
func (f *File) Flush(emit func(*Record)) {
	f.emit = emit
	f.nowCalls = 0
	if l, ok := f.unwrap.Flush(); ok {
		f.onUnwrapped(l)
	}
	f.flushGroup()
	f.emit = nil
}

func (f *File) onUnwrapped(l container.Line) {
	text := l.Text
	owned := f.opts.LinesAreOwned && !l.Buffered
	if len(text) > 0 && text[len(text)-1] == '\r' {
		text = text[:len(text)-1]
	}
	// StripANSI edits in place: work on a copy when there is something to
	// strip, so the caller's buffer is left alone.
	if hasESC(text) {
		f.strip = append(f.strip[:0], text...)
		text = StripANSI(f.strip)
		owned = false
	}
	if !utf8.Valid(text) {
		text = bytes.ToValidUTF8(text, []byte("\uFFFD"))
		owned = true // a fresh slice
	}
	var s string
	if owned && len(text) > 0 {
		// Nobody writes these bytes again: the string may share them.
		s = unsafe.String(&text[0], len(text))
	} else {
		s = string(text)
	}
	if !f.strong {
		f.detect(s)
	}
	ln := line{text: s, stream: l.Stream, ctime: l.Time, num: f.phys}
	ln.hdr = f.parseHeader(s, l.Time)
	f.push(&ln)
}

func hasESC(b []byte) bool { return bytes.IndexByte(b, 0x1b) >= 0 }

// ref is the time that timestamps without a year are placed near.
func (f *File) ref(ctime time.Time) time.Time {
	if !ctime.IsZero() {
		return ctime
	}
	if f.nowCalls == 0 {
		f.now = f.opts.Now()
	}
	f.nowCalls = (f.nowCalls + 1) % 1024
	return f.now
}

// detect looks for a line that tells which server wrote the file.
func (f *File) detect(s string) {
	got, strong := Detect(s)
	if got == Unknown {
		return
	}
	if f.format == LlamaCpp && got == LlamaCpp {
		return
	}
	f.format, f.strong = got, strong
}

// Detect tells which server wrote a line, if the line shows it, and whether
// only that server writes such lines (strong) or others embed them too
// (Ollama runs llama.cpp and prints its lines).
func Detect(s string) (Format, bool) {
	switch {
	case isVLLMLine(s):
		return VLLM, true
	case isTritonLine(s):
		return Triton, true
	case isTGILine(s):
		return TGI, true
	case isSGLangLine(s):
		return SGLang, true
	case isOllamaLine(s):
		return Ollama, true
	case isLlamaCppLine(s):
		return LlamaCpp, false
	}
	return Unknown, false
}

// header is what a line's prefix says.
type header struct {
	ok       bool
	msg      string
	prefix   string
	sev      Severity
	sevText  string
	ts       time.Time
	codeFile string
	codeLine int
	pid      int
	thread   int
	proc     string
	tags     string
	// json: the line is a JSON object (TGI --json-output, llama.cpp).
	json bool
}

func (f *File) parseHeader(s string, ctime time.Time) header {
	switch f.format {
	case VLLM:
		return f.vllmHeader(s, ctime)
	case TGI:
		return f.tgiHeader(s)
	case LlamaCpp:
		return f.llamaHeader(s)
	case SGLang:
		return f.sglangHeader(s)
	case Ollama:
		return f.ollamaHeader(s, ctime)
	case Triton:
		return f.tritonHeader(s, ctime)
	}
	return header{msg: s}
}

// groupMode says why lines are being held together.
type groupMode uint8

const (
	modeNone groupMode = iota
	// modeSameCall: a vLLM line; the next lines continue it when they carry
	// the very same prefix (one logging call printed several lines).
	modeSameCall
	// modeColon: a header line ending with ':'; unprefixed lines continue it.
	modeColon
	// modeBracket: a header line ending with an open bracket; unprefixed
	// lines continue it until the brackets balance.
	modeBracket
	// modeHeaderful: Triton; unprefixed lines continue the last header line.
	modeHeaderful
	modeTraceback
	modeGoPanic
	modeRustPanic
)

type group struct {
	mode  groupMode
	lines []line
	depth int
	// traceback: the exception line was seen.
	sawException bool
	// sameCall: the message turned into a traceback.
	inTraceback bool
	// blanks: trailing empty lines held tentatively (tracebacks, panics).
	blanks int
	// closed: the group ended with the last line (bracket balanced, Go
	// panic's exit status, Rust panic's note).
	closed bool
}

func (f *File) push(l *line) {
	g := &f.group
	if len(g.lines) > 0 {
		if !g.closed && f.continues(l) {
			if len(g.lines) >= f.opts.MaxGroupLines {
				// Full: hand out what is held and go on grouping the rest
				// (a huge traceback becomes several records, none lost).
				if l.text == "" && g.blanks > 0 {
					g.blanks-- // continues counted this line, not yet held
				}
				mode, depth, closed := g.mode, g.depth, g.closed
				f.flushGroup()
				*g = group{mode: mode, depth: depth, lines: append(g.lines[:0], *l)}
				if closed {
					f.flushGroup()
				}
				return
			}
			g.lines = append(g.lines, *l)
			if g.closed {
				f.flushGroup()
			}
			return
		}
		f.flushGroup()
	}
	mode := f.startMode(l)
	if mode == modeNone {
		f.emitLines(l, nil)
		return
	}
	*g = group{mode: mode, lines: append(g.lines[:0], *l)}
	if mode == modeBracket {
		g.depth = bracketDepth(l.hdr.msg)
	}
}

// startMode says whether a line may be continued by the next ones.
func (f *File) startMode(l *line) groupMode {
	h := &l.hdr
	if !h.ok {
		switch {
		case strings.HasPrefix(l.text, "Traceback (most recent call last)"):
			return modeTraceback
		case strings.HasPrefix(l.text, "panic: ") || strings.HasPrefix(l.text, "fatal error: "):
			return modeGoPanic
		case isRustPanic(l.text):
			return modeRustPanic
		}
		return modeNone
	}
	if isRustPanic(h.msg) {
		return modeRustPanic
	}
	switch f.format {
	case VLLM:
		if h.prefix != "" {
			return modeSameCall
		}
	case Triton:
		return modeHeaderful
	case TGI, SGLang:
		if h.json {
			return modeNone
		}
		m := strings.TrimRight(h.msg, " ")
		if strings.HasSuffix(m, ":") {
			return modeColon
		}
		if endsWithOpener(m) && bracketDepth(m) > 0 {
			return modeBracket
		}
	}
	return modeNone
}

// continues says whether l belongs to the group being held. It may close
// the group (the line ends it).
func (f *File) continues(l *line) bool {
	g := &f.group
	first := &g.lines[0]
	h := &l.hdr
	switch g.mode {
	case modeSameCall:
		if !h.ok || h.prefix != first.hdr.prefix {
			return false
		}
		if strings.HasPrefix(h.msg, "Traceback (most recent call last)") {
			g.inTraceback = true
			return true
		}
		return g.inTraceback || h.msg == "" || h.msg[0] == ' ' || h.msg[0] == '\t' || isChainMarker(h.msg)
	case modeColon, modeHeaderful:
		if h.ok || startsRawGroup(l.text) {
			return false
		}
		if l.text == "" {
			g.blanks++
		} else {
			g.blanks = 0
		}
		return true
	case modeBracket:
		if h.ok || startsRawGroup(l.text) {
			return false
		}
		g.depth += bracketDepth(l.text)
		if g.depth <= 0 {
			g.closed = true
		}
		return true
	case modeTraceback:
		if h.ok {
			return false
		}
		return f.tracebackContinues(l.text)
	case modeGoPanic:
		if h.ok {
			return false
		}
		t := l.text
		if t == "" {
			g.blanks++
			return true
		}
		if goPanicLine(t) {
			g.blanks = 0
			if strings.HasPrefix(t, "exit status ") {
				g.closed = true
			}
			return true
		}
		return false
	case modeRustPanic:
		if h.ok || l.text == "" || strings.HasPrefix(l.text, "thread '") {
			return false
		}
		if strings.HasPrefix(l.text, "note: ") {
			g.closed = true
		}
		return true
	}
	return false
}

func (f *File) tracebackContinues(t string) bool {
	g := &f.group
	switch {
	case t == "":
		g.blanks++
		return true
	case t[0] == ' ' || t[0] == '\t':
	case strings.HasPrefix(t, "Traceback (most recent call last)"), isChainMarker(t):
		g.sawException = false
	case !g.sawException && isExceptionLine(t):
		g.sawException = true
	default:
		return false
	}
	g.blanks = 0
	return true
}

func isChainMarker(t string) bool {
	return strings.HasPrefix(t, "During handling of the above exception") ||
		strings.HasPrefix(t, "The above exception was the direct cause") ||
		strings.HasPrefix(t, "Traceback (most recent call last)")
}

// isExceptionLine matches `pkg.module.ErrorName: message` or `ErrorName`.
func isExceptionLine(t string) bool {
	i := 0
	for i < len(t) {
		c := t[i]
		if c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			i++
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	return i == len(t) || t[i] == ':'
}

func isRustPanic(t string) bool {
	return strings.HasPrefix(t, "thread '") && strings.Contains(t, "' panicked at")
}

// startsRawGroup: an unprefixed line that starts its own group even where
// unprefixed lines continue the previous record.
func startsRawGroup(t string) bool {
	return strings.HasPrefix(t, "panic: ") || strings.HasPrefix(t, "fatal error: ") || isRustPanic(t)
}

// goPanicLine matches the lines of a Go panic's report.
func goPanicLine(t string) bool {
	switch {
	case t[0] == '\t' || t[0] == ' ':
		return true
	case strings.HasPrefix(t, "goroutine "), strings.HasPrefix(t, "created by "),
		strings.HasPrefix(t, "exit status "), strings.HasPrefix(t, "[signal "),
		strings.HasPrefix(t, "panic: "), strings.HasPrefix(t, "panic("),
		strings.HasPrefix(t, "fatal error: "), strings.HasPrefix(t, "runtime stack:"),
		strings.HasPrefix(t, "PC="), strings.HasPrefix(t, "SIG"), strings.HasPrefix(t, "signal "):
		return true
	}
	// A frame: `pkg/path.Func(args...)` or `main.main()`.
	open := strings.IndexByte(t, '(')
	return open > 0 && !strings.ContainsAny(t[:open], " ") && strings.HasSuffix(t, ")")
}

func endsWithOpener(m string) bool {
	if m == "" {
		return false
	}
	switch m[len(m)-1] {
	case '{', '(', '[':
		return true
	}
	return false
}

// bracketDepth counts opening minus closing brackets outside double quotes.
func bracketDepth(s string) int {
	depth := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inQuote {
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
			continue
		}
		switch c {
		case '"':
			inQuote = true
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		}
	}
	return depth
}

// flushGroup emits the held group; trailing empty lines held tentatively
// become records of their own.
func (f *File) flushGroup() {
	g := &f.group
	if len(g.lines) == 0 {
		return
	}
	lines := g.lines
	var trailing []line
	if g.blanks > 0 && g.blanks < len(lines) {
		trailing = lines[len(lines)-g.blanks:]
		lines = lines[:len(lines)-g.blanks]
	}
	if len(lines) == 1 {
		f.emitLines(&lines[0], nil)
	} else {
		f.emitLines(&lines[0], lines)
	}
	for i := range trailing {
		f.emitLines(&trailing[i], nil)
	}
	// The slots keep their old lines until overwritten: at most
	// multiline.max_lines strings stay reachable a little longer.
	*g = group{lines: g.lines[:0]}
}

// emitLines builds the record of first (and the rest of lines, when it is a
// group) and hands it out.
func (f *File) emitLines(first *line, lines []line) {
	r := &f.rec
	r.reset()
	h := &first.hdr
	r.Format = f.format
	r.Line = first.num
	r.Lines = 1
	r.Body = first.text
	if len(lines) > 1 {
		r.Lines = len(lines)
		n := len(lines) - 1
		for i := range lines {
			n += len(lines[i].text)
		}
		var b strings.Builder
		b.Grow(n)
		for i := range lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(lines[i].text)
		}
		r.Body = b.String()
	}
	r.Message = h.msg
	r.Stream = first.stream
	r.Severity, r.SeverityText = h.sev, h.sevText
	if r.Severity == SeverityUnset && len(lines) > 1 {
		switch f.group.mode {
		case modeTraceback:
			r.Severity, r.SeverityText = SeverityError, "ERROR"
		case modeGoPanic, modeRustPanic:
			r.Severity, r.SeverityText = SeverityFatal, "FATAL"
		}
	}
	r.Time = h.ts
	if r.Time.IsZero() {
		r.Time = first.ctime
	}
	if h.codeFile != "" {
		r.Attrs = append(r.Attrs, Attr{Key: "code.file.path", Str: h.codeFile})
		if h.codeLine > 0 {
			r.Attrs = append(r.Attrs, Attr{Key: "code.line.number", Int: int64(h.codeLine), IsInt: true})
		}
	}
	if h.pid > 0 {
		r.Attrs = append(r.Attrs, Attr{Key: "process.pid", Int: int64(h.pid), IsInt: true})
	}
	if h.proc != "" {
		r.Attrs = append(r.Attrs, Attr{Key: "inference.process.name", Str: h.proc})
	}
	if h.thread > 0 {
		r.Attrs = append(r.Attrs, Attr{Key: "thread.id", Int: int64(h.thread), IsInt: true})
	}
	if h.tags != "" {
		r.addRankTags(h.tags)
	}
	if f.format != Unknown {
		f.parseEvent(r, first, lines)
	}
	r.Model = f.ctx.model
	if f.emit != nil {
		f.emit(r)
	}
}

// parseEvent reads the statistics of a record, by format.
func (f *File) parseEvent(r *Record, first *line, lines []line) {
	switch f.format {
	case VLLM:
		f.vllmEvent(r, first)
	case TGI:
		f.tgiEvent(r, first, lines)
	case LlamaCpp:
		f.llamaEvent(r, first)
	case SGLang:
		f.sglangEvent(r, first)
	case Ollama:
		f.ollamaEvent(r, first)
	case Triton:
		f.tritonEvent(r, first)
	}
}

// serverContext is what earlier lines of a file said that later lines need.
type serverContext struct {
	model string
	// llama.cpp timing block.
	timing llamaTiming
	// Triton models being loaded, by name: when the loading line was seen.
	tritonLoading map[string]time.Time
	// SGLang weight load start.
	sglangLoadStart time.Time
}
