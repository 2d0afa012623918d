package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/evalrun/evalrun/harness"
)

const deployUsage = `  evalrun train spec.toml [--model NAME] [--cutoff DAY] [--split NAME] -o BUNDLE
                                           fit one model for deployment; write its bundle
  evalrun score BUNDLE (--spec spec.toml | --data PATH) [--term T] [--as-of-day DAY]
        [--previous DIR] [--rise 0.1] [--xapi] [--ids-file FILE] -o DIR
                                           score current students; risk list, report, alerts
`

// optionalInt is an int flag that records whether it was given.
type optionalInt struct{ v *int }

func (o *optionalInt) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.Itoa(*o.v)
}

func (o *optionalInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want an integer day, got %q", s)
	}
	o.v = &v
	return nil
}

func trainCmd(ctx context.Context, stdout, stderr io.Writer, args, all []string) error {
	fs := newFlagSet("train", stderr)
	model := fs.String("model", "", "the [[models]] name to fit (default: deploy.model)")
	var cutoff optionalInt
	fs.Var(&cutoff, "cutoff", "prediction day (default: deploy.cutoff or the dataset's only cutoff)")
	split := fs.String("split", "", "train on this split's training terms instead of the [deploy] terms")
	var output string
	fs.StringVar(&output, "o", "", "bundle directory")
	fs.StringVar(&output, "output", "", "bundle directory (same as -o)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) != 1 {
		return fmt.Errorf("%w: train takes one spec file, got %d arguments", errUsage, len(fs.Args()))
	}
	if output == "" {
		return fmt.Errorf("%w: train needs -o BUNDLE, the directory to write", errUsage)
	}
	spec, err := harness.LoadSpecFile(fs.Args()[0])
	if err != nil {
		return err
	}
	out, err := harness.Train(ctx, spec, harness.TrainOptions{Model: *model, Cutoff: cutoff.v, Split: *split, Output: output,
		CommandLine: append([]string{"evalrun"}, all...)})
	if err != nil {
		return err
	}
	for _, n := range out.Notes {
		fmt.Fprintf(stderr, "evalrun: %s\n", n)
	}
	m := out.Bundle.Model
	fmt.Fprintf(stdout, "bundle %s: %s (%s) trained on %v (%d students, %d at risk)\n", out.Dir, m.Name, m.Kind, m.Training.Terms, m.Training.Rows, m.Training.Positives)
	fmt.Fprintf(stdout, "threshold %s: flag scores >= %.6g (%s)\n", m.Threshold.Policy, m.Threshold.Score, m.Threshold.ResolvedOn)
	for _, e := range out.Evaluations {
		if e.Metrics.AUC != nil {
			fmt.Fprintf(stdout, "evaluation %s: AUC %.3f on %d test students\n", e.Split, *e.Metrics.AUC, e.Test.Rows)
		}
		if e.Fairness != nil {
			fmt.Fprintf(stdout, "fairness audit %s: %s\n", e.Split, e.Fairness.Status)
		}
	}
	return nil
}
