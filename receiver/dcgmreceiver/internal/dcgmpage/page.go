// Package dcgmpage turns one dcgm-exporter page (Prometheus text exposition)
// into GPU schema devices plus the fields the schema does not know.
package dcgmpage // import "github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/dcgmpage"

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"

	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

// PassthroughPrefix starts the name of every DCGM field the schema does not
// map: dcgm.<field name without DCGM_FI_, lower case>, e.g.
// DCGM_FI_DEV_VGPU_LICENSE_STATUS becomes dcgm.dev_vgpu_license_status.
const PassthroughPrefix = "dcgm."

// ErrEmpty is returned for a page without a single sample.
var ErrEmpty = errors.New("page has no samples")

// ErrTruncated is returned for a page that does not end with a newline: the
// exporter's response was cut off.
var ErrTruncated = errors.New("page does not end with a newline (truncated)")

// Sample is a sample of a field the schema does not map.
type Sample struct {
	Name        string // dcgm.*
	Description string // the page's HELP text
	Counter     bool   // TYPE counter: a monotonic cumulative sum, else a gauge
	Value       float64
	// Attributes are the sample's labels that do not identify the device.
	Attributes []gs.Attr
}

// Device is one GPU, MIG instance or pod-attributed GPU of the page.
type Device struct {
	gs.Device
	Passthrough []Sample
}

// Page is the result of Parse.
type Page struct {
	Devices []*Device // in order of first appearance
	Samples int       // samples read
	Mapped  int       // samples mapped to the schema
	Unknown int       // samples of fields the schema does not map
}

// Options control Parse.
type Options struct {
	// PassThrough keeps samples of unknown fields as dcgm.* samples; when
	// false they are only counted in Page.Unknown.
	PassThrough bool
}

// Parser parses pages one after another, keeping what repeats between
// scrapes (family metadata, label strings) to allocate less. It is not safe
// for concurrent use.
type Parser struct {
	opts    Options
	page    *Page
	devices map[string]*Device // by identity key, see device
	types   map[string]model.MetricType
	helps   map[string]string
	// attrKeys caches the resource attribute key of a label name outside
	// the schema (dcgm.<name>, dcgm.label.<name>).
	attrKeys map[string]string
	// strs interns label values (UUIDs, model names, pods) across pages.
	strs map[string]string
	lbls labels.Labels
	cur  series
	key  []byte
}

// cacheLimit bounds each cache; past it the cache starts over, so churning
// pod names cannot grow it without end.
const cacheLimit = 10_000

// NewParser returns a Parser.
func NewParser(opts Options) *Parser {
	return &Parser{
		opts:     opts,
		devices:  map[string]*Device{},
		types:    map[string]model.MetricType{},
		helps:    map[string]string{},
		attrKeys: map[string]string{},
		strs:     map[string]string{},
	}
}

// Parse reads one page with a new Parser.
func Parse(b []byte, opts Options) (*Page, error) { return NewParser(opts).Parse(b) }

// Parse reads a whole page. A malformed, truncated or empty page is an error
// and yields no devices, so a partial page never looks like a complete one.
func (p *Parser) Parse(b []byte) (*Page, error) {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return nil, ErrTruncated
	}
	for _, m := range []map[string]string{p.helps, p.attrKeys, p.strs} {
		if len(m) > cacheLimit {
			clear(m)
		}
	}
	if len(p.types) > cacheLimit {
		clear(p.types)
	}
	clear(p.devices)
	p.page = &Page{}
	tp := textparse.NewPromParser(b, labels.NewSymbolTable(), false)
	for {
		entry, err := tp.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		switch entry {
		case textparse.EntryType:
			name, typ := tp.Type()
			if old, ok := p.types[string(name)]; !ok || old != typ {
				p.types[string(name)] = typ
			}
		case textparse.EntryHelp:
			name, help := tp.Help()
			if old, ok := p.helps[string(name)]; !ok || old != string(help) {
				p.helps[string(name)] = string(help)
			}
		case textparse.EntrySeries:
			raw, _, v := tp.Series()
			// textparse has validated the series; reading the label pairs
			// from its text avoids building a sorted label set per sample.
			// Anything unusual (quoted UTF-8 names) takes textparse's path.
			if !p.cur.scan(raw) {
				tp.Labels(&p.lbls)
				p.cur.fromLabels(p.lbls)
			}
			p.sample(v)
		}
	}
	if p.page.Samples == 0 {
		return nil, ErrEmpty
	}
	return p.page, nil
}

// str returns b as a string, interned.
func (p *Parser) str(b []byte) string {
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	p.strs[s] = s
	return s
}

// label is one label of the current sample; name and value point into the
// page (or into an unescaped copy) and are valid until the next sample.
type label struct{ name, value []byte }

// series is the current sample: its metric name and labels, with the labels
// that identify a device picked out.
type series struct {
	name   []byte
	labels []label
	id     idLabels
	buf    []byte // unescaped label values
}

// idLabels are the labels that identify and describe a device.
type idLabels struct {
	uuid, gpu, instance, profile, pci, device, model, host []byte
	pod, namespace, container                              []byte
	driver, serial, vbios, devName                         []byte
}

// scan reads `name{a="b",...}` as validated by textparse; false means "not
// this simple form".
func (s *series) scan(raw []byte) bool {
	*s = series{labels: s.labels[:0], buf: s.buf[:0]}
	i := bytes.IndexByte(raw, '{')
	if i < 0 {
		s.name = trimRight(raw)
		return len(s.name) > 0
	}
	if i == 0 {
		return false
	}
	s.name = trimRight(raw[:i])
	rest := raw[i+1:]
	for {
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == ',') {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return false
		}
		if rest[0] == '}' {
			return true
		}
		eq := bytes.IndexByte(rest, '=')
		if eq <= 0 || rest[0] == '"' {
			return false
		}
		name := trimRight(rest[:eq])
		rest = trimLeft(rest[eq+1:])
		if len(rest) == 0 || rest[0] != '"' {
			return false
		}
		value, n, ok := s.quoted(rest[1:])
		if !ok {
			return false
		}
		rest = rest[1+n:]
		s.add(name, value)
	}
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func trimRight(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// quoted reads a label value up to its closing quote, unescaping \\, \" and
// \n; n counts the bytes consumed including the quote.
func (s *series) quoted(b []byte) (value []byte, n int, ok bool) {
	end := bytes.IndexByte(b, '"')
	if end < 0 {
		return nil, 0, false
	}
	if bytes.IndexByte(b[:end], '\\') < 0 {
		return b[:end], end + 1, true
	}
	start := len(s.buf)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return s.buf[start:], i + 1, true
		case c == '\\' && i+1 < len(b):
			i++
			if b[i] == 'n' {
				s.buf = append(s.buf, '\n')
			} else {
				s.buf = append(s.buf, b[i])
			}
		default:
			s.buf = append(s.buf, c)
		}
	}
	return nil, 0, false
}

func (s *series) fromLabels(ls labels.Labels) {
	*s = series{labels: s.labels[:0], buf: s.buf[:0]}
	ls.Range(func(l labels.Label) {
		if l.Name == labels.MetricName {
			s.name = []byte(l.Value)
			return
		}
		s.add([]byte(l.Name), []byte(l.Value))
	})
}

func (s *series) add(name, value []byte) {
	id := &s.id
	switch string(name) {
	case "UUID", "uuid":
		id.uuid = value
	case "gpu":
		id.gpu = value
	case "GPU_I_ID":
		id.instance = value
	case "GPU_I_PROFILE":
		id.profile = value
	case "pci_bus_id":
		id.pci = value
	case "device":
		id.device = value
	case "modelName":
		id.model = value
	case "Hostname", "hostname":
		id.host = value
	// Kubernetes mapping: current and pre-2.1 label names; an empty value
	// means the exporter found no pod.
	case "pod", "pod_name":
		id.pod = value
	case "namespace", "pod_namespace":
		id.namespace = value
	case "container", "container_name":
		id.container = value
	case "DCGM_FI_DRIVER_VERSION", "DCGM_FI_SYSTEM_DRIVER_VERSION":
		id.driver = value
	case "DCGM_FI_DEV_SERIAL":
		id.serial = value
	case "DCGM_FI_DEV_VBIOS_VERSION":
		id.vbios = value
	case "DCGM_FI_DEV_NAME":
		id.devName = value
	default:
		s.labels = append(s.labels, label{name, value})
	}
}

func (p *Parser) sample(v float64) {
	p.page.Samples++
	s := &p.cur
	d := p.device()

	set, known := fields[string(s.name)]
	if known && !math.IsNaN(v) && !math.IsInf(v, 0) {
		p.page.Mapped++
		set(&d.Device, v)
		// Labels outside the known set on a mapped field describe the device
		// (e.g. pod labels); keep them on the resource.
		for _, l := range s.labels {
			if !isFieldLabel(l.name) {
				mergeExtra(&d.Identity, p.attrKey("dcgm.label.", l.name), l.value)
			}
		}
		return
	}
	// Unknown fields, and known fields with a value the schema cannot hold
	// (NaN, ±Inf), keep their raw value under dcgm.*.
	p.page.Unknown++
	if !p.opts.PassThrough {
		return
	}
	name := string(s.name)
	smp := Sample{
		Name:        passthroughName(name),
		Description: p.helps[name],
		Counter:     p.types[name] == model.MetricTypeCounter,
		Value:       v,
	}
	for _, l := range s.labels {
		if !isFieldLabel(l.name) {
			smp.Attributes = append(smp.Attributes, gs.Attr{Key: string(l.name), Value: string(l.value)})
		}
	}
	d.Passthrough = append(d.Passthrough, smp)
}

// isFieldLabel reports whether a label carries a DCGM field as device
// information (DCGM_FI_CUDA_DRIVER_VERSION=...).
func isFieldLabel(name []byte) bool { return bytes.HasPrefix(name, []byte("DCGM_FI_")) }

// device returns the device of the current sample. dcgm-exporter repeats a
// GPU's series once per pod when the GPU is shared, so the pod is part of the
// identity. Only a new device, or a label a device did not have yet,
// allocates.
func (p *Parser) device() *Device {
	id := &p.cur.id
	p.key = p.key[:0]
	for _, part := range [][]byte{id.uuid, id.gpu, id.instance, id.pod, id.namespace, id.container} {
		p.key = append(append(p.key, part...), 0)
	}
	d, ok := p.devices[string(p.key)]
	if !ok {
		d = &Device{}
		d.Vendor = "NVIDIA"
		d.UUID = p.str(id.uuid)
		if n, err := strconv.ParseInt(string(id.gpu), 10, 64); err == nil {
			d.Index = gs.I(n)
		}
		if n, err := strconv.ParseInt(string(id.instance), 10, 64); err == nil {
			d.MIG.InstanceID = gs.I(n)
		}
		d.Pod.Name, d.Pod.Namespace, d.Pod.Container = p.str(id.pod), p.str(id.namespace), p.str(id.container)
		p.devices[string(p.key)] = d
		p.page.Devices = append(p.page.Devices, d)
	}
	// Different families may carry different label sets for the same device
	// (driver version on some, pci_bus_id on others): the union wins.
	p.fill(&d.Name, id.device)
	p.fill(&d.Model, id.model)
	p.fill(&d.Model, id.devName)
	p.fill(&d.PCIBusID, id.pci)
	p.fill(&d.HostName, id.host)
	p.fill(&d.DriverVersion, id.driver)
	p.fill(&d.SerialNumber, id.serial)
	p.fill(&d.FirmwareVersion, id.vbios)
	p.fill(&d.MIG.Profile, id.profile)
	for _, l := range p.cur.labels {
		if isFieldLabel(l.name) {
			// Device information the exporter attaches as labels.
			mergeExtra(&d.Identity, p.attrKey("", l.name), l.value)
		}
	}
	return d
}

func (p *Parser) fill(dst *string, v []byte) {
	if *dst == "" && len(v) > 0 {
		*dst = p.str(v)
	}
}

// attrKey returns the resource attribute key for a label outside the schema:
// dcgm.<name without DCGM_FI_, lower case> for DCGM field labels, or
// prefix+name.
func (p *Parser) attrKey(prefix string, name []byte) string {
	if k, ok := p.attrKeys[string(name)]; ok {
		return k
	}
	var k string
	if prefix == "" {
		k = passthroughName(string(name))
	} else {
		k = prefix + string(name)
	}
	p.attrKeys[string(name)] = k
	return k
}

func mergeExtra(id *gs.Identity, key string, value []byte) {
	for i := range id.Extra {
		if id.Extra[i].Key == key {
			if id.Extra[i].Value != string(value) {
				id.Extra[i].Value = string(value)
			}
			return
		}
	}
	id.Extra = append(id.Extra, gs.Attr{Key: key, Value: string(value)})
}

// passthroughName is dcgm.<name without DCGM_FI_, lower case>; names that are
// not DCGM fields (DCGM_EXP_*, anything else on the page) keep their whole
// name, lower case.
func passthroughName(name string) string {
	return PassthroughPrefix + strings.ToLower(strings.TrimPrefix(name, "DCGM_FI_"))
}
