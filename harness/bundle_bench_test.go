package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/models"
)

// BenchmarkOULADForestBundle trains the 300-tree forest of
// experiments/oulad-models.toml ("rf", min_samples_leaf 5) on every OULAD
// term for deployment, once, and reports the size of its model.json
// (target <= 20 MB); each iteration loads and verifies the bundle (target
// <= 100 ms) and scores 100,000 students with built features, the OULAD
// day-28 rows repeated (target <= 1 s on 2 cores), reported as
// score-100k-ms. Skipped without the OULAD data.
func BenchmarkOULADForestBundle(b *testing.B) {
	s := ouladSpec(b, "oulad-models")
	zero := 0
	s.Explain.Reasons, s.Explain.PermutationRepeats = &zero, &zero
	dir := filepath.Join(b.TempDir(), "rf")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "rf", Output: dir, Now: fixedNow}); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, bundle.ModelFile))
	if err != nil {
		b.Fatal(err)
	}
	bd, err := bundle.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	data, err := loadAndValidate(s)
	if err != nil {
		b.Fatal(err)
	}
	f := data[0].frames[0]
	rows := make([]int, 100000)
	for i := range rows {
		rows[i] = i % f.Len()
	}
	x, _, _, err := bd.Encoder.Transform(f, rows)
	if err != nil {
		b.Fatal(err)
	}
	var scoreNs, scoreCPU, loadCPU time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu := cpuTime()
		if _, err := bundle.Load(dir); err != nil {
			b.Fatal(err)
		}
		loadCPU += cpuTime() - cpu
		b.StopTimer()
		start, cpu := time.Now(), cpuTime()
		if _, _, _, err := bd.ScoreEncoded(context.Background(), models.Rows{X: x}); err != nil {
			b.Fatal(err)
		}
		scoreNs += time.Since(start)
		scoreCPU += cpuTime() - cpu
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(st.Size())/1e6, "model.json-MB")
	b.ReportMetric(float64(loadCPU)/1e6/n, "load-cpu-ms")
	b.ReportMetric(float64(scoreNs)/1e6/n, "score-100k-ms")
	b.ReportMetric(float64(scoreCPU)/1e6/n, "score-100k-cpu-ms")
}
