package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/evalrun/evalrun/results"
)

// xAPI identifiers of the alert statements. xAPI 1.0.3 wants verb and
// extension ids to be IRIs with a human-readable portion, and an id one
// defines oneself to resolve to its definition; the ADL vocabulary has no
// verb for a prediction, so evalrun's own verb and extensions are URLs of
// their definitions in docs/deploy.md (section "xAPI vocabulary", one
// anchor each).
const (
	XAPIVocabulary    = "https://github.com/evalrun/evalrun/blob/main/docs/deploy.md"
	XAPIVerbPredicted = XAPIVocabulary + "#xapi-verb-predicted-at-risk"
	XAPIExtRisk       = XAPIVocabulary + "#xapi-ext-risk"
	XAPIExtBand       = XAPIVocabulary + "#xapi-ext-band"
	XAPIExtAlert      = XAPIVocabulary + "#xapi-ext-alert"
	XAPIExtRiskChange = XAPIVocabulary + "#xapi-ext-risk-change"
	XAPIExtModel      = XAPIVocabulary + "#xapi-ext-model"
	XAPIExtCutoffDay  = XAPIVocabulary + "#xapi-ext-cutoff-day"
	// XAPIActivityTypeCourse is the ADL activity type of the object.
	XAPIActivityTypeCourse = "http://adlnet.gov/expapi/activities/course"
)

// XAPIOptions are the institution's own IRIs the alert statements are
// built on. xAPI 1.0.3 wants an account's homePage to be an IRL (a URL
// that resolves) and an activity id to be an IRI in a domain its owner
// controls; many learning record stores refuse anything else. Only the
// institution knows its own, so neither has a default.
type XAPIOptions struct {
	// HomePage is the account.homePage of every actor: the URL of the
	// institution's system whose accounts the pseudonyms name
	// ("https://lms.example.edu"). See CheckXAPIHomePage.
	HomePage string
	// ActivityBase is the IRI the course presentations' activity ids are
	// built under: ActivityBase/<course>/<term>, each segment escaped with
	// url.PathEscape (one trailing slash of ActivityBase is dropped; a
	// student without a course has ActivityBase/<term>). See
	// CheckXAPIActivityBase.
	ActivityBase string
}

// CheckXAPIHomePage returns an error saying what is wrong when s cannot be
// an account's homePage: it must be an absolute http or https URL with a
// host, without user name, password or fragment, with nothing left to
// escape (no spaces, controls or characters RFC 3987 excludes; non-ASCII
// letters are fine in an IRI). The message does not name the setting;
// callers add their key or flag.
func CheckXAPIHomePage(s string) error { return checkXAPIURL(s, false) }

// CheckXAPIActivityBase is CheckXAPIHomePage for an activity base, which
// also may not carry a query, since ids are built by appending path
// segments to it.
func CheckXAPIActivityBase(s string) error { return checkXAPIURL(s, true) }

func checkXAPIURL(s string, base bool) error {
	if s == "" {
		return errors.New("empty: want an absolute http or https URL such as https://lms.example.edu")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	switch {
	case u.Scheme == "":
		return fmt.Errorf("%q is a relative URL: want an absolute http or https URL such as https://lms.example.edu", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q has scheme %q: want an http or https URL (xAPI wants an IRL a learning record store can resolve, and stores that validate statements refuse urn: ids)", s, u.Scheme)
	case u.Opaque != "" || u.Host == "":
		return fmt.Errorf("%q has no host: want an absolute URL such as https://lms.example.edu", s)
	case u.User != nil:
		return fmt.Errorf("%q carries a user name or password: identifiers go to every statement, so leave credentials out", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q has a fragment (#...): leave it out", s)
	case base && (u.RawQuery != "" || u.ForceQuery):
		return fmt.Errorf("%q has a query (?...): activity ids are built by appending path segments to it, so give a path such as https://lms.example.edu/courses", s)
	}
	// IRIs allow non-ASCII letters as they are, but not spaces, controls
	// or the characters RFC 3987 excludes; url.Parse has already refused
	// malformed %-escapes.
	if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("\"<>\\^`{|}", r) }); i >= 0 {
		return fmt.Errorf("%q contains %q, which an IRI must escape: write %q", s, s[i:i+1], u.String())
	}
	return nil
}

// XAPIActivityID is the activity id of a course presentation: base, one
// trailing slash dropped, then the course and the term as path segments,
// each escaped with url.PathEscape ("/" becomes %2F, so a segment never
// splits in two) and "." and ".." spelled %2E so that no IRI normalisation
// can remove a segment. An empty course or term is left out.
func XAPIActivityID(base, course, term string) string {
	id := strings.TrimSuffix(base, "/")
	for _, seg := range []string{course, term} {
		switch seg {
		case "":
		case ".", "..":
			id += "/" + strings.Repeat("%2E", len(seg))
		default:
			id += "/" + url.PathEscape(seg)
		}
	}
	return id
}

// xapiStatement is an xAPI 1.0.3 statement.
type xapiStatement struct {
	Actor     xapiActor   `json:"actor"`
	Verb      xapiVerb    `json:"verb"`
	Object    xapiObject  `json:"object"`
	Result    xapiResult  `json:"result"`
	Context   xapiContext `json:"context"`
	Timestamp string      `json:"timestamp"`
}

type xapiActor struct {
	ObjectType string      `json:"objectType"`
	Account    xapiAccount `json:"account"`
}

type xapiAccount struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

type xapiVerb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

type xapiObject struct {
	ObjectType string         `json:"objectType"`
	ID         string         `json:"id"`
	Definition xapiDefinition `json:"definition"`
}

type xapiDefinition struct {
	Name map[string]string `json:"name"`
	Type string            `json:"type"`
}

type xapiResult struct {
	Extensions map[string]any `json:"extensions"`
}

type xapiContext struct {
	Extensions map[string]any `json:"extensions"`
}

// AlertStatements writes alerts.jsonl: one xAPI statement per alert, the
// student as actor (an account on x.HomePage named by the student's
// pseudonym, never the real id, even when the spec shows ids), the verb
// "predicted at risk", the course presentation as object (id from
// XAPIActivityID under x.ActivityBase) and the risk, band, alert type and
// change of risk as result extensions, so that a learning record store can
// receive them. Invalid options, or a student without a pseudonym, are
// errors.
func AlertStatements(sc *results.Scoring, x XAPIOptions) ([]byte, error) {
	if err := CheckXAPIHomePage(x.HomePage); err != nil {
		return nil, fmt.Errorf("xAPI home page: %w", err)
	}
	if err := CheckXAPIActivityBase(x.ActivityBase); err != nil {
		return nil, fmt.Errorf("xAPI activity base: %w", err)
	}
	var buf bytes.Buffer
	for _, s := range sc.List {
		if s.Alert == "" {
			continue
		}
		if s.Pseudonym == "" {
			return nil, fmt.Errorf("xAPI statements: the student ranked %d has no pseudonym, and statements never name students by their ids", s.Rank)
		}
		ext := map[string]any{XAPIExtRisk: s.Score, XAPIExtBand: s.Band, XAPIExtAlert: s.Alert}
		if s.Previous != nil {
			ext[XAPIExtRiskChange] = s.Score - *s.Previous
		}
		ctx := map[string]any{XAPIExtModel: sc.Bundle.Model}
		if sc.Bundle.CutoffDay != nil {
			ctx[XAPIExtCutoffDay] = *sc.Bundle.CutoffDay
		}
		name := strings.TrimSpace(s.Course + " " + s.Term)
		st := xapiStatement{
			Actor: xapiActor{ObjectType: "Agent", Account: xapiAccount{HomePage: x.HomePage, Name: s.Pseudonym}},
			Verb:  xapiVerb{ID: XAPIVerbPredicted, Display: map[string]string{"en-US": "predicted at risk"}},
			Object: xapiObject{ObjectType: "Activity", ID: XAPIActivityID(x.ActivityBase, s.Course, s.Term),
				Definition: xapiDefinition{Name: map[string]string{"en-US": name}, Type: XAPIActivityTypeCourse}},
			Result:    xapiResult{Extensions: ext},
			Context:   xapiContext{Extensions: ctx},
			Timestamp: sc.ScoredAt,
		}
		b, err := json.Marshal(st)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
