package gpuschema

// Writes receiver/{dcgm,nvml}receiver/metadata.yaml; mdatagen runs afterwards.
//go:generate go run ./internal/compose
