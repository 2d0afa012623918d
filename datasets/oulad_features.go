package datasets

import (
	"fmt"
	"math"
	"strconv"
)

// ouladAssessmentNames are the registration and assessment columns in
// frame order; see LoadOULAD for definitions.
var ouladAssessmentNames = [...]string{
	"date_registration", "num_of_prev_attempts", "studied_credits",
	"due_by_cutoff", "submitted", "missed", "mean_score", "weighted_score",
	"weight_submitted_fraction", "late_submissions", "banked",
}

// ouladWeekName is the click column of week w (days 7w..7w+6).
func ouladWeekName(w int) string { return "clicks_week_" + strconv.Itoa(w) }

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
// returns the click cleaning counts.
func (l *ouladLoader) clickColumns(f *Frame, rows []int32, k int) []CleaningCount {
	c := l.cutoffs[k]
	n := len(rows)
	numTypes := len(l.activityTypes)
	weeks := 0
	if c >= 0 {
		weeks = c/7 + 1
	}
	total := make([]float64, n)
	types := make([][]float64, numTypes)
	for t := range types {
		types[t] = make([]float64, n)
	}
	before := make([]float64, n)
	week := make([][]float64, weeks)
	for w := range week {
		week[w] = make([]float64, n)
	}
	active := make([]float64, n)
	since := make([]float64, n)
	weekSums := make([]int64, weeks)
	noRows, noActivity := 0, 0

	for r, si := range rows {
		st := &l.students[si]
		if !l.pres[st.pres].hasClicks {
			noRows++
			nan := math.NaN()
			total[r], before[r], active[r], since[r] = nan, nan, nan, nan
			for t := range types {
				types[t][r] = nan
			}
			for w := range week {
				week[w][r] = nan
			}
			continue
		}
		acc := st.clicks
		if acc == nil {
			noActivity++
			since[r] = math.NaN()
			continue
		}
		var sum, days, beforeSum int64
		clear(weekSums)
		last := math.MinInt
		add := func(d int, v int64) {
			if d > c || v == 0 {
				return
			}
			sum += v
			days++
			last = max(last, d)
			if d < 0 {
				beforeSum += v
			} else {
				weekSums[d/7] += v
			}
		}
		for i, v := range acc.days {
			add(ouladDenseFrom+i, v)
		}
		for d, v := range acc.other {
			add(d, v)
		}
		before[r] = float64(beforeSum)
		for w := range week {
			week[w][r] = float64(weekSums[w])
		}
		total[r] = float64(sum)
		active[r] = float64(days)
		if last == math.MinInt {
			noActivity++
			since[r] = math.NaN()
		} else {
			since[r] = float64(c - last)
		}
		for t := range types {
			var v int64
			for j := 0; j <= k; j++ {
				v += acc.types[j*numTypes+t]
			}
			types[t][r] = float64(v)
		}
	}
	f.Numeric = append(f.Numeric, NumericColumn{Name: "clicks_total", Values: total})
	for t, name := range l.activityTypes {
		f.Numeric = append(f.Numeric, NumericColumn{Name: "clicks_type_" + name, Values: types[t]})
	}
	f.Numeric = append(f.Numeric, NumericColumn{Name: "clicks_week_before_start", Values: before})
	for w := range week {
		f.Numeric = append(f.Numeric, NumericColumn{Name: ouladWeekName(w), Values: week[w]})
	}
	f.Numeric = append(f.Numeric,
		NumericColumn{Name: "active_days", Values: active},
		NumericColumn{Name: "days_since_last_activity", Values: since})
	return []CleaningCount{
		{Rule: "unknown_site", Count: l.counts.unknownSite, Detail: "studentVle.csv rows whose id_site is not a vle.csv site of that presentation, excluded"},
		{Rule: "no_click_rows", Count: noRows, Detail: "rows of presentations without studentVle.csv rows: click features NaN"},
		{Rule: "no_click_activity_by_cutoff", Count: noActivity, Detail: fmt.Sprintf("rows with no click on or before day %d: days_since_last_activity NaN", c)},
	}
}
