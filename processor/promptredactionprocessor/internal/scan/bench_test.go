package scan

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
	"github.com/otelcol-ai/otelcol-ai/internal/jsonwalk"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// genAITexts returns the message texts of GenAI chat spans: prompts of about
// 2 KB with personal data, order numbers and version strings.
func genAITexts(tb testing.TB) []string {
	td := genaidata.NewGenerator(42).ChatSpans(50, 2048, time.Unix(1_700_000_000, 0))
	var texts []string
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		span := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0)
		for _, k := range []string{"gen_ai.input.messages", "gen_ai.prompt.0.content", "input.value"} {
			v, ok := span.Attributes().Get(k)
			if !ok {
				continue
			}
			if strings.HasPrefix(v.Str(), "[") {
				_ = jsonwalk.VisitString(v.Str(), func(l jsonwalk.Leaf) error {
					if len(l.Value) > 100 {
						texts = append(texts, l.Value)
					}
					return nil
				})
				continue
			}
			texts = append(texts, v.Str())
		}
	}
	if len(texts) == 0 {
		tb.Fatal("no texts")
	}
	return texts
}

// BenchmarkScan measures the scanner alone on GenAI prompt text and on
// English prose without personal data.
func BenchmarkScan(b *testing.B) {
	prose := strings.Repeat("The quick brown fox jumps over the lazy dog while the assistant explains how retrieval augmented generation works in practice. ", 20)
	for name, texts := range map[string][]string{"genai_prompts": genAITexts(b), "plain_prose": {prose}} {
		b.Run(name, func(b *testing.B) {
			s := New(Config{})
			var size int64
			for _, t := range texts {
				size += int64(len(t))
			}
			b.SetBytes(size)
			var dst []Match
			start := processCPU()
			for b.Loop() {
				for _, t := range texts {
					dst = s.Scan(t, "", dst[:0])
				}
			}
			cpu := processCPU() - start
			b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
		})
	}
}
