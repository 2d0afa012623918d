// Command evalrun runs educational data mining experiments declared in a
// TOML spec: it loads student data, builds features as of each prediction
// day, fits models on temporal splits and writes evaluated results.
//
// Usage (evalrun help, or evalrun COMMAND --help for one command's flags;
// evalrun --version names the build):
//
//	evalrun run [--allow-commands] [spec.toml]   run a spec (the demo without one)
//	evalrun demo                   run the built-in demo on synthetic data
//	evalrun validate spec.toml     check a spec and its data, fit nothing
//	evalrun synth oulad -o DIR     write synthetic OULAD-shaped tables
//	evalrun describe spec.toml     descriptive analytics of the spec's event logs
//	evalrun discover spec.toml     the spec's [[analyses]] only (archetypes, sequences, rules, networks)
//	evalrun audit scores.csv ...   fairness audit of any scored CSV (no spec)
//	evalrun abtest spec.toml       analyse intervention pilots ([[abtests]])
//	evalrun abtest lock spec.toml  pre-register the pilots' analysis plans
//	evalrun power ...              sample size, power or minimum detectable effect
//	evalrun assign roster.csv ...  reproducible randomization of a pilot
//	evalrun costbenefit ...        cost per DFW outcome prevented at a capacity
//	evalrun train spec.toml ...    fit one model for deployment and write its bundle
//	evalrun score BUNDLE ...       score current students with a bundle
//	evalrun monitor BUNDLE ...     record one term of a deployed model (drift, performance, alerts)
//
// Exit status: 0 on success, 1 on any error, 2 on a usage error, 3 when a
// fairness verdict is FAIL, 4 when one is INCONCLUSIVE and the spec sets
// fairness.fail_on_inconclusive (the results are written in both cases);
// evalrun monitor exits 3 when the term raised an alert and 4, with
// --fail-on-watch, when it raised only watch items (the history is written
// in every case). Interrupted by SIGINT or SIGTERM, every command removes
// what it had started to write, keeps the previous output, and exits with
// 130 or 143.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/evalrun/evalrun/experiments"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/rundir"
	"github.com/evalrun/evalrun/scored"
	"github.com/evalrun/evalrun/synth"
	"golang.org/x/term"
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

// gcPercent is the garbage collector's target unless GOGC is set: the heap
// may grow to 1.5 times the live data between collections instead of
// twice, so peak memory stays near what a run holds (benchmarks/memory.sh)
// at the cost of collecting more often.
const gcPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// SIGINT and SIGTERM cancel the work, remove this run's unfinished
	// output and exit with 130 or 143 (rundir.CatchInterrupts); Stop does
	// not return once a signal was caught.
	interrupts := rundir.CatchInterrupts(context.Background(), os.Stderr)
	err := run(interrupts.Context(), os.Stdout, os.Stderr, os.Args[1:])
	interrupts.Stop()
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
  evalrun run [--output DIR] [--allow-commands] [--quiet] [--log-format text|json] [spec.toml]
                                           run a spec (the built-in demo without one); progress
                                           goes to stderr (a line every 10 s when it is not a
                                           terminal) unless --quiet
  evalrun demo [--output DIR]              run the built-in demo on synthetic data
  evalrun validate spec.toml               check a spec and its data; fit nothing
  evalrun synth oulad -o DIR [--students N] [--seed S]
                                           write synthetic OULAD-shaped tables
  evalrun discover [--output DIR] [--quiet] [--log-format text|json] spec.toml
                                           run only the spec's [[analyses]]: learner archetypes,
                                           differential sequences, class rules, forum networks
  evalrun describe [--json] [--output DIR] [--term T] spec.toml
                                           describe the spec's event logs (a spec with an event
                                           log needs no models or splits)
  evalrun audit scores.csv --label y --score p --group gender [--group ...]
        [--intersect a,b] [--reference attr=group|largest|between]
        [--threshold 0.5 | --top-fraction 0.3 | --thresholds 0.25,0.5,0.75]
        [--model M] [--cutoff D] [--split S] [--dataset D] [--where col=value] [--key student]
        [--max metric=0.05] [--band metric=0.8:1.25] [--min-group-size 30] [--json]
                                           fairness audit of any scored CSV
`

// errHelp carries the usage of a command whose help was asked for
// (-h, -help or --help): it is printed on stdout and the exit status is 0.
type errHelp struct{ text string }

func (e errHelp) Error() string { return "help requested" }

// allUsage is the usage of every command.
func allUsage() string { return usage + shardUsage + deployUsage + pilotUsage + governanceUsage }

// commandUsage returns the usage lines of command name (e.g. "validate",
// "synth oulad") from allUsage: the synopsis, its continuation lines and
// the description.
func commandUsage(name string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(allUsage(), "\n") {
		if strings.HasPrefix(line, "  evalrun ") {
			rest := strings.TrimPrefix(line, "  evalrun ")
			in = rest == name || strings.HasPrefix(rest, name+" ")
		}
		if in && line != "" {
			b.WriteString(line + "\n")
		}
	}
	if b.Len() == 0 {
		return "  evalrun " + name + " [flags]\n"
	}
	return b.String()
}

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	err := dispatch(ctx, stdout, stderr, args)
	var help errHelp
	if errors.As(err, &help) {
		fmt.Fprint(stdout, help.text)
		return nil
	}
	return err
}

func dispatch(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, allUsage())
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run", "demo", "discover":
		return runCmd(ctx, stdout, stderr, cmd, rest, args)
	case "plan":
		return planCmd(ctx, stdout, stderr, rest)
	case "merge":
		return mergeCmd(ctx, stdout, stderr, rest, args)
	case "validate":
		return validateCmd(stdout, stderr, rest)
	case "audit":
		return auditCmd(stdout, stderr, rest)
	case "describe":
		return describeCmd(stdout, stderr, rest)
	case "abtest":
		return abtestCmd(ctx, stdout, stderr, rest)
	case "power":
		return powerCmd(stdout, stderr, rest)
	case "assign":
		return assignCmd(stdout, stderr, rest)
	case "synth":
		return synthCmd(stdout, stderr, rest)
	case "costbenefit":
		return costbenefitCmd(stdout, stderr, rest)
	case "monitor":
		return monitorCmd(ctx, stdout, stderr, rest, args)
	case "train":
		return trainCmd(ctx, stdout, stderr, rest, args)
	case "score":
		return scoreCmd(ctx, stdout, stderr, rest, args)
	case "help", "-h", "-help", "--help":
		if len(rest) == 1 && !isHelpFlag(rest[0]) && rest[0] != "help" {
			if !strings.Contains(allUsage(), "\n  evalrun "+rest[0]+" ") {
				fmt.Fprintf(stderr, "evalrun: unknown command %q\n%s", rest[0], allUsage())
				return errUsage
			}
			return errHelp{"usage:\n" + commandUsage(rest[0])}
		}
		fmt.Fprint(stdout, allUsage())
		return nil
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, harness.Version())
		return nil
	}
	fmt.Fprintf(stderr, "evalrun: unknown command %q\n%s", cmd, allUsage())
	return errUsage
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("evalrun "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), flagSetUsage(fs)) }
	return fs
}

// flagSetUsage is a command's usage lines and its flags.
func flagSetUsage(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("usage:\n" + commandUsage(strings.TrimPrefix(fs.Name(), "evalrun ")))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nflags:\n")
		out := fs.Output()
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
	return b.String()
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// parse parses flags anywhere among the arguments ("audit scores.csv
// --label y" as well as "audit --label y scores.csv"); the positional
// arguments are then fs.Args().
func parse(fs *flag.FlagSet, args []string) error {
	if parseHook != nil {
		parseHook(fs)
	}
	var positional []string
	for {
		if slices.ContainsFunc(args, isHelpFlag) {
			return errHelp{flagSetUsage(fs)}
		}
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return err
	}
	return checkFlagRanges(fs)
}

// parseHook, set by tests, sees every flag set before it parses.
var parseHook func(*flag.FlagSet)

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
	quiet := fs.Bool("quiet", false, "no progress display")
	logFormat := fs.String("log-format", "", "write structured logs to stderr: text or json")
	verbose := fs.Bool("verbose", false, "with --log-format, also log every evaluation")
	var plan, shardFlag *string
	if cmd == "run" {
		plan = fs.String("plan", "", "compute one shard of this plan directory's cells (see evalrun plan) instead of the whole run")
		shardFlag = fs.String("shard", "", "with --plan: the shard, i/N (0 <= i < N), auto/N or auto")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if cmd == "discover" && fs.NArg() != 1 {
		return fmt.Errorf("%w: discover takes one spec file", errUsage)
	}
	spec, err := loadSpec(cmd, fs.Args())
	if err != nil {
		return err
	}
	if cmd == "discover" {
		if spec, err = harness.DiscoveryOnly(spec); err != nil {
			return err
		}
	}
	opts := harness.RunOptions{Output: *output, AllowCommands: *allowCommands, CommandLine: append([]string{"evalrun"}, all...),
		Note: func(n string) { fmt.Fprintf(stderr, "evalrun: %s\n", n) }}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	switch *logFormat {
	case "":
	case "text":
		opts.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	case "json":
		opts.Log = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	default:
		return fmt.Errorf("%w: --log-format must be text or json, got %q", errUsage, *logFormat)
	}
	opts.Progress = progressFor(stderr, *quiet || *logFormat != "")
	if plan != nil && *plan != "" {
		if *output != "" {
			return fmt.Errorf("%w: --plan writes cells into the plan directory; --output is for evalrun merge (-o)", errUsage)
		}
		return runShard(ctx, stdout, spec, *plan, *shardFlag, opts)
	}
	if shardFlag != nil && *shardFlag != "" {
		return fmt.Errorf("%w: --shard needs --plan PLAN", errUsage)
	}
	out, err := harness.Run(ctx, spec, opts)
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
	if len(args) > 0 && isHelpFlag(args[0]) {
		return errHelp{"usage:\n" + commandUsage("synth")}
	}
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
	w, err := rundir.Open(*dir, rundir.Options{Kind: "synth-oulad"})
	if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	defer w.Close()
	for _, n := range w.Notes() {
		fmt.Fprintf(stderr, "evalrun: %s\n", n)
	}
	sum, err := synth.WriteOULADTo(w.Create, synth.OULADConfig{Students: *students, Seed: *seed})
	if err != nil {
		return err
	}
	if err := w.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d students in %d presentations to %s\n", sum.Students, len(sum.Presentations), *dir)
	return nil
}

// progressFor returns the progress display of a run: none when quiet
// (--quiet, or structured logs), a line rewritten in place on a terminal,
// else progressLines.
func progressFor(stderr io.Writer, quiet bool) func(done, total int, what string) {
	switch {
	case quiet:
		return nil
	case isTerminal(stderr):
		return func(done, total int, what string) {
			fmt.Fprintf(stderr, "\r\033[K[%d/%d] %s", done, total, what)
			if done == total {
				fmt.Fprint(stderr, "\r\033[K")
			}
		}
	}
	// Not a terminal (a log file, CI): whole lines, at most one per
	// progressInterval, so a long run shows it is alive.
	return progressLines(stderr, progressInterval, time.Now)
}

// progressInterval is the least time between two progress lines when
// stderr is not a terminal.
const progressInterval = 10 * time.Second

// progressLines returns a harness progress callback that writes a line
// such as "evalrun: 12/40 evaluations done (30%), 1m05s: logistic, day
// 28" to w for the first evaluation, then at most once per interval, and
// for the last one. now gives the time (time.Now outside tests).
func progressLines(w io.Writer, interval time.Duration, now func() time.Time) func(done, total int, what string) {
	start := now()
	var last time.Time
	return func(done, total int, what string) {
		t := now()
		if done != 1 && done != total && t.Sub(last) < interval {
			return
		}
		last = t
		pct := 0
		if total > 0 {
			pct = 100 * done / total
		}
		fmt.Fprintf(w, "evalrun: %d/%d evaluations done (%d%%), %s: %s\n", done, total, pct, t.Sub(start).Round(time.Second), what)
	}
}

// isTerminal reports whether w is a terminal (golang.org/x/term).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func auditCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("audit", stderr)
	label := fs.String("label", "", "0/1 outcome column (required)")
	score := fs.String("score", "", "score column (required)")
	var groups, intersects, references, maxes, bands listFlag
	fs.Var(&groups, "group", "group attribute column (repeatable, required)")
	fs.Var(&intersects, "intersect", "attributes to cross, comma-separated (repeatable)")
	fs.Var(&references, "reference", "attr=group, attr=largest or attr=between (repeatable)")
	fs.Var(&maxes, "max", "difference bound metric=max, e.g. fnr_difference=0.05 (repeatable)")
	fs.Var(&bands, "band", "ratio band metric=low:high, e.g. selection_rate_ratio=0.8:1.25 (repeatable)")
	threshold := fs.Float64("threshold", math.NaN(), "flag scores >= this value")
	sweep := fs.String("thresholds", "", "audit at each of these thresholds, comma-separated, e.g. 0.25,0.5,0.75")
	key := fs.String("key", "student", "student key column: each key must appear once among the audited rows (\"\" turns the check off)")
	model := fs.String("model", "", "keep only rows whose model column is this")
	cutoff := fs.String("cutoff", "", "keep only rows whose cutoff column is this")
	split := fs.String("split", "", "keep only rows whose split column is this")
	dataset := fs.String("dataset", "", "keep only rows whose dataset column is this")
	var wheres listFlag
	fs.Var(&wheres, "where", "column=value: keep only rows where the column holds the value (repeatable)")
	topFraction := fs.Float64("top-fraction", math.NaN(), "flag this fraction of highest scores")
	minGroup := fs.Int("min-group-size", 30, "suppress smaller groups")
	replicates := fs.Int("replicates", 1000, "bootstrap replicates (0: no intervals)")
	permutations := fs.Int("permutations", 1000, "permutations (0: no p-values)")
	seed := fs.Uint64("seed", 1, "random seed")
	adjust := fs.String("adjust", "holm", "p-value adjustment: holm, BH or none")
	point := fs.Bool("point", false, "decide verdicts on point estimates instead of intervals")
	failInconclusive := fs.Bool("fail-on-inconclusive", false, "exit 4 when a verdict is INCONCLUSIVE")
	asJSON := fs.Bool("json", false, "print the audit as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *label == "" || *score == "" || len(groups) == 0 {
		return fmt.Errorf("%w: evalrun audit scores.csv --label COL --score COL --group COL [...]", errUsage)
	}
	given := 0
	for _, set := range []bool{!math.IsNaN(*threshold), !math.IsNaN(*topFraction), *sweep != ""} {
		if set {
			given++
		}
	}
	if given > 1 {
		return fmt.Errorf("%w: give one of --threshold, --top-fraction and --thresholds", errUsage)
	}
	var thresholds []float64
	if *sweep != "" {
		for _, f := range strings.Split(*sweep, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return fmt.Errorf("%w: --thresholds %q: %q is not a number", errUsage, *sweep, f)
			}
			thresholds = append(thresholds, v)
		}
		if err := scored.CheckThresholds(thresholds); err != nil {
			return fmt.Errorf("%w: --thresholds: %v", errUsage, err)
		}
	}
	cols := scored.Columns{Label: *label, Score: *score, Groups: groups, Key: *key}
	keySet := false
	fs.Visit(func(f *flag.Flag) { keySet = keySet || f.Name == "key" })
	cols.KeyOptional = !keySet
	for _, f := range []struct{ column, value string }{{"dataset", *dataset}, {"model", *model}, {"cutoff", *cutoff}, {"split", *split}} {
		if f.value != "" {
			cols.Filters = append(cols.Filters, scored.Filter{Column: f.column, Value: f.value})
		}
	}
	for _, w := range wheres {
		c, v, ok := strings.Cut(w, "=")
		if !ok || c == "" {
			return fmt.Errorf("%w: --where %q: want column=value", errUsage, w)
		}
		cols.Filters = append(cols.Filters, scored.Filter{Column: c, Value: v})
	}
	policy := metrics.ThresholdPolicy{Kind: metrics.PolicyValue, Value: 0.5}
	if !math.IsNaN(*threshold) {
		policy.Value = *threshold
	}
	if !math.IsNaN(*topFraction) {
		policy = metrics.ThresholdPolicy{Kind: metrics.PolicyTopFraction, Fraction: *topFraction}
	}
	if err := policy.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	opts := fairness.DefaultAuditOptions()
	opts.MinGroupSize, opts.BootstrapReplicates, opts.Permutations, opts.Seed = *minGroup, *replicates, *permutations, *seed
	opts.PValueAdjustment = fairness.Adjustment(*adjust)
	if *point {
		opts.VerdictRule = fairness.RulePoint
	}
	for _, x := range intersects {
		opts.Intersections = append(opts.Intersections, fairness.Intersection{Attributes: strings.Split(x, ",")})
	}
	opts.References = map[string]fairness.Reference{}
	for _, r := range references {
		attr, ref, ok := strings.Cut(r, "=")
		if !ok {
			return fmt.Errorf("%w: --reference %q: want attr=group", errUsage, r)
		}
		switch ref {
		case "largest":
			opts.References[attr] = fairness.Reference{Mode: fairness.ReferenceLargest}
		case "between":
			opts.References[attr] = fairness.Reference{Mode: fairness.ReferenceBetween}
		default:
			opts.References[attr] = fairness.Reference{Mode: fairness.ReferenceGroup, Group: ref}
		}
	}
	for _, m := range maxes {
		metric, v, ok := strings.Cut(m, "=")
		bound, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || bound < 0 {
			return fmt.Errorf("%w: --max %q: want metric=bound, e.g. fnr_difference=0.05", errUsage, m)
		}
		opts.Thresholds = append(opts.Thresholds, fairness.GapThreshold{Metric: metric, Max: bound})
	}
	for _, b := range bands {
		metric, v, ok := strings.Cut(b, "=")
		lo, hi, ok2 := strings.Cut(v, ":")
		low, err1 := strconv.ParseFloat(lo, 64)
		high, err2 := strconv.ParseFloat(hi, 64)
		if !ok || !ok2 || err1 != nil || err2 != nil || !(low > 0 && low <= 1 && high >= 1) {
			return fmt.Errorf("%w: --band %q: want metric=low:high around 1, e.g. selection_rate_ratio=0.8:1.25", errUsage, b)
		}
		opts.Thresholds = append(opts.Thresholds, fairness.GapThreshold{Metric: metric, Low: low, High: high})
	}
	table, err := scored.ReadWith(fs.Arg(0), cols)
	if err != nil {
		return err
	}
	if thresholds != nil {
		return auditSweep(stdout, table, thresholds, opts, *asJSON, *failInconclusive)
	}
	res, err := scored.Audit(table, policy, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else if err := reports.WriteAudit(stdout, &res); err != nil {
		return err
	}
	if code := res.Status.ExitCode(*failInconclusive); code != 0 {
		return exitError{code: code, msg: fmt.Sprintf("fairness audit status %s: exiting with status %d", res.Status, code)}
	}
	return nil
}

// auditSweep runs and prints the audit at each threshold; the exit status
// follows the worst audit.
func auditSweep(stdout io.Writer, table *scored.Table, thresholds []float64, opts fairness.AuditOptions, asJSON, failInconclusive bool) error {
	sw, err := scored.AuditSweep(table, thresholds, opts)
	if err != nil {
		return err
	}
	if asJSON {
		b, err := json.MarshalIndent(sw, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else if err := reports.WriteAuditSweep(stdout, sw.Audits, sw.Status); err != nil {
		return err
	}
	if code := sw.Status.ExitCode(failInconclusive); code != 0 {
		return exitError{code: code, msg: fmt.Sprintf("fairness audit status %s (worst over %d thresholds): exiting with status %d", sw.Status, len(thresholds), code)}
	}
	return nil
}
