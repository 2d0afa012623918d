package datasets

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/evalrun/evalrun/synth"
)

// ouladRealDir returns the real OULAD directory, ../shared/data/oulad
// relative to the repository root (the directory holding go.mod), or skips
// the test when it is absent.
func ouladRealDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("go.mod not found above the test directory; real OULAD data not located")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data", "oulad")
	if _, err := os.Stat(filepath.Join(data, OULADStudentInfo)); err != nil {
		tb.Skipf("real OULAD data not available at %s: %v", data, err)
	}
	return data
}

// BenchmarkLoadOULADReal loads the real OULAD tables with click features at
// three cutoffs (the budget: under 0.5 s per load).
func BenchmarkLoadOULADReal(b *testing.B) {
	fsys := os.DirFS(ouladRealDir(b))
	opts := OULADOptions{Name: "oulad", Cutoffs: []int{14, 28, 56}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadOULAD(fsys, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// ouladSynthFullDir returns a directory holding the full-size synthetic
// OULAD (32,593 students, about 10.6 million click rows, seed 1). It is
// generated once into os.TempDir()/evalrun-bench-oulad-32593-seed1 and
// reused while its completion marker exists; delete the directory after
// changing the generator.
func ouladSynthFullDir(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "evalrun-bench-oulad-32593-seed1")
	marker := filepath.Join(dir, "complete")
	if _, err := os.Stat(marker); err == nil {
		return dir
	}
	sum, err := synth.WriteOULAD(dir, synth.OULADConfig{Students: 32593, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte(strconv.Itoa(sum.Rows[OULADStudentVLE])+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoadOULADSynthFull loads the full-size synthetic OULAD with click
// features at three cutoffs (the budget: under 5 s, peak memory under
// 1.5 GB). It reports the click rows read and the Go runtime's memory obtained
// from the OS after the runs (MemStats.Sys, an upper bound of the peak heap);
// measure process peak RSS with /usr/bin/time -v on the test binary.
func BenchmarkLoadOULADSynthFull(b *testing.B) {
	fsys := os.DirFS(ouladSynthFullDir(b))
	opts := OULADOptions{Name: "synth", Cutoffs: []int{14, 28, 56}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
	runtime.GC()
	b.ResetTimer()
	var clickRows int
	for b.Loop() {
		frames, err := LoadOULAD(fsys, opts)
		if err != nil {
			b.Fatal(err)
		}
		clickRows = frames[0].Report.Files[len(frames[0].Report.Files)-1].Rows
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(clickRows), "click-rows")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
}

// BenchmarkLoadOULADFullSize loads the full-size OULAD benchmark data
// (../shared/bench/oulad_fullscale.py's output, about 9.8 million click rows)
// from $EVALRUN_OULAD_FULL at the benchmark spec's cutoff (day 28), skipped
// when the variable is unset: the loading phase of benchmarks/oulad-full.sh
// alone.
func BenchmarkLoadOULADFullSize(b *testing.B) {
	dir := os.Getenv("EVALRUN_OULAD_FULL")
	if dir == "" {
		b.Skip("EVALRUN_OULAD_FULL not set")
	}
	fsys := os.DirFS(dir)
	opts := OULADOptions{Name: "oulad", Cutoffs: []int{28}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
	for b.Loop() {
		if _, err := LoadOULAD(fsys, opts); err != nil {
			b.Fatal(err)
		}
	}
}
