package slo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// stateMagic starts every snapshot; the digit is the format version.
const stateMagic = "SLOBURN1"

// ErrCorrupt is returned for a snapshot that does not decode.
var ErrCorrupt = errors.New("slo: corrupt state snapshot")

// fingerprint identifies what the windows of an SLO hold: what is counted,
// how it is grouped, and the bucket layout. A snapshot is restored into an
// SLO only when the fingerprints agree; objective and burn-rate factors may
// change freely.
func fingerprint(spec *Spec, opts Options) uint64 {
	var b strings.Builder
	fmt.Fprintf(&b, "kind=%d threshold=%v interval=%d buckets=%d\n", spec.Kind, spec.Threshold, opts.Interval, opts.BucketsPerWindow)
	for _, sel := range spec.Selectors() {
		fmt.Fprintf(&b, "metric=%s unit=%s match=%v regex=%v\n", sel.Metric, sel.Unit, sortedPairs(sel.Match), sortedPairs(sel.MatchRegex))
	}
	fmt.Fprintf(&b, "group_by=%q windows=%v\n", spec.GroupBy, spec.Durations())
	return xxhash.Sum64String(b.String())
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// Snapshot encodes the state of every SLO.
func (e *Engine) Snapshot() []byte {
	b := []byte(stateMagic)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.maxT))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(e.slos)))
	for _, s := range e.slos {
		b = appendString(b, s.spec.Name)
		b = binary.LittleEndian.AppendUint64(b, s.fingerprint)
		keys := make([]string, 0, len(s.groups))
		for k := range s.groups {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(keys)))
		for _, k := range keys {
			b = s.appendGroup(b, s.groups[k])
		}
	}
	return b
}

func (s *sloState) appendGroup(b []byte, g *group) []byte {
	b = appendString(b, g.key)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.spec.GroupBy)))
	for _, k := range s.spec.GroupBy {
		v, ok := g.attrs.Get(k)
		if !ok {
			b = append(b, 0)
			continue
		}
		switch v.Type() {
		case pcommon.ValueTypeInt:
			b = append(b, 2)
			b = binary.LittleEndian.AppendUint64(b, uint64(v.Int()))
		case pcommon.ValueTypeDouble:
			b = append(b, 3)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Double()))
		case pcommon.ValueTypeBool:
			b = append(b, 4)
			if v.Bool() {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			b = append(b, 1)
			b = appendString(b, v.AsString())
		}
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(g.wm))
	if g.started {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(g.vals)))
	for _, v := range g.vals {
		b = binary.LittleEndian.AppendUint64(b, uint64(v.tick))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.ratio))
		if v.ok {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(g.tracks)))
	for _, tr := range g.tracks {
		b = binary.LittleEndian.AppendUint64(b, tr.key)
		b = append(b, tr.roles)
		b = tr.AppendBinary(b)
	}
	return b
}

// Restore loads a snapshot into an engine that has seen no data yet. SLOs
// whose definition changed since the snapshot start empty; skipped names
// them. Series beyond the cap are left out.
func (e *Engine) Restore(data []byte) (skipped []string, err error) {
	if !strings.HasPrefix(string(data), stateMagic) {
		return nil, ErrCorrupt
	}
	r := reader{b: data[len(stateMagic):]}
	maxT := int64(r.u64())
	n := r.u32()
	if uint64(n)*12 > uint64(len(r.b)) {
		return nil, ErrCorrupt
	}
	byName := map[string]*sloState{}
	for _, s := range e.slos {
		byName[s.spec.Name] = s
	}
	type restoredSLO struct {
		s      *sloState
		groups map[string]*group
	}
	var restored []restoredSLO
	series := 0
	for range n {
		name := r.str()
		fp := r.u64()
		ngroups := r.u32()
		if r.err != nil || uint64(ngroups)*4 > uint64(len(r.b)) {
			return nil, ErrCorrupt
		}
		s := byName[name]
		keep := s != nil && s.fingerprint == fp
		if !keep {
			skipped = append(skipped, name)
		}
		groups := map[string]*group{}
		for range ngroups {
			g, err := e.readGroup(&r, s, keep)
			if err != nil {
				return nil, err
			}
			if keep {
				groups[g.key] = g
				series += len(g.tracks)
			}
		}
		if keep {
			restored = append(restored, restoredSLO{s, groups})
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, ErrCorrupt
	}
	for _, rs := range restored {
		for k, g := range rs.groups {
			if e.opts.MaxSeries > 0 && e.series+len(g.tracks) > e.opts.MaxSeries {
				e.stats.Refused[ReasonSeriesLimit] += int64(len(g.tracks))
				continue
			}
			rs.s.groups[k] = g
			e.series += len(g.tracks)
		}
	}
	e.maxT = max(e.maxT, maxT)
	return skipped, nil
}

// readGroup decodes one group; with keep false (an SLO that is gone or
// changed) it only skips over the bytes, which still needs the layout the
// snapshot was written with: the bucket count is in the data.
func (e *Engine) readGroup(r *reader, s *sloState, keep bool) (*group, error) {
	key := r.str()
	g := &group{key: key, index: map[uint64]int{}}
	if keep {
		g.slo = s
		g.attrs = pcommon.NewMap()
		s.baseAttrs.CopyTo(g.attrs)
		e.nextID++
		g.id = e.nextID
	}
	nAttrs := int(r.u32())
	if keep && nAttrs != len(s.spec.GroupBy) {
		return nil, ErrCorrupt
	}
	for i := 0; i < nAttrs && r.err == nil; i++ {
		var v pcommon.Value
		switch r.u8() {
		case 0:
			continue
		case 1:
			v = pcommon.NewValueStr(r.str())
		case 2:
			v = pcommon.NewValueInt(int64(r.u64()))
		case 3:
			v = pcommon.NewValueDouble(math.Float64frombits(r.u64()))
		case 4:
			v = pcommon.NewValueBool(r.u8() == 1)
		default:
			return nil, ErrCorrupt
		}
		if keep {
			v.CopyTo(g.attrs.PutEmpty(s.spec.GroupBy[i]))
		}
	}
	g.wm = int64(r.u64())
	g.started = r.u8() == 1
	nv := r.u32()
	if uint64(nv)*17 > uint64(len(r.b)) || keep && int(nv) != len(s.wins) {
		return nil, ErrCorrupt
	}
	for range nv {
		v := winVal{tick: int64(r.u64()), ratio: math.Float64frombits(r.u64()), ok: r.u8() == 1}
		if keep {
			g.vals = append(g.vals, v)
		}
	}
	nt := r.u32()
	if uint64(nt)*(9+49) > uint64(len(r.b)) {
		return nil, ErrCorrupt
	}
	for range nt {
		tr := &track{key: r.u64(), roles: r.u8()}
		if r.err != nil {
			return nil, ErrCorrupt
		}
		if keep {
			rest, err := tr.DecodeBinary(s.layout, r.b)
			if err != nil {
				return nil, ErrCorrupt
			}
			r.b = rest
			g.index[tr.key] = len(g.tracks)
			g.tracks = append(g.tracks, tr)
		} else if err := r.skipCounter(); err != nil {
			return nil, err
		}
	}
	if r.err != nil {
		return nil, ErrCorrupt
	}
	return g, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b) < n {
		r.err = ErrCorrupt
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) str() string {
	n := r.u32()
	if uint64(n) > uint64(len(r.b)) {
		r.err = ErrCorrupt
		return ""
	}
	return string(r.take(int(n)))
}

// skipCounter steps over one counter written by window.Counter.AppendBinary.
func (r *reader) skipCounter() error {
	r.take(8*4 + 4 + 1)
	r.u32()
	used := r.u32()
	if r.err != nil || uint64(used)*28 > uint64(len(r.b)) {
		return ErrCorrupt
	}
	r.take(int(used) * 28)
	return r.err
}
