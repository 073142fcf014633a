// Package dcgmpage turns one dcgm-exporter page (Prometheus text exposition)
// into GPU schema devices plus the fields the schema does not know.
package dcgmpage // import "github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/dcgmpage"

import (
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

// deviceKey identifies the resource a sample belongs to. dcgm-exporter
// repeats a GPU's series once per pod when the GPU is shared, so the pod is
// part of the identity.
type deviceKey struct {
	uuid, gpu, instance, pod, namespace, container string
}

type parser struct {
	opts    Options
	page    *Page
	devices map[deviceKey]*Device
	types   map[string]model.MetricType
	helps   map[string]string
	lbls    labels.Labels
}

// Parse reads a whole page. A malformed, truncated or empty page is an error
// and yields no devices, so a partial page never looks like a complete one.
func Parse(b []byte, opts Options) (*Page, error) {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return nil, ErrTruncated
	}
	p := &parser{
		opts:    opts,
		page:    &Page{},
		devices: map[deviceKey]*Device{},
		types:   map[string]model.MetricType{},
		helps:   map[string]string{},
	}
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
			p.types[string(name)] = typ
		case textparse.EntryHelp:
			name, help := tp.Help()
			p.helps[string(name)] = string(help)
		case textparse.EntrySeries:
			_, _, v := tp.Series()
			tp.Labels(&p.lbls)
			p.sample(v)
		}
	}
	if p.page.Samples == 0 {
		return nil, ErrEmpty
	}
	return p.page, nil
}

func (p *parser) sample(v float64) {
	p.page.Samples++
	var (
		name  string
		key   deviceKey
		id    gs.Identity
		extra []gs.Attr // labels that do not identify the device
	)
	p.lbls.Range(func(l labels.Label) {
		switch l.Name {
		case labels.MetricName:
			name = l.Value
		case "UUID", "uuid":
			key.uuid, id.UUID = l.Value, l.Value
		case "gpu":
			key.gpu = l.Value
			if n, err := strconv.ParseInt(l.Value, 10, 64); err == nil {
				id.Index = gs.I(n)
			}
		case "GPU_I_ID":
			key.instance = l.Value
			if n, err := strconv.ParseInt(l.Value, 10, 64); err == nil {
				id.MIG.InstanceID = gs.I(n)
			}
		case "GPU_I_PROFILE":
			id.MIG.Profile = l.Value
		case "pci_bus_id":
			id.PCIBusID = l.Value
		case "device":
			id.Name = l.Value
		case "modelName":
			id.Model = l.Value
		case "Hostname", "hostname":
			id.HostName = l.Value
		// Kubernetes mapping: current and pre-2.x label names; an empty
		// value means the exporter found no pod.
		case "pod", "pod_name":
			key.pod, id.Pod.Name = l.Value, l.Value
		case "namespace", "pod_namespace":
			key.namespace, id.Pod.Namespace = l.Value, l.Value
		case "container", "container_name":
			key.container, id.Pod.Container = l.Value, l.Value
		case "DCGM_FI_DRIVER_VERSION", "DCGM_FI_SYSTEM_DRIVER_VERSION":
			id.DriverVersion = l.Value
		case "DCGM_FI_DEV_SERIAL":
			id.SerialNumber = l.Value
		case "DCGM_FI_DEV_VBIOS_VERSION":
			id.FirmwareVersion = l.Value
		case "DCGM_FI_DEV_NAME":
			if id.Model == "" {
				id.Model = l.Value
			}
		default:
			if strings.HasPrefix(l.Name, "DCGM_FI_") {
				// Device information the exporter attaches as labels.
				id.Extra = append(id.Extra, gs.Attr{Key: passthroughName(l.Name), Value: l.Value})
			} else {
				extra = append(extra, gs.Attr{Key: l.Name, Value: l.Value})
			}
		}
	})
	d := p.device(key, &id)

	set, known := fields[name]
	if known && !math.IsNaN(v) && !math.IsInf(v, 0) {
		p.page.Mapped++
		set(&d.Device, v)
		// Labels outside the known set on a mapped field describe the device
		// (e.g. pod labels); keep them on the resource.
		for _, a := range extra {
			mergeExtra(&d.Identity, gs.Attr{Key: "dcgm.label." + a.Key, Value: a.Value})
		}
		return
	}
	// Unknown fields, and known fields with a value the schema cannot hold
	// (NaN, ±Inf), keep their raw value under dcgm.*.
	p.page.Unknown++
	if !p.opts.PassThrough {
		return
	}
	d.Passthrough = append(d.Passthrough, Sample{
		Name:        passthroughName(name),
		Description: p.helps[name],
		Counter:     p.types[name] == model.MetricTypeCounter,
		Value:       v,
		Attributes:  extra,
	})
}

// device returns the device for key, creating it from id, or completing the
// existing one with what this sample's labels add.
func (p *parser) device(key deviceKey, id *gs.Identity) *Device {
	d, ok := p.devices[key]
	if !ok {
		d = &Device{}
		d.Identity = *id
		d.Vendor = "NVIDIA"
		p.devices[key] = d
		p.page.Devices = append(p.page.Devices, d)
		return d
	}
	// Different families may carry different label sets for the same device
	// (driver version on some, pci_bus_id on others): the union wins.
	fill(&d.Name, id.Name)
	fill(&d.Model, id.Model)
	fill(&d.PCIBusID, id.PCIBusID)
	fill(&d.HostName, id.HostName)
	fill(&d.DriverVersion, id.DriverVersion)
	fill(&d.SerialNumber, id.SerialNumber)
	fill(&d.FirmwareVersion, id.FirmwareVersion)
	fill(&d.MIG.Profile, id.MIG.Profile)
	for _, a := range id.Extra {
		mergeExtra(&d.Identity, a)
	}
	return d
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func mergeExtra(id *gs.Identity, a gs.Attr) {
	for i := range id.Extra {
		if id.Extra[i].Key == a.Key {
			id.Extra[i].Value = a.Value
			return
		}
	}
	id.Extra = append(id.Extra, a)
}

// passthroughName is dcgm.<name without DCGM_FI_, lower case>; names that are
// not DCGM fields (DCGM_EXP_*, anything else on the page) keep their whole
// name, lower case.
func passthroughName(name string) string {
	return PassthroughPrefix + strings.ToLower(strings.TrimPrefix(name, "DCGM_FI_"))
}
