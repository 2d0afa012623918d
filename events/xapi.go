package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// xapiStatement holds the parts of an xAPI statement the event model uses.
type xapiStatement struct {
	ID    string    `json:"id"`
	Actor xapiAgent `json:"actor"`
	Verb  struct {
		ID string `json:"id"`
	} `json:"verb"`
	Object struct {
		ID         string `json:"id"`
		ObjectType string `json:"objectType"`
		Definition *struct {
			Type string `json:"type"`
		} `json:"definition"`
	} `json:"object"`
	Timestamp *string `json:"timestamp"`
	Result    *struct {
		Score *struct {
			Scaled *float64 `json:"scaled"`
			Raw    *float64 `json:"raw"`
			Min    *float64 `json:"min"`
			Max    *float64 `json:"max"`
		} `json:"score"`
		Success    *bool  `json:"success"`
		Completion *bool  `json:"completion"`
		Duration   string `json:"duration"`
	} `json:"result"`
	Context *struct {
		Instructor *xapiAgent `json:"instructor"`
		Statement  *struct {
			ID string `json:"id"`
		} `json:"statement"`
		ContextActivities struct {
			Parent   []xapiActivity `json:"parent"`
			Grouping []xapiActivity `json:"grouping"`
		} `json:"contextActivities"`
	} `json:"context"`
}

// xapiAgent is an xAPI actor: an agent identified by account, mbox,
// mbox_sha1sum or openid (a group has none of them).
type xapiAgent struct {
	Account *struct {
		HomePage string `json:"homePage"`
		Name     string `json:"name"`
	} `json:"account"`
	Mbox       string `json:"mbox"`
	MboxSHA1   string `json:"mbox_sha1sum"`
	OpenID     string `json:"openid"`
	ObjectType string `json:"objectType"`
}

// id returns the agent's identifier, as Event.Student takes it: the
// account name, else mbox, else mbox_sha1sum, else openid ("" for none).
func (a *xapiAgent) id() string {
	switch {
	case a.Account != nil && a.Account.Name != "":
		return a.Account.Name
	case a.Mbox != "":
		return a.Mbox
	case a.MboxSHA1 != "":
		return a.MboxSHA1
	}
	return a.OpenID
}

type xapiActivity struct {
	ID         string `json:"id"`
	Definition *struct {
		Type string `json:"type"`
	} `json:"definition"`
}

// ReadXAPIFile reads xAPI statements from a file with ReadXAPI.
func ReadXAPIFile(path string, sym *Symbols, sink Sink) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, fmt.Errorf("events: %w", err)
	}
	defer fh.Close()
	return ReadXAPI(fh, path, sym, sink)
}

// ReadXAPI reads xAPI statements, a JSON array of statements or one
// statement per line (JSON lines; blank lines skipped), and hands each to
// sink as an Event:
//
//	Student     actor.account.name, else actor.mbox, else actor.mbox_sha1sum, else actor.openid
//	Action      verb.id
//	Object      object.id; ObjectType object.definition.type (else object.objectType)
//	Course      the first context.contextActivities parent or grouping activity whose
//	            definition type's ShortName is "course"
//	Time        timestamp (RFC 3339); absent: TimeMissing, unparseable: TimeInvalid
//	Score       result.score.scaled, else (raw-min)/(max-min) when raw, min and max are given
//	            and max > min; NaN otherwise
//	Success, Completion  result.success, result.completion
//	DurationMS  result.duration (ISO 8601 duration)
//	Reply       verb ShortName "replied"
//	Instructor  context.instructor, identified as the actor is (an agent)
//
// A statement that is not valid JSON (a truncated line) or has a bad
// result duration goes to sink.Malformed with its line (JSON lines) or
// statement number (array).
func ReadXAPI(r io.Reader, source string, sym *Symbols, sink Sink) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 1<<16)
	first, err := firstNonSpace(br)
	if err != nil {
		return st, fmt.Errorf("events: %s: %w", source, err)
	}
	tp, _ := newTimeParser(FormatRFC3339, nil)
	var e Event
	handle := func(n int, raw []byte) error {
		st.Records++
		var s xapiStatement
		err := json.Unmarshal(raw, &s)
		if err == nil {
			err = xapiEvent(&s, n, sym, tp, &e)
			e.Source = source
		}
		if err != nil {
			st.Malformed++
			return sink.Malformed(source, n, err)
		}
		st.Events++
		return sink.Event(&e)
	}
	if first == '[' {
		dec := json.NewDecoder(br)
		if _, err := dec.Token(); err != nil {
			return st, fmt.Errorf("events: %s: %w", source, err)
		}
		for n := 1; dec.More(); n++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return st, fmt.Errorf("events: %s: statement %d: %w", source, n, err)
			}
			if err := handle(n, raw); err != nil {
				return st, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return st, fmt.Errorf("events: %s: after statement %d: %w", source, st.Records, err)
		}
		return st, nil
	}
	lineNo := 0
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			if t := bytes.TrimSpace(line); len(t) > 0 {
				if err := handle(lineNo, t); err != nil {
					return st, err
				}
			}
		}
		if rerr == io.EOF {
			return st, nil
		}
		if rerr != nil {
			return st, fmt.Errorf("events: %s: line %d: %w", source, lineNo+1, rerr)
		}
	}
}

// firstNonSpace peeks at the first byte that is not white space.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if err != nil {
			if err == io.EOF {
				return 0, errors.New("empty input")
			}
			return 0, err
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
			if i > 4096 {
				if _, err := br.Discard(i); err != nil {
					return 0, err
				}
				i = 0
			}
		case 0xef: // UTF-8 byte order mark
			if _, err := br.Discard(i - 1 + 3); err != nil {
				return 0, err
			}
			i = 0
		default:
			return c, nil
		}
	}
}

func xapiEvent(s *xapiStatement, n int, sym *Symbols, tp *timeParser, e *Event) error {
	e.reset()
	e.Line = n
	if id := s.Actor.id(); id != "" {
		e.Student = sym.InternString(id)
	}
	e.Action = sym.InternString(s.Verb.ID)
	e.Object = sym.InternString(s.Object.ID)
	if d := s.Object.Definition; d != nil && d.Type != "" {
		e.ObjectType = sym.InternString(d.Type)
	} else {
		e.ObjectType = sym.InternString(s.Object.ObjectType)
	}
	if s.Context != nil {
		if in := s.Context.Instructor; in != nil {
			if id := in.id(); id != "" {
				e.Instructor = sym.InternString(id)
			}
		}
		ca := &s.Context.ContextActivities
	find:
		for _, list := range [][]xapiActivity{ca.Parent, ca.Grouping} {
			for _, act := range list {
				if act.Definition != nil && ShortName(act.Definition.Type) == "course" {
					e.Course = sym.InternString(act.ID)
					break find
				}
			}
		}
	}
	if s.Timestamp == nil {
		e.TimeStatus = TimeMissing
	} else {
		tp.parse([]byte(*s.Timestamp), e)
	}
	if r := s.Result; r != nil {
		if sc := r.Score; sc != nil {
			switch {
			case sc.Scaled != nil:
				e.Score = *sc.Scaled
			case sc.Raw != nil && sc.Min != nil && sc.Max != nil && *sc.Max > *sc.Min:
				e.Score = (*sc.Raw - *sc.Min) / (*sc.Max - *sc.Min)
			}
			if math.IsInf(e.Score, 0) {
				e.Score = math.NaN()
			}
		}
		if r.Success != nil {
			e.Success = triOf(*r.Success)
		}
		if r.Completion != nil {
			e.Completion = triOf(*r.Completion)
		}
		if r.Duration != "" {
			ms, err := parseISODuration(r.Duration)
			if err != nil {
				return fmt.Errorf("result.duration: %w", err)
			}
			e.DurationMS = ms
		}
	}
	e.Reply = ShortName(s.Verb.ID) == "replied"
	if s.ID != "" {
		e.Post = sym.InternString(s.ID)
	}
	switch {
	case s.Object.ObjectType == "StatementRef" && s.Object.ID != "":
		e.ReplyTo = sym.InternString(s.Object.ID)
	case s.Context != nil && s.Context.Statement != nil && s.Context.Statement.ID != "":
		e.ReplyTo = sym.InternString(s.Context.Statement.ID)
	}
	return nil
}

func triOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}
