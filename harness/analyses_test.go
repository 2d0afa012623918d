package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// discoveryFixture writes a two-term course: at-risk students (every
// third) start active and fade, and open the quiz then leave for the
// forum; the others work steadily and reply to each other in an edge list.
func discoveryFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 3))
	var students, clicks, edges strings.Builder
	students.WriteString("student_id,term,dfw,gpa\n")
	clicks.WriteString("student,time,verb\n")
	edges.WriteString("from,to\n")
	for _, term := range []string{"2023", "2024"} {
		start := map[string]string{"2023": "2023-09-04", "2024": "2024-09-02"}[term]
		for s := 0; s < 150; s++ {
			id := fmt.Sprintf("%s-%03d", term, s)
			risk := s%3 == 0
			fmt.Fprintf(&students, "%s,%s,%d,%.1f\n", id, term, map[bool]int{true: 1, false: 0}[risk], 2+rng.Float64()*2)
			for day := 0; day <= 27; day++ {
				p := 0.6
				if risk {
					p = 0.9 * float64(28-day) / 28
				}
				if rng.Float64() > p {
					continue
				}
				// Both terms share day numbers: the window starts at the
				// first term; the second term's days are offset below.
				base := fmt.Sprintf("%sT10:%%02d:00Z", dateAdd(t, start, day))
				if risk && rng.Float64() < 0.5 {
					fmt.Fprintf(&clicks, "%s,"+base+",quiz_open\n", id, 0)
					fmt.Fprintf(&clicks, "%s,"+base+",forum_view\n", id, 5)
				} else {
					fmt.Fprintf(&clicks, "%s,"+base+",quiz_open\n", id, 0)
					fmt.Fprintf(&clicks, "%s,"+base+",resource\n", id, 10)
					fmt.Fprintf(&clicks, "%s,"+base+",quiz_attempt\n", id, 20)
				}
			}
			if !risk {
				fmt.Fprintf(&edges, "%s,%s-%03d\n", id, term, (s+1)%150)
			}
		}
	}
	edges.WriteString("tutor,2023-001\n")
	for name, body := range map[string]string{"students.csv": students.String(), "clicks.csv": clicks.String(), "edges.csv": edges.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func dateAdd(t *testing.T, start string, days int) string {
	t.Helper()
	d, err := parseEdgeTime(start)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, days).Format("2006-01-02")
}

const discoverySpec = `[experiment]
name = "disc"
seed = 11

[privacy]
min_group_size = 5

[[datasets]]
name = "students"
kind = "csv"
path = "students.csv"
id = "student_id"
label = "dfw"
term = "term"

[[datasets]]
name = "clicks"
kind = "events"
join = "students"
cutoff_days = [27]
window = { start = "2023-09-04" }
[[datasets.sources]]
path = "clicks.csv"
[datasets.sources.columns]
student = ["student"]
timestamp = "time"
action = "verb"

[[analyses]]
name = "arch"
kind = "archetypes"
events = "clicks"
cutoff_day = 400
train = ["2023"]
test = ["2024"]
k_max = 4
stability_replicates = 20

[[analyses]]
name = "seq"
kind = "sequences"
events = "clicks"
cutoff_day = 400
train = ["2023"]
test = ["2024"]

[[analyses]]
name = "rules"
kind = "rules"
events = "clicks"
cutoff_day = 400
train = ["2023"]
test = ["2024"]

[[analyses]]
name = "forum"
kind = "network"
cutoff_day = 400
staff = ["tutor"]
edges = { path = "edges.csv", from = "from", to = "to" }

[[analyses]]
name = "no-replies"
kind = "network"
events = "clicks"
cutoff_day = 400
`

// evalrun discover on a spec of datasets and analyses alone: every
// analysis finds the planted structure, writes its CSV with pseudonyms and
// its report section; the click log's network says it has no replies.
func TestDiscoverEndToEnd(t *testing.T) {
	dir := discoveryFixture(t)
	spec, err := ParseSpec(filepath.Join(dir, "spec.toml"), dir, []byte(discoverySpec))
	if err != nil {
		t.Fatal(err)
	}
	only, err := DiscoveryOnly(spec)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	res, err := Run(context.Background(), only, RunOptions{Output: out, Now: fixedNow, Getenv: func(string) string { return "0123456789abcdef0123456789abcdef" }})
	if err != nil {
		t.Fatal(err)
	}
	ds := res.Results.Discoveries
	if len(ds) != 5 {
		t.Fatalf("%d discoveries, want 5", len(ds))
	}
	if a := ds[0].Archetypes; a == nil || ds[0].HeldOut != 150 {
		t.Fatalf("archetypes: %+v held out %d", a, ds[0].HeldOut)
	}
	found := false
	for _, p := range ds[1].Sequences.Patterns {
		if strings.Join(p.Pattern, ">") == "quiz_open>forum_view" && p.Significant && p.Confirmed {
			found = true
		}
	}
	if !found {
		t.Errorf("planted pattern quiz_open>forum_view not found and confirmed: %+v", ds[1].Sequences.Patterns)
	}
	if n := ds[3].Network; n == nil || n.StaffExcluded != 1 || n.Nodes != 300 {
		t.Errorf("edge-list network: %+v", n)
	} else if n.OutcomeGroups != nil {
		t.Errorf("an edge list without outcomes got at-risk rates: %+v", n.OutcomeGroups)
	}
	if ds[4].Network != nil || len(ds[4].Notes) == 0 {
		t.Errorf("a click log got a network: %+v", ds[4])
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Discovery", "### arch (archetypes)", "quiz open, then forum view", "no reply structure"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	// The edge list has no outcomes: no at-risk rates to plot.
	if _, err := os.Stat(filepath.Join(out, "plots", "network_forum.svg")); err == nil {
		t.Error("a network without outcomes has a plot of at-risk rates")
	}
	for _, plot := range []string{"archetypes_arch", "sequences_seq", "rules_rules"} {
		if _, err := os.Stat(filepath.Join(out, "plots", plot+".svg")); err != nil {
			t.Errorf("plot %s: %v", plot, err)
		}
		if !strings.Contains(string(report), "plots/"+plot+".svg") {
			t.Errorf("report.md does not show plot %s", plot)
		}
	}
	csv, err := os.ReadFile(filepath.Join(out, "discovery", "arch.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(csv), "2023-001") || strings.Count(string(csv), "\n") != 301 {
		t.Errorf("arch.csv: raw ids or wrong rows (%d lines)", strings.Count(string(csv), "\n"))
	}
}

// Archetype membership fitted on 2023 becomes a model feature of a split
// that trains on 2023 and tests on 2024; testing on the fitted term is
// refused as leakage.
func TestArchetypeFeatures(t *testing.T) {
	dir := discoveryFixture(t)
	src := strings.Replace(discoverySpec, `term = "term"
`, `term = "term"
features = ["gpa"]
`, 1)
	src = src[:strings.Index(src, "[[analyses]]")] + `[[models]]
name = "lr"
kind = "logistic"

[[splits]]
name = "s"
kind = "temporal"
train = ["2023"]
test = ["2024"]

[[analyses]]
name = "arch"
kind = "archetypes"
events = "clicks"
cutoff_day = 27
train = ["2023"]
test = ["2024"]
k_max = 4
stability_replicates = 10
features = true
`
	spec, err := ParseSpec(filepath.Join(dir, "spec.toml"), dir, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), spec, RunOptions{Output: filepath.Join(dir, "run"), Now: fixedNow, Getenv: func(string) string { return "0123456789abcdef0123456789abcdef" }})
	if err != nil {
		t.Fatal(err)
	}
	cols := res.Results.Evaluations[0].Features.Columns
	n := 0
	for _, c := range cols {
		if strings.HasPrefix(c, "archetype_") {
			n++
		}
	}
	if n != res.Results.Discoveries[0].Archetypes.K {
		t.Errorf("model columns %v: want one per archetype (k = %d)", cols, res.Results.Discoveries[0].Archetypes.K)
	}
	leaky := strings.Replace(src, `train = ["2023"]
test = ["2024"]
k_max`, `train = ["2023", "2024"]
k_max`, 1)
	_, err = ParseSpec(filepath.Join(dir, "spec.toml"), dir, []byte(leaky))
	if err == nil || !strings.Contains(err.Error(), "which split \"s\" tests on: leakage") {
		t.Errorf("leaky archetype features: %v", err)
	}
}
