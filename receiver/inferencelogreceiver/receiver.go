package inferencelogreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/emit"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/split"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"golang.org/x/text/encoding/unicode"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metrics"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"
)

const (
	// idleStateTTL: the state of a file that has been quiet this long is
	// dropped (rotated-away files); a file that speaks again is detected anew.
	idleStateTTL = 15 * time.Minute
	// maxRetryBackoff caps the wait between tries when the next consumer
	// refuses data for now (memory_limiter).
	maxRetryBackoff = 5 * time.Second
)

type formatRule struct {
	globs  []string
	format parser.Format
}

type inferenceLogReceiver struct {
	set       receiver.Settings
	cfg       *Config
	telemetry *metadata.TelemetryBuilder
	obsLogs   *receiverhelper.ObsReport
	obsMet    *receiverhelper.ObsReport

	loc    *time.Location
	format parser.Format
	mode   container.Mode
	rules  []formatRule
	recCfg metrics.Config
	// now is the clock; tests replace it.
	now func() time.Time

	logs    consumer.Logs
	metrics consumer.Metrics

	startOnce  sync.Once
	stopOnce   sync.Once
	startErr   error
	manager    *fileconsumer.Manager
	client     storage.Client
	runCtx     context.Context
	cancelRun  context.CancelFunc
	flusherWG  sync.WaitGroup
	onShutdown func()

	mu    sync.Mutex
	files map[string]*fileState

	// linesRead counts the lines the file consumer handed over (tests wait
	// on it).
	linesRead atomic.Int64

	kindAttrs   [parser.NumKinds]metric.AddOption
	formatAttrs map[string]metric.AddOption
	logsAttr    metric.AddOption
	metricsAttr metric.AddOption
}

func newReceiver(set receiver.Settings, cfg *Config) (*inferenceLogReceiver, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	obsLogs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: set.ID, Transport: "file", ReceiverCreateSettings: set})
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	format, err := parser.ParseFormat(cfg.Format)
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	mode, err := container.ParseMode(cfg.Container)
	if err != nil {
		return nil, fmt.Errorf("container: %w", err)
	}
	r := &inferenceLogReceiver{
		set:         set,
		cfg:         cfg,
		telemetry:   tb,
		obsLogs:     obsLogs,
		obsMet:      obsLogs,
		loc:         loc,
		format:      format,
		mode:        mode,
		recCfg:      cfg.Metrics.recorderConfig(),
		now:         time.Now,
		files:       map[string]*fileState{},
		formatAttrs: map[string]metric.AddOption{},
		logsAttr:    metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", "logs"))),
		metricsAttr: metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", "metrics"))),
	}
	for _, rule := range cfg.Formats {
		f, err := parser.ParseFormat(rule.Format)
		if err != nil {
			return nil, err
		}
		r.rules = append(r.rules, formatRule{globs: rule.Include, format: f})
	}
	for k := parser.Kind(1); k < parser.NumKinds; k++ {
		r.kindAttrs[k] = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", k.String())))
	}
	for _, name := range []string{"vllm", "tgi", "llamacpp", "sglang", "ollama", "triton", "cri", "docker", "unknown"} {
		r.formatAttrs[name] = metric.WithAttributeSet(attribute.NewSet(attribute.String("format", name)))
	}
	return r, nil
}

func (r *inferenceLogReceiver) setLogs(next consumer.Logs)       { r.logs = next }
func (r *inferenceLogReceiver) setMetrics(next consumer.Metrics) { r.metrics = next }

// fileConsumerConfig maps the receiver's settings onto contrib's file
// consumer, which does the tailing: globs, fingerprints, rotation, offsets.
func (c *Config) fileConsumerConfig() fileconsumer.Config {
	fc := fileconsumer.NewConfig()
	fc.Include = c.Include
	fc.Exclude = c.Exclude
	fc.ExcludeOlderThan = c.ExcludeOlderThan
	fc.StartAt = c.StartAt
	fc.PollInterval = c.PollInterval
	fc.FingerprintSize = c.FingerprintSize
	fc.MaxLogSize = c.MaxLogSize
	fc.MaxConcurrentFiles = c.MaxConcurrentFiles
	fc.Encoding = c.Encoding
	fc.OnTruncate = c.OnTruncate
	// The path keys the per-file state; the file name and path attributes
	// on records follow include_file_name and include_file_path.
	fc.IncludeFileName = true
	fc.IncludeFilePath = true
	// Indentation is what tracebacks, panics and llama.cpp timing blocks
	// are recognised by, and the servers' own line prefixes end in spaces.
	fc.TrimConfig.PreserveLeading = true
	fc.TrimConfig.PreserveTrailing = true
	return *fc
}

// buildFileConsumer builds the file consumer for cfg that calls emit.
func buildFileConsumer(cfg *Config, set component.TelemetrySettings, emit emit.Callback) (*fileconsumer.Manager, error) {
	fc := cfg.fileConsumerConfig()
	var opts []fileconsumer.Option
	if isUTF8(fc.Encoding) {
		// The parser checks UTF-8 itself (and replaces what is not), which
		// costs less than the file consumer's decoder on every line.
		splitFunc, err := split.NewlineSplitFunc(unicode.UTF8, false)
		if err != nil {
			return nil, err
		}
		fc.Encoding = "nop"
		opts = append(opts, fileconsumer.WithSplitFunc(splitFunc))
	}
	return fc.Build(set, emit, opts...)
}

func isUTF8(encoding string) bool {
	switch strings.ToLower(encoding) {
	case "utf-8", "utf8":
		return true
	}
	return false
}

func nopTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{Logger: zap.NewNop(), MeterProvider: noopMeterProvider(), TracerProvider: noopTracerProvider()}
}

func nopEmit(context.Context, [][]byte, map[string]any, int64, []int64) error { return nil }

func (r *inferenceLogReceiver) Start(ctx context.Context, host component.Host) error {
	r.startOnce.Do(func() { r.startErr = r.start(ctx, host) })
	return r.startErr
}

func (r *inferenceLogReceiver) start(ctx context.Context, host component.Host) error {
	client, err := adapter.GetStorageClient(ctx, host, r.cfg.Storage, r.set.ID)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	r.client = client
	manager, err := buildFileConsumer(r.cfg, r.set.TelemetrySettings, r.consume)
	if err != nil {
		return err
	}
	r.manager = manager
	r.runCtx, r.cancelRun = context.WithCancel(context.Background())
	var persister operator.Persister
	if r.cfg.Storage != nil {
		persister = operator.NewScopedPersister("inference_log", client)
	}
	if err := manager.Start(persister); err != nil {
		r.cancelRun()
		return err
	}
	r.flusherWG.Add(1)
	go r.flushLoop()
	return nil
}

func (r *inferenceLogReceiver) Shutdown(ctx context.Context) error {
	var err error
	r.stopOnce.Do(func() {
		if r.onShutdown != nil {
			r.onShutdown()
		}
		if r.manager == nil {
			r.telemetry.Shutdown()
			return
		}
		r.cancelRun()
		r.flusherWG.Wait()
		// The file consumer finishes the batch in hand and saves the
		// offsets; then every held line is emitted, so a restart repeats
		// none and loses none.
		err = r.manager.Stop()
		r.flushAll(ctx)
		if r.client != nil {
			err = errors.Join(err, r.client.Close(ctx))
		}
		r.telemetry.Shutdown()
	})
	return err
}

// fileState is what the receiver keeps per file.
type fileState struct {
	mu      sync.Mutex
	r       *inferenceLogReceiver
	path    string
	p       *parser.File
	res     pcommon.Resource
	metRes  pcommon.Resource
	rec     *metrics.Recorder
	attrs   [][2]string
	last    time.Time
	removed bool
	// detected: files_detected was counted.
	detected  bool
	malformed int64

	// The batch being built.
	ld       plog.Logs
	sl       plog.LogRecordSlice
	observed pcommon.Timestamp
	obsTime  time.Time
	kinds    [parser.NumKinds]int64
	failures int64
	records  int
	onRecord func(*parser.Record)
}

func (r *inferenceLogReceiver) state(path string, fileAttrs map[string]any) *fileState {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fs, ok := r.files[path]; ok {
		return fs
	}
	format := r.format
	for _, rule := range r.rules {
		if matchAny(rule.globs, path) {
			format = rule.format
			break
		}
	}
	fs := &fileState{
		r:    r,
		path: path,
		p: parser.NewFile(parser.Options{
			Format:        format,
			Container:     r.mode,
			Location:      r.loc,
			Now:           r.now,
			MaxGroupLines: r.cfg.Multiline.MaxLines,
			MaxLineBytes:  int(r.cfg.MaxLogSize),
			// The file consumer decodes every line into a fresh slice (see
			// TestFileConsumerHandsOverFreshLines).
			LinesAreOwned: true,
		}),
		res:    pcommon.NewResource(),
		metRes: pcommon.NewResource(),
	}
	if k, ok := container.FromPath(path); ok {
		for _, res := range []pcommon.Resource{fs.res, fs.metRes} {
			putK8s(res.Attributes(), k)
		}
	}
	fs.metRes.Attributes().PutStr(attrs.LogFilePath, path)
	if r.cfg.IncludeFileName {
		if v, ok := fileAttrs[attrs.LogFileName].(string); ok {
			fs.attrs = append(fs.attrs, [2]string{attrs.LogFileName, v})
		}
	}
	if r.cfg.IncludeFilePath {
		fs.attrs = append(fs.attrs, [2]string{attrs.LogFilePath, path})
	}
	if r.metrics != nil {
		fs.rec = metrics.New(r.recCfg, fs.metRes)
	}
	fs.onRecord = fs.appendRecord
	r.files[path] = fs
	return fs
}

func putK8s(m pcommon.Map, k container.K8s) {
	if k.Namespace != "" {
		m.PutStr("k8s.namespace.name", k.Namespace)
	}
	if k.PodName != "" {
		m.PutStr("k8s.pod.name", k.PodName)
	}
	if k.PodUID != "" {
		m.PutStr("k8s.pod.uid", k.PodUID)
	}
	if k.ContainerName != "" {
		m.PutStr("k8s.container.name", k.ContainerName)
	}
	if k.HasRestartCount {
		m.PutInt("k8s.container.restart_count", int64(k.RestartCount))
	}
	if k.ContainerID != "" {
		m.PutStr("container.id", k.ContainerID)
	}
}

func matchAny(globs []string, path string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.PathMatch(g, path); ok {
			return true
		}
	}
	return false
}

// consume is the file consumer's callback: the lines of one file read in
// one go, in order. It returns once the records and metrics they make were
// handed on (or refused for good), so the saved offset never runs ahead of
// what was delivered.
func (r *inferenceLogReceiver) consume(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, _ int64, _ []int64) error {
	path, _ := fileAttrs[attrs.LogFilePath].(string)
	r.telemetry.InferenceLogLinesRead.Add(ctx, int64(len(tokens)))
	defer r.linesRead.Add(int64(len(tokens)))
	for {
		fs := r.state(path, fileAttrs)
		fs.mu.Lock()
		if fs.removed {
			fs.mu.Unlock()
			continue
		}
		fs.begin(len(tokens))
		for _, tok := range tokens {
			fs.p.Line(tok, fs.onRecord)
		}
		ld, md, hasMetrics := fs.end()
		fs.mu.Unlock()
		r.deliver(ctx, ld, md, hasMetrics)
		return nil
	}
}

// begin starts a batch of about capacity records.
func (fs *fileState) begin(capacity int) {
	fs.obsTime = fs.r.now()
	fs.last = fs.obsTime
	fs.observed = pcommon.NewTimestampFromTime(fs.obsTime)
	fs.records = 0
	if fs.r.logs != nil {
		fs.ld = plog.NewLogs()
		rl := fs.ld.ResourceLogs().AppendEmpty()
		fs.res.CopyTo(rl.Resource())
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(metadata.ScopeName)
		fs.sl = sl.LogRecords()
		fs.sl.EnsureCapacity(capacity)
	}
}

// end closes the batch: the logs and metrics it made, and the counts.
func (fs *fileState) end() (plog.Logs, pmetric.Metrics, bool) {
	r := fs.r
	ctx := context.Background()
	for k, n := range fs.kinds {
		if n > 0 {
			r.telemetry.InferenceLogLinesParsed.Add(ctx, n, r.kindAttrs[k])
			fs.kinds[k] = 0
		}
	}
	format := fs.p.Format()
	if fs.failures > 0 {
		r.telemetry.InferenceLogParseFailures.Add(ctx, fs.failures, r.formatAttr(format.String()))
		fs.failures = 0
	}
	if m := fs.p.Stats().ContainerMalformed; m > fs.malformed {
		r.telemetry.InferenceLogParseFailures.Add(ctx, m-fs.malformed, r.formatAttr(fs.p.ContainerMode().String()))
		fs.malformed = m
	}
	if !fs.detected && format != parser.Unknown {
		fs.detected = true
		r.telemetry.InferenceLogFilesDetected.Add(ctx, 1, r.formatAttr(format.String()))
	}
	var md pmetric.Metrics
	hasMetrics := false
	if fs.rec != nil {
		md, hasMetrics = fs.rec.Emit()
	}
	ld := fs.ld
	fs.ld, fs.sl = plog.Logs{}, plog.LogRecordSlice{}
	if fs.records == 0 {
		ld = plog.Logs{}
	}
	return ld, md, hasMetrics
}

func (r *inferenceLogReceiver) formatAttr(name string) metric.AddOption {
	if o, ok := r.formatAttrs[name]; ok {
		return o
	}
	return r.formatAttrs["unknown"]
}

// appendRecord turns one parsed record into a log record and metrics.
func (fs *fileState) appendRecord(rec *parser.Record) {
	fs.records++
	if rec.Kind != parser.KindNone {
		fs.kinds[rec.Kind]++
	}
	if rec.ParseFailed {
		fs.failures++
	}
	if fs.rec != nil {
		fs.rec.Record(rec, fs.obsTime)
	}
	if fs.r.logs == nil {
		return
	}
	lr := fs.sl.AppendEmpty()
	lr.Body().SetStr(rec.Body)
	lr.SetObservedTimestamp(fs.observed)
	if !rec.Time.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(rec.Time))
	}
	if rec.Severity != parser.SeverityUnset {
		lr.SetSeverityNumber(plog.SeverityNumber(rec.Severity))
		lr.SetSeverityText(rec.SeverityText)
	}
	a := lr.Attributes()
	a.EnsureCapacity(attrCount(fs, rec))
	for _, kv := range fs.attrs {
		a.PutStr(kv[0], kv[1])
	}
	if rec.Stream != "" {
		a.PutStr("log.iostream", rec.Stream)
	}
	if rec.Format != parser.Unknown {
		a.PutStr(genai.AttrProviderName, rec.Format.String())
	}
	if m := rec.EventModel(); m != "" {
		a.PutStr(genai.AttrRequestModel, m)
	}
	for i := range rec.Attrs {
		at := &rec.Attrs[i]
		if at.IsInt {
			a.PutInt(at.Key, at.Int)
		} else {
			a.PutStr(at.Key, at.Str)
		}
	}
	if rec.Lines > 1 {
		a.PutInt("inference.log.lines", int64(rec.Lines))
	}
	if rec.Kind != parser.KindNone {
		a.PutStr("inference.log.kind", rec.Kind.String())
		for i := range rec.Fields {
			f := &rec.Fields[i]
			key := fieldKey(f.Name)
			switch {
			case f.IsString:
				a.PutStr(key, f.Text)
			case isInteger(f.Text):
				a.PutInt(key, int64(f.Value))
			default:
				a.PutDouble(key, f.Value)
			}
		}
	}
	if rec.ParseFailed {
		a.PutBool("inference.log.parse_failed", true)
	}
}

// attrCount is the exact number of attributes appendRecord puts: the map is
// allocated once at its final size (it is most of a record's bytes).
func attrCount(fs *fileState, rec *parser.Record) int {
	n := len(fs.attrs) + len(rec.Attrs)
	if rec.Stream != "" {
		n++
	}
	if rec.Format != parser.Unknown {
		n++
	}
	if rec.EventModel() != "" {
		n++
	}
	if rec.Lines > 1 {
		n++
	}
	if rec.Kind != parser.KindNone {
		n += 1 + len(rec.Fields)
	}
	if rec.ParseFailed {
		n++
	}
	return n
}

// fieldKeys holds the "inference.<field>" attribute key of every field the
// parser names, built once: no string is built per record.
var fieldKeys = func() map[string]string {
	m := map[string]string{}
	for _, name := range parser.FieldNames() {
		m[name] = "inference." + name
	}
	// The same key as on the engine gauges.
	m["engine"] = "inference.engine.id"
	return m
}()

func fieldKey(name string) string {
	if k, ok := fieldKeys[name]; ok {
		return k
	}
	return "inference." + name
}

// isInteger: the log printed a whole number (`3`, not `3.0`).
func isInteger(text string) bool {
	if text == "" {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			return false
		}
	}
	return len(text) < 19
}

// deliver hands a batch on. Data the next consumer refuses for now is
// offered again (back-pressure holds the file consumer) until it is taken
// or the receiver stops; data refused for good is counted and dropped.
func (r *inferenceLogReceiver) deliver(ctx context.Context, ld plog.Logs, md pmetric.Metrics, hasMetrics bool) {
	if r.logs != nil && ld != (plog.Logs{}) {
		n := ld.LogRecordCount()
		if n > 0 {
			obsCtx := r.obsLogs.StartLogsOp(ctx)
			err := retry(ctx, func() error { return r.logs.ConsumeLogs(ctx, ld) })
			r.obsLogs.EndLogsOp(obsCtx, metadata.Type.String(), n, err)
			if err != nil {
				r.telemetry.InferenceLogRecordsDropped.Add(context.Background(), int64(n), r.logsAttr)
				r.set.Logger.Warn("log records refused by the next consumer, dropped", zap.Int("records", n), zap.Error(err))
			} else {
				r.telemetry.InferenceLogRecordsEmitted.Add(context.Background(), int64(n))
			}
		}
	}
	if r.metrics != nil && hasMetrics {
		n := md.DataPointCount()
		obsCtx := r.obsMet.StartMetricsOp(ctx)
		err := retry(ctx, func() error { return r.metrics.ConsumeMetrics(ctx, md) })
		r.obsMet.EndMetricsOp(obsCtx, metadata.Type.String(), n, err)
		if err != nil {
			r.telemetry.InferenceLogRecordsDropped.Add(context.Background(), int64(n), r.metricsAttr)
			r.set.Logger.Warn("metric data points refused by the next consumer, dropped", zap.Int("data_points", n), zap.Error(err))
		}
	}
}

func retry(ctx context.Context, fn func() error) error {
	backoff := 50 * time.Millisecond
	for {
		err := fn()
		if err == nil || consumererror.IsPermanent(err) {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		backoff = min(2*backoff, maxRetryBackoff)
	}
}

// flushLoop emits records held for a continuation line once their file has
// been quiet for multiline.flush_timeout, and forgets long-quiet files.
func (r *inferenceLogReceiver) flushLoop() {
	defer r.flusherWG.Done()
	tick := max(r.cfg.Multiline.FlushTimeout/2, 10*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-r.runCtx.Done():
			return
		case <-t.C:
			r.flushIdle(r.runCtx, false)
		}
	}
}

func (r *inferenceLogReceiver) flushAll(ctx context.Context) { r.flushIdle(ctx, true) }

func (r *inferenceLogReceiver) flushIdle(ctx context.Context, all bool) {
	r.mu.Lock()
	states := make([]*fileState, 0, len(r.files))
	for _, fs := range r.files {
		states = append(states, fs)
	}
	r.mu.Unlock()
	now := r.now()
	for _, fs := range states {
		fs.mu.Lock()
		quiet := now.Sub(fs.last)
		if fs.p.Pending() && (all || quiet >= r.cfg.Multiline.FlushTimeout) {
			fs.begin(1)
			fs.last = now.Add(-quiet) // flushing is not activity
			fs.p.Flush(fs.onRecord)
			ld, md, hasMetrics := fs.end()
			fs.mu.Unlock()
			r.deliver(ctx, ld, md, hasMetrics)
			continue
		}
		if !all && !fs.p.Pending() && quiet >= idleStateTTL {
			fs.removed = true
			r.mu.Lock()
			if r.files[fs.path] == fs {
				delete(r.files, fs.path)
			}
			r.mu.Unlock()
		}
		fs.mu.Unlock()
	}
}
