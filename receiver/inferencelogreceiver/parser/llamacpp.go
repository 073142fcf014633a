package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"

	"github.com/buger/jsonparser"
)

// llama.cpp prints per-request timings as a block of lines whose wording has
// stayed while their framing changed:
//
//	slot print_timing: id  0 | task 0 |                 (late 2024 on; the block follows)
//	prompt eval time =   93.23 ms /  14 tokens (...)
//	       eval time = 1229.47 ms /  64 tokens (...)
//	      total time = 1322.70 ms /  78 tokens
//
//	INFO [   print_timings] prompt eval time = ... | tid="1" id_slot=0 ...   (mid 2024 text)
//	{"function":"print_timings","msg":"prompt eval time = ...",...}          (mid 2024 JSON)
//	print_timings: prompt eval time = ...                                    (2023 server)
//	llama_print_timings: prompt eval time = ...  / llama_perf_context_print: (llama-cli)
//
// Generation lines say `runs` instead of `tokens` in some eras, and `generation
// eval time` in the 2024 server.

func isLlamaCppLine(s string) bool {
	switch {
	case strings.HasPrefix(s, "llama_"), strings.HasPrefix(s, "llm_load_"), strings.HasPrefix(s, "slot "),
		strings.HasPrefix(s, "srv "), strings.HasPrefix(s, "print_timings:"), strings.HasPrefix(s, "ggml_"),
		strings.HasPrefix(s, "build: "), strings.HasPrefix(s, "system_info: "), strings.HasPrefix(s, "main: server is listening"),
		strings.HasPrefix(s, "load_tensors:"), strings.HasPrefix(s, "common_init_from_params:"):
		return true
	case strings.HasPrefix(s, "{") && strings.Contains(s, `"function":"`) && strings.Contains(s, `"tid":`):
		return true
	case strings.HasPrefix(s, "INFO [") || strings.HasPrefix(s, "WARN [") || strings.HasPrefix(s, "ERR [") || strings.HasPrefix(s, "VERB ["):
		return strings.Contains(s, "] ") && strings.Contains(s, " | tid=")
	}
	return false
}

func (f *File) llamaHeader(s string) header {
	switch {
	case len(s) > 0 && s[0] == '{':
		b := []byte(s)
		h := header{ok: true, json: true}
		if v, err := jsonparser.GetString(b, "msg"); err == nil {
			h.msg = v
		} else if v, err := jsonparser.GetString(b, "message"); err == nil {
			h.msg = v // 2023 releases
		} else {
			return header{msg: s}
		}
		if v, err := jsonparser.GetString(b, "level"); err == nil {
			h.sev, h.sevText, _ = severityFromWord(v)
		}
		if v, err := jsonparser.GetInt(b, "timestamp"); err == nil && v > 0 {
			h.ts = time.Unix(v, 0).UTC()
		}
		return h
	case strings.HasPrefix(s, "INFO [") || strings.HasPrefix(s, "WARN [") || strings.HasPrefix(s, "ERR [") ||
		strings.HasPrefix(s, "VERB [") || strings.HasPrefix(s, "DEBUG ["):
		// `INFO [   print_timings] msg | tid="1" timestamp=1717000000 k=v ...`
		sp := strings.IndexByte(s, ' ')
		end := strings.Index(s, "] ")
		if end < 0 {
			return header{msg: s}
		}
		h := header{ok: true}
		h.sev, h.sevText, _ = severityFromWord(s[:sp])
		msg := s[end+2:]
		if bar := strings.Index(msg, " | "); bar >= 0 {
			kv := msg[bar+3:]
			msg = msg[:bar]
			if v, ok := quotedAfter(kv, "timestamp="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
					h.ts = time.Unix(n, 0).UTC()
				}
			}
		}
		h.msg = strings.TrimSpace(msg)
		h.prefix = s[:end+2]
		return h
	}
	// `0.00.035.060 I msg` with --log-prefix: elapsed time, not wall time.
	if len(s) > 15 && isDigit(s[0]) && s[1] == '.' {
		if sp := strings.IndexByte(s, ' '); sp > 8 && sp+2 < len(s) && s[sp+2] == ' ' {
			if sev, text, ok := severityFromWord(s[sp+1 : sp+2]); ok {
				return header{ok: true, sev: sev, sevText: text, msg: s[sp+3:], prefix: s[:sp+3]}
			}
		}
	}
	return header{msg: s}
}

// llamaTiming collects one timing block.
type llamaTiming struct {
	promptMS, promptN, genMS, genN string
	promptMSv, promptNv, genMSv    float64
	genNv                          float64
}

// timingLine reads `<what> time = <ms> ms [/ <n> tokens|runs]` anywhere in msg.
func timingLine(msg string) (what string, msText string, ms float64, nText string, n float64, ok bool) {
	for _, w := range [...]string{"prompt eval time", "generation eval time", "eval time", "total time", "load time"} {
		j := strings.Index(msg, w)
		if j < 0 {
			continue
		}
		rest := strings.TrimLeft(msg[j+len(w):], " ")
		if !strings.HasPrefix(rest, "=") {
			return
		}
		msText, rest, ok = leadingNumber(rest[1:])
		if !ok {
			return
		}
		v, err := strconv.ParseFloat(msText, 64)
		if err != nil {
			return "", "", 0, "", 0, false
		}
		ms = v
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, "ms") {
			return "", "", 0, "", 0, false
		}
		rest = strings.TrimLeft(rest[2:], " ")
		if strings.HasPrefix(rest, "/") {
			if t, after, ok2 := leadingNumber(rest[1:]); ok2 {
				after = strings.TrimLeft(after, " ")
				if strings.HasPrefix(after, "token") || strings.HasPrefix(after, "run") {
					if nv, err := strconv.ParseFloat(t, 64); err == nil {
						nText, n = t, nv
					}
				}
			}
		}
		switch w {
		case "generation eval time":
			w = "eval time"
		}
		return w, msText, ms, nText, n, true
	}
	return
}

func (f *File) llamaEvent(r *Record, l *line) {
	msg := l.hdr.msg
	if !strings.Contains(msg, "time") || strings.IndexByte(msg, '=') < 0 {
		return
	}
	what, msText, ms, nText, n, ok := timingLine(msg)
	if !ok {
		return
	}
	t := &f.ctx.timing
	switch what {
	case "prompt eval time":
		t.promptMS, t.promptMSv, t.promptN, t.promptNv = msText, ms, nText, n
	case "eval time":
		t.genMS, t.genMSv, t.genN, t.genNv = msText, ms, nText, n
	case "load time":
		r.Kind = KindLlamaCppLoad
		r.addNum("load_ms", msText, ms)
	case "total time":
		r.Kind = KindLlamaCppTimings
		if t.promptMS != "" {
			r.addNum("prompt_ms", t.promptMS, t.promptMSv)
		}
		if t.promptN != "" {
			r.addNum("prompt_tokens", t.promptN, t.promptNv)
		}
		if t.genMS != "" {
			r.addNum("generation_ms", t.genMS, t.genMSv)
		}
		if t.genN != "" {
			r.addNum("generation_tokens", t.genN, t.genNv)
		}
		r.addNum("total_ms", msText, ms)
		*t = llamaTiming{}
	}
}
