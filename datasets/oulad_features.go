package datasets

import (
	"fmt"
	"math"
)

// ouladAssessmentNames are the registration and assessment columns in
// frame order; see LoadOULAD for definitions.
var ouladAssessmentNames = [...]string{
	"date_registration", "num_of_prev_attempts", "studied_credits",
	"due_by_cutoff", "submitted", "missed", "mean_score", "weighted_score",
	"weight_submitted_fraction", "late_submissions", "banked",
}

// frame builds the Frame of sorted cutoff index k.
func (l *ouladLoader) frame(k int) *Frame {
	c := l.cutoffs[k]
	var rows []int32
	unregistered, registeredLate := 0, 0
	for i := range l.students {
		st := &l.students[i]
		switch {
		case st.hasUnreg && st.unreg <= c:
			unregistered++
		case !math.IsNaN(st.dateReg) && st.dateReg > float64(c):
			registeredLate++
		default:
			rows = append(rows, int32(i))
		}
	}
	n := len(rows)
	f := &Frame{
		Dataset:  l.opts.Name,
		Cutoff:   c,
		Keys:     make([]string, n),
		Students: make([]string, n),
		Terms:    make([]string, n),
		Courses:  make([]string, n),
		Labels:   make([]uint8, n),
		Trails:   make([][]AssessmentRecord, n),
	}
	numeric := make([][]float64, len(ouladAssessmentNames))
	for j := range numeric {
		numeric[j] = make([]float64, n)
	}
	cats := make([][]string, len(ouladCategoricalNames))
	for j := range cats {
		cats[j] = make([]string, n)
	}
	missingCat := make([]int, len(ouladCategoricalNames))
	missingDateReg := 0

	// Per presentation: assessments due by c and their total weight.
	dueCount := make([]int, len(l.pres))
	dueWeight := make([]float64, len(l.pres))
	for p := range l.pres {
		for _, a := range l.pres[p].assessments {
			if l.assessments[a].due <= c {
				dueCount[p]++
				dueWeight[p] += l.assessments[a].weight
			}
		}
	}

	for r, si := range rows {
		st := &l.students[si]
		pres := &l.pres[st.pres]
		f.Keys[r] = pres.key + "/" + st.id
		f.Students[r] = st.id
		f.Terms[r] = pres.presentation
		f.Courses[r] = pres.module
		f.Labels[r] = st.label
		for j := range st.cat {
			cats[j][r] = st.cat[j]
		}
		cats[len(cats)-1][r] = pres.module
		for j := range cats {
			if cats[j][r] == "" {
				missingCat[j]++
			}
		}
		if math.IsNaN(st.dateReg) {
			missingDateReg++
		}

		var submitted, submittedDue, late, banked, scored int
		var scoreSum, wScoreSum, wSum, weightDoneDue float64
		f.Trails[r] = l.trail(st, c)
		for _, s := range l.submissions[st.subsFrom:st.subsTo] {
			if int(s.date) > c {
				continue
			}
			a := &l.assessments[s.assess]
			submitted++
			if a.due <= c {
				submittedDue++
				weightDoneDue += a.weight
			}
			if s.banked {
				banked++
			} else if int(s.date) > a.due {
				late++
			}
			if !math.IsNaN(s.score) {
				scored++
				scoreSum += s.score
				if a.weight > 0 {
					wScoreSum += a.weight * s.score
					wSum += a.weight
				}
			}
		}
		numeric[0][r] = st.dateReg
		numeric[1][r] = st.prevAttempts
		numeric[2][r] = st.credits
		numeric[3][r] = float64(dueCount[st.pres])
		numeric[4][r] = float64(submitted)
		numeric[5][r] = float64(dueCount[st.pres] - submittedDue)
		numeric[6][r] = ouladRatio(scoreSum, float64(scored))
		numeric[7][r] = ouladRatio(wScoreSum, wSum)
		numeric[8][r] = ouladRatio(weightDoneDue, dueWeight[st.pres])
		numeric[9][r] = float64(late)
		numeric[10][r] = float64(banked)
	}
	for j, name := range ouladAssessmentNames {
		f.Numeric = append(f.Numeric, NumericColumn{Name: name, Values: numeric[j]})
	}

	var clickCounts []CleaningCount
	if l.opts.Clicks {
		clickCounts = l.clickColumns(f, rows, k)
	}
	for j, name := range ouladCategoricalNames {
		f.Categorical = append(f.Categorical, CategoricalColumn{Name: name, Values: cats[j]})
	}

	rep := &f.Report
	rep.Files = append([]FileInfo(nil), l.files...)
	rep.Notes = append([]string(nil), l.notes...)
	add := func(rule string, count int, detail string) {
		rep.Cleaning = append(rep.Cleaning, CleaningCount{Rule: rule, Count: count, Detail: detail})
	}
	if l.filter != nil {
		add("presentation_filter", l.counts.presentationFilter, "studentInfo.csv rows outside the presentation filter, not loaded")
	}
	add("unregistered_by_cutoff", unregistered, fmt.Sprintf("students with date_unregistration <= %d excluded", c))
	add("registered_after_cutoff", registeredLate, fmt.Sprintf("students with date_registration > %d excluded", c))
	files := []string{OULADStudentRegistration, OULADStudentAssessment}
	if l.opts.Clicks {
		files = append(files, OULADStudentVLE)
	}
	for _, file := range files {
		add("unknown_student", l.counts.unknownStudent[file], file+" rows naming a student not in studentInfo.csv for that presentation, skipped")
	}
	add("no_registration_row", l.counts.noRegistrationRow, "loaded students without a studentRegistration.csv row (date_registration NaN)")
	add("missing_date_registration", missingDateReg, "rows with date_registration NaN")
	for j, name := range ouladCategoricalNames {
		add("missing_"+name, missingCat[j], "rows with "+name+" empty or \"?\" (set to \"\")")
	}
	add("assessment_date_missing", l.counts.assessmentDateMissing, "assessments with empty date, due on the presentation's last day")
	add("unknown_assessment", l.counts.unknownAssessment, "studentAssessment.csv rows whose id_assessment is not in assessments.csv, skipped")
	add("duplicate_submission", l.counts.duplicateSubmission, "repeated studentAssessment.csv rows for one student and assessment, later ones ignored")
	add("missing_score", l.counts.missingScore, "submissions with score empty or \"?\": counted as submitted, not scored")
	rep.Cleaning = append(rep.Cleaning, clickCounts...)
	return f
}

// ouladRatio returns num/den, or NaN when den is 0.
func ouladRatio(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// clickColumns appends the click columns of sorted cutoff index k to f and
// returns the click cleaning counts. The columns come from the shared
// activity code (ActivityLayout.ActivityColumns) that the events package
// uses for any event log.
func (l *ouladLoader) clickColumns(f *Frame, rows []int32, k int) []CleaningCount {
	c := l.cutoffs[k]
	accs := make([]*DailyActivity, len(rows))
	covered := make([]bool, len(rows))
	for r, si := range rows {
		st := &l.students[si]
		accs[r] = st.clicks
		covered[r] = l.pres[st.pres].hasClicks
	}
	cols, noRows, noActivity := l.activity.ActivityColumns(k, accs, covered, l.activityTypes)
	f.Numeric = append(f.Numeric, cols...)
	return []CleaningCount{
		{Rule: "unknown_site", Count: l.counts.unknownSite, Detail: "studentVle.csv rows whose id_site is not a vle.csv site of that presentation, excluded"},
		{Rule: "no_click_rows", Count: noRows, Detail: "rows of presentations without studentVle.csv rows: click features NaN"},
		{Rule: "no_click_activity_by_cutoff", Count: noActivity, Detail: fmt.Sprintf("rows with no click on or before day %d: days_since_last_activity NaN", c)},
	}
}

// trail lists a student's assessments as of cutoff c: those due by c and
// those submitted by c (a submission after c is not known yet), in the
// presentation's assessment order.
func (l *ouladLoader) trail(st *ouladStudent, c int) []AssessmentRecord {
	subs := l.submissions[st.subsFrom:st.subsTo]
	var out []AssessmentRecord
	for _, ai := range l.pres[st.pres].assessments {
		a := &l.assessments[ai]
		rec := AssessmentRecord{ID: a.id, Type: a.typ, Due: a.due, Weight: a.weight}
		for _, s := range subs {
			if s.assess != ai || int(s.date) > c {
				continue
			}
			d := int(s.date)
			rec.Submitted = &d
			rec.Banked = s.banked
			if !math.IsNaN(s.score) {
				score := s.score
				rec.Score = &score
			}
			break
		}
		if a.due <= c || rec.Submitted != nil {
			out = append(out, rec)
		}
	}
	return out
}
