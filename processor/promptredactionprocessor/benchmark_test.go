package promptredactionprocessor

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

// contribBlockedValues are regular expressions for the same kinds of data
// this processor finds, as contrib's redaction processor is configured to
// look for them (it has no validators: any 13-19 digits count as a card).
var contribBlockedValues = []string{
	`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,                         // email
	`\+?\d{1,3}[\s.-]?\(?\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}`,             // phone
	`\b(?:\d[ -]?){12,18}\d\b`,                                               // payment card
	`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b`,            // IBAN
	`\b\d{3}-\d{2}-\d{4}\b`,                                                  // US SSN
	`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                                            // IPv4
	`\b(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}\b`,                         // IPv6
	`\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b`,                            // MAC
	`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`,                                // credentials in URLs
	`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,                      // JWT
	`-----BEGIN [A-Z ]*PRIVATE KEY-----`,                                     // PEM private key
	`\b(?:AKIA|ASIA|AROA|AIDA)[A-Z2-7]{16}\b`,                                // AWS access key ID
	`\b[A-Za-z0-9/+]{40}\b`,                                                  // AWS secret key
	`sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}`,                                   // OpenAI / Anthropic
	`gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,}`,                 // GitHub
	`xox[abposr]-[A-Za-z0-9-]{10,}`,                                          // Slack
	`AIza[A-Za-z0-9_-]{35}`,                                                  // Google
	`[sr]k_live_[A-Za-z0-9]{24,}`,                                            // Stripe
	`(?i)(?:password|passwd|pwd|secret|token|api[_-]?key)\s*[:=]\s*[^\s,;]+`, // assignments
}

const benchSpans = 100

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// genAISpans returns the shared benchmark input: chat spans whose messages
// are about 2 KB, in the semconv, older semconv and OpenInference shapes,
// and the bytes of their string attribute values.
func genAISpans() (ptrace.Traces, int64) {
	td := genaidata.NewGenerator(42).ChatSpans(benchSpans, 2048, time.Unix(1_700_000_000, 0))
	var n int64
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		spans := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans()
		for j := 0; j < spans.Len(); j++ {
			spans.At(j).Attributes().Range(func(_ string, v pcommon.Value) bool {
				if v.Type() == pcommon.ValueTypeStr {
					n += int64(len(v.Str()))
				}
				return true
			})
		}
	}
	return td, n
}

// BenchmarkRedactGenAISpans runs this processor and contrib's redaction
// processor (allow_all_keys, the equivalent blocked_values) on the same
// batches of GenAI spans. Both report spans/s and MB/s of string attribute
// values; contrib's numbers are its regexes alone, without validators.
func BenchmarkRedactGenAISpans(b *testing.B) {
	input, size := genAISpans()
	run := func(b *testing.B, factory processor.Factory, cfg component.Config) {
		set := processortest.NewNopSettings(factory.Type())
		p, err := factory.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		var next consumer.Traces = p
		batch := ptrace.NewTraces()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			input.CopyTo(batch)
			b.StartTimer()
			before := processCPU()
			if err := next.ConsumeTraces(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			cpu += processCPU() - before
		}
		b.StopTimer()
		b.ReportMetric(float64(benchSpans)*float64(b.N)/b.Elapsed().Seconds(), "spans/s")
		// CPU time of the process (all threads, GC included) while the
		// processor ran: throughput per core that does not depend on how
		// busy the machine is.
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
		b.ReportMetric(float64(benchSpans)*float64(b.N)/cpu.Seconds(), "spans/cpu-s")
	}
	b.Run("prompt_redaction", func(b *testing.B) {
		run(b, NewFactory(), createDefaultConfig())
	})
	b.Run("contrib_redaction", func(b *testing.B) {
		f := redactionprocessor.NewFactory()
		cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
		cfg.AllowAllKeys = true
		cfg.BlockedValues = contribBlockedValues
		cfg.Summary = "silent"
		run(b, f, cfg)
	})
}
