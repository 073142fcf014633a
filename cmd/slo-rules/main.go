// Command slo-rules writes, from a slo_burn_rate processor configuration, the
// Prometheus recording and alerting rules that compute the same error ratios,
// burn rates, budget and alerts from the raw series, and the equivalent Sloth
// prometheus/v1 specification.
//
//	go run ./cmd/slo-rules [-out DIR] [-processor slo_burn_rate/NAME] [-metric-suffixes=false] CONFIG
//
// CONFIG is a collector configuration (the slo_burn_rate processor is found
// under processors:), a map of processor blocks by ID, or the processor's
// own block. It writes
// DIR/prometheus-rules.yaml and DIR/sloth.yaml; `-print prometheus` or
// `-print sloth` writes one of them to standard output instead.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "slo-rules:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("slo-rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "directory to write prometheus-rules.yaml and sloth.yaml to")
	print := fs.String("print", "", "write only this file to standard output: prometheus or sloth")
	processorID := fs.String("processor", "", "which slo_burn_rate processor of a collector configuration (e.g. slo_burn_rate/gateway); needed when there are several")
	suffixes := fs.Bool("metric-suffixes", true, "the series reach Prometheus with type and unit suffixes (_total, _seconds), as the prometheusremotewrite exporter writes them by default")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: slo-rules [flags] CONFIG")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("one configuration file is needed")
	}
	cfg, err := loadConfig(fs.Arg(0), *processorID)
	if err != nil {
		return err
	}
	opts := sloburnrateprocessor.RulesOptions{MetricSuffixes: *suffixes}
	promRules, err := sloburnrateprocessor.GeneratePrometheusRules(cfg, opts)
	if err != nil {
		return err
	}
	if err := checkRules(promRules); err != nil {
		return fmt.Errorf("generated rules do not pass Prometheus's own checks: %w", err)
	}
	sloth, err := sloburnrateprocessor.GenerateSlothSpec(cfg, opts)
	if err != nil {
		return err
	}
	switch *print {
	case "prometheus":
		_, err = stdout.Write(promRules)
		return err
	case "sloth":
		_, err = stdout.Write(sloth)
		return err
	case "":
	default:
		return fmt.Errorf("-print: want prometheus or sloth, got %q", *print)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"prometheus-rules.yaml": promRules, "sloth.yaml": sloth} {
		path := filepath.Join(*out, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	return nil
}

// checkRules parses the rule file as Prometheus does when it loads it.
func checkRules(b []byte) error {
	_, errs := rulefmt.Parse(b, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	return errors.Join(errs...)
}

// loadConfig reads the processor configuration from a collector
// configuration or a bare processor block, on top of the defaults.
func loadConfig(path, id string) (*sloburnrateprocessor.Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	block := doc
	procs, ok := doc["processors"].(map[string]any)
	if !ok && slices.ContainsFunc(keys(doc), isSLOProcessor) {
		// A map of processor blocks by ID, as in a component's testdata.
		procs, ok = doc, true
	}
	if ok {
		var ids []string
		for k := range procs {
			if isSLOProcessor(k) {
				ids = append(ids, k)
			}
		}
		slices.Sort(ids)
		switch {
		case id != "":
			if !slices.Contains(ids, id) {
				return nil, fmt.Errorf("%s: no processor %q (found %v)", path, id, ids)
			}
		case len(ids) == 0:
			return nil, fmt.Errorf("%s: no slo_burn_rate processor under processors:", path)
		case len(ids) > 1:
			return nil, fmt.Errorf("%s: several slo_burn_rate processors (%s): pick one with -processor", path, strings.Join(ids, ", "))
		default:
			id = ids[0]
		}
		block, _ = procs[id].(map[string]any)
	}
	cfg := sloburnrateprocessor.NewFactory().CreateDefaultConfig().(*sloburnrateprocessor.Config)
	if err := confmap.NewFromStringMap(block).Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func isSLOProcessor(id string) bool {
	return id == "slo_burn_rate" || strings.HasPrefix(id, "slo_burn_rate/")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
