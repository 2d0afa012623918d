// Command evalrun runs educational data mining experiments declared in a
// TOML spec: it loads student data, builds features as of each prediction
// day, fits models on temporal splits and writes evaluated results.
//
// Usage:
//
//	evalrun run [--allow-commands] [spec.toml]   run a spec (the demo without one)
//	evalrun demo                   run the built-in demo on synthetic data
//	evalrun validate spec.toml     check a spec and its data, fit nothing
//	evalrun synth oulad -o DIR     write synthetic OULAD-shaped tables
//
// Exit status: 0 on success, 1 on any error, 2 on a usage error, 3 when a
// fairness verdict is FAIL, 4 when one is INCONCLUSIVE and the spec sets
// fairness.fail_on_inconclusive (the results are written in both cases).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/evalrun/evalrun/experiments"
	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/synth"
)

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

// exitError ends a successful run with a non-zero status: a fairness
// verdict that gates deployment (see fairness.ExitFail).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	if err != nil {
		var gate exitError
		if errors.As(err, &gate) {
			fmt.Fprintf(os.Stderr, "evalrun: %s\n", gate.msg)
			os.Exit(gate.code)
		}
		if errors.Is(err, errUsage) {
			if err != errUsage {
				fmt.Fprintf(os.Stderr, "evalrun: %v\n", err)
			}
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "evalrun: %v\n", err)
		os.Exit(1)
	}
}

const usage = `usage:
  evalrun run [--output DIR] [--allow-commands] [spec.toml]
                                           run a spec (the built-in demo without one)
  evalrun demo [--output DIR]              run the built-in demo on synthetic data
  evalrun validate spec.toml               check a spec and its data; fit nothing
  evalrun synth oulad -o DIR [--students N] [--seed S]
                                           write synthetic OULAD-shaped tables
`

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run", "demo":
		return runCmd(ctx, stdout, stderr, cmd, rest, args)
	case "validate":
		return validateCmd(stdout, stderr, rest)
	case "synth":
		return synthCmd(stdout, stderr, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "evalrun: unknown command %q\n%s", cmd, usage)
	return errUsage
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("evalrun "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func loadSpec(cmd string, args []string) (*harness.Spec, error) {
	switch {
	case len(args) > 1:
		return nil, fmt.Errorf("%w: %s takes one spec file, got %d arguments", errUsage, cmd, len(args))
	case len(args) == 1 && cmd != "demo":
		return harness.LoadSpecFile(args[0])
	case len(args) == 1:
		return nil, fmt.Errorf("%w: demo takes no spec file", errUsage)
	}
	b, err := experiments.Spec(experiments.DemoName)
	if err != nil {
		return nil, err
	}
	return harness.ParseSpec("<built-in>/"+experiments.DemoName+".toml", ".", b)
}

func runCmd(ctx context.Context, stdout, stderr io.Writer, cmd string, args, all []string) error {
	fs := newFlagSet(cmd, stderr)
	output := fs.String("output", "", "run directory (default: the spec's experiment.output)")
	allowCommands := fs.Bool("allow-commands", false, "let the spec's command models run programs")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec, err := loadSpec(cmd, fs.Args())
	if err != nil {
		return err
	}
	out, err := harness.Run(ctx, spec, harness.RunOptions{Output: *output, AllowCommands: *allowCommands, CommandLine: append([]string{"evalrun"}, all...)})
	if err != nil {
		return err
	}
	if err := reports.WriteTerminal(stdout, out.Results); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nresults written to %s\n", out.Dir)
	if out.ExitCode != 0 {
		return exitError{code: out.ExitCode, msg: fmt.Sprintf("fairness audit status %s: exiting with status %d", out.Results.FairnessStatus, out.ExitCode)}
	}
	return nil
}

func validateCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("validate", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: validate takes one spec file", errUsage)
	}
	spec, err := harness.LoadSpecFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := harness.Validate(spec); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", fs.Arg(0))
	return nil
}

func synthCmd(stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 || args[0] != "oulad" {
		return fmt.Errorf("%w: synth needs a kind of data: evalrun synth oulad -o DIR", errUsage)
	}
	fs := newFlagSet("synth oulad", stderr)
	dir := fs.String("o", "", "output directory (required)")
	students := fs.Int("students", 0, "number of students (default: the demo size; 32593 for the full-size benchmark)")
	seed := fs.Uint64("seed", 20261122, "random seed")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: evalrun synth oulad -o DIR [--students N] [--seed S]", errUsage)
	}
	if *students < 0 {
		return fmt.Errorf("%w: --students must be positive", errUsage)
	}
	sum, err := synth.WriteOULAD(*dir, synth.OULADConfig{Students: *students, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d students in %d presentations to %s\n", sum.Students, len(sum.Presentations), *dir)
	return nil
}
