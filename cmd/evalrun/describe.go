package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/rundir"
)

// describeCmd is `evalrun describe spec.toml [--json] [--output DIR]`:
// descriptive analytics of the spec's event logs (engagement, timeline,
// heatmap, drops, students who stopped, patterns with outcome rates).
// With --output it also writes DIR/describe.json (what --json prints) and,
// per event log, the engagement heatmap and activity timeline as
// DIR/plots/*.svg and *.png through package rundir: DIR must be absent or
// a directory evalrun wrote (checked before computing), and it appears
// complete or not at all, replacing a previous one only once complete.
func describeCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("describe", stderr)
	asJSON := fs.Bool("json", false, "print the descriptions as JSON")
	output := fs.String("output", "", "also write describe.json and the plots (SVG and PNG) to this directory")
	var terms listFlag
	fs.Var(&terms, "term", "describe only the students of this term (repeatable; default every term with events)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: evalrun describe [--json] [--output DIR] [--term T] spec.toml", errUsage)
	}
	spec, err := harness.LoadSpecFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var out *rundir.Writer
	if *output != "" {
		// Claim the directory before computing: a refused output costs nothing.
		if out, err = rundir.Open(*output, rundir.Options{Kind: "describe"}); err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		defer out.Close()
		for _, n := range out.Notes() {
			fmt.Fprintf(stderr, "evalrun: %s\n", n)
		}
	}
	descs, err := harness.DescribeTerms(spec, os.Getenv, terms)
	if err != nil {
		return err
	}
	if out != nil {
		files, err := describeFiles(descs)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := out.WriteFile(f.Name, f.Data); err != nil {
				return err
			}
		}
		if err := out.Commit(); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, descs)
	}
	for i, d := range descs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := reports.WriteEventsDescription(stdout, d.Dataset, d.Joined, d.Description, d.Cleaning); err != nil {
			return err
		}
	}
	if *output != "" {
		fmt.Fprintf(stdout, "\ndescription and plots written to %s\n", *output)
	}
	return nil
}

// describeFiles renders describe.json and every event log's plots.
func describeFiles(descs []harness.EventsDescription) ([]reports.File, error) {
	var js bytes.Buffer
	if err := writeJSON(&js, descs); err != nil {
		return nil, err
	}
	files := []reports.File{{Name: "describe.json", Data: js.Bytes()}}
	for _, d := range descs {
		plots, err := reports.EventLogPlotFiles(d)
		if err != nil {
			return nil, fmt.Errorf("event log %s: %w", d.Dataset, err)
		}
		files = append(files, plots...)
	}
	return files, nil
}
