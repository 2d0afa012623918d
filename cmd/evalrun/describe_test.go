package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describeSpec writes a spec joining the harness test data's event log
// (testdata/clicks.csv) to its student table and returns its path.
func describeSpec(t *testing.T) string {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "events.toml")
	abs, err := filepath.Abs(filepath.Join("..", "..", "harness", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf(`[experiment]
name = "describe-output"
[[datasets]]
name = "students"
kind = "csv"
path = %q
id = "student_id"
label = "dfw"
term = "term"
features = ["gpa"]
[[datasets]]
name = "clicks"
kind = "events"
join = "students"
cutoff_days = [28]
[[datasets.sources]]
path = %q
[datasets.sources.columns]
student = ["student_id"]
timestamp = "day"
time_format = "day"
action = "verb"
resource = "resource"
resource_type = "resource_type"
count = "clicks"
[[models]]
name = "lr"
kind = "logistic"
[[splits]]
name = "s"
kind = "temporal"
train = ["2021F", "2022S"]
test = ["2022F", "2023S"]
`, filepath.Join(abs, "students.csv"), filepath.Join(abs, "clicks.csv"))
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestDescribeOutput writes describe.json and the plots of the event log,
// replaces a previous directory it wrote whole, refuses one holding a file
// it did not write (which survives byte for byte), and leaves no temporary
// directory.
func TestDescribeOutput(t *testing.T) {
	spec := describeSpec(t)
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	parent := t.TempDir()
	out := filepath.Join(parent, "described")
	for i := 0; i < 2; i++ { // the second describe replaces the first
		stdout, _, err := runCLI(t, "describe", "--output", out, spec)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "event log clicks (joined to students)") || !strings.Contains(stdout, "description and plots written to "+out) {
			t.Errorf("stdout:\n%s", stdout)
		}
	}
	stale := filepath.Join(out, "notes.txt")
	mine := []byte("the user's own notes")
	if err := os.WriteFile(stale, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "describe", "--output", out, spec)
	if err == nil || !strings.Contains(err.Error(), stale) || !strings.Contains(err.Error(), "not written by evalrun") || strings.Contains(stdout, "written") {
		t.Errorf("describe over a file it did not write: err = %v, stdout:\n%s", err, stdout)
	}
	if b, err := os.ReadFile(stale); err != nil || !bytes.Equal(b, mine) {
		t.Errorf("the user's file changed: %q, %v", b, err)
	}
	if err := os.Remove(stale); err != nil {
		t.Fatal(err)
	}
	var names []string
	filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, path)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	want := ".evalrun-dir.json describe.json plots/activity-timeline_clicks.png plots/activity-timeline_clicks.svg plots/engagement-heatmap_clicks.png plots/engagement-heatmap_clicks.svg"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files %q, want %q", got, want)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 2 || entries[0].Name() != ".described.evalrun-lock" || entries[1].Name() != "described" {
		t.Errorf("parent holds %v, want only the output directory and its lock file (no temporary one)", entries)
	}

	// describe.json is what --json prints: pseudonymous student keys.
	data, err := os.ReadFile(filepath.Join(out, "describe.json"))
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, _, err := runCLI(t, "describe", "--json", spec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, []byte(jsonOut)) {
		t.Error("describe.json differs from the output of describe --json")
	}
	checkAgainstSchema(t, "describe.schema.json", data, "describe.json")
	var descs []struct {
		Dataset     string `json:"dataset"`
		Description struct {
			Students []struct {
				Student string `json:"student"`
			} `json:"students"`
			Heatmap struct {
				ResourceTypes []string `json:"resource_types"`
			} `json:"heatmap"`
		} `json:"description"`
	}
	if err := json.Unmarshal(data, &descs); err != nil || len(descs) != 1 {
		t.Fatalf("describe.json: %v (%d logs)", err, len(descs))
	}
	if s := descs[0].Description.Students[0].Student; len(s) != 16 || strings.HasPrefix(s, "S0") {
		t.Errorf("student %q is not a pseudonym", s)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(name) {
		case ".png":
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case ".svg":
			d := xml.NewDecoder(bytes.NewReader(b))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s is not well-formed XML: %v", name, err)
					break
				}
			}
			if !bytes.Contains(b, []byte("<title id=")) || !bytes.Contains(b, []byte("<desc id=")) {
				t.Errorf("%s lacks <title> or <desc>", name)
			}
		}
	}
	// The heatmap names every resource type of the log.
	heat, _ := os.ReadFile(filepath.Join(out, "plots", "engagement-heatmap_clicks.svg"))
	for _, rt := range descs[0].Description.Heatmap.ResourceTypes {
		if !bytes.Contains(heat, []byte(">"+rt+"<")) {
			t.Errorf("heatmap lacks the resource type %s", rt)
		}
	}
}

// TestDescribeOutputError: an output directory that cannot be created is
// an error, and nothing is printed as written.
func TestDescribeOutputError(t *testing.T) {
	spec := describeSpec(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "describe", "--output", filepath.Join(file, "out"), spec)
	if err == nil || !strings.Contains(err.Error(), "cannot create its parent directory") {
		t.Errorf("output under a file: err = %v", err)
	}
	if strings.Contains(stdout, "written") {
		t.Errorf("stdout claims a write:\n%s", stdout)
	}
}

// TestDescribeOneTerm describes a log of one term's students with a spec
// that declares no model or split: the other terms' students are left out
// with a warning, not counted as never active; --term picks one term.
func TestDescribeOneTerm(t *testing.T) {
	dir := t.TempDir()
	abs, err := filepath.Abs(filepath.Join("..", "..", "harness", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	students, err := os.ReadFile(filepath.Join(abs, "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	fall := map[string]bool{}
	for _, line := range strings.Split(string(students), "\n")[1:] {
		if f := strings.Split(line, ","); len(f) > 1 && f[1] == "2021F" {
			fall[f[0]] = true
		}
	}
	clicks, err := os.ReadFile(filepath.Join(abs, "clicks.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(clicks)), "\n")
	kept := []string{lines[0]}
	for _, line := range lines[1:] {
		if fall[strings.Split(line, ",")[0]] {
			kept = append(kept, line)
		}
	}
	log := filepath.Join(dir, "fall-clicks.csv")
	os.WriteFile(log, []byte(strings.Join(kept, "\n")+"\n"), 0o644)
	spec := filepath.Join(dir, "describe.toml")
	os.WriteFile(spec, []byte(fmt.Sprintf(`[experiment]
name = "describe-one-term"
[[datasets]]
name = "students"
kind = "csv"
path = %q
id = "student_id"
label = "dfw"
term = "term"
features = ["gpa"]
[[datasets]]
name = "clicks"
kind = "events"
join = "students"
cutoff_days = [28]
[[datasets.sources]]
path = %q
[datasets.sources.columns]
student = ["student_id"]
timestamp = "day"
time_format = "day"
action = "verb"
resource = "resource"
resource_type = "resource_type"
count = "clicks"
`, filepath.Join(abs, "students.csv"), log)), 0o644)
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	stdout, _, err := runCLI(t, "describe", "--json", spec)
	if err != nil {
		t.Fatal(err)
	}
	var descs []struct {
		Description struct {
			Students    []json.RawMessage `json:"students"`
			NeverActive int               `json:"never_active"`
			Warnings    []string          `json:"warnings"`
		} `json:"description"`
	}
	if err := json.Unmarshal([]byte(stdout), &descs); err != nil || len(descs) != 1 {
		t.Fatalf("describe --json: %v", err)
	}
	d := descs[0].Description
	if len(d.Students) != len(fall) || d.NeverActive >= len(fall) {
		t.Errorf("%d students (%d never active), want the %d students of 2021F only", len(d.Students), d.NeverActive, len(fall))
	}
	if w := strings.Join(d.Warnings, "\n"); !strings.Contains(w, "180 students of term(s) 2022S, 2022F, 2023S left out: the log holds no event of any student of those terms") &&
		!strings.Contains(w, "180 students of term(s)") {
		t.Errorf("warnings %q do not say which terms were left out", d.Warnings)
	}
	checkAgainstSchema(t, "describe.schema.json", []byte(stdout), "describe --json of one term")

	if _, _, err := runCLI(t, "describe", "--term", "2021F", "--json", spec); err != nil {
		t.Errorf("--term 2021F: %v", err)
	}
	if _, _, err := runCLI(t, "describe", "--term", "1999X", spec); err == nil || !strings.Contains(err.Error(), `no term "1999X"`) {
		t.Errorf("--term 1999X: err = %v", err)
	}
	// The same spec has nothing to run.
	if _, _, err := runCLI(t, "run", spec); err == nil || !strings.Contains(err.Error(), "nothing to run; evalrun describe") {
		t.Errorf("run of a describe-only spec: err = %v", err)
	}
}

// TestDescribeShippedSpec describes the shipped event-log example, whole
// and for one term, and checks the JSON against its schema.
func TestDescribeShippedSpec(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	spec := filepath.Join("..", "..", "experiments", "lms-engagement.toml")
	stdout, _, err := runCLI(t, "describe", "--json", spec)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSchema(t, "describe.schema.json", []byte(stdout), "describe --json of experiments/lms-engagement.toml")
	var all []struct {
		Description struct {
			Students []json.RawMessage `json:"students"`
		} `json:"description"`
	}
	if err := json.Unmarshal([]byte(stdout), &all); err != nil || len(all) != 1 || len(all[0].Description.Students) != 240 {
		t.Fatalf("describe: %v, %d logs", err, len(all))
	}
	stdout, _, err = runCLI(t, "describe", "--json", "--term", "2023S", spec)
	if err := json.Unmarshal([]byte(stdout), &all); err != nil || len(all[0].Description.Students) != 60 {
		t.Errorf("--term 2023S: %v; want the 60 students of that term", err)
	}
	if out, _, err := runCLI(t, "validate", spec); err != nil || !strings.Contains(out, "ok") {
		t.Errorf("validate: %v %s", err, out)
	}
}

// TestShippedEventSpecModelsEngagement: evalrun run of the shipped
// event-log example fits its logistic model on the log's engagement
// columns as well as the student table's, at every cutoff (it once listed
// only the table's columns, so the joined clicks were silently unused and
// days 14 and 28 gave identical models).
func TestShippedEventSpecModelsEngagement(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	out := filepath.Join(t.TempDir(), "run")
	spec := filepath.Join("..", "..", "experiments", "lms-engagement.toml")
	if _, _, err := runCLI(t, "run", "--quiet", "--output", out, spec); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Evaluations []struct {
			Model  string `json:"model"`
			Cutoff int    `json:"cutoff"`
			Fit    struct {
				Coefficients map[string]float64 `json:"coefficients"`
			} `json:"fit"`
		} `json:"evaluations"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	cutoffs := map[int]bool{}
	for _, e := range res.Evaluations {
		if e.Model != "logistic" {
			continue
		}
		cutoffs[e.Cutoff] = true
		for _, f := range []string{"clicks_total", "active_days", "days_since_last_activity", "activity_trend", "gpa"} {
			if _, ok := e.Fit.Coefficients[f]; !ok {
				t.Errorf("day %d: the logistic model has no %s coefficient (coefficients %v)", e.Cutoff, f, e.Fit.Coefficients)
			}
		}
	}
	if !cutoffs[14] || !cutoffs[28] {
		t.Errorf("logistic evaluations at days %v, want 14 and 28", cutoffs)
	}
}
