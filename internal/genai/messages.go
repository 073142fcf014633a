package genai

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Message is one chat message, whatever shape it was recorded in.
type Message struct {
	Role         string
	Parts        []Part
	FinishReason string
}

// Part is one part of a message. Text parts carry Content; tool calls carry
// Name and Content (the arguments as JSON text); tool responses carry Content.
type Part struct {
	Type    string
	Name    string
	Content string
}

// Text returns the message's text parts joined by newlines.
func (m Message) Text() string {
	var b strings.Builder
	for _, p := range m.Parts {
		if p.Type != "" && p.Type != "text" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Content)
	}
	return b.String()
}

// MessagesText returns the text of all messages joined by newlines.
func MessagesText(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		t := m.Text()
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(t)
	}
	return b.String()
}

// InputMessages returns the request's input messages from the first shape
// that has them: gen_ai.input.messages, gen_ai.prompt (JSON or text),
// gen_ai.prompt.N.*, llm.input_messages.N.*, input.value.
func InputMessages(attrs pcommon.Map) ([]Message, Shape) {
	if v, ok := attrs.Get(AttrInputMessages); ok {
		if msgs := messagesFromValue(v, "user"); len(msgs) > 0 {
			return msgs, ShapeSemconv
		}
	}
	if v, ok := attrs.Get(AttrPrompt); ok {
		if msgs := messagesFromValue(v, "user"); len(msgs) > 0 {
			return msgs, ShapeSemconvLegacy
		}
	}
	if msgs := indexedMessages(attrs, legacyPromptPrefix, ".role", ".content"); len(msgs) > 0 {
		return msgs, ShapeSemconvLegacy
	}
	if msgs := indexedMessages(attrs, oiInputMessagesPrefix, ".message.role", ".message.content"); len(msgs) > 0 {
		return msgs, ShapeOpenInference
	}
	if v, ok := attrs.Get(AttrOIInputValue); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		return []Message{{Role: "user", Parts: []Part{{Type: "text", Content: v.Str()}}}}, ShapeOpenInference
	}
	return nil, ShapeNone
}

// OutputMessages returns the response messages from the first shape that has
// them: gen_ai.output.messages, gen_ai.completion, gen_ai.completion.N.*,
// llm.output_messages.N.*, output.value.
func OutputMessages(attrs pcommon.Map) ([]Message, Shape) {
	if v, ok := attrs.Get(AttrOutputMessages); ok {
		if msgs := messagesFromValue(v, "assistant"); len(msgs) > 0 {
			return msgs, ShapeSemconv
		}
	}
	if v, ok := attrs.Get(AttrCompletion); ok {
		if msgs := messagesFromValue(v, "assistant"); len(msgs) > 0 {
			return msgs, ShapeSemconvLegacy
		}
	}
	if msgs := indexedMessages(attrs, legacyCompletionPrefix, ".role", ".content"); len(msgs) > 0 {
		return msgs, ShapeSemconvLegacy
	}
	if msgs := indexedMessages(attrs, oiOutputMessagesPrefix, ".message.role", ".message.content"); len(msgs) > 0 {
		return msgs, ShapeOpenInference
	}
	if v, ok := attrs.Get(AttrOIOutputValue); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		return []Message{{Role: "assistant", Parts: []Part{{Type: "text", Content: v.Str()}}}}, ShapeOpenInference
	}
	return nil, ShapeNone
}

// SpanOutputMessages returns the span's response messages from its attributes
// or, failing that, from its events (the older gen_ai.choice event and the
// gen_ai.client.inference.operation.details event).
func SpanOutputMessages(span ptrace.Span) []Message {
	if msgs, _ := OutputMessages(span.Attributes()); len(msgs) > 0 {
		return msgs
	}
	var out []Message
	events := span.Events()
	for i := range events.Len() {
		ev := events.At(i)
		switch ev.Name() {
		case legacyChoiceEvent:
			for _, key := range []string{"message", "content"} {
				if v, ok := ev.Attributes().Get(key); ok {
					out = append(out, messagesFromValue(v, "assistant")...)
					break
				}
			}
		case semconvInferenceDetailsEvent:
			if msgs, _ := OutputMessages(ev.Attributes()); len(msgs) > 0 {
				out = append(out, msgs...)
			}
		}
	}
	return out
}

// IsLLMSpan reports whether the span is a model call that produced an answer.
func IsLLMSpan(span ptrace.Span) bool {
	if isModelCall(span.Attributes()) {
		return true
	}
	msgs, _ := OutputMessages(span.Attributes())
	return len(msgs) > 0
}

// AnswerMessages returns the response messages of a model call span (as
// SpanOutputMessages reads them), nil for other spans. It is IsLLMSpan and
// SpanOutputMessages in one, reading the messages once.
func AnswerMessages(span ptrace.Span) []Message {
	if isModelCall(span.Attributes()) {
		return SpanOutputMessages(span)
	}
	msgs, _ := OutputMessages(span.Attributes())
	return msgs
}

func isModelCall(attrs pcommon.Map) bool {
	switch Operation(attrs) {
	case "chat", "text_completion", "generate_content":
		return true
	}
	return false
}

// messagesFromValue reads messages from a JSON string, a slice of maps, a
// single map, or plain text (one message with defaultRole).
func messagesFromValue(v pcommon.Value, defaultRole string) []Message {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		if s == "" {
			return nil
		}
		if s[0] == '[' || s[0] == '{' {
			var raw any
			if err := json.Unmarshal([]byte(s), &raw); err == nil {
				if msgs := messagesFromAny(raw, defaultRole); len(msgs) > 0 {
					return msgs
				}
			}
		}
		return []Message{{Role: defaultRole, Parts: []Part{{Type: "text", Content: v.Str()}}}}
	case pcommon.ValueTypeSlice, pcommon.ValueTypeMap:
		return messagesFromAny(v.AsRaw(), defaultRole)
	}
	return nil
}

func messagesFromAny(raw any, defaultRole string) []Message {
	switch t := raw.(type) {
	case []any:
		var out []Message
		for _, item := range t {
			if m, ok := messageFromAny(item, defaultRole); ok {
				out = append(out, m)
			}
		}
		return out
	case map[string]any:
		// A request body such as {"messages": [...]} or one message.
		if inner, ok := t["messages"]; ok {
			return messagesFromAny(inner, defaultRole)
		}
		if m, ok := messageFromAny(t, defaultRole); ok {
			return []Message{m}
		}
	case string:
		return []Message{{Role: defaultRole, Parts: []Part{{Type: "text", Content: t}}}}
	}
	return nil
}

func messageFromAny(item any, defaultRole string) (Message, bool) {
	switch t := item.(type) {
	case string:
		return Message{Role: defaultRole, Parts: []Part{{Type: "text", Content: t}}}, true
	case map[string]any:
		m := Message{Role: str(t["role"]), FinishReason: str(t["finish_reason"])}
		if m.Role == "" {
			m.Role = defaultRole
		}
		if parts, ok := t["parts"].([]any); ok {
			m.Parts = partsFromAny(parts)
		} else {
			switch c := t["content"].(type) {
			case string:
				m.Parts = []Part{{Type: "text", Content: c}}
			case []any:
				m.Parts = partsFromAny(c)
			}
			if calls, ok := t["tool_calls"].([]any); ok {
				for _, call := range calls {
					if cm, ok := call.(map[string]any); ok {
						fn, _ := cm["function"].(map[string]any)
						m.Parts = append(m.Parts, Part{Type: "tool_call", Name: str(fn["name"]), Content: jsonText(fn["arguments"])})
					}
				}
			}
		}
		// A bare part list item ({"type":"text","content":...}) also counts.
		if len(m.Parts) == 0 {
			if p, ok := partFromMap(t); ok {
				m.Parts = []Part{p}
			}
		}
		return m, len(m.Parts) > 0
	}
	return Message{}, false
}

func partsFromAny(items []any) []Part {
	var parts []Part
	for _, it := range items {
		switch t := it.(type) {
		case string:
			parts = append(parts, Part{Type: "text", Content: t})
		case map[string]any:
			if p, ok := partFromMap(t); ok {
				parts = append(parts, p)
			}
		}
	}
	return parts
}

func partFromMap(t map[string]any) (Part, bool) {
	p := Part{Type: str(t["type"]), Name: str(t["name"])}
	switch p.Type {
	case "tool_call":
		p.Content = jsonText(t["arguments"])
	case "tool_call_response":
		p.Content = jsonText(t["response"])
	default:
		if c, ok := t["content"].(string); ok {
			p.Content = c
		} else if c, ok := t["text"].(string); ok {
			p.Content = c
		} else {
			return Part{}, false
		}
		if p.Type == "" {
			p.Type = "text"
		}
	}
	return p, true
}

// indexedMessages reads prefix.N<roleSuffix> / prefix.N<contentSuffix>
// attributes (and OpenInference's prefix.N.message.contents.M.message_content.text)
// in index order.
func indexedMessages(attrs pcommon.Map, prefix, roleSuffix, contentSuffix string) []Message {
	type entry struct {
		role  string
		parts map[int]string
		text  string
	}
	var byIndex map[int]*entry
	attrs.Range(func(k string, v pcommon.Value) bool {
		if !strings.HasPrefix(k, prefix) {
			return true
		}
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot <= 0 {
			return true
		}
		idx, err := strconv.Atoi(rest[:dot])
		if err != nil || idx < 0 || idx > 1<<16 {
			return true
		}
		suffix := rest[dot:]
		if byIndex == nil {
			byIndex = map[int]*entry{}
		}
		e := byIndex[idx]
		if e == nil {
			e = &entry{}
			byIndex[idx] = e
		}
		switch {
		case suffix == roleSuffix:
			e.role = v.AsString()
		case suffix == contentSuffix:
			e.text = v.AsString()
		case strings.HasPrefix(suffix, ".message.contents.") && strings.HasSuffix(suffix, ".message_content.text"):
			mid := strings.TrimSuffix(strings.TrimPrefix(suffix, ".message.contents."), ".message_content.text")
			if j, err := strconv.Atoi(mid); err == nil {
				if e.parts == nil {
					e.parts = map[int]string{}
				}
				e.parts[j] = v.AsString()
			}
		}
		return true
	})
	if len(byIndex) == 0 {
		return nil
	}
	idxs := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	var out []Message
	for _, i := range idxs {
		e := byIndex[i]
		m := Message{Role: e.role}
		if e.text != "" {
			m.Parts = append(m.Parts, Part{Type: "text", Content: e.text})
		}
		if len(e.parts) > 0 {
			js := make([]int, 0, len(e.parts))
			for j := range e.parts {
				js = append(js, j)
			}
			sort.Ints(js)
			for _, j := range js {
				m.Parts = append(m.Parts, Part{Type: "text", Content: e.parts[j]})
			}
		}
		if len(m.Parts) > 0 {
			out = append(out, m)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// jsonText returns strings as they are and anything else as compact JSON.
func jsonText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
