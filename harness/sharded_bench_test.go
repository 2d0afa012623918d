package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/evalrun/evalrun/shard"
)

// bench1000CellsSpec writes a spec of 1,000 cells (500 models on the two
// rolling folds of the csv student table) and returns it loaded.
func bench1000CellsSpec(b *testing.B) *Spec {
	b.Helper()
	var models strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&models, "\n[[models]]\nname = \"m%03d\"\nkind = \"prior\"\n", i)
	}
	src := strings.Replace(csvSource(), "[[models]]\nname = \"lr\"\nkind = \"logistic\"\n", models.String(), 1)
	src = strings.ReplaceAll(src, `"testdata/`, `"`+mustAbsB(b, "testdata")+`/`)
	src += "\n[metrics.bootstrap]\nreplicates = 0\n\n[explain]\npermutation_repeats = 0\n"
	path := filepath.Join(b.TempDir(), "cells.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := LoadSpecFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func mustAbsB(b *testing.B, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkPlan1000Cells is evalrun plan of a 1,000-cell spec: load the
// data, list and fingerprint the cells, write plan.jsonl.
func BenchmarkPlan1000Cells(b *testing.B) {
	s := bench1000CellsSpec(b)
	dir := filepath.Join(b.TempDir(), "plan")
	cpu := cpuSeconds()
	for b.Loop() {
		out, err := Plan(context.Background(), s, dir, RunOptions{Getenv: func(string) string { return "bench-key-of-16-bytes" }})
		if err != nil || len(out.Cells) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// cpuSeconds is the user and system CPU time of the process so far: on a
// shared machine the wall time of a benchmark says more about the other
// processes than about the code.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// BenchmarkMerge1000Cells is what evalrun merge adds to the work of a
// single-machine run for 1,000 cells: load the data, check that the plan
// is current and every cell present and intact, and decode the cells into
// evaluations (writing the run directory from them is the same code and
// work as in evalrun run).
func BenchmarkMerge1000Cells(b *testing.B) {
	s := bench1000CellsSpec(b)
	dir := filepath.Join(b.TempDir(), "plan")
	opts := RunOptions{Getenv: func(string) string { return "bench-key-of-16-bytes" }}
	if _, err := Plan(context.Background(), s, dir, opts); err != nil {
		b.Fatal(err)
	}
	if _, err := RunShard(context.Background(), s, dir, shard.Shard{Index: 0, Count: 1}, opts); err != nil {
		b.Fatal(err)
	}
	cpu := cpuSeconds()
	for b.Loop() {
		data, err := loadAndValidateEnv(defaultSourceEnv(), s)
		if err != nil {
			b.Fatal(err)
		}
		evals, err := evaluationsFromPlan(context.Background(), s, data, dir)
		if err != nil || len(evals) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}
