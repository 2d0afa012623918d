package events

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// ReadCaliperFile reads a Caliper envelope or event file with ReadCaliper.
func ReadCaliperFile(path string, sym *Symbols, sink Sink) (Stats, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Stats{}, fmt.Errorf("events: %w", err)
	}
	defer fh.Close()
	return ReadCaliper(fh, path, sym, sink)
}

// ReadCaliper reads IMS Caliper 1.1 data: an envelope (an object with a
// "data" array of events and entities, as sent to an endpoint), a single
// event object, or a JSON array of either, possibly several concatenated
// JSON values. An item with an "action" is an event; other items are
// entities, counted in Stats.Skipped and used to resolve thinned events
// (which reference actor, object and group by id) within the same
// envelope. Each event goes to sink:
//
//	Student     actor id; for action "Graded", the assignee of the graded
//	            attempt (object.assignee) when there is one
//	Action      action (e.g. "NavigatedTo")
//	Object      object id; ObjectType the object's type (or the referenced entity's)
//	Course      group id
//	Time        eventTime (RFC 3339); absent: TimeMissing, unparseable: TimeInvalid
//	Score       generated.scoreGiven / generated.maxScore when the generated
//	            entity is a Score with maxScore > 0
//	DurationMS  object.duration (ISO 8601) when present
//	UserAgent   session.client.userAgent, else session.extensions.request.userAgent
//	Reply       object.replyTo present (a Message answering another)
//	Roles       membership.roles, when the membership's member is the actor
//	            (or is not named) and Student is the actor
//
// Items are numbered from 1 across the input for Malformed and Line.
// Invalid JSON is an error naming the source.
func ReadCaliper(r io.Reader, source string, sym *Symbols, sink Sink) (Stats, error) {
	var st Stats
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tp, _ := newTimeParser(FormatRFC3339, nil)
	var e Event
	item := 0
	var doc any
	for {
		doc = nil
		if err := dec.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			return st, fmt.Errorf("events: %s: invalid JSON after item %d: %w", source, item, err)
		}
		var envelopes [][]any
		switch v := doc.(type) {
		case []any:
			for _, x := range v {
				envelopes = append(envelopes, caliperItems(x))
			}
		default:
			envelopes = append(envelopes, caliperItems(v))
		}
		for _, items := range envelopes {
			entities := map[string]map[string]any{}
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					if id, ok := m["id"].(string); ok {
						entities[id] = m
					}
				}
			}
			for _, it := range items {
				item++
				st.Records++
				m, ok := it.(map[string]any)
				if !ok {
					st.Malformed++
					if err := sink.Malformed(source, item, fmt.Errorf("item is not a JSON object")); err != nil {
						return st, err
					}
					continue
				}
				if _, isEvent := m["action"]; !isEvent {
					st.Skipped++
					continue
				}
				err := caliperEvent(m, entities, item, sym, tp, &e)
				e.Source = source
				if err != nil {
					st.Malformed++
					if err := sink.Malformed(source, item, err); err != nil {
						return st, err
					}
					continue
				}
				st.Events++
				if err := sink.Event(&e); err != nil {
					return st, err
				}
			}
		}
	}
	if item == 0 {
		return st, fmt.Errorf("events: %s: no Caliper events or entities", source)
	}
	return st, nil
}

// caliperItems returns the items of an envelope, or the value itself.
func caliperItems(v any) []any {
	if m, ok := v.(map[string]any); ok {
		if data, ok := m["data"].([]any); ok {
			return data
		}
	}
	return []any{v}
}

// caliperNode returns the id and type of a node that is either an entity
// object or an id string referencing one of entities.
func caliperNode(v any, entities map[string]map[string]any) (id, typ string, m map[string]any) {
	switch x := v.(type) {
	case string:
		id = x
		m = entities[x]
	case map[string]any:
		id, _ = x["id"].(string)
		m = x
	}
	if m != nil {
		typ, _ = m["type"].(string)
		if typ == "" {
			if ref := entities[id]; ref != nil {
				typ, _ = ref["type"].(string)
			}
		}
	}
	return id, typ, m
}

func caliperEvent(m map[string]any, entities map[string]map[string]any, item int, sym *Symbols, tp *timeParser, e *Event) error {
	e.reset()
	e.Line = item
	action, ok := m["action"].(string)
	if !ok || action == "" {
		return fmt.Errorf("event action is not a string")
	}
	e.Action = sym.InternString(action)
	actor, _, _ := caliperNode(m["actor"], entities)
	objID, objType, obj := caliperNode(m["object"], entities)
	e.Object, e.ObjectType = sym.InternString(objID), sym.InternString(objType)
	student := actor
	if action == "Graded" && obj != nil {
		if who, _, _ := caliperNode(obj["assignee"], entities); who != "" {
			student = who
		}
	}
	e.Student = sym.InternString(student)
	if _, _, ms := caliperNode(m["membership"], entities); ms != nil && student == actor && actor != "" {
		member, _, _ := caliperNode(ms["member"], entities)
		if roles, ok := ms["roles"].([]any); ok && (member == "" || member == actor) {
			var names []string
			for _, r := range roles {
				if r, ok := r.(string); ok && strings.TrimSpace(r) != "" {
					names = append(names, strings.TrimSpace(r))
				}
			}
			if len(names) > 0 {
				e.Roles = sym.InternString(strings.Join(names, " "))
			}
		}
	}
	if group, _, _ := caliperNode(m["group"], entities); group != "" {
		e.Course = sym.InternString(group)
	}
	switch t := m["eventTime"].(type) {
	case nil:
		e.TimeStatus = TimeMissing
	case string:
		tp.parse([]byte(t), e)
	default:
		e.TimeStatus, e.TimeError = TimeInvalid, fmt.Sprintf("eventTime %v is not a string", t)
	}
	if obj != nil {
		if d, ok := obj["duration"].(string); ok && d != "" {
			ms, err := parseISODuration(d)
			if err != nil {
				return fmt.Errorf("object.duration: %w", err)
			}
			e.DurationMS = ms
		}
		if r, ok := obj["replyTo"]; ok {
			e.Reply = true
			if id, _, _ := caliperNode(r, entities); id != "" {
				e.ReplyTo = sym.InternString(id)
			}
		}
		if objType == "Message" && objID != "" {
			e.Post = e.Object
		}
	}
	if _, gtype, g := caliperNode(m["generated"], entities); g != nil && gtype == "Score" {
		given, ok1 := caliperNumber(g["scoreGiven"])
		maxScore, ok2 := caliperNumber(g["maxScore"])
		if ok1 && ok2 && maxScore > 0 {
			e.Score = given / maxScore
		}
	}
	if s, ok := m["session"].(map[string]any); ok {
		for _, path := range [][]string{{"client", "userAgent"}, {"extensions", "request", "userAgent"}} {
			if ua, ok := jsonPath(s, path).(string); ok && ua != "" {
				e.UserAgent = sym.InternString(ua)
				break
			}
		}
	}
	return nil
}

func caliperNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// jsonPath follows object keys from m; nil when a key is missing.
func jsonPath(m map[string]any, path []string) any {
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}
