package events

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/evalrun/evalrun/datasets"
)

const msPerDay = 86400000

// maxCutoff bounds |cutoff| (ten years of days).
const maxCutoff = 3650

// Builder cleans events and aggregates them per student as they arrive.
// It is a Sink: pass it (and its Symbols) to the readers, then call
// Finish. A Builder is not safe for concurrent use.
type Builder struct {
	opts    Options
	sym     *Symbols
	layout  *datasets.ActivityLayout
	cutoffs []int // sorted unique
	maxCut  int
	lastDay int
	loc     *time.Location
	start   int64 // Term.Start in ms
	end     int64 // Term.End in ms; math.MaxInt64 when open
	day0    int64 // civil day number of Term.Start in loc
	hasTerm bool
	zone    zoneCache

	known     bool    // Options.Students given
	stateOf   []int32 // Sym -> index into students, -1 none
	students  []*student
	gaps      []int64 // distinct session idle gaps in ms; gaps[0] is the describe default
	features  []Feature
	botAgents []string // lower-cased

	resType   []int32 // Sym of resource -> type category + 1 (0: not in the table)
	resCourse []Sym   // Sym of resource -> required course (0: any)
	typeCat   []int32 // Sym of type -> category + 1
	typeNames []string
	actionCat []int32 // Sym of action -> category + 1
	actNames  []string
	forumAct  []int8 // Sym of action -> forum action kind + 1 (computed lazily)
	forumType []int8 // Sym of type -> 1 forum, 2 not (lazily)
	uaBot     []int8 // Sym of user agent -> 1 bot, 2 not (lazily)
	forum     *Feature

	covered []bool // Sym of course -> the log has a row of that course

	counts     [numRules]int
	perStudent map[Sym]*[numRules]int
	records    int
	kept       int // events aggregated (committed)
	dayOnly    int // events with day offsets
	timed      int // timestamped events

	// course-level aggregates for Describe
	heat     map[int][]int64 // week -> type category -> count
	heatWeek int             // week of heatRow, the last row used
	heatRow  []int64

	sorted []compact // SortInMemory buffer
}

// compact is an event that passed the order-free rules.
type compact struct {
	time                              int64
	count                             int64
	durationMS                        int64
	score                             float64
	student                           int32
	day                               int32
	action, object, otype, course, ua Sym
	typeCat                           int32
	success, completion               Tri
	reply                             bool
	line                              int32
}

// student is one student's running state.
type student struct {
	key  Sym
	act  datasets.DailyActivity
	cats catCounts // [interval][action category]
	// forum counts per interval: posts, replies, views
	forum []int64
	res   []resultAgg // per interval

	// order-dependent state (timestamped events)
	lastTime int64
	hasTime  bool
	pend     []compact // current minute (rate and duplicate rules)
	pendMin  int64
	regGaps  []int64 // ring of the last RegularGaps gaps
	regN     int
	regPos   int
	regPrev  int64
	regHas   bool
	sess     []sessionTracker // one per idle gap
	nextSnap int
}

type resultAgg struct {
	attempts, scored, successKnown, successYes, completed int64
	scoreSum                                              float64
}

// sessionTracker follows one student's sessions for one idle gap.
type sessionTracker struct {
	open           bool
	first, last    int64
	n              int
	totalMS        int64
	gapN           int
	gapMean, gapM2 float64 // idle gaps between sessions, hours (Welford)
	snaps          []sessionSnap
}

type sessionSnap struct {
	n       int
	totalMS int64
	gapN    int
	gapSD   float64
}

func (t *sessionTracker) add(ms, idle int64) {
	if t.open && ms-t.last <= idle {
		t.last = ms
		return
	}
	if t.open {
		t.n++
		t.totalMS += t.last - t.first
		g := float64(ms-t.last) / 3.6e6
		t.gapN++
		d := g - t.gapMean
		t.gapMean += d / float64(t.gapN)
		t.gapM2 += d * (g - t.gapMean)
	}
	t.open, t.first, t.last = true, ms, ms
}

// snapshot is the tracker's state with the open session closed.
func (t *sessionTracker) snapshot() sessionSnap {
	s := sessionSnap{n: t.n, totalMS: t.totalMS, gapN: t.gapN, gapSD: math.NaN()}
	if t.open {
		s.n++
		s.totalMS += t.last - t.first
	}
	if t.gapN >= 2 {
		s.gapSD = math.Sqrt(t.gapM2 / float64(t.gapN-1))
	}
	return s
}

// catCounts counts categories per cutoff interval in one flat slice.
type catCounts struct {
	v      []int64
	stride int
}

func (c *catCounts) add(intervals, j, cat int, n int64) {
	if cat >= c.stride {
		stride := max(cat+1, 2*c.stride, 4)
		v := make([]int64, intervals*stride)
		for i := 0; c.stride > 0 && i < intervals; i++ {
			copy(v[i*stride:], c.v[i*c.stride:(i+1)*c.stride])
		}
		c.v, c.stride = v, stride
	}
	c.v[j*c.stride+cat] += n
}

// total returns the count of cat over intervals 0..k.
func (c *catCounts) total(k, cat int) int64 {
	if cat >= c.stride {
		return 0
	}
	var v int64
	for j := 0; j <= k; j++ {
		v += c.v[j*c.stride+cat]
	}
	return v
}

// zoneCache gives the zone offset of instants in one location.
type zoneCache struct {
	loc    *time.Location
	lo, hi int64 // seconds; the cached offset holds in [lo, hi)
	off    int64
}

func (z *zoneCache) offset(sec int64) int64 {
	if sec >= z.lo && sec < z.hi {
		return z.off
	}
	t := time.Unix(sec, 0).In(z.loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	z.off, z.lo, z.hi = int64(off), math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		z.lo = start.Unix()
	}
	if !end.IsZero() {
		z.hi = end.Unix()
	}
	return z.off
}

// civilDay returns the calendar day number (days since 1970-01-01) of
// instant ms in the zone.
func (z *zoneCache) civilDay(ms int64) int64 {
	sec := floorDiv(ms, 1000)
	return floorDiv(sec+z.offset(sec), 86400)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// NewBuilder validates opts and returns a Builder with an empty Symbols
// table.
func NewBuilder(opts Options) (*Builder, error) {
	name := opts.Name
	if name == "" {
		name = "events"
	}
	fail := func(format string, args ...any) (*Builder, error) {
		return nil, fmt.Errorf("events %s: %s", name, fmt.Sprintf(format, args...))
	}
	if len(opts.Cutoffs) == 0 {
		return fail("no cutoff days")
	}
	for _, c := range opts.Cutoffs {
		if c < -maxCutoff || c > maxCutoff {
			return fail("cutoff day %d outside [%d, %d]", c, -maxCutoff, maxCutoff)
		}
	}
	if err := opts.Cleaning.validate(); err != nil {
		return fail("cleaning: %v", err)
	}
	b := &Builder{opts: opts, sym: NewSymbols(), perStudent: map[Sym]*[numRules]int{}, heat: map[int][]int64{}}
	b.cutoffs = slices.Sorted(slices.Values(opts.Cutoffs))
	b.cutoffs = slices.Compact(b.cutoffs)
	b.maxCut = b.cutoffs[len(b.cutoffs)-1]

	t := opts.Term
	b.loc = time.UTC
	if !t.Start.IsZero() {
		b.loc = t.Start.Location()
	}
	if t.TimeZone != "" {
		loc, err := time.LoadLocation(t.TimeZone)
		if err != nil {
			return fail("term time zone: %v", err)
		}
		b.loc = loc
	}
	b.zone = zoneCache{loc: b.loc, lo: 1, hi: 0}
	b.end = math.MaxInt64
	if !t.Start.IsZero() {
		b.hasTerm = true
		b.start = t.Start.UnixMilli()
		b.day0 = b.zone.civilDay(b.start)
		if !t.End.IsZero() {
			if !t.End.After(t.Start) {
				return fail("term end %s is not after its start %s", t.End.Format(time.RFC3339), t.Start.Format(time.RFC3339))
			}
			b.end = t.End.UnixMilli()
		}
	} else if !t.End.IsZero() {
		return fail("term end given without a term start")
	}
	b.lastDay = b.maxCut
	if b.hasTerm && b.end != math.MaxInt64 {
		b.lastDay = max(b.lastDay, int(b.zone.civilDay(b.end-1)-b.day0))
	}
	if opts.DescribeThroughDay > b.lastDay {
		if opts.DescribeThroughDay > maxCutoff {
			return fail("describe_through_day %d beyond %d", opts.DescribeThroughDay, maxCutoff)
		}
		b.lastDay = opts.DescribeThroughDay
	}

	b.features = opts.Features
	if b.features == nil {
		b.features = DefaultFeatures()
	}
	var err error
	b.gaps, err = validateFeatures(b.features)
	if err != nil {
		return fail("%v", err)
	}
	for i := range b.features {
		if b.features[i].Kind == KindForum {
			b.forum = &b.features[i]
			break
		}
	}
	if b.forum == nil {
		f := Feature{Kind: KindForum}
		f.applyDefaults()
		b.forum = &f
	}
	for _, ua := range opts.Cleaning.BotUserAgents {
		b.botAgents = append(b.botAgents, strings.ToLower(ua))
	}

	numTypes := 0
	if r := opts.Resources; r != nil {
		names := map[string]bool{}
		for _, typ := range r.Types {
			names[ShortName(typ)] = true
		}
		b.typeNames = slices.Sorted(func(yield func(string) bool) {
			for n := range names {
				if !yield(n) {
					return
				}
			}
		})
		for id, typ := range r.Types {
			s := b.sym.InternString(id)
			b.growSyms()
			cat, _ := slices.BinarySearch(b.typeNames, ShortName(typ))
			b.resType[s] = int32(cat) + 1
			if c := r.Courses[id]; c != "" {
				b.resCourse[s] = b.sym.InternString(c)
			}
		}
		numTypes = len(b.typeNames)
	}
	b.layout, err = datasets.NewActivityLayout(b.cutoffs, b.lastDay, numTypes)
	if err != nil {
		return fail("%v", err)
	}
	if opts.Students != nil {
		b.known = true
		for _, k := range opts.Students {
			b.state(b.sym.InternString(k))
		}
	}
	return b, nil
}

// Symbols returns the table the readers must intern into.
func (b *Builder) Symbols() *Symbols { return b.sym }

// growSyms extends the per-symbol slices to the table's size.
func (b *Builder) growSyms() {
	n := b.sym.Len()
	if len(b.stateOf) >= n {
		return
	}
	n = max(n, 2*len(b.stateOf), 1024)
	grow := func(s []int32, fill int32) []int32 {
		old := len(s)
		s = slices.Grow(s, n-old)[:n]
		for i := old; i < n; i++ {
			s[i] = fill
		}
		return s
	}
	b.stateOf = grow(b.stateOf, -1)
	b.resType = grow(b.resType, 0)
	b.typeCat = grow(b.typeCat, 0)
	b.actionCat = grow(b.actionCat, 0)
	b.resCourse = slices.Grow(b.resCourse, n-len(b.resCourse))[:n]
	b.forumAct = slices.Grow(b.forumAct, n-len(b.forumAct))[:n]
	b.forumType = slices.Grow(b.forumType, n-len(b.forumType))[:n]
	b.uaBot = slices.Grow(b.uaBot, n-len(b.uaBot))[:n]
	b.covered = slices.Grow(b.covered, n-len(b.covered))[:n]
}

// state returns the index of student s, creating it.
func (b *Builder) state(s Sym) int32 {
	b.growSyms()
	if i := b.stateOf[s]; i >= 0 {
		return i
	}
	st := &student{key: s, sess: make([]sessionTracker, len(b.gaps))}
	b.students = append(b.students, st)
	i := int32(len(b.students) - 1)
	b.stateOf[s] = i
	return i
}

func (b *Builder) drop(rule int, s Sym, n int) {
	b.counts[rule] += n
	pc := b.perStudent[s]
	if pc == nil {
		pc = new([numRules]int)
		b.perStudent[s] = pc
	}
	pc[rule] += n
}

// Malformed implements Sink: with Cleaning.DropMalformed the record is
// counted (rule malformed_record), otherwise its error is returned.
func (b *Builder) Malformed(source string, line int, err error) error {
	b.records++
	if !b.opts.Cleaning.DropMalformed {
		return fmt.Errorf("events: %s:%d: %w", source, line, err)
	}
	b.drop(rMalformed, 0, 1)
	return nil
}

// Event implements Sink: it applies the order-free cleaning rules, then
// (timestamped events) the duplicate, user-agent, rate and regularity
// rules in the student's time order, and aggregates what survives.
func (b *Builder) Event(e *Event) error {
	b.records++
	b.growSyms()
	if e.Course != 0 {
		b.covered[e.Course] = true
	}
	if e.Student == 0 {
		b.drop(rMissingStudent, 0, 1)
		return nil
	}
	switch e.TimeStatus {
	case TimeMissing:
		b.drop(rMissingTimestamp, e.Student, 1)
		return nil
	case TimeInvalid:
		if !b.opts.Cleaning.DropBadTimestamps {
			return fmt.Errorf("events: %s:%d: %s", e.Source, e.Line, e.TimeError)
		}
		b.drop(rBadTimestamp, e.Student, 1)
		return nil
	}
	if e.DayOnly {
		if b.timed > 0 {
			return fmt.Errorf("events: %s:%d: a day-offset event in a log of timestamped events", e.Source, e.Line)
		}
		b.dayOnly++
	} else {
		if b.dayOnly > 0 {
			return fmt.Errorf("events: %s:%d: a timestamped event in a log of day offsets", e.Source, e.Line)
		}
		if !b.hasTerm {
			return fmt.Errorf("events: %s:%d: timestamped events need the term start (day 0)", e.Source, e.Line)
		}
		b.timed++
	}
	si := b.stateOf[e.Student]
	if si < 0 {
		if b.known {
			b.drop(rUnknownStudent, e.Student, 1)
			return nil
		}
		si = b.state(e.Student)
	}
	typeCat := int32(-1)
	if b.opts.Resources != nil {
		t := b.resType[e.Object]
		if t == 0 || (b.resCourse[e.Object] != 0 && b.resCourse[e.Object] != e.Course) {
			b.drop(rUnknownResource, e.Student, 1)
			return nil
		}
		typeCat = t - 1
	} else if e.ObjectType != 0 {
		typeCat = b.typeCategory(e.ObjectType)
	}
	var day int
	if e.DayOnly {
		day = int(e.Day)
	} else {
		if e.Time < b.start || e.Time >= b.end {
			b.drop(rOutsideTerm, e.Student, 1)
			return nil
		}
		day = int(b.zone.civilDay(e.Time) - b.day0)
	}
	if day > b.lastDay {
		b.drop(rAfterLastDay, e.Student, 1)
		return nil
	}
	c := compact{
		time: e.Time, count: e.Count, durationMS: e.DurationMS, score: e.Score,
		student: si, day: int32(day), action: e.Action, object: e.Object, otype: e.ObjectType,
		course: e.Course, ua: e.UserAgent, typeCat: typeCat, success: e.Success,
		completion: e.Completion, reply: e.Reply, line: int32(min(e.Line, math.MaxInt32)),
	}
	if e.DayOnly {
		if b.botAgent(c.ua) {
			b.drop(rBotUserAgent, e.Student, 1)
			return nil
		}
		b.commit(b.students[si], &c)
		return nil
	}
	if b.opts.SortInMemory {
		b.sorted = append(b.sorted, c)
		return nil
	}
	st := b.students[si]
	if st.hasTime && c.time < st.lastTime {
		return fmt.Errorf("events: %s:%d: student %q: event at %s is earlier than the student's previous event at %s; "+
			"the events of each student must be in time order (sort the log, or set sort_in_memory)",
			e.Source, e.Line, b.sym.Name(e.Student), time.UnixMilli(c.time).UTC().Format(time.RFC3339Nano),
			time.UnixMilli(st.lastTime).UTC().Format(time.RFC3339Nano))
	}
	b.ordered(st, &c)
	return nil
}

func (b *Builder) typeCategory(t Sym) int32 {
	if c := b.typeCat[t]; c > 0 {
		return c - 1
	}
	name := ShortName(b.sym.Name(t))
	cat := int32(slices.Index(b.typeNames, name))
	if cat < 0 {
		b.typeNames = append(b.typeNames, name)
		cat = int32(len(b.typeNames) - 1)
	}
	b.typeCat[t] = cat + 1
	return cat
}

func (b *Builder) actionCategory(a Sym) int {
	if c := b.actionCat[a]; c > 0 {
		return int(c - 1)
	}
	name := ShortName(b.sym.Name(a))
	cat := slices.Index(b.actNames, name)
	if cat < 0 {
		b.actNames = append(b.actNames, name)
		cat = len(b.actNames) - 1
	}
	b.actionCat[a] = int32(cat) + 1
	return cat
}

func (b *Builder) botAgent(ua Sym) bool {
	if ua == 0 || len(b.botAgents) == 0 {
		return false
	}
	if v := b.uaBot[ua]; v != 0 {
		return v == 1
	}
	s := strings.ToLower(b.sym.Name(ua))
	b.uaBot[ua] = 2
	for _, bot := range b.botAgents {
		if strings.Contains(s, bot) {
			b.uaBot[ua] = 1
			return true
		}
	}
	return false
}

// ordered applies the order-dependent rules to a timestamped event that
// comes in the student's time order.
func (b *Builder) ordered(st *student, c *compact) {
	st.lastTime, st.hasTime = c.time, true
	minute := floorDiv(c.time, 60000)
	if len(st.pend) > 0 && minute != st.pendMin {
		b.flush(st)
	}
	st.pendMin = minute
	key := b.students[c.student].key
	if b.opts.Cleaning.Duplicates {
		for i := len(st.pend) - 1; i >= 0 && st.pend[i].time == c.time; i-- {
			if sameEvent(&st.pend[i], c) {
				b.drop(rDuplicate, key, 1)
				return
			}
		}
	}
	if b.botAgent(c.ua) {
		b.drop(rBotUserAgent, key, 1)
		return
	}
	st.pend = append(st.pend, *c)
}

func sameEvent(a, b *compact) bool {
	return a.time == b.time && a.action == b.action && a.object == b.object && a.otype == b.otype &&
		a.course == b.course && a.ua == b.ua && a.count == b.count && a.durationMS == b.durationMS &&
		(a.score == b.score || (math.IsNaN(a.score) && math.IsNaN(b.score))) &&
		a.success == b.success && a.completion == b.completion && a.reply == b.reply
}

// flush decides the rate and regularity rules for the student's pending
// minute and commits the events that pass.
func (b *Builder) flush(st *student) {
	cl := &b.opts.Cleaning
	if cl.MaxEventsPerMinute > 0 {
		var n int64
		for i := range st.pend {
			n += st.pend[i].count
		}
		if n > int64(cl.MaxEventsPerMinute) {
			b.drop(rBotRate, st.key, len(st.pend))
			st.pend = st.pend[:0]
			return
		}
	}
	for i := range st.pend {
		c := &st.pend[i]
		if cl.RegularGaps > 0 && b.regular(st, c.time) {
			b.drop(rBotRegular, st.key, 1)
			continue
		}
		b.commit(st, c)
	}
	st.pend = st.pend[:0]
}

// regular adds the gap to the student's previous event at time t and
// reports whether the last RegularGaps gaps are positive and within the
// tolerance of each other.
func (b *Builder) regular(st *student, t int64) bool {
	k := b.opts.Cleaning.RegularGaps
	if !st.regHas {
		st.regPrev, st.regHas = t, true
		return false
	}
	if st.regGaps == nil {
		st.regGaps = make([]int64, k)
	}
	st.regGaps[st.regPos] = t - st.regPrev
	st.regPos = (st.regPos + 1) % k
	st.regN++
	st.regPrev = t
	if st.regN < k {
		return false
	}
	lo, hi := st.regGaps[0], st.regGaps[0]
	for _, g := range st.regGaps[1:] {
		lo, hi = min(lo, g), max(hi, g)
	}
	return lo > 0 && float64(hi-lo) <= b.opts.Cleaning.RegularToleranceSeconds*1000
}

// commit aggregates one clean event.
func (b *Builder) commit(st *student, c *compact) {
	b.kept++
	day := int(c.day)
	if !b.isDayLog() {
		for st.nextSnap < len(b.cutoffs) && day > b.cutoffs[st.nextSnap] {
			b.snapshot(st)
		}
		for i := range st.sess {
			st.sess[i].add(c.time, b.gaps[i])
		}
	}
	b.layout.Add(&st.act, day, int(c.typeCat), c.count)
	if c.typeCat >= 0 {
		w := int(floorDiv(int64(day), 7))
		row := b.heatRow
		if w != b.heatWeek || row == nil {
			row = b.heat[w]
		}
		if int(c.typeCat) >= len(row) {
			row = slices.Grow(row, max(int(c.typeCat)+1, len(b.typeNames))-len(row))[:max(int(c.typeCat)+1, len(b.typeNames))]
			b.heat[w] = row
		}
		b.heatWeek, b.heatRow = w, row
		row[c.typeCat] += c.count
	}
	if day > b.maxCut {
		return
	}
	intervals := len(b.cutoffs)
	j, _ := slices.BinarySearch(b.cutoffs, day)
	if c.action != 0 {
		st.cats.add(intervals, j, b.actionCategory(c.action), c.count)
	}
	if kind := b.forumKind(c); kind >= 0 {
		if st.forum == nil {
			st.forum = make([]int64, 3*intervals)
		}
		st.forum[3*j+kind] += c.count
	}
	if !math.IsNaN(c.score) || c.success != Unknown {
		if st.res == nil {
			st.res = make([]resultAgg, intervals)
		}
		r := &st.res[j]
		r.attempts++
		if !math.IsNaN(c.score) {
			r.scored++
			r.scoreSum += c.score
		}
		if c.success != Unknown {
			r.successKnown++
			if c.success == Yes {
				r.successYes++
			}
		}
		if c.completion == Yes {
			r.completed++
		}
	}
}

func (b *Builder) isDayLog() bool { return b.dayOnly > 0 }

func (b *Builder) snapshot(st *student) {
	for i := range st.sess {
		t := &st.sess[i]
		t.snaps = append(t.snaps, t.snapshot())
	}
	st.nextSnap++
}

// Forum action kinds.
const (
	forumPost = iota
	forumReply
	forumView
)

// forumKind classifies an event as a forum post, reply or view, or -1.
func (b *Builder) forumKind(c *compact) int {
	f := b.forum
	isForum := c.reply
	if !isForum && c.otype != 0 {
		ft := b.forumType[c.otype]
		if ft == 0 {
			ft = 2
			if slices.Contains(f.ForumTypes, ShortName(b.sym.Name(c.otype))) {
				ft = 1
			}
			b.forumType[c.otype] = ft
		}
		isForum = ft == 1
	}
	if !isForum && c.typeCat >= 0 && int(c.typeCat) < len(b.typeNames) && slices.Contains(f.ForumTypes, b.typeNames[c.typeCat]) {
		isForum = true
	}
	if !isForum {
		return -1
	}
	if c.reply {
		return forumReply
	}
	if c.action == 0 {
		return forumView
	}
	k := b.forumAct[c.action]
	if k == 0 {
		name := ShortName(b.sym.Name(c.action))
		switch {
		case slices.Contains(f.ReplyActions, name):
			k = forumReply + 1
		case slices.Contains(f.PostActions, name):
			k = forumPost + 1
		case slices.Contains(f.ViewActions, name):
			k = forumView + 1
		default:
			k = -1
		}
		b.forumAct[c.action] = k
	}
	if k < 0 {
		return -1
	}
	return int(k - 1)
}

// Finish flushes pending events (sorting them first with SortInMemory)
// and returns the result. The Builder must not be used afterwards.
func (b *Builder) Finish() (*Result, error) {
	if b.opts.SortInMemory && len(b.sorted) > 0 {
		slices.SortStableFunc(b.sorted, func(x, y compact) int {
			return cmp.Or(cmp.Compare(x.student, y.student), cmp.Compare(x.time, y.time))
		})
		for i := range b.sorted {
			c := &b.sorted[i]
			b.ordered(b.students[c.student], c)
		}
		b.sorted = nil
	}
	for _, st := range b.students {
		if len(st.pend) > 0 {
			b.flush(st)
		}
		for st.nextSnap < len(b.cutoffs) {
			b.snapshot(st)
		}
	}
	return newResult(b), nil
}
