package deviceid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const uuid = "5fd4c6a1-7b2e-4c3d-9e8f-0a1b2c3d4e5f"

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ID
		ok   bool
	}{
		{"whole GPU", "GPU-" + uuid, ID{Device: uuid}, true},
		{"bare UUID", uuid, ID{Device: uuid}, true},
		{"upper-case UUID and prefix", "GPU-5FD4C6A1-7B2E-4C3D-9E8F-0A1B2C3D4E5F", ID{Device: uuid}, true},
		{"lower-case prefix", "gpu-" + uuid, ID{Device: uuid}, true},
		{"MIG instance", "MIG-" + uuid, ID{Device: uuid}, true},
		{"time-sliced GPU", "GPU-" + uuid + "::3", ID{Device: uuid, Replica: "3"}, true},
		{"time-sliced MIG instance", "MIG-" + uuid + "::12", ID{Device: uuid, Replica: "12"}, true},
		{"time-sliced bare UUID", uuid + "::0", ID{Device: uuid, Replica: "0"}, true},
		{"pre-R470 MIG form", "MIG-GPU-" + uuid + "/1/0", ID{Device: uuid + "/1/0"}, true},
		{"pre-R470 MIG form time-sliced", "MIG-GPU-" + uuid + "/1/0::2", ID{Device: uuid + "/1/0", Replica: "2"}, true},
		{"surrounding spaces", "  GPU-" + uuid + " ", ID{Device: uuid}, true},
		{"device plugin index strategy", "0", ID{Device: "0"}, true},
		{"empty replica", "GPU-" + uuid + "::", ID{Device: uuid}, true},
		{"MIG index strategy", "0:1", ID{Device: "0:1"}, true},
		{"empty", "", ID{}, false},
		{"only separators", "::::", ID{}, false},
		{"device ending in a colon", "GPU-x: ::1", ID{}, false},
		{"only a prefix", "GPU-", ID{}, false},
		{"only MIG prefixes", "MIG-GPU-", ID{}, false},
		{"only a replica", "::1", ID{}, false},
		{"spaces", "   ", ID{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseOfLowerCaseIDDoesNotAllocate(t *testing.T) {
	id := "GPU-" + uuid + "::1"
	allocs := testing.AllocsPerRun(100, func() { _, _ = Parse(id) })
	assert.Zero(t, allocs)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"GPU-" + uuid, "MIG-" + uuid + "::1", "MIG-GPU-" + uuid + "/1/0", "::", "", "GPU-::", "mig-gpu-X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := Parse(s)
		if !ok {
			return
		}
		if id.Device == "" {
			t.Fatalf("Parse(%q) reported a device but returned an empty one", s)
		}
		// A parsed ID parses to itself: lookups built from kubelet IDs and
		// lookups from receivers meet on the same key.
		again := id.Device
		if id.Replica != "" {
			again += replicaSeparator + id.Replica
		}
		if id2, ok2 := Parse(again); !ok2 || id2 != id {
			t.Fatalf("Parse(%q) = %+v but Parse(%q) = %+v, %v", s, id, again, id2, ok2)
		}
	})
}
