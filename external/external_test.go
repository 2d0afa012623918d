package external

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/models"
)

// TestMain lets the test binary act as a user's model program: with
// EXTERNAL_TEST_PROGRAM set it behaves as that program and exits.
func TestMain(m *testing.M) {
	if mode := os.Getenv("EXTERNAL_TEST_PROGRAM"); mode != "" {
		os.Exit(fakeProgram(mode, os.Args[len(os.Args)-3:]))
	}
	os.Exit(m.Run())
}

// fakeProgram scores each row of score.csv by its first feature (args:
// train, score, output), or misbehaves as mode says.
func fakeProgram(mode string, args []string) int {
	train, score, output := args[0], args[1], args[2]
	if _, err := os.Stat(train); err != nil {
		fmt.Fprintln(os.Stderr, "no training file:", err)
		return 3
	}
	switch mode {
	case "fail":
		for i := 1; i <= 15; i++ {
			fmt.Fprintf(os.Stderr, "traceback line %d\n", i)
		}
		return 7
	case "sleep":
		time.Sleep(5 * time.Second)
		return 0
	}
	f, err := os.Open(score)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var b strings.Builder
	b.WriteString("key,score\n")
	for i, r := range recs[1:] {
		if mode == "skip-last" && i == len(recs)-2 {
			break
		}
		fmt.Fprintf(&b, "%s,%s\n", r[0], r[2])
		if mode == "duplicate" && i == 0 {
			fmt.Fprintf(&b, "%s,%s\n", r[0], r[2])
		}
	}
	fmt.Fprintln(os.Stderr, "scored", len(recs)-1, "rows")
	if err := os.WriteFile(output, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func testRows() (models.TrainingSet, models.Rows) {
	train := models.TrainingSet{
		Rows: models.Rows{
			X:     &models.Matrix{Rows: 3, Cols: 2, Data: []float64{0.1, 1, 0.9, 2, 0.4, 3}, Names: []string{"risk", "other"}},
			Keys:  []string{"2013/a", "2013/b", "2013/c"},
			Terms: []string{"2013", "2013", "2013"},
		},
		Y: []uint8{0, 1, 0},
	}
	test := models.Rows{
		X:     &models.Matrix{Rows: 2, Cols: 2, Data: []float64{0.25, 5, 0.75, 6}, Names: []string{"risk", "other"}},
		Keys:  []string{"2014/d", "2014/e"},
		Terms: []string{"2014", "2014"},
	}
	return train, test
}

func commandModel(t *testing.T, mode string, timeout time.Duration) (*FittedCommand, models.Rows) {
	t.Helper()
	t.Setenv("EXTERNAL_TEST_PROGRAM", mode)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	train, test := testRows()
	m := Command{Config: CommandConfig{Argv: []string{exe, "{train}", "{score}", "{output}"}, Timeout: timeout}}
	fitted, err := m.Fit(context.Background(), train, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fitted.(*FittedCommand), test
}

func TestCommandRoundTrip(t *testing.T) {
	f, test := commandModel(t, "ok", 0)
	scores, err := f.Predict(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 2 || scores[0] != 0.25 || scores[1] != 0.75 {
		t.Errorf("scores = %v, want the first feature [0.25 0.75]", scores)
	}
	if !strings.Contains(f.Stderr.String(), "scored 2 rows") {
		t.Errorf("stderr not kept: %q", f.Stderr.String())
	}
}

func TestCommandFailures(t *testing.T) {
	cases := []struct {
		mode    string
		timeout time.Duration
		want    []string
	}{
		{"fail", 0, []string{"failed with exit code 7", "traceback line 15", "traceback line 6"}},
		{"sleep", 200 * time.Millisecond, []string{"timed out after 200ms"}},
		{"skip-last", 0, []string{`has no score for 1 of 2 rows: "2014/e"`}},
		{"duplicate", 0, []string{`:3: duplicate key "2014/d" (first on line 2)`}},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			f, test := commandModel(t, c.mode, c.timeout)
			_, err := f.Predict(context.Background(), test)
			if err == nil {
				t.Fatalf("Predict succeeded; want an error containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if c.mode == "fail" && strings.Contains(err.Error(), "traceback line 5\n") {
				t.Errorf("error quotes more than the last %d lines of stderr: %q", StderrTailLines, err)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "preds.csv")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPredictionsFile(t *testing.T) {
	path := writeFile(t, "key,split,cutoff,score\n2014/d,s1,28,0.3\n2014/e,s1,28,0.8\n2014/d,s1,14,0.1\n2014/e,s1,14,0.2\n")
	p, err := LoadPredictions(PredictionsConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	_, test := testRows()
	fitted, err := p.Model("s1", "28").Fit(context.Background(), models.TrainingSet{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fitted.Predict(context.Background(), test)
	if err != nil || got[0] != 0.3 || got[1] != 0.8 {
		t.Errorf("cutoff 28 scores = %v (err %v), want [0.3 0.8]", got, err)
	}
	fitted, _ = p.Model("s1", "14").Fit(context.Background(), models.TrainingSet{}, nil)
	if got, _ := fitted.Predict(context.Background(), test); got[0] != 0.1 || got[1] != 0.2 {
		t.Errorf("cutoff 14 scores = %v, want [0.1 0.2]", got)
	}
	fitted, _ = p.Model("s2", "28").Fit(context.Background(), models.TrainingSet{}, nil)
	_, err = fitted.Predict(context.Background(), test)
	if err == nil || !strings.Contains(err.Error(), `has no score for 2 of 2 rows of split "s2" and cutoff "28": "2014/d", "2014/e"`) {
		t.Errorf("missing split: err = %v", err)
	}
}

func TestPredictionsFileErrors(t *testing.T) {
	cases := []struct{ content, want string }{
		{"", "empty file"},
		{"id,split,score\n", `:1: missing column "key"`},
		{"key,split,score\na,s,0.5\nb,s,high\n", `:3: field "score": invalid score "high"`},
		{"key,split,score\na,s,0.5\nb,s,NaN\n", `:3: field "score": invalid score "NaN"`},
		{"key,split,score\na,s,0.5\nb,s,0.1\na,s,0.7\n", `:4: duplicate key "a" for split "s" (first on line 2)`},
		{"key,split,score\n,s,0.5\n", `:2: field "key": empty key`},
	}
	for i, c := range cases {
		path := writeFile(t, c.content)
		_, err := LoadPredictions(PredictionsConfig{Path: path})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("case %d: err = %v, want one naming %s and containing %q", i, err, path, c.want)
		}
	}
	// The same key in two splits is not a duplicate.
	path := writeFile(t, "key,split,score\na,s1,0.5\na,s2,0.5\n")
	if p, err := LoadPredictions(PredictionsConfig{Path: path}); err != nil || p.Rows() != 2 {
		t.Errorf("a key in two splits: err = %v", err)
	}
}
