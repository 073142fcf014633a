//go:build ignore

// gen.go generates the Go code of a .proto file without a protoc binary: it
// compiles the file with github.com/bufbuild/protocompile (pure Go), builds the
// CodeGeneratorRequest protoc would send, and runs protoc-gen-go and
// protoc-gen-go-grpc as `go tool` plugins from the given tools module. Every
// version involved is pinned in that go.mod, so the output is reproducible.
//
// Usage: go run -modfile=TOOLS_GO_MOD gen.go -modfile=TOOLS_GO_MOD FILE.proto...
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/pluginpb"
)

// plugins run in this order; each writes its files next to the .proto
// (paths=source_relative).
var plugins = []string{"protoc-gen-go", "protoc-gen-go-grpc"}

func main() {
	modfile := flag.String("modfile", "", "go.mod of the module that pins the plugins as tools")
	flag.Parse()
	if *modfile == "" || flag.NArg() == 0 {
		log.Fatal("usage: gen.go -modfile=TOOLS_GO_MOD FILE.proto...")
	}
	modAbs, err := filepath.Abs(*modfile)
	if err != nil {
		log.Fatal(err)
	}

	compiler := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	files, err := compiler.Compile(context.Background(), flag.Args()...)
	if err != nil {
		log.Fatalf("compile: %v", err)
	}

	req := &pluginpb.CodeGeneratorRequest{Parameter: proto.String("paths=source_relative")}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	// Dependencies first, as protoc orders them.
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, protodesc.ToFileDescriptorProto(fd))
	}
	for _, f := range files {
		add(f)
		req.FileToGenerate = append(req.FileToGenerate, f.Path())
	}

	in, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		log.Fatal(err)
	}
	for _, plugin := range plugins {
		if err := run(modAbs, plugin, in); err != nil {
			log.Fatalf("%s: %v", plugin, err)
		}
	}
}

func run(modfile, plugin string, in []byte) error {
	cmd := exec.Command("go", "tool", "-modfile="+modfile, plugin)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return err
	}
	var resp pluginpb.CodeGeneratorResponse
	if err := proto.Unmarshal(out, &resp); err != nil {
		return fmt.Errorf("reading the plugin's response: %w", err)
	}
	if resp.Error != nil {
		return fmt.Errorf("plugin error: %s", resp.GetError())
	}
	for _, f := range resp.File {
		if f.GetInsertionPoint() != "" {
			return fmt.Errorf("%s: insertion points are not supported", f.GetName())
		}
		if err := os.WriteFile(filepath.FromSlash(f.GetName()), []byte(f.GetContent()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
