package genai

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func attrs(kv map[string]any) pcommon.Map {
	m := pcommon.NewMap()
	if err := m.FromRaw(kv); err != nil {
		panic(err)
	}
	return m
}

func TestClassifyContentKey(t *testing.T) {
	cases := map[string]ContentRole{
		"gen_ai.input.messages":                                        ContentInput,
		"gen_ai.output.messages":                                       ContentOutput,
		"gen_ai.system_instructions":                                   ContentSystemInstructions,
		"gen_ai.tool.call.arguments":                                   ContentToolArguments,
		"gen_ai.tool.call.result":                                      ContentToolResult,
		"gen_ai.retrieval.query.text":                                  ContentRetrievalQuery,
		"gen_ai.retrieval.documents":                                   ContentRetrievalDocuments,
		"gen_ai.prompt":                                                ContentInput,
		"gen_ai.completion":                                            ContentOutput,
		"gen_ai.prompt.0.content":                                      ContentInput,
		"gen_ai.prompt.12.content":                                     ContentInput,
		"gen_ai.completion.3.content":                                  ContentOutput,
		"gen_ai.completion.0.tool_calls.1.arguments":                   ContentToolArguments,
		"input.value":                                                  ContentInput,
		"output.value":                                                 ContentOutput,
		"llm.input_messages.0.message.content":                         ContentInput,
		"llm.output_messages.10.message.content":                       ContentOutput,
		"llm.input_messages.1.message.contents.0.message_content.text": ContentInput,
		"retrieval.documents.4.document.content":                       ContentRetrievalDocuments,
		"gen_ai.prompt.0.role":                                         ContentNone,
		"gen_ai.prompt.x.content":                                      ContentNone,
		"gen_ai.prompt..content":                                       ContentNone,
		"gen_ai.prompt.0.content.extra":                                ContentNone,
		"retrieval.documents.4.document.id":                            ContentNone,
		"gen_ai.request.model":                                         ContentNone,
		"http.route":                                                   ContentNone,
		"":                                                             ContentNone,
	}
	for key, want := range cases {
		assert.Equal(t, want, ClassifyContentKey(key), key)
	}
}

func TestReadUsagePrefersCurrentNamesAndKeepsZeroDistinctFromAbsent(t *testing.T) {
	u := ReadUsage(attrs(map[string]any{
		"gen_ai.usage.input_tokens":            100,
		"gen_ai.usage.prompt_tokens":           999, // older name loses
		"gen_ai.usage.output_tokens":           0,
		"gen_ai.usage.cache_read.input_tokens": 40,
	}))
	assert.Equal(t, int64(100), u.InputTokens)
	assert.Equal(t, int64(0), u.OutputTokens)
	assert.True(t, u.Has(FieldInput|FieldOutput|FieldCacheRead))
	assert.False(t, u.Has(FieldReasoning))
	assert.False(t, u.Has(FieldCacheCreation))
	assert.Equal(t, ShapeSemconv, u.Shape)
}

func TestReadUsageShapes(t *testing.T) {
	cases := []struct {
		name string
		kv   map[string]any
		want Usage
	}{
		{"older semconv", map[string]any{"gen_ai.usage.prompt_tokens": 12, "gen_ai.usage.completion_tokens": 3},
			Usage{InputTokens: 12, OutputTokens: 3, Present: FieldInput | FieldOutput, Shape: ShapeSemconvLegacy}},
		{"openinference with details", map[string]any{
			"llm.token_count.prompt": 50, "llm.token_count.completion": 7,
			"llm.token_count.prompt_details.cache_read": 20, "llm.token_count.prompt_details.cache_write": 5,
			"llm.token_count.completion_details.reasoning": 4},
			Usage{InputTokens: 50, OutputTokens: 7, CacheReadInputTokens: 20, CacheCreationInputTokens: 5, ReasoningOutputTokens: 4,
				Present: FieldInput | FieldOutput | FieldCacheRead | FieldCacheCreation | FieldReasoning, Shape: ShapeOpenInference}},
		{"strings and integral doubles", map[string]any{"gen_ai.usage.input_tokens": "42", "gen_ai.usage.output_tokens": 8.0},
			Usage{InputTokens: 42, OutputTokens: 8, Present: FieldInput | FieldOutput, Shape: ShapeSemconv}},
		{"garbage is absent", map[string]any{"gen_ai.usage.input_tokens": "many", "gen_ai.usage.output_tokens": -3, "gen_ai.usage.reasoning.output_tokens": 1.5},
			Usage{}},
		{"nothing", map[string]any{"gen_ai.request.model": "gpt-4o"}, Usage{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ReadUsage(attrs(tc.kv)))
		})
	}
}

func TestReadModel(t *testing.T) {
	m := ReadModel(attrs(map[string]any{"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06"}))
	assert.Equal(t, Model{Provider: "openai", Request: "gpt-4o", Response: "gpt-4o-2024-08-06"}, m)
	assert.Equal(t, "gpt-4o-2024-08-06", m.Name())

	m = ReadModel(attrs(map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.system": "ignored", "gen_ai.request.model": "claude-sonnet-4-5"}))
	assert.Equal(t, "anthropic", m.Provider)
	assert.Equal(t, "claude-sonnet-4-5", m.Name())

	m = ReadModel(attrs(map[string]any{"llm.provider": "openai", "llm.model_name": "gpt-4.1"}))
	assert.Equal(t, Model{Provider: "openai", Response: "gpt-4.1"}, m)
}

func TestMessagesInEveryShape(t *testing.T) {
	cases := []struct {
		name      string
		kv        map[string]any
		wantIn    string
		wantOut   string
		wantShape Shape
	}{
		{"semconv parts", map[string]any{
			"gen_ai.input.messages":  `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			"gen_ai.output.messages": `[{"role":"assistant","finish_reason":"stop","parts":[{"type":"text","content":"Hello"},{"type":"tool_call","name":"f","arguments":{"a":1}}]}]`,
		}, "Be brief.\nHi", "Hello", ShapeSemconv},
		{"older JSON prompt", map[string]any{
			"gen_ai.prompt":     `[{"role":"user","content":"What is 2+2?"}]`,
			"gen_ai.completion": `[{"role":"assistant","content":[{"type":"text","text":"4"}]}]`,
		}, "What is 2+2?", "4", ShapeSemconvLegacy},
		{"older plain text", map[string]any{"gen_ai.prompt": "plain prompt", "gen_ai.completion": "plain answer"},
			"plain prompt", "plain answer", ShapeSemconvLegacy},
		{"indexed", map[string]any{
			"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "second",
			"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "first",
			"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "done",
		}, "first\nsecond", "done", ShapeSemconvLegacy},
		{"openinference", map[string]any{
			"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "q",
			"llm.output_messages.0.message.role":                            "assistant",
			"llm.output_messages.0.message.contents.0.message_content.text": "a1",
			"llm.output_messages.0.message.contents.1.message_content.text": "a2",
			"input.value": "ignored when messages exist",
		}, "q", "a1\na2", ShapeOpenInference},
		{"openinference values only", map[string]any{"input.value": "in", "output.value": "out"}, "in", "out", ShapeOpenInference},
		{"request body", map[string]any{"gen_ai.prompt": `{"model":"x","messages":[{"role":"user","content":"from body"}]}`}, "from body", "", ShapeSemconvLegacy},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := attrs(tc.kv)
			in, shape := InputMessages(a)
			assert.Equal(t, tc.wantIn, MessagesText(in))
			assert.Equal(t, tc.wantShape, shape)
			out, _ := OutputMessages(a)
			assert.Equal(t, tc.wantOut, MessagesText(out))
		})
	}
}

func TestToolCallPartsKeepArgumentsAsJSON(t *testing.T) {
	out, _ := OutputMessages(attrs(map[string]any{
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"lookup","arguments":{"q":"x"}}]}]`,
	}))
	require.Len(t, out, 1)
	require.Len(t, out[0].Parts, 1)
	assert.Equal(t, Part{Type: "tool_call", Name: "lookup", Content: `{"q":"x"}`}, out[0].Parts[0])
	assert.Equal(t, "", out[0].Text(), "tool calls are not answer text")
}

func TestSpanOutputMessagesFromChoiceEvent(t *testing.T) {
	span := ptrace.NewSpan()
	ev := span.Events().AppendEmpty()
	ev.SetName("gen_ai.choice")
	ev.Attributes().PutStr("message", `{"role":"assistant","content":"from event"}`)
	assert.Equal(t, "from event", MessagesText(SpanOutputMessages(span)))
	assert.False(t, IsLLMSpan(span))
	assert.Nil(t, AnswerMessages(span), "events of a span that is no model call are no answer")
	span.Attributes().PutStr("gen_ai.operation.name", "chat")
	assert.True(t, IsLLMSpan(span))
	assert.Equal(t, "from event", MessagesText(AnswerMessages(span)))
}

func TestAnswerMessagesOfSpansWithoutAnOperation(t *testing.T) {
	span := ptrace.NewSpan()
	span.Attributes().PutStr("output.value", "an answer")
	assert.True(t, IsLLMSpan(span))
	assert.Equal(t, "an answer", MessagesText(AnswerMessages(span)))
	span.Attributes().PutStr("gen_ai.operation.name", "embeddings")
	assert.Equal(t, "an answer", MessagesText(AnswerMessages(span)), "output messages make any span a model call")
	assert.Nil(t, AnswerMessages(ptrace.NewSpan()))
}

func TestReadRetrievalSemconv(t *testing.T) {
	span := ptrace.NewSpan()
	a := span.Attributes()
	a.PutStr("gen_ai.operation.name", "retrieval")
	a.PutStr("gen_ai.retrieval.query.text", "reset password")
	a.PutStr("gen_ai.data_source.id", "kb")
	a.PutInt("gen_ai.request.top_k", 3)
	a.PutStr("gen_ai.retrieval.documents", `[{"id":"a","score":0.9,"content":"x"},{"id":7,"score":"0.5","text":"y"},{"document":{"id":"c","page_content":"z"}}]`)
	r, err := ReadRetrieval(span)
	require.NoError(t, err)
	assert.Equal(t, Retrieval{Query: "reset password", DataSource: "kb", TopK: 3, Shape: ShapeSemconv, Documents: []Document{
		{ID: "a", Score: 0.9, HasScore: true, Content: "x"},
		{ID: "7", Score: 0.5, HasScore: true, Content: "y"},
		{ID: "c", Content: "z"},
	}}, r)
}

func TestReadRetrievalOpenInference(t *testing.T) {
	span := ptrace.NewSpan()
	a := span.Attributes()
	a.PutStr("openinference.span.kind", "RETRIEVER")
	a.PutStr("input.value", "q")
	a.PutStr("retrieval.documents.1.document.id", "second")
	a.PutDouble("retrieval.documents.1.document.score", 0.2)
	a.PutStr("retrieval.documents.0.document.id", "first")
	a.PutStr("retrieval.documents.0.document.content", "text")
	a.PutDouble("retrieval.documents.0.document.score", 0.8)
	r, err := ReadRetrieval(span)
	require.NoError(t, err)
	assert.Equal(t, "q", r.Query)
	assert.Equal(t, ShapeOpenInference, r.Shape)
	assert.Equal(t, []Document{{ID: "first", Score: 0.8, HasScore: true, Content: "text"}, {ID: "second", Score: 0.2, HasScore: true}}, r.Documents)
}

func TestReadRetrievalOpenLLMetryEvents(t *testing.T) {
	span := ptrace.NewSpan()
	span.Attributes().PutStr("db.query.text", "gpu regions")
	for i, id := range []string{"d1", "d2"} {
		ev := span.Events().AppendEmpty()
		ev.SetName("db.query.result")
		ev.Attributes().PutStr("db.query.result.id", id)
		ev.Attributes().PutDouble("db.query.result.score", 1-float64(i)/2)
		ev.Attributes().PutStr("db.query.result.document", "doc "+id)
	}
	r, err := ReadRetrieval(span)
	require.NoError(t, err)
	assert.Equal(t, ShapeOpenLLMetry, r.Shape)
	assert.Equal(t, "gpu regions", r.Query)
	assert.Equal(t, []Document{{ID: "d1", Score: 1, HasScore: true, Content: "doc d1"}, {ID: "d2", Score: 0.5, HasScore: true, Content: "doc d2"}}, r.Documents)
}

func TestReadRetrievalErrors(t *testing.T) {
	_, err := ReadRetrieval(ptrace.NewSpan())
	assert.ErrorIs(t, err, ErrNotRetrieval)

	span := ptrace.NewSpan()
	span.Attributes().PutStr("gen_ai.retrieval.documents", `{"not":"an array"}`)
	_, err = ReadRetrieval(span)
	assert.ErrorContains(t, err, "not a JSON array")

	span.Attributes().PutStr("gen_ai.retrieval.documents", `[{"id":"ok"}, 3]`)
	r, err := ReadRetrieval(span)
	assert.ErrorContains(t, err, "gen_ai.retrieval.documents[1]: want an object")
	assert.Equal(t, []Document{{ID: "ok"}}, r.Documents, "the readable documents are kept")
}

func TestDocumentScoresAreFiniteInEveryShape(t *testing.T) {
	v := pcommon.NewValueSlice()
	for _, score := range []float64{math.NaN(), math.Inf(1), 0.5} {
		m := v.Slice().AppendEmpty().SetEmptyMap()
		m.PutStr("id", "d")
		m.PutDouble("score", score)
	}
	docs, err := DocumentsFromValue(v)
	require.NoError(t, err)
	require.Len(t, docs, 3)
	assert.False(t, docs[0].HasScore, "NaN is no score")
	assert.False(t, docs[1].HasScore, "infinity is no score")
	assert.Equal(t, Document{ID: "d", Score: 0.5, HasScore: true}, docs[2])
}

func TestOperation(t *testing.T) {
	assert.Equal(t, "retrieval", Operation(attrs(map[string]any{"openinference.span.kind": "RETRIEVER"})))
	assert.Equal(t, "chat", Operation(attrs(map[string]any{"openinference.span.kind": "LLM"})))
	assert.Equal(t, "embeddings", Operation(attrs(map[string]any{"gen_ai.operation.name": "embeddings"})))
	assert.Equal(t, "", Operation(attrs(map[string]any{})))
}

func TestIsEventRecord(t *testing.T) {
	rec := plog.NewLogRecord()
	assert.False(t, IsEventRecord(rec))
	rec.SetEventName("gen_ai.client.inference.operation.details")
	assert.True(t, IsEventRecord(rec))

	older := plog.NewLogRecord()
	older.Attributes().PutStr("event.name", "gen_ai.user.message")
	assert.True(t, IsEventRecord(older), "older SDKs name events by attribute")

	other := plog.NewLogRecord()
	other.SetEventName("browser.page_view")
	other.Attributes().PutStr("event.name", "app.gen_ai.note")
	assert.False(t, IsEventRecord(other))
}
