package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"
)

// Ollama writes Go slog text lines (`time=2024-05-01T10:00:00.123Z level=INFO
// source=server.go:626 msg="llama runner started in 2.51 seconds"`), gin access
// lines (`[GIN] 2024/05/01 - 10:00:00 | 200 |  1.234567s |  127.0.0.1 | POST
// "/api/generate"`), early releases Go's standard log
// (`2024/01/31 10:00:00 llama.go:300: msg`), and the output of the llama.cpp
// runner it starts.

func isOllamaLine(s string) bool {
	switch {
	case strings.HasPrefix(s, "[GIN] "), strings.HasPrefix(s, "[GIN-debug] "):
		return true
	case strings.HasPrefix(s, "time=") && strings.Contains(s[:min(len(s), 64)], " level="):
		return true
	}
	// Early releases: Go's standard log with the source file.
	if _, _, _, ok := dateAt(s, 0, '/'); ok && len(s) > 24 && s[10] == ' ' {
		if _, _, _, ok := clockAt(s, 11); ok {
			rest := s[19:min(len(s), 80)]
			return strings.Contains(rest, ".go:")
		}
	}
	return false
}

func (f *File) ollamaHeader(s string, ctime time.Time) header {
	switch {
	case strings.HasPrefix(s, "time="):
		return f.slogHeader(s)
	case strings.HasPrefix(s, "[GIN] "):
		// `[GIN] 2024/05/01 - 10:00:00 | ...`
		h := header{ok: true, msg: s[len("[GIN] "):], prefix: "[GIN] "}
		if y, mo, d, ok := dateAt(s, 6, '/'); ok && strings.HasPrefix(s[16:], " - ") {
			if hh, mm, ss, ok := clockAt(s, 19); ok {
				h.ts = time.Date(y, time.Month(mo), d, hh, mm, ss, 0, f.opts.Location)
			}
		}
		h.sev, h.sevText = SeverityInfo, "INFO"
		return h
	case strings.HasPrefix(s, "[GIN-debug] "):
		return header{ok: true, msg: s[len("[GIN-debug] "):], prefix: "[GIN-debug] ", sev: SeverityDebug, sevText: "DEBUG"}
	}
	// Go's standard log: `2024/01/31 10:00:00 file.go:123: msg`.
	if y, mo, d, ok := dateAt(s, 0, '/'); ok && len(s) > 20 && s[10] == ' ' {
		if hh, mm, ss, ok := clockAt(s, 11); ok {
			h := header{ok: true, ts: time.Date(y, time.Month(mo), d, hh, mm, ss, 0, f.opts.Location)}
			i := 19
			ns, j := fraction(s, i)
			h.ts = h.ts.Add(time.Duration(ns))
			i = j
			if i < len(s) && s[i] == ' ' {
				i++
			}
			if sp := strings.Index(s[i:], ": "); sp > 0 {
				loc := s[i : i+sp]
				if c := strings.LastIndexByte(loc, ':'); c > 0 && strings.HasSuffix(loc[:c], ".go") {
					if n, err := strconv.Atoi(loc[c+1:]); err == nil {
						h.codeFile, h.codeLine = loc[:c], n
						i += sp + 2
					}
				}
			}
			h.msg, h.prefix = s[i:], s[:i]
			return h
		}
	}
	lh := f.llamaHeader(s)
	_ = ctime
	return lh
}

// slogHeader reads the time, level, source and msg keys of a slog text line.
func (f *File) slogHeader(s string) header {
	h := header{ok: true}
	rest := s
	for rest != "" {
		key, val, next, ok := logfmtPair(rest)
		if !ok {
			break
		}
		rest = next
		switch key {
		case "time":
			if ts, _, ok := rfc3339At(val, f.opts.Location); ok {
				h.ts = ts
			}
		case "level":
			h.sev, h.sevText, _ = severityFromWord(val)
		case "source":
			if c := strings.LastIndexByte(val, ':'); c > 0 {
				if n, err := strconv.Atoi(val[c+1:]); err == nil {
					h.codeFile, h.codeLine = val[:c], n
				}
			}
		case "msg":
			h.msg = val
			return h
		}
	}
	if h.msg == "" {
		h.msg = s
	}
	return h
}

// logfmtPair reads `key=value` or `key="quoted value"` at the start of s.
func logfmtPair(s string) (key, val, rest string, ok bool) {
	s = strings.TrimLeft(s, " ")
	eq := strings.IndexByte(s, '=')
	if eq <= 0 || strings.IndexByte(s[:eq], ' ') >= 0 {
		return "", "", "", false
	}
	key = s[:eq]
	v := s[eq+1:]
	if strings.HasPrefix(v, `"`) {
		end := 1
		escaped := false
		for end < len(v) {
			c := v[end]
			if c == '\\' {
				escaped = true
				end += 2
				continue
			}
			if c == '"' {
				break
			}
			end++
		}
		if end >= len(v) {
			return key, v, "", true
		}
		raw := v[:end+1]
		val = raw[1 : len(raw)-1]
		if escaped {
			if u, err := strconv.Unquote(raw); err == nil {
				val = u
			}
		}
		return key, val, v[end+1:], true
	}
	sp := strings.IndexByte(v, ' ')
	if sp < 0 {
		return key, v, "", true
	}
	return key, v[:sp], v[sp:], true
}

func (f *File) ollamaEvent(r *Record, l *line) {
	msg := l.hdr.msg
	switch {
	case strings.HasPrefix(l.text, "[GIN] "):
		f.ginLine(r, msg)
	case strings.Contains(msg, "llama runner started in "):
		_, after, _ := strings.Cut(msg, "llama runner started in ")
		if t, v, ok := number(after); ok {
			r.Kind = KindOllamaRunnerStarted
			r.addNum("seconds", t, v)
		} else {
			r.ParseFailed = true
		}
	default:
		// The llama.cpp runner's timing blocks.
		f.llamaEvent(r, l)
	}
}

// ginLine reads `2024/05/01 - 10:00:00 | 200 |  1.234567s |  127.0.0.1 | POST  "/api/generate"`.
func (f *File) ginLine(r *Record, msg string) {
	var parts [5]string
	n := 0
	for n < 5 {
		bar := strings.Index(msg, " |")
		if bar < 0 || n == 4 {
			parts[n] = strings.TrimSpace(msg)
			n++
			break
		}
		parts[n] = strings.TrimSpace(msg[:bar])
		n++
		msg = strings.TrimLeft(msg[bar+2:], "|")
	}
	if n < 5 {
		r.ParseFailed = true
		return
	}
	statusText, status, ok := number(parts[1])
	latency, ok2 := goDuration(parts[2])
	if !ok || !ok2 {
		r.ParseFailed = true
		return
	}
	method, path, _ := strings.Cut(parts[4], " ")
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, `"`) {
		if u, err := strconv.Unquote(path); err == nil {
			path = u
		}
	}
	r.Kind = KindOllamaGIN
	r.addNum("status", statusText, status)
	r.addConverted("latency_s", latency)
	r.addStr("client_ip", parts[3])
	r.addStr("method", method)
	r.addStr("path", path)
	switch {
	case status >= 500:
		r.Severity, r.SeverityText = SeverityError, "ERROR"
	case status >= 400:
		r.Severity, r.SeverityText = SeverityWarn, "WARN"
	}
}
