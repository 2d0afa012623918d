package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ouladSized returns 15,720 labelled probability predictions shaped like
// one OULAD test set of experiments/oulad-models.toml: 29% positives, and
// two models whose scores hold about 90% distinct values (the rest tied,
// as tree ensembles tie students with equal features).
func ouladSized() (y []uint8, p, q []float64) {
	rng := rand.New(rand.NewPCG(14, 2))
	const n = 15720
	y, s := binormalSample(rng, n*29/100, n-n*29/100, 1.1)
	p = make([]float64, n)
	q = make([]float64, n)
	for i, v := range s {
		p[i] = sigmoid(v - 1.4)
		q[i] = sigmoid(0.8*v + 0.6*rng.NormFloat64() - 1.2)
		if rng.IntN(10) == 0 { // tie with an earlier row
			j := rng.IntN(i + 1)
			p[i], q[i] = p[j], q[j]
		}
	}
	return y, p, q
}

// BenchmarkOULADEvaluationBootstraps times the resampling the harness runs
// for one evaluation of experiments/oulad-models.toml and one of its
// comparisons with the baseline, on OULAD-sized data: the 1,000-replicate
// bootstrap of every Report metric (one worker, as the harness runs it
// beside other evaluations), the 500-replicate calibration bootstrap and
// the 200-replicate ROC band (two workers each), and the 1,000-replicate
// paired bootstrap (two workers).
func BenchmarkOULADEvaluationBootstraps(b *testing.B) {
	y, p, q := ouladSized()
	thr := threshold30(p)
	thrQ := threshold30(q)
	loopWithCPU(b, func() error {
		opt := BootstrapOptions{Replicates: 1000, Level: 0.95, Seed: 20261122, Task: "bootstrap/bench", Workers: 1}
		if _, err := Bootstrap(y, p, thr, opt); err != nil {
			return err
		}
		if _, err := CalibrationBootstrap(y, p, 10, 500, 20261122, "calibration-bootstrap/bench", 0); err != nil {
			return err
		}
		if _, err := ROCConfidenceBand(y, p, 50, 200, 0.95, 20261122, "roc-band/bench", 0); err != nil {
			return err
		}
		opt.Workers, opt.Task = 0, "paired-bootstrap/bench"
		_, err := PairedBootstrap(y, p, q, thr, thrQ, opt)
		return err
	})
}

// BenchmarkOULADCalibrationBootstrap: the 500-replicate calibration
// bootstrap of one OULAD-sized evaluation, two workers.
func BenchmarkOULADCalibrationBootstrap(b *testing.B) {
	y, p, _ := ouladSized()
	loopWithCPU(b, func() error {
		_, err := CalibrationBootstrap(y, p, 10, 500, 20261122, "calibration-bootstrap/bench", 0)
		return err
	})
}

// threshold30 returns the score flagging the top 30% of rows.
func threshold30(p []float64) float64 {
	idx := sortDescending(p)
	return p[idx[int(math.Round(0.3*float64(len(p))))-1]]
}
