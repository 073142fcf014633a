package dcgmpage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

func parse(t *testing.T, page string) *Page {
	t.Helper()
	p, err := Parse([]byte(page), Options{PassThrough: true})
	require.NoError(t, err)
	return p
}

func TestClassicAndSINamesGiveTheSameReading(t *testing.T) {
	classic := parse(t, `DCGM_FI_DEV_SM_CLOCK{gpu="0",UUID="GPU-a"} 1980
DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 61
DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a"} 409.692
DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-a"} 319159391
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a"} 48
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a"} 4845
DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-a"} 0.5
DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-a"} 79
`)
	si := parse(t, `DCGM_FI_DEV_SM_CLOCK_HERTZ{gpu="0",uuid="GPU-a"} 1980000000
DCGM_FI_DEV_GPU_TEMP_CELSIUS{gpu="0",uuid="GPU-a"} 61
DCGM_FI_DEV_BOARD_POWER_WATTS{gpu="0",uuid="GPU-a"} 409.692
DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL{gpu="0",uuid="GPU-a"} 319159.391
DCGM_FI_DEV_GPU_UTIL_RATIO{gpu="0",uuid="GPU-a"} 0.48
DCGM_FI_DEV_FB_USED_BYTES{gpu="0",uuid="GPU-a"} 5080350720
DCGM_FI_PROF_GR_ENGINE_UTIL_RATIO{gpu="0",uuid="GPU-a"} 0.5
DCGM_FI_DEV_XID_ERROR{gpu="0",uuid="GPU-a"} 79
`)
	require.Len(t, classic.Devices, 1)
	require.Len(t, si.Devices, 1)
	c, s := classic.Devices[0].Device, si.Devices[0].Device
	assert.Equal(t, gs.I(1_980_000_000), c.Clock[gs.ClockSM])
	assert.Equal(t, c.Clock, s.Clock)
	assert.Equal(t, c.Temperature, s.Temperature)
	assert.Equal(t, c.Power, s.Power)
	assert.InDelta(t, 319159.391, c.Energy.V, 1e-6)
	assert.InDelta(t, c.Energy.V, s.Energy.V, 1e-6)
	assert.InDelta(t, 0.48, c.Utilization[gs.TaskGeneral].V, 1e-12)
	assert.InDelta(t, c.Utilization[gs.TaskGeneral].V, s.Utilization[gs.TaskGeneral].V, 1e-12)
	assert.Equal(t, gs.I(4845<<20), c.MemoryUsed)
	assert.Equal(t, c.MemoryUsed, s.MemoryUsed)
	assert.Equal(t, c.Activity, s.Activity)
	assert.Equal(t, c.XIDLast, s.XIDLast)
	assert.Equal(t, "GPU-a", s.UUID, "lowercase uuid label")
	assert.Equal(t, 8, classic.Mapped)
	assert.Zero(t, classic.Unknown)
}

func TestIdentityLabels(t *testing.T) {
	p := parse(t, `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-4770",pci_bus_id="00000000:1A:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="1g.10gb",GPU_I_ID="7",Hostname="gpu-node-1",DCGM_FI_DRIVER_VERSION="535.129.03",container="vllm",namespace="inference",pod="llm-serve-2"} 0.61
DCGM_FI_DEV_FB_FREE{gpu="2",UUID="GPU-9106",device="nvidia2",modelName="NVIDIA A30",hostname="gpu-node-1",DCGM_FI_DEV_SERIAL="1565",DCGM_FI_DEV_VBIOS_VERSION="92.00",DCGM_FI_CUDA_DRIVER_VERSION="12010",DCGM_FI_SYSTEM_DRIVER_VERSION="580.82.07"} 462
`)
	require.Len(t, p.Devices, 2)
	mig := p.Devices[0].Identity
	assert.Equal(t, gs.Identity{
		UUID: "GPU-4770", Index: gs.I(0), Name: "nvidia0", Model: "NVIDIA H100 80GB HBM3", Vendor: "NVIDIA",
		DriverVersion: "535.129.03", PCIBusID: "00000000:1A:00.0", HostName: "gpu-node-1",
		MIG: gs.MIG{InstanceID: gs.I(7), Profile: "1g.10gb"},
		Pod: gpupod.Pod{Namespace: "inference", Name: "llm-serve-2", Container: "vllm"},
	}, mig)
	a30 := p.Devices[1].Identity
	assert.Equal(t, "gpu-node-1", a30.HostName, "lowercase hostname label")
	assert.Equal(t, "580.82.07", a30.DriverVersion, "DCGM 4.7 driver label")
	assert.Equal(t, "1565", a30.SerialNumber)
	assert.Equal(t, "92.00", a30.FirmwareVersion)
	assert.Equal(t, []gs.Attr{{Key: "dcgm.cuda_driver_version", Value: "12010"}}, a30.Extra)
	assert.False(t, a30.IsMIG())
}

func TestPodLabels(t *testing.T) {
	p := parse(t, `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",container_name="trainer",pod_namespace="research",pod_name="bert-0"} 87
DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",container="",namespace="",pod=""} 1
DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c",container="a",namespace="ns",pod="p1"} 2
DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c",container="b",namespace="ns",pod="p2"} 3
`)
	require.Len(t, p.Devices, 4, "a GPU shared by two pods is two resources")
	assert.Equal(t, gpupod.Pod{Namespace: "research", Name: "bert-0", Container: "trainer"}, p.Devices[0].Pod, "pre-2.1 label names")
	assert.Equal(t, gpupod.Pod{}, p.Devices[1].Pod, "empty pod labels mean unmapped")
	assert.Equal(t, "p1", p.Devices[2].Pod.Name)
	assert.Equal(t, "p2", p.Devices[3].Pod.Name)
	assert.InDelta(t, 0.03, p.Devices[3].Utilization[gs.TaskGeneral].V, 1e-12)
}

func TestFamiliesOfOneDeviceAreMerged(t *testing.T) {
	p := parse(t, `DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a",device="nvidia0"} 40
DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a",pci_bus_id="00000000:1A:00.0",DCGM_FI_DRIVER_VERSION="550"} 100
DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-a",GPU_I_PROFILE="1g.10gb",GPU_I_ID="3"} 0
`)
	require.Len(t, p.Devices, 2, "the GPU and its MIG instance")
	gpu := p.Devices[0]
	assert.Equal(t, "nvidia0", gpu.Name)
	assert.Equal(t, "00000000:1A:00.0", gpu.PCIBusID, "labels of later families complete the device")
	assert.Equal(t, "550", gpu.DriverVersion)
	assert.True(t, gpu.Temperature[gs.SensorGPU].OK && gpu.Power.OK)
	assert.True(t, p.Devices[1].IsMIG())
}

func TestUnknownFieldsArePassedThrough(t *testing.T) {
	page := `# HELP DCGM_FI_DEV_VGPU_LICENSE_STATUS vGPU License status
# TYPE DCGM_FI_DEV_VGPU_LICENSE_STATUS gauge
DCGM_FI_DEV_VGPU_LICENSE_STATUS{gpu="0",UUID="GPU-a"} 0
# TYPE DCGM_FI_DEV_ECC_SBE_AGG_TOTAL counter
DCGM_FI_DEV_ECC_SBE_AGG_TOTAL{gpu="0",UUID="GPU-a"} 12
DCGM_EXP_XID_ERRORS_COUNT{gpu="0",UUID="GPU-a",window_size_in_ms="300000",xid="48"} 1
DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} NaN
`
	p := parse(t, page)
	require.Len(t, p.Devices, 1)
	assert.Equal(t, 4, p.Unknown)
	assert.Equal(t, 0, p.Mapped)
	got := p.Devices[0].Passthrough
	require.Len(t, got, 4)
	assert.Equal(t, Sample{Name: "dcgm.dev_vgpu_license_status", Description: "vGPU License status", Value: 0}, got[0])
	assert.Equal(t, Sample{Name: "dcgm.dev_ecc_sbe_agg_total", Counter: true, Value: 12}, got[1])
	assert.Equal(t, "dcgm.dcgm_exp_xid_errors_count", got[2].Name)
	assert.Equal(t, []gs.Attr{{Key: "window_size_in_ms", Value: "300000"}, {Key: "xid", Value: "48"}}, got[2].Attributes)
	assert.Equal(t, "dcgm.dev_gpu_temp", got[3].Name, "a value the schema cannot hold keeps its raw form")
	assert.False(t, p.Devices[0].Temperature[gs.SensorGPU].OK)

	off, err := Parse([]byte(page), Options{PassThrough: false})
	require.NoError(t, err)
	assert.Equal(t, 4, off.Unknown, "dropped samples are still counted")
	assert.Empty(t, off.Devices[0].Passthrough)
}

func TestUnknownLabelsOnMappedFieldsDescribeTheDevice(t *testing.T) {
	p := parse(t, `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",pod_uid="1234"} 5
`)
	assert.Equal(t, []gs.Attr{{Key: "dcgm.label.pod_uid", Value: "1234"}}, p.Devices[0].Extra)
}

func TestBadPages(t *testing.T) {
	for name, tc := range map[string]struct {
		page string
		err  string
	}{
		"empty":                        {"", "page has no samples"},
		"only comments":                {"# HELP DCGM_FI_DEV_GPU_UTIL x\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n", "page has no samples"},
		"cut inside a label":           {"DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-", "truncated"},
		"cut after the value":          {"DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 1", "truncated"},
		"unterminated label value":     {"DCGM_FI_DEV_GPU_UTIL{gpu=\"0} 1\n", "parse"},
		"value is not a number":        {"DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} abc\n", "parse"},
		"html error page":              {"<html><body>502 Bad Gateway</body></html>\n", "parse"},
		"garbage after a valid sample": {"DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 1\n}}}{{{\n", "parse"},
		"binary":                       {"\x00\x01\x02\xff\n", "page has no samples"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Parse([]byte(tc.page), Options{PassThrough: true})
			assert.ErrorContains(t, err, tc.err)
			assert.Nil(t, p, "a bad page yields nothing, not a partial page")
		})
	}
}

// Every field name the mapping knows is a DCGM field name; a typo would
// silently send a real field to dcgm.* instead.
func TestFieldNamesAreDCGMNames(t *testing.T) {
	for name := range fields {
		assert.True(t, strings.HasPrefix(name, "DCGM_FI_DEV_") || strings.HasPrefix(name, "DCGM_FI_PROF_"), name)
		assert.Equal(t, strings.ToUpper(name), name)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "fixtures", "*.prom"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, Options{PassThrough: true})
		if err != nil {
			assert.Nil(t, p)
			return
		}
		assert.Equal(t, p.Samples, p.Mapped+p.Unknown)
		assert.NotEmpty(t, p.Devices)
	})
}

// A Parser is reused across scrapes: nothing of one page leaks into the next.
func TestParserReuseStartsEachPageAfresh(t *testing.T) {
	p := NewParser(Options{PassThrough: true})
	first, err := p.Parse([]byte("# HELP DCGM_FI_DEV_COUNT devices\n# TYPE DCGM_FI_DEV_COUNT counter\n" +
		"DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",DCGM_FI_CUDA_DRIVER_VERSION=\"12010\"} 1\nDCGM_FI_DEV_COUNT{gpu=\"0\",UUID=\"GPU-a\"} 1\n"))
	require.NoError(t, err)
	require.Len(t, first.Devices, 1)
	second, err := p.Parse([]byte("DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-b\"} 2\nDCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\"} 3\n"))
	require.NoError(t, err)
	require.Len(t, second.Devices, 2)
	assert.Equal(t, "GPU-b", second.Devices[0].UUID, "order of the new page")
	assert.Empty(t, second.Devices[1].Extra, "labels of the previous page are gone")
	assert.InDelta(t, 0.03, second.Devices[1].Utilization[gs.TaskGeneral].V, 1e-12)
	assert.Equal(t, 2, second.Samples)
	assert.Len(t, first.Devices[0].Passthrough, 1, "the first page's result is untouched")
	assert.Equal(t, "devices", first.Devices[0].Passthrough[0].Description)
}

func TestEscapedLabelValues(t *testing.T) {
	p := parse(t, `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",modelName="NVIDIA \"H100\" \\ 80GB\nHBM3"} 5
`)
	assert.Equal(t, "NVIDIA \"H100\" \\ 80GB\nHBM3", p.Devices[0].Model)
}

// Reading labels from the series text must agree with textparse's own label
// set for every series textparse accepts.
func FuzzSeriesScanAgreesWithTextparse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "fixtures", "*.prom"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("m{a=\"x\\\"y\\\\z\\n\", b = \"2\" ,} 1\n"))
	f.Add([]byte("m 1\nm{} 2\n{\"m\",a=\"1\"} 3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tp := textparse.NewPromParser(b, labels.NewSymbolTable(), false)
		var s series
		var ls labels.Labels
		for {
			entry, err := tp.Next()
			if err != nil {
				return
			}
			if entry != textparse.EntrySeries {
				continue
			}
			raw, _, _ := tp.Series()
			if !s.scan(raw) {
				continue // takes textparse's path
			}
			tp.Labels(&ls)
			want := map[string]string{}
			ls.Range(func(l labels.Label) { want[l.Name] = l.Value })
			got := map[string]string{labels.MetricName: string(s.name)}
			for _, l := range s.labels {
				got[string(l.name)] = string(l.value)
			}
			id := s.id
			for name, v := range map[string][]byte{"gpu": id.gpu, "GPU_I_ID": id.instance, "GPU_I_PROFILE": id.profile,
				"pci_bus_id": id.pci, "device": id.device, "modelName": id.model, "DCGM_FI_DEV_SERIAL": id.serial,
				"DCGM_FI_DEV_VBIOS_VERSION": id.vbios, "DCGM_FI_DEV_NAME": id.devName} {
				if v != nil {
					got[name] = string(v)
				}
			}
			// Labels with two accepted names land in one slot: compare through
			// whichever name the page used.
			for _, alias := range []struct {
				names []string
				v     []byte
			}{
				{[]string{"UUID", "uuid"}, id.uuid}, {[]string{"Hostname", "hostname"}, id.host},
				{[]string{"pod", "pod_name"}, id.pod}, {[]string{"namespace", "pod_namespace"}, id.namespace},
				{[]string{"container", "container_name"}, id.container},
				{[]string{"DCGM_FI_DRIVER_VERSION", "DCGM_FI_SYSTEM_DRIVER_VERSION"}, id.driver},
			} {
				if alias.v == nil {
					continue
				}
				for _, n := range alias.names {
					if _, ok := want[n]; ok {
						got[n] = string(alias.v)
					}
				}
			}
			// textparse drops empty label values; so does the comparison.
			for k, v := range got {
				if v == "" && k != labels.MetricName {
					delete(got, k)
				}
			}
			for k, v := range want {
				if v == "" {
					delete(want, k)
				}
			}
			if len(want) == len(got) {
				assert.Equal(t, want, got, "%q", raw)
			} else {
				// A label given twice keeps its last value in one of them.
				assert.Subset(t, keys(got), keys(want), "%q", raw)
			}
		}
	})
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
