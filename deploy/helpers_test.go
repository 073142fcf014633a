// Package deploy holds the checks of what this directory and distributions/
// ship: the Helm chart (rendered for every mode and ci/ values file, decoded
// strictly into the Kubernetes API types, linted), the distributions'
// manifests, Dockerfiles and default configurations, the Grafana dashboards
// (every metric they query is documented) and the Prometheus rules
// (generated from the gateway's SLO configuration).
package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

var repoRoot = func() string {
	abs, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	return abs
}()

// yamlStrict decodes YAML, failing on keys the target does not have.
func yamlStrict(raw []byte, out any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	return dec.Decode(out)
}

func readYAMLMap(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helm returns the Helm binary pinned in tools/go.mod: `go tool -n` builds
// it (or finds it in the build cache) and prints its path.
func helm(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		cmd := exec.Command("go", "tool", "-modfile="+filepath.Join(repoRoot, "tools", "go.mod"), "-n", "helm")
		cmd.Dir = repoRoot
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			helmErr = &buildError{err: err, out: stderr.String()}
			return
		}
		helmPath = strings.TrimSpace(stdout.String())
	})
	if helmErr != nil {
		t.Fatalf("building helm from tools/go.mod: %v", helmErr)
	}
	return helmPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// runHelm runs helm with its state directories inside the test's temp dir,
// so that nothing of the user's Helm setup is read or written.
func runHelm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helm(t), args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"KUBECONFIG="+filepath.Join(home, "kubeconfig"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), &buildError{err: err, out: strings.TrimSpace(stderr.String())}
	}
	return stdout.String(), nil
}
