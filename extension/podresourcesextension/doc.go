// Package podresourcesextension provides the pod_resources extension: it asks
// the kubelet's pod-resources API which pod and container hold each GPU device
// and answers the GPU receivers' lookups from a cache that it refreshes on an
// interval. It implements gpupod.Resolver.
package podresourcesextension // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension"
