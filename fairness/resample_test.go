package fairness

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/evalrun/evalrun/metrics"
)

// randomScored returns n rows with labels of base rate 0.3 and scores
// rounded to `levels` distinct values (few levels make many ties).
func randomScored(r *rand.Rand, n, levels int) ([]uint8, []float64) {
	y := make([]uint8, n)
	s := make([]float64, n)
	for i := range n {
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		v := 1 / (1 + math.Exp(-(-0.5 + float64(y[i]) + r.NormFloat64())))
		s[i] = math.Round(v*float64(levels)) / float64(levels)
	}
	return y, s
}

func newTestWorker(n int) *worker {
	return &worker{
		w:  make([]uint32, n),
		ax: make([]int64, n+1), ay0: make([]int64, n+1), ay1: make([]int64, n+1),
		bx: make([]int64, n+1), by0: make([]int64, n+1), by1: make([]int64, n+1),
		st: make([]groupState, 4), steps: newSteps(n + 1), steps2: newSteps(n + 1),
	}
}

// TestPassMatchesMetrics checks the replicate pass against package metrics
// with the same integer weights: AUC against metrics.ROCAUC, ECE against
// metrics.Calibration on the rows replicated by their weights, and the run
// curve's ABROCA against abrocaArea on metrics.ROCCurve points. Tolerance
// 1e-12 (different summation orders).
func TestPassMatchesMetrics(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 60 {
		n := 5 + r.IntN(300)
		levels := []int{3, 20, 1000, 1 << 30}[trial%4]
		y, s := randomScored(r, n, levels)
		in := newAuditInput(y, s, 10)
		rows := make([]int32, n)
		copy(rows, in.order)
		sg := newSortedGroup(in, rows)
		wk := newTestWorker(n)
		var st stream
		st.reset(uint64(trial), "test", "pass", 0)
		w := make([]uint32, n)
		st.resampleCells(w, n, nil)
		if trial%5 == 0 {
			for i := range w {
				w[i] = 1
			}
		}
		cellW := make([]uint32, len(sg.cell.y))
		sg.cellWeights(w, cellW)
		var curve runCurve
		curve.reset(wk.ax, wk.ay0, wk.ay1)
		got := sg.pass(cellW, true, &curve, &wk.steps)
		// Expand the weighted rows for package metrics.
		var yw []uint8
		var sw, wf []float64
		for i, c := range w {
			wf = append(wf, float64(c))
			for range c {
				yw = append(yw, sg.y[i])
				sw = append(sw, sg.score[i])
			}
		}
		auc, err := metrics.ROCAUC(sg.y, sg.score, wf)
		if err != nil {
			if got.aucOK {
				t.Fatalf("trial %d: pass AUC defined (%v) where metrics errs: %v", trial, got.auc, err)
			}
			continue
		}
		if !got.aucOK || math.Abs(got.auc-auc) > 1e-12 {
			t.Fatalf("trial %d: AUC %v (ok %v), metrics %v", trial, got.auc, got.aucOK, auc)
		}
		cal, err := metrics.Calibration(yw, sw, 10)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.ece-cal.ECE) > 1e-12 {
			t.Fatalf("trial %d: ECE %v, metrics %v", trial, got.ece, cal.ECE)
		}
		fpr, tpr, _, err := metrics.ROCCurve(sg.y, sg.score, wf)
		if err != nil {
			t.Fatal(err)
		}
		rf, rt := curve.runPoints()
		// The run curve and the metrics curve are the same function:
		// their ABROCA is 0, and each one's ABROCA against a third curve
		// agrees.
		if d := abrocaArea(rf, rt, fpr, tpr); d > 1e-12 {
			t.Fatalf("trial %d: run curve differs from metrics.ROCCurve by area %g", trial, d)
		}
		other := runCurve{x: []int64{0, 3}, y0: []int64{0, 1}, y1: []int64{0, 2}, last: 1, n: 3, p: 2}
		of, ot := other.runPoints()
		if a, b := runABROCA(&curve, &other), abrocaArea(fpr, tpr, of, ot); math.Abs(a-b) > 1e-12 {
			t.Fatalf("trial %d: runABROCA %v, abrocaArea %v", trial, a, b)
		}
	}
}

// TestMarkedABROCAMatchesABROCA checks the permutation pass: with the marks
// of a random split, it must equal ABROCA of the two subsets (1e-12).
func TestMarkedABROCAMatchesABROCA(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for trial := range 60 {
		n := 10 + r.IntN(400)
		levels := []int{4, 30, 1 << 30}[trial%3]
		y, s := randomScored(r, n, levels)
		groups := make([]string, n)
		for i := range groups {
			groups[i] = "B"
			if r.Float64() < 0.3 {
				groups[i] = "A"
			}
		}
		want, wantErr := ABROCA(y, s, groups)
		d := &dimension{part: newPartition(groups)}
		in := newAuditInput(y, s, 10)
		pool := d.newPairPool(in, 0, 1, 0)
		mark := make([]uint8, n)
		k := 0
		for _, i := range in.order {
			if groups[i] == "A" {
				mark[k] = 1
			}
			k++
		}
		got, ok := pool.markedABROCA(newTestWorker(n), mark)
		if wantErr != nil {
			if ok {
				t.Fatalf("trial %d: defined %v where ABROCA errs: %v", trial, got, wantErr)
			}
			continue
		}
		if !ok || math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: marked ABROCA %v (ok %v), want %v", trial, got, ok, want)
		}
	}
}

// runPoints returns c as ROC points (FPR, TPR) for abrocaArea (tests).
func (c *runCurve) runPoints() (fpr, tpr []float64) {
	n, p := float64(c.n), float64(c.p)
	fpr, tpr = []float64{0}, []float64{0}
	for r := int64(1); r <= c.last; r++ {
		fpr = append(fpr, float64(c.x[r-1])/n, float64(c.x[r])/n)
		tpr = append(tpr, float64(c.y0[r])/p, float64(c.y1[r])/p)
	}
	return append(fpr, 1), append(tpr, 1)
}

// cellWeights adds row multiplicities rowW to the cells' multiplicities.
func (sg *sortedGroup) cellWeights(rowW, cellW []uint32) {
	clear(cellW)
	for k, w := range rowW {
		if sg.cellOf == nil {
			cellW[k] += w
		} else {
			cellW[sg.cellOf[k]] += w
		}
	}
}
