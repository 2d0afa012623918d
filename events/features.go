package events

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Feature kinds (Feature.Kind). Column names below are given without the
// feature's Prefix; c is the cutoff day, and every count is a sum of
// event counts (Event.Count) over clean events dated on days <= c.
const (
	// KindClicks is the OULAD click block, computed by the same code as
	// the OULAD loader: clicks_total, clicks_type_<type> (one per resource
	// type: the resource table's types, else types seen on days <= c by
	// any student; sorted), clicks_week_before_start (days < 0),
	// clicks_week_<w> (days 7w..7w+6, w = 0..floor(c/7)), active_days,
	// days_since_last_activity (c - last active day; NaN when none).
	KindClicks = "clicks"
	// KindSessions: sessions (count of sessions: runs of events with no
	// idle gap longer than IdleGapMinutes), time_on_task_minutes (sum over
	// sessions of last minus first event time), mean_session_minutes
	// (time_on_task_minutes / sessions; NaN without sessions). NaN for
	// day-offset logs, which have no time of day. A session running over
	// the cutoff counts only its events dated <= c.
	KindSessions = "sessions"
	// KindWeekly: events_week_<w> and active_days_week_<w> for w = 0 ..
	// floor(c/7) (the last week is partial); none when c < 0.
	KindWeekly = "weekly"
	// KindActions: action_<name> per action ShortName: the declared
	// Actions, else every action seen on days <= c by any student, sorted.
	KindActions = "actions"
	// KindResourceTypes: resource_type_<name> per resource type ShortName:
	// the declared ResourceTypes, else the resource table's, else those
	// seen on days <= c, sorted.
	KindResourceTypes = "resource_types"
	// KindForum: forum_posts, forum_replies, forum_views. An event is a
	// forum event when it is a reply (Event.Reply) or its object type's
	// ShortName is in ForumTypes; it is a reply when Event.Reply or its
	// action is in ReplyActions, else a post when its action is in
	// PostActions, else a view when it has no action or its action is in
	// ViewActions; other forum actions (subscribing, ...) count in none.
	KindForum = "forum"
	// KindRegularity: weekday_entropy (Shannon entropy in bits, 0 to
	// log2 7, of the weekdays of the active days <= c, each active day
	// counting once; NaN without active days or, for day-offset logs,
	// without a term start) and session_gap_sd_hours (sample standard
	// deviation of the idle time between consecutive sessions, in hours;
	// NaN with fewer than two gaps or for day-offset logs).
	KindRegularity = "regularity"
	// KindTrend: activity_trend, the least-squares slope of events per
	// week over the complete weeks w = 0..floor((c+1)/7)-1 (events per
	// week per week); NaN with fewer than two complete weeks.
	KindTrend = "trend"
	// KindRecency: days_since_last_event, c minus the last active day <=
	// c; NaN when none.
	KindRecency = "recency"
	// KindFirstWeek: first_week_events and first_week_active_days on days
	// 0..min(6, c); NaN when c < 0.
	KindFirstWeek = "first_week"
	// KindAssessments: assessment_attempts (result events: events with a
	// score or a success flag), assessment_mean_score (mean scaled score
	// 0-1 of those with a score; NaN when none), assessment_success_rate
	// (share with success = true among those with a success flag; NaN when
	// none), assessment_completions (result events with completion =
	// true).
	KindAssessments = "assessments"
)

// Kinds lists every feature kind in DefaultFeatures order.
var Kinds = []string{KindClicks, KindSessions, KindWeekly, KindActions, KindResourceTypes, KindForum,
	KindRegularity, KindTrend, KindRecency, KindFirstWeek, KindAssessments}

// Feature declares one block of engagement features (a [[features]]
// entry of the spec). Parameters not used by a kind must be left empty.
type Feature struct {
	Kind string `toml:"kind"`
	// Prefix is prepended to every column name of the block ("" default).
	Prefix string `toml:"prefix"`
	// IdleGapMinutes ends a session (sessions, regularity); default 30.
	IdleGapMinutes float64 `toml:"idle_gap_minutes"`
	// Actions fixes the action columns (actions).
	Actions []string `toml:"actions"`
	// ResourceTypes fixes the resource type columns (resource_types).
	ResourceTypes []string `toml:"resource_types"`
	// Forum classification (forum); defaults in DefaultFeatures.
	ForumTypes   []string `toml:"forum_types"`
	PostActions  []string `toml:"post_actions"`
	ReplyActions []string `toml:"reply_actions"`
	ViewActions  []string `toml:"view_actions"`
}

// Default forum classification (ShortNames).
var (
	DefaultForumTypes   = []string{"forum", "forumng", "discussion", "thread", "message", "forum-reply", "forum-post", "post", "topic"}
	DefaultPostActions  = []string{"posted", "post", "create", "created", "commented"}
	DefaultReplyActions = []string{"replied", "reply"}
	DefaultViewActions  = []string{"viewed", "view", "navigatedto", "markedasread", "read", "accessed"}
)

// DefaultFeatures returns one feature of every kind with default
// parameters.
func DefaultFeatures() []Feature {
	var fs []Feature
	for _, k := range Kinds {
		f := Feature{Kind: k}
		f.applyDefaults()
		fs = append(fs, f)
	}
	return fs
}

func (f *Feature) applyDefaults() {
	if (f.Kind == KindSessions || f.Kind == KindRegularity) && f.IdleGapMinutes == 0 {
		f.IdleGapMinutes = 30
	}
	if f.Kind == KindForum {
		if f.ForumTypes == nil {
			f.ForumTypes = DefaultForumTypes
		}
		if f.PostActions == nil {
			f.PostActions = DefaultPostActions
		}
		if f.ReplyActions == nil {
			f.ReplyActions = DefaultReplyActions
		}
		if f.ViewActions == nil {
			f.ViewActions = DefaultViewActions
		}
	}
}

// validateFeatures applies defaults in place, checks parameters and
// returns the distinct idle gaps (ms), the default 30 minutes first.
func validateFeatures(fs []Feature) ([]int64, error) {
	gaps := []int64{30 * 60000}
	for i := range fs {
		f := &fs[i]
		f.applyDefaults()
		where := fmt.Sprintf("features[%d] (kind %q)", i, f.Kind)
		if !slices.Contains(Kinds, f.Kind) {
			return nil, fmt.Errorf("%s: unknown kind; want one of %v", where, Kinds)
		}
		uses := map[string]bool{
			"idle_gap_minutes": f.Kind == KindSessions || f.Kind == KindRegularity,
			"actions":          f.Kind == KindActions,
			"resource_types":   f.Kind == KindResourceTypes,
			"forum":            f.Kind == KindForum,
		}
		if !uses["idle_gap_minutes"] && f.IdleGapMinutes != 0 {
			return nil, fmt.Errorf("%s: idle_gap_minutes does not apply", where)
		}
		if !uses["actions"] && f.Actions != nil {
			return nil, fmt.Errorf("%s: actions does not apply", where)
		}
		if !uses["resource_types"] && f.ResourceTypes != nil {
			return nil, fmt.Errorf("%s: resource_types does not apply", where)
		}
		if !uses["forum"] && (f.ForumTypes != nil || f.PostActions != nil || f.ReplyActions != nil || f.ViewActions != nil) {
			return nil, fmt.Errorf("%s: forum_types, post_actions, reply_actions and view_actions apply to kind forum only", where)
		}
		if uses["idle_gap_minutes"] {
			if !(f.IdleGapMinutes > 0 && f.IdleGapMinutes <= 7*24*60) {
				return nil, fmt.Errorf("%s: idle_gap_minutes %v outside (0, 10080]", where, f.IdleGapMinutes)
			}
			g := int64(math.Round(f.IdleGapMinutes * 60000))
			if !slices.Contains(gaps, g) {
				gaps = append(gaps, g)
			}
		}
		for j := range i {
			if fs[j].Kind == f.Kind && fs[j].Prefix == f.Prefix {
				return nil, fmt.Errorf("%s: same kind and prefix as features[%d]: column names would repeat; set a different prefix", where, j)
			}
		}
	}
	if n := countKind(fs, KindForum); n > 1 {
		return nil, fmt.Errorf("features: %d forum features; at most one (its classification applies to the log)", n)
	}
	return gaps, nil
}

func countKind(fs []Feature, kind string) int {
	n := 0
	for _, f := range fs {
		if f.Kind == kind {
			n++
		}
	}
	return n
}

func weekName(prefix, base string, w int) string { return prefix + base + strconv.Itoa(w) }
