package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	kjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

const (
	chartDir  = "deploy/helm/otelcol-ai"
	namespace = "observability"
)

// renderCase is one `helm template` of the chart.
type renderCase struct {
	name    string
	mode    string
	release string
	args    []string
}

// renderCases: each mode with the chart's defaults, and every ci/ values file.
func renderCases(t *testing.T) []renderCase {
	t.Helper()
	cases := []renderCase{
		{name: "agent defaults", mode: "agent", release: "otelcol-ai-agent", args: []string{"--set", "mode=agent"}},
		{name: "gateway defaults", mode: "gateway", release: "otelcol-ai-gateway", args: []string{"--set", "mode=gateway"}},
	}
	files, err := filepath.Glob(filepath.Join(repoRoot, chartDir, "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example values in %s/ci (%v)", chartDir, err)
	}
	for _, f := range files {
		values := readYAMLMap(t, f)
		mode, _ := values["mode"].(string)
		rel, _ := filepath.Rel(repoRoot, f)
		cases = append(cases, renderCase{name: rel, mode: mode, release: "otelcol-ai-" + mode, args: []string{"--values", rel}})
	}
	return cases
}

// rendered holds every object of one rendering, decoded into the API types.
type rendered struct {
	configMaps   []corev1.ConfigMap
	services     []corev1.Service
	accounts     []corev1.ServiceAccount
	daemonSets   []appsv1.DaemonSet
	deployments  []appsv1.Deployment
	hpas         []autoscalingv2.HorizontalPodAutoscaler
	pdbs         []policyv1.PodDisruptionBudget
	clusterRoles []rbacv1.ClusterRole
	bindings     []rbacv1.ClusterRoleBinding
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// decodeManifests decodes a multi-document manifest strictly: every object
// must be of a kind the chart is meant to render, at the expected API
// version, and carry no field the Kubernetes type lacks (a misspelt field
// is an error, as `kubectl apply --validate=strict` would make it).
func decodeManifests(manifest string) (*rendered, error) {
	r := &rendered{}
	for i, doc := range docSeparator.Split(manifest, -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := sigsyaml.Unmarshal([]byte(doc), &head); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var target any
		want := map[string]string{
			"ConfigMap": "v1", "Service": "v1", "ServiceAccount": "v1",
			"DaemonSet": "apps/v1", "Deployment": "apps/v1",
			"HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1",
			"ClusterRole": "rbac.authorization.k8s.io/v1", "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
		}[head.Kind]
		if want == "" {
			return nil, fmt.Errorf("document %d: kind %q is not one the chart renders", i, head.Kind)
		}
		if head.APIVersion != want {
			return nil, fmt.Errorf("document %d (%s): apiVersion %q, want %q", i, head.Kind, head.APIVersion, want)
		}
		switch head.Kind {
		case "ConfigMap":
			target = appendNew(&r.configMaps)
		case "Service":
			target = appendNew(&r.services)
		case "ServiceAccount":
			target = appendNew(&r.accounts)
		case "DaemonSet":
			target = appendNew(&r.daemonSets)
		case "Deployment":
			target = appendNew(&r.deployments)
		case "HorizontalPodAutoscaler":
			target = appendNew(&r.hpas)
		case "PodDisruptionBudget":
			target = appendNew(&r.pdbs)
		case "ClusterRole":
			target = appendNew(&r.clusterRoles)
		case "ClusterRoleBinding":
			target = appendNew(&r.bindings)
		}
		// YAML to JSON refusing duplicate keys, then JSON into the API type the
		// way the API server reads it: field names case-sensitive, unknown and
		// duplicate fields reported (encoding/json alone would accept
		// "clusterIp" for clusterIP).
		js, err := sigsyaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, head.Kind, err)
		}
		strict, err := kjson.UnmarshalStrict(js, target)
		if err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, head.Kind, err)
		}
		if len(strict) > 0 {
			return nil, fmt.Errorf("document %d (%s): %w", i, head.Kind, errors.Join(strict...))
		}
	}
	return r, nil
}

// appendNew appends a zero object to the slice and returns a pointer to it.
func appendNew[T any](s *[]T) *T {
	var zero T
	*s = append(*s, zero)
	return &(*s)[len(*s)-1]
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func renderChart(t *testing.T, c renderCase) *rendered {
	t.Helper()
	args := append([]string{"template", c.release, chartDir, "--namespace", namespace, "--kube-version", "1.31.0"}, c.args...)
	out, err := runHelm(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v", strings.Join(args, " "), err)
	}
	r, err := decodeManifests(out)
	if err != nil {
		t.Fatalf("helm %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// TestStrictDecodingCatchesMisspeltFields: the decoder the chart checks rely
// on rejects a field the API type does not have and a kind the chart does
// not render.
func TestStrictDecodingCatchesMisspeltFields(t *testing.T) {
	good := "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIP: None\n"
	if _, err := decodeManifests(good); err != nil {
		t.Fatalf("valid Service: %v", err)
	}
	for name, doc := range map[string]string{
		"misspelt field":   "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIp: None\n",
		"nested misspelt":  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          imagePullPolicy: Always\n          volumeMount: []\n",
		"duplicate field":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
		"wrong apiVersion": "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\n",
		"unexpected kind":  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n",
	} {
		if _, err := decodeManifests("---\n" + good + "---\n" + doc); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// TestChartRendersValidObjects renders every mode and ci/ values file and
// checks what each mode must hold.
func TestChartRendersValidObjects(t *testing.T) {
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r := renderChart(t, c)
			values := chartValues(t, c)
			switch c.mode {
			case "agent":
				checkAgent(t, r, values)
			case "gateway":
				checkGateway(t, r, values)
			default:
				t.Fatalf("mode %q", c.mode)
			}
			checkCommon(t, r, c)
		})
	}
}

// chartValues merges a case's values file over the chart's values.yaml (as
// far as the checks need: top-level keys and one level below).
func chartValues(t *testing.T, c renderCase) map[string]any {
	t.Helper()
	values := readYAMLMap(t, filepath.Join(repoRoot, chartDir, "values.yaml"))
	values["mode"] = c.mode
	if len(c.args) == 2 && c.args[0] == "--values" {
		for k, v := range readYAMLMap(t, filepath.Join(repoRoot, c.args[1])) {
			if sub, ok := v.(map[string]any); ok {
				if base, ok := values[k].(map[string]any); ok {
					for sk, sv := range sub {
						base[sk] = sv
					}
					continue
				}
			}
			values[k] = v
		}
	}
	return values
}

func podSpecOf(r *rendered) (*corev1.PodTemplateSpec, string) {
	if len(r.daemonSets) == 1 {
		return &r.daemonSets[0].Spec.Template, "DaemonSet"
	}
	if len(r.deployments) == 1 {
		return &r.deployments[0].Spec.Template, "Deployment"
	}
	return nil, ""
}

func env(c corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

func mountOf(c corev1.Container, path string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

func volume(spec corev1.PodSpec, name string) (corev1.Volume, bool) {
	for _, v := range spec.Volumes {
		if v.Name == name {
			return v, true
		}
	}
	return corev1.Volume{}, false
}

// renderedConfig returns the collector configuration of the ConfigMap.
func renderedConfig(t *testing.T, r *rendered) map[string]any {
	t.Helper()
	if len(r.configMaps) != 1 {
		t.Fatalf("%d ConfigMaps, want 1", len(r.configMaps))
	}
	relay, ok := r.configMaps[0].Data["relay"]
	if !ok {
		t.Fatal("ConfigMap has no relay key")
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(relay), &cfg); err != nil {
		t.Fatalf("relay: %v", err)
	}
	return cfg
}

func dig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func checkCommon(t *testing.T, r *rendered, c renderCase) {
	t.Helper()
	tmpl, _ := podSpecOf(r)
	if tmpl == nil {
		t.Fatal("no workload rendered")
	}
	// Every Service selects the workload's pods and targets named ports the
	// container declares.
	ports := map[string]bool{}
	for _, p := range tmpl.Spec.Containers[0].Ports {
		ports[p.Name] = true
	}
	for _, s := range r.services {
		for k, v := range s.Spec.Selector {
			if tmpl.Labels[k] != v {
				t.Errorf("Service %s selects %s=%s, which the pods lack", s.Name, k, v)
			}
		}
		for _, p := range s.Spec.Ports {
			if !ports[p.TargetPort.String()] {
				t.Errorf("Service %s targets port %q, which the container does not declare", s.Name, p.TargetPort.String())
			}
		}
	}
	// The config volume comes from the rendered ConfigMap.
	cfgVolume, ok := volume(tmpl.Spec, "config")
	if !ok || cfgVolume.ConfigMap == nil {
		t.Fatal("no config volume from a ConfigMap")
	}
	if len(r.configMaps) == 1 && cfgVolume.ConfigMap.Name != r.configMaps[0].Name {
		t.Errorf("config volume uses ConfigMap %q, rendered %q", cfgVolume.ConfigMap.Name, r.configMaps[0].Name)
	}
	container := tmpl.Spec.Containers[0]
	if want := "/otelcol-ai-" + c.mode; len(container.Command) != 1 || container.Command[0] != want {
		t.Errorf("command %v, want [%s] (the image's binary)", container.Command, want)
	}
	// GOMEMLIMIT: the configured share of the memory limit.
	if limit, ok := container.Resources.Limits[corev1.ResourceMemory]; ok {
		e, ok := env(container, "GOMEMLIMIT")
		if !ok {
			t.Error("memory limit set but no GOMEMLIMIT")
		} else {
			want := fmt.Sprintf("%dMiB", limit.Value()*80/100/(1<<20))
			if e.Value != want {
				t.Errorf("GOMEMLIMIT %q, want %q (80%% of %s)", e.Value, want, limit.String())
			}
			if got, err := resource.ParseQuantity(strings.TrimSuffix(e.Value, "B")); err != nil || got.Cmp(limit) >= 0 {
				t.Errorf("GOMEMLIMIT %q is not below the limit %s", e.Value, limit.String())
			}
		}
	}
	// The service account the pod runs as is the one rendered, and the
	// ClusterRoleBinding binds it.
	if len(r.accounts) == 1 && tmpl.Spec.ServiceAccountName != r.accounts[0].Name {
		t.Errorf("pod runs as %q, rendered ServiceAccount %q", tmpl.Spec.ServiceAccountName, r.accounts[0].Name)
	}
	for _, b := range r.bindings {
		if len(b.Subjects) != 1 || b.Subjects[0].Name != tmpl.Spec.ServiceAccountName || b.Subjects[0].Namespace != namespace {
			t.Errorf("ClusterRoleBinding %s binds %v, want the pod's service account", b.Name, b.Subjects)
		}
	}
	if _, ok := tmpl.Annotations["checksum/config"]; !ok {
		t.Error("no checksum/config annotation: config changes would not roll the pods")
	}
}

func checkAgent(t *testing.T, r *rendered, values map[string]any) {
	t.Helper()
	if len(r.daemonSets) != 1 || len(r.deployments) != 0 || len(r.hpas) != 0 || len(r.pdbs) != 0 {
		t.Fatalf("agent: %d DaemonSets, %d Deployments, %d HPAs, %d PDBs; want one DaemonSet only",
			len(r.daemonSets), len(r.deployments), len(r.hpas), len(r.pdbs))
	}
	spec := r.daemonSets[0].Spec.Template.Spec
	container := spec.Containers[0]
	gpu := values["gpu"].(map[string]any)

	if !slices.ContainsFunc(spec.Tolerations, func(tl corev1.Toleration) bool {
		return tl.Key == "nvidia.com/gpu" && tl.Operator == corev1.TolerationOpExists
	}) {
		t.Errorf("no nvidia.com/gpu toleration: %v", spec.Tolerations)
	}
	for _, extra := range asList(values["tolerations"]) {
		key := extra.(map[string]any)["key"]
		if !slices.ContainsFunc(spec.Tolerations, func(tl corev1.Toleration) bool { return tl.Key == key }) {
			t.Errorf("toleration %v from values is missing", key)
		}
	}
	if spec.NodeSelector["nvidia.com/gpu.present"] != "true" {
		t.Errorf("nodeSelector %v lacks nvidia.com/gpu.present=true", spec.NodeSelector)
	}
	// The NVIDIA runtime, or the variable that makes it expose every GPU.
	runtimeClass := ""
	if spec.RuntimeClassName != nil {
		runtimeClass = *spec.RuntimeClassName
	}
	visible, hasVisible := env(container, "NVIDIA_VISIBLE_DEVICES")
	if runtimeClass != "nvidia" && (!hasVisible || visible.Value != "all") {
		t.Errorf("neither runtimeClassName nvidia (%q) nor NVIDIA_VISIBLE_DEVICES=all", runtimeClass)
	}
	if want, _ := gpu["runtimeClassName"].(string); runtimeClass != want {
		t.Errorf("runtimeClassName %q, want %q", runtimeClass, want)
	}
	// Host mounts: pod logs read-only, the kubelet's pod-resources socket.
	podLogs := values["podLogs"].(map[string]any)
	if podLogs["enabled"] == true {
		m, ok := mountOf(container, "/var/log/pods")
		if !ok || !m.ReadOnly {
			t.Errorf("/var/log/pods mounted %v, readOnly %v; want a read-only mount", ok, m.ReadOnly)
		}
		if v, _ := volume(spec, m.Name); v.HostPath == nil || v.HostPath.Path != "/var/log/pods" {
			t.Errorf("volume %s is not the node's /var/log/pods", m.Name)
		}
	} else if _, ok := mountOf(container, "/var/log/pods"); ok {
		t.Error("podLogs disabled but /var/log/pods mounted")
	}
	m, ok := mountOf(container, "/var/lib/kubelet/pod-resources")
	if !ok {
		t.Fatal("kubelet pod-resources directory not mounted")
	}
	if v, _ := volume(spec, m.Name); v.HostPath == nil || v.HostPath.Path != "/var/lib/kubelet/pod-resources" {
		t.Errorf("volume %s is not the node's pod-resources directory", m.Name)
	}
	if _, ok := env(container, "K8S_NODE_NAME"); !ok {
		t.Error("no K8S_NODE_NAME for k8s_attributes' node filter")
	}
	// The node's IP, for endpoints of this node's exporters (dcgm-exporter).
	if e, ok := env(container, "K8S_NODE_IP"); !ok || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || e.ValueFrom.FieldRef.FieldPath != "status.hostIP" {
		t.Errorf("K8S_NODE_IP %+v, want the node's IP from status.hostIP", e)
	}
	// RBAC for k8s_attributes.
	if values["clusterRole"].(map[string]any)["create"] == true {
		if len(r.clusterRoles) != 1 || len(r.bindings) != 1 {
			t.Fatalf("%d ClusterRoles, %d bindings; want one each", len(r.clusterRoles), len(r.bindings))
		}
		if !slices.ContainsFunc(r.clusterRoles[0].Rules, func(pr rbacv1.PolicyRule) bool {
			return slices.Contains(pr.Resources, "pods") && slices.Contains(pr.Verbs, "watch")
		}) {
			t.Error("ClusterRole cannot watch pods")
		}
	}
	// The exporters point at the gateway's headless Service (as the gateway
	// release renders it) through load_balancing.
	cfg := renderedConfig(t, r)
	gw := renderChart(t, renderCase{mode: "gateway", release: "otelcol-ai-gateway", args: []string{"--set", "mode=gateway"}})
	var headless string
	for _, s := range gw.services {
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			headless = fmt.Sprintf("%s.%s.svc.cluster.local", s.Name, namespace)
		}
	}
	exporters, _ := cfg["exporters"].(map[string]any)
	lb := 0
	for id := range exporters {
		if componentType(id) != "load_balancing" {
			continue
		}
		lb++
		if host := dig(exporters, id, "resolver", "dns", "hostname"); host != headless {
			t.Errorf("%s resolves %v, want the gateway's headless Service %s", id, host, headless)
		}
	}
	if lb == 0 {
		t.Error("no load_balancing exporter")
	}
	// Metrics are routed by attributes every gateway SLO groups by, so that
	// one replica sees each SLO series whole.
	gwSLO := gatewaySLOConfig(t, renderedConfig(t, gw))
	for id := range exporters {
		if componentType(id) != "load_balancing" || dig(exporters, id, "routing_key") != "attributes" {
			continue
		}
		routing := strs(dig(exporters, id, "routing_attributes"))
		if len(routing) == 0 {
			t.Errorf("%s routes by attributes but names none", id)
		}
		for _, slo := range gwSLO.SLOs {
			for _, a := range routing {
				if !slices.Contains(slo.GroupBy, a) {
					t.Errorf("%s routes by %s, which SLO %s does not group by: its series would be split over replicas", id, a, slo.Name)
				}
			}
		}
	}
	for name, p := range pipelines(cfg) {
		for _, e := range p.exporters {
			if componentType(e) != "load_balancing" {
				t.Errorf("pipeline %s exports to %s, not the gateway", name, e)
			}
		}
	}
	if strings.Contains(fmt.Sprint(gpu["dcgmExporterEndpoint"]), "http") {
		if !slices.Contains(pipelines(cfg)["metrics"].receivers, "dcgm") {
			t.Error("dcgmExporterEndpoint set but dcgm is not in the metrics pipeline")
		}
	}
}

func checkGateway(t *testing.T, r *rendered, values map[string]any) {
	t.Helper()
	if len(r.deployments) != 1 || len(r.daemonSets) != 0 {
		t.Fatalf("gateway: %d Deployments, %d DaemonSets; want one Deployment", len(r.deployments), len(r.daemonSets))
	}
	d := r.deployments[0]
	autoscaling := values["autoscaling"].(map[string]any)
	if autoscaling["enabled"] == true {
		if len(r.hpas) != 1 {
			t.Fatalf("%d HPAs, want 1", len(r.hpas))
		}
		h := r.hpas[0]
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != d.Name {
			t.Errorf("HPA scales %s/%s, want Deployment/%s", h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, d.Name)
		}
		if d.Spec.Replicas != nil {
			t.Error("replicas set on a Deployment the HPA scales")
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			t.Errorf("HPA replicas %v..%d", h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
	} else {
		if len(r.hpas) != 0 {
			t.Error("autoscaling disabled but an HPA rendered")
		}
		if d.Spec.Replicas == nil || fmt.Sprint(*d.Spec.Replicas) != fmt.Sprint(values["replicaCount"]) {
			t.Errorf("replicas %v, want %v", d.Spec.Replicas, values["replicaCount"])
		}
	}
	if len(r.pdbs) != 1 {
		t.Fatalf("%d PodDisruptionBudgets, want 1", len(r.pdbs))
	}
	pdb := r.pdbs[0]
	if !reflect.DeepEqual(pdb.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) {
		t.Errorf("PDB selects %v, Deployment %v", pdb.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels)
	}
	if (pdb.Spec.MinAvailable == nil) == (pdb.Spec.MaxUnavailable == nil) {
		t.Error("PDB needs exactly one of minAvailable and maxUnavailable")
	}
	var headless *corev1.Service
	for i, s := range r.services {
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			headless = &r.services[i]
		}
	}
	if headless == nil {
		t.Fatal("no headless Service for the agents' load_balancing exporters")
	}
	if !slices.ContainsFunc(headless.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == 4317 }) {
		t.Error("headless Service does not expose OTLP/gRPC 4317")
	}
	spec := d.Spec.Template.Spec
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot {
		t.Error("gateway pods must run as non-root")
	}
	if len(r.clusterRoles) != 0 {
		t.Error("the gateway runs no k8s_attributes: no ClusterRole expected")
	}
	// The chart's SLOs are the distribution's, whose rules deploy/prometheus holds.
	cfg := renderedConfig(t, r)
	dist := readYAMLMap(t, filepath.Join(repoRoot, "distributions", "otelcol-ai-gateway", "config.yaml"))
	if !reflect.DeepEqual(gatewaySLOConfig(t, cfg), gatewaySLOConfig(t, dist)) {
		t.Error("the chart's slo_burn_rate configuration differs from distributions/otelcol-ai-gateway/config.yaml, whose rules deploy/prometheus holds")
	}
	if !reflect.DeepEqual(cfg["connectors"], dist["connectors"]) {
		t.Error("the chart's connectors differ from distributions/otelcol-ai-gateway/config.yaml, whose metrics the dashboards are checked against")
	}
}

type pipeline struct{ receivers, processors, exporters []string }

func pipelines(cfg map[string]any) map[string]pipeline {
	out := map[string]pipeline{}
	ps, _ := dig(cfg, "service", "pipelines").(map[string]any)
	for name, p := range ps {
		pm, _ := p.(map[string]any)
		out[name] = pipeline{receivers: strs(pm["receivers"]), processors: strs(pm["processors"]), exporters: strs(pm["exporters"])}
	}
	return out
}

func strs(v any) []string {
	var out []string
	for _, x := range asList(v) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestChartRejectsAnUnknownMode: the mode is required and checked.
func TestChartRejectsAnUnknownMode(t *testing.T) {
	for _, args := range [][]string{{}, {"--set", "mode=sidecar"}} {
		out, err := runHelm(t, append([]string{"template", "x", chartDir}, args...)...)
		if err == nil || !strings.Contains(out, "mode must be agent or gateway") {
			t.Errorf("helm template %v: err %v, output %q; want the mode error", args, err, out)
		}
	}
}

// TestHelmLint runs `helm lint --strict` for each mode and ci/ values file.
func TestHelmLint(t *testing.T) {
	for _, c := range renderCases(t) {
		args := append([]string{"lint", "--strict", chartDir}, c.args...)
		if out, err := runHelm(t, args...); err != nil {
			t.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestRenderedConfigsValidate: the collector configuration each rendering
// produces is accepted by the distribution's own `validate` command. It
// needs the binaries of `make dist`; CI builds them first and sets
// DEPLOY_REQUIRE_DIST=1 so that a missing binary fails instead of skipping.
func TestRenderedConfigsValidate(t *testing.T) {
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			bin := distBinary(t, "otelcol-ai-"+c.mode)
			r := renderChart(t, c)
			path := filepath.Join(t.TempDir(), "relay.yaml")
			if err := os.WriteFile(path, []byte(r.configMaps[0].Data["relay"]), 0o600); err != nil {
				t.Fatal(err)
			}
			validate(t, bin, path, "MY_POD_IP=127.0.0.1", "K8S_NODE_NAME=node-1", "K8S_NODE_IP=127.0.0.1")
		})
	}
}
