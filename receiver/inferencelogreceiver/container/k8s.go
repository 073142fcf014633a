package container // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"

import (
	"strconv"
	"strings"
)

// K8s holds what a Kubernetes log path says about the container that wrote
// the file. Empty fields were not in the path.
type K8s struct {
	Namespace     string
	PodName       string
	PodUID        string
	ContainerName string
	ContainerID   string
	// RestartCount is N of `<container>/N.log`; HasRestartCount says whether
	// the path had it.
	RestartCount    int
	HasRestartCount bool
}

// FromPath reads a kubelet log path:
//
//	/var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart count>.log
//	/var/log/containers/<pod>_<namespace>_<container>-<container id>.log
//
// wherever the `pods` or `containers` directory is mounted (e.g. under
// /host). Rotated files (`0.log.20240501-101010`, `0.log.1`) count too.
func FromPath(path string) (K8s, bool) {
	path = strings.ReplaceAll(path, `\`, "/")
	parts := strings.Split(path, "/")
	n := len(parts)
	// pods layout: .../pods/<ns>_<pod>_<uid>/<container>/<N>.log[.suffix]
	if n >= 4 && parts[n-4] == "pods" {
		ns, pod, uid, ok := split3(parts[n-3])
		if ok && parts[n-2] != "" {
			k := K8s{Namespace: ns, PodName: pod, PodUID: uid, ContainerName: parts[n-2]}
			file := parts[n-1]
			if i := strings.Index(file, ".log"); i > 0 {
				if rc, err := strconv.Atoi(file[:i]); err == nil && rc >= 0 {
					k.RestartCount, k.HasRestartCount = rc, true
				}
			}
			return k, true
		}
	}
	// containers layout: .../containers/<pod>_<ns>_<container>-<id>.log
	if n >= 2 && parts[n-2] == "containers" {
		file := parts[n-1]
		i := strings.Index(file, ".log")
		if i <= 0 {
			return K8s{}, false
		}
		pod, ns, rest, ok := split3(file[:i])
		if !ok {
			return K8s{}, false
		}
		dash := strings.LastIndexByte(rest, '-')
		if dash <= 0 || !isHex(rest[dash+1:]) || len(rest)-dash-1 < 12 {
			return K8s{}, false
		}
		return K8s{Namespace: ns, PodName: pod, ContainerName: rest[:dash], ContainerID: rest[dash+1:]}, true
	}
	return K8s{}, false
}

// split3 splits a_b_c where a and b hold no underscore (Kubernetes names do
// not) and c may.
func split3(s string) (a, b, c string, ok bool) {
	i := strings.IndexByte(s, '_')
	if i <= 0 {
		return "", "", "", false
	}
	j := strings.IndexByte(s[i+1:], '_')
	if j <= 0 {
		return "", "", "", false
	}
	j += i + 1
	if j+1 >= len(s) {
		return "", "", "", false
	}
	return s[:i], s[i+1 : j], s[j+1:], true
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
