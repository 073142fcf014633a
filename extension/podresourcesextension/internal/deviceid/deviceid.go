// Package deviceid normalises the GPU device IDs that the kubelet, NVML and
// DCGM report, so that one device is found whichever form a caller uses.
//
// The NVIDIA device plugin gives the kubelet `GPU-<uuid>` for whole GPUs,
// `MIG-<uuid>` for MIG instances (or `MIG-GPU-<uuid>/<gi>/<ci>` with drivers
// before R470), and appends `::<n>` to either when the GPU is time-sliced.
// Receivers may ask with a bare UUID or in another letter case.
package deviceid // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/deviceid"

import "strings"

// replicaSeparator joins a device ID and the replica number of a time-sliced
// GPU in the device plugin's IDs.
const replicaSeparator = "::"

// ID is a parsed device ID.
type ID struct {
	// Device is the normalised device: lower case, without the `GPU-` or
	// `MIG-` prefix. GPU and MIG UUIDs never collide, so the prefix carries
	// no information that a lookup needs.
	Device string
	// Replica is the time-slicing replica (`3` in `GPU-<uuid>::3`), empty for
	// a device that is not time-sliced.
	Replica string
}

// Parse normalises a device ID. It reports false when nothing identifies a
// device (empty input, a bare prefix, only a replica suffix).
func Parse(raw string) (ID, bool) {
	s := strings.TrimSpace(raw)
	var replica string
	if i := strings.Index(s, replicaSeparator); i >= 0 {
		replica = strings.TrimSpace(s[i+len(replicaSeparator):])
		s = s[:i]
	}
	// `MIG-GPU-<uuid>/<gi>/<ci>` carries both prefixes; strip until none is
	// left so that a normalised ID normalises to itself.
	for {
		stripped := strings.TrimSpace(trimPrefixFold(trimPrefixFold(s, "MIG-"), "GPU-"))
		if stripped == s {
			break
		}
		s = stripped
	}
	// No real device ends in a colon; refusing it keeps `device::replica`
	// splitting at the same place when parsed again.
	if s == "" || strings.HasSuffix(s, ":") {
		return ID{}, false
	}
	// strings.ToLower returns its argument without allocating when it is
	// already lower case, which NVML and DCGM UUIDs are.
	return ID{Device: strings.ToLower(s), Replica: replica}, true
}

// trimPrefixFold removes prefix from s, ignoring ASCII case.
func trimPrefixFold(s, prefix string) string {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}
