package pilot

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

const tutoringSpec = "../experiments/pilot-tutoring.toml"

// loadTutoring decodes the shipped example pilot.
func loadTutoring(t *testing.T) Spec {
	t.Helper()
	var doc struct {
		Abtests []Spec `toml:"abtests"`
	}
	if _, err := toml.DecodeFile(tutoringSpec, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Abtests[0]
}

var lockTime = time.Date(2025, 8, 1, 9, 30, 0, 0, time.UTC)

// blankOutcomes writes a copy of the example data with empty outcome
// cells, as the data stands before the pilot ends.
func blankOutcomes(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile("../experiments/testdata/pilot/tutoring.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		f[10], f[11] = "", "" // dfw, grade_points
		lines[i] = strings.Join(f, ",")
	}
	path := filepath.Join(dir, "tutoring.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLockRefusesOutcomesUnlessForced(t *testing.T) {
	s := loadTutoring(t)
	opts := LockOptions{SpecFile: "pilot-tutoring.toml", SpecBytes: []byte("spec"), BaseDir: "../experiments", Now: lockTime}
	_, err := NewLock([]Spec{s}, opts)
	var present *OutcomesPresentError
	if !errors.As(err, &present) || present.Present["dfw"] == 0 || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("locking filled outcomes: %v", err)
	}
	opts.Force = true
	l, err := NewLock([]Spec{s}, opts)
	if err != nil {
		t.Fatal(err)
	}
	lp := l.Pilots[0]
	if !lp.Forced || lp.OutcomesPresent["dfw"] != present.Present["dfw"] || !strings.Contains(lp.Statement, "AFTER outcome values were recorded") {
		t.Errorf("forced lock: %+v", lp)
	}
	// Before the outcomes exist the lock is written without force.
	dir := t.TempDir()
	s.Data = blankOutcomes(t, dir)
	opts.Force = false
	l, err = NewLock([]Spec{s}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if l.Pilots[0].Forced || !l.Pilots[0].Data.Exists || l.LockedAt != "2025-08-01T09:30:00Z" || len(l.Hash) != 64 {
		t.Errorf("lock %+v", l)
	}
}

func writeLock(t *testing.T, dir string, l *Lock) string {
	t.Helper()
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.lock.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadLockDetectsEdits(t *testing.T) {
	s := loadTutoring(t)
	dir := t.TempDir()
	s.Data = blankOutcomes(t, dir)
	l, err := NewLock([]Spec{s}, LockOptions{Now: lockTime})
	if err != nil {
		t.Fatal(err)
	}
	path := writeLock(t, dir, l)
	if _, err := ReadLock(path); err != nil {
		t.Fatalf("intact lock: %v", err)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"alpha": 0.05`, `"alpha": 0.1`, 1)), 0o644)
	if _, err := ReadLock(path); err == nil || !strings.Contains(err.Error(), "hash mismatch") {
		t.Errorf("edited lock: %v", err)
	}
}

// TestDeviationsGolden compares each changed plan with the lock of the
// example pilot; testdata/lock/deviations.golden holds the expected
// deviations and exploratory analyses (-update rewrites it).
func TestDeviationsGolden(t *testing.T) {
	base := loadTutoring(t)
	locked := LockedPlanOf(base)
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name   string
		mutate func(s *Spec)
	}{
		{"unchanged", func(s *Spec) {}},
		{"defaults spelled out", func(s *Spec) { s.SubgroupScale = "difference"; s.Level = f(0.95) }},
		{"primary changed", func(s *Spec) { s.Outcomes[0].Primary, s.Outcomes[1].Primary = false, true }},
		{"new subgroup", func(s *Spec) {
			s.Attributes = append(s.Attributes, "course_level")
			s.Subgroups = append(s.Subgroups, SubgroupSpec{Attribute: "course_level"})
		}},
		{"subgroup dropped", func(s *Spec) { s.Subgroups = s.Subgroups[:1] }},
		{"other alpha", func(s *Spec) { s.Alpha = f(0.1) }},
		{"multiplicity", func(s *Spec) { s.Multiplicity = MultiplicitySpec{Method: "BH"} }},
		{"outcome added", func(s *Spec) { s.Outcomes = append(s.Outcomes, OutcomeSpec{Name: "withdrew", Kind: "binary"}) }},
		{"outcome dropped", func(s *Spec) { s.Outcomes = s.Outcomes[:1] }},
		{"adjustment dropped", func(s *Spec) { s.AdjustFor = nil }},
		{"target moved", func(s *Spec) { s.Target = &TargetSpec{Outcome: "dfw", RelativeReduction: f(0.10), Label: "DFW"} }},
		{"extra look", func(s *Spec) {
			q := *s.Sequential
			q.Looks, q.Information = 3, []float64{0.33, 0.67, 1}
			s.Sequential = &q
		}},
		{"interim statistics given instead of the look column", func(s *Spec) {
			q := *s.Sequential
			q.LookColumn, q.Z = "", []float64{1.2}
			s.Sequential = &q
		}},
	}
	var out strings.Builder
	for _, c := range cases {
		s := base
		s.Outcomes = append([]OutcomeSpec(nil), base.Outcomes...)
		s.Subgroups = append([]SubgroupSpec(nil), base.Subgroups...)
		s.Attributes = append([]string(nil), base.Attributes...)
		c.mutate(&s)
		devs, expl := CompareWithLock(locked, s)
		fmt.Fprintf(&out, "== %s\n", c.name)
		for _, d := range devs {
			fmt.Fprintf(&out, "deviation %s: %s (locked %s, now %s)\n", d.Key, d.Message, d.Locked, d.Now)
		}
		for _, e := range expl {
			fmt.Fprintf(&out, "exploratory: %s\n", e)
		}
	}
	golden := filepath.Join("testdata", "lock", "deviations.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		gotPath := golden + ".got"
		os.WriteFile(gotPath, []byte(got), 0o644)
		t.Errorf("deviations differ from %s; got written to %s\n%s", golden, gotPath, got)
	}
}

// TestRunReportsDeviations analyses the example pilot with a plan lock
// fixed before its outcomes and a changed alpha and a new subgroup.
func TestRunReportsDeviations(t *testing.T) {
	s := loadTutoring(t)
	dir := t.TempDir()
	orig := s.Data
	s.Data = blankOutcomes(t, dir)
	l, err := NewLock([]Spec{s}, LockOptions{Now: lockTime})
	if err != nil {
		t.Fatal(err)
	}
	writeLock(t, dir, l)
	s.Data = filepath.Join("..", "experiments", orig)
	s.PlanLock = filepath.Join(dir, "plan.lock.json")
	alpha := 0.1
	s.Alpha = &alpha
	r, err := Run(s, "")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Preregistration
	if p == nil || len(p.Deviations) != 1 || p.Deviations[0].Key != "alpha" || p.Hash != l.Hash {
		t.Fatalf("preregistration %+v", p)
	}
	joined := strings.Join(r.Warnings, "\n")
	if !strings.Contains(joined, "deviation from the pre-registered plan: alpha changed from 0.05 to 0.1") {
		t.Errorf("warnings lack the deviation:\n%s", joined)
	}
	if last := r.Summary[len(r.Summary)-1]; !strings.Contains(last, "deviates from the plan pre-registered at 2025-08-01T09:30:00Z") {
		t.Errorf("summary ends %q", last)
	}
	s.Name = "other"
	if _, err := Run(s, ""); err == nil || !strings.Contains(err.Error(), `has no pilot "other"`) {
		t.Errorf("lock without the pilot: %v", err)
	}
}
