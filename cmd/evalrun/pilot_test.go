package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/pilot"
)

var pilotSpec = filepath.Join("..", "..", "experiments", "pilot-tutoring.toml")
var pilotRoster = filepath.Join("..", "..", "experiments", "testdata", "pilot", "roster.csv")

// TestAbtestExample runs the shipped example pilot end to end and checks
// that the interval of the relative DFW reduction covers the planted 15%
// (pilot.ExampleRelativeReduction).
func TestAbtestExample(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := abtestCmd(context.Background(), &out, &errOut, []string{"--json", pilotSpec}); err != nil {
		t.Fatal(err)
	}
	var results []pilot.Result
	if err := json.Unmarshal(out.Bytes(), &results); err != nil {
		t.Fatalf("abtest --json output is not a JSON array of results: %v", err)
	}
	if len(results) != 1 || results[0].Analysis.Target == nil {
		t.Fatalf("want one result with a target comparison, got %d", len(results))
	}
	tc := results[0].Analysis.Target
	if !tc.CI.Contains(pilot.ExampleRelativeReduction) {
		t.Errorf("relative reduction CI [%v, %v] does not cover the planted %v", tc.CI.Lower, tc.CI.Upper, pilot.ExampleRelativeReduction)
	}
	out.Reset()
	if err := abtestCmd(context.Background(), &out, &errOut, []string{pilotSpec}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pilot tutoring:", "the 15% target lies inside the interval", "first_gen (pre-declared)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("abtest report lacks %q", want)
		}
	}
}

func TestPilotCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte(`[[abtests]]
name = "p"
data = "x.csv"
unit = "id"
arm = "arm"
arms = ["t", "c"]
control = "c"
colour = "red"
[[abtests.outcomes]]
name = "y"
kind = "ordinal"
primary = true
`), 0o644)
	none := filepath.Join(dir, "none.toml")
	os.WriteFile(none, []byte("[experiment]\nname = \"x\"\n"), 0o644)
	cases := []struct {
		name  string
		run   func() error
		want  string
		usage bool
	}{
		{"abtest without spec", func() error { return abtestCmd(context.Background(), sink(), sink(), nil) }, "evalrun abtest", true},
		{"abtest bad spec", func() error { return abtestCmd(context.Background(), sink(), sink(), []string{bad}) }, `abtests[0].outcomes[0].kind: must be "binary" or "continuous", got "ordinal"`, false},
		{"abtest unknown key", func() error { return abtestCmd(context.Background(), sink(), sink(), []string{bad}) }, "bad.toml:8: abtests[0].colour: unknown key", false},
		{"abtest no pilots", func() error { return abtestCmd(context.Background(), sink(), sink(), []string{none}) }, "no [[abtests]] table", false},
		{"abtest unknown name", func() error {
			return abtestCmd(context.Background(), sink(), sink(), []string{"--name", "x", pilotSpec})
		}, `has no pilot "x" (have: tutoring)`, true},
		{"power nothing", func() error { return powerCmd(sink(), sink(), nil) }, "give --p1", true},
		{"power spec and flags", func() error { return powerCmd(sink(), sink(), []string{"--spec", pilotSpec, "--p1", "0.3"}) }, "drop --p1", true},
		{"power bad rate", func() error { return powerCmd(sink(), sink(), []string{"--p1", "1.3", "--reduction", "0.1"}) }, "--p1 must be in (0, 1), got 1.3", true},
		{"power both effects", func() error {
			return powerCmd(sink(), sink(), []string{"--p1", "0.3", "--p2", "0.2", "--reduction", "0.1"})
		}, "not both", false},
		{"assign without output", func() error { return assignCmd(sink(), sink(), []string{pilotRoster, "--spec", pilotSpec}) }, "-o assignments.csv", true},
		{"assign missing roster", func() error {
			return assignCmd(sink(), sink(), []string{filepath.Join(dir, "nope.csv"), "--spec", pilotSpec, "-o", filepath.Join(dir, "a.csv")})
		}, "nope.csv: no such file", false},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
			continue
		}
		if errors.Is(err, errUsage) != c.usage {
			t.Errorf("%s: usage error = %v, want %v (%v)", c.name, errors.Is(err, errUsage), c.usage, err)
		}
	}
}

func sink() *bytes.Buffer { return &bytes.Buffer{} }

func TestPowerCommand(t *testing.T) {
	var out bytes.Buffer
	// R 4.2: power.prop.test(p1 = 0.3, p2 = 0.255, power = 0.8)$n = 1553.04;
	// times the design effect 1 + 24 × 0.02 = 1.48 that is 2298.5 units,
	// 92 sections of 25 per arm.
	if err := powerCmd(&out, sink(), []string{"--p1", "0.3", "--reduction", "0.15", "--icc", "0.02", "--cluster-size", "25"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"92 treatment and 92 control clusters of 25: 2300 units per arm", "power curve", "0.800"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("power output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := powerCmd(&out, sink(), []string{"--spec", pilotSpec, "--json"}); err != nil {
		t.Fatal(err)
	}
	var res pilot.PowerOutput
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	// The example design: 28% -> 23.8%, clusters of 28, ICC 0.02, so
	// design effect 1.54.
	if res.SampleSize == nil || res.SampleSize.DesignEffect != 1+27*0.02 || res.Request.ControlRate != 0.28 {
		t.Errorf("power --spec: %+v", res.SampleSize)
	}
}

func readAssignments(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs[1:] {
		out[r[0]] = r[1]
	}
	return out
}

// TestAssignCommandDeterministic checks through the command that the same
// seed writes the same file, and that adding roster rows with the earlier
// file as --previous never changes an existing assignment.
func TestAssignCommandDeterministic(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a1.csv"), filepath.Join(dir, "a2.csv")
	var out bytes.Buffer
	if err := assignCmd(&out, sink(), []string{pilotRoster, "--spec", pilotSpec, "-o", first}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "assignments written to") || !strings.Contains(out.String(), "balance:") {
		t.Errorf("assign output lacks the balance table or the file:\n%s", out.String())
	}
	if err := assignCmd(sink(), sink(), []string{"--spec", pilotSpec, "-o", second, pilotRoster}); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(first)
	b2, _ := os.ReadFile(second)
	if !bytes.Equal(b1, b2) || len(b1) == 0 {
		t.Fatal("two runs with the same seed wrote different files")
	}
	if !strings.HasPrefix(string(b1), "student_id,arm,course,section\n") {
		t.Errorf("assignment header: %q", strings.SplitN(string(b1), "\n", 2)[0])
	}
	// Late enrollees: two new sections and a student added to an existing one.
	roster, _ := os.ReadFile(pilotRoster)
	grown := filepath.Join(dir, "roster2.csv")
	extra := "S90001,MATH101,MATH101-2026FA-06,no,3.10\nS90002,MATH101,MATH101-2026FA-06,yes,2.40\n" +
		"S90003,CHEM101,CHEM101-2026FA-07,no,2.90\nS90004,CHEM101,CHEM101-2026FA-01,no,3.30\n"
	os.WriteFile(grown, append(append([]byte(nil), roster...), extra...), 0o644)
	third := filepath.Join(dir, "a3.csv")
	if err := assignCmd(sink(), sink(), []string{grown, "--spec", pilotSpec, "--previous", first, "-o", third}); err != nil {
		t.Fatal(err)
	}
	before, after := readAssignments(t, first), readAssignments(t, third)
	for id, arm := range before {
		if after[id] != arm {
			t.Errorf("unit %s changed arm from %s to %s after adding rows", id, arm, after[id])
		}
	}
	if len(after) != len(before)+4 {
		t.Errorf("%d assignments after adding 4 units to %d", len(after), len(before))
	}
	// S90004 joins an existing section: it gets that section's arm.
	var sectionArm string
	for _, line := range strings.Split(string(b1), "\n") {
		if strings.HasSuffix(line, ",CHEM101-2026FA-01") {
			sectionArm = strings.Split(line, ",")[1]
			break
		}
	}
	if after["S90004"] != sectionArm {
		t.Errorf("late enrollee in section CHEM101-2026FA-01 got %s, the section is in %s", after["S90004"], sectionArm)
	}
}

// TestPilotBalanceSuppressesSmallLevels: attribute levels held by fewer
// than min_group_size students are left out of the pilot's balance tables
// in every output (results.json, report.md, report.html, the CSVs, the
// terminal and abtest --json), which say instead how many were suppressed;
// one attribute is a subgroup (the plan's balance), the other is not (the
// extra balance).
func TestPilotBalanceSuppressesSmallLevels(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	dir := t.TempDir()
	f, err := os.Open(filepath.Join(filepath.Dir(pilotSpec), "testdata", "pilot", "tutoring.csv"))
	must(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	must(t, err)
	// 9 students on the satellite campus and 7 speaking Klingon, against
	// min_group_size 10; both levels are also spread over both arms.
	rows[0] = append(rows[0], "campus", "language")
	for i, r := range rows[1:] {
		campus, language := "main", "english"
		if i%150 == 0 {
			campus = "satellite"
		}
		if i%185 == 3 {
			language = "klingon"
		}
		rows[i+1] = append(r, campus, language)
	}
	must(t, os.MkdirAll(filepath.Join(dir, "testdata", "pilot"), 0o755))
	var b bytes.Buffer
	must(t, csv.NewWriter(&b).WriteAll(rows))
	must(t, os.WriteFile(filepath.Join(dir, "testdata", "pilot", "tutoring.csv"), b.Bytes(), 0o644))
	src, err := os.ReadFile(pilotSpec)
	must(t, err)
	spec := strings.Replace(string(src), `attributes = ["first_gen", "pell"]`, `attributes = ["first_gen", "pell", "campus", "language"]`, 1)
	spec = strings.Replace(spec, "\nattribute = \"pell\"", "\nattribute = \"campus\"", 1)
	specFile := filepath.Join(dir, "pilot.toml")
	must(t, os.WriteFile(specFile, []byte(spec), 0o644))

	out := filepath.Join(dir, "run")
	stdout, _, err := runCLI(t, "run", "--quiet", "--output", out, specFile)
	must(t, err)
	outputs := map[string]string{"terminal": stdout}
	var jsonOut, errOut bytes.Buffer
	must(t, abtestCmd(context.Background(), &jsonOut, &errOut, []string{"--json", specFile}))
	outputs["abtest --json"] = jsonOut.String()
	entries, err := os.ReadDir(out)
	must(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			b, err := os.ReadFile(filepath.Join(out, e.Name()))
			must(t, err)
			outputs[e.Name()] = string(b)
		}
	}
	for _, name := range []string{"results.json", "report.md", "report.html", "abtest.csv"} {
		if _, ok := outputs[name]; !ok {
			t.Fatalf("the run wrote no %s", name)
		}
	}
	for name, text := range outputs {
		for _, small := range []string{"satellite", "klingon"} {
			if strings.Contains(text, small) {
				t.Errorf("%s shows the small level %q", name, small)
			}
		}
		if !strings.HasSuffix(name, ".csv") && name != "manifest.json" && !strings.HasPrefix(name, ".") {
			for _, says := range []string{"1 level of campus with fewer than 10 units", "1 level of language with fewer than 10 units"} {
				if !strings.Contains(text, says) {
					t.Errorf("%s does not say %q", name, says)
				}
			}
		}
	}
	var results []pilot.Result
	must(t, json.Unmarshal(jsonOut.Bytes(), &results))
	r := results[0]
	found := 0
	for _, bal := range [][]abtest.ArmBalance{r.Analysis.Checks.Balance, r.ExtraBalance} {
		for _, ab := range bal {
			for _, sl := range ab.Suppressed {
				if (sl.Covariate == "campus" || sl.Covariate == "language") && sl.Levels == 1 && sl.MinGroupSize == 10 {
					found++
				}
			}
			for _, row := range ab.Rows {
				if (row.Covariate == "campus" || row.Covariate == "language") && (row.MeanTreated != 1 || row.MeanControl != 1) {
					t.Errorf("%s=%s: shares %v and %v, want 1 among the levels shown", row.Covariate, row.Level, row.MeanTreated, row.MeanControl)
				}
			}
		}
	}
	if found != 2 {
		t.Errorf("%d suppression records, want campus (plan balance) and language (extra balance)", found)
	}
}
