package harness

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/reports"
	"github.com/evalrun/evalrun/results"
)

// trainRunning trains the default deployment bundle of the running-term
// spec (terms 2013B-2014B) and returns the spec and the bundle directory.
func trainRunning(t *testing.T) (*Spec, string) {
	t.Helper()
	dir, _ := runningTermOULAD(t, 2500, 5, "2014J")
	s := runningSpec(t, dir, "[[models]]\nname = \"gbm\"\nkind = \"gbm\"\nmax_iter = 20\n")
	bdir := filepath.Join(t.TempDir(), "bundle")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "gbm", Output: bdir, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	return s, bdir
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestScoreRunningTerm scores the students of the running term through the
// spec, then again against an edited copy of that scoring as "last week":
// the students made lower or unflagged last week come back as risen and
// newly flagged, with their change of risk, in risk_list.csv, alerts.csv
// and the xAPI statements.
func TestScoreRunningTerm(t *testing.T) {
	s, bdir := trainRunning(t)
	getenv := func(string) string { return "" }
	week1 := filepath.Join(t.TempDir(), "week1")
	out, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: s, Output: week1, Now: fixedNow, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scoring
	if strings.Join(sc.Terms, ",") != "2014J" || sc.Students == 0 || sc.Flagged == 0 || sc.Alerts != sc.Flagged {
		t.Fatalf("scoring %+v", sc)
	}
	recs := readCSV(t, filepath.Join(week1, "risk_list.csv"))
	if len(recs)-1 != sc.Students || recs[0][4] != "risk" || recs[0][6] != "flagged" {
		t.Fatalf("risk_list.csv: %d rows, header %v", len(recs)-1, recs[0])
	}
	for k, r := range recs[1:] {
		v, _ := strconv.ParseFloat(r[4], 64)
		if (v >= sc.Bundle.Threshold) != (r[6] == "yes") || r[0] != strconv.Itoa(k+1) {
			t.Fatalf("row %v: flag does not follow the threshold %v", r, sc.Bundle.Threshold)
		}
		if strings.HasPrefix(r[1], "") && len(r[1]) < 8 {
			t.Fatalf("student key %q is not a pseudonym", r[1])
		}
	}
	if html, err := os.ReadFile(filepath.Join(week1, "report.html")); err != nil || !bytes.Contains(html, []byte("Who should advisors contact first?")) {
		t.Errorf("report.html: %v", err)
	}

	// Last week: the top-ranked flagged student was 0.3 lower and not
	// flagged; the last-ranked student 0.5 lower.
	prev := filepath.Join(t.TempDir(), "week0")
	os.MkdirAll(prev, 0o755)
	edited := [][]string{recs[0]}
	for k, r := range recs[1:] {
		r = append([]string(nil), r...)
		v, _ := strconv.ParseFloat(r[4], 64)
		switch k {
		case 0:
			r[4], r[6] = strconv.FormatFloat(v-0.3, 'g', -1, 64), "no"
		case len(recs) - 2:
			r[4] = strconv.FormatFloat(v-0.5, 'g', -1, 64)
		}
		edited = append(edited, r)
	}
	var buf bytes.Buffer
	csv.NewWriter(&buf).WriteAll(edited)
	os.WriteFile(filepath.Join(prev, "risk_list.csv"), buf.Bytes(), 0o644)
	sj, _ := os.ReadFile(filepath.Join(week1, "scoring.json"))
	os.WriteFile(filepath.Join(prev, "scoring.json"), sj, 0o644)

	// The xAPI settings from the spec's [deploy] table.
	withXAPI := *s
	home, base := "https://lms.example.edu", "https://lms.example.edu/courses/"
	withXAPI.Deploy.XAPIHomePage, withXAPI.Deploy.XAPIActivityBase = &home, &base
	week2 := filepath.Join(t.TempDir(), "week2")
	out2, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: &withXAPI, Output: week2, Previous: prev, XAPI: true, Now: fixedNow, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	p := out2.Scoring.Previous
	if p == nil || p.Matched != sc.Students || p.NewlyFlagged != 1 || p.Risen != 2 || !p.SameModel || out2.Scoring.Alerts != 2 {
		t.Fatalf("previous %+v, alerts %d", p, out2.Scoring.Alerts)
	}
	rl := readCSV(t, filepath.Join(week2, "risk_list.csv"))
	h := map[string]int{}
	for i, c := range rl[0] {
		h[c] = i
	}
	top, last := rl[1], rl[len(rl)-1]
	if top[h["risk_change"]] != "0.3000" || top[h["newly_flagged"]] != "yes" || top[h["risen"]] != "yes" ||
		last[h["risk_change"]] != "0.5000" || last[h["risen"]] != "yes" || last[h["newly_flagged"]] != "no" || rl[2][h["risk_change"]] != "0.0000" {
		t.Errorf("deltas: top %v, last %v", top, last)
	}
	alerts := readCSV(t, filepath.Join(week2, "alerts.csv"))
	if len(alerts) != 3 || alerts[1][3] != "newly_flagged" || alerts[2][3] != "risen" || alerts[1][0] != top[1] {
		t.Errorf("alerts.csv %v", alerts)
	}
	lines := bytes.Split(bytes.TrimSpace(mustRead(t, filepath.Join(week2, "alerts.jsonl"))), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("alerts.jsonl has %d statements", len(lines))
	}
	var st struct {
		Actor struct {
			Account struct{ HomePage, Name string }
		}
		Verb struct {
			ID      string
			Display map[string]string
		}
		Object struct{ ID string }
		Result struct{ Extensions map[string]any }
	}
	if err := json.Unmarshal(lines[0], &st); err != nil {
		t.Fatal(err)
	}
	risk, _ := strconv.ParseFloat(top[4], 64)
	if st.Actor.Account.Name != top[1] || st.Actor.Account.HomePage != home || st.Verb.ID != reports.XAPIVerbPredicted || st.Verb.Display["en-US"] != "predicted at risk" ||
		st.Object.ID != "https://lms.example.edu/courses/"+top[3]+"/2014J" ||
		st.Result.Extensions[reports.XAPIExtBand] != "high" || math.Abs(st.Result.Extensions[reports.XAPIExtRisk].(float64)-risk) > 0 {
		t.Errorf("statement %s", lines[0])
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// csvDeploySpec writes a CSV student table of terms T1, T2 (with outcomes)
// and T3 (none) and a spec over it.
func csvDeploySpec(t *testing.T) (*Spec, string) {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,term,clicks,late,region,at_risk\n")
	for i := 0; i < 600; i++ {
		term := []string{"T1", "T2", "T3"}[i%3]
		clicks := float64((i*37)%100) + 0.5
		late := float64(i % 4)
		label := ""
		if term != "T3" {
			if 0.8*late-0.04*clicks+1 > float64((i*13)%7)/3-1 {
				label = "1"
			} else {
				label = "0"
			}
		}
		fmt.Fprintf(&b, "s%d,%s,%g,%g,%s,%s\n", i, term, clicks, late, []string{"N", "S", "E"}[i%5%3], label)
	}
	os.WriteFile(filepath.Join(dir, "students.csv"), []byte(b.String()), 0o644)
	spec := `[experiment]
name = "csvdeploy"
seed = 3

[[datasets]]
name = "table"
kind = "csv"
path = "students.csv"
id = "id"
label = "at_risk"
term = "term"
features = ["clicks", "late", "region"]
categorical = ["region"]

[[models]]
name = "lr"
kind = "logistic"

[[splits]]
name = "t1-to-t2"
kind = "temporal"
train = ["T1"]
test = ["T2"]

[explain]
permutation_repeats = 0
`
	s, err := ParseSpec(filepath.Join(dir, "spec.toml"), dir, []byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// TestScoreCSVData scores a CSV of new students with --data: out-of-range
// values and unseen categories are flagged per student, real ids go only
// to the owner-only ids file, and a missing column, another as-of day and
// an existing ids file are errors.
func TestScoreCSVData(t *testing.T) {
	s, dir := csvDeploySpec(t)
	bdir := filepath.Join(t.TempDir(), "bundle")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "lr", Output: bdir, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(dir, "current.csv")
	os.WriteFile(cur, []byte("id,term,clicks,late,region\nu1,T4,5000,1,N\nu2,T4,20,2,Atlantis\nu3,T4,,0,S\n"), 0o644)
	ids := filepath.Join(t.TempDir(), "ids.csv")
	out, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Data: cur, Output: filepath.Join(t.TempDir(), "scores"), IDsFile: ids, Now: fixedNow,
		Getenv: func(string) string { return "secret-key-of-16-bytes" }})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.Scoring
	// u1 is out of range, u2 has an unseen region: extrapolations; u3's
	// missing clicks are filled in, no extrapolation, and counted apart.
	if sc.Students != 3 || sc.Extrapolated != 2 || sc.StudentsOutOfRange != 1 || sc.StudentsUnseen != 1 || sc.StudentsMissing != 1 ||
		sc.OutOfRange["clicks"] != 1 || sc.Unseen["region"] != 1 || sc.Missing["clicks"] != 1 {
		t.Fatalf("scoring %+v", sc)
	}
	sj := string(mustRead(t, filepath.Join(out.Dir, "scoring.json")))
	// The report wraps its text: compare words.
	report := strings.Join(strings.Fields(string(mustRead(t, filepath.Join(out.Dir, "report.html")))), " ")
	for _, want := range []string{`"extrapolated": 2`, `"students_out_of_range": 1`, `"students_unseen_category": 1`, `"students_missing_input": 1`} {
		if !strings.Contains(sj, want) {
			t.Errorf("scoring.json lacks %s", want)
		}
	}
	for _, want := range []string{"Students with a value outside the training range: 1; with a category the training data never showed: 1 (2 of 3 students in all)", "Missing inputs:</strong> 1 of 3 students lack a feature value"} {
		if !strings.Contains(report, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	rl := readCSV(t, filepath.Join(out.Dir, "risk_list.csv"))
	all := fmt.Sprint(rl)
	if !strings.Contains(all, "clicks 5000 is above the training range (max 99.5)") || !strings.Contains(all, `region "Atlantis" never occurred in training`) {
		t.Errorf("risk_list.csv lacks the flags: %v", rl)
	}
	for _, dirFile := range []string{"risk_list.csv", "alerts.csv", "report.html", "scoring.json"} {
		if b := mustRead(t, filepath.Join(out.Dir, dirFile)); bytes.Contains(b, []byte("u1")) || bytes.Contains(b, []byte("u2,")) {
			t.Errorf("%s shows a real id", dirFile)
		}
	}
	st, err := os.Stat(ids)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ids file: %v, mode %v", err, st.Mode())
	}
	if b := mustRead(t, ids); !bytes.Contains(b, []byte(",u1,T4,")) {
		t.Errorf("ids file %s", b)
	}
	day := 28
	os.WriteFile(filepath.Join(dir, "nolate.csv"), []byte("id,term,clicks,region\nu1,T4,5,N\n"), 0o644)
	for _, c := range []struct {
		opts ScoreOptions
		want string
	}{
		{ScoreOptions{Data: filepath.Join(dir, "nolate.csv")}, `nolate.csv:1: header lacks column(s) "late" (numeric)`},
		{ScoreOptions{Data: cur, AsOfDay: &day}, "--as-of-day 28: the bundle"},
		{ScoreOptions{Data: cur, IDsFile: ids}, "exists"},
		{ScoreOptions{Data: cur, Previous: dir}, "not a scoring directory"},
	} {
		c.opts.Bundle, c.opts.Output = bdir, filepath.Join(t.TempDir(), "x")
		if _, err := Score(context.Background(), c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Score(%+v): %v, want %q", c.opts, err, c.want)
		}
	}
}

// TestScoreAsOfDayMismatch: an OULAD bundle of day 28 refuses data as of
// another day, from the flag or from the spec.
func TestScoreAsOfDayMismatch(t *testing.T) {
	s, bdir := trainRunning(t)
	day := 35
	_, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: s, AsOfDay: &day, Output: filepath.Join(t.TempDir(), "x")})
	if err == nil || !strings.Contains(err.Error(), "--as-of-day 35 differs from the bundle's cutoff day 28") || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("--as-of-day: %v", err)
	}
	other := *s
	other.Datasets = append([]Dataset(nil), s.Datasets...)
	other.Datasets[0].CutoffDays = []int{14}
	_, err = Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: &other, Output: filepath.Join(t.TempDir(), "y")})
	if err == nil || !strings.Contains(err.Error(), "not the bundle's cutoff day 28") {
		t.Errorf("spec cutoff: %v", err)
	}
}

// TestScoreRecalibrated: with [metrics] recalibrate the bundle carries the
// map fitted on the training scores and risk_list.csv adds the calibrated
// probability, which never reverses the order of the raw scores.
func TestScoreRecalibrated(t *testing.T) {
	s, dir := csvDeploySpec(t)
	s.Metrics.Recalibrate = "platt"
	bdir := filepath.Join(t.TempDir(), "bundle")
	out, err := Train(context.Background(), s, TrainOptions{Model: "lr", Output: bdir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Bundle.Model.Recalibration
	if r == nil || r.Method != "platt" || r.Slope == nil || !(*r.Slope > 0) {
		t.Fatalf("recalibration %+v", r)
	}
	cur := filepath.Join(dir, "current.csv")
	os.WriteFile(cur, []byte("id,term,clicks,late,region\nu1,T4,5,3,N\nu2,T4,20,2,S\nu3,T4,90,0,S\nu4,T4,50,1,E\n"), 0o644)
	sdir := filepath.Join(t.TempDir(), "scores")
	if _, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Data: cur, Output: sdir, Now: fixedNow, Getenv: func(string) string { return "0123456789abcdef0123" }}); err != nil {
		t.Fatal(err)
	}
	rl := readCSV(t, filepath.Join(sdir, "risk_list.csv"))
	if rl[0][5] != "calibrated_risk" {
		t.Fatalf("header %v", rl[0])
	}
	prev := 2.0
	for _, row := range rl[1:] {
		c, err := strconv.ParseFloat(row[5], 64)
		if err != nil || !(c > 0 && c < 1) || c > prev {
			t.Errorf("calibrated risk %q after %v (rows ranked by raw risk)", row[5], prev)
		}
		prev = c
	}
}

// TestScoreDataDefaultsToRunningTerms: --data, like --spec, scores by
// default only the terms with students whose outcome is not known yet, so
// an export that also holds past terms does not rank their students beside
// the running term's; data whose every student has an outcome is an error
// asking for --term, and --term still chooses past terms.
func TestScoreDataDefaultsToRunningTerms(t *testing.T) {
	s, dir := csvDeploySpec(t)
	bdir := filepath.Join(t.TempDir(), "bundle")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "lr", Output: bdir, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "secret-key-of-16-bytes" }
	// students.csv holds T1 and T2 with outcomes and T3 without.
	all := filepath.Join(dir, "students.csv")
	for _, tc := range []struct {
		name  string
		spec  *Spec
		data  string
		terms []string
		want  []string
	}{
		{"data", nil, all, nil, []string{"T3"}},
		{"spec", s, "", nil, []string{"T3"}},
		{"data with --term", nil, all, []string{"T1"}, []string{"T1"}},
	} {
		out, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: tc.spec, Data: tc.data, Terms: tc.terms,
			Output: filepath.Join(t.TempDir(), "scores"), Now: fixedNow, Getenv: getenv})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if sc := out.Scoring; !reflect.DeepEqual(sc.Terms, tc.want) || sc.Students != 200 {
			t.Errorf("%s: scored %d students of %v, want the 200 of %v", tc.name, sc.Students, sc.Terms, tc.want)
		}
	}
	b, _ := os.ReadFile(all)
	var past []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.Contains(line, ",T3,") {
			past = append(past, line)
		}
	}
	labelled := filepath.Join(t.TempDir(), "past.csv")
	os.WriteFile(labelled, []byte(strings.Join(past, "\n")+"\n"), 0o644)
	_, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Data: labelled, Output: filepath.Join(t.TempDir(), "scores"), Now: fixedNow, Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "every student of "+labelled+` (dataset "table") has an outcome: pass --term to choose the terms to score`) {
		t.Errorf("scoring only students with outcomes: %v", err)
	}
}

// TestScoreXAPISettings: score --xapi takes the home page and activity
// base from the flags, else from [deploy]; a missing one, one that is not
// an absolute http(s) URL, or a flag without --xapi is an error naming
// the flag or key, raised before any work (the bundle is not even read,
// the output not created). With ids shown, the statements still name
// students by pseudonym.
func TestScoreXAPISettings(t *testing.T) {
	s, dir := csvDeploySpec(t)
	str := func(v string) *string { return &v }
	withDeploy := func(home, base *string) *Spec {
		c := *s
		c.Deploy.XAPIHomePage, c.Deploy.XAPIActivityBase = home, base
		return &c
	}
	good := "https://lms.example.edu"
	for _, c := range []struct {
		name string
		opts ScoreOptions
		want []string
	}{
		{"nothing set, spec", ScoreOptions{Spec: s, XAPI: true}, []string{"--xapi: no URL for the actors' account homePage", "set xapi_home_page in the [deploy] table of " + s.File, "or pass --xapi-home-page URL",
			"--xapi: no base URL for the course activity ids", "xapi_activity_base = \"https://lms.example.edu/courses\""}},
		{"nothing set, data", ScoreOptions{Data: "current.csv", XAPI: true}, []string{"pass --xapi-home-page URL (e.g. --xapi-home-page https://lms.example.edu", "pass --xapi-activity-base URL"}},
		{"activity base missing", ScoreOptions{Spec: withDeploy(&good, nil), XAPI: true}, []string{"set xapi_activity_base in the [deploy] table"}},
		{"relative flag", ScoreOptions{Data: "current.csv", XAPI: true, XAPIHomePage: str("lms.example.edu"), XAPIActivityBase: &good}, []string{`--xapi-home-page: "lms.example.edu" is a relative URL`}},
		{"urn flag", ScoreOptions{Data: "current.csv", XAPI: true, XAPIHomePage: str("urn:evalrun:pseudonym"), XAPIActivityBase: &good}, []string{`--xapi-home-page: "urn:evalrun:pseudonym" has scheme "urn"`}},
		{"empty flag", ScoreOptions{Data: "current.csv", XAPI: true, XAPIHomePage: &good, XAPIActivityBase: str("")}, []string{"--xapi-activity-base: empty"}},
		{"query in base", ScoreOptions{Data: "current.csv", XAPI: true, XAPIHomePage: &good, XAPIActivityBase: str("https://lms.example.edu/view.php?id=2")}, []string{"--xapi-activity-base: ", "has a query"}},
		{"bad spec key", ScoreOptions{Spec: withDeploy(str("ftp://lms.example.edu"), &good), XAPI: true}, []string{s.File + ": deploy.xapi_home_page: \"ftp://lms.example.edu\" has scheme \"ftp\""}},
		{"flag without --xapi", ScoreOptions{Data: "current.csv", XAPIActivityBase: &good}, []string{"--xapi-activity-base is used only with --xapi"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "scores")
			c.opts.Bundle, c.opts.Output = filepath.Join(dir, "no-such-bundle"), out
			_, err := Score(context.Background(), c.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "no-such-bundle") {
				t.Errorf("error %q: the bundle was read before the xAPI settings were checked", err)
			}
			if _, err := os.Lstat(out); err == nil {
				t.Errorf("%s created before the xAPI settings were checked", out)
			}
		})
	}

	bdir := filepath.Join(t.TempDir(), "bundle")
	if _, err := Train(context.Background(), s, TrainOptions{Model: "lr", Output: bdir, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	// Ids shown; the spec's settings overridden by the flags.
	shown := withDeploy(str("https://old.example.edu"), str("https://old.example.edu/c"))
	shown.Privacy.ShowIDs = true
	out, err := Score(context.Background(), ScoreOptions{Bundle: bdir, Spec: shown, Output: filepath.Join(t.TempDir(), "scores"), XAPI: true,
		XAPIHomePage: str("https://sis.example.edu/"), XAPIActivityBase: str("https://lms.example.edu/terms"), Now: fixedNow,
		Getenv: func(string) string { return "secret-key-of-16-bytes" }})
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(mustRead(t, filepath.Join(out.Dir, "alerts.jsonl"))), []byte("\n"))
	if len(lines) != out.Scoring.Alerts || len(lines) == 0 {
		t.Fatalf("%d statements for %d alerts", len(lines), out.Scoring.Alerts)
	}
	byKey := map[string]results.ScoredStudent{}
	for _, st := range out.Scoring.List {
		byKey[st.Key] = st
	}
	for _, line := range lines {
		var st struct {
			Actor struct {
				Account struct{ HomePage, Name string }
			}
			Object struct{ ID string }
		}
		if err := json.Unmarshal(line, &st); err != nil {
			t.Fatal(err)
		}
		if st.Actor.Account.HomePage != "https://sis.example.edu/" || !strings.HasPrefix(st.Object.ID, "https://lms.example.edu/terms/T3") {
			t.Errorf("statement %s: want the flags' URLs", line)
		}
		if _, isKey := byKey[st.Actor.Account.Name]; isKey || len(st.Actor.Account.Name) < 8 {
			t.Errorf("statement %s names a student by id, not pseudonym", line)
		}
	}
	for _, st := range out.Scoring.List {
		if st.Key != st.ID || st.Pseudonym == "" || st.Pseudonym == st.ID || bytes.Contains(mustRead(t, filepath.Join(out.Dir, "alerts.jsonl")), []byte(`"`+st.ID+`"`)) {
			t.Fatalf("student %+v: key should be the shown id, pseudonym apart, id not in alerts.jsonl", st)
		}
	}
}
