package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/pilot"
)

// TestBadSpecs parses every spec in testdata/badspecs. Each file lists the
// messages its error must contain in leading "# want:" lines.
func TestBadSpecs(t *testing.T) {
	files, err := filepath.Glob("testdata/badspecs/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad specs found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var wants []string
			for _, line := range strings.Split(string(b), "\n") {
				if w, ok := strings.CutPrefix(line, "# want: "); ok {
					wants = append(wants, w)
				}
			}
			if len(wants) == 0 {
				t.Fatalf("%s has no # want: lines", file)
			}
			_, err = ParseSpec(filepath.Base(file), ".", b)
			if err == nil {
				t.Fatalf("ParseSpec accepted a bad spec; want errors %q", wants)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q; got:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseSpecDefaults(t *testing.T) {
	src := `[experiment]
name = "week4"
seed = 7

[[datasets]]
name = "d"
kind = "synthetic-oulad"
cutoff_days = [14, 28]
positive = ["Fail", "Withdrawn"]

[[models]]
name = "lr"
kind = "logistic"
C = 0.25

[[models]]
name = "rule"
kind = "rule"
feature = "missed"

[[splits]]
name = "roll"
kind = "rolling"
terms = ["2013B", "2013J", "2014B", "2014J"]
min_train = 2
`
	s, err := ParseSpec("week4.toml", "/specs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.Experiment.Output != filepath.Join("runs", "week4") {
		t.Errorf("default output = %q, want runs/week4", s.Experiment.Output)
	}
	if s.Datasets[0].Missing != "impute" || s.Datasets[0].Impute != "median" {
		t.Errorf("missing-value defaults = %q/%q, want impute/median", s.Datasets[0].Missing, s.Datasets[0].Impute)
	}
	lp, ok := s.Models[0].Params.(*logisticParams)
	if !ok || lp.C == nil || *lp.C != 0.25 {
		t.Errorf("logistic params = %#v, want C = 0.25", s.Models[0].Params)
	}
	rp, ok := s.Models[1].Params.(*ruleParams)
	if !ok || rp.Feature != "missed" {
		t.Errorf("rule params = %#v, want feature missed", s.Models[1].Params)
	}
	if got := s.thresholdPolicy(); got.Kind != "top_fraction" || got.Fraction != 0.3 {
		t.Errorf("default threshold policy = %+v, want top_fraction 0.3", got)
	}
	folds := expandSplits(s, "d")
	var names []string
	for _, f := range folds {
		names = append(names, f.split+":"+strings.Join(f.trainTerms, "+")+">"+strings.Join(f.testTerms, "+"))
	}
	want := "roll/2014B:2013B+2013J>2014B roll/2014J:2013B+2013J+2014B>2014J"
	if strings.Join(names, " ") != want {
		t.Errorf("rolling folds = %q, want %q", strings.Join(names, " "), want)
	}
	if s.ResolvePath("data/x.csv") != filepath.Join("/specs", "data/x.csv") {
		t.Errorf("ResolvePath = %q", s.ResolvePath("data/x.csv"))
	}
}

func TestScanKeyLines(t *testing.T) {
	src := `# comment
[experiment]
name = "x"  # trailing
seed = 3

[[datasets]]
name = "a"
groups = [
  "gender",
  "age_band",
]
[[datasets]]
name = "b"
"quoted.key" = 1

[metrics]
threshold = { top_fraction = 0.3, min_cost = { false_negative = 5, false_positive = 1 } }
desc = """
name = "not a key"
"""
after = 1
[models.grid]
C = [0.1, 1]
`
	lines := scanKeyLines(src)
	cases := map[string]int{
		"experiment":                                2,
		"experiment.seed":                           4,
		"datasets[0].groups":                        8,
		"datasets[1]":                               12,
		"datasets[1].name":                          13,
		"datasets[1].quoted.key":                    14,
		"metrics.threshold.top_fraction":            17,
		"metrics.threshold.min_cost.false_positive": 17,
		"metrics.after":                             21,
		"models.grid.C":                             23,
	}
	for key, want := range cases {
		if got := lines.line(key); got != want {
			t.Errorf("line(%q) = %d, want %d", key, got, want)
		}
	}
	if _, ok := lines["metrics.name"]; ok {
		t.Errorf("a key inside a multi-line string was recorded")
	}
	if got := lines.line("datasets[1].nosuch"); got != 12 {
		t.Errorf("line of a missing key = %d, want its table's line 12", got)
	}
}

// TestBlankValue checks that a value set aside after a type error takes
// its further lines with it (multi-line arrays, inline tables, strings),
// keeps the line count, and ignores brackets inside strings and comments.
func TestBlankValue(t *testing.T) {
	for i, c := range []struct {
		doc  string
		line int
		want string
	}{
		{"a = 1\nb = \"x\"\nc = 2", 2, "a = 1\n\nc = 2"},
		{"a = [1,\n  \"[\", # ]\n  3]\nb = 2", 1, "\n\n\nb = 2"},
		{"t = { x = 1,\n y = \"}\" }\nb = 2", 1, "\n\nb = 2"},
		{"s = \"\"\"one\n[two]\nthree\"\"\"\nb = 2", 1, "\n\n\nb = 2"},
		{"a = 1", 5, "a = 1"},
	} {
		if got := string(blankValue([]byte(c.doc), c.line)); got != c.want {
			t.Errorf("case %d: blankValue = %q, want %q", i, got, c.want)
		}
	}
}

// TestPilotSubgroupsFollowMinGroupSize: privacy.min_group_size reaches the
// pilots' subgroup analyses, which then suppress smaller levels.
func TestPilotSubgroupsFollowMinGroupSize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "experiments", "pilot-tutoring.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		min       int
		usable    bool
		wantError string
	}{{10, true, ""}, {100000, false, "usable subgroup level"}} {
		src := string(b) + fmt.Sprintf("\n[privacy]\nmin_group_size = %d\n", c.min)
		s, err := ParseSpec("pilot.toml", filepath.Join("..", "experiments"), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if s.Abtests[0].MinGroupSize != c.min || s.Abtests[0].Plan().MinGroupSize != c.min {
			t.Fatalf("min_group_size %d did not reach the pilot plan: %d", c.min, s.Abtests[0].Plan().MinGroupSize)
		}
		r, err := pilot.Run(s.Abtests[0], s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Analysis.Subgroups) == 0 {
			t.Fatal("the pilot has no subgroup analyses")
		}
		for _, sa := range r.Analysis.Subgroups {
			if c.usable && (sa.Error != "" || len(sa.Levels) < 2) {
				t.Errorf("min %d: subgroup %s: error %q, %d levels", c.min, sa.Attribute, sa.Error, len(sa.Levels))
			}
			if !c.usable && (!strings.Contains(sa.Error, c.wantError) || len(sa.Levels) != 0) {
				t.Errorf("min %d: subgroup %s: error %q, levels %+v; want every level suppressed", c.min, sa.Attribute, sa.Error, sa.Levels)
			}
		}
	}
}
