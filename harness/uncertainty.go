package harness

import (
	"fmt"
	"math"
	"sort"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

// BootstrapSpec is metrics.bootstrap.
type BootstrapSpec struct {
	// Replicates is the number of replicates (default 1000; 0 turns the
	// bootstrap off, leaving only DeLong intervals for AUC).
	Replicates *int `toml:"replicates"`
	// Scheme is "stratified" (default: resample within each class),
	// "simple", or "cluster" (resample whole clusters named by Cluster).
	Scheme string `toml:"scheme"`
	// Cluster names the cluster column for scheme = "cluster": "course"
	// (the course/module of each row) or a categorical column.
	Cluster string `toml:"cluster"`
}

// replicates returns the replicate count with its default.
func (b BootstrapSpec) replicates() int {
	if b.Replicates == nil {
		return 1000
	}
	return *b.Replicates
}

func (s *Spec) checkMetrics(ps *problems) {
	m := s.Metrics
	if m.Level <= 0 || m.Level >= 1 {
		ps.add("metrics.level", "must lie in (0, 1), got %g", m.Level)
	}
	if r := m.Bootstrap.replicates(); r < 0 {
		ps.add("metrics.bootstrap.replicates", "must be 0 (off) or positive, got %d", r)
	} else if r > 0 && r < 200 {
		ps.add("metrics.bootstrap.replicates", "%d replicates give unstable intervals; use at least 200 (1000 or more for BCa), or 0 to turn the bootstrap off", r)
	}
	switch m.Bootstrap.Scheme {
	case metrics.SchemeStratified, metrics.SchemeSimple:
		if m.Bootstrap.Cluster != "" {
			ps.add("metrics.bootstrap.cluster", "only for scheme = \"cluster\"")
		}
	case metrics.SchemeCluster:
		if m.Bootstrap.Cluster == "" {
			ps.add("metrics.bootstrap.cluster", "missing: the column whose values are the clusters, e.g. \"course\"")
		}
	default:
		ps.add("metrics.bootstrap.scheme", "must be \"stratified\", \"simple\" or \"cluster\", got %q", m.Bootstrap.Scheme)
	}
	if m.Interval != "bca" && m.Interval != "percentile" {
		ps.add("metrics.interval", "must be \"bca\" or \"percentile\", got %q", m.Interval)
	}
	if m.CalibrationBins < 1 || m.CalibrationBins > 1000 {
		ps.add("metrics.calibration_bins", "must be between 1 and 1000, got %d", m.CalibrationBins)
	}
	if m.Recalibrate != "" && m.Recalibrate != metrics.RecalibrationPlatt && m.Recalibrate != metrics.RecalibrationIsotonic {
		ps.add("metrics.recalibrate", "must be \"platt\" or \"isotonic\" (or left out), got %q", m.Recalibrate)
	}
	if m.Compare != "baseline" && m.Compare != "all" && m.Compare != "none" {
		ps.add("metrics.compare", "must be \"baseline\", \"all\" or \"none\", got %q", m.Compare)
	}
	if m.Baseline != "" {
		found := false
		for _, model := range s.Models {
			found = found || model.Name == m.Baseline
		}
		if !found {
			ps.add("metrics.baseline", "no model named %q", m.Baseline)
		}
	}
}

func (s *Spec) metricsDefaults() {
	m := &s.Metrics
	if m.Level == 0 {
		m.Level = 0.95
	}
	if m.Bootstrap.Scheme == "" {
		m.Bootstrap.Scheme = metrics.SchemeStratified
	}
	if m.Interval == "" {
		m.Interval = "bca"
	}
	if m.CalibrationBins == 0 {
		m.CalibrationBins = 10
	}
	if m.Compare == "" {
		m.Compare = "baseline"
	}
	if m.Baseline == "" && len(s.Models) > 0 {
		// The natural baseline is the base-rate model; else the first.
		m.Baseline = s.Models[0].Name
		for _, model := range s.Models {
			if model.Kind == "prior" {
				m.Baseline = model.Name
				break
			}
		}
	}
}

// rowLabels returns the values of a cluster or stratum column ("course" or
// a categorical column) for the given frame rows.
func rowLabels(f *datasets.Frame, column string, rows []int) ([]string, error) {
	var values []string
	if column == "course" {
		values = f.Courses
	} else if c, ok := f.CategoricalByName(column); ok {
		values = c.Values
	} else {
		return nil, fmt.Errorf("no column %q for clusters or strata (use \"course\" or a categorical column)", column)
	}
	out := make([]string, len(rows))
	for j, i := range rows {
		out[j] = values[i]
	}
	return out, nil
}

// addUncertainty computes the intervals, calibration and strata of one
// evaluation from its test scores.
func (e *evaluation) addUncertainty(s *Spec, trainScores []float64, probabilities bool) error {
	m := s.Metrics
	y, score := e.prep.testY, e.scores
	u := &results.Uncertainty{Level: m.Level, Interval: m.Interval}
	if iv, err := metrics.DeLongCI(y, score, m.Level); err == nil {
		u.AUCDeLong = &results.DeLongInterval{Method: "DeLong", AUCInterval: iv}
	} else {
		u.Notes = append(u.Notes, fmt.Sprintf("no DeLong interval: %v", err))
	}
	var opt *metrics.BootstrapOptions
	if reps := m.Bootstrap.replicates(); reps > 0 {
		opt = &metrics.BootstrapOptions{
			Replicates: reps, Level: m.Level, Scheme: m.Bootstrap.Scheme,
			Seed: s.Experiment.Seed, Task: "bootstrap/" + e.taskName(), Workers: 1,
		}
		if opt.Scheme == metrics.SchemeCluster {
			clusters, err := rowLabels(e.frame, m.Bootstrap.Cluster, e.prep.testKept)
			if err != nil {
				return err
			}
			opt.Clusters = clusters
		}
		boot, err := metrics.Bootstrap(y, score, e.result.Threshold, *opt)
		if err != nil {
			return err
		}
		if !probabilities {
			dropProbabilityIntervals(&boot)
		}
		u.Bootstrap = &boot
	}
	e.result.Uncertainty = u

	if probabilities {
		cal, err := metrics.Calibration(y, score, m.CalibrationBins)
		if err == nil {
			e.result.Calibration = &cal
			if reps := m.Bootstrap.replicates(); reps > 0 {
				e.result.CalibrationIntervals = calibrationIntervals(y, score, m, min(reps, calibrationReplicates), e.seed, "calibration-bootstrap/"+e.taskName())
			}
		} else {
			e.result.Notes = append(e.result.Notes, fmt.Sprintf("no calibration summary: %v", err))
		}
		if m.Recalibrate != "" {
			rec, err := recalibrate(m, e.prep.trainY, trainScores, y, score, e.result.Threshold, opt)
			if err != nil {
				// A constant-score model has no calibration map to fit.
				e.result.Notes = append(e.result.Notes, fmt.Sprintf("no %s recalibration: %v", m.Recalibrate, err))
			}
			e.result.Recalibrated = rec
		}
	}
	if m.Strata != "" {
		strata, err := rowLabels(e.frame, m.Strata, e.prep.testKept)
		if err != nil {
			return err
		}
		// Small-cell rule: a stratum of fewer than min_group_size test rows
		// is left out of every per-stratum number and of the macro averages
		// (which, with the other strata, would reveal it), and counted.
		ys, scores, kept, suppressed := largeStrata(y, score, strata, s.Privacy.MinGroupSize)
		if suppressed > 0 {
			e.result.StrataSuppressed = suppressed
			e.result.Notes = append(e.result.Notes, fmt.Sprintf("%d strata of %s with fewer than %d test rows (privacy.min_group_size) suppressed: no per-stratum numbers, left out of the macro averages", suppressed, m.Strata, s.Privacy.MinGroupSize))
		}
		if len(kept) == 0 {
			return nil
		}
		sr, err := metrics.EvaluateStrata(ys, scores, e.result.Threshold, kept)
		if err != nil {
			return fmt.Errorf("metrics per stratum: %w", err)
		}
		e.result.Strata = &sr
		e.result.StrataAUC = strataAUC(ys, scores, kept, m.Level)
	}
	return nil
}

// largeStrata returns the rows of the strata with at least minSize rows
// and how many strata were smaller.
func largeStrata(y []uint8, score []float64, strata []string, minSize int) ([]uint8, []float64, []string, int) {
	size := map[string]int{}
	for _, st := range strata {
		size[st]++
	}
	suppressed := 0
	for _, n := range size {
		if n < minSize {
			suppressed++
		}
	}
	if suppressed == 0 {
		return y, score, strata, 0
	}
	var ys []uint8
	var scores []float64
	var kept []string
	for i, st := range strata {
		if size[st] >= minSize {
			ys, scores, kept = append(ys, y[i]), append(scores, score[i]), append(kept, st)
		}
	}
	return ys, scores, kept, suppressed
}

// dropProbabilityIntervals removes Brier and log-loss intervals for scores
// that are not probabilities.
func dropProbabilityIntervals(b *metrics.BootstrapResult) {
	kept := b.Intervals[:0]
	for _, iv := range b.Intervals {
		if iv.Metric != "brier" && iv.Metric != "log_loss" {
			kept = append(kept, iv)
		}
	}
	b.Intervals = kept
}

// recalibrate fits the spec's recalibration on the training scores and
// evaluates the recalibrated test scores at the same threshold policy's
// threshold mapped through the calibration map.
// With opt, the recalibrated test metrics get the same bootstrap as the
// raw ones (its task name marked "recalibrated").
func recalibrate(m MetricsSpec, trainY []uint8, trainScores []float64, y []uint8, score []float64, threshold float64, opt *metrics.BootstrapOptions) (*results.Recalibrated, error) {
	r, err := metrics.FitRecalibration(m.Recalibrate, trainY, trainScores)
	if err != nil {
		return nil, err
	}
	cal, err := r.Apply(score)
	if err != nil {
		return nil, err
	}
	thr, err := r.Apply([]float64{threshold})
	if err != nil {
		return nil, err
	}
	rep, err := metrics.Evaluate(y, cal, thr[0])
	if err != nil {
		return nil, err
	}
	out := &results.Recalibrated{Method: r.Method(), FittedOn: "training rows", Metrics: rep}
	if c, err := metrics.Calibration(y, cal, m.CalibrationBins); err == nil {
		out.Calibration = &c
	}
	if opt != nil {
		o := *opt
		o.Task = "recalibrated/" + o.Task
		boot, err := metrics.Bootstrap(y, cal, thr[0], o)
		if err != nil {
			return nil, err
		}
		out.Bootstrap = &boot
	}
	return out, nil
}

// compareModels runs the paired comparisons of one run: for every dataset,
// cutoff and fold, each model against the baseline (or every pair), by
// DeLong's paired test and a paired bootstrap of every metric; then the
// Nadeau-Bengio corrected t-test of AUC differences across the folds of
// each rolling split. Holm's adjustment runs over every DeLong test of the
// run, and separately over every corrected t-test.
func compareModels(s *Spec, evals []*evaluation) ([]results.Comparison, []results.FoldComparison, error) {
	m := s.Metrics
	if m.Compare == "none" || len(s.Models) < 2 {
		return nil, nil, nil
	}
	type foldKey struct{ dataset, cutoff, fold string }
	byFold := map[foldKey]map[string]*evaluation{}
	var order []foldKey
	for _, e := range evals {
		k := foldKey{e.data.spec.Name, cutoffLabel(e.frame), e.fold.split}
		if byFold[k] == nil {
			byFold[k] = map[string]*evaluation{}
			order = append(order, k)
		}
		byFold[k][e.model.Name] = e
	}
	var pairs [][2]string
	for i, a := range s.Models {
		for _, b := range s.Models[i+1:] {
			switch {
			case m.Compare == "all":
				pairs = append(pairs, [2]string{a.Name, b.Name})
			case b.Name == m.Baseline:
				pairs = append(pairs, [2]string{a.Name, b.Name})
			case a.Name == m.Baseline:
				pairs = append(pairs, [2]string{b.Name, a.Name})
			}
		}
	}
	var comps []results.Comparison
	for _, k := range order {
		for _, p := range pairs {
			a, b := byFold[k][p[0]], byFold[k][p[1]]
			c := results.Comparison{Dataset: k.dataset, Cutoff: a.result.Cutoff, Split: k.fold, ModelA: p[0], ModelB: p[1]}
			if d, err := metrics.DeLongPaired(a.prep.testY, a.scores, b.scores); err == nil {
				lo, hi, _ := d.DiffInterval(m.Level)
				c.DeLong = &results.PairedDeLong{Method: "DeLong paired", PairedDeLong: d, Lower: lo, Upper: hi, Level: m.Level}
			} else {
				c.Notes = append(c.Notes, fmt.Sprintf("no DeLong test: %v", err))
			}
			if reps := m.Bootstrap.replicates(); reps > 0 {
				opt := metrics.BootstrapOptions{
					Replicates: reps, Level: m.Level, Scheme: m.Bootstrap.Scheme, Seed: s.Experiment.Seed,
					Task: fmt.Sprintf("paired-bootstrap/dataset=%s/cutoff=%s/split=%s/a=%s/b=%s", k.dataset, k.cutoff, k.fold, p[0], p[1]),
				}
				if opt.Scheme == metrics.SchemeCluster {
					clusters, err := rowLabels(a.frame, m.Bootstrap.Cluster, a.prep.testKept)
					if err != nil {
						return nil, nil, err
					}
					opt.Clusters = clusters
				}
				boot, err := metrics.PairedBootstrap(a.prep.testY, a.scores, b.scores, a.result.Threshold, b.result.Threshold, opt)
				if err != nil {
					return nil, nil, fmt.Errorf("paired bootstrap %s vs %s: %w", p[0], p[1], err)
				}
				if modelKinds[a.model.Kind].scoresNotProbabilities || modelKinds[b.model.Kind].scoresNotProbabilities {
					dropProbabilityIntervals(&boot)
				}
				c.Bootstrap = &boot
			}
			comps = append(comps, c)
		}
	}
	if err := holmDeLong(comps); err != nil {
		return nil, nil, err
	}
	folds, err := correctedFoldTests(s, evals, pairs)
	if err != nil {
		return nil, nil, err
	}
	return comps, folds, nil
}

func holmDeLong(comps []results.Comparison) error {
	var idx []int
	var p []float64
	for i, c := range comps {
		if c.DeLong != nil {
			idx = append(idx, i)
			p = append(p, c.DeLong.PValue)
		}
	}
	if len(p) == 0 {
		return nil
	}
	adj, err := metrics.HolmAdjust(p)
	if err != nil {
		return err
	}
	for j, i := range idx {
		comps[i].DeLong.PHolm = adj[j]
		comps[i].DeLong.Tests = len(p)
	}
	return nil
}

// correctedFoldTests runs the Nadeau-Bengio test of AUC differences over
// the folds of each rolling split, per dataset, cutoff and model pair.
func correctedFoldTests(s *Spec, evals []*evaluation, pairs [][2]string) ([]results.FoldComparison, error) {
	type groupKey struct{ dataset, cutoff, split string }
	type foldAUC struct {
		auc           map[string]float64
		nTrain, nTest int
	}
	groups := map[groupKey]map[string]*foldAUC{}
	var order []groupKey
	parent := map[string]string{}
	for _, sp := range s.Splits {
		if sp.Kind == "rolling" {
			for k := sp.MinTrain; k < len(sp.Terms); k++ {
				parent[sp.Name+"/"+sp.Terms[k]] = sp.Name
			}
		}
	}
	for _, e := range evals {
		split, ok := parent[e.fold.split]
		if !ok || e.result.Metrics.AUC == nil {
			continue
		}
		k := groupKey{e.data.spec.Name, cutoffLabel(e.frame), split}
		if groups[k] == nil {
			groups[k] = map[string]*foldAUC{}
			order = append(order, k)
		}
		f := groups[k][e.fold.split]
		if f == nil {
			f = &foldAUC{auc: map[string]float64{}, nTrain: e.result.Train.Rows, nTest: e.result.Test.Rows}
			groups[k][e.fold.split] = f
		}
		f.auc[e.model.Name] = *e.result.Metrics.AUC
	}
	var out []results.FoldComparison
	for _, k := range order {
		folds := make([]string, 0, len(groups[k]))
		for name := range groups[k] {
			folds = append(folds, name)
		}
		sort.Strings(folds)
		for _, p := range pairs {
			var diffs []float64
			var nTrain, nTest float64
			for _, name := range folds {
				f := groups[k][name]
				a, okA := f.auc[p[0]]
				b, okB := f.auc[p[1]]
				if okA && okB {
					diffs = append(diffs, a-b)
					nTrain += float64(f.nTrain)
					nTest += float64(f.nTest)
				}
			}
			fc := results.FoldComparison{Dataset: k.dataset, Split: k.split, ModelA: p[0], ModelB: p[1], Metric: "auc", Folds: len(diffs), Method: "Nadeau-Bengio corrected resampled t-test"}
			if k.cutoff != "none" {
				var c int
				fmt.Sscan(k.cutoff, &c)
				fc.Cutoff = &c
			}
			if len(diffs) >= 2 {
				t, err := metrics.NadeauBengio(diffs, nTrain/float64(len(diffs)), nTest/float64(len(diffs)), s.Metrics.Level)
				if err == nil {
					fc.Test = &t
				} else {
					fc.Note = err.Error()
				}
			} else {
				fc.Note = fmt.Sprintf("%d fold(s) with both models; the test needs at least 2", len(diffs))
			}
			out = append(out, fc)
		}
	}
	var idx []int
	var p []float64
	for i, fc := range out {
		if fc.Test != nil && !math.IsNaN(fc.Test.PValue) {
			idx = append(idx, i)
			p = append(p, fc.Test.PValue)
		}
	}
	if len(p) > 0 {
		adj, err := metrics.HolmAdjust(p)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			v := adj[j]
			out[i].PHolm = &v
		}
	}
	return out, nil
}

// calibrationReplicates caps the bootstrap of the calibration summaries:
// each replicate refits two logistic models.
const calibrationReplicates = 500

// calibrationIntervals returns percentile bootstrap intervals (rows
// resampled within each class, as the metrics' default bootstrap, on both
// cores with per-replicate seeds: metrics.CalibrationBootstrap) of the
// ECE, the calibration slope and calibration-in-the-large. A replicate
// where a summary is undefined (a probability of 0 or 1, separation) is
// left out of that summary's interval; an interval needs 90% of the
// replicates defined, else it is null with the reason.
func calibrationIntervals(y []uint8, p []float64, m MetricsSpec, reps int, seed uint64, task string) *results.CalibrationIntervals {
	boot, err := metrics.CalibrationBootstrap(y, p, m.CalibrationBins, reps, seed, task, 0)
	if err != nil {
		return nil
	}
	out := &results.CalibrationIntervals{Method: "percentile bootstrap, stratified by class", Replicates: reps, Level: m.Level}
	out.ECE = percentileInterval(defined(boot.ECE), reps, m.Level)
	out.Slope = percentileInterval(defined(boot.Slope), reps, m.Level)
	out.Intercept = percentileInterval(defined(boot.Intercept), reps, m.Level)
	return out
}

// defined returns the values that are not NaN.
func defined(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

// percentileInterval is the percentile interval of the defined replicate
// values, or nil when fewer than 90% of reps are defined.
func percentileInterval(v []float64, reps int, level float64) *metrics.Bounds {
	if len(v) == 0 || float64(len(v)) < 0.9*float64(reps) {
		return nil
	}
	sort.Float64s(v)
	q := func(p float64) float64 {
		h := p * float64(len(v)-1)
		lo := int(h)
		if lo+1 >= len(v) {
			return v[len(v)-1]
		}
		return v[lo] + (h-float64(lo))*(v[lo+1]-v[lo])
	}
	a := (1 - level) / 2
	return &metrics.Bounds{Lower: q(a), Upper: q(1 - a)}
}

// strataAUC returns each stratum's DeLong AUC interval, sorted by stratum;
// a stratum with one class has none (its AUC is undefined).
func strataAUC(y []uint8, score []float64, strata []string, level float64) []results.StratumAUC {
	rows := map[string][]int{}
	for i, s := range strata {
		rows[s] = append(rows[s], i)
	}
	names := make([]string, 0, len(rows))
	for s := range rows {
		names = append(names, s)
	}
	sort.Strings(names)
	var out []results.StratumAUC
	for _, name := range names {
		idx := rows[name]
		sy := make([]uint8, len(idx))
		ss := make([]float64, len(idx))
		for j, i := range idx {
			sy[j], ss[j] = y[i], score[i]
		}
		st := results.StratumAUC{Stratum: name}
		if iv, err := metrics.DeLongCI(sy, ss, level); err == nil {
			st.AUC = &results.DeLongInterval{Method: "DeLong", AUCInterval: iv}
		} else {
			st.Note = err.Error()
		}
		out = append(out, st)
	}
	return out
}
