package events

import (
	"strings"
	"testing"
)

// replySink keeps each event's student, post and reply target by name.
type replySink struct {
	sym  *Symbols
	rows [][3]string
}

func (r *replySink) Event(e *Event) error {
	r.rows = append(r.rows, [3]string{r.sym.Name(e.Student), r.sym.Name(e.Post), r.sym.Name(e.ReplyTo)})
	return nil
}

func (r *replySink) Malformed(string, int, error) error { return nil }

// xAPI replies refer to the answered statement by a StatementRef object or
// by context.statement; Caliper replies by object.replyTo; both record the
// id other events reply to.
func TestReplyTargets(t *testing.T) {
	xapi := `{"id":"s1","actor":{"account":{"name":"ann"}},"verb":{"id":"http://id.tincanapi.com/verb/replied"},"object":{"id":"s0","objectType":"StatementRef"},"timestamp":"2024-01-01T10:00:00Z"}
{"id":"s2","actor":{"account":{"name":"bob"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/commented"},"object":{"id":"http://forum/1"},"context":{"statement":{"id":"s1","objectType":"StatementRef"}},"timestamp":"2024-01-01T11:00:00Z"}
{"id":"s3","actor":{"account":{"name":"cy"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"http://page/1"},"timestamp":"2024-01-01T12:00:00Z"}
`
	sym := NewSymbols()
	sink := &replySink{sym: sym}
	if _, err := ReadXAPI(strings.NewReader(xapi), "x.jsonl", sym, sink); err != nil {
		t.Fatal(err)
	}
	want := [][3]string{{"ann", "s1", "s0"}, {"bob", "s2", "s1"}, {"cy", "s3", ""}}
	for i, w := range want {
		if sink.rows[i] != w {
			t.Errorf("xAPI statement %d: %v, want %v", i, sink.rows[i], w)
		}
	}
	caliper := `{"sensor":"s","sendTime":"2016-11-15T11:05:01.000Z","dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2","data":[
{"id":"urn:uuid:1","type":"MessageEvent","actor":{"id":"u/dee","type":"Person"},"action":"Posted","eventTime":"2016-11-15T10:15:00.000Z","object":{"id":"m/3","type":"Message","replyTo":{"id":"m/2","type":"Message"}}}]}`
	sink.rows = nil
	if _, err := ReadCaliper(strings.NewReader(caliper), "c.json", sym, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.rows) != 1 || sink.rows[0] != [3]string{"u/dee", "m/3", "m/2"} {
		t.Errorf("Caliper reply: %v", sink.rows)
	}
}

// Staff roles: an xAPI statement's context.instructor names an agent the
// way its actor is named; a Caliper event's membership roles are the
// actor's when the membership's member is the actor (or not named), and
// never a graded assignee's.
func TestActorRoles(t *testing.T) {
	xapi := `{"id":"s1","actor":{"account":{"name":"ann"}},"verb":{"id":"v/replied"},"object":{"id":"o"},"context":{"instructor":{"account":{"homePage":"h","name":"tutor7"}}},"timestamp":"2024-01-01T10:00:00Z"}
{"id":"s2","actor":{"mbox":"mailto:bo@x"},"verb":{"id":"v/replied"},"object":{"id":"o"},"context":{"instructor":{"mbox":"mailto:ta@x"}},"timestamp":"2024-01-01T10:00:00Z"}
{"id":"s3","actor":{"account":{"name":"cy"}},"verb":{"id":"v/replied"},"object":{"id":"o"},"context":{"instructor":{"objectType":"Group","member":[]}},"timestamp":"2024-01-01T10:00:00Z"}
`
	sym := NewSymbols()
	rec := &recorder{sym: sym}
	if _, err := ReadXAPI(strings.NewReader(xapi), "x.jsonl", sym, rec); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"tutor7", "mailto:ta@x", ""} {
		if got := rec.name(rec.events[i].Instructor); got != want {
			t.Errorf("statement %d: instructor %q, want %q", i+1, got, want)
		}
	}
	caliper := `{"sensor":"s","sendTime":"2016-11-15T11:05:01.000Z","dataVersion":"http://purl.imsglobal.org/ctx/caliper/v1p2","data":[
{"id":"urn:uuid:1","type":"MessageEvent","actor":{"id":"u/ta","type":"Person"},"action":"Posted","eventTime":"2016-11-15T10:15:00.000Z","object":{"id":"m/3","type":"Message"},"membership":{"id":"r/1","type":"Membership","member":"u/ta","roles":["Instructor#TeachingAssistant", " Mentor "]}},
{"id":"urn:uuid:2","type":"MessageEvent","actor":{"id":"u/ann","type":"Person"},"action":"Posted","eventTime":"2016-11-15T10:15:00.000Z","object":{"id":"m/4","type":"Message"},"membership":{"id":"r/2","type":"Membership","member":"u/other","roles":["Instructor"]}},
{"id":"urn:uuid:3","type":"MessageEvent","actor":{"id":"u/bob","type":"Person"},"action":"Posted","eventTime":"2016-11-15T10:15:00.000Z","object":{"id":"m/5","type":"Message"},"membership":{"id":"r/3","type":"Membership","roles":["Learner"]}},
{"id":"urn:uuid:4","type":"GradeEvent","actor":{"id":"u/prof","type":"Person"},"action":"Graded","eventTime":"2016-11-15T10:15:00.000Z","object":{"id":"a/1","type":"Attempt","assignee":{"id":"u/bob","type":"Person"}},"membership":{"id":"r/4","type":"Membership","member":"u/prof","roles":["Instructor"]}}]}`
	rec.events = nil
	if _, err := ReadCaliper(strings.NewReader(caliper), "c.json", sym, rec); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"Instructor#TeachingAssistant Mentor", "", "Learner", ""} {
		if got := rec.name(rec.events[i].Roles); got != want {
			t.Errorf("Caliper event %d: roles %q, want %q", i+1, got, want)
		}
	}
}
