package datasets

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// OULADOptions configures LoadOULAD.
type OULADOptions struct {
	// Name is the dataset name from the spec; it becomes Frame.Dataset.
	Name string
	// Cutoffs are the prediction days, relative to each presentation's start
	// (day 0). LoadOULAD returns one Frame per cutoff, in this order.
	// Negative days are allowed; |day| must be at most 3650. Duplicates
	// yield identical frames.
	Cutoffs []int
	// Positive lists the final_result values that are the at-risk label 1,
	// e.g. {"Fail", "Withdrawn"}. Each must occur in studentInfo.csv.
	Positive []string
	// Presentations optionally restricts loading to these module
	// presentations, written "AAA/2013J" (code_module/code_presentation).
	// Empty means all presentations in studentInfo.csv.
	Presentations []string
	// Clicks makes LoadOULAD read vle.csv and studentVle.csv and build the
	// click features. Without it neither file is opened.
	Clicks bool
	// KeepUnlabelled keeps students whose final_result is empty, with
	// label NoOutcome (a presentation still running), instead of refusing
	// the file; a positive value that no final_result matches is then an
	// error only when some student has a final_result.
	KeepUnlabelled bool
}

// The OULAD table file names, as published.
const (
	OULADCourses             = "courses.csv"
	OULADStudentInfo         = "studentInfo.csv"
	OULADStudentRegistration = "studentRegistration.csv"
	OULADAssessments         = "assessments.csv"
	OULADStudentAssessment   = "studentAssessment.csv"
	OULADVLE                 = "vle.csv"
	OULADStudentVLE          = "studentVle.csv"
)

// LoadOULAD reads the OULAD tables from fsys (os.DirFS(dir) or an in-memory
// FS) and returns one Frame per cutoff in opts.Cutoffs order.
//
// Files: courses.csv, studentInfo.csv, studentRegistration.csv,
// assessments.csv and studentAssessment.csv are always read; vle.csv and
// studentVle.csv only when opts.Clicks. Fields may be double-quoted; lines
// end in LF or CRLF; an empty field or "?" is a missing value where a field
// may be missing (score, imd_band and the other categorical columns,
// date_registration, date_unregistration, assessment date). Identifiers
// (id_student, id_assessment, id_site) and days are integers. Each file is
// read once and streamed (studentVle.csv rows are aggregated as they are
// read, never held); its name within fsys, SHA-256 and data-row count go to
// Report.Files. The frames share no slices with each other.
//
// Rows: one per studentInfo.csv row of a loaded presentation, in file
// order, except students who unregistered on or before the cutoff
// (date_unregistration <= c; rule "unregistered_by_cutoff") and students who
// registered after it (date_registration > c; rule
// "registered_after_cutoff"): at day c neither is a current student. Keys
// are "module/presentation/id_student", Students the id_student, Terms the
// code_presentation, Courses the code_module, and Labels 1 when
// final_result is in opts.Positive.
//
// Features as of cutoff c (nothing dated after day c reaches a feature;
// assessment due dates and weights are the published schedule and count as
// known from the start). Counts are numbers of assessments, scores are on
// OULAD's 0-100 scale, days are days relative to the presentation start:
//
//	date_registration          day of registration (negative: before start); NaN when missing
//	num_of_prev_attempts       previous attempts at the module
//	studied_credits            credits the student is studying
//	due_by_cutoff              assessments of the presentation with due date <= c
//	                           (an Exam with empty date is due on the last day, module_presentation_length)
//	submitted                  assessments the student submitted with date_submitted <= c
//	missed                     assessments due by c with no submission dated <= c
//	mean_score                 mean score of submissions dated <= c that have a score; NaN when none
//	weighted_score             sum(weight*score)/sum(weight) over submissions dated <= c with a score
//	                           and weight > 0; NaN when that weight sum is 0
//	weight_submitted_fraction  weight of assessments due by c that were submitted by c, divided by
//	                           the weight of all assessments due by c (0..1); NaN when that is 0
//	late_submissions           non-banked submissions dated <= c made after the assessment's due date
//	banked                     banked submissions (is_banked = 1) dated <= c
//
// With opts.Clicks, for presentations that have rows in studentVle.csv
// (rows of any date: the click log covers the presentation), these are sums
// of sum_click over the student's rows with date <= c, including days before
// the start:
//
//	clicks_total               all clicks
//	clicks_type_<type>         clicks on sites of that vle.csv activity_type; one column per type
//	                           found in vle.csv for the loaded presentations, sorted by name
//	clicks_week_before_start   clicks on days < 0
//	clicks_week_<w>            clicks on days 7w..7w+6 (and <= c), for w = 0..floor(c/7) when c >= 0
//	active_days                distinct days <= c with at least one click
//	days_since_last_activity   c minus the last active day <= c; NaN when there is none (counted,
//	                           rule "no_click_activity_by_cutoff")
//
// Students of a presentation without any studentVle.csv row get NaN in
// every click column (never 0); Report.Notes names each such presentation
// and rule "no_click_rows" counts those students. Click rows whose id_site
// is not a vle.csv site of the row's presentation are excluded (rule
// "unknown_site").
//
// Categorical columns (also the group attributes), "" when missing (counted
// as rule "missing_<column>"): gender, region, highest_education, imd_band,
// age_band, disability, code_module.
//
// Child-table rows (studentRegistration, studentAssessment, studentVle)
// naming a student absent from studentInfo.csv for that presentation are
// skipped and counted (rule "unknown_student", one count per file, its
// Detail starting with the file name); rows of presentations excluded by
// opts.Presentations are skipped silently.
// studentAssessment rows with an id_assessment missing from assessments.csv
// are counted ("unknown_assessment"); a second submission for the same
// student and assessment is ignored ("duplicate_submission"); a missing
// score leaves the submission counted but unscored ("missing_score").
//
// Errors name file, line and field: a missing file, a missing header
// column, an unparseable number or integer, a row with the wrong number of
// fields, a malformed quoted field, a presentation in studentInfo.csv,
// assessments.csv or vle.csv that is not in courses.csv, a student listed
// twice for one presentation, a repeated id_assessment or id_site, a filter
// entry with no students, a Positive value that no row has, no cutoffs or a
// cutoff outside [-3650, 3650]. See docs/oulad-features.md.
func LoadOULAD(fsys fs.FS, opts OULADOptions) ([]*Frame, error) {
	if len(opts.Cutoffs) == 0 {
		return nil, fmt.Errorf("oulad: no cutoff days given")
	}
	if len(opts.Positive) == 0 {
		return nil, fmt.Errorf("oulad: no positive final_result values given")
	}
	for _, c := range opts.Cutoffs {
		if c < -ouladMaxCutoff || c > ouladMaxCutoff {
			return nil, fmt.Errorf("oulad: cutoff day %d outside [%d, %d]", c, -ouladMaxCutoff, ouladMaxCutoff)
		}
	}
	l := &ouladLoader{fsys: fsys, opts: opts}
	l.cutoffs = slices.Clone(opts.Cutoffs)
	slices.Sort(l.cutoffs)
	l.cutoffs = slices.Compact(l.cutoffs)
	if len(opts.Presentations) > 0 {
		l.filter = make(map[string]bool, len(opts.Presentations))
		for _, p := range opts.Presentations {
			mod, pres, ok := strings.Cut(p, "/")
			if !ok || mod == "" || pres == "" || strings.Contains(pres, "/") {
				return nil, fmt.Errorf("oulad: presentation filter %q: want module/presentation, e.g. \"AAA/2013J\"", p)
			}
			l.filter[p] = false
		}
	}
	steps := []func() error{
		l.readCourses,
		l.readStudentInfo,
		l.readRegistration,
		l.readAssessments,
		l.readStudentAssessment,
	}
	if opts.Clicks {
		steps = append(steps, l.readVLE, l.readStudentVLE)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	l.prepareSubmissions()
	frames := make([]*Frame, len(opts.Cutoffs))
	byCutoff := make(map[int]int, len(l.cutoffs))
	for k, c := range l.cutoffs {
		byCutoff[c] = k
	}
	for i, c := range opts.Cutoffs {
		frames[i] = l.frame(byCutoff[c])
	}
	return frames, nil
}
