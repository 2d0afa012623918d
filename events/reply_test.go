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
