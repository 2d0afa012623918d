package fairness

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/evalrun/evalrun/internal/workpool"
)

// undefinedShareLimit is the largest share of bootstrap replicates in which
// a gap may be undefined while still getting an interval.
const undefinedShareLimit = 0.10

// sortedGroup holds one group's rows in descending score order, and the
// cells replicate passes run over: rows with the same score and label are
// interchangeable in every statistic a pass computes, so a tie block holds
// at most two cells (label 1, then label 0), and a replicate only needs
// each cell's total multiplicity. Without ties every row is its own cell.
type sortedGroup struct {
	y     []uint8   // row labels
	score []float64 // row scores
	// cellOf maps each row to its cell; nil when cell i is row i.
	cellOf []int32
	cell   cells
}

// cells are laid out for replicate passes.
type cells struct {
	y      []uint8
	resid  []float64 // y - p, probabilities only
	binEnd []uint8   // 1 on the last cell of an ECE bin (bins are runs of the order), probabilities only
	end    []uint8   // 1 on the last cell of a tie block
}

// newSortedGroup lays out the rows (given in descending score order).
func newSortedGroup(in *auditInput, rows []int32) sortedGroup {
	n := len(rows)
	sg := sortedGroup{y: make([]uint8, n), score: make([]float64, n), cellOf: make([]int32, n)}
	for k, i := range rows {
		sg.y[k], sg.score[k] = in.y[i], in.score[i]
	}
	c := &sg.cell
	identity := true
	for start := 0; start < n; {
		stop := start + 1
		for stop < n && sg.score[stop] == sg.score[start] {
			stop++
		}
		// One cell per label present in the block, label 1 first.
		for _, label := range []uint8{1, 0} {
			idx := int32(-1)
			for k := start; k < stop; k++ {
				if sg.y[k] != label {
					continue
				}
				if idx < 0 {
					idx = int32(len(c.y))
					c.y = append(c.y, label)
					c.end = append(c.end, 0)
					if in.probabilities {
						c.resid = append(c.resid, float64(label)-sg.score[k])
						c.binEnd = append(c.binEnd, 0)
					}
				}
				sg.cellOf[k] = idx
				identity = identity && int(idx) == k
			}
		}
		c.end[len(c.y)-1] = 1
		if in.probabilities && (stop == n || in.bin[rows[stop]] != in.bin[rows[start]]) {
			c.binEnd[len(c.y)-1] = 1
		}
		start = stop
	}
	if identity {
		sg.cellOf = nil
	}
	return sg
}

// nonzero returns 1 if v != 0 and 0 otherwise, for v >= 0, without a
// branch.
func nonzero(v int64) int64 { return ((v | -v) >> 63) & 1 }

// runCurve is a ROC curve stored by runs of negatives, built by build from
// the steps the resampling loops record. Run r (1..last)
// covers FPR in (x[r-1]/n, x[r]/n], x counting negatives, over which TPR
// rises linearly from y0[r]/p to y1[r]/p (y0 == y1 for a horizontal run; a
// tie block holding both classes makes a sloped run). Positives between
// runs are vertical steps, which have no width. Consecutive horizontal runs
// form one run, so a curve has at most about twice as many runs as tie
// blocks holding positives, however many rows it has. Index 0 is the
// sentinel (0, 0, 0).
type runCurve struct {
	x, y0, y1 []int64
	last      int64
	n, p      int64
}

// reset empties c and points it at buffers, which need room for every
// run (the rows plus one suffice).
func (c *runCurve) reset(x, y0, y1 []int64) {
	c.x, c.y0, c.y1 = x, y0, y1
	c.x[0], c.y0[0], c.y1[0] = 0, 0, 0
	c.last, c.n, c.p = 0, 0, 0
}

// steps records the tie blocks holding positives of a curve being built:
// block k starts at (fp[k], tp[k]) and adds fb[k] negatives and tb[k] > 0
// positives. The rest of the curve is horizontal. Loops append to it
// without branches: every block writes at index n, and n advances only for
// blocks with positives.
type steps struct {
	fp, tp, fb, tb []int32
}

func newSteps(n int) steps {
	return steps{fp: make([]int32, n), tp: make([]int32, n), fb: make([]int32, n), tb: make([]int32, n)}
}

// build fills c with the runs of the curve of k steps ending at (n, p).
func (c *runCurve) build(s *steps, k int, n, p int64) {
	c.x[0], c.y0[0], c.y1[0] = 0, 0, 0
	last := int64(0)
	end := int64(0) // FPR count where the last run ends
	for j := range k {
		fp, tp := int64(s.fp[j]), int64(s.tp[j])
		if fp > end { // horizontal run up to the block
			last++
			c.x[last], c.y0[last], c.y1[last] = fp, tp, tp
		}
		if fb := int64(s.fb[j]); fb > 0 { // sloped run across the block
			last++
			c.x[last], c.y0[last], c.y1[last] = fp+fb, tp, tp+int64(s.tb[j])
		}
		end = fp + int64(s.fb[j])
	}
	if n > end {
		last++
		c.x[last], c.y0[last], c.y1[last] = n, p, p
	}
	c.last, c.n, c.p = last, n, p
}

// at returns the curve's TPR count (not yet divided by p) at FPR t within
// run r.
func (c *runCurve) at(r int64, t float64) float64 {
	y0, y1 := c.y0[r], c.y1[r]
	if y0 == y1 {
		return float64(y0)
	}
	n := float64(c.n)
	xs, xe := float64(c.x[r-1])/n, float64(c.x[r])/n
	return float64(y0) + float64(y1-y0)*(t-xs)/(xe-xs)
}

// runABROCA integrates |TPR_a - TPR_b| over FPR in [0, 1] exactly, as
// abrocaArea does for point lists. Both curves need n > 0 and p > 0.
func runABROCA(a, b *runCurve) float64 {
	pa, pb := float64(a.p), float64(b.p)
	na, nb := float64(a.n), float64(b.n)
	ia, ib := int64(1), int64(1)
	// la, lb: each curve's value just right of x (its run's start value
	// when x is the start of the run).
	x, area := 0.0, 0.0
	la, lb := float64(a.y0[1])/pa, float64(b.y0[1])/pb
	for ia <= a.last && ib <= b.last {
		// Compare run ends a.x/a.n and b.x/b.n exactly in integers.
		ka, kb := a.x[ia]*b.n, b.x[ib]*a.n
		var nx, ra, rb float64
		if ka <= kb {
			nx = float64(a.x[ia]) / na
			ra = float64(a.y1[ia]) / pa
			rb = b.at(ib, nx) / pb
		} else {
			nx = float64(b.x[ib]) / nb
			rb = float64(b.y1[ib]) / pb
			ra = a.at(ia, nx) / pa
		}
		area += absLinearArea(nx-x, la-lb, ra-rb)
		la, lb = ra, rb
		if ka <= kb {
			ia++
			if ia <= a.last {
				la = float64(a.y0[ia]) / pa
			}
		}
		if kb <= ka {
			ib++
			if ib <= b.last {
				lb = float64(b.y0[ib]) / pb
			}
		}
		x = nx
	}
	return area
}

// pass computes the AUC, the ECE (when ece) and the ROC curve (when curve
// is not nil, using st as scratch; all buffers need len(w)+1 entries) of
// the group with cell multiplicities w. The AUC is the trapezoidal area through the distinct
// scores of the rows with positive weight, the same quantity as
// metrics.ROCAUC with these weights. The loop has no branches on the data:
// resampled weights are random, and mispredicted branches would dominate.
func (sg *sortedGroup) pass(w []uint32, ece bool, curve *runCurve, st *steps) passResult {
	var tp, fp, tpB, fpB, aucNum, k int64
	var sfp, stp, sfb, stb []int32
	if curve != nil {
		sfp, stp, sfb, stb = st.fp[:len(w)+1], st.tp[:len(w)+1], st.fb[:len(w)+1], st.tb[:len(w)+1]
	}
	var resid, residAtBinStart, eceSum float64
	ys, ends := sg.cell.y[:len(w)], sg.cell.end[:len(w)]
	var resids []float64
	var binEnds []uint8
	if ece {
		resids, binEnds = sg.cell.resid[:len(w)], sg.cell.binEnd[:len(w)]
	}
	for i, c32 := range w {
		c := int64(c32)
		yi := int64(ys[i])
		tpB += c * yi
		fpB += c - c*yi
		if ece {
			// Rows are sorted by score, so each bin is a run of rows:
			// sum y - p over the run and add its absolute value. Bin ends
			// are few, so this branch is predictable.
			resid += float64(c) * resids[i]
			if binEnds[i] != 0 {
				eceSum += math.Abs(resid - residAtBinStart)
				residAtBinStart = resid
			}
		}
		e := int64(ends[i])
		tb, fb := e*tpB, e*fpB
		aucNum += fb * (2*tp + tb)
		if curve != nil {
			sfp[k], stp[k], sfb[k], stb[k] = int32(fp), int32(tp), int32(fb), int32(tb)
			k += nonzero(tb)
		}
		tp += tb
		fp += fb
		tpB -= tb
		fpB -= fb
	}
	var r passResult
	if curve != nil {
		curve.build(st, int(k), fp, tp)
	}
	if tp > 0 && fp > 0 {
		r.auc, r.aucOK = float64(aucNum)/(2*float64(tp)*float64(fp)), true
		r.curveOK = curve != nil
	}
	if ece {
		r.ece, r.eceOK = eceSum/float64(tp+fp), true
	}
	return r
}

// passResult holds the ranking and calibration statistics of one weighted
// pass over a group.
type passResult struct {
	auc, ece     float64
	aucOK, eceOK bool
	curveOK      bool
}

// pairPool holds the rows of a group and the comparator, merged in
// descending score order, for ABROCA permutation tests.
type pairPool struct {
	test int     // index of the test in dimension.tests
	y    []uint8 // labels
	end  []uint8 // 1 on the last row of a run of equal scores
	k    int     // rows given to side A in each permutation: the smaller group's size
}

// permutedABROCA returns the ABROCA between a uniformly random subset of k
// pooled rows (side A) and the rest, false when either side lacks a class.
func (p *pairPool) permutedABROCA(wk *worker) (float64, bool) {
	return p.splitABROCA(wk, nil)
}

// markedABROCA returns the ABROCA between the pooled rows marked 1 and the
// others, false when either side lacks a class.
func (p *pairPool) markedABROCA(wk *worker, mark []uint8) (float64, bool) {
	return p.splitABROCA(wk, mark)
}

// splitABROCA splits the pooled rows into sides A and B, by mark when it
// is not nil and otherwise by selection sampling (Knuth's algorithm S:
// row i joins A with probability (A's places left)/(rows left), which
// draws a uniform k-subset in one pass, in score order), building both
// sides' curves in the same pass without branches on the data.
func (p *pairPool) splitABROCA(wk *worker, mark []uint8) (float64, bool) {
	n := len(p.y)
	ys, ends := p.y[:n], p.end[:n]
	sa, sb := &wk.steps, &wk.steps2
	afp, atp, afb, atb := sa.fp[:n+1], sa.tp[:n+1], sa.fb[:n+1], sa.tb[:n+1]
	bfp, btp, bfb, btb := sb.fp[:n+1], sb.tp[:n+1], sb.fb[:n+1], sb.tb[:n+1]
	var ta, fa, tb, fb, tpA, fpA, tpB, fpB, ka, kb int64
	sel := selector{s: &wk.s, left: uint32(n), places: uint32(p.k)}
	for i, yv := range ys {
		var m int64
		if mark != nil {
			m = int64(mark[i])
		} else {
			m = sel.next()
		}
		yi := int64(yv)
		my := m * yi
		ta += my
		fa += m - my
		tb += yi - my
		fb += 1 - m - yi + my
		e := int64(ends[i])
		t, f := e*ta, e*fa
		afp[ka], atp[ka], afb[ka], atb[ka] = int32(fpA), int32(tpA), int32(f), int32(t)
		ka += nonzero(t)
		tpA += t
		fpA += f
		ta -= t
		fa -= f
		t, f = e*tb, e*fb
		bfp[kb], btp[kb], bfb[kb], btb[kb] = int32(fpB), int32(tpB), int32(f), int32(t)
		kb += nonzero(t)
		tpB += t
		fpB += f
		tb -= t
		fb -= f
	}
	if tpA == 0 || fpA == 0 || tpB == 0 || fpB == 0 {
		return 0, false
	}
	var a, b runCurve
	a.reset(wk.ax, wk.ay0, wk.ay1)
	b.reset(wk.bx, wk.by0, wk.by1)
	a.build(sa, int(ka), fpA, tpA)
	b.build(sb, int(kb), fpB, tpB)
	return runABROCA(&a, &b), true
}

// permTest is one permutation test: the statistic is |value| of gap spec.
type permTest struct {
	spec     int   // gap spec whose |value| is the statistic
	shared   []int // other gap specs carrying the same p-value
	pool     int   // ABROCA tests: index into dimension.pools; -1 otherwise
	observed float64
	outcomes []int8 // rate tests, per permutation: -1 undefined, 0 not extreme, 1 extreme
	// ABROCA tests: permutations where the statistic is defined, those at
	// least as extreme as observed, and whether the test stopped early.
	defined, extreme int
	stopped          bool
	p, adj           Estimate
}

// prepareResampling allocates replicate storage and builds the tests.
func (d *dimension) prepareResampling(in *auditInput, opts AuditOptions) {
	if len(d.specs) == 0 {
		return
	}
	B := opts.BootstrapReplicates
	if B > 0 {
		d.reps = make([][]float64, len(d.specs))
		for i := range d.reps {
			d.reps[i] = make([]float64, B)
		}
		for _, s := range d.specs {
			if s.kind == kindAUCDiff || s.kind == kindABROCA || (s.kind == kindECEDiff && in.probabilities) {
				d.needRows = true
			}
			if s.kind == kindABROCA {
				d.needCurves = true
			}
			if s.kind == kindECEDiff && in.probabilities {
				d.needECE = true
			}
		}
		if d.comparator >= 0 {
			d.passOrder = append(d.passOrder, d.comparator)
		}
		for _, g := range d.reportedGroups {
			if g != d.comparator {
				d.passOrder = append(d.passOrder, g)
			}
		}
	}
	if opts.Permutations == 0 {
		return
	}
	for i, s := range d.specs {
		switch s.kind {
		case kindRateDiff, kindEODiff, kindABROCA:
		default:
			continue
		}
		if !d.gaps[i].Estimate.Defined {
			continue
		}
		if s.kind == kindRateDiff && (s.r == rateFNR || s.r == rateFDR) {
			twin := rateTPR
			if s.r == rateFDR {
				twin = ratePPV
			}
			if t := d.findTest(twin, s.group); t >= 0 {
				d.tests[t].shared = append(d.tests[t].shared, i)
				continue
			}
		}
		t := permTest{spec: i, pool: -1, observed: math.Abs(d.gaps[i].Estimate.Value)}
		if s.kind == kindABROCA {
			t.pool = len(d.pools)
			d.pools = append(d.pools, d.newPairPool(in, s.group, s.ref, len(d.tests)))
		} else {
			t.outcomes = make([]int8, opts.Permutations)
			d.rateTests++
		}
		d.tests = append(d.tests, t)
	}
}

// findTest returns the test of the rate-difference gap of r for group g.
func (d *dimension) findTest(r rate, g int) int {
	for t, test := range d.tests {
		s := d.specs[test.spec]
		if s.kind == kindRateDiff && s.r == r && s.group == g {
			return t
		}
	}
	return -1
}

// newPairPool merges the rows of groups a and b in descending score order.
func (d *dimension) newPairPool(in *auditInput, a, b, test int) pairPool {
	p := pairPool{test: test, k: min(d.part.sizes[a], d.part.sizes[b])}
	var last int32 = -1
	for _, i := range in.order {
		if g := int(d.part.rowGroup[i]); g != a && g != b {
			continue
		}
		if last >= 0 && in.score[i] == in.score[last] {
			p.end[len(p.end)-1] = 0
		}
		p.y = append(p.y, in.y[i])
		p.end = append(p.end, 1)
		last = i
	}
	return p
}

// worker holds one goroutine's scratch buffers.
type worker struct {
	s            stream
	w            []uint32
	ax, ay0, ay1 []int64
	bx, by0, by1 []int64
	refCurve     runCurve
	curve        runCurve
	steps        steps
	steps2       steps
	st           []groupState
}

// taskKind says what a resampling task computes.
type taskKind int

const (
	taskBootstrap  taskKind = iota // bootstrap replicate index of every gap
	taskRatePerm                   // permutation index of every rate test
	taskABROCATest                 // every permutation of ABROCA test index
)

// task is one unit of resampling work of one dimension.
type task struct {
	d     *dimension
	index int
	kind  taskKind
}

// runResampling runs every bootstrap replicate and permutation of every
// dimension on opts.Workers goroutines. Each task seeds its own generator
// and writes only its own slots, so the results do not depend on the
// scheduling.
func runResampling(dims []*dimension, opts AuditOptions) {
	// ABROCA tests, the longest tasks, go first so that the workers
	// finish together.
	var tasks, later []task
	maxRows, maxPool, maxGroups := 1, 1, 1
	for _, d := range dims {
		if len(d.specs) == 0 {
			continue
		}
		for t, test := range d.tests {
			if test.pool >= 0 {
				tasks = append(tasks, task{d, t, taskABROCATest})
			}
		}
		for b := range opts.BootstrapReplicates {
			later = append(later, task{d, b, taskBootstrap})
		}
		if d.rateTests > 0 {
			for b := range opts.Permutations {
				later = append(later, task{d, b, taskRatePerm})
			}
		}
		for g, size := range d.part.sizes {
			if !d.suppressed[g] {
				maxRows = max(maxRows, size)
			}
		}
		for _, p := range d.pools {
			maxPool = max(maxPool, len(p.y))
		}
		maxGroups = max(maxGroups, len(d.part.names))
	}
	tasks = append(tasks, later...)
	if len(tasks) == 0 {
		return
	}
	maxPool = max(maxPool, maxRows)
	workpool.ForWorkers(len(tasks), opts.Workers, func(int) func(i int) {
		wk := &worker{
			w:  make([]uint32, maxRows),
			ax: make([]int64, maxPool+1), ay0: make([]int64, maxPool+1), ay1: make([]int64, maxPool+1),
			bx: make([]int64, maxPool+1), by0: make([]int64, maxPool+1), by1: make([]int64, maxPool+1),
			st:    make([]groupState, maxGroups),
			steps: newSteps(maxPool + 1), steps2: newSteps(maxPool + 1),
		}
		return func(i int) {
			t := tasks[i]
			switch t.kind {
			case taskBootstrap:
				t.d.bootstrapReplicate(wk, opts.Seed, t.index)
			case taskRatePerm:
				t.d.ratePermutation(wk, opts.Seed, t.index)
			default:
				t.d.abrocaTest(wk, opts, t.index)
			}
		}
	})
}

// bootstrapReplicate computes replicate b of every gap of d.
func (d *dimension) bootstrapReplicate(wk *worker, seed uint64, b int) {
	wk.s.reset(seed, "bootstrap", d.name, b)
	st := wk.st[:len(d.obs)]
	copy(st, d.obs)
	reported := d.reportedGroups
	for _, g := range reported {
		st[g].counts = wk.s.multinomialCounts(d.part.sizes[g], d.counts[g])
	}
	if d.needRows {
		ece := d.needECE
		refOK := false
		// The comparator comes first in d.passOrder, so its curve is in
		// wk.refCurve before any other group's is drawn into wk.curve.
		for _, g := range d.passOrder {
			sg := &d.sorted[g]
			w := wk.w[:len(sg.cell.y)]
			wk.s.resampleCells(w, len(sg.y), sg.cellOf)
			var curve *runCurve
			if d.needCurves {
				curve = &wk.curve
				curve.reset(wk.bx, wk.by0, wk.by1)
				if g == d.comparator {
					curve = &wk.refCurve
					curve.reset(wk.ax, wk.ay0, wk.ay1)
				}
			}
			r := sg.pass(w, ece, curve, &wk.steps)
			st[g].auc, st[g].aucOK = r.auc, r.aucOK
			if ece {
				st[g].ece, st[g].eceOK = r.ece, r.eceOK
			}
			if !d.needCurves {
				continue
			}
			if g == d.comparator {
				refOK = r.curveOK
				continue
			}
			st[g].abrocaOK = r.curveOK && refOK
			if st[g].abrocaOK {
				st[g].abroca = runABROCA(&wk.curve, &wk.refCurve)
			}
		}
	}
	for i := range d.specs {
		v, ok := evalGap(&d.specs[i], st)
		if !ok {
			v = math.NaN()
		}
		d.reps[i][b] = v
	}
}

// ratePermutation computes permutation b of every rate test of d.
func (d *dimension) ratePermutation(wk *worker, seed uint64, b int) {
	wk.s.reset(seed, "permutation", d.name, b)
	st := wk.st[:len(d.obs)]
	copy(st, d.obs)
	record := func(t *permTest, v float64, ok bool) {
		switch {
		case !ok:
			t.outcomes[b] = -1
		case math.Abs(v) >= t.observed-1e-12*max(1, t.observed):
			t.outcomes[b] = 1
		default:
			t.outcomes[b] = 0
		}
	}
	if d.mode == ReferenceBetween {
		// Permute group labels among all reported groups: deal the pooled
		// confusion counts out group by group.
		reported := d.reportedGroups
		var pool Counts
		for _, g := range reported {
			pool.add(d.counts[g])
		}
		for _, g := range reported {
			st[g].counts = wk.s.hypergeometricCounts(pool, d.part.sizes[g])
			pool = pool.minus(st[g].counts)
		}
		for t := range d.tests {
			test := &d.tests[t]
			if test.pool < 0 {
				v, ok := evalGap(&d.specs[test.spec], st)
				record(test, v, ok)
			}
		}
	} else {
		// Permute labels between each group and the reference: one draw
		// per group serves all its rate tests.
		for _, g := range d.reportedGroups {
			if g == d.comparator {
				continue
			}
			drawn := false
			for t := range d.tests {
				test := &d.tests[t]
				if test.pool >= 0 || d.specs[test.spec].group != g {
					continue
				}
				if !drawn {
					pool := d.counts[g]
					pool.add(d.counts[d.comparator])
					st[g].counts = wk.s.hypergeometricCounts(pool, d.part.sizes[g])
					st[d.comparator].counts = pool.minus(st[g].counts)
					drawn = true
				}
				v, ok := evalGap(&d.specs[test.spec], st)
				record(test, v, ok)
			}
		}
	}
}

// abrocaTest runs the permutations of ABROCA test t of d in order, from
// one generator named after the test, stopping early as Besag and
// Clifford (1991) do once opts.PermutationStopAfter permutations are at
// least as extreme as the observed ABROCA.
func (d *dimension) abrocaTest(wk *worker, opts AuditOptions, t int) {
	test := &d.tests[t]
	pool := &d.pools[test.pool]
	wk.s.reset(opts.Seed, "permutation-abroca", d.name+"/"+d.gaps[test.spec].Group, 0)
	for range opts.Permutations {
		v, ok := pool.permutedABROCA(wk)
		if !ok {
			continue
		}
		test.defined++
		if v >= test.observed-1e-12*max(1, test.observed) {
			test.extreme++
			if test.extreme == opts.PermutationStopAfter {
				test.stopped = true
				return
			}
		}
	}
}

// quantile7 returns the p-quantile of sorted x (R quantile type 7).
func quantile7(x []float64, p float64) float64 {
	h := float64(len(x)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

// finishGaps turns replicates into intervals, outcomes into p-values, and
// computes the minimum detectable gaps.
func (d *dimension) finishGaps(opts AuditOptions) {
	B := opts.BootstrapReplicates
	alpha := 1 - opts.ConfidenceLevel
	// Gaps undefined in some replicates, collected per pair of groups for
	// one warning each.
	undefinedIn := make(map[string][]string)
	var labels []string
	defer func() {
		for _, label := range labels {
			d.warnings = append(d.warnings, fmt.Sprintf("%s: gaps undefined in some of the %d bootstrap replicates (a resampled group lacked a class or flagged rows), intervals from the others: %s",
				label, B, strings.Join(undefinedIn[label], ", ")))
		}
	}()
	for i := range d.specs {
		gap := &d.gaps[i]
		noInterval := func(why string) {
			gap.Lower, gap.Upper, gap.StandardError = Unknown(why), Unknown(why), Unknown(why)
		}
		switch {
		case B == 0:
			noInterval("no bootstrap replicates requested")
		case !gap.Estimate.Defined:
			noInterval("the gap is undefined")
		default:
			vals := make([]float64, 0, B)
			for _, v := range d.reps[i] {
				if !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			gap.BootstrapUndefined = B - len(vals)
			if gap.BootstrapUndefined > 0 {
				label := gapLabel(gap)
				if _, ok := undefinedIn[label]; !ok {
					labels = append(labels, label)
				}
				undefinedIn[label] = append(undefinedIn[label], fmt.Sprintf("%s (%d)", gap.Metric, gap.BootstrapUndefined))
			}
			if float64(gap.BootstrapUndefined) > undefinedShareLimit*float64(B) || len(vals) < 2 {
				noInterval(fmt.Sprintf("undefined in %d of %d bootstrap replicates (more than %.0f%%)", gap.BootstrapUndefined, B, 100*undefinedShareLimit))
				break
			}
			slices.Sort(vals)
			gap.Lower, gap.Upper = Known(quantile7(vals, alpha/2)), Known(quantile7(vals, 1-alpha/2))
			gap.StandardError = Known(standardDeviation(vals))
		}
		gap.PValue = Unknown(d.noTestReason(i, opts))
		gap.AdjustedPValue = gap.PValue
		gap.MinDetectableGap = d.minDetectable(i, opts, gap.StandardError)
	}
	for t := range d.tests {
		test := &d.tests[t]
		for _, o := range test.outcomes {
			if o >= 0 {
				test.defined++
				test.extreme += int(o)
			}
		}
		switch {
		case test.defined == 0:
			test.p = Unknown("the statistic is undefined in every permutation")
		case test.stopped:
			// Besag-Clifford: h extremes after l permutations gives h/l.
			test.p = Known(float64(test.extreme) / float64(test.defined))
		default:
			test.p = Known(pValue(test.extreme, test.defined))
		}
		test.adj = test.p
		for _, s := range append([]int{test.spec}, test.shared...) {
			d.gaps[s].PValue = test.p
			d.gaps[s].PermutationsRun = test.defined
		}
	}
}

// gapLabel names a gap's groups for warnings.
func gapLabel(g *Gap) string {
	if g.Group == "" {
		return "between groups"
	}
	return fmt.Sprintf("%q vs %q", g.Group, g.Reference)
}

// noTestReason says why gap i has no p-value (used until a test fills it).
func (d *dimension) noTestReason(i int, opts AuditOptions) string {
	s := d.specs[i]
	switch {
	case s.kind == kindRateRatio || s.kind == kindEORatio:
		return "ratios are tested through their difference"
	case s.kind == kindECEDiff || s.kind == kindAUCDiff:
		return "no permutation test for this gap (ABROCA and rate gaps only)"
	case opts.Permutations == 0:
		return "no permutations requested"
	case !d.gaps[i].Estimate.Defined:
		return "the gap is undefined"
	}
	return "not tested"
}

func standardDeviation(x []float64) float64 {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}
