package datasets

import (
	"os"
	"path/filepath"
	"testing"
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
