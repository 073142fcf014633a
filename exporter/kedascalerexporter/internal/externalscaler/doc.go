// Package externalscaler holds the Go code generated from KEDA's external
// scaler protocol (externalscaler.proto). Do not edit the *.pb.go files; run
// `go generate` here (or `make generate` at the repository root).
//
// The generator is gen.go: it compiles the .proto with a pure-Go compiler
// (github.com/bufbuild/protocompile) and hands the result to protoc-gen-go and
// protoc-gen-go-grpc, all pinned in tools/go.mod, so no protoc binary is needed
// and the output is the same on every machine.
package externalscaler

//go:generate go run -modfile=../../../../tools/go.mod gen.go -modfile=../../../../tools/go.mod externalscaler.proto
