package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/evalrun/evalrun/pilot"
)

// examplePilot runs the shipped example pilot (experiments/pilot-tutoring.toml).
func pilotExampleResult(t *testing.T) *pilot.Result {
	t.Helper()
	var f struct {
		Abtests []pilot.Spec `toml:"abtests"`
	}
	dir := filepath.Join("..", "experiments")
	if _, err := toml.DecodeFile(filepath.Join(dir, "pilot-tutoring.toml"), &f); err != nil {
		t.Fatal(err)
	}
	r, err := pilot.Run(f.Abtests[0], dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkGolden compares got with testdata/name (rewritten with -update) and
// checks that every line fits in 100 columns.
func pilotCheckGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		path := filepath.Join(t.TempDir(), name+".got")
		os.WriteFile(path, got, 0o644)
		t.Errorf("output differs from %s; got written to %s:\n%s", golden, path, got)
	}
	for i, line := range strings.Split(string(got), "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("%s line %d is %d columns wide, want at most 100: %q", name, i+1, n, line)
		}
	}
}

func TestWritePilotGolden(t *testing.T) {
	r := pilotExampleResult(t)
	var buf bytes.Buffer
	if err := WritePilot(&buf, r); err != nil {
		t.Fatal(err)
	}
	pilotCheckGolden(t, "pilot.golden", buf.Bytes())
	out := buf.String()
	// Checks come before effects, and the target statement is shown.
	order := []string{"\nchecks\n", "sample ratio mismatch:", "attrition:", "balance:", "\neffects:", "first_gen (pre-declared)", "pell (exploratory)", "\ncompliance:", "\ntarget\n", "the 15% target lies inside the interval", "\nsummary\n"}
	at := 0
	for _, s := range order {
		i := strings.Index(out[at:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in the pilot report", s)
		}
		at += i
	}
}

// TestWritePilotSRMFirst checks that a sample ratio mismatch alarm is shown
// before the checks and effects.
func TestWritePilotSRMFirst(t *testing.T) {
	r := pilotExampleResult(t)
	r.Analysis.Checks.SRM.Alarm = true
	r.Analysis.Checks.SRM.Warnings = []string{"SAMPLE RATIO MISMATCH: arm sizes differ from the planned allocation"}
	var buf bytes.Buffer
	if err := WritePilot(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	srm, checks := strings.Index(out, "!! SAMPLE RATIO MISMATCH"), strings.Index(out, "\nchecks\n")
	if srm < 0 || srm > checks {
		t.Errorf("SRM alarm at %d, checks at %d: the alarm must come first:\n%s", srm, checks, out)
	}
	if !strings.Contains(out, "): MISMATCH") {
		t.Errorf("the SRM line does not say MISMATCH:\n%s", out)
	}
}

func TestWritePowerGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, req := range []pilot.PowerRequest{
		// The design of issue 6: DFW 30% -> 25.5%, sections of 25, ICC 0.02.
		{ControlRate: 0.3, RelativeReduction: 0.15, Alpha: 0.05, Power: 0.8, ICC: 0.02, ClusterSize: 25},
		// Power and MDE of two means at n = 100 per arm.
		{MeanDifference: 0.3, SD: 1, N: 100},
	} {
		out, err := pilot.Power(req)
		if err != nil {
			t.Fatal(err)
		}
		if err := WritePower(&buf, &out); err != nil {
			t.Fatal(err)
		}
		buf.WriteString("\n")
	}
	pilotCheckGolden(t, "pilot-power.golden", buf.Bytes())
}

func TestWriteAssignmentGolden(t *testing.T) {
	var f struct {
		Abtests []pilot.Spec `toml:"abtests"`
	}
	dir := filepath.Join("..", "experiments")
	if _, err := toml.DecodeFile(filepath.Join(dir, "pilot-tutoring.toml"), &f); err != nil {
		t.Fatal(err)
	}
	out, err := pilot.Assign(filepath.Join(dir, "testdata", "pilot", "roster.csv"), f.Abtests[0], "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAssignment(&buf, &out); err != nil {
		t.Fatal(err)
	}
	pilotCheckGolden(t, "pilot-assign.golden", buf.Bytes())
}
