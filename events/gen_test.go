package events

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// The generated clickstream: a 12-week term starting Monday 2024-01-08 in
// Europe/London (it crosses the switch to summer time on 2024-03-31),
// timestamps written as local "2006-01-02 15:04:05.000" wall times.
const (
	genTermDays = 84
	genZone     = "Europe/London"
	genHeader   = "student,timestamp,action,resource,resource_type,course,user_agent"
	genHuman    = "Mozilla/5.0 (X11; Linux x86_64)"
	genBot      = "Googlebot/2.1 (+http://www.google.com/bot.html)"
)

var genFormat = CSVFormat{
	Student: []string{"student"}, Time: "timestamp", TimeFormat: FormatDateTime,
	Action: "action", Resource: "resource", ResourceType: "resource_type", Course: []string{"course"},
	UserAgent: "user_agent",
}

// genConfig sizes a generated clickstream.
type genConfig struct {
	Students        int
	MaxSessions     int // sessions per student: 1..MaxSessions, on distinct days
	MaxEvents       int // events per session: 1..MaxEvents
	UnknownStudents int
	Seed            uint64
}

// genSession is one planned human (or regular-bot) session: the wall
// times (ms since the term start's local midnight) of its kept events.
type genSession struct {
	day  int
	kept []int64
}

// genTruth is what the generator planted, derived from its plan and not
// from the code under test.
type genTruth struct {
	students []string
	sessions map[string][]genSession // kept sessions per student, in time order
	drops    map[string]int          // rule -> planted count
	perStud  map[string]map[string]int
	rows     int
}

func (g *genTruth) drop(rule, student string, n int) {
	g.drops[rule] += n
	if g.perStud[student] == nil {
		g.perStud[student] = map[string]int{}
	}
	g.perStud[student][rule] += n
}

// genClickstream writes a clickstream CSV to w, student by student, each
// student's rows in time order, and returns the planted truth. Planted:
// human sessions (gaps 20..900 s, one session a day between 08:00 and
// 23:45), exact duplicate rows (3%), rows with an empty timestamp (1%),
// rows before the term (day -3) and after it (day 90), user-agent bots at
// 03:00, rate bots (80 events within one minute at 02:10), clockwork bots
// (50 events 7 s apart at 04:00: the first 20 kept), and students missing
// from the student table.
func genClickstream(w io.Writer, cfg genConfig) (*genTruth, error) {
	loc, err := time.LoadLocation(genZone)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, genHeader)
	truth := &genTruth{sessions: map[string][]genSession{}, drops: map[string]int{}, perStud: map[string]map[string]int{}}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	actions := []string{"viewed", "viewed", "viewed", "posted", "replied", "submitted"}
	types := []string{"page", "forum", "quiz", "video"}
	var buf []byte
	row := func(student string, day int, ms int64, action string, res int, ua string, withTime bool) {
		buf = append(buf[:0], student...)
		buf = append(buf, ',')
		if withTime {
			t := time.Date(2024, 1, 8+day, 0, 0, 0, 0, loc).Add(time.Duration(ms) * time.Millisecond)
			buf = t.AppendFormat(buf, "2006-01-02 15:04:05.000")
		}
		buf = append(buf, ',')
		buf = append(buf, action...)
		buf = fmt.Appendf(buf, ",r%d,%s,C1,%s\n", res, types[res%len(types)], ua)
		bw.Write(buf)
		truth.rows++
	}
	for s := range cfg.Students + cfg.UnknownStudents {
		id := fmt.Sprintf("S%06d", s)
		known := s < cfg.Students
		if known {
			truth.students = append(truth.students, id)
		} else {
			id = fmt.Sprintf("U%06d", s)
		}
		type planned struct {
			day    int
			ms     int64 // within the day, local wall clock
			kind   int   // 0 human, 1 ua bot, 2 rate bot, 3 clockwork bot, 4 outside term
			action string
			res    int
		}
		var plan []planned
		days := rng.Perm(genTermDays)[:1+rng.IntN(cfg.MaxSessions)]
		slices.Sort(days)
		for _, d := range days {
			ms := int64(8*3600+rng.IntN(11*3600)) * 1000
			for range 1 + rng.IntN(cfg.MaxEvents) {
				plan = append(plan, planned{day: d, ms: ms, action: actions[rng.IntN(len(actions))], res: rng.IntN(40)})
				ms += int64(20+rng.IntN(881)) * 1000
			}
		}
		if known {
			if rng.IntN(10) == 0 {
				d := rng.IntN(genTermDays)
				for i := range 5 {
					plan = append(plan, planned{day: d, ms: int64(3*3600+60*i) * 1000, kind: 1, action: "viewed", res: 1})
				}
			}
			if rng.IntN(20) == 0 {
				d := rng.IntN(genTermDays)
				for i := range 80 {
					plan = append(plan, planned{day: d, ms: int64(2*3600+600)*1000 + int64(i)*500, kind: 2, action: "viewed", res: 2})
				}
			}
			if rng.IntN(20) == 0 {
				d := rng.IntN(genTermDays)
				for i := range 50 {
					plan = append(plan, planned{day: d, ms: int64(4*3600)*1000 + int64(i)*7000, kind: 3, action: "viewed", res: 3})
				}
			}
			if rng.IntN(5) == 0 {
				plan = append(plan, planned{day: -3, ms: 10 * 3600 * 1000, kind: 4, action: "viewed", res: 4})
			}
			if rng.IntN(5) == 0 {
				plan = append(plan, planned{day: 90, ms: 10 * 3600 * 1000, kind: 4, action: "viewed", res: 4})
			}
		}
		slices.SortStableFunc(plan, func(a, b planned) int {
			if a.day != b.day {
				return a.day - b.day
			}
			return int(a.ms - b.ms)
		})
		var cur *genSession
		clock := 0
		for _, p := range plan {
			ua := genHuman
			if p.kind == 1 {
				ua = genBot
			}
			if !known {
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				truth.drop(RuleUnknownStudent, id, 1)
				continue
			}
			switch p.kind {
			case 1:
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				truth.drop(RuleBotUserAgent, id, 1)
				continue
			case 2:
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				truth.drop(RuleBotRate, id, 1)
				continue
			case 4:
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				truth.drop(RuleOutsideTerm, id, 1)
				continue
			case 3:
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				if clock >= 20 {
					truth.drop(RuleBotRegular, id, 1)
					clock++
					continue
				}
				if clock == 0 {
					truth.sessions[id] = append(truth.sessions[id], genSession{day: p.day})
					cur = &truth.sessions[id][len(truth.sessions[id])-1]
				}
				clock++
				cur.kept = append(cur.kept, p.ms)
				continue
			}
			clock = 0
			if rng.IntN(100) == 0 {
				row(id, p.day, p.ms, p.action, p.res, ua, false)
				truth.drop(RuleMissingTimestamp, id, 1)
				continue
			}
			row(id, p.day, p.ms, p.action, p.res, ua, true)
			if n := len(truth.sessions[id]); n == 0 || truth.sessions[id][n-1].day != p.day || cur == nil || len(cur.kept) > 0 && p.ms-cur.kept[len(cur.kept)-1] > 30*60*1000 {
				truth.sessions[id] = append(truth.sessions[id], genSession{day: p.day})
			}
			cur = &truth.sessions[id][len(truth.sessions[id])-1]
			cur.kept = append(cur.kept, p.ms)
			if rng.IntN(33) == 0 {
				row(id, p.day, p.ms, p.action, p.res, ua, true)
				truth.drop(RuleDuplicate, id, 1)
			}
		}
	}
	return truth, bw.Flush()
}
