package events

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/synth"
)

// ouladEventColumns reads dir's studentVle.csv as an event log and returns,
// for each frame, the KindClicks columns for the frame's keys and courses.
func ouladEventColumns(t *testing.T, dir string, frames []*datasets.Frame, cutoffs []int) [][]datasets.NumericColumn {
	t.Helper()
	res, err := ReadOULADResourceTable(filepath.Join(dir, datasets.OULADVLE))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuilder(Options{Name: "oulad-events", Cutoffs: cutoffs, Resources: res, Features: []Feature{{Kind: KindClicks}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCSVFile(filepath.Join(dir, datasets.OULADStudentVLE), OULADClickFormat, b.Symbols(), b); err != nil {
		t.Fatal(err)
	}
	r, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]datasets.NumericColumn
	for _, f := range frames {
		courses := make([]string, f.Len())
		for i, k := range f.Keys {
			courses[i] = k[:strings.LastIndexByte(k, '/')]
		}
		cols, _, err := r.Columns(f.Cutoff, f.Keys, courses)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cols)
	}
	return out
}

// checkSameClicks compares the loader's click columns (from clicks_total
// on) with the event door's, value for value (NaN equals NaN).
func checkSameClicks(t *testing.T, frames []*datasets.Frame, door [][]datasets.NumericColumn) {
	t.Helper()
	for fi, f := range frames {
		start := -1
		for i, c := range f.Numeric {
			if c.Name == "clicks_total" {
				start = i
			}
		}
		if start < 0 {
			t.Fatalf("cutoff %d: loader frame has no click columns", f.Cutoff)
		}
		loader := f.Numeric[start:]
		if len(loader) != len(door[fi]) {
			t.Fatalf("cutoff %d: loader has %d click columns, event door %d", f.Cutoff, len(loader), len(door[fi]))
		}
		for j := range loader {
			if loader[j].Name != door[fi][j].Name {
				t.Fatalf("cutoff %d: column %d: loader %q, event door %q", f.Cutoff, j, loader[j].Name, door[fi][j].Name)
			}
			bad := 0
			for r, want := range loader[j].Values {
				got := door[fi][j].Values[r]
				if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
					if bad < 3 {
						t.Errorf("cutoff %d: %s row %s: event door %v, loader %v", f.Cutoff, loader[j].Name, f.Keys[r], got, want)
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("cutoff %d: %s: %d rows differ", f.Cutoff, loader[j].Name, bad)
			}
		}
	}
}

func TestOULADTwoDoorsSynthetic(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.WriteOULAD(dir, synth.OULADConfig{Students: 600, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	cutoffs := []int{-5, 0, 14, 28, 100}
	frames, err := datasets.LoadOULAD(os.DirFS(dir), datasets.OULADOptions{Name: "s", Cutoffs: cutoffs, Positive: []string{"Fail", "Withdrawn"}, Clicks: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSameClicks(t, frames, ouladEventColumns(t, dir, frames, cutoffs))
}

func TestOULADTwoDoorsReal(t *testing.T) {
	dir := sharedData(t, "oulad")
	if testing.Short() {
		t.Skip("real OULAD comparison skipped in -short mode")
	}
	cutoffs := []int{14, 28, 56}
	frames, err := datasets.LoadOULAD(os.DirFS(dir), datasets.OULADOptions{Name: "oulad", Cutoffs: cutoffs, Positive: []string{"Fail", "Withdrawn"}, Clicks: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSameClicks(t, frames, ouladEventColumns(t, dir, frames, cutoffs))
}
