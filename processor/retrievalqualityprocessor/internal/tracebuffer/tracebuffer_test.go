package tracebuffer

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func tid(n byte) pcommon.TraceID { return pcommon.TraceID{n} }

func ts(ms int) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(t0.Add(time.Duration(ms) * time.Millisecond))
}

func big() Config { return Config{Wait: 10 * time.Second, MaxTraces: 100, MaxBytes: 1 << 20} }

func val(s string) func() string { return func() string { return s } }

func sized[T any](v func() T, size int) func() (T, int) {
	return func() (T, int) { return v(), size }
}

func TestAnswerFirstThenRetrieval(t *testing.T) {
	b := New[string](big())
	out := b.AddAnswer(t0, tid(1), Answer{Start: ts(100), Text: "the answer"})
	assert.Empty(t, out.Released)
	called := false
	ans, ok, out := b.Hold(t0, tid(1), ts(50), func() (string, int) { called = true; return "r", 10 })
	assert.True(t, ok)
	assert.Equal(t, "the answer", ans)
	assert.Empty(t, out.Released)
	assert.False(t, called, "nothing is copied when the answer is known")
	assert.Equal(t, 0, b.Stats().PendingTraces)
}

func TestRetrievalFirstThenAnswer(t *testing.T) {
	b := New[string](big())
	_, ok, out := b.Hold(t0, tid(1), ts(50), sized(val("r1"), 10))
	assert.False(t, ok)
	assert.Empty(t, out.Released)
	assert.Equal(t, 1, b.Stats().PendingTraces)

	// An answer of another trace releases nothing.
	out = b.AddAnswer(t0, tid(2), Answer{Start: ts(100), Text: "other"})
	assert.Empty(t, out.Released)

	out = b.AddAnswer(t0.Add(time.Second), tid(1), Answer{Start: ts(100), Text: "the answer"})
	require.Len(t, out.Released, 1)
	r := out.Released[0]
	assert.Equal(t, "r1", r.Value)
	assert.Equal(t, Answered, r.Reason)
	assert.True(t, r.HasAnswer)
	assert.Equal(t, "the answer", r.Answer)
	assert.Equal(t, 0, b.Stats().PendingTraces)
}

func TestAnAnswerStartedBeforeTheRetrievalIsNotItsAnswer(t *testing.T) {
	b := New[string](big())
	// A query-rewriting LLM call at 10 ms, the retrieval at 50 ms.
	b.AddAnswer(t0, tid(1), Answer{Start: ts(10), Text: "rewritten query"})
	_, ok, _ := b.Hold(t0, tid(1), ts(50), sized(val("r"), 10))
	assert.False(t, ok)
	out := b.AddAnswer(t0, tid(1), Answer{Start: ts(60), Text: "grounded answer"})
	require.Len(t, out.Released, 1)
	assert.Equal(t, "grounded answer", out.Released[0].Answer)
}

func TestTheEarliestMatchingAnswerWins(t *testing.T) {
	b := New[string](big())
	b.AddAnswer(t0, tid(1), Answer{Start: ts(300), Text: "later"})
	b.AddAnswer(t0, tid(1), Answer{Start: ts(5), Text: "before"})
	b.AddAnswer(t0, tid(1), Answer{Start: ts(100), Text: "first after"})
	ans, ok, _ := b.Hold(t0, tid(1), ts(50), sized(val("r"), 10))
	assert.True(t, ok)
	assert.Equal(t, "first after", ans)
}

func TestMissingTimestampsMatchAnyAnswer(t *testing.T) {
	b := New[string](big())
	b.AddAnswer(t0, tid(1), Answer{Start: 0, Text: "a"})
	_, ok, _ := b.Hold(t0, tid(1), ts(50), sized(val("r"), 10))
	assert.True(t, ok)
	b.AddAnswer(t0, tid(2), Answer{Start: ts(1), Text: "b"})
	_, ok, _ = b.Hold(t0, tid(2), 0, sized(val("r"), 10))
	assert.True(t, ok)
}

func TestTwoRetrievalsOfOneTrace(t *testing.T) {
	b := New[string](big())
	b.Hold(t0, tid(1), ts(10), sized(val("first"), 10))
	b.Hold(t0, tid(1), ts(200), sized(val("second"), 10))
	// An answer at 100 ms follows the first retrieval only.
	out := b.AddAnswer(t0, tid(1), Answer{Start: ts(100), Text: "a1"})
	require.Len(t, out.Released, 1)
	assert.Equal(t, "first", out.Released[0].Value)
	out = b.AddAnswer(t0, tid(1), Answer{Start: ts(250), Text: "a2"})
	require.Len(t, out.Released, 1)
	assert.Equal(t, "second", out.Released[0].Value)
	assert.Equal(t, "a2", out.Released[0].Answer)
}

func TestItemsWaitTheWholeWaitThenLeaveUnanswered(t *testing.T) {
	b := New[string](big())
	b.Hold(t0, tid(1), ts(0), sized(val("r1"), 10))
	b.Hold(t0.Add(4*time.Second), tid(2), ts(0), sized(val("r2"), 10))

	assert.Empty(t, b.Expire(t0.Add(9*time.Second)).Released)
	out := b.Expire(t0.Add(10 * time.Second))
	require.Len(t, out.Released, 1)
	assert.Equal(t, "r1", out.Released[0].Value)
	assert.Equal(t, WaitElapsed, out.Released[0].Reason)
	assert.False(t, out.Released[0].HasAnswer)
	out = b.Expire(t0.Add(14 * time.Second))
	require.Len(t, out.Released, 1)
	assert.Equal(t, "r2", out.Released[0].Value)
	assert.Zero(t, out.EvictedTraces)
}

func TestAnswersAreForgottenAfterTheWait(t *testing.T) {
	b := New[string](big())
	b.AddAnswer(t0, tid(1), Answer{Start: ts(100), Text: "a"})
	b.Expire(t0.Add(10 * time.Second))
	assert.Equal(t, Stats{}, b.Stats())
	_, ok, _ := b.Hold(t0.Add(11*time.Second), tid(1), ts(50), sized(val("r"), 10))
	assert.False(t, ok)
}

func TestTheOldestTraceIsEvictedAtMaxTraces(t *testing.T) {
	b := New[string](Config{Wait: time.Minute, MaxTraces: 2, MaxBytes: 1 << 20})
	b.Hold(t0, tid(1), 0, sized(val("r1"), 10))
	b.Hold(t0, tid(2), 0, sized(val("r2"), 10))
	_, _, out := b.Hold(t0, tid(3), 0, sized(val("r3"), 10))
	assert.Equal(t, 1, out.EvictedTraces)
	require.Len(t, out.Released, 1)
	assert.Equal(t, "r1", out.Released[0].Value)
	assert.Equal(t, Evicted, out.Released[0].Reason)
	assert.Equal(t, 2, b.Stats().PendingTraces)
}

func TestAnswersAreEvictedBeforeWaitingRetrievals(t *testing.T) {
	b := New[string](Config{Wait: time.Minute, MaxTraces: 2, MaxBytes: 1 << 20})
	b.Hold(t0, tid(1), 0, sized(val("r1"), 10)) // oldest, but a waiting retrieval
	b.AddAnswer(t0, tid(2), Answer{Text: "a2"}) // newer answer
	_, _, out := b.Hold(t0, tid(3), 0, sized(val("r3"), 10))
	assert.Equal(t, 1, out.EvictedTraces)
	assert.Empty(t, out.Released, "the answer went, both retrievals stay")
	assert.Equal(t, Stats{PendingTraces: 2, Bytes: 2*entryOverhead + 20}, b.Stats())
}

func TestBytesBound(t *testing.T) {
	// Room for two entries of 100 bytes each, with their overhead.
	b := New[string](Config{Wait: time.Minute, MaxTraces: 100, MaxBytes: 2 * (entryOverhead + 100)})
	b.Hold(t0, tid(1), 0, sized(val("r1"), 100))
	_, _, out := b.Hold(t0, tid(2), 0, sized(val("r2"), 100))
	assert.Zero(t, out.EvictedTraces)
	_, _, out = b.Hold(t0, tid(3), 0, sized(val("r3"), 100))
	assert.Equal(t, 1, out.EvictedTraces)
	require.Len(t, out.Released, 1)
	assert.Equal(t, "r1", out.Released[0].Value)
	assert.Equal(t, int64(2*(entryOverhead+100)), b.Stats().Bytes)

	// An item larger than the bound is never held.
	_, _, out = b.Hold(t0, tid(4), 0, sized(val("huge"), 1000))
	require.Len(t, out.Released, 1)
	assert.Equal(t, TooLarge, out.Released[0].Reason)
	assert.Equal(t, 2, b.Stats().PendingTraces)

	// An answer larger than the bound cannot be kept.
	out = b.AddAnswer(t0, tid(5), Answer{Text: string(make([]byte, 1000))})
	assert.Equal(t, 1, out.EvictedTraces)
	assert.Equal(t, 0, b.Stats().AnswerTraces)
}

func TestFlushReleasesEverything(t *testing.T) {
	b := New[string](big())
	b.Hold(t0, tid(1), 0, sized(val("r1"), 10))
	b.Hold(t0, tid(1), 0, sized(val("r1b"), 10))
	b.Hold(t0, tid(2), 0, sized(val("r2"), 10))
	b.AddAnswer(t0, tid(3), Answer{Text: "a"})
	out := b.Flush()
	require.Len(t, out.Released, 3)
	for _, r := range out.Released {
		assert.Equal(t, Flushed, r.Reason)
	}
	assert.Equal(t, Stats{}, b.Stats())
}

func TestBytesReturnToZero(t *testing.T) {
	b := New[string](big())
	b.Hold(t0, tid(1), ts(10), sized(val("r"), 33))
	b.Hold(t0, tid(1), ts(500), sized(val("r"), 44))
	b.AddAnswer(t0, tid(1), Answer{Start: ts(20), Text: "abc"})
	b.AddAnswer(t0, tid(1), Answer{Start: ts(600), Text: "defg"})
	assert.Equal(t, 0, b.Stats().PendingTraces)
	b.Expire(t0.Add(time.Hour))
	assert.Equal(t, Stats{}, b.Stats())
}

// Many goroutines add answers and items of the same traces in random order:
// every item leaves exactly once, and with its answer when both met within
// the wait.
func TestConcurrentUseReleasesEveryItemOnce(t *testing.T) {
	b := New[int](Config{Wait: time.Hour, MaxTraces: 1 << 20, MaxBytes: 1 << 30})
	const traces = 2000
	var mu sync.Mutex
	released := map[int]Release[int]{}
	record := func(out Outcome[int]) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range out.Released {
			if _, dup := released[r.Value]; dup {
				panic(fmt.Sprintf("item %d released twice", r.Value))
			}
			released[r.Value] = r
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < traces; i += 4 {
				id := pcommon.TraceID{byte(i), byte(i >> 8)}
				text := fmt.Sprint("answer ", i)
				hold := func() {
					ans, ok, out := b.Hold(t0, id, ts(1), func() (int, int) { return i, 10 })
					record(out)
					if ok {
						record(Outcome[int]{Released: []Release[int]{{Item: Item[int]{Value: i}, Reason: Answered, Answer: ans, HasAnswer: true}}})
					}
				}
				answer := func() { record(b.AddAnswer(t0, id, Answer{Start: ts(2), Text: text})) }
				if i%2 == 0 {
					hold()
					answer()
				} else {
					answer()
					hold()
				}
			}
		}()
	}
	wg.Wait()
	record(b.Flush())
	require.Len(t, released, traces)
	for i, r := range released {
		assert.True(t, r.HasAnswer, "item %d", i)
		assert.Equal(t, fmt.Sprint("answer ", i), r.Answer)
	}
	assert.Equal(t, Stats{}, b.Stats())
}

func TestReasonNames(t *testing.T) {
	for r, want := range map[Reason]string{Answered: "answered", WaitElapsed: "wait_elapsed", Evicted: "evicted", Flushed: "shutdown", TooLarge: "too_large", 99: "unknown"} {
		assert.Equal(t, want, r.String())
	}
}
