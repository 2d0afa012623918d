package datasets

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"bytes"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ouladCategoricalNames are the categorical columns in frame order; the last
// one, code_module, comes from the presentation.
var ouladCategoricalNames = [...]string{"gender", "region", "highest_education", "imd_band", "age_band", "disability", "code_module"}

// ouladMaxID bounds integer identifiers so (presentation, student) packs into
// one uint64 map key.
const ouladMaxID = 1 << 40

type ouladPresentation struct {
	module, presentation, key string
	length                    int  // module_presentation_length
	loaded                    bool // has students in studentInfo.csv and passes the filter
	hasClicks                 bool // studentVle.csv has at least one row for it
	assessments               []int32
}

type ouladAssessment struct {
	pres   int32
	due    int // due day; the presentation's last day when the date is empty
	weight float64
	id     string
	typ    string
}

type ouladStudent struct {
	pres          int32
	id            string
	cat           [len(ouladCategoricalNames) - 1]string
	prevAttempts  float64
	credits       float64
	dateReg       float64 // NaN when missing
	unreg         int
	hasUnreg      bool
	label         uint8
	subsFrom      int32 // submissions[subsFrom:subsTo] are this student's
	subsTo        int32
	clicks        *DailyActivity // nil: no click row
	hasRegistered bool           // has a studentRegistration.csv row
}

type ouladSubmission struct {
	student int32
	assess  int32
	date    int32
	banked  bool
	score   float64 // NaN when missing
}

// ouladMaxCutoff bounds |cutoff| (ten years of days): the week columns and
// accumulators grow with the cutoff.
const ouladMaxCutoff = 3650

type ouladSite struct {
	pres int32
	typ  int32 // index into activityTypes; -1 for a presentation not loaded
}

// ouladCounts are the file-level cleaning counts.
type ouladCounts struct {
	presentationFilter    int
	unknownStudent        map[string]int
	noRegistrationRow     int
	assessmentDateMissing int
	unknownAssessment     int
	duplicateSubmission   int
	missingScore          int
	unknownSite           int
}

type ouladLoader struct {
	fsys    fs.FS
	opts    OULADOptions
	cutoffs []int           // sorted, unique
	filter  map[string]bool // presentation key -> seen in studentInfo.csv

	buffers chan []byte // read buffers shared by every file
	files   []FileInfo
	counts  ouladCounts
	notes   []string

	pres      []ouladPresentation
	presByKey map[string]int32

	students     []ouladStudent
	studentIndex map[uint64]int32

	assessments []ouladAssessment
	assessByID  map[int64]int32
	submissions []ouladSubmission

	activityTypes []string
	activity      *ActivityLayout // click days and cutoff intervals (events_activity.go)
	sites         map[int64]ouladSite
	// siteSlots[id] is 1 + the index in siteList of site id, 0 for none;
	// used instead of sites when every id_site is in [0, ouladMaxDenseSite).
	siteSlots []int32
	siteList  []ouladSite
	interner  map[string]string
}

func (l *ouladLoader) scan(name string, want []string, fn ouladRowFunc) error {
	return l.scanFast(name, want, nil, fn)
}

// scanFast is scan with a fast path (see ouladScanFile).
func (l *ouladLoader) scanFast(name string, want []string, fast ouladFastFunc, fn ouladRowFunc) error {
	if l.buffers == nil {
		l.buffers = ouladNewBuffers()
	}
	info, err := ouladScanFile(l.fsys, name, want, l.buffers, fast, fn)
	if err != nil {
		return err
	}
	l.files = append(l.files, info)
	return nil
}

// estimateRows guesses a file's row count from its size and a typical row
// length in bytes, to size slices and maps up front (0 when the size is
// unknown). It only saves regrowth: any row count works.
func (l *ouladLoader) estimateRows(name string, rowBytes int64) int {
	info, err := fs.Stat(l.fsys, name)
	if err != nil || info.Size() <= 0 {
		return 0
	}
	return int(min(info.Size()/rowBytes+16, 1<<24))
}

func (l *ouladLoader) intern(b []byte) string {
	if s, ok := l.interner[string(b)]; ok {
		return s
	}
	s := string(b)
	l.interner[s] = s
	return s
}

func (l *ouladLoader) countUnknownStudent(file string) {
	if l.counts.unknownStudent == nil {
		l.counts.unknownStudent = map[string]int{}
	}
	l.counts.unknownStudent[file]++
}

// presIndex looks up "module/presentation" without allocating.
func (l *ouladLoader) presIndex(module, presentation []byte) (int32, bool) {
	var buf [64]byte
	key := append(append(append(buf[:0], module...), '/'), presentation...)
	p, ok := l.presByKey[string(key)]
	return p, ok
}

func ouladStudentKey(pres int32, id int64) uint64 {
	return uint64(pres)<<40 | uint64(id)
}

// studentID parses an id_student field.
func ouladStudentID(file string, line int, b []byte) (int64, error) {
	id, ok := csvline.ParseInt(b)
	if !ok || id < 0 || id >= ouladMaxID {
		return 0, ouladFieldError(file, line, "id_student", "invalid integer", b)
	}
	return id, nil
}

func (l *ouladLoader) readCourses() error {
	l.presByKey = map[string]int32{}
	l.interner = map[string]string{}
	return l.scan(OULADCourses, []string{"code_module", "code_presentation", "module_presentation_length"}, func(line int, r [][]byte) error {
		length, err := ouladInt(OULADCourses, line, "module_presentation_length", r[2])
		if err != nil {
			return err
		}
		if length < 1 || length > 3650 {
			// The length dates exams without a date and bounds the
			// presentation: a zero or negative one is an error, not a default.
			return ouladFieldError(OULADCourses, line, "module_presentation_length", "want a positive number of days (1 to 3650), got", r[2])
		}
		if len(r[0]) == 0 || len(r[1]) == 0 {
			return fmt.Errorf("oulad: %s:%d: empty code_module or code_presentation", OULADCourses, line)
		}
		key := string(r[0]) + "/" + string(r[1])
		if _, dup := l.presByKey[key]; dup {
			return fmt.Errorf("oulad: %s:%d: presentation %q listed twice", OULADCourses, line, key)
		}
		l.presByKey[key] = int32(len(l.pres))
		l.pres = append(l.pres, ouladPresentation{module: l.intern(r[0]), presentation: l.intern(r[1]), key: key, length: length})
		return nil
	})
}

func (l *ouladLoader) readStudentInfo() error {
	const file = OULADStudentInfo
	want := []string{"code_module", "code_presentation", "id_student", "gender", "region", "highest_education",
		"imd_band", "age_band", "num_of_prev_attempts", "studied_credits", "disability", "final_result"}
	positive := make(map[string]bool, len(l.opts.Positive))
	for _, p := range l.opts.Positive {
		positive[p] = false
	}
	results := map[string]bool{}
	rows := l.estimateRows(file, 100)
	l.students = make([]ouladStudent, 0, rows)
	l.studentIndex = make(map[uint64]int32, rows)
	err := l.scan(file, want, func(line int, r [][]byte) error {
		pres, ok := l.presIndex(r[0], r[1])
		if !ok {
			return fmt.Errorf("oulad: %s:%d: presentation \"%s/%s\" not in %s", file, line, r[0], r[1], OULADCourses)
		}
		unlabelled := len(r[11]) == 0
		if unlabelled && !l.opts.KeepUnlabelled {
			return ouladFieldError(file, line, "final_result", "missing value", r[11])
		}
		result := l.intern(r[11])
		if !unlabelled {
			results[result] = true
		}
		if _, isPos := positive[result]; isPos {
			positive[result] = true
		}
		if l.filter != nil {
			if _, in := l.filter[l.pres[pres].key]; !in {
				l.counts.presentationFilter++
				return nil
			}
			l.filter[l.pres[pres].key] = true
		}
		id, err := ouladStudentID(file, line, r[2])
		if err != nil {
			return err
		}
		key := ouladStudentKey(pres, id)
		if _, dup := l.studentIndex[key]; dup {
			return fmt.Errorf("oulad: %s:%d: student %d listed twice for presentation %s", file, line, id, l.pres[pres].key)
		}
		prev, err := ouladFloat(file, line, "num_of_prev_attempts", r[8])
		if err != nil {
			return err
		}
		credits, err := ouladFloat(file, line, "studied_credits", r[9])
		if err != nil {
			return err
		}
		st := ouladStudent{
			pres:         pres,
			id:           strconv.FormatInt(id, 10),
			prevAttempts: prev,
			credits:      credits,
			dateReg:      math.NaN(),
		}
		for i, col := range [...]int{3, 4, 5, 6, 7, 10} {
			if !ouladMissing(r[col]) {
				st.cat[i] = l.intern(r[col])
			}
		}
		if _, isPos := positive[result]; isPos {
			st.label = 1
		}
		if unlabelled {
			st.label = NoOutcome
		}
		l.pres[pres].loaded = true
		l.studentIndex[key] = int32(len(l.students))
		l.students = append(l.students, st)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range l.opts.Positive {
		if !positive[p] && len(results) > 0 {
			have := make([]string, 0, len(results))
			for r := range results {
				have = append(have, r)
			}
			sort.Strings(have)
			return fmt.Errorf("oulad: positive value %q matches no final_result in %s (values: %s)", p, file, strings.Join(have, ", "))
		}
	}
	var absent []string
	for key, seen := range l.filter {
		if !seen {
			absent = append(absent, key)
		}
	}
	if len(absent) > 0 {
		sort.Strings(absent)
		return fmt.Errorf("oulad: presentation filter: %s not found in %s", strings.Join(absent, ", "), file)
	}
	return nil
}

// childStudent resolves the (module, presentation, id_student) of a child
// table row: skip is true for rows of presentations the filter excludes;
// known is false for a student (or presentation) studentInfo.csv lacks,
// which is counted.
func (l *ouladLoader) childStudent(file string, line int, module, presentation, idField []byte) (s int32, skip bool, err error) {
	id, err := ouladStudentID(file, line, idField)
	if err != nil {
		return 0, false, err
	}
	pres, ok := l.presIndex(module, presentation)
	if ok && !l.pres[pres].loaded && l.filter != nil {
		return 0, true, nil
	}
	if ok {
		if s, known := l.studentIndex[ouladStudentKey(pres, id)]; known {
			return s, false, nil
		}
	}
	l.countUnknownStudent(file)
	return 0, true, nil
}

func (l *ouladLoader) readRegistration() error {
	const file = OULADStudentRegistration
	want := []string{"code_module", "code_presentation", "id_student", "date_registration", "date_unregistration"}
	err := l.scan(file, want, func(line int, r [][]byte) error {
		s, skip, err := l.childStudent(file, line, r[0], r[1], r[2])
		if err != nil || skip {
			return err
		}
		st := &l.students[s]
		if st.hasRegistered {
			return fmt.Errorf("oulad: %s:%d: student %s listed twice for presentation %s", file, line, st.id, l.pres[st.pres].key)
		}
		st.hasRegistered = true
		if !ouladMissing(r[3]) {
			d, err := ouladInt(file, line, "date_registration", r[3])
			if err != nil {
				return err
			}
			st.dateReg = float64(d)
		}
		if !ouladMissing(r[4]) {
			d, err := ouladInt(file, line, "date_unregistration", r[4])
			if err != nil {
				return err
			}
			st.unreg, st.hasUnreg = d, true
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range l.students {
		if !l.students[i].hasRegistered {
			l.counts.noRegistrationRow++
		}
	}
	return nil
}

func (l *ouladLoader) readAssessments() error {
	const file = OULADAssessments
	want := []string{"code_module", "code_presentation", "id_assessment", "assessment_type", "date", "weight"}
	l.assessByID = map[int64]int32{}
	return l.scan(file, want, func(line int, r [][]byte) error {
		pres, ok := l.presIndex(r[0], r[1])
		if !ok {
			return fmt.Errorf("oulad: %s:%d: presentation \"%s/%s\" not in %s", file, line, r[0], r[1], OULADCourses)
		}
		id, ok := csvline.ParseInt(r[2])
		if !ok {
			return ouladFieldError(file, line, "id_assessment", "invalid integer", r[2])
		}
		if _, dup := l.assessByID[id]; dup {
			return fmt.Errorf("oulad: %s:%d: id_assessment %d listed twice", file, line, id)
		}
		a := ouladAssessment{pres: pres, due: l.pres[pres].length, id: string(r[2]), typ: string(r[3])}
		if ouladMissing(r[4]) {
			if l.pres[pres].loaded {
				l.counts.assessmentDateMissing++
			}
		} else {
			d, err := ouladInt(file, line, "date", r[4])
			if err != nil {
				return err
			}
			a.due = d
		}
		w, err := ouladFloat(file, line, "weight", r[5])
		if err != nil {
			return err
		}
		if w < 0 {
			return ouladFieldError(file, line, "weight", "negative number", r[5])
		}
		a.weight = w
		l.assessByID[id] = int32(len(l.assessments))
		l.pres[pres].assessments = append(l.pres[pres].assessments, int32(len(l.assessments)))
		l.assessments = append(l.assessments, a)
		return nil
	})
}

func (l *ouladLoader) readStudentAssessment() error {
	const file = OULADStudentAssessment
	want := []string{"id_assessment", "id_student", "date_submitted", "is_banked", "score"}
	l.submissions = make([]ouladSubmission, 0, l.estimateRows(file, 30))
	return l.scan(file, want, func(line int, r [][]byte) error {
		aid, ok := csvline.ParseInt(r[0])
		if !ok {
			return ouladFieldError(file, line, "id_assessment", "invalid integer", r[0])
		}
		id, err := ouladStudentID(file, line, r[1])
		if err != nil {
			return err
		}
		date, err := ouladInt(file, line, "date_submitted", r[2])
		if err != nil {
			return err
		}
		banked := false
		switch string(r[3]) {
		case "0", "":
		case "1":
			banked = true
		default:
			return ouladFieldError(file, line, "is_banked", "want 0 or 1, got", r[3])
		}
		score := math.NaN()
		missingScore := ouladMissing(r[4])
		if !missingScore {
			if score, err = ouladFloat(file, line, "score", r[4]); err != nil {
				return err
			}
		}
		a, ok := l.assessByID[aid]
		if !ok {
			l.counts.unknownAssessment++
			return nil
		}
		pres := l.assessments[a].pres
		if !l.pres[pres].loaded && l.filter != nil {
			return nil
		}
		s, known := l.studentIndex[ouladStudentKey(pres, id)]
		if !known {
			l.countUnknownStudent(file)
			return nil
		}
		if missingScore {
			l.counts.missingScore++
		}
		l.submissions = append(l.submissions, ouladSubmission{student: s, assess: a, date: int32(date), banked: banked, score: score})
		return nil
	})
}

// prepareSubmissions groups submissions by student (a stable counting
// sort, so file order is kept within a student) and ignores repeated
// submissions of one assessment after the first in file order.
func (l *ouladLoader) prepareSubmissions() {
	start := make([]int32, len(l.students)+1)
	for _, s := range l.submissions {
		start[s.student+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := make([]ouladSubmission, len(l.submissions))
	next := slices.Clone(start[:len(l.students)])
	for _, s := range l.submissions {
		sorted[next[s.student]] = s
		next[s.student]++
	}
	out := sorted[:0]
	for i := range l.students {
		from := int32(len(out))
		for _, s := range sorted[start[i]:start[i+1]] {
			dup := false
			for _, kept := range out[from:] {
				if kept.assess == s.assess {
					dup = true
					break
				}
			}
			if dup {
				l.counts.duplicateSubmission++
				continue
			}
			out = append(out, s)
		}
		l.students[i].subsFrom, l.students[i].subsTo = from, int32(len(out))
	}
	l.submissions = out
}

func (l *ouladLoader) readVLE() error {
	const file = OULADVLE
	want := []string{"id_site", "code_module", "code_presentation", "activity_type"}
	type site struct {
		id   int64
		pres int32
		typ  string
	}
	var raw []site
	types := map[string]bool{}
	err := l.scan(file, want, func(line int, r [][]byte) error {
		id, ok := csvline.ParseInt(r[0])
		if !ok {
			return ouladFieldError(file, line, "id_site", "invalid integer", r[0])
		}
		pres, ok := l.presIndex(r[1], r[2])
		if !ok {
			return fmt.Errorf("oulad: %s:%d: presentation \"%s/%s\" not in %s", file, line, r[1], r[2], OULADCourses)
		}
		if len(r[3]) == 0 {
			return ouladFieldError(file, line, "activity_type", "missing value", r[3])
		}
		t := l.intern(r[3])
		if l.pres[pres].loaded {
			types[t] = true
		}
		raw = append(raw, site{id: id, pres: pres, typ: t})
		return nil
	})
	if err != nil {
		return err
	}
	for t := range types {
		l.activityTypes = append(l.activityTypes, t)
	}
	sort.Strings(l.activityTypes)
	l.sites = make(map[int64]ouladSite, len(raw))
	for _, s := range raw {
		if _, dup := l.sites[s.id]; dup {
			return fmt.Errorf("oulad: %s: id_site %d listed twice", file, s.id)
		}
		typ := int32(-1)
		if l.pres[s.pres].loaded {
			typ = int32(sort.SearchStrings(l.activityTypes, s.typ))
		}
		l.sites[s.id] = ouladSite{pres: s.pres, typ: typ}
	}
	maxID := int64(-1)
	for _, s := range raw {
		if s.id < 0 || s.id >= ouladMaxDenseSite {
			return nil
		}
		maxID = max(maxID, s.id)
	}
	// Every click row looks its site up: a slice index beats a map.
	l.siteSlots = make([]int32, maxID+1)
	for _, s := range raw {
		l.siteList = append(l.siteList, l.sites[s.id])
		l.siteSlots[s.id] = int32(len(l.siteList))
	}
	return nil
}

// ouladMaxWorkers bounds the goroutines parsing studentVle.csv (each adds
// two blocks of ouladBlockSize bytes in flight).
const ouladMaxWorkers = 8

// ouladMaxDenseSite bounds the id_site values (16 MB of slots) for which the
// dense site lookup is used.
const ouladMaxDenseSite = 1 << 22

// site looks up a vle.csv site.
func (l *ouladLoader) site(id int64) (ouladSite, bool) {
	if l.siteSlots == nil {
		s, ok := l.sites[id]
		return s, ok
	}
	if id < 0 || id >= int64(len(l.siteSlots)) || l.siteSlots[id] == 0 {
		return ouladSite{}, false
	}
	return l.siteList[l.siteSlots[id]-1], true
}

// ouladClickRows is what one block of studentVle.csv adds to the load: the
// rows to add to students' click accumulators (dated on or before the
// largest cutoff) and the block's cleaning counts. Adding them in any
// order gives the same sums; they are applied in file order.
type ouladClickRows struct {
	adds           []ouladClickAdd
	clicked        []int32 // presentations with rows in the block (repeats allowed)
	unknownStudent int
	unknownSite    int
}

// ouladClickAdd is one click row to add: student index, activity type
// index, day and clicks (validated to fit int32).
type ouladClickAdd struct {
	student, typ, day, n int32
}

// ouladClickResolver is one parsing worker's view of the load while
// studentVle.csv streams: it looks up each row's presentation, student and
// site in the tables read before (which nobody changes meanwhile) and
// writes the result to the block's ouladClickRows, caching the last
// presentation, student and site looked up (rows come grouped by
// presentation and student).
type ouladClickResolver struct {
	l                 *ouladLoader
	loaded            []bool // loaded[p]: presentation p is loaded
	maxCut            int
	out               *ouladClickRows
	lastMod, lastPres []byte
	lastP             int32
	lastOK            bool
	marked            bool // lastP is in out.clicked
	lastStudentKey    uint64
	lastStudent       int32
	lastSiteID        int64
	lastSite          ouladSite
	lastSiteOK        bool
}

func (a *ouladClickResolver) begin(out *ouladClickRows) {
	*out = ouladClickRows{adds: out.adds[:0], clicked: out.clicked[:0]}
	a.out, a.marked = out, false
}

func (a *ouladClickResolver) fast(line []byte) bool {
	mod, pres, v, ok := ouladParseVLELine(line)
	if ok {
		a.add(mod, pres, v[0], v[1], int(v[2]), v[3])
	}
	return ok
}

func (a *ouladClickResolver) row(line int, r [][]byte) error {
	const file = OULADStudentVLE
	id, err := ouladStudentID(file, line, r[2])
	if err != nil {
		return err
	}
	siteID, ok := csvline.ParseInt(r[3])
	if !ok {
		return ouladFieldError(file, line, "id_site", "invalid integer", r[3])
	}
	day, err := ouladInt(file, line, "date", r[4])
	if err != nil {
		return err
	}
	n, ok := csvline.ParseInt(r[5])
	if !ok || n < 0 || n > math.MaxInt32 {
		return ouladFieldError(file, line, "sum_click", "invalid non-negative integer", r[5])
	}
	a.add(r[0], r[1], id, siteID, day, n)
	return nil
}

// add resolves one row whose fields are already validated: 0 <= id <
// ouladMaxID, day in int32 range, 0 <= n <= MaxInt32.
func (a *ouladClickResolver) add(module, presentation []byte, id, siteID int64, day int, n int64) {
	l, out := a.l, a.out
	if a.lastMod == nil || !bytes.Equal(module, a.lastMod) || !bytes.Equal(presentation, a.lastPres) {
		a.lastMod = append(a.lastMod[:0], module...)
		a.lastPres = append(a.lastPres[:0], presentation...)
		a.lastP, a.lastOK = l.presIndex(module, presentation)
		a.lastStudent = -1
		a.marked = false
	}
	if !a.lastOK {
		out.unknownStudent++
		return
	}
	if !a.loaded[a.lastP] {
		if l.filter == nil {
			out.unknownStudent++
		}
		return
	}
	if !a.marked {
		out.clicked = append(out.clicked, a.lastP)
		a.marked = true
	}
	key := ouladStudentKey(a.lastP, id)
	if a.lastStudent < 0 || key != a.lastStudentKey {
		s, known := l.studentIndex[key]
		if !known {
			out.unknownStudent++
			return
		}
		a.lastStudentKey, a.lastStudent = key, s
	}
	if siteID != a.lastSiteID {
		a.lastSite, a.lastSiteOK = l.site(siteID)
		a.lastSiteID = siteID
	}
	if !a.lastSiteOK || a.lastSite.pres != a.lastP {
		out.unknownSite++
		return
	}
	if day > a.maxCut {
		return
	}
	out.adds = append(out.adds, ouladClickAdd{student: a.lastStudent, typ: a.lastSite.typ, day: int32(day), n: int32(n)})
}

// addClicks applies one block of studentVle.csv rows to the load.
func (l *ouladLoader) addClicks(rows *ouladClickRows) error {
	for _, p := range rows.clicked {
		l.pres[p].hasClicks = true
	}
	if rows.unknownStudent > 0 {
		if l.counts.unknownStudent == nil {
			l.counts.unknownStudent = map[string]int{}
		}
		l.counts.unknownStudent[OULADStudentVLE] += rows.unknownStudent
	}
	l.counts.unknownSite += rows.unknownSite
	for _, r := range rows.adds {
		st := &l.students[r.student]
		if st.clicks == nil {
			st.clicks = &DailyActivity{}
		}
		l.activity.Add(st.clicks, int(r.day), int(r.typ), int64(r.n))
	}
	return nil
}

// ouladParseVLELine is the fast path for a studentVle.csv line in the
// published column order: two text fields without escaped quotes, then
// four decimal integers, each field quoted or bare. It reports false for
// anything else, including values out of range, which the general parser
// then handles (and reports with file, line and field).
func ouladParseVLELine(line []byte) (module, presentation []byte, ints [4]int64, ok bool) {
	i := 0
	var text [2][]byte
	for f := range text {
		if i < len(line) && line[i] == '"' {
			start := i + 1
			j := start
			for j < len(line) && line[j] != '"' {
				j++
			}
			if j == len(line) {
				return nil, nil, ints, false
			}
			text[f] = line[start:j]
			i = j + 1
		} else {
			start := i
			for i < len(line) && line[i] != ',' && line[i] != '"' {
				i++
			}
			text[f] = line[start:i]
		}
		if i >= len(line) || line[i] != ',' {
			return nil, nil, ints, false
		}
		i++
	}
	for f := range ints {
		quoted := i < len(line) && line[i] == '"'
		if quoted {
			i++
		}
		neg := i < len(line) && line[i] == '-'
		if neg {
			i++
		}
		start := i
		var v int64
		for i < len(line) && line[i]-'0' <= 9 {
			v = v*10 + int64(line[i]-'0')
			i++
		}
		if i == start || i-start > 9 {
			return nil, nil, ints, false
		}
		if neg {
			v = -v
		}
		if quoted {
			if i >= len(line) || line[i] != '"' {
				return nil, nil, ints, false
			}
			i++
		}
		if f < len(ints)-1 {
			if i >= len(line) || line[i] != ',' {
				return nil, nil, ints, false
			}
			i++
		} else if i != len(line) {
			return nil, nil, ints, false
		}
		ints[f] = v
	}
	// Nine digits keep every value within int32; ids and clicks must not
	// be negative.
	if ints[0] < 0 || ints[3] < 0 {
		return nil, nil, ints, false
	}
	return text[0], text[1], ints, true
}

// readStudentVLE streams studentVle.csv, adding each row dated on or before
// the largest cutoff to its student's accumulator. The file is the bulk of
// OULAD (hundreds of MB): its lines are parsed and looked up on every core
// (ouladScanFileParallel) and the blocks' rows added in file order, so the
// result is the same on any number of cores.
func (l *ouladLoader) readStudentVLE() error {
	const file = OULADStudentVLE
	want := []string{"code_module", "code_presentation", "id_student", "id_site", "date", "sum_click"}
	maxCut := l.cutoffs[len(l.cutoffs)-1]
	layout, err := NewActivityLayout(l.cutoffs, maxCut, len(l.activityTypes))
	if err != nil {
		return fmt.Errorf("oulad: %w", err)
	}
	l.activity = layout
	loaded := make([]bool, len(l.pres))
	for i := range l.pres {
		loaded[i] = l.pres[i].loaded
	}
	workers := make([]ouladBlockWorker[ouladClickRows], min(runtime.GOMAXPROCS(0), ouladMaxWorkers))
	for w := range workers {
		workers[w] = &ouladClickResolver{l: l, loaded: loaded, maxCut: maxCut, lastStudent: -1, lastSiteID: -1}
	}
	info, err := ouladScanFileParallel(l.fsys, file, want, ouladBlockSize, workers, l.addClicks)
	if err != nil {
		return err
	}
	l.files = append(l.files, info)
	var missing []string
	for i := range l.pres {
		if l.pres[i].loaded && !l.pres[i].hasClicks {
			missing = append(missing, l.pres[i].key)
		}
	}
	sort.Strings(missing)
	for _, key := range missing {
		l.notes = append(l.notes, fmt.Sprintf("%s: %s has no click rows for this presentation; its click features are NaN", key, file))
	}
	return nil
}
