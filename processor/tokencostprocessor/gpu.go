package tokencostprocessor

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/gpucost"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// The GPU metric set of internal/gpuschema (OpenTelemetry hardware semantic
// conventions) that GPU pricing reads; TestGPUNamesExistInTheSharedSchema
// keeps them in step with the receivers.
const (
	metricGPUUtilization = "hw.gpu.utilization"
	metricGPUMemoryUsage = "hw.gpu.memory.usage"
	attrHwID             = "hw.id"
	attrHwModel          = "hw.model"
	attrGPUTask          = "hw.gpu.task"
	attrMIGInstanceID    = "hw.gpu.mig.instance_id"
	attrMIGProfile       = "hw.gpu.mig.profile"
	gpuTaskGeneral       = "general"
)

// gpuPricer accounts GPU time and tokens from the metrics that pass through
// (unchanged) and emits cost metrics every interval.
type gpuPricer struct {
	cfg       GPUConfig
	enabled   bool
	acc       *gpucost.Accumulator
	accCfg    gpucost.Config
	tokens    map[string][]TokenMetric
	next      consumer.Metrics
	scope     gpucost.Scope
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	now       func() time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

func newGPUPricer(cfg *Config, set component.TelemetrySettings, build component.BuildInfo, instanceID string, tb *metadata.TelemetryBuilder, next consumer.Metrics) *gpuPricer {
	g := &gpuPricer{
		cfg:       cfg.GPU,
		enabled:   len(cfg.GPU.Prices) > 0,
		tokens:    map[string][]TokenMetric{},
		next:      next,
		scope:     gpucost.Scope{Name: metadata.ScopeName, Version: build.Version, InstanceID: instanceID},
		logger:    set.Logger,
		telemetry: tb,
		now:       time.Now,
	}
	rules := make([]gpucost.PriceRule, 0, len(cfg.GPU.Prices))
	for _, p := range cfg.GPU.Prices {
		rules = append(rules, gpucost.PriceRule{GPUModel: p.GPUModel, NodePool: p.NodePool, USDPerHour: p.USDPerHour, MIGSlices: p.MIGSlices})
	}
	g.accCfg = gpucost.Config{Prices: rules, MaxGap: cfg.GPU.MaxGap}
	g.acc = gpucost.NewAccumulator(g.accCfg, g.now())
	for _, t := range cfg.GPU.Tokens {
		g.tokens[t.Metric] = append(g.tokens[t.Metric], t)
	}
	return g
}

// setClock replaces the clock (tests) and restarts accounting at its time.
func (g *gpuPricer) setClock(now func() time.Time) {
	g.now = now
	g.acc = gpucost.NewAccumulator(g.accCfg, now())
}

func (g *gpuPricer) start(context.Context, component.Host) error {
	if !g.enabled {
		return nil
	}
	g.stop = make(chan struct{})
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		tick := time.NewTicker(g.cfg.Interval)
		defer tick.Stop()
		for {
			select {
			case <-g.stop:
				return
			case <-tick.C:
				g.flush(context.Background())
			}
		}
	}()
	return nil
}

func (g *gpuPricer) shutdown(ctx context.Context) error {
	if g.stop == nil {
		return nil
	}
	close(g.stop)
	g.wg.Wait()
	g.stop = nil
	// The last partial interval is not lost.
	g.flush(ctx)
	return nil
}

// flush closes the interval and sends its cost metrics down the pipeline.
func (g *gpuPricer) flush(ctx context.Context) {
	r := g.acc.Flush(g.now())
	if r.UnpricedSeconds > 0 {
		g.telemetry.TokenCostGpuUnpriced.Add(ctx, r.UnpricedSeconds)
	}
	md := gpucost.ToMetrics(r, g.scope)
	if md.ResourceMetrics().Len() == 0 {
		return
	}
	if err := g.next.ConsumeMetrics(ctx, md); err != nil {
		g.logger.Warn("GPU cost metrics were not accepted by the next consumer", zap.Error(err))
	}
}

func (g *gpuPricer) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	if !g.enabled {
		return md, nil
	}
	var dropped, droppedTokens int64
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource().Attributes()
		var gpu *gpucost.Sample // template for this resource's GPU samples
		if id := str(res, attrHwID); id != "" {
			gpu = &gpucost.Sample{
				GPU:         id,
				MIGInstance: str(res, attrMIGInstanceID),
				MIGProfile:  str(res, attrMIGProfile),
				Model:       str(res, attrHwModel),
			}
			if g.cfg.NodePoolAttribute != "" {
				gpu.NodePool = str(res, g.cfg.NodePoolAttribute)
			}
			if gpu.MIGInstance != "" {
				// Instances are told apart within their GPU.
				gpu.MIGInstance = "mig-" + gpu.MIGInstance
			}
		}
		resKey := ""
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch {
				case gpu != nil && (m.Name() == metricGPUUtilization || m.Name() == metricGPUMemoryUsage):
					dropped += g.observeGPU(*gpu, m, res)
				default:
					specs, ok := g.tokens[m.Name()]
					if !ok {
						continue
					}
					if resKey == "" {
						resKey = attrsKey(res)
					}
					droppedTokens += g.observeTokens(m, specs, res, resKey)
				}
			}
		}
	}
	if dropped > 0 {
		g.telemetry.TokenCostGpuSamplesDropped.Add(ctx, dropped)
	}
	if droppedTokens > 0 {
		g.telemetry.TokenCostGpuTokenSamplesDropped.Add(ctx, droppedTokens)
	}
	return md, nil
}

func (g *gpuPricer) observeGPU(s gpucost.Sample, m pmetric.Metric, res pcommon.Map) (dropped int64) {
	var dps pmetric.NumberDataPointSlice
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		dps = m.Gauge().DataPoints()
	case pmetric.MetricTypeSum:
		dps = m.Sum().DataPoints()
	default:
		return 0
	}
	isUtil := m.Name() == metricGPUUtilization
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		sample := s
		sample.Time = dp.Timestamp()
		sample.Owner = g.owner(dp.Attributes(), res)
		if isUtil {
			if task := str(dp.Attributes(), attrGPUTask); task != "" && task != gpuTaskGeneral {
				continue // encoder/decoder utilisation says nothing about inference
			}
			sample.Utilization, sample.HasUtilization = numberValue(dp), true
		}
		if !g.acc.Observe(sample) {
			dropped++
		}
	}
	return dropped
}

func (g *gpuPricer) observeTokens(m pmetric.Metric, specs []TokenMetric, res pcommon.Map, resKey string) (dropped int64) {
	emit := func(attrs pcommon.Map, kind gpucost.TokenKind, v float64, start, ts pcommon.Timestamp) {
		if !matchesAny(specs, attrs, res) {
			return
		}
		if !g.acc.ObserveTokens(gpucost.TokenSample{
			Owner:  g.owner(attrs, res),
			Series: m.Name() + "\x00" + resKey + "\x00" + attrsKey(attrs),
			Kind:   kind,
			Value:  v,
			Start:  start,
			Time:   ts,
		}) {
			dropped++
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeSum:
		kind := gpucost.CumulativeCount
		if m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityDelta {
			kind = gpucost.DeltaCount
		}
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			emit(dp.Attributes(), kind, numberValue(dp), dp.StartTimestamp(), dp.Timestamp())
		}
	case pmetric.MetricTypeGauge:
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			emit(dp.Attributes(), gpucost.Rate, numberValue(dp), dp.StartTimestamp(), dp.Timestamp())
		}
	case pmetric.MetricTypeHistogram:
		kind := gpucost.CumulativeCount
		if m.Histogram().AggregationTemporality() == pmetric.AggregationTemporalityDelta {
			kind = gpucost.DeltaCount
		}
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.HasSum() {
				emit(dp.Attributes(), kind, dp.Sum(), dp.StartTimestamp(), dp.Timestamp())
			}
		}
	}
	return dropped
}

// owner finds the configured deployment attributes on the point, then on the
// resource.
func (g *gpuPricer) owner(attrs, res pcommon.Map) gpucost.Owner {
	var out []gpucost.Attr
	for _, k := range g.cfg.DeploymentAttributes {
		v := str(attrs, k)
		if v == "" {
			v = str(res, k)
		}
		if v != "" {
			out = append(out, gpucost.Attr{Name: k, Value: v})
			continue
		}
		if k != attrK8sDeploymentName || !g.cfg.DeploymentFromPodName {
			continue
		}
		pod := str(attrs, attrK8sPodName)
		if pod == "" {
			pod = str(res, attrK8sPodName)
		}
		if pod == "" {
			continue
		}
		if d, ok := deploymentFromPod(pod); ok {
			out = append(out, gpucost.Attr{Name: attrK8sDeploymentName, Value: d})
		} else {
			out = append(out, gpucost.Attr{Name: attrK8sPodName, Value: pod})
		}
	}
	return gpucost.NewOwner(out)
}

// k8sRandAlphabet is the alphabet of ReplicaSet hashes and pod name suffixes
// (k8s.io/apimachinery/pkg/util/rand): no vowels, so words are not mistaken
// for them.
const k8sRandAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// deploymentFromPod returns <deployment> from a Deployment pod's name,
// <deployment>-<pod-template-hash>-<5 characters>.
func deploymentFromPod(pod string) (string, bool) {
	i := strings.LastIndexByte(pod, '-')
	if i <= 0 || len(pod)-i-1 != 5 || !inAlphabet(pod[i+1:]) {
		return "", false
	}
	rest := pod[:i]
	j := strings.LastIndexByte(rest, '-')
	if j <= 0 {
		return "", false
	}
	hash := rest[j+1:]
	if len(hash) < 6 || len(hash) > 10 || !inAlphabet(hash) {
		return "", false
	}
	return rest[:j], true
}

func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(k8sRandAlphabet, s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

func matchesAny(specs []TokenMetric, attrs, res pcommon.Map) bool {
	for _, s := range specs {
		ok := true
		for k, want := range s.Attributes {
			v := str(attrs, k)
			if v == "" {
				v = str(res, k)
			}
			if v != want {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func str(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok {
		return ""
	}
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return v.AsString()
}

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// attrsKey is a stable identity of an attribute set.
func attrsKey(m pcommon.Map) string {
	if m.Len() == 0 {
		return ""
	}
	keys := make([]string, 0, m.Len())
	for k := range m.All() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v, _ := m.Get(k)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v.AsString())
		b.WriteByte(0)
	}
	return b.String()
}
