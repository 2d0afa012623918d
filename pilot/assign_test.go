package pilot

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func assignSpec(method string) Spec {
	s := validSpec()
	s.Strata, s.Cluster = "course", "section"
	s.ClusterRandomized = method == "cluster"
	s.Assignment = &AssignmentSpec{Method: method, Seed: 42}
	return s
}

// roster writes n units over three courses (unequal sizes) and sections
// of five.
func roster(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,course,section,gpa,first_gen\n")
	for i := range n {
		course := []string{"bio", "chem", "chem", "math", "math", "math"}[i%6]
		fmt.Fprintf(&b, "s%03d,%s,%s-%d,%.2f,%s\n", i, course, course, i/30, 2+float64(i%17)/10, []string{"yes", "no", "no"}[i%3])
	}
	return writeFile(t, "roster.csv", b.String())
}

// TestAssignStratifiedBalance checks that stratified assignment is
// balanced within each stratum to within one unit, and that the output
// CSV has the spec's column names.
func TestAssignStratifiedBalance(t *testing.T) {
	out, err := Assign(roster(t, 101), assignSpec("stratified"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Result.Strata) != 3 {
		t.Fatalf("strata %+v", out.Result.Strata)
	}
	for _, s := range out.Result.Strata {
		if d := s.Counts[0] - s.Counts[1]; d < -1 || d > 1 {
			t.Errorf("stratum %s: counts %v differ by more than one", s.Stratum, s.Counts)
		}
	}
	if strings.Join(out.BalanceColumns, ",") != "gpa,first_gen" || len(out.Balance) != 1 || len(out.Balance[0].Rows) != 3 {
		t.Errorf("balance columns %v, balance %+v", out.BalanceColumns, out.Balance)
	}
	var buf bytes.Buffer
	if err := out.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if lines[0] != "id,arm,course" || len(lines) != 102 || !strings.HasPrefix(lines[1], "s000,") {
		t.Errorf("CSV header %q, %d lines", lines[0], len(lines))
	}
}

func TestAssignCompleteColumns(t *testing.T) {
	out, err := Assign(roster(t, 10), assignSpec("complete"), "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	out.WriteCSV(&buf)
	if !strings.HasPrefix(buf.String(), "id,arm\ns000,") || out.Result.Strata[0].Counts[0] != 5 {
		t.Errorf("complete assignment CSV:\n%s\ncounts %+v", buf.String(), out.Result.Strata)
	}
}

// TestAssignPreviousKept checks that units of the previous assignment
// missing from the roster are kept and reported.
func TestAssignPreviousKept(t *testing.T) {
	s := assignSpec("stratified")
	first, err := Assign(roster(t, 40), s, "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	first.WriteCSV(&buf)
	prev := writeFile(t, "prev.csv", buf.String())
	out, err := Assign(roster(t, 30), s, prev)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Result.Assignments) != 40 || out.Previous == nil || out.Previous.Rows != 40 {
		t.Errorf("%d assignments, previous %+v", len(out.Result.Assignments), out.Previous)
	}
	for i, a := range out.Result.Assignments {
		if a.Arm != first.Result.Assignments[i].Arm || !a.Previous {
			t.Errorf("unit %s: %s, previously %s", a.ID, a.Arm, first.Result.Assignments[i].Arm)
		}
	}
	if !strings.Contains(strings.Join(out.Warnings, "\n"), "10 previously assigned units are not in the roster") {
		t.Errorf("warnings %q", out.Warnings)
	}
}

func TestAssignErrors(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		roster   string
		previous string
		want     string
	}{
		{"missing columns", "cluster", "id,gpa\na,3\n", "", `roster.csv:1: missing column(s) "course", "section"`},
		{"duplicate unit", "complete", "id\na\nb\na\n", "", `roster.csv:4: field "id": unit "a" appears twice (lines 2 and 4)`},
		{"empty stratum", "stratified", "id,course\na,\n", "", `roster.csv:2: field "course": empty stratum`},
		{"bad covariate", "complete", "id,gpa\na,high\n", "", `roster.csv:2: field "gpa": cannot read "high" as a finite number`},
		{"empty roster", "complete", "id\n", "", "roster.csv: no units below the header"},
		{"previous unknown arm", "complete", "id\na\nb\n", "id,arm\na,tutor\n", `prev.csv:2: field "arm": unknown arm label "tutor"; declared arms: treat, control`},
		{"previous missing arm column", "complete", "id\na\n", "id\na\n", `prev.csv:1: missing column(s) "arm"`},
		{"previous stratum changed", "stratified", "id,course\na,bio\n", "id,arm,course\na,treat,chem\n", `unit "a" was assigned in stratum "chem"`},
		{"cluster over two strata", "cluster", "id,course,section\na,bio,s1\nb,chem,s1\n", "", `cluster "s1" spans strata "bio" and "chem"`},
	}
	for _, c := range cases {
		s := assignSpec(c.method)
		dir := t.TempDir()
		rp := dir + "/roster.csv"
		writeTo(t, rp, c.roster)
		pp := ""
		if c.previous != "" {
			pp = dir + "/prev.csv"
			writeTo(t, pp, c.previous)
		}
		_, err := Assign(rp, s, pp)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := strings.ReplaceAll(err.Error(), dir+"/", "")
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q lacks %q", c.name, msg, c.want)
		}
	}
	s := validSpec()
	if _, err := Assign(roster(t, 4), s, ""); err == nil || !strings.Contains(err.Error(), "no [abtests.assignment] table") {
		t.Errorf("no assignment table: err = %v", err)
	}
}

// TestAssignBalanceSuppressesSmallLevels: the assignment's balance table
// leaves out attribute levels with fewer than min_group_size units and
// says how many, in the output and its warnings.
func TestAssignBalanceSuppressesSmallLevels(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,course,section,gpa,first_gen\n")
	for i := range 120 {
		course := []string{"bio", "chem", "math"}[i%3]
		fg := []string{"yes", "no"}[i%2]
		if i%40 == 7 {
			fg = "unsure" // 3 units
		}
		fmt.Fprintf(&b, "s%03d,%s,%s-%d,%.2f,%s\n", i, course, course, i/30, 2+float64(i%17)/10, fg)
	}
	s := assignSpec("stratified")
	s.MinGroupSize = 10
	out, err := Assign(writeFile(t, "roster.csv", b.String()), s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Balance) != 1 {
		t.Fatalf("balance %+v", out.Balance)
	}
	bal := out.Balance[0]
	for _, r := range bal.Rows {
		if r.Level == "unsure" {
			t.Errorf("the balance table shows the small level: %+v", r)
		}
	}
	if len(bal.Rows) != 3 || len(bal.Suppressed) != 1 || bal.Suppressed[0].Covariate != "first_gen" || bal.Suppressed[0].Levels != 1 || bal.Suppressed[0].MinGroupSize != 10 {
		t.Errorf("rows %+v, suppressed %+v: want gpa, first_gen=no and =yes, and one level of first_gen suppressed", bal.Rows, bal.Suppressed)
	}
	if w := strings.Join(out.Warnings, "\n"); !strings.Contains(w, "1 level of first_gen with fewer than 10 units (min_group_size) suppressed") {
		t.Errorf("warnings do not say so:\n%s", w)
	}
	// Without the rule (MinGroupSize 0) the level is shown.
	s.MinGroupSize = 0
	out, err = Assign(writeFile(t, "roster.csv", b.String()), s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Balance[0].Rows) != 4 || len(out.Balance[0].Suppressed) != 0 {
		t.Errorf("without the rule: rows %+v, suppressed %+v", out.Balance[0].Rows, out.Balance[0].Suppressed)
	}
}
