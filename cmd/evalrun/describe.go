package main

import (
	"fmt"
	"io"
	"os"

	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/reports"
)

// describeCmd is `evalrun describe spec.toml [--json]`: descriptive
// analytics of the spec's event logs (engagement, timeline, heatmap, drops,
// students who stopped, patterns with outcome rates).
func describeCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("describe", stderr)
	asJSON := fs.Bool("json", false, "print the descriptions as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: evalrun describe [--json] spec.toml", errUsage)
	}
	spec, err := harness.LoadSpecFile(fs.Arg(0))
	if err != nil {
		return err
	}
	descs, err := harness.Describe(spec, os.Getenv)
	if err != nil {
		return err
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
	return nil
}
