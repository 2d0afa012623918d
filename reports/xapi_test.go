package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evalrun/evalrun/results"
)

// testXAPI is an institution's settings in the tests.
var testXAPI = XAPIOptions{HomePage: "https://lms.example.edu", ActivityBase: "https://lms.example.edu/courses/"}

var iriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// absoluteIRI reports whether s is an absolute IRI (RFC 3987): a scheme,
// then an authority or an opaque part, nothing an IRI must escape.
func absoluteIRI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && iriScheme.MatchString(u.Scheme) && (u.Host != "" || u.Opaque != "") &&
		!strings.ContainsAny(s, " \t\n\"<>\\^`{|}")
}

// irl reports whether s is an IRL as xAPI wants for account.homePage: an
// IRI meant to resolve, so an absolute http(s) URL with a host.
func irl(s string) bool {
	u, err := url.Parse(s)
	return err == nil && absoluteIRI(s) && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// xapiProblems checks one statement against the xAPI 1.0.3 rules that
// can be verified without an LRS (Data section 2.4): the actor an Agent
// with exactly one identifier, an account's homePage an IRL and its name
// given; verb and activity ids, activity types and extension keys
// absolute IRIs; language maps keyed by language tags; the timestamp, when
// present, ISO 8601 (RFC 3339, which xAPI recommends).
func xapiProblems(line []byte) []string {
	var st struct {
		Actor struct {
			ObjectType  string
			Mbox        string
			MboxSHA1Sum string `json:"mbox_sha1sum"`
			OpenID      string
			Account     *struct{ HomePage, Name string }
		}
		Verb struct {
			ID      string
			Display map[string]string
		}
		Object struct {
			ObjectType string
			ID         string
			Definition struct {
				Name, Description map[string]string
				Type              string
				Extensions        map[string]any
			}
		}
		Result, Context struct{ Extensions map[string]any }
		Timestamp       *string
	}
	if err := json.Unmarshal(line, &st); err != nil {
		return []string{err.Error()}
	}
	var ps []string
	bad := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }
	a := st.Actor
	if a.ObjectType != "" && a.ObjectType != "Agent" {
		bad("actor objectType %q, want Agent", a.ObjectType)
	}
	ifis := 0
	for _, v := range []string{a.Mbox, a.MboxSHA1Sum, a.OpenID} {
		if v != "" {
			ifis++
		}
	}
	if a.Account != nil {
		ifis++
		if !irl(a.Account.HomePage) {
			bad("actor account homePage %q is not an IRL (absolute http(s) URL)", a.Account.HomePage)
		}
		if a.Account.Name == "" {
			bad("actor account without name")
		}
	}
	if ifis != 1 {
		bad("actor has %d identifiers, want exactly one", ifis)
	}
	if !absoluteIRI(st.Verb.ID) {
		bad("verb id %q is not an absolute IRI", st.Verb.ID)
	}
	if st.Object.ObjectType != "" && st.Object.ObjectType != "Activity" {
		bad("object objectType %q, want Activity", st.Object.ObjectType)
	}
	if !absoluteIRI(st.Object.ID) {
		bad("activity id %q is not an absolute IRI", st.Object.ID)
	}
	if d := st.Object.Definition; d.Type != "" && !absoluteIRI(d.Type) {
		bad("activity type %q is not an absolute IRI", d.Type)
	}
	for what, m := range map[string]map[string]string{"verb display": st.Verb.Display, "activity name": st.Object.Definition.Name, "activity description": st.Object.Definition.Description} {
		for tag := range m {
			if !languageTag.MatchString(tag) {
				bad("%s key %q is not a language tag", what, tag)
			}
		}
	}
	for what, m := range map[string]map[string]any{"result": st.Result.Extensions, "context": st.Context.Extensions, "activity definition": st.Object.Definition.Extensions} {
		for key := range m {
			if !absoluteIRI(key) {
				bad("%s extension key %q is not an absolute IRI", what, key)
			}
		}
	}
	if st.Timestamp != nil {
		if _, err := time.Parse(time.RFC3339Nano, *st.Timestamp); err != nil {
			bad("timestamp %q is not ISO 8601: %v", *st.Timestamp, err)
		}
	}
	return ps
}

// TestXAPIProblems: the checker finds each broken rule of a statement
// (built from a valid one) and accepts the statements Moodle's xAPI
// logstore emits (../shared/data/xapi, skipped when absent), so that its
// verdict on evalrun's statements means something.
func TestXAPIProblems(t *testing.T) {
	valid := `{"actor":{"objectType":"Agent","account":{"homePage":"https://lms.example.edu","name":"p-1"}},` +
		`"verb":{"id":"https://example.org/verbs/predicted","display":{"en-US":"predicted at risk"}},` +
		`"object":{"objectType":"Activity","id":"https://lms.example.edu/courses/AAA/2014J","definition":{"name":{"en-US":"AAA 2014J"},"type":"http://adlnet.gov/expapi/activities/course"}},` +
		`"result":{"extensions":{"https://example.org/ext/risk":0.8}},"context":{"extensions":{"https://example.org/ext/model":"gbm"}},"timestamp":"2026-12-07T06:00:00Z"}`
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"valid", "", "", ""},
		{"urn home page", `"homePage":"https://lms.example.edu"`, `"homePage":"urn:evalrun:pseudonym"`, "homePage \"urn:evalrun:pseudonym\" is not an IRL"},
		{"relative home page", `"homePage":"https://lms.example.edu"`, `"homePage":"lms.example.edu"`, "is not an IRL"},
		{"no account name", `"name":"p-1"`, `"name":""`, "account without name"},
		{"two identifiers", `"account":`, `"mbox":"mailto:a@example.org","account":`, "2 identifiers"},
		{"relative activity id", `"id":"https://lms.example.edu/courses/AAA/2014J"`, `"id":"courses/AAA/2014J"`, "activity id \"courses/AAA/2014J\" is not an absolute IRI"},
		{"activity id with a space", `"id":"https://lms.example.edu/courses/AAA/2014J"`, `"id":"https://lms.example.edu/courses/A A/2014J"`, "is not an absolute IRI"},
		{"verb id not an IRI", `"id":"https://example.org/verbs/predicted"`, `"id":"predicted"`, "verb id \"predicted\""},
		{"display key with a space", `"display":{"en-US"`, `"display":{"en US"`, "verb display key \"en US\""},
		{"extension key", `"https://example.org/ext/risk"`, `"risk"`, "result extension key \"risk\""},
		{"timestamp", `"2026-12-07T06:00:00Z"`, `"07/12/2026 06:00"`, "timestamp \"07/12/2026 06:00\" is not ISO 8601"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := valid
			if c.from != "" {
				if !strings.Contains(st, c.from) {
					t.Fatalf("%q not in the statement", c.from)
				}
				st = strings.Replace(st, c.from, c.to, 1)
			}
			ps := xapiProblems([]byte(st))
			if c.want == "" {
				if len(ps) != 0 {
					t.Errorf("problems %q in a valid statement", ps)
				}
				return
			}
			if len(ps) != 1 || !strings.Contains(ps[0], c.want) {
				t.Errorf("problems %q, want one containing %q", ps, c.want)
			}
		})
	}
	path := filepath.Join("..", "..", "shared", "data", "xapi", "moodle-statements.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("Moodle statements absent (%v): only the built cases checked", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if ps := xapiProblems(sc.Bytes()); len(ps) > 0 {
			t.Errorf("%s:%d: %q", path, n, ps)
		}
	}
	if err := sc.Err(); err != nil || n < 100 {
		t.Fatalf("%s: %d statements, %v", path, n, err)
	}
}

// TestCheckXAPIURLs: the home page and the activity base must be absolute
// http(s) URLs with a host; the error says what is wrong with the value.
func TestCheckXAPIURLs(t *testing.T) {
	for _, c := range []struct {
		name, url string
		// wantHome and wantBase are parts of the errors, "" for none.
		wantHome, wantBase string
	}{
		{"https", "https://lms.example.edu", "", ""},
		{"http with port and path", "http://lms.example.edu:8080/evalrun/", "", ""},
		{"non-ASCII path (an IRI)", "https://lms.example.edu/cursos/economía", "", ""},
		{"escaped path", "https://lms.example.edu/a%20b", "", ""},
		{"missing", "", "empty", "empty"},
		{"relative path", "/pseudonyms", "relative URL", "relative URL"},
		{"no scheme", "lms.example.edu/courses", "relative URL", "relative URL"},
		{"scheme-relative", "//lms.example.edu/courses", "relative URL", "relative URL"},
		{"urn", "urn:evalrun:pseudonym", `scheme "urn"`, `scheme "urn"`},
		{"ftp", "ftp://lms.example.edu/courses", `scheme "ftp"`, `scheme "ftp"`},
		{"mailto", "mailto:admin@example.edu", `scheme "mailto"`, `scheme "mailto"`},
		{"no host", "https:///courses", "no host", "no host"},
		{"opaque", "https:lms.example.edu", "no host", "no host"},
		{"credentials", "https://admin:secret@lms.example.edu", "user name or password", "user name or password"},
		{"fragment", "https://lms.example.edu/#top", "fragment", "fragment"},
		{"empty fragment", "https://lms.example.edu/#", "fragment", "fragment"},
		{"query", "https://lms.example.edu/course/view.php?id=2", "", "has a query"},
		{"space", "https://lms.example.edu/my courses", `contains " "`, `contains " "`},
		{"brace", "https://lms.example.edu/{course}", `contains "{"`, `contains "{"`},
		{"bad escape", "https://lms.example.edu/%zz", "not a URL", "not a URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, check := range []struct {
				what string
				fn   func(string) error
				want string
			}{{"home page", CheckXAPIHomePage, c.wantHome}, {"activity base", CheckXAPIActivityBase, c.wantBase}} {
				err := check.fn(c.url)
				switch {
				case check.want == "" && err != nil:
					t.Errorf("%s %q: %v", check.what, c.url, err)
				case check.want != "" && (err == nil || !strings.Contains(err.Error(), check.want)):
					t.Errorf("%s %q: error %v, want one containing %q", check.what, c.url, err, check.want)
				}
			}
		})
	}
}

// TestXAPIActivityID: course and term become one path segment each under
// the base, escaped so that each reads back exactly and none splits or
// vanishes; the id is an absolute IRI.
func TestXAPIActivityID(t *testing.T) {
	for _, c := range []struct {
		base, course, term, want string
	}{
		{"https://lms.example.edu/courses", "AAA", "2014J", "https://lms.example.edu/courses/AAA/2014J"},
		{"https://lms.example.edu/courses/", "AAA", "2014J", "https://lms.example.edu/courses/AAA/2014J"},
		{"https://lms.example.edu", "", "2024FA", "https://lms.example.edu/2024FA"},
		{"https://lms.example.edu/c", "MATH/101", "2024 Fall", "https://lms.example.edu/c/MATH%2F101/2024%20Fall"},
		{"https://lms.example.edu/c", "a?b#c", "50%", "https://lms.example.edu/c/a%3Fb%23c/50%25"},
		{"https://lms.example.edu/c", "Économie", "été", "https://lms.example.edu/c/%C3%89conomie/%C3%A9t%C3%A9"},
		{"https://lms.example.edu/c", "..", ".", "https://lms.example.edu/c/%2E%2E/%2E"},
	} {
		got := XAPIActivityID(c.base, c.course, c.term)
		if got != c.want {
			t.Errorf("XAPIActivityID(%q, %q, %q) = %q, want %q", c.base, c.course, c.term, got, c.want)
		}
		if !absoluteIRI(got) {
			t.Errorf("%q is not an absolute IRI", got)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		want := nonEmpty(c.course, c.term)
		segs := strings.Split(u.EscapedPath(), "/")
		var back []string
		for _, seg := range segs[len(segs)-len(want):] {
			v, err := url.PathUnescape(seg)
			if err != nil {
				t.Fatal(err)
			}
			back = append(back, v)
		}
		if !slices.Equal(back, want) || !strings.HasPrefix(got, strings.TrimSuffix(c.base, "/")+"/") || len(segs) != len(strings.Split(strings.TrimSuffix(c.base, "/"), "/"))-2+len(want) {
			t.Errorf("%q reads back as %q under %q, want %q", got, back, c.base, want)
		}
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestAlertStatementsStructure: alerts.jsonl holds one xAPI 1.0.3
// statement per alert that xapiProblems accepts: the student as an Agent
// whose account is the given home page and the pseudonym (never the real
// id, even when the spec shows ids), evalrun's verb, the course
// presentation's activity under the given base, result and context
// extensions, an RFC 3339 timestamp; evalrun's own verb and extension
// ids are http(s) URLs whose fragment is an anchor of their definition in
// docs/deploy.md.
func TestAlertStatementsStructure(t *testing.T) {
	day, prev := 28, 0.41
	sc := &results.Scoring{Bundle: results.ScoringBundle{Model: "gbm", CutoffDay: &day}, ScoredAt: "2026-12-07T06:00:00Z", List: []results.ScoredStudent{
		// Keys are real ids here, as when the spec shows ids.
		{Rank: 1, Key: "s-1001", ID: "s-1001", Pseudonym: "p-1", Term: "2014J", Course: "AAA", Score: 0.82, Band: "high", Flagged: true, Alert: "risen", Previous: &prev},
		{Rank: 2, Key: "s-1002", ID: "s-1002", Pseudonym: "p-2", Term: "2014J", Course: "AAA", Score: 0.3, Band: "low"},
		{Rank: 3, Key: "s-1003", ID: "s-1003", Pseudonym: "p-3", Term: "2014 J", Course: "BB/B", Score: 0.71, Band: "high", Flagged: true, Alert: "newly_flagged"},
	}}
	b, err := AlertStatements(sc, testXAPI)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("s-100")) {
		t.Errorf("alerts.jsonl shows a real id:\n%s", b)
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
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d statements for 2 alerts", len(lines))
	}
	wantObject := []string{"https://lms.example.edu/courses/AAA/2014J", "https://lms.example.edu/courses/BB%2FB/2014%20J"}
	wantName := []string{"AAA 2014J", "BB/B 2014 J"}
	for i, line := range lines {
		if ps := xapiProblems(line); len(ps) > 0 {
			t.Errorf("statement %d breaks xAPI 1.0.3: %q\n%s", i, ps, line)
		}
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
		if st.Actor.ObjectType != "Agent" || st.Actor.Account.Name != sc.List[2*i].Pseudonym || st.Actor.Account.HomePage != testXAPI.HomePage {
			t.Errorf("statement %d: actor %+v", i, st.Actor)
		}
		vocabulary("verb", st.Verb.ID)
		if st.Verb.ID != XAPIVerbPredicted || st.Verb.Display["en-US"] != "predicted at risk" {
			t.Errorf("statement %d: verb %+v", i, st.Verb)
		}
		if st.Object.ObjectType != "Activity" || st.Object.ID != wantObject[i] || st.Object.Definition.Type != XAPIActivityTypeCourse || st.Object.Definition.Name["en-US"] != wantName[i] {
			t.Errorf("statement %d: object %+v, want id %s", i, st.Object, wantObject[i])
		}
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
		if st.Timestamp != sc.ScoredAt {
			t.Errorf("statement %d: timestamp %q, want the scoring's %q", i, st.Timestamp, sc.ScoredAt)
		}
	}
}

// TestAlertStatementsErrors: settings that are not absolute http(s) URLs,
// and a student without a pseudonym, are errors, not statements.
func TestAlertStatementsErrors(t *testing.T) {
	list := []results.ScoredStudent{{Rank: 1, Key: "p-1", Pseudonym: "p-1", Term: "2014J", Course: "AAA", Score: 0.8, Band: "high", Flagged: true, Alert: "newly_flagged"}}
	for _, c := range []struct {
		name string
		x    XAPIOptions
		list []results.ScoredStudent
		want string
	}{
		{"no settings", XAPIOptions{}, list, "xAPI home page: empty"},
		{"urn home page", XAPIOptions{HomePage: "urn:evalrun:pseudonym", ActivityBase: testXAPI.ActivityBase}, list, `xAPI home page: "urn:evalrun:pseudonym" has scheme "urn"`},
		{"relative activity base", XAPIOptions{HomePage: testXAPI.HomePage, ActivityBase: "courses/"}, list, "xAPI activity base: \"courses/\" is a relative URL"},
		{"no pseudonym", testXAPI, []results.ScoredStudent{{Rank: 4, Key: "s-9", ID: "s-9", Term: "T", Score: 0.9, Band: "high", Flagged: true, Alert: "risen"}}, "the student ranked 4 has no pseudonym"},
	} {
		b, err := AlertStatements(&results.Scoring{List: c.list}, c.x)
		if err == nil || !strings.Contains(err.Error(), c.want) || b != nil {
			t.Errorf("%s: %v (%d bytes), want an error containing %q", c.name, err, len(b), c.want)
		}
	}
}
