package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/harness"
)

const deployUsage = `  evalrun train spec.toml [--model NAME] [--cutoff DAY] [--split NAME] -o BUNDLE
                                           fit one model for deployment; write its bundle
  evalrun score BUNDLE (--spec spec.toml | --data PATH) [--term T] [--as-of-day DAY]
        [--previous DIR] [--rise 0.1] [--xapi [--xapi-home-page URL] [--xapi-activity-base URL]]
        [--ids-file FILE] -o DIR
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

// Get returns the day (0 when not given), so that its range is checked.
func (o *optionalInt) Get() any {
	if o.v == nil {
		return 0
	}
	return *o.v
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

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func scoreCmd(ctx context.Context, stdout, stderr io.Writer, args, all []string) error {
	fs := newFlagSet("score", stderr)
	specPath := fs.String("spec", "", "load the current students through this spec's dataset")
	data := fs.String("data", "", "a CSV student table or OULAD directory, read with the bundle's dataset definition")
	var terms stringList
	fs.Var(&terms, "term", "score the students of this term (repeatable or comma-separated; default: the terms with students whose outcome is not known yet)")
	var asOf optionalInt
	fs.Var(&asOf, "as-of-day", "the day the data is built as of; must equal the bundle's cutoff day")
	previous := fs.String("previous", "", "last week's scoring directory: changes of risk and alerts")
	rise := fs.Float64("rise", 0, "rise of risk since --previous that raises an alert (default: deploy.alert_rise or 0.1)")
	xapi := fs.Bool("xapi", false, "also write alerts.jsonl, one xAPI statement per alert (needs the two URLs below)")
	homePage := fs.String("xapi-home-page", "", "with --xapi: the actors' account homePage, an http(s) URL of your institution's system (default: deploy.xapi_home_page)")
	activityBase := fs.String("xapi-activity-base", "", "with --xapi: the http(s) URL the course activity ids go under, <URL>/<course>/<term> (default: deploy.xapi_activity_base)")
	idsFile := fs.String("ids-file", "", "write real student identifiers beside their pseudonyms to this new file (mode 0600)")
	var output string
	fs.StringVar(&output, "o", "", "scoring directory")
	fs.StringVar(&output, "output", "", "scoring directory (same as -o)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(fs.Args()) != 1 {
		return fmt.Errorf("%w: score takes one bundle directory, got %d arguments", errUsage, len(fs.Args()))
	}
	if output == "" {
		return fmt.Errorf("%w: score needs -o DIR, the directory to write", errUsage)
	}
	if (*specPath == "") == (*data == "") {
		return fmt.Errorf("%w: score needs exactly one of --spec spec.toml and --data PATH", errUsage)
	}
	opts := harness.ScoreOptions{Bundle: fs.Args()[0], Data: *data, Terms: terms, AsOfDay: asOf.v, Output: output,
		Previous: *previous, XAPI: *xapi, IDsFile: *idsFile, CommandLine: append([]string{"evalrun"}, all...)}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "rise":
			opts.Rise = rise
		case "xapi-home-page":
			opts.XAPIHomePage = homePage
		case "xapi-activity-base":
			opts.XAPIActivityBase = activityBase
		}
	})
	if !*xapi && (opts.XAPIHomePage != nil || opts.XAPIActivityBase != nil) {
		return fmt.Errorf("%w: --xapi-home-page and --xapi-activity-base are used only with --xapi", errUsage)
	}
	if *specPath != "" {
		spec, err := harness.LoadSpecFile(*specPath)
		if err != nil {
			return err
		}
		opts.Spec = spec
	}
	out, err := harness.Score(ctx, opts)
	if err != nil {
		return err
	}
	for _, n := range out.Notes {
		fmt.Fprintf(stderr, "evalrun: %s\n", n)
	}
	sc := out.Scoring
	for _, w := range sc.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "scored %d students of %s with %s: %d flagged, %d alerts\n",
		sc.Students, strings.Join(sc.Terms, ", "), sc.Bundle.Model, sc.Flagged, sc.Alerts)
	fmt.Fprintf(stdout, "students with a value outside the training range: %d; with a category the training data never showed: %d; with a missing input (filled in): %d\n",
		sc.StudentsOutOfRange, sc.StudentsUnseen, sc.StudentsMissing)
	if p := sc.Previous; p != nil {
		fmt.Fprintf(stdout, "since %s: %d newly flagged, %d risen by more than %g, %d no longer flagged\n", p.Dir, p.NewlyFlagged, p.Risen, p.Rise, p.NoLongerFlagged)
	}
	fmt.Fprintf(stdout, "wrote %s (report.html, risk_list.csv, alerts.csv)\n", out.Dir)
	return nil
}
