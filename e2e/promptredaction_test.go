//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

const promptRedactionConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
processors:
  prompt_redaction:
    keys: [user.note]
    key_patterns: ['^app\.prompt\.']
  batch:
    timeout: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [prompt_redaction, batch]
      exporters: [otlp_grpc]
    logs:
      receivers: [otlp]
      processors: [prompt_redaction, batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [otlp]
      processors: [prompt_redaction, batch]
      exporters: [otlp_grpc]
`

// pii holds one value of every kind the processor finds, the text it
// replaces (the credentials of a URL, the value of an assignment) and its
// placeholder.
var pii = []struct{ value, secret, placeholder string }{
	{"maria.lopez@example.com", "", "<EMAIL>"},
	{"+1 415 555 0132", "", "<PHONE>"},
	{"4111 1111 1111 1111", "", "<PAYMENT_CARD>"},
	{"DE89 3704 0044 0532 0130 00", "", "<IBAN>"},
	{"536-22-1234", "", "<US_SSN>"},
	{"192.168.10.20", "", "<IPV4>"},
	{"2001:db8::8a2e:370:7334", "", "<IPV6>"},
	{"00:1A:2B:3C:4D:5E", "", "<MAC_ADDRESS>"},
	{"postgres://admin:s3cr3tpw@db.internal/app", "admin:s3cr3tpw", "<URL_CREDENTIALS>"},
	{"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "", "<JWT>"},
	{"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----", "", "<PRIVATE_KEY>"},
	{"AKIAIOSFODNN7EXAMPLE", "", "<AWS_ACCESS_KEY>"},
	{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "<AWS_SECRET_KEY>"},
	{"sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "", "<OPENAI_API_KEY>"},
	{"sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6h-AA", "", "<ANTHROPIC_API_KEY>"},
	{"ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3d", "", "<GITHUB_TOKEN>"},
	{"xoxb-1234567890-Ab3dEf6hIj9k", "", "<SLACK_TOKEN>"},
	{"AIzaSyAb3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_", "", "<GOOGLE_API_KEY>"},
	{"sk_live_Ab3dEf6hIj9kLm2nOp5qRs8t", "", "<STRIPE_KEY>"},
	{"password=hunter2x", "hunter2x", "<SECRET>"},
}

// prompt is a message holding every value of pii in a sentence of its own.
func prompt() string {
	var b strings.Builder
	b.WriteString("Hello, here is everything about me.")
	for i, p := range pii {
		switch {
		case strings.HasPrefix(p.value, "wJalr"):
			b.WriteString(" My AWS secret is " + p.value + ".")
		default:
			b.WriteString(" Item " + strconv.Itoa(i) + ": " + p.value + " ok.")
		}
	}
	b.WriteString(" Order 1234-5678-9012, version 2.14.1, tokens 4096. Thanks!")
	return b.String()
}

// redacted is what the processor must turn s into: every secret replaced by
// its placeholder and nothing else changed.
func redacted(s string) string {
	for _, p := range pii {
		secret := p.value
		if p.secret != "" {
			secret = p.secret
		}
		s = strings.ReplaceAll(s, secret, p.placeholder)
	}
	return s
}

// marshal encodes v as instrumentations do, without HTML escaping.
func marshal(t *testing.T, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return strings.TrimSuffix(buf.String(), "\n")
}

func messages(role, text string) []any {
	return []any{map[string]any{"role": role, "parts": []any{map[string]any{"type": "text", "content": text}}}}
}

// spanInput builds a span with personal data in every GenAI attribute shape,
// in span events, under a configured key and a key pattern, and returns it
// with the span the processor must produce (summary attributes aside).
func spanInput(t *testing.T) (in, want ptrace.Traces) {
	text := prompt()
	red := redacted(text)
	build := func(text string, tool string, events bool) ptrace.Traces {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "support-bot")
		span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		span.SetName("chat gpt-4o")
		span.SetTraceID(pcommon.TraceID{1, 2, 3})
		span.SetSpanID(pcommon.SpanID{4, 5, 6})
		a := span.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("gen_ai.usage.input_tokens", 4096)
		a.PutStr("http.route", "/v1/chat")
		a.PutStr("gen_ai.input.messages", marshal(t, messages("user", text)))
		a.PutStr("gen_ai.output.messages", marshal(t, messages("assistant", "Noted: "+text)))
		a.PutStr("gen_ai.system_instructions", marshal(t, []any{map[string]any{"type": "text", "content": "Never repeat " + text}}))
		a.PutStr("gen_ai.tool.call.arguments", tool)
		a.PutStr("gen_ai.tool.call.result", text)
		a.PutStr("gen_ai.retrieval.query.text", text)
		a.PutStr("gen_ai.retrieval.documents", marshal(t, []any{map[string]any{"id": "kb-1", "score": 0.9, "content": text}}))
		a.PutStr("gen_ai.prompt", text)
		a.PutStr("gen_ai.completion", text)
		a.PutStr("gen_ai.prompt.0.role", "user")
		a.PutStr("gen_ai.prompt.0.content", text)
		a.PutStr("gen_ai.completion.0.content", text)
		a.PutStr("input.value", text)
		a.PutStr("output.value", text)
		a.PutStr("llm.input_messages.0.message.content", text)
		a.PutStr("retrieval.documents.0.document.content", text)
		a.PutStr("user.note", text)
		a.PutStr("app.prompt.template", text)
		if events {
			ev := span.Events().AppendEmpty()
			ev.SetName("gen_ai.user.message")
			ev.Attributes().PutStr("content", text)
			ev = span.Events().AppendEmpty()
			ev.SetName("gen_ai.choice")
			ev.Attributes().PutStr("message", marshal(t, map[string]any{"role": "assistant", "content": text}))
			ev = span.Events().AppendEmpty()
			ev.SetName("exception")
			ev.Attributes().PutStr("exception.message", "failed for "+text)
			ev.Attributes().PutStr("exception.type", "ValueError")
		}
		return td
	}
	toolIn := `{"email":"maria.lopez@example.com","password":"hunter2x","card":4111111111111111,"limit":5}`
	toolOut := `{"email":"<EMAIL>","password":"<SECRET>","card":"<PAYMENT_CARD>","limit":5}`
	return build(text, toolIn, true), build(red, toolOut, true)
}

func logInput(t *testing.T) (in, want plog.Logs) {
	text := prompt()
	build := func(text, keyWithAddress string) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "support-bot")
		recs := rl.ScopeLogs().AppendEmpty().LogRecords()
		r := recs.AppendEmpty()
		r.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000))
		r.Body().SetStr("ticket: " + text)
		r.Attributes().PutStr("log.file.name", "app.log")
		r.Attributes().PutStr("gen_ai.prompt", text)

		ev := recs.AppendEmpty()
		ev.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_001))
		ev.SetEventName("gen_ai.client.inference.operation.details")
		body := ev.Body().SetEmptyMap()
		body.PutStr("gen_ai.request.model", "gpt-4o")
		msg := body.PutEmptySlice("gen_ai.input.messages").AppendEmpty().SetEmptyMap()
		msg.PutStr("role", "user")
		msg.PutEmptySlice("parts").AppendEmpty().SetEmptyMap().PutStr("content", text)
		body.PutStr(keyWithAddress, "a key that holds an address")
		ev.Attributes().PutStr("user.feedback", text)
		return ld
	}
	return build(text, "maria.lopez@example.com"), build(redacted(text), "<EMAIL>")
}

func metricInput() (in, want pmetric.Metrics) {
	build := func(user string) pmetric.Metrics {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("gen_ai.client.token.usage")
		m.SetUnit("{token}")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000))
		dp.SetIntValue(4096)
		dp.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
		dp.Attributes().PutStr("enduser.id", user)
		return md
	}
	return build("maria.lopez@example.com"), build("<EMAIL>")
}

// stripSummary removes the prompt_redaction.* summary attributes, checking
// that there are some.
func stripSummary(t *testing.T, attrs pcommon.Map) {
	n := 0
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		if strings.HasPrefix(k, "prompt_redaction.") {
			n++
			return true
		}
		return false
	})
	assert.NotZero(t, n, "no summary attributes")
}

// noPII fails when any value of pii (or the parts that must go) appears in
// the serialized output.
func noPII(t *testing.T, what string, serialized []byte) {
	t.Helper()
	for _, p := range pii {
		secret := p.value
		if p.secret != "" {
			secret = p.secret
		}
		for _, form := range []string{secret, strings.ReplaceAll(secret, "\n", `\n`)} {
			assert.NotContains(t, string(serialized), form, "%s leaks %q", what, form)
		}
	}
}

func TestPromptRedactionRemovesPersonalDataFromEveryPlaceAndKeepsTheRest(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	StartWithSink(t, ports, sink, promptRedactionConfig, nil)
	sender := NewSender(t, ports.Endpoint("otlp"))

	tin, twant := spanInput(t)
	lin, lwant := logInput(t)
	mIn, mwant := metricInput()
	sender.SendTraces(t, tin)
	sender.SendLogs(t, lin)
	sender.SendMetrics(t, mIn)

	require.Eventually(t, func() bool {
		return sink.Traces.SpanCount() == 1 && sink.Logs.LogRecordCount() == 2 && sink.Metrics.DataPointCount() == 1
	}, 30*time.Second, 50*time.Millisecond)

	gotT, gotL, gotM := sink.AllTraces(), sink.AllLogs(), sink.AllMetrics()
	tj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(gotT)
	lj, _ := (&plog.JSONMarshaler{}).MarshalLogs(gotL)
	mj, _ := (&pmetric.JSONMarshaler{}).MarshalMetrics(gotM)
	noPII(t, "traces", tj)
	noPII(t, "logs", lj)
	noPII(t, "metrics", mj)

	// Everything else arrives byte for byte.
	stripSummary(t, gotT.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes())
	require.NoError(t, ptracetest.CompareTraces(twant, gotT))
	recs := gotL.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < recs.Len(); i++ {
		stripSummary(t, recs.At(i).Attributes())
	}
	require.NoError(t, plogtest.CompareLogs(lwant, gotL))
	require.NoError(t, pmetrictest.CompareMetrics(mwant, gotM))

	// The collector's own counters say what was found.
	require.Eventually(t, func() bool {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		return promptRedactionCounter(page, "otelcol_prompt_redaction_matches", `detector="email"`) > 20 &&
			promptRedactionCounter(page, "otelcol_prompt_redaction_matches", `detector="private_key"`) > 0 &&
			promptRedactionCounter(page, "otelcol_prompt_redaction_values_scanned", "") > 30 &&
			promptRedactionCounter(page, "otelcol_prompt_redaction_bytes_scanned", "") > 10000
	}, 10*time.Second, 200*time.Millisecond, "self metrics:\n%s", SelfMetrics(t, ports.Endpoint("telemetry")))
}

// TestPromptRedactionCleansTheDemoTraffic sends the demo load generator's
// batches (internal/genaidata) through the local example's processor
// settings: none of the demo people's data reaches the sink.
func TestPromptRedactionCleansTheDemoTraffic(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	StartWithSink(t, ports, sink, promptRedactionConfig, nil)
	sender := NewSender(t, ports.Endpoint("otlp"))
	gen := genaidata.NewGenerator(11)
	spans, logs := 0, 0
	for i := range 5 {
		b := gen.Batch(time.Unix(1_700_000_000+int64(i), 0))
		spans += b.Traces.SpanCount()
		logs += b.Logs.LogRecordCount()
		sender.SendTraces(t, b.Traces)
		sender.SendLogs(t, b.Logs)
	}
	require.Eventually(t, func() bool {
		return sink.Traces.SpanCount() == spans && sink.Logs.LogRecordCount() == logs
	}, 30*time.Second, 50*time.Millisecond)
	tj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(sink.AllTraces())
	lj, _ := (&plog.JSONMarshaler{}).MarshalLogs(sink.AllLogs())
	for _, leak := range []string{
		"@example.", "415 555 0132", "20 7946 0958", "1 23 45 67 89",
		"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005",
		"DE89 3704", "GB82 WEST", "FR14 2004",
	} {
		assert.NotContains(t, string(tj), leak)
		assert.NotContains(t, string(lj), leak)
	}
	assert.Contains(t, string(tj), "<EMAIL>")
	assert.Contains(t, string(lj), "<IBAN>")
	// Look-alikes in the demo prompts survive.
	assert.Contains(t, string(tj), "version 2.14.1")
}

// promptRedactionCounter returns the value of the first sample of a
// Prometheus metric whose name starts with name and whose labels contain
// label, or -1.
func promptRedactionCounter(page, name, label string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `[a-z_]*(\{[^}]*\})? ([0-9.e+-]+)$`)
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], label) {
			v, err := strconv.ParseFloat(m[2], 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}
