// Package tracebuffer pairs retrieval spans with the answer of their trace
// when the two arrive separately and in either order.
//
// Spans of one trace reach a collector in separate requests, seconds apart,
// in no fixed order. Like contrib's groupbytrace processor the buffer holds
// them for a fixed wait, but it holds only what pairing needs: a retrieval
// span (the item) waits for an answer of its trace, and an answer (the text of
// an LLM span) waits for a retrieval span of its trace. Every other span
// passes straight through. Memory is bounded by the number of traces and by
// bytes; when a bound is hit the oldest answers go first, then the oldest
// waiting retrievals, which are released unanswered rather than dropped.
//
// An answer belongs to a retrieval when the LLM call started at or after the
// retrieval started (a query-rewriting call made before the retrieval does not
// count); of several, the earliest is taken. Spans without timestamps match
// any answer.
package tracebuffer

import (
	"container/list"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Reason says why an item left the buffer.
type Reason uint8

const (
	// Answered: the answer of its trace arrived (or was already there).
	Answered Reason = iota
	// WaitElapsed: no answer came within the wait.
	WaitElapsed
	// Evicted: the buffer was full and this trace was the oldest.
	Evicted
	// Flushed: the buffer was emptied at shutdown.
	Flushed
	// TooLarge: the item alone is larger than the byte bound; never held.
	TooLarge
)

func (r Reason) String() string {
	switch r {
	case Answered:
		return "answered"
	case WaitElapsed:
		return "wait_elapsed"
	case Evicted:
		return "evicted"
	case Flushed:
		return "shutdown"
	case TooLarge:
		return "too_large"
	}
	return "unknown"
}

// Answer is the output text of an LLM span and when the call started.
type Answer struct {
	Start pcommon.Timestamp
	Text  string
}

// Item is a held value (a retrieval span) with its start time and size.
type Item[T any] struct {
	Value T
	Start pcommon.Timestamp
	Size  int
}

// Release is an item leaving the buffer, with its answer when it has one.
type Release[T any] struct {
	Item[T]
	Reason    Reason
	Answer    string
	HasAnswer bool
}

// Outcome is what one call released and how many traces it evicted.
type Outcome[T any] struct {
	Released []Release[T]
	// EvictedTraces counts traces dropped to stay within bounds (waiting
	// answers dropped, and waiting retrievals released unanswered).
	EvictedTraces int
}

// Config bounds the buffer.
type Config struct {
	Wait      time.Duration
	MaxTraces int
	MaxBytes  int64
}

// Bookkeeping counted against MaxBytes besides the text and items.
const (
	entryOverhead  = 160
	answerOverhead = 40
)

type entry[T any] struct {
	id      pcommon.TraceID
	created time.Time
	answers []Answer
	items   []Item[T]
	bytes   int64
	elem    *list.Element
}

// queue is a FIFO of entries by creation time, with an index by trace ID.
type queue[T any] struct {
	byID  map[pcommon.TraceID]*entry[T]
	order *list.List
}

func newQueue[T any]() queue[T] {
	return queue[T]{byID: map[pcommon.TraceID]*entry[T]{}, order: list.New()}
}

func (q *queue[T]) add(id pcommon.TraceID, now time.Time) *entry[T] {
	e := &entry[T]{id: id, created: now, bytes: entryOverhead}
	e.elem = q.order.PushBack(e)
	q.byID[id] = e
	return e
}

func (q *queue[T]) remove(e *entry[T]) {
	q.order.Remove(e.elem)
	delete(q.byID, e.id)
}

func (q *queue[T]) oldest() *entry[T] {
	if f := q.order.Front(); f != nil {
		return f.Value.(*entry[T])
	}
	return nil
}

// Buffer pairs items with answers. It is safe for concurrent use.
type Buffer[T any] struct {
	cfg     Config
	mu      sync.Mutex
	answers queue[T] // traces whose answer waits for a retrieval
	pending queue[T] // traces whose retrievals wait for an answer
	bytes   int64
}

// New returns an empty buffer.
func New[T any](cfg Config) *Buffer[T] {
	return &Buffer[T]{cfg: cfg, answers: newQueue[T](), pending: newQueue[T]()}
}

func matches(answerStart, itemStart pcommon.Timestamp) bool {
	return answerStart == 0 || itemStart == 0 || answerStart >= itemStart
}

// Match returns the earliest answer that belongs to an item starting at
// start.
func Match(answers []Answer, start pcommon.Timestamp) (Answer, bool) {
	var out Answer
	found := false
	for _, a := range answers {
		if matches(a.Start, start) && (!found || a.Start < out.Start) {
			out, found = a, true
		}
	}
	return out, found
}

// AddAnswer records the answer of a trace and releases the waiting items it
// belongs to.
func (b *Buffer[T]) AddAnswer(now time.Time, id pcommon.TraceID, a Answer) Outcome[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out Outcome[T]
	if p := b.pending.byID[id]; p != nil {
		kept := p.items[:0]
		for _, it := range p.items {
			if matches(a.Start, it.Start) {
				out.Released = append(out.Released, Release[T]{Item: it, Reason: Answered, Answer: a.Text, HasAnswer: true})
				p.bytes -= int64(it.Size)
				b.bytes -= int64(it.Size)
				continue
			}
			kept = append(kept, it)
		}
		clear(p.items[len(kept):])
		p.items = kept
		if len(p.items) == 0 {
			b.pending.remove(p)
			b.bytes -= p.bytes
		}
	}
	size := int64(len(a.Text) + answerOverhead)
	if size+entryOverhead > b.cfg.MaxBytes {
		// It cannot be kept for a later retrieval.
		out.EvictedTraces++
		return out
	}
	e := b.answers.byID[id]
	if e == nil {
		e = b.answers.add(id, now)
		b.bytes += e.bytes
	}
	e.answers = append(e.answers, a)
	e.bytes += size
	b.bytes += size
	b.enforce(&out)
	return out
}

// Hold finds the answer of an item's trace, or else holds the item until one
// arrives. When an answer is already known it is returned and nothing is
// held (value is not called). Otherwise value makes the item to hold and
// says its size in bytes.
func (b *Buffer[T]) Hold(now time.Time, id pcommon.TraceID, start pcommon.Timestamp, value func() (T, int)) (answer string, answered bool, out Outcome[T]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.answers.byID[id]; e != nil {
		if a, ok := Match(e.answers, start); ok {
			return a.Text, true, out
		}
	}
	v, size := value()
	it := Item[T]{Value: v, Start: start, Size: size}
	if int64(size)+entryOverhead > b.cfg.MaxBytes {
		out.Released = append(out.Released, Release[T]{Item: it, Reason: TooLarge})
		return "", false, out
	}
	p := b.pending.byID[id]
	if p == nil {
		p = b.pending.add(id, now)
		b.bytes += p.bytes
	}
	p.items = append(p.items, it)
	p.bytes += int64(size)
	b.bytes += int64(size)
	b.enforce(&out)
	return "", false, out
}

// enforce evicts the oldest answers, then the oldest waiting items, until
// the bounds hold.
func (b *Buffer[T]) enforce(out *Outcome[T]) {
	for b.answers.order.Len()+b.pending.order.Len() > b.cfg.MaxTraces || b.bytes > b.cfg.MaxBytes {
		if e := b.answers.oldest(); e != nil {
			b.dropAnswers(e)
		} else if p := b.pending.oldest(); p != nil {
			b.releasePending(p, Evicted, out)
		} else {
			return
		}
		out.EvictedTraces++
	}
}

func (b *Buffer[T]) dropAnswers(e *entry[T]) {
	b.answers.remove(e)
	b.bytes -= e.bytes
}

func (b *Buffer[T]) releasePending(p *entry[T], reason Reason, out *Outcome[T]) {
	for _, it := range p.items {
		out.Released = append(out.Released, Release[T]{Item: it, Reason: reason})
	}
	b.pending.remove(p)
	b.bytes -= p.bytes
}

// Expire releases the items that waited the whole wait without an answer
// and forgets answers older than the wait.
func (b *Buffer[T]) Expire(now time.Time) Outcome[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out Outcome[T]
	deadline := now.Add(-b.cfg.Wait)
	for e := b.answers.oldest(); e != nil && !e.created.After(deadline); e = b.answers.oldest() {
		b.dropAnswers(e)
	}
	for p := b.pending.oldest(); p != nil && !p.created.After(deadline); p = b.pending.oldest() {
		b.releasePending(p, WaitElapsed, &out)
	}
	return out
}

// Flush releases every waiting item and forgets every answer.
func (b *Buffer[T]) Flush() Outcome[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out Outcome[T]
	for e := b.answers.oldest(); e != nil; e = b.answers.oldest() {
		b.dropAnswers(e)
	}
	for p := b.pending.oldest(); p != nil; p = b.pending.oldest() {
		b.releasePending(p, Flushed, &out)
	}
	return out
}

// Stats reports what the buffer holds now.
type Stats struct {
	// Traces whose retrievals wait for an answer, and whose answers wait
	// for a retrieval.
	PendingTraces, AnswerTraces int
	Bytes                       int64
}

// Stats returns the current occupancy.
func (b *Buffer[T]) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Stats{PendingTraces: b.pending.order.Len(), AnswerTraces: b.answers.order.Len(), Bytes: b.bytes}
}
