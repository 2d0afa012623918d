package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), &out, &errOut, args)
	return out.String(), errOut.String(), err
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage:"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"validate"}, "validate takes one spec file"},
		{[]string{"run", "a.toml", "b.toml"}, "run takes one spec file, got 2 arguments"},
		{[]string{"demo", "x.toml"}, "demo takes no spec file"},
		{[]string{"synth", "csv"}, "synth needs a kind of data"},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"synth", "oulad"}, "evalrun synth oulad -o DIR"},
		{[]string{"run", "--nosuchflag"}, "flag provided but not defined: -nosuchflag"},
	}
	for _, c := range cases {
		_, stderr, err := runCLI(t, c.args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", c.args, err)
			continue
		}
		if !strings.Contains(err.Error()+stderr, c.want) {
			t.Errorf("%q: error %q / stderr %q do not mention %q", c.args, err, stderr, c.want)
		}
	}
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[experiment]\nname = \"x\"\ncolour = \"red\"\n"), 0o644)
	_, _, err := runCLI(t, "validate", bad)
	if err == nil || !strings.Contains(err.Error(), bad+":3: experiment.colour: unknown key") {
		t.Errorf("validate of a spec with an unknown key: err = %v", err)
	}
	stdout, _, err := runCLI(t, "validate", filepath.Join("..", "..", "experiments", "demo.toml"))
	if err != nil || !strings.HasSuffix(stdout, "demo.toml: ok\n") {
		t.Errorf("validate of the demo spec: stdout %q, err %v", stdout, err)
	}
}

func TestDemoAndSynth(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "cli-test-key-16-bytes")
	// One demo run serves this test and the JSON logs of TestRunLogs.
	stdout, stderr, err := runCLI(t, "demo", "--output", filepath.Join(dir, "demo"), "--log-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	checkRunLogs(t, stderr)
	for _, want := range []string{"split 2013-to-2014", "logistic", "missed-rule", "results written to " + filepath.Join(dir, "demo")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"results.json", "predictions.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, "demo", f)); err != nil {
			t.Errorf("demo run directory: %v", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "demo", "results.json")); err == nil {
		checkAgainstSchema(t, "results.schema.json", b, "the demo's results.json")
	}
	stdout, _, err = runCLI(t, "synth", "oulad", "-o", filepath.Join(dir, "synth"), "--students", "300")
	if err != nil || !strings.HasPrefix(stdout, "wrote 300 students") {
		t.Fatalf("synth: stdout %q, err %v", stdout, err)
	}
	for _, f := range []string{"courses.csv", "assessments.csv", "vle.csv", "studentInfo.csv", "studentRegistration.csv", "studentAssessment.csv", "studentVle.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "synth", f)); err != nil {
			t.Errorf("synth output: %v", err)
		}
	}
}

func TestAuditCommand(t *testing.T) {
	dir := t.TempDir()
	// 40 students per group; group B's at-risk students are missed more.
	var b strings.Builder
	b.WriteString("y,p,group\n")
	for i := 0; i < 80; i++ {
		g := "A"
		if i >= 40 {
			g = "B"
		}
		y := i % 2
		p := 0.2 + 0.6*float64(y)
		if g == "B" && y == 1 && i%4 == 1 {
			p = 0.1 // missed at-risk students of group B
		}
		fmt.Fprintf(&b, "%d,%g,%s\n", y, p, g)
	}
	path := filepath.Join(dir, "scores.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)

	stdout, _, err := runCLI(t, "audit", path, "--label", "y", "--score", "p", "--group", "group", "--min-group-size", "10", "--max", "fnr_difference=0.9", "--replicates", "200", "--permutations", "200")
	if err != nil {
		t.Fatalf("a bound of 0.9 on an FNR gap of 0.5 should pass: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "PASS") || !strings.Contains(stdout, "group (reference: A)") {
		t.Errorf("audit output lacks the verdict or the group table:\n%s", stdout)
	}
	_, _, err = runCLI(t, "audit", path, "--label", "y", "--score", "p", "--group", "group", "--min-group-size", "10", "--max", "fnr_difference=0.1", "--replicates", "200", "--permutations", "200")
	var gate exitError
	if !errors.As(err, &gate) || gate.code != 3 || !strings.Contains(gate.msg, "FAIL") {
		t.Errorf("an FNR gap of 0.5 against a bound of 0.1: err = %v, want exit status 3", err)
	}
	stdout, _, err = runCLI(t, "audit", "--json", path, "--label", "y", "--score", "p", "--group", "group", "--min-group-size", "10", "--replicates", "0", "--permutations", "0")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Rows       int `json:"rows"`
		Attributes []struct {
			Groups []struct {
				Group string `json:"group"`
				FNR   any    `json:"fnr"`
			} `json:"groups"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Rows != 80 || len(res.Attributes[0].Groups) != 2 {
		t.Errorf("--json output: %v, %+v", err, res)
	}
	checkAgainstSchema(t, "audit.schema.json", []byte(stdout), "audit --json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", path, "--label", "y"}, "--score COL --group COL"},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "g", "--threshold", "0.5", "--top-fraction", "0.3"}, "give one of --threshold, --top-fraction and --thresholds"},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "group", "--thresholds", "0.3,x"}, `--thresholds "0.3,x": "x" is not a number`},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "group", "--thresholds", "0.3,0.3"}, "0.3 appears twice"},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "group", "--key", "student"}, `no column "student"`},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "group", "--max", "flag_rate_difference=0.1"}, "selection_rate_difference, selection_rate_ratio"},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "group", "--band", "selection_rate_ratio=1.2:0.8"}, "want metric=low:high around 1"},
		{[]string{"audit", path, "--label", "y", "--score", "p", "--group", "nope"}, `no column "nope"`},
	} {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.args, err, c.want)
		}
	}
}

// TestRunLogs: --log-format must be text or json. The JSON logs of a
// whole run are checked by checkRunLogs on the demo run of
// TestDemoAndSynth (the demo is the costliest command to run twice).
func TestRunLogs(t *testing.T) {
	if _, _, err := runCLI(t, "demo", "--log-format", "xml"); !errors.Is(err, errUsage) {
		t.Errorf("--log-format xml: err = %v, want a usage error", err)
	}
}

// checkRunLogs checks the stderr of a run with --log-format json: one JSON
// record per line, loading, the loaded dataset and the written run, and
// no progress lines among them.
func checkRunLogs(t *testing.T, stderr string) {
	t.Helper()
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec struct {
			Msg   string `json:"msg"`
			Level string `json:"level"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		msgs = append(msgs, rec.Msg)
	}
	if strings.Join(msgs, "|") != "loading data|loaded dataset|run written" {
		t.Errorf("log messages %q", msgs)
	}
}

func TestDescribeCommand(t *testing.T) {
	spec := describeSpec(t)
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	stdout, _, err := runCLI(t, "describe", spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"event log clicks (joined to students): 240 students", "largest drops in active students", "weekly engagement patterns"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("describe output lacks %q:\n%s", want, stdout)
		}
	}
	// The log is described through day 28, inside week 4 (days 28-34): that
	// partial week must not show up as a drop in active students.
	if strings.Contains(stdout, "\n4     ") {
		t.Errorf("the partial week 4 is listed as a drop:\n%s", stdout)
	}
	stdout, _, err = runCLI(t, "describe", "--json", spec)
	var descs []struct {
		Description struct {
			Students []struct {
				Student string `json:"student"`
			} `json:"students"`
		} `json:"description"`
	}
	if err != nil || json.Unmarshal([]byte(stdout), &descs) != nil || len(descs) != 1 {
		t.Fatalf("describe --json: %v\n%s", err, stdout)
	}
	if s := descs[0].Description.Students[0].Student; len(s) != 16 || strings.HasPrefix(s, "S0") {
		t.Errorf("student %q is not a pseudonym", s)
	}
}

// TestAuditPredictionsFile audits a file shaped as evalrun's own
// predictions.csv: pooling its models and cutoffs is an error that names
// the filters; with them the audit runs; --thresholds sweeps.
func TestAuditPredictionsFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("dataset,cutoff,split,model,student,term,score,label,gender\n")
	for _, model := range []string{"lr", "rule"} {
		for _, cutoff := range []string{"14", "28"} {
			for i := 0; i < 60; i++ {
				g := []string{"F", "M"}[i%2]
				y := (i / 2) % 2
				fmt.Fprintf(&b, "oulad,%s,s,%s,k%02d,2014J,%.2f,%d,%s\n", cutoff, model, i, 0.1+0.5*float64(y)+0.005*float64(i), y, g)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "predictions.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	base := []string{"audit", path, "--label", "label", "--score", "score", "--group", "gender", "--min-group-size", "10", "--replicates", "0", "--permutations", "0"}

	_, _, err := runCLI(t, base...)
	if err == nil || !strings.Contains(err.Error(), `student "k00" appears again (first on line 2)`) || !strings.Contains(err.Error(), "model (lr, rule) and cutoff (14, 28): choose one with --model and --cutoff") {
		t.Errorf("pooled predictions: err = %v", err)
	}
	stdout, _, err := runCLI(t, append(base, "--model", "lr", "--cutoff", "28", "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var one struct {
		Rows int `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &one); err != nil || one.Rows != 60 {
		t.Errorf("filtered audit: rows %d, err %v, want 60", one.Rows, err)
	}
	stdout, _, err = runCLI(t, append(base, "--model", "lr", "--cutoff", "28", "--thresholds", "0.25,0.5,0.75", "--point", "--max", "selection_rate_difference=0.5", "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var sw struct {
		Status string `json:"status"`
		Sweep  []struct {
			Threshold float64 `json:"threshold"`
			Rows      int     `json:"rows"`
			Status    string  `json:"status"`
		} `json:"sweep"`
	}
	if err := json.Unmarshal([]byte(stdout), &sw); err != nil || len(sw.Sweep) != 3 || sw.Sweep[1].Threshold != 0.5 || sw.Sweep[2].Rows != 60 || sw.Status != "PASS" {
		t.Errorf("sweep JSON: err %v, %+v", err, sw)
	}
	checkAgainstSchema(t, "audit-sweep.schema.json", []byte(stdout), "audit --json --thresholds")
	stdout, _, err = runCLI(t, append(base, "--model", "lr", "--cutoff", "28", "--thresholds", "0.25,0.75")...)
	if err != nil || !strings.Contains(stdout, "fairness audit at 2 thresholds") || !strings.Contains(stdout, "THRESHOLD") && !strings.Contains(stdout, "threshold") {
		t.Errorf("sweep terminal output: err %v\n%s", err, stdout)
	}
	if _, _, err := runCLI(t, append(base, "--model", "gbm")...); err == nil || !strings.Contains(err.Error(), `no row matches model = "gbm"`) {
		t.Errorf("--model gbm: err = %v", err)
	}
}

// TestHelpAndVersion checks that help exits 0 with the usage on stdout,
// for the whole tool and for each command, and that --version names the
// build.
func TestHelpAndVersion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"usage:", "evalrun validate spec.toml", "evalrun audit scores.csv"}},
		{[]string{"-h"}, []string{"evalrun run [--output DIR]"}},
		{[]string{"help", "audit"}, []string{"evalrun audit scores.csv", "fairness audit of any scored CSV"}},
		{[]string{"validate", "--help"}, []string{"usage:\n  evalrun validate spec.toml", "check a spec and its data"}},
		{[]string{"run", "--help"}, []string{"evalrun run [--output DIR]", "flags:", "-quiet", "-allow-commands"}},
		{[]string{"audit", "scores.csv", "-h"}, []string{"evalrun audit scores.csv", "-thresholds", "-model", "-key"}},
		{[]string{"synth", "oulad", "--help"}, []string{"evalrun synth oulad -o DIR", "-students"}},
		{[]string{"synth", "--help"}, []string{"usage:\n  evalrun synth oulad -o DIR", "write synthetic OULAD-shaped tables"}},
		{[]string{"help", "--help"}, []string{"usage:", "evalrun validate spec.toml", "evalrun monitor BUNDLE"}},
		{[]string{"help", "abtest"}, []string{"evalrun abtest [--name PILOT]", "evalrun abtest lock"}},
		{[]string{"--version"}, []string{"evalrun ", " revision ", "go1."}},
		{[]string{"version"}, []string{"evalrun ", "go1."}},
	} {
		stdout, stderr, err := runCLI(t, c.args...)
		if err != nil {
			t.Errorf("%q: err = %v, want exit 0", c.args, err)
		}
		if stderr != "" {
			t.Errorf("%q: stderr %q, want the help on stdout", c.args, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%q: stdout lacks %q:\n%s", c.args, w, stdout)
			}
		}
	}
}

// TestProgressLines drives the non-terminal progress callback with a fake
// clock: the first and last evaluations always print, the others at most
// once per interval.
func TestProgressLines(t *testing.T) {
	var b bytes.Buffer
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	p := progressLines(&b, 10*time.Second, now)
	for i, step := range []time.Duration{1, 3, 3, 5, 1, 12, 1} { // seconds before each evaluation ends
		clock = clock.Add(step * time.Second)
		p(i+1, 7, fmt.Sprintf("model m%d", i+1))
	}
	want := "evalrun: 1/7 evaluations done (14%), 1s: model m1\n" +
		"evalrun: 4/7 evaluations done (57%), 12s: model m4\n" +
		"evalrun: 6/7 evaluations done (85%), 25s: model m6\n" +
		"evalrun: 7/7 evaluations done (100%), 26s: model m7\n"
	if b.String() != want {
		t.Errorf("progress lines:\n%s\nwant:\n%s", b.String(), want)
	}
	if progressFor(&b, true) != nil {
		t.Error("--quiet still shows progress")
	}
	b.Reset()
	if p := progressFor(&b, false); p == nil {
		t.Error("no progress on a non-terminal stderr")
	} else if p(1, 2, "x"); !strings.HasPrefix(b.String(), "evalrun: 1/2 evaluations done (50%)") {
		t.Errorf("non-terminal progress line %q", b.String())
	}
}
