// Package gpucost prices self-hosted inference from GPU samples: every GPU
// that reports metrics costs its price per GPU-hour for the time it is seen,
// that cost goes to the deployment whose pod holds the GPU (split into busy
// and idle by the GPU's utilisation), GPUs held by no pod are "unallocated",
// and dividing a deployment's cost by the tokens it processed over the same
// interval gives its cost per 1K tokens.
//
// Time accounting: a GPU's samples (any hw.gpu.utilization or
// hw.gpu.memory.usage point) arrive at scrape timestamps t0 < t1 < …; the
// period (t(i-1), t(i)] is accounted when a sample later than t(i) arrives or
// the interval is flushed, with the attribution and utilisation reported at
// t(i). A GPU's first sample only starts its clock; a gap longer than MaxGap
// (the collector or the exporter was down, the node went away) is not billed.
package gpucost

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attr is one attribute that identifies an owner.
type Attr struct{ Name, Value string }

// Owner is who holds a GPU or processed tokens: the deployment attributes
// found on the data, in configuration order. The zero Owner is "nobody".
type Owner struct {
	Key   string
	Attrs []Attr
}

// NewOwner builds an owner from its attributes; no attributes is nobody.
func NewOwner(attrs []Attr) Owner {
	if len(attrs) == 0 {
		return Owner{}
	}
	var b strings.Builder
	for i, a := range attrs {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(a.Name)
		b.WriteByte('=')
		b.WriteString(a.Value)
	}
	return Owner{Key: b.String(), Attrs: attrs}
}

// State is what a share of GPU time was spent as.
type State uint8

const (
	Busy State = iota
	Idle
	Unmeasured
	Unallocated
)

func (s State) String() string {
	switch s {
	case Busy:
		return "busy"
	case Idle:
		return "idle"
	case Unmeasured:
		return "unmeasured"
	}
	return "unallocated"
}

// PriceRule prices GPUs: by GPU model (hw.model, compared case-insensitively)
// or by node pool. The first matching rule wins.
type PriceRule struct {
	GPUModel   string
	NodePool   string
	USDPerHour float64
	// MIGSlices is the number of compute slices of the whole GPU (7 on
	// A100, H100, H200): a MIG instance of profile Ng.… costs N/MIGSlices of
	// the GPU.
	MIGSlices int
}

func (r PriceRule) matches(model, pool string) bool {
	if r.NodePool != "" {
		return pool == r.NodePool
	}
	return strings.EqualFold(strings.TrimSpace(model), strings.TrimSpace(r.GPUModel))
}

// Config configures the accounting.
type Config struct {
	Prices []PriceRule
	// MaxGap is the longest gap between two samples of a GPU (or of a token
	// rate series) that is still accounted as continuous.
	MaxGap time.Duration
}

// Sample is one observation of a GPU (or MIG instance) at a scrape time.
type Sample struct {
	GPU            string // hw.id
	MIGInstance    string // "" for the whole GPU
	MIGProfile     string // e.g. 1g.10gb
	Model          string // hw.model
	NodePool       string
	Owner          Owner
	Time           pcommon.Timestamp
	Utilization    float64 // 0-1
	HasUtilization bool
}

// TokenKind says how a token series counts.
type TokenKind uint8

const (
	// DeltaCount: each point is the tokens since the previous one.
	DeltaCount TokenKind = iota
	// CumulativeCount: each point is the total since its start time.
	CumulativeCount
	// Rate: each point is tokens per second, integrated over the time since
	// the series' previous point.
	Rate
)

// TokenSample is one point of a token metric.
type TokenSample struct {
	Owner  Owner
	Series string // identity of the series, for cumulative and rate state
	Kind   TokenKind
	Value  float64
	Start  pcommon.Timestamp
	Time   pcommon.Timestamp
}

// Accumulator collects samples between flushes. It is safe for concurrent use.
type Accumulator struct {
	mu      sync.Mutex
	cfg     Config
	started pcommon.Timestamp
	last    pcommon.Timestamp // end of the previous interval
	gpus    map[string]*gpuState
	series  map[string]*seriesState
	ledger  map[ledgerKey]*Share
	owners  map[string]Owner
	tokens  map[string]float64
	// unpricedSeconds is GPU time without a price in this interval.
	unpricedSeconds float64
}

type ledgerKey struct {
	owner string
	model string
	state State
}

// Share is GPU time and its cost for one owner, GPU model and state.
type Share struct {
	Model   string
	State   State
	Seconds float64
	USD     float64
	// Priced is false when no rule priced (some of) this time.
	Priced bool
}

type rowKey struct {
	mig   string
	owner string
}

type row struct {
	profile string
	owner   Owner
	util    float64
	hasUtil bool
}

type gpuState struct {
	lastT pcommon.Timestamp // end of the last accounted period
	curT  pcommon.Timestamp // time of the observation being gathered
	model string
	pool  string
	rows  map[rowKey]*row
}

type seriesState struct {
	value float64
	start pcommon.Timestamp
	t     pcommon.Timestamp
}

// NewAccumulator starts accounting at now.
func NewAccumulator(cfg Config, now time.Time) *Accumulator {
	if cfg.MaxGap <= 0 {
		cfg.MaxGap = 5 * time.Minute
	}
	ts := pcommon.NewTimestampFromTime(now)
	return &Accumulator{
		cfg:     cfg,
		started: ts,
		last:    ts,
		gpus:    map[string]*gpuState{},
		series:  map[string]*seriesState{},
		ledger:  map[ledgerKey]*Share{},
		owners:  map[string]Owner{},
		tokens:  map[string]float64{},
	}
}

// Observe records a GPU sample. It returns false when the sample is older than
// the GPU's latest and was not accounted.
func (a *Accumulator) Observe(s Sample) bool {
	if s.GPU == "" {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.gpus[s.GPU]
	if g == nil {
		g = &gpuState{rows: map[rowKey]*row{}}
		a.gpus[s.GPU] = g
	}
	switch {
	case s.Time < g.curT:
		return false
	case s.Time > g.curT:
		a.close(g)
		g.curT = s.Time
	}
	if s.Model != "" {
		g.model = s.Model
	}
	if s.NodePool != "" {
		g.pool = s.NodePool
	}
	k := rowKey{mig: s.MIGInstance, owner: s.Owner.Key}
	r := g.rows[k]
	if r == nil {
		r = &row{owner: s.Owner}
		g.rows[k] = r
	}
	if s.MIGProfile != "" {
		r.profile = s.MIGProfile
	}
	if s.HasUtilization {
		r.util, r.hasUtil = clamp01(s.Utilization), true
	}
	return true
}

// close accounts the period ending at g.curT and starts the next one.
func (a *Accumulator) close(g *gpuState) {
	defer func() {
		if g.curT != 0 {
			g.lastT = g.curT
		}
		clear(g.rows)
	}()
	if g.lastT == 0 || g.curT <= g.lastT || len(g.rows) == 0 {
		return
	}
	dt := time.Duration(g.curT - g.lastT)
	if dt > a.cfg.MaxGap {
		return
	}
	seconds := dt.Seconds()
	rule, priced := a.price(g.model, g.pool)
	perSecond := rule.USDPerHour / 3600

	// Device-wide utilisation, for rows that do not carry their own.
	var devUtil float64
	devHasUtil := false
	var mig, whole []*row
	for k, r := range g.rows {
		if k.mig != "" {
			mig = append(mig, r)
			continue
		}
		whole = append(whole, r)
		if r.hasUtil && !devHasUtil {
			devUtil, devHasUtil = r.util, true
		}
	}
	sortRows(mig)
	sortRows(whole)

	add := func(owner Owner, share float64, util float64, hasUtil bool) {
		if share <= 0 {
			return
		}
		sec := seconds * share
		usd := sec * perSecond
		if owner.Key == "" {
			a.book(owner, g.model, Unallocated, sec, usd, priced)
			return
		}
		if !hasUtil {
			a.book(owner, g.model, Unmeasured, sec, usd, priced)
			return
		}
		a.book(owner, g.model, Busy, sec*util, usd*util, priced)
		a.book(owner, g.model, Idle, sec*(1-util), usd*(1-util), priced)
	}

	if len(mig) > 0 {
		// A GPU in MIG mode: each instance pays its slices; slices no pod
		// holds are unallocated. The whole-GPU row is not billed again.
		slices := rule.MIGSlices
		if slices <= 0 {
			slices = 7
		}
		used := 0.0
		for _, r := range mig {
			n := migSlices(r.profile)
			share := float64(n) / float64(slices)
			if used+share > 1 {
				share = 1 - used
			}
			used += share
			add(r.owner, share, r.util, r.hasUtil)
		}
		add(Owner{}, 1-used, 0, false)
		return
	}
	// A whole GPU: shared evenly by the pods that hold it (time slicing); a
	// row without a pod only counts when no pod holds the GPU.
	var holders []*row
	for _, r := range whole {
		if r.owner.Key != "" {
			holders = append(holders, r)
		}
	}
	if len(holders) == 0 {
		add(Owner{}, 1, 0, false)
		return
	}
	share := 1 / float64(len(holders))
	for _, r := range holders {
		u, ok := r.util, r.hasUtil
		if !ok {
			u, ok = devUtil, devHasUtil
		}
		add(r.owner, share, u, ok)
	}
}

func (a *Accumulator) book(owner Owner, model string, state State, seconds, usd float64, priced bool) {
	k := ledgerKey{owner: owner.Key, model: model, state: state}
	s := a.ledger[k]
	if s == nil {
		s = &Share{Model: model, State: state, Priced: priced}
		a.ledger[k] = s
		a.owners[owner.Key] = owner
	}
	s.Seconds += seconds
	s.USD += usd
	if !priced {
		s.Priced = false
		a.unpricedSeconds += seconds
	}
}

func (a *Accumulator) price(model, pool string) (PriceRule, bool) {
	for _, r := range a.cfg.Prices {
		if r.matches(model, pool) {
			return r, true
		}
	}
	return PriceRule{}, false
}

// ObserveTokens records a point of a token metric. It returns false when the
// point was not counted: a negative, NaN or infinite value, or a point not
// newer than the series' latest.
func (a *Accumulator) ObserveTokens(s TokenSample) bool {
	if s.Value < 0 || math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var n float64
	switch s.Kind {
	case DeltaCount:
		n = s.Value
	case CumulativeCount:
		prev := a.series[s.Series]
		switch {
		case prev == nil:
			// A series that started after us counts from zero; an older one
			// only sets the baseline.
			if s.Start != 0 && s.Start >= a.started {
				n = s.Value
			}
		case s.Time <= prev.t:
			return false
		case s.Start != prev.start || s.Value < prev.value:
			n = s.Value // reset
		default:
			n = s.Value - prev.value
		}
		a.series[s.Series] = &seriesState{value: s.Value, start: s.Start, t: s.Time}
	case Rate:
		prev := a.series[s.Series]
		if prev != nil {
			if s.Time <= prev.t {
				return false
			}
			if dt := time.Duration(s.Time - prev.t); dt <= a.cfg.MaxGap {
				n = s.Value * dt.Seconds()
			}
		}
		a.series[s.Series] = &seriesState{value: s.Value, t: s.Time}
	}
	if n > 0 {
		a.tokens[s.Owner.Key] += n
		if _, ok := a.owners[s.Owner.Key]; !ok {
			a.owners[s.Owner.Key] = s.Owner
		}
	}
	return true
}

// Deployment is one owner's account for an interval.
type Deployment struct {
	Owner  Owner
	Shares []Share // sorted by model, then state
	Tokens float64
}

// CostUSD is the priced GPU cost of the deployment.
func (d Deployment) CostUSD() (usd float64, priced bool) {
	for _, s := range d.Shares {
		if s.Priced {
			usd += s.USD
			priced = true
		}
	}
	return usd, priced
}

// CostPer1KTokens is the deployment's GPU cost per thousand tokens; false
// when there were no tokens or no priced GPU time.
func (d Deployment) CostPer1KTokens() (float64, bool) {
	usd, priced := d.CostUSD()
	if !priced || d.Tokens <= 0 || d.Owner.Key == "" {
		return 0, false
	}
	return usd / (d.Tokens / 1000), true
}

// Report is the account of one interval.
type Report struct {
	Start, End      pcommon.Timestamp
	Deployments     []Deployment // sorted by owner key; nobody ("unallocated") first
	UnpricedSeconds float64
}

// Flush closes the interval at now: every GPU's pending period is accounted,
// state not refreshed within MaxGap is forgotten, and the interval's report
// is returned.
func (a *Accumulator) Flush(now time.Time) Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	end := pcommon.NewTimestampFromTime(now)
	stale := end - pcommon.Timestamp(a.cfg.MaxGap)
	if end < pcommon.Timestamp(a.cfg.MaxGap) {
		stale = 0
	}
	for id, g := range a.gpus {
		a.close(g)
		if g.curT < stale {
			delete(a.gpus, id)
		}
	}
	for id, s := range a.series {
		if s.t < stale {
			delete(a.series, id)
		}
	}

	byOwner := map[string]*Deployment{}
	get := func(key string) *Deployment {
		d := byOwner[key]
		if d == nil {
			d = &Deployment{Owner: a.owners[key]}
			byOwner[key] = d
		}
		return d
	}
	for k, s := range a.ledger {
		d := get(k.owner)
		d.Shares = append(d.Shares, *s)
	}
	for k, n := range a.tokens {
		get(k).Tokens = n
	}
	r := Report{Start: a.last, End: end, UnpricedSeconds: a.unpricedSeconds}
	for _, d := range byOwner {
		sort.Slice(d.Shares, func(i, j int) bool {
			if d.Shares[i].Model != d.Shares[j].Model {
				return d.Shares[i].Model < d.Shares[j].Model
			}
			return d.Shares[i].State < d.Shares[j].State
		})
		r.Deployments = append(r.Deployments, *d)
	}
	sort.Slice(r.Deployments, func(i, j int) bool { return r.Deployments[i].Owner.Key < r.Deployments[j].Owner.Key })

	a.last = end
	clear(a.ledger)
	clear(a.tokens)
	clear(a.owners)
	a.unpricedSeconds = 0
	return r
}

// migSlices reads N from a MIG profile "Ng.<memory>" (1g.10gb, 3g.40gb,
// 1g.10gb+me); 0 when it cannot.
func migSlices(profile string) int {
	i := strings.Index(profile, "g.")
	if i <= 0 {
		return 0
	}
	j := i
	for j > 0 && profile[j-1] >= '0' && profile[j-1] <= '9' {
		j--
	}
	n, err := strconv.Atoi(profile[j:i])
	if err != nil {
		return 0
	}
	return n
}

func sortRows(rows []*row) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].owner.Key < rows[j].owner.Key })
}

func clamp01(v float64) float64 {
	switch {
	case v < 0 || v != v:
		return 0
	case v > 1:
		return 1
	}
	return v
}
