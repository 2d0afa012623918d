package pilot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/evalrun/evalrun/abtest"
)

// exampleSpec decodes the shipped example's [[abtests]] table.
func exampleSpec(t testing.TB) Spec {
	t.Helper()
	var f struct {
		Abtests []Spec `toml:"abtests"`
	}
	md, err := toml.DecodeFile(filepath.Join("..", "experiments", "pilot-tutoring.toml"), &f)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range md.Undecoded() {
		if k[0] == "abtests" {
			t.Errorf("example spec: unknown key %s", k)
		}
	}
	if len(f.Abtests) != 1 {
		t.Fatalf("%d pilots in the example spec", len(f.Abtests))
	}
	return f.Abtests[0]
}

// TestRunExample runs the shipped example end to end: the interval of the
// relative DFW reduction covers the planted ExampleRelativeReduction, the
// design is analysed as cluster-randomized, and the result is byte-for-byte
// deterministic.
func TestRunExample(t *testing.T) {
	s := exampleSpec(t)
	dir := filepath.Join("..", "experiments")
	r, err := Run(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	tc := r.Analysis.Target
	if tc == nil || !tc.CI.Contains(ExampleRelativeReduction) {
		t.Fatalf("target comparison %+v does not cover the planted %v", tc, ExampleRelativeReduction)
	}
	if !strings.Contains(strings.Join(r.Summary, "\n"), "the 15% target lies inside the interval") {
		t.Errorf("summary lacks the target statement: %q", r.Summary)
	}
	e, ok := findEffect(r.Analysis, "tutoring", "dfw")
	if !ok || e.Method != "cluster-robust" || e.Cluster == nil || e.Cluster.Clusters != 48 {
		t.Errorf("dfw effect: method %q, cluster %+v; want cluster-robust over 48 sections", e.Method, e.Cluster)
	}
	if r.Sequential == nil || len(r.Sequential.Looks) != 2 || r.Sequential.Source != "look column" {
		t.Fatalf("sequential monitoring: %+v", r.Sequential)
	}
	// The final look's z is the primary analysis' p-value as a z score.
	if got, want := r.Sequential.Looks[1].Statistic, -distuv.UnitNormal.Quantile(1-e.PValue/2); math.Abs(got-want) > 1e-9 {
		t.Errorf("final look z = %v, want %v from p = %v", got, want, e.PValue)
	}
	a, _ := json.Marshal(r)
	r2, err := Run(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r2)
	if !bytes.Equal(a, b) {
		t.Error("two runs of the same spec and data encode differently")
	}
}

// smallPilot writes a stratified two-arm pilot of 4 strata × 12 units; the
// stratum "solo" holds the treated arm only.
func smallPilot(t *testing.T, solo bool) (Spec, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,arm,course,dfw,grade,gpa,first_gen\n")
	n := 0
	strata := []string{"bio", "chem", "math"}
	if solo {
		strata = append(strata, "solo")
	}
	for k, st := range strata {
		for i := range 12 {
			arm := "treat"
			if i%2 == 1 && st != "solo" {
				arm = "control"
			}
			dfw := (i*7 + k) % 3 / 2 // a mix of 0 and 1
			fmt.Fprintf(&b, "u%d,%s,%s,%d,%.1f,%.2f,%s\n", n, arm, st, dfw, 2+float64((i*5+k)%20)/10, 2.5+float64((i*3+k)%10)/10, []string{"yes", "no"}[i%3/2])
			n++
		}
	}
	s := validSpec()
	s.Strata = "course"
	return s, writeFile(t, "p.csv", b.String())
}

// TestRunStratumWithOneArm checks that a stratum holding one arm is a
// reported exclusion, not an error.
func TestRunStratumWithOneArm(t *testing.T) {
	s, path := smallPilot(t, true)
	s.Data = path
	r, err := Run(s, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ex := range r.Analysis.Exclusions {
		if strings.Contains(ex.Reason, `stratum "solo"`) && ex.Units == 12 && ex.ByArm["treat"] == 12 {
			found = true
		}
	}
	if !found {
		t.Errorf("exclusions %+v lack the 12 units of stratum solo", r.Analysis.Exclusions)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), `excluded 12 units: stratum "solo" does not hold the control arm and a treatment arm`) {
		t.Errorf("warnings lack the exclusion: %q", r.Warnings)
	}
	if r.Analysis.Checks.ArmSizes[0].Units != 30 {
		t.Errorf("arm sizes %+v: the SRM check counts every assigned unit", r.Analysis.Checks.ArmSizes)
	}
}

// TestRunMissingOutcomes checks that empty outcome cells are counted when
// read and excluded, per arm, from that outcome's analysis only.
func TestRunMissingOutcomes(t *testing.T) {
	s, _ := smallPilot(t, false)
	csv := "id,arm,course,dfw,grade,gpa,first_gen\n"
	for i := range 40 {
		arm := []string{"treat", "control"}[i%2]
		dfw := fmt.Sprint(i % 3 / 2)
		if i < 6 && arm == "treat" {
			dfw = ""
		}
		csv += fmt.Sprintf("u%d,%s,%s,%s,%d,%.1f,no\n", i, arm, []string{"a", "b"}[i/20], dfw, 2+i%3, 2.5+float64(i%7)/10)
	}
	s.Data = writeFile(t, "p.csv", csv)
	r, err := Run(s, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Inputs.Data.Missing[0] != (ColumnMissing{Column: "dfw", Role: "outcome", Missing: 3}) {
		t.Errorf("missing counts %+v", r.Inputs.Data.Missing)
	}
	var ex *abtest.Exclusion
	for i := range r.Analysis.Exclusions {
		if r.Analysis.Exclusions[i].Outcome == "dfw" {
			ex = &r.Analysis.Exclusions[i]
		}
	}
	if ex == nil || ex.Units != 3 || ex.ByArm["treat"] != 3 {
		t.Fatalf("dfw exclusions %+v", r.Analysis.Exclusions)
	}
	e, _ := findEffect(r.Analysis, "treat", "dfw")
	g, _ := findEffect(r.Analysis, "treat", "grade")
	if e.N1 != 17 || e.N2 != 20 || g.N1 != 20 {
		t.Errorf("analysed units: dfw %d/%d, grade %d", e.N1, e.N2, g.N1)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "excluded 3 units from the analysis of dfw: missing outcome") {
		t.Errorf("warnings: %q", r.Warnings)
	}
}

func TestRunErrors(t *testing.T) {
	s := validSpec()
	s.Outcomes[0].Kind = "ordinal"
	_, err := Run(s, "")
	var se *SpecError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `outcomes[0].kind: must be "binary" or "continuous", got "ordinal"`) {
		t.Errorf("bad spec: err = %v", err)
	}
	s = validSpec()
	s.Data = "nope.csv"
	if _, err := Run(s, t.TempDir()); err == nil || !strings.Contains(err.Error(), "nope.csv: no such file") {
		t.Errorf("missing data: err = %v", err)
	}
	// A unit in two arms is found when reading, with its lines.
	s = validSpec()
	s.Data = writeFile(t, "p.csv", goodCSV+"a,control,0,3,3,yes\n")
	var fe *DataFileError
	if _, err := Run(s, ""); !errors.As(err, &fe) || !strings.Contains(err.Error(), `unit "a" is in two arms: "treat" at line 2 and "control" here`) {
		t.Errorf("unit in two arms: err = %v", err)
	}
}

// TestRunSequentialZ checks monitoring with the z statistics given in the
// spec against the O'Brien-Fleming boundaries of three equally spaced
// looks (gsDesign sfLDOF: 3.7103, 2.5114, 1.9930; see abtest's example).
func TestRunSequentialZ(t *testing.T) {
	s, path := smallPilot(t, false)
	s.Data = path
	s.Sequential = &SequentialSpec{Looks: 3, Z: []float64{2.0, -2.6}}
	r, err := Run(s, "")
	if err != nil {
		t.Fatal(err)
	}
	q := r.Sequential
	if q.Source != "spec" || q.Arm != "treat" || q.Outcome != "dfw" || len(q.Boundaries) != 3 || len(q.Looks) != 2 {
		t.Fatalf("sequential %+v", q)
	}
	for i, want := range []float64{3.7103, 2.5114, 1.9930} {
		if math.Abs(q.Boundaries[i].Z-want) > 1e-4 {
			t.Errorf("boundary %d = %v, want %v", i+1, q.Boundaries[i].Z, want)
		}
	}
	if q.CrossedAt != 2 || q.Looks[0].Crossed || !q.Looks[1].Crossed {
		t.Errorf("crossed at %d, looks %+v; want look 2 (|−2.6| >= 2.5114)", q.CrossedAt, q.Looks)
	}
	if !strings.Contains(q.Statement, "look 2 at information 0.667 crossed the boundary") {
		t.Errorf("statement %q", q.Statement)
	}
}

func TestSig3(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0.012345, "0.0123"}, {1.2345, "1.23"}, {-12.345, "-12.3"}, {12345, "12345"}, {0, "0"}, {-0.0004, "-0.000400"}, {1e-9, "0.000000"}} {
		if got := Sig3(c.v); got != c.want {
			t.Errorf("Sig3(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestRunSequentialPlanOnly checks that a sequential table without
// statistics reports the boundaries and no look.
func TestRunSequentialPlanOnly(t *testing.T) {
	s, path := smallPilot(t, false)
	s.Data = path
	s.Sequential = &SequentialSpec{Looks: 2, Spending: "pocock"}
	r, err := Run(s, "")
	if err != nil {
		t.Fatal(err)
	}
	q := r.Sequential
	// Pocock-type spending by definition (Lan and DeMets 1983): alpha spent
	// by t is alpha·ln(1 + (e − 1)·t).
	if len(q.Looks) != 0 || len(q.Boundaries) != 2 || q.CrossedAt != 0 || !strings.HasSuffix(q.Statement, ": no look yet") {
		t.Fatalf("plan-only monitoring: %+v", q)
	}
	if spent := 0.05 * math.Log(1+(math.E-1)*0.5); math.Abs(q.Boundaries[0].CumulativeAlpha-spent) > 1e-12 {
		t.Errorf("alpha spent at look 1 = %v, want %v", q.Boundaries[0].CumulativeAlpha, spent)
	}
}

// TestSummaryDirectionsAndPower checks the plain summary of the shipped
// example: each outcome's direction in words (dfw falls, which is better;
// grade points rise, which is better), the power at the pilot's size in
// the text, and the words flipping when the spec says higher is better.
func TestSummaryDirectionsAndPower(t *testing.T) {
	s := exampleSpec(t)
	dir := filepath.Join("..", "experiments")
	r, err := Run(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := strings.Join(r.Summary, "\n")
	for _, want := range []string{
		"Outcome dfw (the primary outcome; lower is better): 29.0% with tutoring, 36.5% with control.",
		"Compared with control, tutoring lowered it by 6.6 percentage points, which is better.",
		"Outcome grade_points (a secondary outcome; higher is better).",
		"Compared with control, tutoring raised it by 0.253, which is better.",
		"It could be chance (adjusted p = 0.050).",
		"units in the control arm the pilot had a",
		"chance (its power) to detect the effect it was planned for; 80% was planned.",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if r.PowerAtPilotSize == nil || !(r.PowerAtPilotSize.Power > 0 && r.PowerAtPilotSize.Power < 1) || r.PowerAtPilotSize.Planned != 0.8 {
		t.Errorf("power at pilot size %+v", r.PowerAtPilotSize)
	}
	for _, line := range r.Summary {
		if len(line) > 220 {
			t.Errorf("summary sentence of %d characters, want short sentences: %q", len(line), line)
		}
	}
	// Completion instead of DFW: the same fall is now worse.
	s.Outcomes[0].Better = BetterHigher
	r, err = Run(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	sum = strings.Join(r.Summary, "\n")
	if !strings.Contains(sum, "tutoring lowered it by 6.6 percentage points, which is worse.") || !strings.Contains(sum, "higher is better") {
		t.Errorf("better = higher: summary\n%s", sum)
	}
}

func TestOutcomeBetterValidated(t *testing.T) {
	s := exampleSpec(t)
	s.Outcomes[1].Better = "up"
	var problems []string
	s.Check("abtests[0]", func(key, msg string) { problems = append(problems, key+": "+msg) })
	if got := strings.Join(problems, "\n"); !strings.Contains(got, `outcomes[1].better: must be "higher" or "lower"`) {
		t.Errorf("better = \"up\": problems %q", got)
	}
}
