# otelcol-ai: build, run the local demo, test.
# Everything below needs only Go (and gcc for cgo); the build tools are Go tools
# pinned in tools/go.mod.

GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
BIN       := bin/otelcol-ai
BUILD_DIR := _build/otelcol-ai
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
BENCH     ?= .
E2E_RUN   ?= .

# Every input of the binary: a change to any of them rebuilds it, nothing else does.
GO_SOURCES := $(shell find . -name '*.go' -not -path './_build/*' -not -path './tools/*' -not -name '*_test.go' 2>/dev/null)
BUILD_INPUTS := $(GO_SOURCES) go.mod go.sum builder-config.yaml $(shell find . -path ./_build -prune -o -type f \( -name '*.json' -o -name '*.yaml' -o -name '*.csv' \) -path '*/internal/*' -print 2>/dev/null)

.PHONY: all build run test unit-test e2e-test generate check-generated lint bench fuzz versions dist vendor-build helm-check clean

all: build

build: $(BIN)

# ocb generates the distribution's sources into $(BUILD_DIR), resolves modules
# and compiles. Go's build cache keeps rebuilds after a source change short.
$(BIN): $(BUILD_INPUTS)
	@mkdir -p $(BUILD_DIR) bin
	flock _build/.lock sh -c '$(TOOL) builder --config builder-config.yaml && cp $(BUILD_DIR)/otelcol-ai $(BIN).tmp && mv $(BIN).tmp $(BIN)'
	@ls -l $(BIN)

# The agent and gateway distributions (distributions/*/manifest.yaml), built
# by ocb like bin/otelcol-ai and under the same lock, so builds queue instead
# of fighting over the two cores and the module cache.
DISTS     := otelcol-ai-agent otelcol-ai-gateway
DIST_BINS := $(addprefix bin/,$(DISTS))

dist: $(DIST_BINS)

bin/otelcol-ai-%: distributions/otelcol-ai-%/manifest.yaml $(BUILD_INPUTS)
	@mkdir -p _build bin
	flock _build/.lock sh -c '$(TOOL) builder --config $< && cp _build/otelcol-ai-$*/otelcol-ai-$* $@.tmp && mv $@.tmp $@'
	@ls -l $@

# The vendor example: contrib components plus two of ours, imported by module
# path from a manifest outside this repository's build (examples/vendor-build).
VENDOR_BIN := bin/acme-otelcol

vendor-build: $(VENDOR_BIN)
	@n=$$($(VENDOR_BIN) components | grep -cE '^ *- name: (dcgm|prompt_redaction)$$'); \
	  if [ "$$n" != 2 ]; then echo "$(VENDOR_BIN) lacks the dcgm receiver or the prompt_redaction processor"; exit 1; fi; \
	  echo "$(VENDOR_BIN): dcgm and prompt_redaction present"

$(VENDOR_BIN): examples/vendor-build/builder-config.yaml $(BUILD_INPUTS)
	@mkdir -p _build bin
	flock _build/.lock sh -c '$(TOOL) builder --config examples/vendor-build/builder-config.yaml && cp _build/acme-otelcol/acme-otelcol $@.tmp && mv $@.tmp $@'
	@ls -l $@

# Helm chart, dashboards and rules: helm lint, then the Go checks in deploy/
# (every mode and ci/ values rendered and decoded strictly into the
# Kubernetes API types; every dashboard metric documented). With the
# distributions built (make dist), the rendered collector configs are also
# validated by the binaries.
HELM := $(TOOL) helm

helm-check:
	$(HELM) lint deploy/helm/otelcol-ai --set mode=agent
	$(HELM) lint deploy/helm/otelcol-ai --set mode=gateway
	DEPLOY_REQUIRE_DIST=$(DEPLOY_REQUIRE_DIST) $(GO) test -count=1 ./deploy/...

run: build
	scripts/run-demo.sh

test: versions unit-test e2e-test

versions:
	scripts/check-collector-versions.sh go.mod builder-config.yaml $(wildcard distributions/*/manifest.yaml) $(wildcard examples/vendor-build/builder-config.yaml)

unit-test:
	$(GO) test -count=1 ./...

e2e-test: build
	$(GO) test -count=1 -tags e2e -timeout 20m -run '$(E2E_RUN)' ./e2e/...

generate:
	scripts/generate.sh

# CI: generated files must match their sources.
check-generated: generate
	@git add -N . >/dev/null 2>&1 || true
	@if ! git diff --quiet -- . ':(exclude)_build'; then \
		echo "generated files are stale: run 'make generate' and commit"; git diff --stat; exit 1; fi

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^_build/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/...

bench:
	scripts/bench.sh '$(BENCH)' '$(BENCHTIME)'

fuzz:
	scripts/fuzz.sh '$(FUZZTIME)'

clean:
	rm -rf _build bin
