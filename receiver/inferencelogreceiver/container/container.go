// Package container unwraps the lines that container runtimes write around a
// program's output (CRI, as containerd and CRI-O write it, and docker's
// json-file driver), joins the partial lines they split long output into, and
// reads namespace, pod and container from Kubernetes log paths.
package container // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/buger/jsonparser"
)

// Mode says how the lines of a file are wrapped.
type Mode uint8

const (
	// Auto decides from the first line of each file.
	Auto Mode = iota
	// None: the file holds the program's output as it printed it.
	None
	// CRI: `<RFC3339Nano> stdout|stderr F|P <message>` lines.
	CRI
	// Docker: docker json-file lines, `{"log":"...","stream":"...","time":"..."}`.
	Docker
)

// String returns the configuration name of the mode.
func (m Mode) String() string {
	switch m {
	case Auto:
		return "auto"
	case None:
		return "none"
	case CRI:
		return "cri"
	case Docker:
		return "docker"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode reads a configuration name (auto, none, cri, docker).
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "auto":
		return Auto, nil
	case "none":
		return None, nil
	case "cri":
		return CRI, nil
	case "docker":
		return Docker, nil
	}
	return Auto, fmt.Errorf("%q is not a container log format (auto, none, cri, docker)", s)
}

// Line is one line of the program's output, unwrapped.
type Line struct {
	// Text is the program's line without the runtime's wrapping and without
	// its line ending. It may alias the input or the unwrapper's buffer: it is
	// valid until the next call.
	Text []byte
	// Stream is "stdout" or "stderr" when the runtime recorded it.
	Stream string
	// Time is when the runtime received the line (zero when not wrapped).
	Time time.Time
	// Parts is the number of runtime lines joined into this one (1 when the
	// line was not split).
	Parts int
	// Buffered: Text is the unwrapper's own buffer (a joined or unescaped
	// line), reused by the next call. Otherwise Text is part of the line
	// given to Push.
	Buffered bool
}

// ErrMalformed marks a line that does not follow the file's container format.
// The line is returned as it is, so nothing is lost.
var ErrMalformed = errors.New("line does not follow the container log format")

// Unwrapper unwraps the lines of one file. It is not safe for concurrent use.
type Unwrapper struct {
	mode    Mode
	maxSize int

	partial       []byte
	partialStream string
	partialTime   time.Time
	partialParts  int

	docBuf []byte
}

// NewUnwrapper returns an unwrapper for one file. maxSize bounds a joined
// line: past it, the line is emitted in pieces rather than grown without end
// (0 means 1 MiB).
func NewUnwrapper(mode Mode, maxSize int) *Unwrapper {
	if maxSize <= 0 {
		maxSize = 1 << 20
	}
	return &Unwrapper{mode: mode, maxSize: maxSize}
}

// Mode returns the mode in use: the configured one, or the one detected from
// the first line (Auto until a line was seen).
func (u *Unwrapper) Mode() Mode { return u.mode }

// Detect guesses the wrapping of a file from one of its lines.
func Detect(line []byte) Mode {
	if len(line) > 8 && line[0] == '{' && bytes.Contains(line[:min(len(line), 64)], []byte(`"log":`)) {
		return Docker
	}
	if _, _, _, _, ok := splitCRI(line); ok {
		return CRI
	}
	return None
}

// Push takes one line as the runtime wrote it (without its newline) and
// calls emit with each line it completes: none while a partial line is held,
// one usually, two when a held partial line can no longer be completed. A
// line that does not follow the file's format is emitted unchanged and Push
// returns ErrMalformed. The Line passed to emit is valid during the call only.
func (u *Unwrapper) Push(raw []byte, emit func(Line)) error {
	if u.mode == Auto {
		u.mode = Detect(raw)
	}
	switch u.mode {
	case CRI:
		ts, stream, full, msg, ok := splitCRI(raw)
		if !ok {
			u.malformed(raw, emit)
			return ErrMalformed
		}
		t, _ := parseRFC3339(ts)
		u.join(msg, stream, t, full, false, emit)
		return nil
	case Docker:
		text, stream, ts, buffered, ok := u.splitDocker(raw)
		if !ok {
			u.malformed(raw, emit)
			return ErrMalformed
		}
		// docker splits output longer than 16 KiB into entries without the
		// trailing newline; the entry that ends the line has it.
		complete := len(text) > 0 && text[len(text)-1] == '\n'
		if complete {
			text = text[:len(text)-1]
			if len(text) > 0 && text[len(text)-1] == '\r' {
				text = text[:len(text)-1]
			}
		}
		t, _ := parseRFC3339(ts)
		u.join(text, stream, t, complete, buffered, emit)
		return nil
	}
	emit(Line{Text: raw, Parts: 1})
	return nil
}

// malformed hands out the held partial line, then the damaged line as it is.
func (u *Unwrapper) malformed(raw []byte, emit func(Line)) {
	if l, ok := u.Flush(); ok {
		emit(l)
	}
	emit(Line{Text: raw, Parts: 1})
}

// Pending reports whether a partial line is held.
func (u *Unwrapper) Pending() bool { return u.partialParts > 0 }

// Flush returns the held partial line, if any, as a line of its own: the
// file ended (or went quiet) before the runtime wrote the rest. The line is
// valid until the next call.
func (u *Unwrapper) Flush() (Line, bool) {
	if u.partialParts == 0 {
		return Line{}, false
	}
	l := Line{Text: u.partial, Stream: u.partialStream, Time: u.partialTime, Parts: u.partialParts, Buffered: true}
	u.resetPartial()
	return l, true
}

// resetPartial forgets the held line; it only reslices, so a Line handed out
// just before stays valid until the next append.
func (u *Unwrapper) resetPartial() {
	u.partial = u.partial[:0]
	u.partialParts = 0
	u.partialStream = ""
	u.partialTime = time.Time{}
}

// join adds a piece to the held partial line and emits the line once a piece
// completes it (or it grew past maxSize).
func (u *Unwrapper) join(text []byte, stream string, ts time.Time, complete, buffered bool, emit func(Line)) {
	if u.partialParts > 0 && stream != u.partialStream {
		// Runtimes keep the streams apart: a piece of the other stream means
		// the held line will not be completed (a damaged file). Hand it out.
		l, _ := u.Flush()
		emit(l)
	}
	if u.partialParts == 0 {
		if complete {
			emit(Line{Text: text, Stream: stream, Time: ts, Parts: 1, Buffered: buffered})
			return
		}
		u.partialStream, u.partialTime = stream, ts
	}
	u.partial = append(u.partial, text...)
	u.partialParts++
	if complete || len(u.partial) >= u.maxSize {
		l, _ := u.Flush()
		emit(l)
	}
}

// splitCRI splits `<time> <stream> <tag> <message>`. The tag is `F` (full)
// or `P` (partial), possibly followed by other `:`-separated flags.
func splitCRI(raw []byte) (ts []byte, stream string, full bool, msg []byte, ok bool) {
	sp := bytes.IndexByte(raw, ' ')
	// The shortest RFC 3339 time is 20 bytes (2006-01-02T15:04:05Z).
	if sp < 20 || sp > 40 || raw[4] != '-' || raw[10] != 'T' {
		return nil, "", false, nil, false
	}
	ts = raw[:sp]
	rest := raw[sp+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
		stream, rest = "stdout", rest[7:]
	case bytes.HasPrefix(rest, []byte("stderr ")):
		stream, rest = "stderr", rest[7:]
	default:
		return nil, "", false, nil, false
	}
	end := bytes.IndexByte(rest, ' ')
	tag := rest
	if end >= 0 {
		tag, msg = rest[:end], rest[end+1:]
	}
	if len(tag) == 0 || (tag[0] != 'F' && tag[0] != 'P') || (len(tag) > 1 && tag[1] != ':') {
		return nil, "", false, nil, false
	}
	return ts, stream, tag[0] == 'F', msg, true
}

// splitDocker reads the log, stream and time keys of a json-file line.
func (u *Unwrapper) splitDocker(raw []byte) (text []byte, stream string, ts []byte, buffered, ok bool) {
	var logVal []byte
	var logType jsonparser.ValueType
	found := false
	err := jsonparser.ObjectEach(raw, func(key, value []byte, dataType jsonparser.ValueType, _ int) error {
		switch string(key) {
		case "log":
			logVal, logType, found = value, dataType, true
		case "stream":
			switch string(value) {
			case "stdout":
				stream = "stdout"
			case "stderr":
				stream = "stderr"
			default:
				stream = string(value)
			}
		case "time":
			ts = value
		}
		return nil
	})
	if err != nil || !found || logType != jsonparser.String {
		return nil, "", nil, false, false
	}
	if bytes.IndexByte(logVal, '\\') < 0 {
		return logVal, stream, ts, false, true
	}
	u.docBuf, err = unescapeInto(u.docBuf[:0], logVal)
	if err != nil {
		return nil, "", nil, false, false
	}
	return u.docBuf, stream, ts, true, true
}

// unescapeInto decodes a JSON string body (without quotes) into dst.
func unescapeInto(dst, src []byte) ([]byte, error) {
	// jsonparser.Unescape writes into the buffer it is given when it is large
	// enough; give it the spare capacity of dst.
	need := len(src)
	if cap(dst) < need {
		dst = make([]byte, 0, need)
	}
	out, err := jsonparser.Unescape(src, dst[:need])
	if err != nil {
		return dst, err
	}
	return out, nil
}

// parseRFC3339 reads the runtime's timestamp. The common UTC form with
// nanoseconds is read by hand: it is on every line.
func parseRFC3339(b []byte) (time.Time, bool) {
	if len(b) >= 20 && b[len(b)-1] == 'Z' && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' {
		year, ok1 := atoiN(b[0:4])
		month, ok2 := atoiN(b[5:7])
		day, ok3 := atoiN(b[8:10])
		hour, ok4 := atoiN(b[11:13])
		minute, ok5 := atoiN(b[14:16])
		sec, ok6 := atoiN(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && sec < 61 {
			nsec := 0
			frac := b[19 : len(b)-1]
			if len(frac) > 0 {
				if frac[0] != '.' || len(frac) == 1 || len(frac) > 10 {
					goto slow
				}
				digits := frac[1:]
				n, ok := atoiN(digits)
				if !ok {
					goto slow
				}
				for i := len(digits); i < 9; i++ {
					n *= 10
				}
				nsec = n
			}
			return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
		}
	}
slow:
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func atoiN(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
