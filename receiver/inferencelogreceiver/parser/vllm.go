package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"
)

// vLLM's logger prints `LEVEL MM-DD HH:MM:SS [file.py:123] message` (older
// releases `file.py:123]` without the opening bracket), since 0.10 after a
// process tag such as `(APIServer pid=1)` or `(EngineCore_0 pid=2)`. A message
// of several lines repeats the prefix on each line. uvicorn's access lines
// (`INFO:     10.0.0.1:5000 - "POST ..." 200 OK`) are mixed in.

func isVLLMLine(s string) bool {
	rest, _, _ := cutProcessTag(s)
	lvl := strings.IndexByte(rest, ' ')
	if lvl < 4 || lvl > 8 {
		return strings.Contains(s, "Avg prompt throughput: ") && strings.Contains(s, "KV cache usage")
	}
	if _, _, ok := severityFromWord(rest[:lvl]); !ok {
		return false
	}
	_, _, _, _, ok := vllmStampFull(rest, lvl+1)
	return ok
}

// cutProcessTag removes a leading `(Name pid=N) ` or `(Name rank=0 pid=N) `.
func cutProcessTag(s string) (rest, name string, pid int) {
	if len(s) < 8 || s[0] != '(' {
		return s, "", 0
	}
	end := strings.Index(s[:min(len(s), 96)], ") ")
	if end < 0 {
		return s, "", 0
	}
	inner := s[1:end]
	p := strings.Index(inner, "pid=")
	if p < 0 {
		return s, "", 0
	}
	n := 0
	for i := p + 4; i < len(inner) && inner[i] >= '0' && inner[i] <= '9'; i++ {
		n = n*10 + int(inner[i]-'0')
	}
	name = strings.TrimSpace(inner[:p])
	name = strings.TrimSuffix(name, ",")
	return s[end+2:], name, n
}

// vllmStampFull reads `MM-DD HH:MM:SS[.fff]` at s[i:]: month, day, clock
// and nanoseconds.
func vllmStampFull(s string, i int) (int, int, [3]int, int, bool) {
	if i+14 > len(s) || s[i+2] != '-' || s[i+5] != ' ' {
		return 0, 0, [3]int{}, 0, false
	}
	mo, ok1 := digits(s, i, 2)
	d, ok2 := digits(s, i+3, 2)
	h, m, sec, ok3 := clockAt(s, i+6)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return 0, 0, [3]int{}, 0, false
	}
	ns, _ := fraction(s, i+14)
	return mo, d, [3]int{h, m, sec}, ns, true
}

func (f *File) vllmHeader(s string, ctime time.Time) header {
	rest, proc, pid := cutProcessTag(s)
	tagLen := len(s) - len(rest)
	lvl := strings.IndexByte(rest, ' ')
	if lvl < 0 || lvl > 9 {
		return header{msg: s}
	}
	word := rest[:lvl]
	if strings.HasSuffix(word, ":") {
		// uvicorn: `INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK`
		sev, text, ok := severityFromWord(word[:len(word)-1])
		if !ok {
			return header{msg: s}
		}
		i := lvl
		for i < len(rest) && rest[i] == ' ' {
			i++
		}
		return header{ok: true, msg: rest[i:], prefix: s[:tagLen+i], sev: sev, sevText: text, proc: proc, pid: pid}
	}
	sev, text, ok := severityFromWord(word)
	if !ok {
		return header{msg: s}
	}
	mo, d, clock, ns, ok := vllmStampFull(rest, lvl+1)
	if !ok {
		return header{msg: s}
	}
	i := lvl + 1 + 14
	for i < len(rest) && rest[i] != ' ' {
		i++ // fractional seconds
	}
	if i < len(rest) {
		i++
	}
	h := header{ok: true, sev: sev, sevText: text, proc: proc, pid: pid}
	h.ts = f.yearless(mo, d, clock[0], clock[1], clock[2], ns, ctime)
	// `[file.py:123] ` or `file.py:123] `
	sp := strings.IndexByte(rest[i:], ' ')
	if sp < 0 && strings.HasSuffix(rest, "]") {
		sp = len(rest) - i // the message is empty and the trailing space was trimmed
	}
	if sp > 0 {
		tok := rest[i : i+sp]
		if tok[len(tok)-1] == ']' {
			loc := strings.TrimPrefix(tok[:len(tok)-1], "[")
			if c := strings.LastIndexByte(loc, ':'); c > 0 {
				if n, err := strconv.Atoi(loc[c+1:]); err == nil {
					h.codeFile, h.codeLine = loc[:c], n
					i = min(i+sp+1, len(rest))
				}
			}
		}
	}
	h.msg = rest[i:]
	h.prefix = s[:tagLen+i]
	return h
}

var vllmStatsSpecs = []fieldSpec{
	{label: "Avg prompt throughput", name: "prompt_tokens_per_s"},
	{label: "Avg generation throughput", name: "generation_tokens_per_s"},
	{label: "Running", name: "running"},
	{label: "Swapped", name: "swapped"},
	{label: "Pending", name: "pending"},
	{label: "Waiting", name: "waiting"},
	{label: "GPU KV cache usage", name: "gpu_kv_cache_pct", pct: true},
	{label: "CPU KV cache usage", name: "cpu_kv_cache_pct", pct: true},
	{label: "Prefix cache hit rate", name: "prefix_cache_hit_pct", pct: true},
	{label: "External prefix cache hit rate", name: "external_prefix_cache_hit_pct", pct: true},
	{label: "MM cache hit rate", name: "mm_cache_hit_pct", pct: true},
}

// Indexes into vllmStatsSpecs.
const (
	vsPrompt = iota
	vsGen
	vsRunning
	vsSwapped
	vsPending
	vsWaiting
	vsGPUKV
	vsCPUKV
	vsPrefix
	vsExtPrefix
	vsMMCache
	vsCount
)

// V0 and V1 print their fields in these orders.
var (
	vllmV0Order = []int{vsPrompt, vsGen, vsRunning, vsSwapped, vsPending, vsGPUKV, vsCPUKV}
	vllmV1Order = []int{vsPrompt, vsGen, vsRunning, vsWaiting, vsGPUKV, vsPrefix, vsExtPrefix, vsMMCache}
)

var vllmSpecDecodeSpecs = []fieldSpec{
	{label: "Mean acceptance length", name: "mean_acceptance_length"},
	{label: "Accepted throughput", name: "accepted_tokens_per_s"},
	{label: "Drafted throughput", name: "drafted_tokens_per_s"},
	{label: "Accepted", name: "accepted_tokens"},
	{label: "Drafted", name: "drafted_tokens"},
	{label: "Avg Draft acceptance rate", name: "draft_acceptance_rate_pct", pct: true},
	{label: "Draft acceptance rate", name: "draft_acceptance_rate_pct", pct: true},
}

var vllmSpecDecodeV0Specs = []fieldSpec{
	{label: "Draft acceptance rate", name: "draft_acceptance_rate"},
	{label: "System efficiency", name: "system_efficiency"},
	{label: "Number of speculative tokens", name: "speculative_tokens"},
	{label: "Number of accepted tokens", name: "accepted_tokens"},
	{label: "Number of draft tokens", name: "draft_tokens"},
	{label: "Number of emitted tokens", name: "emitted_tokens"},
}

var vllmPrefixCacheV0Specs = []fieldSpec{
	{label: "GPU", name: "gpu_pct", pct: true},
	{label: "CPU", name: "cpu_pct", pct: true},
}

func (f *File) vllmEvent(r *Record, l *line) {
	msg := l.hdr.msg
	// Statistics lines start with their marker, after `Engine 000: ` when
	// the server runs several engines; only prefixes are compared so that
	// the many other lines cost little.
	body := msg
	if strings.HasPrefix(body, "Engine ") {
		if _, after, ok := strings.Cut(body, ": "); ok {
			body = after
		}
	}
	switch {
	case strings.HasPrefix(body, "Avg prompt throughput: "):
		f.vllmStats(r, msg[:len(msg)-len(body)], body)
	case strings.HasPrefix(body, "SpecDecoding metrics: "):
		var vals [7]string
		found, bad := readPairs(body[len("SpecDecoding metrics: "):], vllmSpecDecodeSpecs, vals[:])
		// The rate appears under one label or the other, not both.
		if vals[5] != "" {
			vals[6] = ""
		}
		f.finish(r, KindVLLMSpecDecode, found, bad, vllmSpecDecodeSpecs, vals[:])
		f.engineFrom(r, msg)
	case strings.HasPrefix(body, "Speculative metrics: "):
		var vals [6]string
		found, bad := readPairs(body[len("Speculative metrics: "):], vllmSpecDecodeV0Specs, vals[:])
		f.finish(r, KindVLLMSpecDecodeV0, found, bad, vllmSpecDecodeV0Specs, vals[:])
	case strings.HasPrefix(body, "Prefix cache hit rate: GPU: "):
		var vals [2]string
		found, bad := readPairs(body[len("Prefix cache hit rate: "):], vllmPrefixCacheV0Specs, vals[:])
		f.finish(r, KindVLLMPrefixCacheV0, found, bad, vllmPrefixCacheV0Specs, vals[:])
	case strings.HasPrefix(msg, "Model loading took "):
		// `Model loading took 14.99 GiB and 5.43 seconds`,
		// `Model loading took 15.2389 GiB memory and 6.845734 seconds`,
		// older `Model loading took 14.9595 GB` (no time).
		rest := msg[len("Model loading took "):]
		memText, memVal, ok := number(rest)
		if !ok {
			r.ParseFailed = true
			return
		}
		r.Kind = KindVLLMModelLoad
		r.addNum("memory_gib", memText, memVal)
		if _, after, ok := strings.Cut(rest, " and "); ok {
			if t, v, ok := number(after); ok {
				r.addNum("seconds", t, v)
			}
		}
	case strings.HasPrefix(msg, "init engine (") || strings.HasPrefix(msg, "init engine took"):
		// `init engine (profile, create kv cache, warmup model) took 25.32 seconds`
		if _, after, ok := strings.Cut(msg, " took "); ok {
			if t, v, ok := number(after); ok {
				r.Kind = KindVLLMEngineInit
				r.addNum("seconds", t, v)
				return
			}
		}
		r.ParseFailed = true
	case strings.HasPrefix(msg, "Graph capturing finished in "):
		// `Graph capturing finished in 12 secs, took 0.52 GiB` (V1), `... in 15 secs.` (V0)
		if t, v, ok := number(msg[len("Graph capturing finished in "):]); ok {
			r.Kind = KindVLLMCUDAGraph
			r.addNum("seconds", t, v)
			return
		}
		r.ParseFailed = true
	case strings.HasPrefix(msg, "Initializing ") && strings.Contains(msg, "with config: model="):
		// `Initializing a V1 LLM engine (v0.8.5) with config: model='meta-llama/...', ...`
		_, after, _ := strings.Cut(msg, "with config: model=")
		if m := quotedValue(after); m != "" {
			f.ctx.model = m
		}
	case strings.HasPrefix(msg, "non-default args: {"):
		if _, after, ok := strings.Cut(msg, "'model': "); ok {
			if m := quotedValue(after); m != "" {
				f.ctx.model = m
			}
		}
	}
}

// vllmStats reads a periodic statistics line. before is what precedes `Avg
// prompt throughput` in the message (`Engine 000: ` in V1 with data
// parallelism), stats the rest.
func (f *File) vllmStats(r *Record, before, stats string) {
	var vals [vsCount]string
	found, bad := readPairs(stats, vllmStatsSpecs, vals[:])
	engine := ""
	if e := strings.Index(before, "Engine "); e >= 0 {
		id := strings.TrimSuffix(strings.TrimSpace(before[e+len("Engine "):]), ":")
		if id != "" && strings.IndexFunc(id, func(c rune) bool { return c < '0' || c > '9' }) < 0 {
			engine = id
		}
	}
	v1 := engine != "" || vals[vsWaiting] != "" || (vals[vsPrefix] != "" && vals[vsSwapped] == "")
	order := vllmV0Order
	r.Kind = KindVLLMStatsV0
	if v1 {
		order = vllmV1Order
		r.Kind = KindVLLMStatsV1
		if engine != "" {
			r.addStr("engine", engine)
			r.EngineID = engine
		}
	}
	n := 0
	for _, i := range order {
		if vals[i] == "" {
			continue
		}
		v, err := strconv.ParseFloat(vals[i], 64)
		if err != nil {
			bad = true
			continue
		}
		r.addNum(vllmStatsSpecs[i].name, vals[i], v)
		n++
	}
	if found == 0 || n == 0 {
		r.Kind = KindNone
		r.Fields = r.Fields[:0]
		r.ParseFailed = true
		return
	}
	r.ParseFailed = bad
}

// engineFrom sets the engine of a V1 line that starts with `Engine 000: `.
func (f *File) engineFrom(r *Record, msg string) {
	if !strings.HasPrefix(msg, "Engine ") {
		return
	}
	id, _, ok := strings.Cut(msg[len("Engine "):], ":")
	if ok && id != "" && strings.IndexFunc(id, func(c rune) bool { return c < '0' || c > '9' }) < 0 {
		r.EngineID = id
	}
}

// finish sets the kind and fields of a line read with readPairs.
func (f *File) finish(r *Record, kind Kind, found int, bad bool, specs []fieldSpec, vals []string) {
	if found == 0 {
		r.ParseFailed = true
		return
	}
	r.Kind = kind
	if !r.addFields(specs, vals) {
		bad = true
	}
	r.ParseFailed = bad
}

// quotedValue returns the text of a leading 'single' or "double" quoted
// string, or the bare word up to a comma or space.
func quotedValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if q := s[0]; q == '\'' || q == '"' {
		if end := strings.IndexByte(s[1:], q); end >= 0 {
			return s[1 : 1+end]
		}
		return ""
	}
	end := strings.IndexAny(s, ", )}")
	if end < 0 {
		end = len(s)
	}
	return s[:end]
}
