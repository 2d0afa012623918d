package monitor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/bundle"
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/fairness"
)

// cohort draws n students of one term: numeric clicks (the model's top
// feature), quiz and age, categorical region, group gender, a risk from
// clicks and quiz, and an outcome drawn from the risk (concept=false) or
// from a relation that no longer follows the risk (concept=true).
// shift moves clicks by that many SDs.
func cohort(r *rand.Rand, n int, shift float64, concept bool) (Term, map[string][]float64, map[string][]string) {
	t := Term{Numeric: map[string][]float64{}, Categorical: map[string][]string{}}
	clicks, quiz, age := make([]float64, n), make([]float64, n), make([]float64, n)
	region, gender := make([]string, n), make([]string, n)
	t.Risks, t.Labels = make([]float64, n), make([]uint8, n)
	for i := 0; i < n; i++ {
		clicks[i] = 50 + 15*(r.NormFloat64()+shift)
		quiz[i] = 60 + 10*r.NormFloat64()
		age[i] = float64(18 + r.IntN(30))
		region[i] = []string{"north", "south", "west"}[r.IntN(3)]
		gender[i] = []string{"F", "M"}[r.IntN(2)]
		z := -0.08*(clicks[i]-50) - 0.05*(quiz[i]-60) - 0.3
		t.Risks[i] = 1 / (1 + math.Exp(-z))
		p := t.Risks[i]
		if concept {
			p = 0.35 // the outcome no longer follows the risk
		}
		if r.Float64() < p {
			t.Labels[i] = 1
		}
	}
	t.Numeric["clicks"], t.Numeric["quiz"], t.Numeric["age"] = clicks, quiz, age
	t.Categorical["region"] = region
	t.Groups = []fairness.Attribute{{Name: "gender", Values: gender}}
	return t, t.Numeric, t.Categorical
}

// schemaOf describes training columns as a bundle does.
func schemaOf(t *testing.T, num map[string][]float64, cat map[string][]string) bundle.Schema {
	t.Helper()
	f := &datasets.Frame{}
	rows := 0
	for _, name := range []string{"clicks", "quiz", "age"} {
		f.Numeric = append(f.Numeric, datasets.NumericColumn{Name: name, Values: num[name]})
		rows = len(num[name])
	}
	f.Categorical = append(f.Categorical, datasets.CategoricalColumn{Name: "region", Values: cat["region"]})
	idx := make([]int, rows)
	for i := range idx {
		idx[i] = i
	}
	s, err := bundle.DescribeFeatures(f, idx, []string{"clicks", "quiz", "age"}, []string{"region"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fp(v float64) *float64 { return &v }

func testConfig(t *testing.T, r *rand.Rand) Config {
	train, num, cat := cohort(r, 5000, 0, false)
	return Config{Model: "logistic", BundleID: "bundle-1", Schema: schemaOf(t, num, cat), Scores: bundle.DescribeScores(train.Risks), Threshold: 0.5, TopFeatures: []string{"clicks"},
		Card: Card{AUC: &CardValue{Value: 0.78, Lower: fp(0.75), Upper: fp(0.81)}, Precision: &CardValue{Value: 0.62, Lower: fp(0.55), Upper: fp(0.70)},
			ECE: &CardValue{Value: 0.02}}}
}

func kinds(e Entry, sev Severity) []string {
	var out []string
	for _, a := range e.Alerts {
		if a.Severity == sev {
			out = append(out, a.Kind)
		}
	}
	return out
}

func hasKind(e Entry, kind string) bool {
	for _, a := range e.Alerts {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

// TestPlantedDriftFoundAtItsTerm: six terms scored by one bundle; from
// term 4 the top feature (clicks) shifts by 0.5 SD. No drift alert is
// raised before term 4; from term 4 the top feature's drift is an alert,
// the expected performance is marked unreliable and the exit status is 3.
func TestPlantedDriftFoundAtItsTerm(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 13))
	cfg := testConfig(t, r)
	var history []Entry
	for term := 1; term <= 6; term++ {
		shift := 0.0
		if term >= 4 {
			shift = 0.5
		}
		tt, _, _ := cohort(r, 3000, shift, false)
		tt.Term = fmt.Sprintf("T%d", term)
		tt.Labels, tt.Groups = nil, nil // before outcomes
		e, err := Observe(cfg, tt, history, "2026-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		planted := term >= 4
		if got := hasKind(e, "top feature drift"); got != planted {
			t.Errorf("term %d: top feature drift alert %v, want %v (alerts %q)", term, got, planted, kinds(e, SeverityAlert))
		}
		if e.Expected.Reliable == planted {
			t.Errorf("term %d: expected performance reliable = %v", term, e.Expected.Reliable)
		}
		if planted != (e.ExitCode(false) == 3) {
			t.Errorf("term %d: exit code %d with status %s", term, e.ExitCode(false), e.Status)
		}
		// The scores follow clicks: they drift from the training scores
		// with it.
		if e.ScoreDrift == nil || e.ScoreDrift.Drifted != planted || hasKind(e, "score drift") != planted {
			t.Errorf("term %d: score drift %+v, want drifted = %v", term, e.ScoreDrift, planted)
		}
		history = append(history, e)
	}
}

// TestScoreShiftInFirstTerm: the scores are compared with the training
// scores kept in the bundle, so a shift of the scores alone (the features
// as in training, the model's scores higher by 0.5 on the log-odds scale)
// is found in the very first monitored term; the same term unshifted is
// not flagged. The training scores are 5,000 (> 1,000): the normalized
// Wasserstein distance decides, as for a numeric feature.
func TestScoreShiftInFirstTerm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 13))
	cfg := testConfig(t, r)
	for _, shifted := range []bool{false, true} {
		tt, _, _ := cohort(r, 3000, 0, false)
		tt.Term, tt.Labels, tt.Groups = "T1", nil, nil
		if shifted {
			for i, p := range tt.Risks {
				tt.Risks[i] = 1 / (1 + math.Exp(-(math.Log(p/(1-p)) + 0.5)))
			}
		}
		e, err := Observe(cfg, tt, nil, "2026-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		s := e.ScoreDrift
		if s == nil || s.Method != "wasserstein" || s.ReferenceRows != 5000 || s.CurrentRows != 3000 || s.Drifted != shifted || hasKind(e, "score drift") != shifted {
			t.Fatalf("shifted %v: score drift %+v, alerts %+v", shifted, s, e.Alerts)
		}
		if e.Drift.Drifted != 0 {
			t.Errorf("shifted %v: %d features drifted, want none", shifted, e.Drift.Drifted)
		}
		// A shifted score makes the expected performance unreliable and,
		// with --fail-on-watch, the exit status 4.
		if e.Expected.Reliable == shifted || (e.ExitCode(true) == 4) != shifted {
			t.Errorf("shifted %v: expected reliable %v, exit %d", shifted, e.Expected.Reliable, e.ExitCode(true))
		}
	}
	cfg.Scores = bundle.FeatureSchema{}
	tt, _, _ := cohort(r, 100, 0, false)
	tt.Term = "T1"
	if _, err := Observe(cfg, tt, nil, ""); err == nil || !strings.Contains(err.Error(), "no training score distribution") {
		t.Errorf("no training scores: %v", err)
	}
}

// TestRealizedOutcomes: with outcomes drawn from the risks the realized AUC
// lies inside the card's interval; when the outcome stops following the
// risks (a concept change) the AUC falls below it: an alert.
func TestRealizedOutcomes(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 21))
	cfg := testConfig(t, r)
	opts := fairness.DefaultAuditOptions()
	opts.BootstrapReplicates, opts.Permutations = 200, 0
	opts.Thresholds = []fairness.GapThreshold{{Metric: "selection_rate_ratio", Low: 0.8, High: 1.25}}
	cfg.Fairness = &opts
	cfg.Card.Verdicts = map[string]fairness.Outcome{VerdictKey("selection_rate_ratio", "gender", "M", "F"): fairness.Fail}
	tt, _, _ := cohort(r, 3000, 0, false)
	tt.Term = "T1"
	e, err := Observe(cfg, tt, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	auc := e.Measures[3]
	if auc.Name != "AUC" || auc.Value == nil || *auc.Value < 0.7 || e.Realized == nil || e.Realized.Fairness == nil {
		t.Fatalf("measures %+v", e.Measures)
	}
	// Equal selection by gender: the gap passes within 0.8-1.25, a change
	// from the FAIL the card records.
	if g := e.Realized.Gaps; len(g) != 1 || g[0].Verdict != "PASS" || *g[0].RefLower != 0.8 || len(e.Realized.VerdictChanges) != 1 || !hasKind(e, "fairness verdict changed") {
		t.Errorf("gaps %+v, changes %+v", g, e.Realized.VerdictChanges)
	}
	tt, _, _ = cohort(r, 3000, 0, true)
	tt.Term = "T2"
	e2, err := Observe(cfg, tt, []Entry{e}, "")
	if err != nil {
		t.Fatal(err)
	}
	if a := e2.Measures[3]; a.Position != "below" || e2.Status != "alert" {
		t.Errorf("concept change: AUC %v position %q, status %s, alerts %q", fmtPtr(a.Value), a.Position, e2.Status, kinds(e2, SeverityAlert))
	}
}

func TestCardOf(t *testing.T) {
	slice := "split 2013-to-2014: test terms 2014J"
	c := bundle.ModelCard{}
	c.QuantitativeAnalysis.PerformanceMetrics = []bundle.PerformanceMetric{
		{Type: "AUC", Value: 0.8, Slice: slice},
		{Type: "AUC 95% DeLong lower bound", Value: 0.77, Slice: slice},
		{Type: "AUC 95% DeLong upper bound", Value: 0.83, Slice: slice},
		{Type: "precision at the threshold", Value: 0.6, Slice: slice},
		{Type: "precision at the threshold 95% bootstrap BCa lower bound", Value: 0.55, Slice: slice},
		{Type: "precision at the threshold 95% bootstrap BCa upper bound", Value: 0.65, Slice: slice},
		{Type: "expected calibration error", Value: 0.03, Slice: slice},
		{Type: "fairness: fnr_difference", Value: 0.09, Slice: slice + "; disability Y vs N"},
		{Type: "fairness: fnr_difference lower bound", Value: 0.01, Slice: slice + "; disability Y vs N"},
		{Type: "fairness: fnr_difference upper bound", Value: 0.18, Slice: slice + "; disability Y vs N"},
		{Type: "fairness: selection_rate_ratio", Value: 1.05, Slice: slice + "; gender F vs M"},
	}
	c.Considerations.EthicalConsiderations = []bundle.Risk{{Name: "Fairness INCONCLUSIVE on split 2013-to-2014: fnr_difference of disability Y against N is 0.090 (interval 0.010 to 0.180); allowed -0.050 to 0.050. reason"}}
	got := CardOf(c)
	if got.AUC == nil || *got.AUC.Lower != 0.77 || *got.AUC.Upper != 0.83 || got.Precision == nil || *got.Precision.Upper != 0.65 || got.Recall != nil || got.ECE.Value != 0.03 {
		t.Errorf("card %+v", got)
	}
	if got.Verdicts[VerdictKey("fnr_difference", "disability", "Y", "N")] != fairness.Inconclusive || got.Verdicts[VerdictKey("selection_rate_ratio", "gender", "F", "M")] != fairness.Pass {
		t.Errorf("verdicts %v", got.Verdicts)
	}
	if g := got.Gaps[VerdictKey("fnr_difference", "disability", "Y", "N")]; g.Value != 0.09 || g.Lower == nil || *g.Lower != 0.01 || *g.Upper != 0.18 {
		t.Errorf("gap %+v", g)
	}
}

func TestReferenceFromSchema(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 2000)
	d := make([]float64, 2000)
	for i := range x {
		x[i] = r.NormFloat64()
		d[i] = float64(r.IntN(4))
	}
	s := schemaOf(t, map[string][]float64{"clicks": x, "quiz": d, "age": x}, map[string][]string{"region": make([]string, 2000)})
	clicks, _ := s.Feature("clicks")
	ref, exact := NumericReference(clicks)
	if exact || len(ref.Sorted) != 2000 || ref.Sorted[0] != *clicks.Min || ref.Sorted[1999] != *clicks.Max {
		t.Errorf("quantile reference: exact %v, %d values from %v to %v", exact, len(ref.Sorted), ref.Sorted[0], ref.Sorted[1999])
	}
	// The rebuilt sample's percentiles lie within interpolation error of
	// the stored ones (SD 1, 20 points per percentile step).
	if q := percentiles(ref.Sorted); math.Abs(q[50]-clicks.Quantiles[50]) > 0.005 || math.Abs(q[10]-clicks.Quantiles[10]) > 0.005 {
		t.Errorf("median %v, schema %v", q[50], clicks.Quantiles[50])
	}
	quiz, _ := s.Feature("quiz")
	ref, exact = NumericReference(quiz)
	if !exact || len(ref.Sorted) != 2000 {
		t.Errorf("value-count reference: exact %v, %d values", exact, len(ref.Sorted))
	}
}

func TestHistoryAppendOnly(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	cfg := testConfig(t, r)
	dir := filepath.Join(t.TempDir(), "history")
	var history []Entry
	for _, term := range []string{"2024A", "2024B"} {
		tt, _, _ := cohort(r, 800, 0, false)
		tt.Term, tt.Labels, tt.Groups = term, nil, nil
		e, err := Observe(cfg, tt, history, "2026-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		j, c, err := Appended(dir, e)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := os.ReadFile(filepath.Join(dir, HistoryJSONL))
		if !strings.HasPrefix(string(j), string(old)) {
			t.Fatal("the earlier entries changed")
		}
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, HistoryJSONL), j, 0o644)
		os.WriteFile(filepath.Join(dir, HistoryCSV), c, 0o644)
		history = append(history, e)
	}
	back, err := ReadHistory(dir)
	if err != nil || len(back) != 2 || back[1].Term != "2024B" || back[0].Drift.Features[0].Name != "clicks" {
		t.Fatalf("read back %d entries: %v", len(back), err)
	}
	csvText, _ := os.ReadFile(filepath.Join(dir, HistoryCSV))
	if lines := strings.Split(strings.TrimSpace(string(csvText)), "\n"); !strings.HasPrefix(lines[0], "term,recorded_at,measure") || strings.Count(string(csvText), "\n2024A,") < 5 {
		t.Errorf("history.csv:\n%s", csvText)
	}
	tt, _, _ := cohort(r, 800, 0, false)
	tt.Term, tt.Labels, tt.Groups = "2024A", nil, nil
	if _, err := Observe(cfg, tt, back, ""); err == nil || !strings.Contains(err.Error(), "already in the history") {
		t.Errorf("duplicate term: %v", err)
	}
	other := cfg
	other.BundleID = "bundle-2"
	tt.Term = "2025A"
	if _, err := Observe(other, tt, back, ""); err == nil || !strings.Contains(err.Error(), "new history") {
		t.Errorf("other bundle: %v", err)
	}
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, HistoryJSONL), []byte("{\"a\":1}\n"), 0o644)
	if _, err := ReadHistory(foreign); err == nil || !strings.Contains(err.Error(), ":1: not an evalrun monitor entry") {
		t.Errorf("foreign history: %v", err)
	}
}

// TestMissingValues: a feature without any value this term is a drifted
// feature and an alert, not a failure; a rise of missing values of another
// is a watch item.
func TestMissingValues(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	cfg := testConfig(t, r)
	tt, _, _ := cohort(r, 1500, 0, false)
	tt.Term, tt.Labels, tt.Groups = "T1", nil, nil
	for i := range tt.Numeric["age"] {
		tt.Numeric["age"][i] = math.NaN()
	}
	for i := 0; i < 300; i++ {
		tt.Numeric["quiz"][i] = math.NaN()
	}
	e, err := Observe(cfg, tt, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if !hasKind(e, "feature without values") || !hasKind(e, "missing values rose") || e.Status != "alert" {
		t.Errorf("alerts %+v", e.Alerts)
	}
}
