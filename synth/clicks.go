package synth

import (
	"math"
	"strconv"
)

// Click model constants (see the package documentation).
const (
	// activityIntercept calibrates about 327 studentVle rows per student.
	activityIntercept = -0.835
	// activityEngagement is the daily-activity logit slope on engagement
	// (times the student's signal).
	activityEngagement = 1.1
	activity2014       = -0.25 // drift: fewer active days in 2014 at equal engagement
	activityWeekend    = -0.35
	activityDueSoon    = 0.6  // within three days before a TMA/CMA deadline
	activityPreCourse  = -0.9 // days before the presentation starts
	// activityDisability is the disparity group's extra daily-activity logit
	// (they use the VLE more at equal engagement, which masks their risk).
	activityDisability = 0.3
	homepageVisit      = 0.95 // P(homepage row) on an active day
	sitesPerDay        = 3.55 // mean number of other sites per active day
)

// clickWriter appends one student's studentVle rows to a buffer.
type clickWriter struct {
	seed uint64
	seen []int
}

// appendStudent appends the daily click rows of student s in presentation p
// to buf (ordered by day) and returns the extended buffer and the row count.
func (w *clickWriter) appendStudent(buf []byte, p *presentation, s *student) ([]byte, int) {
	r := newStreamRand(w.seed, "oulad/clicks", uint64(s.id))
	var prefix [64]byte
	pre := append(prefix[:0], p.idPrefix...)
	pre = strconv.AppendInt(pre, int64(s.id), 10)
	pre = append(pre, `","`...)

	start := p.activityStart(s.regDate, s.registered)
	end := min(s.lastDay, p.length)
	base := activityIntercept
	if p.year == 2014 {
		base += activity2014
	}
	if s.disabled {
		base += activityDisability
	}
	rows := 0
	for d := start; d <= end; d++ {
		e := s.signal * s.engagementAt(d, p.length)
		logit := base + activityEngagement*e
		if d < 0 {
			logit += activityPreCourse
		}
		if wd := ((d % 7) + 7) % 7; wd >= 5 {
			logit += activityWeekend
		}
		if p.dueSoon[d-p.preStart] {
			logit += activityDueSoon
		}
		if r.Float64() >= sigmoid(logit) {
			continue
		}
		// Active day: a day-level click multiplier (over-dispersion), the
		// homepage with probability homepageVisit, and Poisson other sites.
		dayScale := s.clickScale * math.Exp(0.5*r.NormFloat64()-0.125) * math.Exp(0.15*e)
		w.seen = w.seen[:0]
		if bernoulli(r, homepageVisit) {
			w.seen = append(w.seen, p.homepage)
		}
		k := poisson(r, sitesPerDay*math.Exp(0.15*e))
		for range k {
			var j int
			for try := 0; ; try++ {
				j = p.others[p.otherAlias.draw(r)]
				if !containsInt(w.seen, j) || try == 8 {
					break
				}
			}
			if !containsInt(w.seen, j) {
				w.seen = append(w.seen, j)
			}
		}
		if len(w.seen) == 0 {
			w.seen = append(w.seen, p.homepage)
		}
		for _, j := range w.seen {
			st := &p.sites[j]
			clicks := geometricAtLeastOne(r, st.meanClicks*dayScale)
			buf = append(buf, pre...)
			buf = strconv.AppendInt(buf, int64(st.id), 10)
			buf = append(buf, `","`...)
			buf = strconv.AppendInt(buf, int64(d), 10)
			buf = append(buf, `","`...)
			buf = strconv.AppendInt(buf, int64(clicks), 10)
			buf = append(buf, "\"\r\n"...)
			rows++
		}
	}
	return buf, rows
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
