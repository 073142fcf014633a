package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"

	"github.com/buger/jsonparser"
)

// Text Generation Inference logs through Rust's tracing: text lines
// `2024-05-01T10:00:00.123456Z  INFO span{fields}:span2{...}: target: file.rs:123: message fields`,
// or with --json-output one JSON object per line, the message at the top level
// (newer) or under "fields" (older), the current span's fields under "span".

func isTGILine(s string) bool {
	if len(s) > 0 && s[0] == '{' {
		return strings.Contains(s, `"target":"text_generation`)
	}
	_, i, ok := rfc3339At(s, time.UTC)
	if !ok || i >= len(s) || s[i] != ' ' || s[i-1] != 'Z' && !isDigit(s[i-1]) {
		return false
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	end := strings.IndexByte(s[i:], ' ')
	if end < 0 {
		return false
	}
	switch s[i : i+end] {
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR":
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (f *File) tgiHeader(s string) header {
	if len(s) > 0 && s[0] == '{' {
		return f.tgiJSONHeader(s)
	}
	ts, i, ok := rfc3339At(s, f.opts.Location)
	if !ok || i >= len(s) || s[i] != ' ' {
		return header{msg: s}
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	end := strings.IndexByte(s[i:], ' ')
	if end < 0 {
		return header{msg: s}
	}
	sev, text, ok := severityFromWord(s[i : i+end])
	if !ok {
		return header{msg: s}
	}
	i += end + 1
	h := header{ok: true, ts: ts, sev: sev, sevText: text}
	msgStart := i + skipSpansAndTarget(s[i:])
	// `router/src/server.rs:305: `
	if sp := strings.Index(s[msgStart:], ": "); sp > 0 {
		loc := s[msgStart : msgStart+sp]
		if c := strings.LastIndexByte(loc, ':'); c > 0 && strings.HasSuffix(loc[:c], ".rs") {
			if n, err := strconv.Atoi(loc[c+1:]); err == nil {
				h.codeFile, h.codeLine = loc[:c], n
				msgStart += sp + 2
			}
		}
	}
	h.msg = s[msgStart:]
	h.prefix = s[:msgStart]
	return h
}

// skipSpansAndTarget returns the length of `span{...}:span{...}: target: `.
// Spans may carry fields in braces (with quoted strings); the target is the
// last Rust module path (`text_generation_router::server`).
func skipSpansAndTarget(s string) int {
	pos := 0
	for pos < len(s) {
		i := pos
		for i < len(s) && (isIdent(s[i]) || s[i] == '-' || (s[i] == ':' && i+1 < len(s) && s[i+1] == ':') || (s[i] == ':' && i > 0 && s[i-1] == ':')) {
			i++
		}
		if i == pos {
			return pos
		}
		name := s[pos:i]
		if i < len(s) && s[i] == '{' {
			j := skipBraces(s, i)
			if j < 0 {
				return pos
			}
			i = j
			if i < len(s) && s[i] == ':' {
				i++
				if i < len(s) && s[i] == ' ' {
					i++
				}
				pos = i
				continue
			}
			return pos
		}
		if i+1 < len(s) && s[i] == ':' && s[i+1] == ' ' {
			if isModulePath(name) {
				return i + 2
			}
			pos = i + 2 // a span without fields (`shard-manager: `)
			continue
		}
		return pos
	}
	return pos
}

func isIdent(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isModulePath(s string) bool {
	if s == "" || strings.ContainsRune(s, '-') {
		return false
	}
	return strings.Contains(s, "::") || strings.HasPrefix(s, "text_generation")
}

// skipBraces returns the index after the brace block that starts at s[i].
func skipBraces(s string, i int) int {
	depth := 0
	inQuote := false
	for ; i < len(s); i++ {
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
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

func (f *File) tgiJSONHeader(s string) header {
	b := []byte(s)
	h := header{ok: true, json: true}
	if v, err := jsonparser.GetString(b, "timestamp"); err == nil {
		if ts, _, ok := rfc3339At(v, f.opts.Location); ok {
			h.ts = ts
		}
	}
	if v, err := jsonparser.GetString(b, "level"); err == nil {
		h.sev, h.sevText, _ = severityFromWord(v)
	}
	if v, err := jsonparser.GetString(b, "message"); err == nil {
		h.msg = v
	} else if v, err := jsonparser.GetString(b, "fields", "message"); err == nil {
		h.msg = v
	}
	if v, err := jsonparser.GetString(b, "filename"); err == nil {
		h.codeFile = v
		if n, err := jsonparser.GetInt(b, "line_number"); err == nil {
			h.codeLine = int(n)
		}
	}
	return h
}

var tgiDurations = [...]struct{ key, name string }{
	{"total_time", "total_time_s"},
	{"validation_time", "validation_time_s"},
	{"queue_time", "queue_time_s"},
	{"inference_time", "inference_time_s"},
	{"time_per_token", "time_per_token_s"},
}

func (f *File) tgiEvent(r *Record, l *line, lines []line) {
	h := &l.hdr
	msg := h.msg
	switch {
	case msg == "Success" || strings.HasPrefix(msg, "Success "):
		f.tgiSuccess(r, l)
	case strings.HasPrefix(msg, "Shard ready in "):
		// `Shard ready in 10.413837289s rank=0`
		d, _, _ := strings.Cut(msg[len("Shard ready in "):], " ")
		if v, ok := rustDuration(d); ok {
			r.Kind = KindTGIShardReady
			r.addConverted("seconds", v)
		} else {
			r.ParseFailed = true
		}
	case strings.HasPrefix(msg, "Args {") || strings.HasPrefix(msg, "Args{"):
		body := msg
		if len(lines) > 1 {
			body = r.Body
		}
		if _, after, ok := strings.Cut(body, "model_id: "); ok {
			if m := quotedValue(after); m != "" {
				f.ctx.model = m
			}
		}
	}
}

func (f *File) tgiSuccess(r *Record, l *line) {
	n := 0
	if l.hdr.json {
		b := []byte(l.text)
		for _, d := range tgiDurations {
			v, err := jsonparser.GetString(b, "span", d.key)
			if err != nil {
				continue
			}
			if sec, ok := rustDuration(v); ok {
				r.addConverted(d.name, sec)
				n++
			} else {
				r.ParseFailed = true
			}
		}
	} else {
		spans := l.hdr.prefix
		for _, d := range tgiDurations {
			v, ok := quotedAfter(spans, d.key+"=")
			if !ok {
				continue
			}
			if sec, ok := rustDuration(v); ok {
				r.addConverted(d.name, sec)
				n++
			} else {
				r.ParseFailed = true
			}
		}
	}
	if n > 0 {
		r.Kind = KindTGISuccess
	}
}
