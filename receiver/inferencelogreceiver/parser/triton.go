package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"

	"github.com/buger/jsonparser"
)

// Triton logs like glog: `I0917 08:10:55.123456 1 model_lifecycle.cc:469] msg`
// (severity letter, month and day without a year, local time, thread id,
// source), or with --log-format=ISO8601 `2024-09-17T08:10:55Z I
// model_lifecycle.cc:469] msg`. Since 24.x the message is a JSON-escaped,
// quoted string, so a table or config dump spans one line with `\n` escapes;
// older releases print such dumps over several unprefixed lines.

func isTritonLine(s string) bool {
	if len(s) > 21 && strings.IndexByte("IWEF", s[0]) >= 0 && s[5] == ' ' {
		if _, ok := digits(s, 1, 4); ok {
			_, _, _, ok := clockAt(s, 6)
			return ok && s[14] == '.'
		}
	}
	if len(s) > 23 && s[10] == 'T' {
		_, i, ok := rfc3339At(s, time.UTC)
		return ok && i+3 < len(s) && s[i] == ' ' && strings.IndexByte("IWEF", s[i+1]) >= 0 && s[i+2] == ' '
	}
	return false
}

func (f *File) tritonHeader(s string, ctime time.Time) header {
	var h header
	i := 0
	switch {
	case len(s) > 21 && strings.IndexByte("IWEF", s[0]) >= 0 && s[5] == ' ':
		mo, ok1 := digits(s, 1, 2)
		d, ok2 := digits(s, 3, 2)
		hh, mm, ss, ok3 := clockAt(s, 6)
		if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
			return header{msg: s}
		}
		ns, j := fraction(s, 14)
		h.ts = f.yearless(mo, d, hh, mm, ss, ns, ctime)
		h.sev, h.sevText, _ = severityFromWord(s[:1])
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k > j {
			h.thread, _ = strconv.Atoi(s[j:k])
		}
		i = k
		if i < len(s) && s[i] == ' ' {
			i++
		}
	case len(s) > 23 && s[10] == 'T':
		ts, j, ok := rfc3339At(s, f.opts.Location)
		if !ok || j+3 >= len(s) || s[j] != ' ' || s[j+2] != ' ' {
			return header{msg: s}
		}
		sev, text, ok := severityFromWord(s[j+1 : j+2])
		if !ok {
			return header{msg: s}
		}
		h.ts, h.sev, h.sevText = ts, sev, text
		i = j + 3
	default:
		return header{msg: s}
	}
	// `file.cc:123] `
	end := strings.Index(s[i:], "]")
	if end < 0 {
		return header{msg: s}
	}
	loc := s[i : i+end]
	if c := strings.LastIndexByte(loc, ':'); c > 0 && strings.IndexByte(loc, ' ') < 0 {
		if n, err := strconv.Atoi(loc[c+1:]); err == nil {
			h.codeFile, h.codeLine = loc[:c], n
		}
	}
	i += end + 1
	if i < len(s) && s[i] == ' ' {
		i++
	}
	h.ok = true
	h.prefix = s[:i]
	h.msg = s[i:]
	if len(h.msg) >= 2 && h.msg[0] == '"' && h.msg[len(h.msg)-1] == '"' {
		if u, err := jsonparser.ParseString([]byte(h.msg[1 : len(h.msg)-1])); err == nil {
			h.msg = u
		}
	}
	return h
}

func (f *File) tritonEvent(r *Record, l *line) {
	msg := l.hdr.msg
	switch {
	case strings.HasPrefix(msg, "loading: "):
		model, version := splitModelVersion(msg[len("loading: "):])
		if model == "" {
			return
		}
		r.Kind = KindTritonModelLoading
		addModelVersion(r, model, version)
		if !l.hdr.ts.IsZero() {
			if f.ctx.tritonLoading == nil {
				f.ctx.tritonLoading = map[string]time.Time{}
			}
			if len(f.ctx.tritonLoading) < 4096 {
				f.ctx.tritonLoading[model] = l.hdr.ts
			}
		}
	case strings.HasPrefix(msg, "unloading: "):
		model, version := splitModelVersion(msg[len("unloading: "):])
		if model != "" {
			r.Kind = KindTritonModelUnloading
			addModelVersion(r, model, version)
		}
	case strings.HasPrefix(strings.ToLower(msg), "successfully loaded '"):
		model, version := quotedModel(msg[len("successfully loaded "):])
		if model == "" {
			r.ParseFailed = true
			return
		}
		r.Kind = KindTritonModelLoaded
		addModelVersion(r, model, version)
		if start, ok := f.ctx.tritonLoading[model]; ok {
			delete(f.ctx.tritonLoading, model)
			if d := l.hdr.ts.Sub(start); d >= 0 && !l.hdr.ts.IsZero() {
				r.addConverted("load_duration_s", clean(d.Seconds()))
			}
		}
	case strings.HasPrefix(strings.ToLower(msg), "successfully unloaded '"):
		model, version := quotedModel(msg[len("successfully unloaded "):])
		if model == "" {
			r.ParseFailed = true
			return
		}
		r.Kind = KindTritonModelUnloaded
		addModelVersion(r, model, version)
	case strings.HasPrefix(msg, "failed to load '"):
		model, version := quotedModel(msg[len("failed to load "):])
		if model == "" {
			r.ParseFailed = true
			return
		}
		r.Kind = KindTritonModelLoadFailed
		addModelVersion(r, model, version)
		if _, reason, ok := strings.Cut(msg, ": "); ok {
			r.addStr("reason", reason)
		}
		delete(f.ctx.tritonLoading, model)
	}
}

// splitModelVersion reads `densenet_onnx:1`.
func splitModelVersion(s string) (string, string) {
	s = strings.TrimSpace(s)
	c := strings.LastIndexByte(s, ':')
	if c <= 0 {
		return s, ""
	}
	if _, err := strconv.Atoi(s[c+1:]); err != nil {
		return s, ""
	}
	return s[:c], s[c+1:]
}

// quotedModel reads `'densenet_onnx' version 1` (the version is missing in
// some releases).
func quotedModel(s string) (string, string) {
	if !strings.HasPrefix(s, "'") {
		return "", ""
	}
	end := strings.IndexByte(s[1:], '\'')
	if end <= 0 {
		return "", ""
	}
	model := s[1 : 1+end]
	rest := s[2+end:]
	if strings.HasPrefix(rest, " version ") {
		v, _, ok := leadingNumber(rest[len(" version "):])
		if ok {
			return model, v
		}
	}
	return model, ""
}

func addModelVersion(r *Record, model, version string) {
	r.addStr("model", model)
	if version != "" {
		if v, err := strconv.ParseFloat(version, 64); err == nil {
			r.addNum("version", version, v)
		}
	}
	r.tritonModel = model
}
