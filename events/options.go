package events

import (
	"fmt"
	"time"
)

// Options configures a Builder.
type Options struct {
	// Name is the dataset name, used in messages.
	Name string
	// Cutoffs are the prediction days (relative to day 0, the term start
	// or each course's start for day-offset logs); features are built as
	// of each. At least one; |day| <= 3650.
	Cutoffs []int
	// Term places timestamped events in days and bounds them.
	Term Term
	// DescribeThroughDay is the last day kept for Describe (activity after
	// the largest cutoff); 0 or less than the largest cutoff: the largest
	// cutoff, or the term's last day when Term.End is set.
	DescribeThroughDay int
	// Students lists the known student keys (the student table the
	// features are joined to); events of any other student are dropped and
	// counted (rule unknown_student). nil: every student is known.
	Students []string
	// Resources maps resource ids to types (and optionally courses), like
	// OULAD's vle.csv; nil: types come from the events themselves.
	Resources *ResourceTable
	// Cleaning sets the cleaning rules; start from DefaultCleaning().
	Cleaning Cleaning
	// Features are the engagement features to build; nil: every kind with
	// its default parameters (DefaultFeatures).
	Features []Feature
	// SortInMemory accepts events of a student in any time order by
	// keeping 72 bytes per event that passes the order-free rules and
	// sorting at Finish. Without it the events of each student must come
	// in nondecreasing time order (an earlier event is an error naming its
	// line), and nothing per event is kept.
	SortInMemory bool
}

// Term is the course term of a timestamped log.
type Term struct {
	// Start is the beginning of day 0: day d of an event is its calendar
	// date in Location minus Start's calendar date. Required for
	// timestamped events (not for day-offset logs).
	Start time.Time
	// End, when set, is the exclusive end of the term window: events
	// before Start or at or after End are dropped (rule outside_term).
	// Without End only events before Start are dropped.
	End time.Time
	// TimeZone is the IANA name of the zone whose calendar days and
	// weekdays are used ("" means Start's location).
	TimeZone string `toml:"time_zone"`
}

// ResourceTable maps resource ids to types and, optionally, courses.
type ResourceTable struct {
	Types map[string]string
	// Courses, when set for a resource, is the only course whose events may
	// use it; an event of another course is dropped (rule
	// unknown_resource), like OULAD's id_site of another presentation.
	Courses map[string]string
}

// Cleaning configures the cleaning rules. The zero value turns every
// optional rule off; DefaultCleaning returns the defaults.
type Cleaning struct {
	// DropBadTimestamps drops and counts unparseable timestamps (rule
	// bad_timestamp) instead of failing with the source line. Missing
	// timestamps are always dropped and counted (rule missing_timestamp).
	DropBadTimestamps bool `toml:"drop_bad_timestamps"`
	// DropMalformed drops and counts records that cannot be parsed (rule
	// malformed_record) instead of failing with the source line.
	DropMalformed bool `toml:"drop_malformed"`
	// Duplicates drops exact duplicates: an event equal in every field
	// (student, instant, action, object, type, course, user agent, count,
	// duration, result) to an earlier kept event (rule duplicate).
	// Timestamped logs only.
	Duplicates bool `toml:"drop_duplicates"`
	// BotUserAgents drops events whose user agent contains one of these
	// strings, ignoring case (rule bot_user_agent).
	BotUserAgents []string `toml:"bot_user_agents"`
	// MaxEventsPerMinute > 0 drops every event of a student's calendar
	// minute (UTC) holding more than this many events (sum of counts)
	// (rule bot_rate). Timestamped logs only.
	MaxEventsPerMinute int `toml:"max_events_per_minute"`
	// RegularGaps > 0 drops an event when it and the RegularGaps
	// preceding gaps between the student's events are all positive and
	// within RegularToleranceSeconds of each other (max - min), i.e.
	// clockwork clicking (rule bot_regular). The first RegularGaps events of
	// such a run are kept: the rule only looks back, so later events never
	// change an earlier decision. Timestamped logs only.
	RegularGaps             int     `toml:"regular_gaps"`
	RegularToleranceSeconds float64 `toml:"regular_tolerance_seconds"`
}

// DefaultCleaning returns the default rules: drop duplicates; user agents
// naming bots, crawlers, spiders, headless browsers and HTTP libraries;
// more than 60 events in a minute; 20 gaps within 0.5 s of each other.
// Bad timestamps and malformed records are errors.
func DefaultCleaning() Cleaning {
	return Cleaning{
		Duplicates:              true,
		BotUserAgents:           []string{"bot", "crawler", "spider", "headless", "python-requests", "curl/", "wget/"},
		MaxEventsPerMinute:      60,
		RegularGaps:             20,
		RegularToleranceSeconds: 0.5,
	}
}

// The cleaning rules, in the order they are applied: an event is counted
// by the first rule that drops it.
const (
	RuleMalformed        = "malformed_record"
	RuleMissingStudent   = "missing_student"
	RuleMissingTimestamp = "missing_timestamp"
	RuleBadTimestamp     = "bad_timestamp"
	RuleUnknownStudent   = "unknown_student"
	RuleUnknownResource  = "unknown_resource"
	RuleOutsideTerm      = "outside_term"
	RuleAfterLastDay     = "after_last_day"
	RuleDuplicate        = "duplicate"
	RuleBotUserAgent     = "bot_user_agent"
	RuleBotRate          = "bot_rate"
	RuleBotRegular       = "bot_regular"
)

// rules lists the rules in order; ruleIndex constants index it.
var rules = [...]string{
	RuleMalformed, RuleMissingStudent, RuleMissingTimestamp, RuleBadTimestamp, RuleUnknownStudent,
	RuleUnknownResource, RuleOutsideTerm, RuleAfterLastDay, RuleDuplicate, RuleBotUserAgent,
	RuleBotRate, RuleBotRegular,
}

const (
	rMalformed = iota
	rMissingStudent
	rMissingTimestamp
	rBadTimestamp
	rUnknownStudent
	rUnknownResource
	rOutsideTerm
	rAfterLastDay
	rDuplicate
	rBotUserAgent
	rBotRate
	rBotRegular
	numRules
)

var ruleDetails = [numRules]string{
	"records that could not be parsed (see the line numbers in the error), skipped",
	"events without a student identifier, dropped",
	"events without a timestamp, dropped (never given a zero date)",
	"events with an unparseable timestamp, dropped",
	"events of students not in the student table, dropped",
	"events whose resource is not in the resource table (or belongs to another course), dropped",
	"events before the term start or at or after the term end, dropped",
	"events dated after the last day built (largest cutoff or described day), not counted",
	"exact duplicates of an earlier event, dropped",
	"events whose user agent names a bot, dropped",
	"events in a student-minute with more than the allowed number of events, dropped",
	"events closing a run of inhumanly regular gaps, dropped",
}

func (c Cleaning) validate() error {
	if c.MaxEventsPerMinute < 0 {
		return fmt.Errorf("max_events_per_minute %d is negative", c.MaxEventsPerMinute)
	}
	if c.RegularGaps < 0 || c.RegularGaps > 10000 {
		return fmt.Errorf("regular_gaps %d outside [0, 10000]", c.RegularGaps)
	}
	if c.RegularGaps > 0 && !(c.RegularToleranceSeconds >= 0) {
		return fmt.Errorf("regular_tolerance_seconds %v is not >= 0", c.RegularToleranceSeconds)
	}
	for _, ua := range c.BotUserAgents {
		if ua == "" {
			return fmt.Errorf("bot_user_agents holds an empty string (it would match every event)")
		}
	}
	return nil
}
