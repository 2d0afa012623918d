package synth

import (
	"math"
	"strconv"
)

// moduleTemplate describes one synthetic module. Assessment dates are given
// for a 268-day presentation and scaled to each presentation's length.
type moduleTemplate struct {
	code string
	// firstAssessmentID is the id_assessment of the module's first assessment;
	// presentations follow each other in courses order.
	firstAssessmentID int
	assessments       []assessmentTemplate
	// examDateEmpty: the exam's date is written as "" (as for AAA, BBB and CCC
	// in the real data); otherwise it is the presentation's last day.
	examDateEmpty bool
	// examRows: studentAssessment holds exam results (only CCC and DDD do in
	// the real data).
	examRows bool
	// riskShift is added to the at-risk logit; withdrawShift to the
	// withdraw-given-at-risk logit (module difficulty and style).
	riskShift, withdrawShift float64
}

type assessmentTemplate struct {
	kind   string // TMA, CMA or Exam
	date   int    // day for a 268-day presentation; ignored for Exam
	weight float64
	// dueAtEnd: the assessment's date is the exam day and students submit it
	// any time before (the weight-0 CMAs of FFF and GGG).
	dueAtEnd bool
}

func tmas(dateWeight ...float64) []assessmentTemplate {
	var out []assessmentTemplate
	for i := 0; i+1 < len(dateWeight); i += 2 {
		out = append(out, assessmentTemplate{kind: "TMA", date: int(dateWeight[i]), weight: dateWeight[i+1]})
	}
	return out
}

func cmas(dateWeight ...float64) []assessmentTemplate {
	var out []assessmentTemplate
	for i := 0; i+1 < len(dateWeight); i += 2 {
		out = append(out, assessmentTemplate{kind: "CMA", date: int(dateWeight[i]), weight: dateWeight[i+1]})
	}
	return out
}

func endCMAs(n int) []assessmentTemplate {
	out := make([]assessmentTemplate, n)
	for i := range out {
		out[i] = assessmentTemplate{kind: "CMA", weight: 0, dueAtEnd: true}
	}
	return out
}

func concat(parts ...[]assessmentTemplate) []assessmentTemplate {
	var out []assessmentTemplate
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, assessmentTemplate{kind: "Exam", weight: 100})
}

// modules mirror the seven OULAD modules' assessment designs (dates and
// weights rounded from the real 2013J/2014J schedules).
var modules = []moduleTemplate{
	{code: "AAA", firstAssessmentID: 1752, examDateEmpty: true, riskShift: -0.9, withdrawShift: 0,
		assessments: concat(tmas(19, 10, 54, 20, 117, 20, 166, 20, 215, 30))},
	{code: "BBB", firstAssessmentID: 14984, examDateEmpty: true, riskShift: 0, withdrawShift: 0,
		assessments: concat(cmas(54, 1, 96, 1, 131, 1, 166, 1, 208, 1), tmas(19, 5, 47, 18, 96, 18, 131, 18, 166, 18, 208, 18))},
	{code: "CCC", firstAssessmentID: 24282, examDateEmpty: true, examRows: true, riskShift: 0.15, withdrawShift: 0.9,
		assessments: concat(cmas(18, 2, 67, 7, 144, 8, 214, 8), tmas(32, 9, 109, 22, 158, 22, 207, 22))},
	{code: "DDD", firstAssessmentID: 25334, examRows: true, riskShift: 0.15, withdrawShift: 0.1,
		assessments: concat(tmas(25, 10, 53, 12.5, 88, 17.5, 123, 20, 165, 20, 207, 20))},
	{code: "EEE", firstAssessmentID: 30709, riskShift: -0.25, withdrawShift: -0.2,
		assessments: concat(tmas(33, 16, 68, 28, 124, 28, 159, 28))},
	{code: "FFF", firstAssessmentID: 34860, riskShift: 0, withdrawShift: 0,
		assessments: concat(endCMAs(7), tmas(19, 12.5, 47, 12.5, 96, 25, 131, 25, 173, 25))},
	{code: "GGG", firstAssessmentID: 37415, riskShift: -0.15, withdrawShift: -1.4,
		assessments: concat(endCMAs(6), tmas(61, 0, 124, 0, 173, 0))},
}

// presentationSpec is one of the 22 real module presentations with its
// length, its registrations among the real 32,593 and its number of VLE sites.
// presentationSpecs is sorted by module, then presentation code, the order of
// every real table except courses.csv.
type presentationSpec struct {
	module, code string
	length       int
	students     int // registrations in the real data (allocation weight)
	sites        int // VLE sites in the real data
}

var presentationSpecs = []presentationSpec{
	{"AAA", "2013J", 268, 383, 211}, {"AAA", "2014J", 269, 365, 202},
	{"BBB", "2013B", 240, 1767, 315}, {"BBB", "2013J", 268, 2237, 321},
	{"BBB", "2014B", 234, 1613, 311}, {"BBB", "2014J", 262, 2292, 207},
	{"CCC", "2014B", 241, 1936, 196}, {"CCC", "2014J", 269, 2498, 223},
	{"DDD", "2013B", 240, 1303, 428}, {"DDD", "2013J", 261, 1938, 462},
	{"DDD", "2014B", 241, 1228, 453}, {"DDD", "2014J", 262, 1803, 365},
	{"EEE", "2013J", 268, 1052, 112}, {"EEE", "2014B", 241, 694, 109},
	{"EEE", "2014J", 269, 1188, 115},
	{"FFF", "2013B", 240, 1614, 508}, {"FFF", "2013J", 268, 2283, 529},
	{"FFF", "2014B", 241, 1500, 478}, {"FFF", "2014J", 269, 2365, 452},
	{"GGG", "2013J", 261, 952, 137}, {"GGG", "2014B", 241, 833, 124},
	{"GGG", "2014J", 269, 749, 106},
}

// siteType is a VLE activity type with its share of sites, its popularity per
// site (relative daily rows per site, tuned so the row shares by type match
// real clickstream's: forumng ~40%, homepage ~19%, oucontent ~15%) and
// mean clicks per daily row.
type siteType struct {
	name       string
	share      float64 // share of non-homepage sites (real vle.csv counts)
	popularity float64
	meanClicks float64
	// weekly: sites of this type may carry week_from/week_to.
	weekly bool
}

var siteTypes = []siteType{
	{"resource", 2660, 200, 1.3, true},
	{"subpage", 1055, 800, 1.9, true},
	{"oucontent", 996, 1300, 4.6, true},
	{"url", 886, 350, 1.6, true},
	{"forumng", 194, 40000, 3.8, false},
	{"quiz", 127, 3500, 2.5, true},
	{"page", 102, 200, 1.5, true},
	{"oucollaborate", 82, 85, 1.5, false},
	{"questionnaire", 61, 150, 1.5, true},
	{"ouwiki", 49, 300, 2.0, false},
	{"dataplus", 28, 120, 3.5, false},
	{"externalquiz", 26, 300, 1.5, false},
	{"glossary", 21, 250, 2.0, false},
	{"ouelluminate", 21, 1000, 1.4, false},
	{"dualpane", 20, 200, 1.5, false},
	{"repeatactivity", 5, 100, 1.5, false},
	{"htmlactivity", 4, 100, 1.5, false},
	{"sharedsubpage", 3, 50, 1.1, false},
	{"folder", 2, 50, 1.1, false},
}

const (
	homepageMeanClicks = 4.0
	// weeklyShare is the share of sites of weekly types that carry a week
	// (real: 1,121 of 6,364 sites).
	weeklyShare = 0.22
)

type assessment struct {
	id       int
	idText   string
	kind     string
	date     int    // due day; the exam day for the exam (also when dateEmpty)
	dateText string // as written in assessments.csv ("" for an exam without date)
	weight   float64
	dueAtEnd bool
}

type site struct {
	id         int
	kind       int // index into siteTypes; -1 for the homepage
	weekFrom   int // -1 when the week is empty
	meanClicks float64
}

// presentation is one generated module presentation.
type presentation struct {
	index       int
	module      *moduleTemplate
	code        string // e.g. 2013J
	year        int    // 2013 or 2014
	isB         bool   // February (B) presentation
	length      int
	preStart    int // first day with VLE activity (negative)
	examDay     int // day students sit the exam
	assessments []assessment
	sites       []site // vle.csv order
	homepage    int    // index of the homepage in sites
	others      []int  // indexes of non-homepage sites, aligned with otherAlias
	otherAlias  aliasTable
	// dueSoon[d-preStart] is true when an assessment is due within the next
	// three days (activity peaks before deadlines).
	dueSoon   []bool
	nStudents int
	idPrefix  string // `"AAA","2013J","`
}

// name is the presentation's Summary name, e.g. "AAA/2013J".
func (p *presentation) name() string { return p.module.code + "/" + p.code }

func moduleByCode(code string) *moduleTemplate {
	for i := range modules {
		if modules[i].code == code {
			return &modules[i]
		}
	}
	panic("synth: unknown module " + code)
}

// buildCatalog generates the presentations with their assessments and VLE
// sites, and allocates nStudents over them in proportion to the real
// registrations (largest remainder). Presentations are in presentationSpecs
// order.
func buildCatalog(seed uint64, nStudents int) []*presentation {
	r := newStreamRand(seed, "oulad/catalog", 0)
	total := 0
	for _, s := range presentationSpecs {
		total += s.students
	}
	counts := allocate(nStudents, total)

	typeWeights := make([]float64, len(siteTypes))
	for i, t := range siteTypes {
		typeWeights[i] = t.share
	}
	typeDraw := newCategorical(typeWeights)

	nextAssessmentID := map[string]int{}
	nextSite := 526721
	pres := make([]*presentation, len(presentationSpecs))
	for i, spec := range presentationSpecs {
		mod := moduleByCode(spec.module)
		year, _ := strconv.Atoi(spec.code[:4])
		p := &presentation{
			index:     i,
			module:    mod,
			code:      spec.code,
			year:      year,
			isB:       spec.code[4] == 'B',
			length:    spec.length,
			preStart:  -uniformInt(r, 10, 25),
			nStudents: counts[i],
			idPrefix:  `"` + mod.code + `","` + spec.code + `","`,
		}
		p.examDay = p.length - uniformInt(r, 18, 26)

		// Assessments: template dates scaled to the length, jittered by up to
		// three days, kept increasing within each kind.
		if _, ok := nextAssessmentID[mod.code]; !ok {
			nextAssessmentID[mod.code] = mod.firstAssessmentID
		}
		scale := float64(p.length) / 268
		endDay := p.length
		for _, at := range mod.assessments {
			a := assessment{id: nextAssessmentID[mod.code], kind: at.kind, weight: at.weight, dueAtEnd: at.dueAtEnd}
			nextAssessmentID[mod.code]++
			switch {
			case at.kind == "Exam":
				a.date = p.examDay
				if !mod.examDateEmpty {
					a.date = endDay
					a.dateText = strconv.Itoa(endDay)
				}
			case at.dueAtEnd:
				a.date = p.examDay
				a.dateText = strconv.Itoa(a.date)
			default:
				a.date = int(math.Round(float64(at.date)*scale)) + uniformInt(r, -3, 3)
				a.dateText = strconv.Itoa(a.date)
			}
			a.idText = strconv.Itoa(a.id)
			p.assessments = append(p.assessments, a)
		}

		// VLE sites: one homepage plus typed sites, ids increasing by 1..40,
		// listed in shuffled order as in the real vle.csv.
		nSites := int(math.Round(float64(spec.sites) * (0.95 + 0.1*r.Float64())))
		p.sites = make([]site, nSites)
		p.sites[0] = site{kind: -1, weekFrom: -1, meanClicks: homepageMeanClicks}
		for j := 1; j < nSites; j++ {
			k := typeDraw.draw(r)
			s := site{kind: k, weekFrom: -1, meanClicks: siteTypes[k].meanClicks}
			if siteTypes[k].weekly && bernoulli(r, weeklyShare) {
				s.weekFrom = r.IntN(p.length/7 + 1)
			}
			p.sites[j] = s
		}
		for j := range p.sites {
			nextSite += uniformInt(r, 1, 40)
			p.sites[j].id = nextSite
		}
		r.Shuffle(nSites, func(a, b int) { p.sites[a], p.sites[b] = p.sites[b], p.sites[a] })
		var weights []float64
		for j, s := range p.sites {
			if s.kind < 0 {
				p.homepage = j
				continue
			}
			p.others = append(p.others, j)
			// Per-site popularity varies around its type's (log-normal, sd 1).
			weights = append(weights, siteTypes[s.kind].popularity*math.Exp(r.NormFloat64()-0.5))
		}
		p.otherAlias = newAliasTable(weights)

		p.dueSoon = make([]bool, p.length-p.preStart+1)
		for _, a := range p.assessments {
			if a.kind == "Exam" || a.dueAtEnd {
				continue
			}
			for d := a.date - 3; d <= a.date; d++ {
				if d >= p.preStart && d <= p.length {
					p.dueSoon[d-p.preStart] = true
				}
			}
		}
		pres[i] = p
	}
	return pres
}

// allocate splits n over the real presentation sizes by the largest-remainder
// method, ties to the earlier presentation.
func allocate(n, total int) []int {
	counts := make([]int, len(presentationSpecs))
	rema := make([]float64, len(presentationSpecs))
	used := 0
	for i, s := range presentationSpecs {
		exact := float64(n) * float64(s.students) / float64(total)
		counts[i] = int(exact)
		rema[i] = exact - float64(counts[i])
		used += counts[i]
	}
	for used < n {
		best := 0
		for i := range rema {
			if rema[i] > rema[best] {
				best = i
			}
		}
		counts[best]++
		rema[best] = -1
		used++
	}
	return counts
}

// assignStudentIDs returns, per presentation, the ascending id_student values
// of its students. Ids are strictly increasing over a global sequence (gaps of
// 1..83, about the real density) whose slots are dealt to presentations in a
// seeded random order, so every presentation spans the whole id range.
func assignStudentIDs(seed uint64, pres []*presentation) [][]int {
	r := newStreamRand(seed, "oulad/student-ids", 0)
	var slots []int
	for i, p := range pres {
		for range p.nStudents {
			slots = append(slots, i)
		}
	}
	r.Shuffle(len(slots), func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })
	ids := make([][]int, len(pres))
	id := 6000
	for _, pi := range slots {
		id += uniformInt(r, 1, 83)
		ids[pi] = append(ids[pi], id)
	}
	return ids
}

// activityStart returns the first day with VLE activity for a registration
// date (registered may be false for an empty date).
func (p *presentation) activityStart(regDate int, registered bool) int {
	if registered && regDate > p.preStart {
		return min(regDate, p.length)
	}
	return p.preStart
}
