package events

import (
	"math"
	"strings"
	"time"
)

// TimeStatus says whether an event could be placed in time.
type TimeStatus uint8

const (
	// TimeOK: Event.Time (or Event.Day for day-offset logs) is valid.
	TimeOK TimeStatus = iota
	// TimeMissing: the record has no timestamp (empty field, absent key).
	TimeMissing
	// TimeInvalid: the timestamp could not be parsed; Event.TimeError says why.
	TimeInvalid
)

// Tri is a yes/no value that may be unknown.
type Tri int8

// Tri values.
const (
	Unknown Tri = -1
	No      Tri = 0
	Yes     Tri = 1
)

// Event is one record of a log in the common model. Identifiers are
// interned in the Symbols table the reader was given; 0 means absent.
type Event struct {
	// Student is the learner the event is about (clickstream student
	// column, xAPI actor, Caliper actor; for a Caliper grading event the
	// graded attempt's assignee).
	Student Sym
	// Time is the instant in milliseconds since the Unix epoch (UTC), when
	// DayOnly is false and TimeStatus is TimeOK.
	Time int64
	// Day is the day relative to the course start when DayOnly (day-offset
	// logs such as OULAD's studentVle.csv, which have no time of day).
	Day     int32
	DayOnly bool
	// TimeStatus says whether Time/Day is valid; TimeError describes an
	// unparseable timestamp (TimeInvalid).
	TimeStatus TimeStatus
	TimeError  string

	Action     Sym // verb: clickstream action, xAPI verb id, Caliper action
	Object     Sym // resource / object id
	ObjectType Sym // resource / object type (xAPI activity type, Caliper type)
	Course     Sym // course, module presentation or Caliper group
	UserAgent  Sym // client user agent, when the log has one
	// Reply marks a forum post that answers another (xAPI verb "replied",
	// Caliper Message with replyTo).
	Reply bool
	// Post identifies what a reply can refer to: the xAPI statement id, or
	// the Caliper Message object's id; 0 when absent. ReplyTo is the post
	// this event answers: an xAPI statement whose object is a StatementRef,
	// or that carries context.statement, refers to that statement; a
	// Caliper Message refers to its replyTo Message. Forum reply graphs
	// (package networks) join ReplyTo to the Post of the answered event.
	Post, ReplyTo Sym
	// Roles are the roles the log gives the event's actor, separated by
	// spaces (0 when none): a Caliper event's membership.roles (e.g.
	// "Instructor", "Instructor#TeachingAssistant") when the membership's
	// member is the actor or is not named, and Student is the actor.
	// Instructor is the agent an xAPI statement names as
	// context.instructor, identified as Student is (0 when absent or a
	// group). Reply graphs use them to flag staff.
	Roles, Instructor Sym

	// Count is the number of identical actions the record stands for (1,
	// or a count column such as OULAD's sum_click; 0 is allowed and
	// counts nothing).
	Count int64
	// DurationMS is the duration in milliseconds (xAPI result.duration,
	// a duration column); -1 when unknown.
	DurationMS int64
	// Score is the result score scaled to [0, 1] (xAPI score.scaled, or
	// raw rescaled by min and max; Caliper scoreGiven / maxScore); NaN
	// when there is none.
	Score float64
	// Success and Completion are the result flags.
	Success, Completion Tri

	// Source names the input (file name) the event came from; Line is the 1-based line (CSV, JSON lines) or record number (JSON
	// array, Caliper envelope item) the event came from.
	Source string
	Line   int
}

// Timestamp returns the event's instant in UTC, and false for day-offset
// events and events without a valid time.
func (e *Event) Timestamp() (time.Time, bool) {
	if e.DayOnly || e.TimeStatus != TimeOK {
		return time.Time{}, false
	}
	return time.UnixMilli(e.Time).UTC(), true
}

// Reset makes e an empty event with unknown optional values: Count 1,
// DurationMS -1, Score NaN, Success and Completion Unknown.
func (e *Event) Reset() { e.reset() }

// reset makes e an empty event with unknown optional values.
func (e *Event) reset() {
	*e = Event{Count: 1, DurationMS: -1, Score: math.NaN(), Success: Unknown, Completion: Unknown}
}

// Sink receives what a reader parses.
type Sink interface {
	// Event receives one event; the pointer is reused after the call.
	// Returning an error stops the reader, which returns it.
	Event(e *Event) error
	// Malformed receives a record that could not be parsed at all (a
	// truncated JSON line, a CSV row with the wrong number of fields):
	// source and line locate it, err says why. Returning nil skips the
	// record (the sink counts it); returning an error stops the reader.
	Malformed(source string, line int, err error) error
}

// ShortName returns the name used for an action or resource type in
// feature column names and rule matching: the part after the last '/' or
// '#' of an IRI (or the whole value), lower-cased. Example:
// "http://adlnet.gov/expapi/verbs/completed" -> "completed",
// "NavigatedTo" -> "navigatedto".
func ShortName(v string) string {
	v = strings.TrimRight(v, "/#")
	if i := strings.LastIndexAny(v, "/#"); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(v)
}
