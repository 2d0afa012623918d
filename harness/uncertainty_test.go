package harness

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestUncertaintyInResults(t *testing.T) {
	s := smallSpec(t, `
[metrics]
threshold = { top_fraction = 0.3 }
bootstrap = { replicates = 300, scheme = "cluster", cluster = "course" }
baseline = "prior"
recalibrate = "platt"
strata = "course"
`)
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	for _, e := range out.Results.Evaluations {
		u := e.Uncertainty
		if u == nil || u.Bootstrap == nil || u.Bootstrap.Replicates != 300 || u.Bootstrap.Scheme != "cluster" {
			t.Fatalf("%s: uncertainty %+v, want a 300-replicate cluster bootstrap", e.Model, u)
		}
		if e.Model != "prior" {
			d := u.AUCDeLong
			if d == nil || d.Method != "DeLong" || !(d.Lower <= *e.Metrics.AUC && *e.Metrics.AUC <= d.Upper) || d.Level != 0.95 {
				t.Errorf("%s: DeLong interval %+v does not hold AUC %v", e.Model, d, *e.Metrics.AUC)
			}
		}
		auc, ok := u.Bootstrap.Interval("auc")
		if !ok || auc.Estimate == nil || math.Abs(*auc.Estimate-*e.Metrics.AUC) > 1e-12 {
			t.Errorf("%s: bootstrap AUC estimate %v, want the test AUC %v", e.Model, deref(auc.Estimate), *e.Metrics.AUC)
		}
		_, hasBrier := u.Bootstrap.Interval("brier")
		if e.Model == "missed" {
			if hasBrier || e.Calibration != nil || e.Recalibrated != nil {
				t.Errorf("rule model has probability summaries: brier interval %v, calibration %v", hasBrier, e.Calibration)
			}
		} else {
			if !hasBrier || e.Calibration == nil || len(e.Calibration.Bins) != 10 {
				t.Errorf("%s: want a Brier interval and a 10-bin calibration summary", e.Model)
			}
			if e.Model == "lr" {
				ci := e.CalibrationIntervals
				if ci == nil || ci.ECE == nil || ci.Slope == nil || ci.Intercept == nil || ci.Replicates != 300 {
					t.Fatalf("lr calibration intervals %+v: want ECE, slope and intercept intervals from 300 replicates", ci)
				}
				if !(ci.Slope.Lower <= *e.Calibration.Slope && *e.Calibration.Slope <= ci.Slope.Upper) {
					t.Errorf("slope %v outside its interval %+v", *e.Calibration.Slope, *ci.Slope)
				}
			}
			switch {
			case e.Model == "prior" && (e.Recalibrated != nil || len(e.Notes) == 0 || !strings.Contains(e.Notes[0], "no platt recalibration")):
				t.Errorf("constant-score model: recalibration %+v, notes %q; want none, with a note", e.Recalibrated, e.Notes)
			case e.Model == "lr" && (e.Recalibrated == nil || e.Recalibrated.Method != "platt" || e.Recalibrated.Metrics.AUC == nil || e.Recalibrated.Bootstrap == nil):
				t.Errorf("lr: recalibration %+v, want platt with bootstrap intervals", e.Recalibrated)
			}
		}
		if e.Strata == nil || len(e.Strata.Strata) < 2 {
			t.Errorf("%s: strata %+v, want one report per course", e.Model, e.Strata)
		} else if len(e.StrataAUC) != len(e.Strata.Strata) || (e.Model == "lr" && e.StrataAUC[0].AUC == nil) {
			t.Errorf("%s: stratum AUC intervals %+v, want one per stratum", e.Model, e.StrataAUC)
		}
	}
	// lr and missed are each compared with the prior baseline, per cutoff.
	if len(out.Results.Comparisons) != 4 {
		t.Fatalf("%d comparisons, want 2 cutoffs x 2 models against the baseline", len(out.Results.Comparisons))
	}
	for _, c := range out.Results.Comparisons {
		if c.ModelB != "prior" || c.DeLong == nil || c.Bootstrap == nil {
			t.Fatalf("comparison %+v: want DeLong and paired bootstrap against prior", c)
		}
		if c.DeLong.PHolm < c.DeLong.PValue || c.DeLong.Tests != 4 {
			t.Errorf("%s vs prior: Holm p %v below raw p %v or over %d tests", c.ModelA, c.DeLong.PHolm, c.DeLong.PValue, c.DeLong.Tests)
		}
		if c.ModelA == "lr" && c.DeLong.PValue > 1e-6 {
			t.Errorf("logistic vs base rate at cutoff %d: p = %v; the planted signal should be unmistakable", *c.Cutoff, c.DeLong.PValue)
		}
		diff, _ := c.Bootstrap.Interval("auc")
		if diff.Estimate == nil || math.Abs(*diff.Estimate-c.DeLong.Diff) > 1e-12 {
			t.Errorf("%s vs %s: paired bootstrap AUC difference %v, DeLong difference %v: want equal point estimates", c.ModelA, c.ModelB, deref(diff.Estimate), c.DeLong.Diff)
		}
	}
}

func TestFoldComparisonsOnRollingSplits(t *testing.T) {
	s := csvSpec(t, `
[[models]]
name = "prior"
kind = "prior"

[metrics]
bootstrap = { replicates = 0 }
compare = "all"
`)
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	if len(out.Results.FoldComparisons) != 1 {
		t.Fatalf("fold comparisons %+v, want one (lr vs prior over by-term)", out.Results.FoldComparisons)
	}
	fc := out.Results.FoldComparisons[0]
	if fc.Split != "by-term" || fc.Folds != 2 || fc.Test == nil || fc.PHolm == nil || fc.Test.DF != 1 {
		t.Errorf("fold comparison %+v, want a Nadeau-Bengio test over 2 folds", fc)
	}
	for _, e := range out.Results.Evaluations {
		if e.Uncertainty.Bootstrap != nil {
			t.Errorf("bootstrap ran with replicates = 0")
		}
	}
}

func TestMetricsSpecProblems(t *testing.T) {
	_, err := ParseSpec("m.toml", ".", []byte(csvSource()+`
[metrics]
level = 1.5
interval = "wald"
bootstrap = { replicates = 50, scheme = "jackknife" }
recalibrate = "beta"
baseline = "nobody"
compare = "some"
`))
	for _, want := range []string{
		"m.toml:27: metrics.level: must lie in (0, 1), got 1.5",
		`m.toml:28: metrics.interval: must be "bca" or "percentile", got "wald"`,
		"m.toml:29: metrics.bootstrap.replicates: 50 replicates give unstable intervals",
		`m.toml:29: metrics.bootstrap.scheme: must be "stratified", "simple" or "cluster", got "jackknife"`,
		`m.toml:30: metrics.recalibrate: must be "platt" or "isotonic"`,
		`m.toml:31: metrics.baseline: no model named "nobody"`,
		`m.toml:32: metrics.compare: must be "baseline", "all" or "none", got "some"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q; got:\n%v", want, err)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestStrataSmallCellsSuppressed: with strata = "major" and
// min_group_size = 12, a major with fewer than 12 students in a fold's test
// term gets no per-stratum numbers anywhere in results.json (counted in
// strata_suppressed, noted); the others keep theirs. Counts per term and
// major come from testdata/students.csv.
func TestStrataSmallCellsSuppressed(t *testing.T) {
	s := csvSpec(t, "\n[metrics]\nstrata = \"major\"\n\n[privacy]\nmin_group_size = 12\n")
	out := runTo(t, s, filepath.Join(t.TempDir(), "run"))
	// term -> major -> students (awk over testdata/students.csv)
	counts := map[string]map[string]int{
		"2022S": {"Biology": 15, "History": 23, "Math": 9, "Nursing": 13},
		"2022F": {"Biology": 17, "History": 11, "Math": 14, "Nursing": 18},
		"2023S": {"Biology": 14, "History": 12, "Math": 17, "Nursing": 17},
	}
	seen := 0
	for _, e := range out.Results.Evaluations {
		seen += e.StrataSuppressed
		term := e.Split[strings.LastIndexByte(e.Split, '/')+1:]
		want, small := []string{}, 0
		for _, major := range []string{"Biology", "History", "Math", "Nursing"} {
			if counts[term][major] >= 12 {
				want = append(want, major)
			} else {
				small++
			}
		}
		var got, gotAUC []string
		if e.Strata != nil {
			for _, st := range e.Strata.Strata {
				got = append(got, st.Stratum)
			}
		}
		for _, st := range e.StrataAUC {
			gotAUC = append(gotAUC, st.Stratum)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") || strings.Join(gotAUC, ",") != strings.Join(want, ",") {
			t.Errorf("%s %s: strata %v and AUC strata %v, want %v", e.Split, e.Model, got, gotAUC, want)
		}
		if e.StrataSuppressed != small || (small > 0 && !strings.Contains(strings.Join(e.Notes, "\n"), "fewer than 12 test rows (privacy.min_group_size) suppressed")) {
			t.Errorf("%s %s: strata_suppressed %d, notes %q; want %d with a note", e.Split, e.Model, e.StrataSuppressed, e.Notes, small)
		}
		for _, mv := range e.Strata.Macro {
			if mv.Strata > len(want) {
				t.Errorf("%s %s: macro %s averages %d strata, more than the %d reported", e.Split, e.Model, mv.Metric, mv.Strata, len(want))
			}
		}
	}
	if seen == 0 {
		t.Error("no stratum was suppressed: the test does not exercise the rule")
	}
}
