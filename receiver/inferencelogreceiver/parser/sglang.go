package parser // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"

import (
	"strconv"
	"strings"
	"time"
)

// SGLang prints `[2024-07-25 08:00:00 TP0] message`: a local time without a
// zone and the ranks of the process (TPn, DPn, PPn, EPn), no level. Batch
// lines: `Prefill batch. #new-seq: 1, #new-token: 7, #cached-token: 0, token
// usage: 0.00, #running-req: 0, #queue-req: 0` and `Decode batch. #running-req:
// 1, #token: 40, token usage: 0.00, gen throughput (token/s): 30.57,
// #queue-req: 0`; versions differ in `.` or `,` after `batch` and in optional
// fields (cache hit rate, accept len, cuda graph, input throughput).

func isSGLangLine(s string) bool {
	if len(s) < 21 || s[0] != '[' {
		return strings.Contains(s, "Decode batch") && strings.Contains(s, "#running-req") ||
			strings.Contains(s, "Prefill batch") && strings.Contains(s, "#new-seq")
	}
	_, _, _, ok := dateAt(s, 1, '-')
	if !ok || s[11] != ' ' {
		return false
	}
	_, _, _, ok = clockAt(s, 12)
	return ok
}

func (f *File) sglangHeader(s string) header {
	if len(s) > 0 && s[0] == '[' {
		y, mo, d, ok := dateAt(s, 1, '-')
		if ok && len(s) > 20 && s[11] == ' ' {
			hh, mm, ss, ok := clockAt(s, 12)
			if ok {
				ns, i := fraction(s, 20)
				end := strings.IndexByte(s[i:], ']')
				if end >= 0 {
					h := header{ok: true}
					h.ts = time.Date(y, time.Month(mo), d, hh, mm, ss, ns, f.opts.Location)
					h.tags = strings.TrimSpace(s[i : i+end])
					j := i + end + 1
					if j < len(s) && s[j] == ' ' {
						j++
					}
					h.msg = s[j:]
					h.prefix = s[:j]
					return h
				}
			}
		}
	}
	// uvicorn access and error lines.
	if c := strings.IndexByte(s, ':'); c > 3 && c < 9 {
		if sev, text, ok := severityFromWord(s[:c]); ok {
			i := c + 1
			for i < len(s) && s[i] == ' ' {
				i++
			}
			return header{ok: true, sev: sev, sevText: text, msg: s[i:], prefix: s[:i]}
		}
	}
	return header{msg: s}
}

// addRankTags turns `TP0 EP1` into inference.rank.tp=0, inference.rank.ep=1.
func (r *Record) addRankTags(tags string) {
	for tags != "" {
		tag, rest, _ := strings.Cut(tags, " ")
		tags = rest
		if len(tag) < 3 {
			continue
		}
		n, err := strconv.Atoi(tag[2:])
		if err != nil {
			continue
		}
		var key string
		switch tag[:2] {
		case "TP":
			key = "inference.rank.tp"
		case "DP":
			key = "inference.rank.dp"
		case "PP":
			key = "inference.rank.pp"
		case "EP":
			key = "inference.rank.ep"
		default:
			continue
		}
		r.Attrs = append(r.Attrs, Attr{Key: key, Int: int64(n), IsInt: true})
	}
}

var sglangPrefillSpecs = []fieldSpec{
	{label: "#new-seq", name: "new_seq"},
	{label: "#new-token", name: "new_token"},
	{label: "#cached-token", name: "cached_token"},
	{label: "token usage", name: "token_usage"},
	{label: "#running-req", name: "running_req"},
	{label: "#queue-req", name: "queue_req"},
	{label: "cache hit rate", name: "cache_hit_rate_pct", pct: true},
	{label: "input throughput (token/s)", name: "input_throughput_tok_s"},
	{label: "full token usage", name: "full_token_usage"},
}

var sglangDecodeSpecs = []fieldSpec{
	{label: "#running-req", name: "running_req"},
	{label: "#token", name: "token"},
	{label: "token usage", name: "token_usage"},
	{label: "gen throughput (token/s)", name: "gen_throughput_tok_s"},
	{label: "#queue-req", name: "queue_req"},
	{label: "accept len", name: "accept_len"},
	{label: "full token usage", name: "full_token_usage"},
}

func (f *File) sglangEvent(r *Record, l *line) {
	msg := l.hdr.msg
	switch {
	case strings.HasPrefix(msg, "Prefill batch"):
		var vals [9]string
		found, bad := readPairs(batchFields(msg[len("Prefill batch"):]), sglangPrefillSpecs, vals[:])
		f.finish(r, KindSGLangPrefill, found, bad, sglangPrefillSpecs, vals[:])
	case strings.HasPrefix(msg, "Decode batch"):
		var vals [7]string
		found, bad := readPairs(batchFields(msg[len("Decode batch"):]), sglangDecodeSpecs, vals[:])
		f.finish(r, KindSGLangDecode, found, bad, sglangDecodeSpecs, vals[:])
	case strings.HasPrefix(msg, "Load weight begin"):
		f.ctx.sglangLoadStart = l.hdr.ts
	case strings.HasPrefix(msg, "Load weight end"):
		// `Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16, avail mem=60.1 GB, mem usage=15.1 GB.`
		r.Kind = KindSGLangWeightsLoaded
		if _, after, ok := strings.Cut(msg, "mem usage="); ok {
			if t, v, ok := number(after); ok {
				r.addNum("memory_gb", t, v)
			}
		}
		if !f.ctx.sglangLoadStart.IsZero() && !l.hdr.ts.IsZero() {
			if d := l.hdr.ts.Sub(f.ctx.sglangLoadStart); d >= 0 {
				r.addConverted("seconds", clean(d.Seconds()))
			}
			f.ctx.sglangLoadStart = time.Time{}
		}
	case strings.HasPrefix(msg, "Capture cuda graph end."), strings.HasPrefix(msg, "Capture CUDA graph end."):
		// `Capture cuda graph end. Time elapsed: 12.34 s. mem usage=0.52 GB. avail mem=59.4 GB.`
		if _, after, ok := strings.Cut(msg, "Time elapsed: "); ok {
			if t, v, ok := number(after); ok {
				r.Kind = KindSGLangCUDAGraph
				r.addNum("seconds", t, v)
				return
			}
		}
		r.ParseFailed = true
	case strings.HasPrefix(msg, "server_args=ServerArgs("):
		if _, after, ok := strings.Cut(msg, "model_path="); ok {
			if m := quotedValue(after); m != "" {
				f.ctx.model = m
			}
		}
	}
}

// batchFields drops the `.` or `,` after `batch`.
func batchFields(s string) string {
	s = strings.TrimLeft(s, ".,")
	return strings.TrimSpace(s)
}
