package fairness

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkMarkedABROCA(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	n := 100000
	y, s := randomScored(r, n, 10000)
	groups := make([]string, n)
	for i := range groups {
		groups[i] = []string{"A", "B"}[r.IntN(2)]
	}
	d := &dimension{part: newPartition(groups)}
	in := newAuditInput(y, s, 10)
	pool := d.newPairPool(in, 0, 1, 0)
	wk := newTestWorker(n)
	mark := make([]uint8, n)
	for i := range mark {
		mark[i] = uint8(r.IntN(2))
	}
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		pool.markedABROCA(wk, mark)
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N*n), "cpu-ns/row")
}

func BenchmarkPass(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	n := 100000
	y, s := randomScored(r, n, 10000)
	in := newAuditInput(y, s, 10)
	sg := newSortedGroup(in, in.order)
	wk := newTestWorker(n)
	var st stream
	st.reset(1, "x", "y", 0)
	w := wk.w[:len(sg.cell.y)]
	st.resampleCells(w, n, sg.cellOf)
	var c runCurve
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		c.reset(wk.ax, wk.ay0, wk.ay1)
		sg.pass(w, true, &c, &wk.steps)
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N*n), "cpu-ns/row")
}
func BenchmarkResampleCells(b *testing.B) {
	n := 100000
	wk := newTestWorker(n)
	var st stream
	st.reset(1, "x", "y", 0)
	c0 := processCPU()
	for range b.N {
		st.resampleCells(wk.w, n, nil)
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N*n), "cpu-ns/row")
}
