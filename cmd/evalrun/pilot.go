package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/evalrun/evalrun/harness"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/rundir"
)

// Usage lines of the pilot commands, for the lead to add to usage.
const pilotUsage = `  evalrun abtest [--name PILOT] [--json] spec.toml
                                           analyse the spec's [[abtests]] pilots
  evalrun abtest lock [--name PILOT] [--force] spec.toml -o plan.lock.json
                                           pre-register the pilots' analysis plans
  evalrun power --p1 0.3 --reduction 0.15 [--alpha 0.05] [--power 0.8] [--icc 0.02
        --cluster-size 25] [--ratio 1] [--n N] | --sd S [--mean-diff D] | --spec spec.toml
                                           sample size, power or minimum detectable effect
  evalrun assign roster.csv --spec spec.toml [--previous assignments.csv] -o assignments.csv
                                           reproducible randomization with a balance table
`

// loadPilots reads a spec with harness.LoadSpecFile (every problem named
// with its line) and returns its [[abtests]] pilots and the directory their
// data paths resolve against.
func loadPilots(path string) ([]pilot.Spec, string, error) {
	var probe map[string]any
	if _, err := toml.DecodeFile(path, &probe); err == nil && probe["abtests"] == nil {
		return nil, "", fmt.Errorf("%s: no [[abtests]] table: declare the pilot to analyse", path)
	}
	s, err := harness.LoadSpecFile(path)
	if err != nil {
		return nil, "", err
	}
	return s.Abtests, s.Dir, nil
}

// selectPilot returns the pilot named name, or the only one when name is
// empty.
func selectPilot(specs []pilot.Spec, name, path string) (pilot.Spec, error) {
	var names []string
	for _, s := range specs {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	if name == "" && len(specs) == 1 {
		return specs[0], nil
	}
	if name == "" {
		return pilot.Spec{}, fmt.Errorf("%w: %s declares %d pilots (%s): choose one with --name", errUsage, path, len(specs), strings.Join(names, ", "))
	}
	return pilot.Spec{}, fmt.Errorf("%w: %s has no pilot %q (have: %s)", errUsage, path, name, strings.Join(names, ", "))
}

// abtestCmd is `evalrun abtest spec.toml`: it analyses every pilot of the
// spec (or the one --name selects) and prints the reports, or the results
// as a JSON array with --json.
func abtestCmd(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 && args[0] == "lock" {
		return abtestLockCmd(stdout, stderr, args[1:])
	}
	fs := newFlagSet("abtest", stderr)
	name := fs.String("name", "", "analyse only the pilot with this name")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: evalrun abtest [--name PILOT] [--json] spec.toml", errUsage)
	}
	specs, dir, err := loadPilots(fs.Arg(0))
	if err != nil {
		return err
	}
	if *name != "" {
		s, err := selectPilot(specs, *name, fs.Arg(0))
		if err != nil {
			return err
		}
		specs = []pilot.Spec{s}
	}
	var results []*pilot.Result
	for _, s := range specs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := pilot.Run(s, dir)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if *asJSON {
		return writeJSON(stdout, results)
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := reports.WritePilot(stdout, r); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// powerCmd is `evalrun power`: sample size, power or minimum detectable
// effect from flags or from a spec's [abtests.design].
func powerCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("power", stderr)
	p1 := fs.Float64("p1", 0, "control-arm (baseline) event rate, e.g. 0.3")
	p2 := fs.Float64("p2", 0, "treatment-arm event rate")
	reduction := fs.Float64("reduction", 0, "relative reduction of the rate, e.g. 0.15 (treatment rate = p1 × (1 − reduction))")
	meanDiff := fs.Float64("mean-diff", 0, "difference in means (treatment − control)")
	sd := fs.Float64("sd", 0, "within-arm standard deviation (means)")
	alpha := fs.Float64("alpha", 0.05, "two-sided significance level")
	power := fs.Float64("power", 0.8, "target power")
	icc := fs.Float64("icc", 0, "intra-cluster correlation (cluster randomization)")
	clusterSize := fs.Float64("cluster-size", 0, "mean units per cluster (cluster randomization)")
	ratio := fs.Float64("ratio", 1, "treatment units per control unit")
	n := fs.Float64("n", 0, "control-arm size in units: compute power and the minimum detectable effect at it")
	specPath := fs.String("spec", "", "take the design from this spec's [abtests.design]")
	name := fs.String("name", "", "with --spec: the pilot to use")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: power takes no positional arguments, got %q", errUsage, fs.Args())
	}
	var req pilot.PowerRequest
	if *specPath != "" {
		var designFlags []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "spec" && f.Name != "name" && f.Name != "json" {
				designFlags = append(designFlags, "--"+f.Name)
			}
		})
		if len(designFlags) > 0 {
			return fmt.Errorf("%w: --spec takes the design from the spec; drop %s", errUsage, strings.Join(designFlags, ", "))
		}
		specs, _, err := loadPilots(*specPath)
		if err != nil {
			return err
		}
		s, err := selectPilot(specs, *name, *specPath)
		if err != nil {
			return err
		}
		if req, err = pilot.DesignRequest(s); err != nil {
			return err
		}
	} else {
		for _, v := range []struct {
			flag string
			val  float64
		}{{"p1", *p1}, {"p2", *p2}, {"reduction", *reduction}, {"mean-diff", *meanDiff}, {"sd", *sd}, {"alpha", *alpha},
			{"power", *power}, {"icc", *icc}, {"cluster-size", *clusterSize}, {"ratio", *ratio}, {"n", *n}} {
			if math.IsNaN(v.val) || math.IsInf(v.val, 0) {
				return fmt.Errorf("%w: --%s must be a finite number", errUsage, v.flag)
			}
		}
		if *p1 == 0 && *sd == 0 {
			return fmt.Errorf("%w: give --p1 (proportions: --p1 0.3 --reduction 0.15) or --sd (means: --sd 1 --mean-diff 0.3), or --spec", errUsage)
		}
		req = pilot.PowerRequest{ControlRate: *p1, TreatmentRate: *p2, RelativeReduction: *reduction, MeanDifference: *meanDiff, SD: *sd,
			Alpha: *alpha, Power: *power, ICC: *icc, ClusterSize: *clusterSize, Ratio: *ratio, N: *n}
	}
	out, err := pilot.Power(req)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	return reports.WritePower(stdout, &out)
}

// assignCmd is `evalrun assign roster.csv --spec spec.toml -o out.csv`: it
// randomizes the roster, writes the assignment CSV atomically (a temporary
// file in the output's directory renamed into place) and prints the counts
// and the balance table.
func assignCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("assign", stderr)
	specPath := fs.String("spec", "", "spec with the pilot's [abtests.assignment] (required)")
	name := fs.String("name", "", "the pilot to assign (when the spec has several)")
	previous := fs.String("previous", "", "assignments written earlier: kept unchanged, only new units are randomized")
	output := fs.String("o", "", "assignment CSV to write (required)")
	asJSON := fs.Bool("json", false, "print the assignment summary as JSON instead of tables")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *specPath == "" || *output == "" {
		return fmt.Errorf("%w: evalrun assign roster.csv --spec spec.toml [--previous assignments.csv] -o assignments.csv", errUsage)
	}
	if err := checkAssignOutput(*output, *previous); err != nil {
		return err
	}
	specs, _, err := loadPilots(*specPath)
	if err != nil {
		return err
	}
	s, err := selectPilot(specs, *name, *specPath)
	if err != nil {
		return err
	}
	out, err := pilot.Assign(fs.Arg(0), s, *previous)
	if err != nil {
		return err
	}
	if err := rundir.WriteFileAtomic(*output, out.WriteCSV); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	if err := reports.WriteAssignment(stdout, &out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nassignments written to %s\n", *output)
	return nil
}

// checkAssignOutput refuses, before any work, an -o that would replace a
// file evalrun cannot prove it wrote: an existing file is replaced only
// when it is the --previous assignments, whose every row the new file
// keeps unchanged.
func checkAssignOutput(output, previous string) error {
	st, err := os.Lstat(output)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("-o %s: %w", output, err)
	}
	if previous != "" && st.Mode().IsRegular() {
		if pst, err := os.Stat(previous); err == nil && os.SameFile(st, pst) {
			return nil
		}
	}
	return fmt.Errorf("-o %s: exists: evalrun replaces an assignment file only when it is the --previous one (whose assignments it keeps); move it away or choose another name", output)
}

// abtestLockCmd is `evalrun abtest lock spec.toml -o plan.lock.json`: it
// fixes the analysis plan of every pilot (or the one --name selects) with
// its hash and time, refusing when outcome columns already hold values
// unless --force (the lock then says so). An existing lock is never
// replaced.
func abtestLockCmd(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("abtest lock", stderr)
	name := fs.String("name", "", "lock only the pilot with this name")
	output := fs.String("o", "", "lock file to write (required; must not exist)")
	force := fs.Bool("force", false, "lock even though outcome columns already hold values (recorded in the lock)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *output == "" {
		return fmt.Errorf("%w: evalrun abtest lock [--name PILOT] [--force] spec.toml -o plan.lock.json", errUsage)
	}
	if _, err := os.Lstat(*output); err == nil {
		return fmt.Errorf("%s already exists: a plan lock is never replaced; write the new lock elsewhere", *output)
	}
	specs, dir, err := loadPilots(fs.Arg(0))
	if err != nil {
		return err
	}
	if *name != "" {
		s, err := selectPilot(specs, *name, fs.Arg(0))
		if err != nil {
			return err
		}
		specs = []pilot.Spec{s}
	}
	specBytes, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	lock, err := pilot.NewLock(specs, pilot.LockOptions{SpecFile: fs.Arg(0), SpecBytes: specBytes, BaseDir: dir, Force: *force})
	if err != nil {
		return err
	}
	if err := rundir.WriteFileAtomic(*output, func(w io.Writer) error { return writeJSON(w, lock) }); err != nil {
		return err
	}
	for _, p := range lock.Pilots {
		fmt.Fprintf(stdout, "pilot %s: %s\n", p.Name, p.Statement)
	}
	fmt.Fprintf(stdout, "plan lock %s written to %s\nname it in each pilot's table (plan_lock = %q) so the analysis reports every deviation\n", lock.Hash, *output, planLockRef(fs.Arg(0), *output))
	return nil
}

// planLockRef is how a spec at specPath names the lock written to output
// in plan_lock, which is read relative to the spec's directory: output
// itself when absolute, else output relative to that directory (with
// forward slashes, as TOML specs are shared between systems).
func planLockRef(specPath, output string) string {
	if filepath.IsAbs(output) {
		return output
	}
	rel, err := filepath.Rel(filepath.Dir(specPath), output)
	if err != nil {
		return output
	}
	return filepath.ToSlash(rel)
}
