package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/evalrun/evalrun/harness"
)

const monitorUsage = `  evalrun monitor BUNDLE --spec spec.toml --term T [--entry NAME] -o HISTORY [--top f1,f2]
        [--fail-on-watch] [--json]
                                           record one term of a deployed model: drift, expected and
                                           realized performance, fairness, alerts (exit 3 on an alert)
`

// monitorCmd is `evalrun monitor BUNDLE --spec spec.toml --term T -o
// HISTORY`: harness.Monitor appends the term to the history and renders
// monitor.html. Exit status follows the audit's convention: 3 when the
// term raised an alert, 4 with --fail-on-watch when it raised only watch
// items, 0 otherwise.
func monitorCmd(ctx context.Context, stdout, stderr io.Writer, args, all []string) error {
	fs := newFlagSet("monitor", stderr)
	specPath := fs.String("spec", "", "spec whose dataset loads the term (required)")
	term := fs.String("term", "", "term to record (required)")
	entry := fs.String("entry", "", "name of the entry when a term is recorded more than once, e.g. 2014J-week6 (default: the term)")
	var output string
	fs.StringVar(&output, "o", "", "history directory (required; created when missing)")
	fs.StringVar(&output, "output", "", "history directory (same as -o)")
	top := fs.String("top", "", "the model's most important features, comma-separated (default: the 3 first of the bundle's feature ranking)")
	failOnWatch := fs.Bool("fail-on-watch", false, "exit 4 when the term raised watch items but no alert")
	asJSON := fs.Bool("json", false, "print the entry as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *specPath == "" || *term == "" || output == "" {
		return fmt.Errorf("%w: evalrun monitor BUNDLE --spec spec.toml --term T -o HISTORY", errUsage)
	}
	spec, err := harness.LoadSpecFile(*specPath)
	if err != nil {
		return err
	}
	var tops []string
	if *top != "" {
		for _, t := range strings.Split(*top, ",") {
			if t = strings.TrimSpace(t); t != "" {
				tops = append(tops, t)
			}
		}
	}
	out, err := harness.Monitor(ctx, harness.MonitorOptions{Bundle: fs.Arg(0), Spec: spec, Term: *term, Entry: *entry, History: output, Top: tops,
		FailOnWatch: *failOnWatch, CommandLine: append([]string{"evalrun"}, all...)})
	if err != nil {
		return err
	}
	for _, n := range out.Notes {
		fmt.Fprintf(stderr, "evalrun: %s\n", n)
	}
	e := out.Entry
	if *asJSON {
		if err := writeJSON(stdout, e); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "term %s of %s: %s (%d students, %d flagged; %d of %d features drifted)\n", e.Term, e.Model, strings.ToUpper(e.Status), e.Rows, e.Flagged, e.Drift.Drifted, len(e.Drift.Features))
		for _, a := range e.Alerts {
			fmt.Fprintf(stdout, "  %s: %s\n", a.Severity, a.Message)
		}
		fmt.Fprintf(stdout, "history of %d terms in %s (monitor.html)\n", out.Terms, out.Dir)
	}
	if out.ExitCode != 0 {
		return exitError{code: out.ExitCode, msg: fmt.Sprintf("monitoring term %s: %s: exiting with status %d", e.Term, e.Status, out.ExitCode)}
	}
	return nil
}
