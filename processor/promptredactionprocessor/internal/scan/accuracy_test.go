package scan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/corpus"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

type tally struct {
	labels     int // ground-truth values of the type
	found      int // values covered whole by a match of the same type
	detections int // matches reported as the type
	correct    int // matches of the type that overlap a value of the type
	misses     []string
	falses     []string
}

// Thresholds for the types whose detectors have a validator (checksum,
// allocation rules, strict grammar or a vendor's documented shape).
var validated = map[detect.Type]bool{
	detect.Email: true, detect.PaymentCard: true, detect.IBAN: true, detect.USSSN: true,
	detect.IPv4: true, detect.IPv6: true, detect.MAC: true, detect.URLCredentials: true,
	detect.JWT: true, detect.PrivateKey: true, detect.AWSAccessKey: true, detect.OpenAIKey: true,
	detect.AnthropicKey: true, detect.GitHubToken: true, detect.SlackToken: true,
	detect.GoogleAPIKey: true, detect.StripeKey: true,
}

const (
	minRecall    = 0.995
	minPrecision = 0.98
	// Context-dependent detectors (phone formats, AWS secret keys, key=value
	// secrets) have no validator; they are held to a lower bar.
	minRecallContext    = 0.98
	minPrecisionContext = 0.95
)

// TestAccuracyOnLabelledCorpus measures recall and precision per detector on
// a generated corpus with ground truth and hard negatives, prints the table
// and holds each detector to its threshold. A value counts as found when a
// match of its type covers it whole; a match counts as correct when it
// overlaps a value of its type. Leaks are values no match covers at all.
//
// The detectors were developed against the corpora of the first two seeds
// (the second was used once as a check, and two phone rules changed after
// it); the third seed's corpus was generated after the last detector change
// and not looked at before its table was recorded.
func TestAccuracyOnLabelledCorpus(t *testing.T) {
	for _, c := range []struct {
		name string
		seed uint64
	}{{"development_seed", 20260101}, {"second_development_seed", 977}, {"held_out_seed", 31337}} {
		t.Run(c.name, func(t *testing.T) { accuracy(t, c.seed) })
	}
}

func accuracy(t *testing.T, seed uint64) {
	samples := corpus.New(seed).Samples(20000)
	s := scan.New(scan.Config{})
	tallies := map[detect.Type]*tally{}
	get := func(ty detect.Type) *tally {
		if tallies[ty] == nil {
			tallies[ty] = &tally{}
		}
		return tallies[ty]
	}
	leaks, labels, bytes := 0, 0, 0
	for _, smp := range samples {
		bytes += len(smp.Text)
		ms := s.Scan(smp.Text, "", nil)
		for _, l := range smp.Labels {
			labels++
			tl := get(l.Type)
			tl.labels++
			covered, typed := false, false
			for _, m := range ms {
				if m.Start <= l.Start && m.End >= l.End {
					covered = true
					typed = typed || m.Type == l.Type
				}
			}
			if typed {
				tl.found++
			} else if len(tl.misses) < 5 {
				tl.misses = append(tl.misses, fmt.Sprintf("%q in %q", smp.Text[l.Start:l.End], smp.Text))
			}
			if !covered {
				leaks++
			}
		}
		for _, m := range ms {
			tm := get(m.Type)
			tm.detections++
			ok := false
			for _, l := range smp.Labels {
				if l.Type == m.Type && m.Start < l.End && l.Start < m.End {
					ok = true
					break
				}
			}
			if ok {
				tm.correct++
			} else if len(tm.falses) < 5 {
				tm.falses = append(tm.falses, fmt.Sprintf("%q in %q", smp.Text[m.Start:m.End], smp.Text))
			}
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-18s %7s %7s %8s %9s  %s\n", "detector", "values", "found", "recall", "precision", "bar")
	for _, ty := range detect.Builtin() {
		tl := get(ty)
		recall := ratio(tl.found, tl.labels)
		precision := ratio(tl.correct, tl.detections)
		bar := "context"
		if validated[ty] {
			bar = "validator"
		}
		fmt.Fprintf(&table, "%-18s %7d %7d %7.2f%% %8.2f%%  %s\n", ty.Name(), tl.labels, tl.found, 100*recall, 100*precision, bar)
	}
	fmt.Fprintf(&table, "%d samples, %d bytes, %d values, %d leaked (no match covers them)\n", len(samples), bytes, labels, leaks)
	t.Log(table.String())
	if testing.Verbose() {
		for _, ty := range detect.Builtin() {
			tl := get(ty)
			for _, m := range tl.misses {
				t.Logf("%s missed: %s", ty.Name(), m)
			}
			for _, f := range tl.falses {
				t.Logf("%s false: %s", ty.Name(), f)
			}
		}
	}

	for _, ty := range detect.Builtin() {
		tl := get(ty)
		if tl.labels < 500 {
			t.Errorf("%s: only %d values in the corpus", ty.Name(), tl.labels)
		}
		wantR, wantP := minRecallContext, minPrecisionContext
		if validated[ty] {
			wantR, wantP = minRecall, minPrecision
		}
		if r := ratio(tl.found, tl.labels); r < wantR {
			t.Errorf("%s: recall %.4f < %.3f; misses:\n  %s", ty.Name(), r, wantR, strings.Join(tl.misses, "\n  "))
		}
		if p := ratio(tl.correct, tl.detections); p < wantP {
			t.Errorf("%s: precision %.4f < %.2f; false matches:\n  %s", ty.Name(), p, wantP, strings.Join(tl.falses, "\n  "))
		}
	}
	if float64(leaks) > 0.002*float64(labels) {
		t.Errorf("%d of %d values leaked", leaks, labels)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
