package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/costbenefit"
	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/rundir"
)

const costbenefitUsage = `  evalrun costbenefit --run DIR --pilot FILE|DIR --capacity N --cost-per-contact C
        [--fixed-cost F] [--students-per-term S] [--capacities 50,100,...] [--model M --split S
        --cutoff D --dataset NAME] [--pilot-name P --outcome O --arm A] [--replicates 2000]
        [--level 0.95] [--seed 1] [--currency $] [-o DIR] [--json]
                                           cost per DFW outcome prevented by contacting the top N
  evalrun costbenefit --spec spec.toml --run DIR [--pilot FILE|DIR] [-o DIR] [--json]
                                           the same with the settings of the spec's [costbenefit]
`

// costbenefitCmd is `evalrun costbenefit`: the predictions of an evaluated
// model and a pilot's effect give the outcomes prevented and their cost at
// each capacity (package costbenefit).
func costbenefitCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("costbenefit", stderr)
	runDir := fs.String("run", "", "run directory with predictions.csv (required)")
	pilotPath := fs.String("pilot", "", "pilot results: `evalrun abtest --json` output, a results.json or its run directory (required)")
	var sel costbenefit.Selector
	fs.StringVar(&sel.Model, "model", "", "model of the run (when it has several)")
	fs.StringVar(&sel.Split, "split", "", "split of the run")
	fs.StringVar(&sel.Cutoff, "cutoff", "", "cutoff day of the run")
	fs.StringVar(&sel.Dataset, "dataset", "", "dataset of the run")
	pilotName := fs.String("pilot-name", "", "pilot (when the results hold several)")
	outcome := fs.String("outcome", "", "binary outcome of the pilot (default: the primary)")
	arm := fs.String("arm", "", "treatment arm of the pilot (default: the first)")
	capacity := fs.Int("capacity", 0, "students advisors contact per term (required)")
	costPer := fs.Float64("cost-per-contact", 0, "cost of one contact")
	fixed := fs.Float64("fixed-cost", 0, "fixed cost of the programme per term")
	perTerm := fs.Int("students-per-term", 0, "students scored per term (default: test rows per test term)")
	capsFlag := fs.String("capacities", "", "capacities of the sensitivity table, comma-separated")
	replicates := fs.Int("replicates", 2000, "Monte Carlo replicates of the intervals")
	level := fs.Float64("level", 0.95, "interval level")
	seed := fs.Uint64("seed", 1, "random seed")
	currency := fs.String("currency", "$", "currency symbol of the costs")
	out := fs.String("o", "", "directory to write costbenefit.json, costbenefit.csv and costbenefit.svg")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	specPath := fs.String("spec", "", "take the settings from this spec's [costbenefit] table (and the pilot from its [[abtests]] unless --pilot)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *specPath != "" {
		var settings []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "spec", "run", "pilot", "o", "json":
			default:
				settings = append(settings, "--"+f.Name)
			}
		})
		if len(settings) > 0 {
			return fmt.Errorf("%w: --spec takes the settings from [costbenefit]; drop %s", errUsage, strings.Join(settings, ", "))
		}
		if fs.NArg() > 0 || *runDir == "" {
			return fmt.Errorf("%w: evalrun costbenefit --spec spec.toml --run DIR [--pilot FILE] [-o DIR]", errUsage)
		}
	} else if fs.NArg() > 0 || *runDir == "" || *pilotPath == "" || *capacity == 0 {
		return fmt.Errorf("%w: evalrun costbenefit --run DIR --pilot FILE --capacity N --cost-per-contact C [...]", errUsage)
	}
	var w *rundir.Writer
	if *out != "" {
		// Claim the directory before computing: a refused output costs nothing.
		var err error
		if w, err = rundir.Open(*out, rundir.Options{Kind: "costbenefit"}); err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		defer w.Close()
		for _, n := range w.Notes() {
			fmt.Fprintf(stderr, "evalrun: %s\n", n)
		}
	}
	var in costbenefit.Inputs
	var err error
	if *specPath != "" {
		spec, err := harness.LoadSpecFile(*specPath)
		if err != nil {
			return err
		}
		var pilots []*pilot.Result
		if *pilotPath != "" {
			if pilots, err = costbenefit.ReadPilots(*pilotPath); err != nil {
				return err
			}
		}
		if in, _, err = harness.CostBenefitRequest(spec, *runDir, pilots); err != nil {
			return err
		}
	} else if in, err = costbenefitFlags(*runDir, *pilotPath, sel, *pilotName, *outcome, *arm, *capsFlag); err != nil {
		return err
	} else {
		in.StudentsPerTerm, in.Capacity, in.CostPerContact, in.FixedCost = *perTerm, *capacity, *costPer, *fixed
		in.Replicates, in.Level, in.Seed, in.Currency = *replicates, *level, *seed, *currency
	}
	res, err := costbenefit.Analyze(in)
	if err != nil {
		return err
	}
	if w != nil {
		if err := writeCostBenefit(w, res); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	if err := reports.WriteCostBenefit(stdout, res); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(stdout, "\nwritten to %s\n", *out)
	}
	return nil
}

// costbenefitFlags reads the predictions and the pilot effect the flags
// name.
func costbenefitFlags(runDir, pilotPath string, sel costbenefit.Selector, pilotName, outcome, arm, capsFlag string) (costbenefit.Inputs, error) {
	var caps []int
	if capsFlag != "" {
		for _, f := range strings.Split(capsFlag, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || c < 1 {
				return costbenefit.Inputs{}, fmt.Errorf("%w: --capacities: %q is not a positive integer", errUsage, f)
			}
			caps = append(caps, c)
		}
	}
	preds, err := costbenefit.ReadPredictions(runDir, sel)
	if err != nil {
		return costbenefit.Inputs{}, err
	}
	pilots, err := costbenefit.ReadPilots(pilotPath)
	if err != nil {
		return costbenefit.Inputs{}, err
	}
	effect, err := costbenefit.EffectFrom(pilots, pilotName, outcome, arm)
	if err != nil {
		return costbenefit.Inputs{}, err
	}
	return costbenefit.Inputs{Scores: preds.Scores, Labels: preds.Labels, Terms: preds.Terms, Effect: effect, Capacities: caps, Model: preds.Model}, nil
}

// writeCostBenefit writes the result's JSON, sensitivity CSV and plot
// through w (package rundir: the directory appears complete or not at all,
// and replaces only a directory evalrun wrote).
func writeCostBenefit(w *rundir.Writer, res *costbenefit.Result) error {
	svg, err := reports.CostBenefitSVG(res)
	if err != nil {
		return err
	}
	var js, table bytes.Buffer
	if err := writeJSON(&js, res); err != nil {
		return err
	}
	if err := costBenefitCSV(&table, res); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"costbenefit.json", js.Bytes()}, {"costbenefit.csv", table.Bytes()}, {"costbenefit.svg", svg}} {
		if err := w.WriteFile(f.name, f.data); err != nil {
			return err
		}
	}
	return w.Commit()
}

func costBenefitCSV(w io.Writer, r *costbenefit.Result) error {
	cw := csv.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	cw.Write([]string{"capacity", "test_k", "precision", "precision_lower", "precision_upper", "reached_at_risk", "reached_lower", "reached_upper",
		"prevented", "prevented_lower", "prevented_upper", "cost_per_term", "cost_per_outcome", "cost_per_outcome_lower", "cost_per_outcome_upper"})
	for _, row := range r.Rows {
		cw.Write([]string{strconv.Itoa(row.Capacity), strconv.Itoa(row.TestK), f(row.Precision.Value), f(row.Precision.Lower), f(row.Precision.Upper),
			f(row.ReachedAtRisk.Value), f(row.ReachedAtRisk.Lower), f(row.ReachedAtRisk.Upper), f(row.Prevented.Value), f(row.Prevented.Lower), f(row.Prevented.Upper),
			f(row.Cost), f(row.CostPerOutcome.Value), f(row.CostPerOutcome.Lower), f(row.CostPerOutcome.Upper)})
	}
	cw.Flush()
	return cw.Error()
}

// governanceUsage lists the governance commands for the usage text.
const governanceUsage = costbenefitUsage + monitorUsage
