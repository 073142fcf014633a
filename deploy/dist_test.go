package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

type manifest struct {
	Dist struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Version     string `yaml:"version"`
		OutputPath  string `yaml:"output_path"`
		CgoEnabled  bool   `yaml:"cgo_enabled"`
	} `yaml:"dist"`
	Receivers  []module `yaml:"receivers"`
	Processors []module `yaml:"processors"`
	Exporters  []module `yaml:"exporters"`
	Extensions []module `yaml:"extensions"`
	Connectors []module `yaml:"connectors"`
	Providers  []module `yaml:"providers"`
	Replaces   []string `yaml:"replaces"`

	ConfResolver map[string]any `yaml:"conf_resolver"`
}

type module struct {
	GoMod  string `yaml:"gomod"`
	Import string `yaml:"import"`
}

// pkg is the Go package a manifest entry imports.
func (m module) pkg() string {
	if m.Import != "" {
		return m.Import
	}
	path, _, _ := strings.Cut(m.GoMod, " ")
	return path
}

func readManifest(t *testing.T, path string) manifest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yamlStrict(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func pkgs(ms []module) []string {
	var out []string
	for _, m := range ms {
		p := m.pkg()
		out = append(out, p[strings.LastIndex(p, "/")+1:])
	}
	sort.Strings(out)
	return out
}

const (
	core    = "go.opentelemetry.io/collector/"
	contrib = "github.com/open-telemetry/opentelemetry-collector-contrib/"
	ours    = "github.com/otelcol-ai/otelcol-ai"
)

// TestDistributionsHoldTheirComponents pins each distribution's component
// set: what the agent runs on GPU nodes and what the gateway runs, no more.
func TestDistributionsHoldTheirComponents(t *testing.T) {
	for _, tc := range []struct {
		path                                                string
		name                                                string
		cgo                                                 bool
		receivers, processors, exporters, extensions, conns []string
	}{
		{
			path: "distributions/otelcol-ai-agent/manifest.yaml", name: "otelcol-ai-agent", cgo: true,
			receivers:  []string{"dcgmreceiver", "filelogreceiver", "hostmetricsreceiver", "inferencelogreceiver", "nvmlreceiver", "otlpreceiver"},
			processors: []string{"batchprocessor", "k8sattributesprocessor", "memorylimiterprocessor", "resourceprocessor"},
			exporters:  []string{"loadbalancingexporter", "otlpexporter"},
			extensions: []string{"filestorage", "healthcheckextension", "podresourcesextension"},
		},
		{
			path: "distributions/otelcol-ai-gateway/manifest.yaml", name: "otelcol-ai-gateway", cgo: false,
			receivers:  []string{"otlpreceiver"},
			processors: []string{"batchprocessor", "memorylimiterprocessor", "promptredactionprocessor", "retrievalqualityprocessor", "sloburnrateprocessor", "tokencostprocessor", "transformprocessor"},
			exporters:  []string{"kedascalerexporter", "otlpexporter", "otlphttpexporter", "prometheusremotewriteexporter"},
			extensions: []string{"filestorage", "healthcheckextension"},
			conns:      []string{"signaltometricsconnector", "spanmetricsconnector"},
		},
	} {
		m := readManifest(t, tc.path)
		if m.Dist.Name != tc.name || m.Dist.OutputPath != "./_build/"+tc.name {
			t.Errorf("%s: dist name %q, output_path %q; want %q under ./_build", tc.path, m.Dist.Name, m.Dist.OutputPath, tc.name)
		}
		if m.Dist.CgoEnabled != tc.cgo {
			t.Errorf("%s: cgo_enabled %v, want %v", tc.path, m.Dist.CgoEnabled, tc.cgo)
		}
		for kind, pair := range map[string][2][]string{
			"receivers":  {pkgs(m.Receivers), tc.receivers},
			"processors": {pkgs(m.Processors), tc.processors},
			"exporters":  {pkgs(m.Exporters), tc.exporters},
			"extensions": {pkgs(m.Extensions), tc.extensions},
			"connectors": {pkgs(m.Connectors), tc.conns},
		} {
			if !slices.Equal(pair[0], pair[1]) {
				t.Errorf("%s: %s %v, want %v", tc.path, kind, pair[0], pair[1])
			}
		}
		checkModules(t, tc.path, m)
	}
}

// checkModules: every module at the release this repository pins, ours
// from the checkout.
func checkModules(t *testing.T, path string, m manifest) {
	t.Helper()
	all := slices.Concat(m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors)
	usesOurs := false
	for _, mod := range all {
		p, v, _ := strings.Cut(mod.GoMod, " ")
		switch {
		case strings.HasPrefix(p, contrib):
			if v != "v0.160.0" {
				t.Errorf("%s: %s %s, pinned v0.160.0", path, p, v)
			}
		case strings.HasPrefix(p, core):
			if v != "v0.160.0" && v != "v1.66.0" {
				t.Errorf("%s: %s %s, pinned v0.160.0 / v1.66.0", path, p, v)
			}
		case p == ours:
			usesOurs = true
			if !strings.HasPrefix(mod.Import, ours+"/") {
				t.Errorf("%s: %s needs an import of one of its packages", path, p)
			}
		default:
			t.Errorf("%s: unexpected module %s", path, p)
		}
	}
	if usesOurs && !slices.Contains(m.Replaces, ours+" => ../../") {
		t.Errorf("%s: our module is not published: replaces must point it at the checkout (%s => ../../)", path, ours)
	}
}

// TestVendorBuildImportsTwoOfOurs: the vendor example is contrib plus two of
// our components, by module path.
func TestVendorBuildImportsTwoOfOurs(t *testing.T) {
	path := "examples/vendor-build/builder-config.yaml"
	m := readManifest(t, path)
	var ourImports []string
	for _, mod := range slices.Concat(m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors) {
		if strings.HasPrefix(mod.GoMod, ours+" ") {
			ourImports = append(ourImports, mod.Import)
		}
	}
	if len(ourImports) != 2 {
		t.Errorf("%s imports %d of our components, want 2: %v", path, len(ourImports), ourImports)
	}
	checkModules(t, path, m)
}

// dockerfile is the part of a Dockerfile the checks read.
type dockerfile struct {
	from       []string
	copies     [][2]string // source, destination
	user       string
	entrypoint []string
}

var instruction = regexp.MustCompile(`^([A-Za-z]+)\s+(.*)$`)

func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var logical strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(raw))
	var lines []string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			logical.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		logical.WriteString(line)
		if s := strings.TrimSpace(logical.String()); s != "" {
			lines = append(lines, s)
		}
		logical.Reset()
	}
	for _, line := range lines {
		m := instruction.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%s: cannot read %q", path, line)
			continue
		}
		args := m[2]
		switch strings.ToUpper(m[1]) {
		case "FROM":
			d.from = append(d.from, strings.Fields(args)[0])
		case "COPY", "ADD":
			fields := strings.Fields(args)
			var plain []string
			for _, f := range fields {
				if strings.HasPrefix(f, "--from") {
					plain = nil
					break
				}
				if !strings.HasPrefix(f, "--") {
					plain = append(plain, f)
				}
			}
			if len(plain) == 2 {
				d.copies = append(d.copies, [2]string{plain[0], plain[1]})
			} else if len(plain) != 0 {
				t.Errorf("%s: %q: one source and one destination expected", path, line)
			}
		case "USER":
			d.user = args
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(args), &d.entrypoint); err != nil {
				t.Errorf("%s: ENTRYPOINT must be exec form (a JSON array): %v", path, err)
			}
		case "ENV", "EXPOSE", "CMD", "LABEL", "ARG", "WORKDIR":
		default:
			t.Errorf("%s: unexpected instruction %s", path, m[1])
		}
	}
	return d
}

// TestDockerfiles lints the images' Dockerfiles without a Docker engine:
// base images pinned and of the right libc, every COPY source a file of the
// checkout or a binary `make dist` writes, a non-root user, and an
// entrypoint that is the copied binary.
func TestDockerfiles(t *testing.T) {
	for _, tc := range []struct {
		dist string
		base string // required base image prefix
	}{
		{dist: "otelcol-ai-agent", base: "gcr.io/distroless/cc-debian12"},       // glibc for libnvidia-ml
		{dist: "otelcol-ai-gateway", base: "gcr.io/distroless/static-debian12"}, // static binary
	} {
		path := "distributions/" + tc.dist + "/Dockerfile"
		d := parseDockerfile(t, path)
		if len(d.from) != 1 || !strings.HasPrefix(d.from[0], tc.base+":") {
			t.Errorf("%s: FROM %v, want %s with a tag", path, d.from, tc.base)
		}
		if d.user == "" {
			t.Errorf("%s: no USER: the image would run as root", path)
		} else if uid, _, _ := strings.Cut(d.user, ":"); uid == "0" || uid == "root" {
			t.Errorf("%s: USER %s is root", path, d.user)
		}
		binary := "bin/" + tc.dist
		copiedBinary := ""
		for _, c := range d.copies {
			src, dst := c[0], c[1]
			if src == binary {
				copiedBinary = dst
				continue
			}
			if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
				t.Errorf("%s: COPY %s: not in the checkout (%v)", path, src, err)
			}
		}
		if copiedBinary == "" {
			t.Errorf("%s: does not COPY %s, the binary `make dist` builds", path, binary)
		}
		if len(d.entrypoint) == 0 || d.entrypoint[0] != copiedBinary {
			t.Errorf("%s: ENTRYPOINT %v, want the copied binary %s", path, d.entrypoint, copiedBinary)
		}
		if copiedBinary != "/"+tc.dist {
			t.Errorf("%s: binary copied to %s; the Helm chart runs /%s", path, copiedBinary, tc.dist)
		}
	}
}

// distBinary returns bin/NAME, built by `make dist`. Without it the test is
// skipped, unless DEPLOY_REQUIRE_DIST=1 (CI, after make dist).
func distBinary(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(repoRoot, "bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("DEPLOY_REQUIRE_DIST") == "1" {
			t.Fatalf("%s missing: run make dist", bin)
		}
		t.Skipf("%s not built (make dist); set DEPLOY_REQUIRE_DIST=1 to require it", bin)
	}
	return bin
}

func validate(t *testing.T, bin, config string, env ...string) {
	t.Helper()
	cmd := exec.Command(bin, "validate", "--config="+config)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s validate --config=%s: %v\n%s", filepath.Base(bin), config, err, out)
	}
}

// TestDistributionConfigsValidate: each image's default configuration is
// accepted by its binary, with the environment its header documents (the
// agent's k8s_attributes needs the node name, as a DaemonSet pod has it).
func TestDistributionConfigsValidate(t *testing.T) {
	for name, env := range map[string][]string{
		"otelcol-ai-agent":   {"K8S_NODE_NAME=node-1"},
		"otelcol-ai-gateway": nil,
	} {
		t.Run(name, func(t *testing.T) {
			bin := distBinary(t, name)
			validate(t, bin, filepath.Join(repoRoot, "distributions", name, "config.yaml"), env...)
		})
	}
}
