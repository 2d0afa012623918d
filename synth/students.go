package synth

import (
	"math"
	"math/rand/v2"
)

// Demographic tables: values exactly as written in studentInfo.csv, weights
// are the real frequencies (counts per 32,593 registrations).
var (
	genders       = []string{"M", "F"}
	genderDraw    = newCategorical([]float64{17875, 14718})
	regions       = []string{"Scotland", "East Anglian Region", "London Region", "South Region", "North Western Region", "West Midlands Region", "South West Region", "East Midlands Region", "South East Region", "Wales", "Yorkshire Region", "North Region", "Ireland"}
	regionDraw    = newCategorical([]float64{1057, 1025, 987, 949, 892, 792, 747, 726, 648, 640, 615, 559, 363})
	educations    = []string{"A Level or Equivalent", "Lower Than A Level", "HE Qualification", "No Formal quals", "Post Graduate Qualification"}
	educationDraw = newCategorical([]float64{14045, 13158, 4730, 347, 313})
	// educationAbility shifts the ability of each education level.
	educationAbility = []float64{0, -0.3, 0.25, -0.5, 0.5}
	// imdBands keeps the real "10-20" without a percent sign.
	imdBands    = []string{"0-10%", "10-20", "20-30%", "30-40%", "40-50%", "50-60%", "60-70%", "70-80%", "80-90%", "90-100%"}
	imdDraw     = newCategorical([]float64{3311, 3516, 3654, 3539, 3256, 3124, 2905, 2879, 2762, 2536})
	ageBands    = []string{"0-35", "35-55", "55<="}
	ageDraw     = newCategorical([]float64{22944, 9433, 216})
	prevDraw    = newCategorical([]float64{28421, 3299, 675, 143, 39, 13, 3})
	creditsVals = []int{60, 120, 30, 90, 180, 150, 240, 210, 75, 70, 270, 130, 45, 135, 100}
	creditsDraw = newCategorical([]float64{16750, 6330, 3748, 3145, 831, 769, 218, 169, 108, 95, 46, 39, 36, 36, 29})
)

const (
	regionNorth   = 11
	regionIreland = 12
	// Share of missing imd_band by region (real: 40% of North Region, 22% of
	// Ireland, almost none elsewhere; 3.4% overall).
	imdMissingNorth   = 0.40
	imdMissingIreland = 0.22
	imdMissingOther   = 0.004
	disabilityRate    = 0.0971
)

// Planted effects (see the package documentation).
const (
	// riskIntercept calibrates the at-risk (Fail or Withdrawn) share to about
	// the real 53%.
	riskIntercept = -0.3
	// riskEngagement and riskAbility are the at-risk logit slopes on late
	// engagement and ability (both standard normal).
	riskEngagement = -1.4
	riskAbility    = -0.6
	risk2014       = 0.30 // drift: 2014 presentations
	riskB          = 0.15 // February presentations
	riskPerPrev    = 0.35 // per previous attempt, up to 3
	riskHeavyLoad  = 0.35 // studied_credits >= 120
	riskOlder      = -0.2 // age band 35-55 or 55<=
	// riskDisability is the hidden extra risk of the disparity group
	// (disability "Y"), not carried by engagement.
	riskDisability = 0.7
	// disabilitySignal scales how strongly engagement shows in the clicks,
	// submissions and withdrawal timing of the disparity group (1 for others).
	disabilitySignal = 0.4
	// disabilityRiskSlope scales the disparity group's at-risk slopes on
	// engagement and ability: more of their risk is hidden.
	disabilityRiskSlope = 0.4
	// disabilityWithdrawLater maps the disparity group's withdrawal-date
	// quantile u to disabilityWithdrawLater + (1-disabilityWithdrawLater)*u:
	// they persist longer before unregistering (fewer withdraw before day 0).
	disabilityWithdrawLater = 0.3

	withdrawIntercept  = -0.05
	withdrawEngagement = -0.8
	withdrawHeavyLoad  = 0.35

	distinctionIntercept = -2.4
	distinctionAbility   = 1.4

	// earlyLateCorrelation links early (days <= 28) and late engagement.
	earlyLateCorrelation = 0.88
	// abilityEngagementCorrelation links ability and early engagement.
	abilityEngagementCorrelation = 0.5
)

// Final results.
const (
	resultPass = iota
	resultDistinction
	resultFail
	resultWithdrawn
)

var resultNames = []string{"Pass", "Distinction", "Fail", "Withdrawn"}

// Registration dates: the real distribution's quantiles (45 of 32,593 are
// empty, 0.7% are after day 0).
var registrationCurve = quantileCurve{
	{0, -322}, {0.05, -156}, {0.10, -142}, {0.25, -100}, {0.50, -57},
	{0.75, -29}, {0.90, -21}, {0.95, -15}, {0.99, -2}, {0.993, 0}, {1, 60},
}

const registrationMissing = 45.0 / 32593

// withdrawalCurve gives unregistration dates by quantile (real: 31% on or
// before day 0, 50% before day 28); the last knot is replaced by the
// presentation's length - 5.
var withdrawalCurve = quantileCurve{
	{0, -120}, {0.05, -71}, {0.10, -38}, {0.25, -2}, {0.31, 0}, {0.50, 27},
	{0.75, 109}, {0.90, 170}, {0.95, 202}, {1, 0},
}

// withdrawTimingCentre re-centres the early engagement of Withdrawn students
// (mean about -0.5) so their dates follow withdrawalCurve overall.
const withdrawTimingCentre = 0.55

// withdrawnWithoutDate: share of Withdrawn students whose unregistration date
// is empty (real 93 of 10,156).
const withdrawnWithoutDate = 0.009

// bankedShare: share of students with previous attempts who bank their TMAs
// (is_banked = 1; real 1.1% of assessment rows).
const bankedShare = 0.12

// submission is one studentAssessment row of a student.
type submission struct {
	assessment int // index into presentation.assessments
	date       int
	score      int // -1: missing score ("")
	banked     bool
}

// student holds everything generated for one registration except its clicks,
// which are drawn later from their own random stream.
type student struct {
	id           int
	gender       int
	region       int
	education    int
	imd          int // -1: missing
	age          int
	prevAttempts int
	credits      int
	disabled     bool

	ability    float64 // theta: drives scores and Distinction
	early      float64 // engagement up to day 28
	late       float64 // engagement from day 84
	signal     float64 // 1, or disabilitySignal for the disparity group
	clickScale float64 // individual click intensity multiplier

	result     int
	regDate    int
	registered bool // date_registration not empty
	unregDate  int
	hasUnreg   bool
	// lastDay is the last day with any activity: the unregistration (or an
	// undated withdrawal) day for Withdrawn, the presentation length otherwise.
	lastDay int
	// fadeStart is the day a Fail student's engagement starts to decline
	// (beyond the length for other results).
	fadeStart int

	subs []submission
}

// engagementAt returns the student's engagement on day d: early until day 28,
// late from day 84, linear in between, minus the Fail fade and the decline in
// the three weeks before withdrawal.
func (s *student) engagementAt(d, length int) float64 {
	var e float64
	switch {
	case d <= 28:
		e = s.early
	case d >= 84:
		e = s.late
	default:
		w := float64(d-28) / 56
		e = (1-w)*s.early + w*s.late
	}
	if d > s.fadeStart {
		e -= 2.5 * float64(d-s.fadeStart) / float64(max(1, length-s.fadeStart))
	}
	if s.result == resultWithdrawn && s.lastDay-d < 14 {
		e -= 1.0 * (1 - float64(s.lastDay-d)/14)
	}
	return e
}

// newStudent draws one registration of presentation p.
func newStudent(seed uint64, p *presentation, id int) student {
	r := newStreamRand(seed, "oulad/student", uint64(id))
	s := student{id: id}
	s.gender = genderDraw.draw(r)
	s.region = regionDraw.draw(r)
	s.education = educationDraw.draw(r)
	missImd := imdMissingOther
	switch s.region {
	case regionNorth:
		missImd = imdMissingNorth
	case regionIreland:
		missImd = imdMissingIreland
	}
	s.imd = imdDraw.draw(r)
	if bernoulli(r, missImd) {
		s.imd = -1
	}
	s.age = ageDraw.draw(r)
	s.prevAttempts = prevDraw.draw(r)
	s.credits = creditsVals[creditsDraw.draw(r)]
	s.disabled = bernoulli(r, disabilityRate)
	s.signal = 1
	if s.disabled {
		s.signal = disabilitySignal
	}

	// Latent traits.
	abilityShift := educationAbility[s.education]
	if s.imd >= 0 {
		abilityShift += 0.05 * (float64(s.imd) - 4.5)
	}
	if s.age > 0 {
		abilityShift += 0.15
	}
	abilityNoise := r.NormFloat64()
	s.ability = abilityShift + abilityNoise
	rho := abilityEngagementCorrelation
	s.early = rho*abilityNoise + math.Sqrt(1-rho*rho)*r.NormFloat64()
	c := earlyLateCorrelation
	s.late = c*s.early + math.Sqrt(1-c*c)*r.NormFloat64()
	s.clickScale = math.Exp(0.3*r.NormFloat64() - 0.045)

	// Outcome.
	heavy := s.credits >= 120
	slope := 1.0
	if s.disabled {
		slope = disabilityRiskSlope
	}
	logit := riskIntercept + p.module.riskShift + slope*(riskEngagement*s.late+riskAbility*s.ability)
	if p.year == 2014 {
		logit += risk2014
	}
	if p.isB {
		logit += riskB
	}
	logit += riskPerPrev * float64(min(s.prevAttempts, 3))
	if heavy {
		logit += riskHeavyLoad
	}
	if s.age > 0 {
		logit += riskOlder
	}
	if s.disabled {
		logit += riskDisability
	}
	if bernoulli(r, sigmoid(logit)) {
		wl := withdrawIntercept + p.module.withdrawShift + withdrawEngagement*s.late
		if heavy {
			wl += withdrawHeavyLoad
		}
		s.result = resultFail
		if bernoulli(r, sigmoid(wl)) {
			s.result = resultWithdrawn
		}
	} else {
		s.result = resultPass
		if bernoulli(r, sigmoid(distinctionIntercept+distinctionAbility*s.ability)) {
			s.result = resultDistinction
		}
	}

	// Registration.
	s.registered = !bernoulli(r, registrationMissing)
	s.regDate = int(math.Round(registrationCurve.at(r.Float64())))
	if !s.registered {
		s.regDate = 0
	}
	start := p.activityStart(s.regDate, s.registered)

	s.lastDay = p.length
	s.fadeStart = p.length + 1
	switch s.result {
	case resultWithdrawn:
		// Low early engagement -> early withdrawal (Gaussian copula on the
		// real unregistration-date distribution).
		a := 0.75 * s.signal
		u := normalCDF(a*(s.early+withdrawTimingCentre) + math.Sqrt(1-a*a)*r.NormFloat64())
		if s.disabled {
			u = disabilityWithdrawLater + (1-disabilityWithdrawLater)*u
		}
		curve := append(quantileCurve(nil), withdrawalCurve...)
		curve[len(curve)-1][1] = float64(p.length - 5)
		day := int(math.Round(curve.at(u)))
		if s.registered && day <= s.regDate {
			day = s.regDate + uniformInt(r, 1, 10)
		}
		day = min(day, p.length-1)
		s.unregDate = day
		s.hasUnreg = !bernoulli(r, withdrawnWithoutDate)
		s.lastDay = max(day, start)
	case resultFail:
		s.fadeStart = uniformInt(r, 30, 120)
	}

	s.subs = drawSubmissions(r, p, &s, start)
	return s
}

// drawSubmissions generates the student's studentAssessment rows in
// assessment order.
func drawSubmissions(r *rand.Rand, p *presentation, s *student, start int) []submission {
	var subs []submission
	banked := s.prevAttempts > 0 && bernoulli(r, bankedShare)
	resultShift := [...]float64{resultPass: 0, resultDistinction: 8, resultFail: -8, resultWithdrawn: -6}[s.result]
	for i, a := range p.assessments {
		if a.kind == "Exam" {
			if !p.module.examRows || s.result == resultWithdrawn {
				continue
			}
			sit := 0.97
			if s.result == resultFail {
				sit = 0.6
			}
			if !bernoulli(r, sit) {
				continue
			}
			var score float64
			switch s.result {
			case resultDistinction:
				score = truncNormal(r, 82+5*s.ability, 9, 70, 100)
			case resultPass:
				score = truncNormal(r, 62+8*s.ability, 12, 40, 100)
			default:
				score = truncNormal(r, 30+5*s.ability, 10, 0, 39)
			}
			subs = append(subs, submission{assessment: i, date: p.examDay, score: int(math.Round(score))})
			continue
		}
		if banked && a.kind == "TMA" {
			score := truncNormal(r, 70+8*s.ability, 10, 40, 100)
			subs = append(subs, submission{assessment: i, date: -1, score: int(math.Round(score)), banked: true})
			continue
		}
		e := s.signal * s.engagementAt(min(a.date, s.lastDay), p.length)
		base := [...]float64{resultPass: 3.0, resultDistinction: 3.8, resultFail: 1.2, resultWithdrawn: 1.2}[s.result]
		if !bernoulli(r, sigmoid(base+1.2*e)) {
			continue
		}
		var day int
		if a.dueAtEnd {
			day = uniformInt(r, max(start, 0)+5, a.date)
		} else {
			day = a.date + int(math.Round(-1.5-0.6*e+2.5*r.NormFloat64()))
			if bernoulli(r, sigmoid(-1.6-0.7*e)) {
				day = a.date + 1 + int(math.Round(r.ExpFloat64()*5))
			}
		}
		if day > s.lastDay || day < start || (s.result == resultWithdrawn && day >= s.unregDate) {
			continue
		}
		var score float64
		if a.kind == "CMA" {
			score = 82 + 9*s.ability + resultShift + 15*r.NormFloat64()
		} else {
			score = 72 + 9*s.ability + resultShift + 11*r.NormFloat64()
		}
		sc := int(math.Round(math.Min(100, math.Max(0, score))))
		if a.kind == "TMA" && bernoulli(r, 0.001) {
			sc = -1
		}
		subs = append(subs, submission{assessment: i, date: day, score: sc})
	}
	return subs
}
