package reports

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/results"
)

// TestAlertStatementsStructure: alerts.jsonl holds one xAPI 1.0.3
// statement per alert with the required structure (an Agent identified by
// an account, a verb with an IRI id and an en-US display, an Activity with
// an IRI id and type, result and context extensions keyed by IRIs, an
// RFC 3339 timestamp); evalrun's own verb and extension ids are http(s)
// URLs whose fragment is an anchor of their definition in docs/deploy.md.
func TestAlertStatementsStructure(t *testing.T) {
	day, prev := 28, 0.41
	sc := &results.Scoring{Bundle: results.ScoringBundle{Model: "gbm", CutoffDay: &day}, ScoredAt: "2026-12-07T06:00:00Z", List: []results.ScoredStudent{
		{Key: "p-1", Term: "2014J", Course: "AAA", Score: 0.82, Band: "high", Flagged: true, Alert: "risen", Previous: &prev},
		{Key: "p-2", Term: "2014J", Course: "AAA", Score: 0.3, Band: "low"},
		{Key: "p-3", Term: "2014J", Course: "BBB", Score: 0.71, Band: "high", Flagged: true, Alert: "newly_flagged"},
	}}
	b, err := AlertStatements(sc)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile(filepath.Join("..", "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	// vocabulary checks an id evalrun defines: an absolute http(s) URL of
	// docs/deploy.md whose fragment is an anchor there.
	vocabulary := func(what, id string) {
		t.Helper()
		u, err := url.Parse(id)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(u.Path, "/docs/deploy.md") || u.Fragment == "" {
			t.Errorf("%s %q: want an http(s) URL of docs/deploy.md with a fragment", what, id)
			return
		}
		if !bytes.Contains(docs, []byte(`<a id="`+u.Fragment+`"></a>`)) {
			t.Errorf("%s %q: docs/deploy.md has no anchor %q defining it", what, id, u.Fragment)
		}
	}
	absoluteIRI := func(what, id string) {
		t.Helper()
		if u, err := url.Parse(id); err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
			t.Errorf("%s %q: not an absolute IRI", what, id)
		}
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d statements for 2 alerts", len(lines))
	}
	for i, line := range lines {
		var st struct {
			Actor struct {
				ObjectType string
				Account    struct{ HomePage, Name string }
			}
			Verb struct {
				ID      string
				Display map[string]string
			}
			Object struct {
				ObjectType string
				ID         string
				Definition struct {
					Name map[string]string
					Type string
				}
			}
			Result, Context struct{ Extensions map[string]any }
			Timestamp       string
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&st); err != nil {
			t.Fatalf("statement %d: %v: %s", i, err, line)
		}
		if st.Actor.ObjectType != "Agent" || st.Actor.Account.Name != sc.List[2*i].Key {
			t.Errorf("statement %d: actor %+v", i, st.Actor)
		}
		absoluteIRI("account homePage", st.Actor.Account.HomePage)
		vocabulary("verb", st.Verb.ID)
		if st.Verb.ID != XAPIVerbPredicted || st.Verb.Display["en-US"] != "predicted at risk" {
			t.Errorf("statement %d: verb %+v", i, st.Verb)
		}
		if st.Object.ObjectType != "Activity" || st.Object.Definition.Type != "http://adlnet.gov/expapi/activities/course" || st.Object.Definition.Name["en-US"] == "" {
			t.Errorf("statement %d: object %+v", i, st.Object)
		}
		absoluteIRI("object id", st.Object.ID)
		for key := range st.Result.Extensions {
			vocabulary("result extension", key)
		}
		for key := range st.Context.Extensions {
			vocabulary("context extension", key)
		}
		if st.Result.Extensions[XAPIExtRisk] != sc.List[2*i].Score || st.Result.Extensions[XAPIExtBand] != "high" || st.Result.Extensions[XAPIExtAlert] != sc.List[2*i].Alert ||
			st.Context.Extensions[XAPIExtModel] != "gbm" || st.Context.Extensions[XAPIExtCutoffDay] != 28.0 {
			t.Errorf("statement %d: extensions %v, %v", i, st.Result.Extensions, st.Context.Extensions)
		}
		if _, ok := st.Result.Extensions[XAPIExtRiskChange]; ok != (i == 0) {
			t.Errorf("statement %d: risk change given %v, want it only with a previous score", i, ok)
		}
		if _, err := time.Parse(time.RFC3339, st.Timestamp); err != nil {
			t.Errorf("statement %d: timestamp: %v", i, err)
		}
	}
}
