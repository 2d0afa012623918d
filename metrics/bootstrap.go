package metrics

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Bootstrap resampling schemes.
const (
	// SchemeStratified resamples rows with replacement within each class,
	// keeping the numbers of positives and negatives fixed (the default).
	SchemeStratified = "stratified"
	// SchemeSimple resamples rows with replacement from the whole sample.
	SchemeSimple = "simple"
	// SchemeCluster resamples whole clusters (courses, presentations) with
	// replacement, keeping every row of a drawn cluster: students in one
	// course are not independent.
	SchemeCluster = "cluster"
)

// ReportMetrics names the metrics of Report that Bootstrap,
// PairedBootstrap and EvaluateStrata summarize, in result order; the names
// are Report's JSON names.
var ReportMetrics = []string{
	"base_rate", "auc", "average_precision", "brier", "log_loss",
	"precision", "recall", "f1", "accuracy", "specificity", "balanced_accuracy",
}

const (
	mBaseRate = iota
	mAUC
	mAP
	mBrier
	mLogLoss
	mPrecision
	mRecall
	mF1
	mAccuracy
	mSpecificity
	mBalancedAccuracy
	nMetrics
)

// DefaultBootstrapWorkers is the number of goroutines used when
// BootstrapOptions.Workers is 0.
const DefaultBootstrapWorkers = 2

// minClustersWarning: with fewer clusters a cluster bootstrap interval is
// unreliable, and the result says so.
const minClustersWarning = 20

// BootstrapOptions configures Bootstrap and PairedBootstrap.
//
// Replicate r (0-based) draws its resample from a PCG generator seeded with
// (splitmix64(Seed ^ FNV-1a-64(Task)), splitmix64(r)), so each replicate is
// the same whatever the number of workers or GOMAXPROCS, and a run is
// reproduced exactly by the same Seed, Task, Replicates and data (in the
// same row order).
type BootstrapOptions struct {
	// Replicates is the number of bootstrap replicates, >= 1; BCa needs
	// about 1000 or more to be stable.
	Replicates int `json:"replicates"`
	// Level is the two-sided confidence level in (0, 1), e.g. 0.95.
	Level float64 `json:"level"`
	// Scheme is SchemeStratified (the default when empty), SchemeSimple or
	// SchemeCluster.
	Scheme string `json:"scheme"`
	// Clusters holds one cluster identifier per row; required for
	// SchemeCluster, and must be nil otherwise.
	Clusters []string `json:"-"`
	// Seed and Task (a stable task name such as
	// "bootstrap/split=2013-to-2014/model=gbm") seed the replicates.
	Seed uint64 `json:"seed"`
	Task string `json:"task"`
	// Workers is the number of goroutines (0 means
	// DefaultBootstrapWorkers). It never changes the result.
	Workers int `json:"-"`
}

// Bounds is a two-sided interval.
type Bounds struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// BootstrapInterval is the bootstrap distribution summary of one metric.
//
// Estimate is the metric on the full sample (nil when undefined there).
// Replicates in which the metric is undefined (no positives drawn, nothing
// flagged, ...) are left out; DefinedReplicates says how many remain, and
// the intervals are those of the remaining ones. Percentile is the
// percentile interval (quantiles by linear interpolation, numpy's default
// and R's type 7). BCa is the bias-corrected and accelerated interval
// (Efron 1987): bias z0 = Φ⁻¹((#{θ* < θ̂} + #{θ* <= θ̂}) / 2B) as in
// scipy.stats.bootstrap, acceleration from the jackknife over the
// resampling units (rows, or clusters for SchemeCluster), with the
// several-sample (stratified) form of the empirical influence values
// (Davison and Hinkley 1997) when rows are resampled within classes. An interval is nil when it cannot be computed,
// with the reason in Note. SE is the standard deviation of the defined
// replicates.
type BootstrapInterval struct {
	Metric            string   `json:"metric"`
	Estimate          *float64 `json:"estimate"`
	SE                *float64 `json:"se"`
	Percentile        *Bounds  `json:"percentile"`
	BCa               *Bounds  `json:"bca"`
	DefinedReplicates int      `json:"defined_replicates"`
	Note              string   `json:"note,omitempty"`
}

// BootstrapResult holds the intervals of every metric in ReportMetrics
// order. For PairedBootstrap each metric is the difference A - B.
type BootstrapResult struct {
	Scheme     string              `json:"scheme"`
	Replicates int                 `json:"replicates"`
	Level      float64             `json:"level"`
	Seed       uint64              `json:"seed"`
	Task       string              `json:"task"`
	Units      int                 `json:"units"` // rows, or clusters for SchemeCluster
	Threshold  float64             `json:"threshold"`
	ThresholdB *float64            `json:"threshold_b,omitempty"`
	Intervals  []BootstrapInterval `json:"intervals"`
	Warnings   []string            `json:"warnings,omitempty"`
}

// Interval returns the interval of the named metric.
func (r BootstrapResult) Interval(metric string) (BootstrapInterval, bool) {
	for _, iv := range r.Intervals {
		if iv.Metric == metric {
			return iv, true
		}
	}
	return BootstrapInterval{}, false
}

// Bootstrap returns bootstrap intervals for every metric of Report
// (ReportMetrics) of score against labels y at threshold. Scores are
// sorted once; a replicate is a vector of counts per distinct score, so a
// replicate costs O(n) draws plus O(distinct scores). Brier and log loss
// are computed only when every score is in [0, 1]. The threshold is held
// fixed across replicates: the intervals describe the sampling variability
// of the test metrics at the chosen threshold, not of choosing it (for a
// capacity policy the flagged count then varies between replicates).
// Errors: those of Evaluate, invalid options (Replicates < 1, Level outside
// (0, 1), unknown Scheme, Clusters missing or of the wrong length for
// SchemeCluster or given for another scheme).
func Bootstrap(y []uint8, score []float64, threshold float64, opt BootstrapOptions) (BootstrapResult, error) {
	s, err := newBootSample(y, [][]float64{score}, []float64{threshold}, &opt)
	if err != nil {
		return BootstrapResult{}, fmt.Errorf("bootstrap: %w", err)
	}
	res := s.run(opt, func(t *tally, out *[nMetrics]float64) { t.metrics(s, 0, out) })
	res.Threshold = threshold
	return res, nil
}

// PairedBootstrap returns bootstrap intervals for the difference A - B of
// every metric of Report between two score vectors of the same rows: each
// replicate resamples the rows once and evaluates both models on it, so
// the interval accounts for their correlation. An interval that excludes 0
// is evidence of a difference at the chosen level. Errors: those of
// Bootstrap, for either score.
func PairedBootstrap(y []uint8, scoreA, scoreB []float64, thresholdA, thresholdB float64, opt BootstrapOptions) (BootstrapResult, error) {
	s, err := newBootSample(y, [][]float64{scoreA, scoreB}, []float64{thresholdA, thresholdB}, &opt)
	if err != nil {
		return BootstrapResult{}, fmt.Errorf("paired bootstrap: %w", err)
	}
	res := s.run(opt, func(t *tally, out *[nMetrics]float64) {
		var b [nMetrics]float64
		t.metrics(s, 0, out)
		t.metrics(s, 1, &b)
		for k := range out {
			out[k] -= b[k] // NaN (undefined) in either stays NaN
		}
	})
	res.Threshold = thresholdA
	res.ThresholdB = ptr(thresholdB)
	return res, nil
}

// bootModel is one score vector prepared for resampling. Its per-row
// arrays are indexed by position in bootSample's layout, not by row.
type bootModel struct {
	groups  int
	group   []int32   // score group of each position
	slot    []int32   // each position's count in a tally (see below)
	cell    []uint8   // 2*y + flagged: 0 TN, 1 FP, 2 FN, 3 TP
	prob    bool      // every score in [0, 1]
	sqErr   []float64 // (p - y)^2 per position, when prob
	logLoss []float64 // clipped log loss per position, when prob
	g       scoreGroups
	// marks are the score groups (ascending, so by descending score) where
	// a tally's running counts are read: every group holding a positive
	// row (no resample draws a positive anywhere else), and the last
	// flagged group (groups up to flaggedMark's are exactly the groups at or
	// above the threshold). A tally counts per mark j the negatives in the
	// groups after mark j-1 and before mark j (slot 3j), in mark j's group
	// (3j+1), and the positives in mark j's group (3j+2); slot 3·len(marks)
	// counts the negatives after the last mark.
	marks       []int32
	flaggedMark int // the index in marks of the last flagged group; -1 if none is flagged
}

// bootSample is the data prepared once for all replicates. Rows are laid
// out so that every resampling unit is a contiguous range of positions:
// the strata (classes, or one stratum) for row schemes, the clusters for
// SchemeCluster; within a range, rows follow the first model's descending
// score, so a replicate's pass over positions walks the score groups in
// order.
type bootSample struct {
	scheme string
	perm   []int32 // position -> row
	y      []uint8 // label per position
	ranges []int   // unit (stratum or cluster) k spans positions ranges[k]:ranges[k+1]
	models []bootModel
}

// units returns the number of strata or clusters.
func (s *bootSample) units() int { return len(s.ranges) - 1 }

func newBootSample(y []uint8, scores [][]float64, thresholds []float64, opt *BootstrapOptions) (*bootSample, error) {
	if _, err := checkLabels(y); err != nil {
		return nil, err
	}
	for i, sc := range scores {
		if err := checkScores("scores", sc, len(y)); err != nil {
			return nil, err
		}
		if math.IsNaN(thresholds[i]) || math.IsInf(thresholds[i], 0) {
			return nil, fmt.Errorf("threshold %g is not finite: %w", thresholds[i], ErrParameter)
		}
	}
	if opt.Scheme == "" {
		opt.Scheme = SchemeStratified
	}
	if opt.Workers <= 0 {
		opt.Workers = DefaultBootstrapWorkers
	}
	if opt.Replicates < 1 {
		return nil, fmt.Errorf("%d replicates: %w", opt.Replicates, ErrParameter)
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("level %g is not in (0, 1): %w", opt.Level, ErrParameter)
	}
	// unit[i] is row i's stratum or cluster.
	unit := make([]int, len(y))
	nUnits := 1
	switch opt.Scheme {
	case SchemeStratified, SchemeSimple:
		if opt.Clusters != nil {
			return nil, fmt.Errorf("clusters given for scheme %q: %w", opt.Scheme, ErrParameter)
		}
		if opt.Scheme == SchemeStratified {
			nUnits = 2
			for i, v := range y {
				unit[i] = int(v)
			}
		}
	case SchemeCluster:
		if len(opt.Clusters) != len(y) {
			return nil, fmt.Errorf("%d cluster ids for %d rows: %w", len(opt.Clusters), len(y), ErrLength)
		}
		index := map[string]int{}
		for i, c := range opt.Clusters {
			k, ok := index[c]
			if !ok {
				k = len(index)
				index[c] = k
			}
			unit[i] = k
		}
		nUnits = len(index)
	default:
		return nil, fmt.Errorf("unknown scheme %q (want stratified, simple or cluster): %w", opt.Scheme, ErrParameter)
	}
	s := &bootSample{scheme: opt.Scheme, ranges: make([]int, nUnits+1)}
	// Layout: by unit, then by descending first score (stable).
	byScore := sortDescending(scores[0])
	for _, r := range byScore {
		s.ranges[unit[r]+1]++
	}
	for k := range nUnits {
		s.ranges[k+1] += s.ranges[k]
	}
	next := slices.Clone(s.ranges[:nUnits])
	s.perm = make([]int32, len(y))
	for _, r := range byScore {
		s.perm[next[unit[r]]] = int32(r)
		next[unit[r]]++
	}
	if opt.Scheme == SchemeStratified && (s.ranges[1] == 0 || s.ranges[2] == s.ranges[1]) {
		// A class is absent: drop its empty stratum.
		s.ranges = []int{0, len(y)}
	}
	s.y = make([]uint8, len(y))
	for p, r := range s.perm {
		s.y[p] = y[r]
	}
	for i, sc := range scores {
		s.models = append(s.models, newBootModel(y, sc, thresholds[i], s.perm))
	}
	return s, nil
}

func newBootModel(y []uint8, score []float64, threshold float64, perm []int32) bootModel {
	g := groupScores(y, score, nil)
	m := bootModel{groups: len(g.value), g: g, prob: probabilityScores(score), flaggedMark: -1}
	flagged := 0 // groups are in descending order: the flagged ones first
	for _, v := range g.value {
		if v >= threshold {
			flagged++
		}
	}
	// negSlot[k]: the slot of a negative in group k.
	negSlot := make([]int32, len(g.value))
	for k, v := range g.pos {
		negSlot[k] = 3 * int32(len(m.marks))
		if v > 0 || k == flagged-1 {
			if k == flagged-1 {
				m.flaggedMark = len(m.marks)
			}
			negSlot[k]++
			m.marks = append(m.marks, int32(k))
		}
	}
	gi := groupIndex(g, score)
	n := len(y)
	m.group = make([]int32, n)
	m.slot = make([]int32, n)
	m.cell = make([]uint8, n)
	if m.prob {
		m.sqErr = make([]float64, n)
		m.logLoss = make([]float64, n)
	}
	for p, r := range perm {
		m.group[p] = int32(gi[r])
		m.slot[p] = negSlot[gi[r]] + int32(y[r]) // a positive's group is a mark
		f := uint8(0)
		if score[r] >= threshold {
			f = 1
		}
		m.cell[p] = 2*y[r] + f
		if m.prob {
			d := score[r] - float64(y[r])
			m.sqErr[p] = d * d
			c := min(max(score[r], logLossEps), 1-logLossEps)
			if y[r] == 1 {
				m.logLoss[p] = -math.Log(c)
			} else {
				m.logLoss[p] = -math.Log(1 - c)
			}
		}
	}
	return m
}

// tally accumulates a (re)sample: row and positive counts, and per model
// the class counts per score group and the loss sums.
type tally struct {
	n, npos int
	counts  [][]int32 // per model, the rows per slot (see bootModel.marks)
	sq, ll  []float64
}

func newTally(s *bootSample) *tally {
	t := &tally{counts: make([][]int32, len(s.models)), sq: make([]float64, len(s.models)), ll: make([]float64, len(s.models))}
	for m, md := range s.models {
		t.counts[m] = make([]int32, 3*len(md.marks)+1)
	}
	return t
}

func (t *tally) reset() {
	t.n, t.npos = 0, 0
	for m := range t.counts {
		clear(t.counts[m])
		t.sq[m], t.ll[m] = 0, 0
	}
}

// addRange adds positions lo:hi, each w times (w may be negative).
func (t *tally) addRange(s *bootSample, lo, hi, w int) {
	for p := lo; p < hi; p++ {
		t.npos += w * int(s.y[p])
	}
	t.n += w * (hi - lo)
	for m := range s.models {
		md := &s.models[m]
		counts := t.counts[m]
		for _, k := range md.slot[lo:hi] {
			counts[k] += int32(w)
		}
		if md.prob {
			var sq, ll float64
			for p := lo; p < hi; p++ {
				sq += md.sqErr[p]
				ll += md.logLoss[p]
			}
			t.sq[m] += float64(w) * sq
			t.ll[m] += float64(w) * ll
		}
	}
}

// addWeighted adds position p mult[p] times, for every p. The loops are
// branch-free (a zero weight adds zero): about a third of the weights of a
// bootstrap resample are zero, at random, and a branch on them would
// mispredict constantly. The loss sums, whose additions wait on each
// other, share a loop with the class counts, which fill the wait.
func (t *tally) addWeighted(s *bootSample, mult []int32) {
	y := s.y[:len(mult)]
	var n, npos int32
	for p, w := range mult {
		n += w
		npos += w * int32(y[p])
	}
	t.n += int(n)
	t.npos += int(npos)
	for m := range s.models {
		md := &s.models[m]
		counts, slot := t.counts[m], md.slot[:len(mult)]
		if !md.prob {
			for p, w := range mult {
				counts[slot[p]] += w
			}
			continue
		}
		var sq, ll float64
		sqErr, logLoss := md.sqErr[:len(mult)], md.logLoss[:len(mult)]
		for p, w := range mult {
			counts[slot[p]] += w
			fw := float64(w)
			sq += fw * sqErr[p]
			ll += fw * logLoss[p]
		}
		t.sq[m] += sq
		t.ll[m] += ll
	}
}

// confusion returns model m's confusion matrix: the rows of the groups
// at or above the threshold are flagged.
func (t *tally) confusion(md *bootModel, m int) Confusion {
	_, _, c := t.ranking(md, m)
	return c
}

// metrics computes every metric of model m from the tally; NaN marks an
// undefined value (internal only: results expose nil).
func (t *tally) metrics(s *bootSample, m int, out *[nMetrics]float64) {
	n, P := float64(t.n), float64(t.npos)
	for k := range out {
		out[k] = math.NaN()
	}
	if t.n == 0 {
		return
	}
	out[mBaseRate] = P / n
	auc, ap, c := t.ranking(&s.models[m], m)
	if t.npos > 0 {
		out[mAUC], out[mAP] = auc, ap
	}
	if s.models[m].prob {
		out[mBrier] = t.sq[m] / n
		out[mLogLoss] = t.ll[m] / n
	}
	confusionMetrics(c, out)
}

// ranking returns the AUC and average precision of model m, to the bit
// aucAPFromCounts' of its class counts per group (meaningless when t.npos
// is 0), and its confusion matrix, in one pass over the marks: groups
// without positives add nothing to the pairs won nor to the precision sum
// and they are most groups (a group is mostly one row, and most rows are
// negatives), so only their negatives are counted, in the slot of the mark
// after them. A mark whose positives were not drawn adds +0 to the
// precision sum, which leaves it unchanged, instead of a branch the
// processor could not predict.
func (t *tally) ranking(md *bootModel, m int) (auc, ap float64, c Confusion) {
	counts := t.counts[m]
	P, N := int64(t.npos), int64(t.n-t.npos)
	var tps, fps, u2, tpFlagged, fpFlagged int64
	for j := range md.marks {
		q, p := int64(counts[3*j+1]), int64(counts[3*j+2])
		fps += int64(counts[3*j]) + q
		tps += p
		u2 += p * (2*(N-fps) + q) // twice the pairs won by these positives
		// With p = 0 the term is 0/max(tps+fps, 1) = +0.
		ap += float64(p) * float64(tps) / float64(max(tps+fps, 1))
		if j == md.flaggedMark {
			tpFlagged, fpFlagged = tps, fps
		}
	}
	c = Confusion{TP: int(tpFlagged), FP: int(fpFlagged), FN: t.npos - int(tpFlagged), TN: t.n - t.npos - int(fpFlagged)}
	if P == 0 {
		return math.NaN(), math.NaN(), c
	}
	ap /= float64(P)
	if N == 0 {
		return math.NaN(), ap, c
	}
	return float64(u2) / (2 * float64(P) * float64(N)), ap, c
}

// confusionMetrics fills the threshold metrics of out from c.
func confusionMetrics(c Confusion, out *[nMetrics]float64) {
	set := func(k int, v float64, ok bool) {
		if ok {
			out[k] = v
		} else {
			out[k] = math.NaN()
		}
	}
	v, ok := c.Precision()
	set(mPrecision, v, ok)
	v, ok = c.Recall()
	set(mRecall, v, ok)
	v, ok = c.F1()
	set(mF1, v, ok)
	v, ok = c.Accuracy()
	set(mAccuracy, v, ok)
	v, ok = c.Specificity()
	set(mSpecificity, v, ok)
	v, ok = c.BalancedAccuracy()
	set(mBalancedAccuracy, v, ok)
}

// splitmix64 is the SplitMix64 finalizer, used to spread seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// replicateSource returns the generator of replicate rep; see
// BootstrapOptions.
func replicateSource(seed uint64, task string, rep int) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(task))
	return rand.NewPCG(splitmix64(seed^h.Sum64()), splitmix64(uint64(rep)))
}

// uniformIndex returns a uniform integer in [0, n) by Lemire's unbiased
// multiply-and-reject method (as math/rand/v2 does).
func uniformIndex(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// draw fills t with the resample drawn from src; mult is scratch of
// length len(s.y) (row schemes) or s.units() (clusters).
func (s *bootSample) draw(t *tally, src *rand.PCG, mult []int32) {
	t.reset()
	clear(mult)
	if s.scheme == SchemeCluster {
		k := uint64(s.units())
		for range k {
			mult[uniformIndex(src, k)]++
		}
		for c, w := range mult {
			if w != 0 {
				t.addRange(s, s.ranges[c], s.ranges[c+1], int(w))
			}
		}
		return
	}
	for k := range s.units() {
		lo := s.ranges[k]
		size := uint64(s.ranges[k+1] - lo)
		for range size {
			mult[lo+int(uniformIndex(src, size))]++
		}
	}
	t.addWeighted(s, mult)
}

// run draws every replicate in parallel and summarizes them; stat turns a
// tally into the metric vector (one model, or a difference of two).
func (s *bootSample) run(opt BootstrapOptions, stat func(*tally, *[nMetrics]float64)) BootstrapResult {
	B := opt.Replicates
	reps := make([][nMetrics]float64, B)
	var wg sync.WaitGroup
	for w := range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := newTally(s)
			mult := make([]int32, len(s.y))
			if s.scheme == SchemeCluster {
				mult = make([]int32, s.units())
			}
			for r := w; r < B; r += opt.Workers {
				s.draw(t, replicateSource(opt.Seed, opt.Task, r), mult)
				stat(t, &reps[r])
			}
		}()
	}
	// The full-sample estimate and the jackknife run meanwhile.
	full := newTally(s)
	full.addRange(s, 0, len(s.y), 1)
	var est [nMetrics]float64
	stat(full, &est)
	jack, unitStratum := s.jackknife(full, stat)
	wg.Wait()

	res := BootstrapResult{
		Scheme: s.scheme, Replicates: B, Level: opt.Level, Seed: opt.Seed, Task: opt.Task,
		Units: len(s.y),
	}
	if s.scheme == SchemeCluster {
		res.Units = s.units()
		if s.units() < minClustersWarning {
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"only %d clusters (fewer than %d): cluster bootstrap intervals are unreliable", s.units(), minClustersWarning))
		}
	}
	values := make([]float64, 0, B)
	for k, name := range ReportMetrics {
		values = values[:0]
		for r := range reps {
			if v := reps[r][k]; !math.IsNaN(v) {
				values = append(values, v)
			}
		}
		a := acceleration(jack[k], unitStratum)
		res.Intervals = append(res.Intervals, summarize(name, est[k], values, a, opt.Level))
	}
	return res
}

// summarize builds the interval of one metric from its defined replicate
// values (reordered in place).
func summarize(name string, estimate float64, values []float64, accel, level float64) BootstrapInterval {
	iv := BootstrapInterval{Metric: name, DefinedReplicates: len(values)}
	if math.IsNaN(estimate) {
		iv.Note = "undefined on the full sample"
		return iv
	}
	iv.Estimate = ptr(estimate)
	if len(values) == 0 {
		iv.Note = "undefined in every replicate"
		return iv
	}
	slices.Sort(values)
	// Deviations from the first value keep a constant sample's SE exactly 0.
	var mean, ss float64
	for _, v := range values {
		mean += v - values[0]
	}
	mean /= float64(len(values))
	for _, v := range values {
		d := v - values[0] - mean
		ss += d * d
	}
	if len(values) > 1 {
		iv.SE = ptr(math.Sqrt(ss / float64(len(values)-1)))
	}
	alpha := (1 - level) / 2
	iv.Percentile = &Bounds{quantile7(values, alpha), quantile7(values, 1-alpha)}
	var below, atOrBelow int
	for _, v := range values {
		if v < estimate {
			below++
		}
		if v <= estimate {
			atOrBelow++
		}
	}
	prop := float64(below+atOrBelow) / float64(2*len(values))
	if prop <= 0 || prop >= 1 || math.IsNaN(accel) {
		iv.Note = "BCa undefined: every replicate lies on one side of the estimate"
		return iv
	}
	z0 := distuv.UnitNormal.Quantile(prop)
	adjust := func(q float64) (float64, bool) {
		z := distuv.UnitNormal.Quantile(q)
		d := 1 - accel*(z0+z)
		if d <= 0 {
			return 0, false
		}
		return distuv.UnitNormal.CDF(z0 + (z0+z)/d), true
	}
	lo, ok1 := adjust(alpha)
	hi, ok2 := adjust(1 - alpha)
	if !ok1 || !ok2 {
		iv.Note = "BCa undefined: acceleration too large for this level"
		return iv
	}
	iv.BCa = &Bounds{quantile7(values, lo), quantile7(values, hi)}
	return iv
}

// quantile7 returns the q-quantile of sorted values by linear
// interpolation between order statistics (R type 7, numpy "linear").
func quantile7(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// acceleration returns the BCa acceleration from jackknife (leave-one-
// unit-out) values: with l_i = (n_s - 1)(mean_s - θ₋ᵢ) within stratum s,
// a = Σ_s Σ_i l_i³/n_s³ / (6 (Σ_s Σ_i l_i²/n_s²)^{3/2}); undefined
// leave-one-out values are skipped. It is 0 when the jackknife shows no
// variation.
func acceleration(loo []float64, stratum []uint8) float64 {
	var sum, count [256]float64
	for i, v := range loo {
		if !math.IsNaN(v) {
			sum[stratum[i]] += v
			count[stratum[i]]++
		}
	}
	var num, den float64
	for i, v := range loo {
		if math.IsNaN(v) {
			continue
		}
		s := stratum[i]
		ns := count[s]
		l := (ns - 1) * (sum[s]/ns - v)
		num += l * l * l / (ns * ns * ns)
		den += l * l / (ns * ns)
	}
	if den == 0 {
		return 0
	}
	return num / (6 * math.Pow(den, 1.5))
}

// jackknife returns the leave-one-unit-out values of the statistic, one
// slice per metric, and the stratum of each unit. Units are clusters in
// order, or rows by position (see bootSample).
func (s *bootSample) jackknife(full *tally, stat func(*tally, *[nMetrics]float64)) ([nMetrics][]float64, []uint8) {
	var out [nMetrics][]float64
	if s.scheme == SchemeCluster {
		// Leave each cluster out in turn: remove, evaluate, restore.
		for k := range out {
			out[k] = make([]float64, s.units())
		}
		var v [nMetrics]float64
		sq, ll := slices.Clone(full.sq), slices.Clone(full.ll)
		for c := range s.units() {
			full.addRange(s, s.ranges[c], s.ranges[c+1], -1)
			stat(full, &v)
			full.addRange(s, s.ranges[c], s.ranges[c+1], 1)
			copy(full.sq, sq) // restore the sums exactly
			copy(full.ll, ll)
			for k := range out {
				out[k][c] = v[k]
			}
		}
		return out, make([]uint8, s.units())
	}
	stratum := make([]uint8, len(s.y))
	if s.scheme == SchemeStratified {
		copy(stratum, s.y)
	}
	// Rows: closed forms per (score group, class), O(n + groups).
	per := make([][nMetrics][]float64, len(s.models))
	for m := range s.models {
		per[m] = s.rowJackknife(m, full)
	}
	for k := range out {
		out[k] = per[0][k]
		if len(s.models) == 2 {
			d := make([]float64, len(s.y))
			for i := range d {
				d[i] = per[0][k][i] - per[1][k][i]
			}
			out[k] = d
		}
	}
	return out, stratum
}

// rowJackknife returns, for model m, every metric with each row left out.
func (s *bootSample) rowJackknife(m int, full *tally) [nMetrics][]float64 {
	md := &s.models[m]
	g := md.g
	n, P := float64(full.n), float64(full.npos)
	N := n - P
	G := len(g.value)
	// AUC: U = pairs won (ties half). Leaving out a positive in group k
	// removes its placement negBelow+neg/2; a negative, posAbove+pos/2.
	posAbove := make([]float64, G)
	negBelow := make([]float64, G)
	var acc float64
	for k := range G {
		posAbove[k] = acc
		acc += g.pos[k]
	}
	acc = 0
	for k := G - 1; k >= 0; k-- {
		negBelow[k] = acc
		acc += g.neg[k]
	}
	var U float64
	for k := range G {
		U += g.pos[k] * (negBelow[k] + g.neg[k]/2)
	}
	// AP = (1/P) Σ_k pos_k TP_k / C_k with cumulative TP_k and C_k.
	// Leaving out a positive in group k: prefix A[k] unchanged, group k
	// term (pos_k-1)(TP_k-1)/(C_k-1), later terms pos_j (TP_j-1)/(C_j-1)
	// (suffix B); a negative: later-or-equal terms pos_j TP_j/(C_j-1)
	// (suffix D).
	tp := make([]float64, G)
	cum := make([]float64, G)
	var t, c float64
	for k := range G {
		t += g.pos[k]
		c += g.pos[k] + g.neg[k]
		tp[k], cum[k] = t, c
	}
	A := make([]float64, G+1)
	for k := range G {
		A[k+1] = A[k] + g.pos[k]*tp[k]/cum[k]
	}
	B := make([]float64, G+1)
	D := make([]float64, G+1)
	for k := G - 1; k >= 0; k-- {
		B[k] = B[k+1] // B[k] = Σ_{j>k}
		D[k] = D[k+1]
		if g.pos[k] > 0 && cum[k] > 1 {
			D[k] += g.pos[k] * tp[k] / (cum[k] - 1)
		}
		if k+1 < G && g.pos[k+1] > 0 {
			B[k] += g.pos[k+1] * (tp[k+1] - 1) / (cum[k+1] - 1)
		}
	}
	aucPos := make([]float64, G)
	aucNeg := make([]float64, G)
	apPos := make([]float64, G)
	apNeg := make([]float64, G)
	for k := range G {
		aucPos[k], aucNeg[k], apPos[k], apNeg[k] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if P > 1 && N > 0 {
			aucPos[k] = (U - (negBelow[k] + g.neg[k]/2)) / ((P - 1) * N)
		}
		if P > 0 && N > 1 {
			aucNeg[k] = (U - (posAbove[k] + g.pos[k]/2)) / (P * (N - 1))
		}
		if P > 1 {
			mid := 0.0
			if cum[k] > 1 {
				mid = (g.pos[k] - 1) * (tp[k] - 1) / (cum[k] - 1)
			}
			apPos[k] = (A[k] + mid + B[k]) / (P - 1)
		}
		if P > 0 {
			apNeg[k] = (A[k] + D[k]) / P
		}
	}
	var out [nMetrics][]float64
	for k := range out {
		out[k] = make([]float64, len(s.y))
	}
	// Scalar metrics depend only on the left-out row's confusion cell.
	var byCell [4][nMetrics]float64
	conf := full.confusion(md, m)
	for cell := range 4 {
		cm := [4]int{conf.TN, conf.FP, conf.FN, conf.TP}
		cm[cell]--
		confusionMetrics(Confusion{TN: cm[0], FP: cm[1], FN: cm[2], TP: cm[3]}, &byCell[cell])
	}
	for i, y := range s.y {
		k := md.group[i]
		v := &byCell[md.cell[i]]
		for j := mPrecision; j < nMetrics; j++ {
			out[j][i] = v[j]
		}
		out[mBaseRate][i] = (P - float64(y)) / (n - 1)
		if y == 1 {
			out[mAUC][i], out[mAP][i] = aucPos[k], apPos[k]
		} else {
			out[mAUC][i], out[mAP][i] = aucNeg[k], apNeg[k]
		}
		if md.prob {
			out[mBrier][i] = (full.sq[m] - md.sqErr[i]) / (n - 1)
			out[mLogLoss][i] = (full.ll[m] - md.logLoss[i]) / (n - 1)
		} else {
			out[mBrier][i], out[mLogLoss][i] = math.NaN(), math.NaN()
		}
	}
	return out
}
