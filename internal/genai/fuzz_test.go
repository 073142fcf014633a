package genai

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func FuzzParseDocuments(f *testing.F) {
	f.Add(`[{"id":"a","score":0.9,"content":"x"}]`)
	f.Add(`[{"document":{"id":1,"page_content":"y"}},"plain",3,null]`)
	f.Add(`[{"score":"NaN"},{"score":"1e309"}]`)
	f.Add(`{"a":1}`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, s string) {
		docs, _ := ParseDocuments(s)
		if len(docs) > MaxDocuments {
			t.Fatalf("%d documents, limit %d", len(docs), MaxDocuments)
		}
		for _, d := range docs {
			if d.HasScore && d.Score != d.Score {
				t.Fatalf("NaN score from %q", s)
			}
		}
	})
}

func FuzzMessages(f *testing.F) {
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`)
	f.Add(`[{"role":"user","content":[{"type":"text","text":"hi"}],"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]`)
	f.Add(`{"messages":[{"role":"user","content":"x"}]}`)
	f.Add(`plain text`)
	f.Add(`[[[[`)
	f.Fuzz(func(t *testing.T, s string) {
		m := pcommon.NewMap()
		m.PutStr(AttrInputMessages, s)
		m.PutStr(AttrCompletion, s)
		msgs, _ := InputMessages(m)
		_ = MessagesText(msgs)
		out, _ := OutputMessages(m)
		_ = MessagesText(out)
	})
}
