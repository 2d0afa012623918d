package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

const ouladTinyDir = "testdata/oulad_tiny"

// ouladTinyOptions loads the hand-made fixture in testdata/oulad_tiny with
// cutoffs deliberately out of order.
func ouladTinyOptions() OULADOptions {
	return OULADOptions{Name: "tiny", Cutoffs: []int{28, 14, 45}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
}

// ouladTinyFS reads the fixture into memory so tests can edit it.
func ouladTinyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	entries, err := os.ReadDir(ouladTinyDir)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(ouladTinyDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func ouladCleaning(f *Frame, rule, detailPrefix string) (int, bool) {
	for _, c := range f.Report.Cleaning {
		if c.Rule == rule && strings.HasPrefix(c.Detail, detailPrefix) {
			return c.Count, true
		}
	}
	return 0, false
}

// ouladSameFloat treats NaN as equal to NaN; otherwise values must be
// identical (tolerance 0) or within tol relative when tol > 0.
func ouladSameFloat(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestLoadOULADTinyExact checks every feature of the fixture against values
// computed by hand from the fixture rows (see the comments per cutoff).
func TestLoadOULADTinyExact(t *testing.T) {
	frames, err := LoadOULAD(os.DirFS(ouladTinyDir), ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 3 || frames[0].Cutoff != 28 || frames[1].Cutoff != 14 || frames[2].Cutoff != 45 {
		t.Fatalf("frames not one per cutoff in option order: %d frames", len(frames))
	}
	N := math.NaN()
	type want struct {
		keys    []string
		labels  []uint8
		numeric map[string][]float64
		columns []string
		imd     []string
		region  []string
		module  []string
		counts  map[string]int // rule -> count (rule "unknown_student" is checked separately)
	}
	cases := []want{
		{
			// Day 28: AAA/3 unregistered on day 25, AAA/4 registers on day 40.
			// AAA due by 28: #1 (day 10, weight 20), #3 (day 20, weight 0).
			// AAA/1 submitted #1 day 8 (80) and #3 day 22 (60, late); #2 day 29 is after 28.
			// AAA/2 submitted #1 day 12 (score ?, late); #3 missed.
			keys:   []string{"AAA/2013J/1", "AAA/2013J/2", "AAA/2013J/6", "BBB/2013J/1", "BBB/2013J/5"},
			labels: []uint8{0, 1, 0, 0, 1},
			numeric: map[string][]float64{
				"date_registration":         {-30, N, -15, -5, -20},
				"num_of_prev_attempts":      {0, 1, 0, 2, 0},
				"studied_credits":           {60, 120, 60, 90, 60},
				"due_by_cutoff":             {2, 2, 2, 1, 1},
				"submitted":                 {2, 1, 0, 1, 1},
				"missed":                    {0, 1, 2, 0, 0},
				"mean_score":                {70, N, N, 55, 65},
				"weighted_score":            {80, N, N, 55, 65},
				"weight_submitted_fraction": {1, 1, 0, 1, 1},
				"late_submissions":          {1, 1, 0, 0, 1},
				"banked":                    {0, 0, 0, 0, 0},
				// AAA/1 clicks: day -3: 5 resource + 2 forumng; 0: 4 oucontent;
				// 6: 1 resource; 7: 3 forumng; 14: 10 oucontent; 20: 2 resource.
				// AAA/2: day 13: 3 resource; 21: 4 oucontent. BBB has no click rows.
				"clicks_total":             {27, 7, 0, N, N},
				"clicks_type_forumng":      {5, 0, 0, N, N},
				"clicks_type_oucontent":    {14, 4, 0, N, N},
				"clicks_type_quiz":         {0, 0, 0, N, N},
				"clicks_type_resource":     {8, 3, 0, N, N},
				"clicks_week_before_start": {7, 0, 0, N, N},
				"clicks_week_0":            {5, 0, 0, N, N},
				"clicks_week_1":            {3, 3, 0, N, N},
				"clicks_week_2":            {12, 0, 0, N, N},
				"clicks_week_3":            {0, 4, 0, N, N},
				"clicks_week_4":            {0, 0, 0, N, N},
				"active_days":              {6, 2, 0, N, N},
				"days_since_last_activity": {8, 7, N, N, N},
			},
			columns: []string{"date_registration", "num_of_prev_attempts", "studied_credits", "due_by_cutoff", "submitted", "missed",
				"mean_score", "weighted_score", "weight_submitted_fraction", "late_submissions", "banked",
				"clicks_total", "clicks_type_forumng", "clicks_type_oucontent", "clicks_type_quiz", "clicks_type_resource",
				"clicks_week_before_start", "clicks_week_0", "clicks_week_1", "clicks_week_2", "clicks_week_3", "clicks_week_4",
				"active_days", "days_since_last_activity",
				"gender", "region", "highest_education", "imd_band", "age_band", "disability", "code_module"},
			imd:    []string{"90-100%", "", "50-60%", "10-20", "0-10%"},
			region: []string{"East Anglian Region", "Scotland", "", `South "East", Region`, "Scotland"},
			module: []string{"AAA", "AAA", "AAA", "BBB", "BBB"},
			counts: map[string]int{"unregistered_by_cutoff": 1, "registered_after_cutoff": 1, "missing_imd_band": 1, "missing_region": 1,
				"missing_date_registration": 1, "no_registration_row": 0, "missing_score": 1, "unknown_assessment": 1, "duplicate_submission": 0,
				"assessment_date_missing": 2, "unknown_site": 2, "no_click_rows": 2, "no_click_activity_by_cutoff": 1},
		},
		{
			// Day 14: AAA/3 still registered (unregisters day 25); nothing of BBB due (#5 day 15).
			keys:   []string{"AAA/2013J/1", "AAA/2013J/2", "AAA/2013J/3", "AAA/2013J/6", "BBB/2013J/1", "BBB/2013J/5"},
			labels: []uint8{0, 1, 1, 0, 0, 1},
			numeric: map[string][]float64{
				"date_registration":         {-30, N, -10, -15, -5, -20},
				"due_by_cutoff":             {1, 1, 1, 1, 0, 0},
				"submitted":                 {1, 1, 1, 0, 1, 0},
				"missed":                    {0, 0, 0, 1, 0, 0},
				"mean_score":                {80, N, 40, N, 55, N},
				"weighted_score":            {80, N, 40, N, 55, N},
				"weight_submitted_fraction": {1, 1, 1, 0, N, N},
				"late_submissions":          {0, 1, 0, 0, 0, 0},
				"banked":                    {0, 0, 0, 0, 0, 0},
				"clicks_total":              {25, 3, 6, 0, N, N},
				"clicks_type_forumng":       {5, 0, 6, 0, N, N},
				"clicks_type_oucontent":     {14, 0, 0, 0, N, N},
				"clicks_type_resource":      {6, 3, 0, 0, N, N},
				"clicks_week_before_start":  {7, 0, 0, 0, N, N},
				"clicks_week_0":             {5, 0, 6, 0, N, N},
				"clicks_week_1":             {3, 3, 0, 0, N, N},
				"clicks_week_2":             {10, 0, 0, 0, N, N},
				"active_days":               {5, 1, 1, 0, N, N},
				"days_since_last_activity":  {0, 1, 12, N, N, N},
			},
			columns: []string{"date_registration", "num_of_prev_attempts", "studied_credits", "due_by_cutoff", "submitted", "missed",
				"mean_score", "weighted_score", "weight_submitted_fraction", "late_submissions", "banked",
				"clicks_total", "clicks_type_forumng", "clicks_type_oucontent", "clicks_type_quiz", "clicks_type_resource",
				"clicks_week_before_start", "clicks_week_0", "clicks_week_1", "clicks_week_2",
				"active_days", "days_since_last_activity",
				"gender", "region", "highest_education", "imd_band", "age_band", "disability", "code_module"},
			imd:    []string{"90-100%", "", "", "50-60%", "10-20", "0-10%"},
			region: []string{"East Anglian Region", "Scotland", "Wales", "", `South "East", Region`, "Scotland"},
			module: []string{"AAA", "AAA", "AAA", "AAA", "BBB", "BBB"},
			counts: map[string]int{"unregistered_by_cutoff": 0, "registered_after_cutoff": 1, "missing_imd_band": 2, "missing_region": 1,
				"missing_date_registration": 1, "no_click_rows": 2, "no_click_activity_by_cutoff": 1},
		},
		{
			// Day 45: AAA/4 (registered day 40) is in, with a banked #1 (day -1, 75).
			// AAA due by 45: #1 (w20), #3 (w0), #2 (day 30, w30). AAA/1 weighted (20*80+30*90)/50 = 86.
			keys:   []string{"AAA/2013J/1", "AAA/2013J/2", "AAA/2013J/4", "AAA/2013J/6", "BBB/2013J/1", "BBB/2013J/5"},
			labels: []uint8{0, 1, 0, 0, 0, 1},
			numeric: map[string][]float64{
				"date_registration":         {-30, N, 40, -15, -5, -20},
				"studied_credits":           {60, 120, 30, 60, 90, 60},
				"due_by_cutoff":             {3, 3, 3, 3, 1, 1},
				"submitted":                 {3, 2, 1, 0, 1, 1},
				"missed":                    {0, 1, 2, 3, 0, 0},
				"mean_score":                {230.0 / 3, 50, 75, N, 55, 65},
				"weighted_score":            {86, 50, 75, N, 55, 65},
				"weight_submitted_fraction": {1, 1, 0.4, 0, 1, 1},
				"late_submissions":          {1, 2, 0, 0, 0, 1},
				"banked":                    {0, 0, 1, 0, 0, 0},
				"clicks_total":              {34, 7, 9, 0, N, N},
				"clicks_type_forumng":       {12, 0, 0, 0, N, N},
				"clicks_type_resource":      {8, 3, 9, 0, N, N},
				"clicks_week_4":             {0, 0, 0, 0, N, N},
				"clicks_week_5":             {7, 0, 9, 0, N, N},
				"clicks_week_6":             {0, 0, 0, 0, N, N},
				"active_days":               {7, 2, 1, 0, N, N},
				"days_since_last_activity":  {10, 24, 4, N, N, N},
			},
			columns: []string{"date_registration", "num_of_prev_attempts", "studied_credits", "due_by_cutoff", "submitted", "missed",
				"mean_score", "weighted_score", "weight_submitted_fraction", "late_submissions", "banked",
				"clicks_total", "clicks_type_forumng", "clicks_type_oucontent", "clicks_type_quiz", "clicks_type_resource",
				"clicks_week_before_start", "clicks_week_0", "clicks_week_1", "clicks_week_2", "clicks_week_3", "clicks_week_4",
				"clicks_week_5", "clicks_week_6", "active_days", "days_since_last_activity",
				"gender", "region", "highest_education", "imd_band", "age_band", "disability", "code_module"},
			imd:    []string{"90-100%", "", "20-30%", "50-60%", "10-20", "0-10%"},
			region: []string{"East Anglian Region", "Scotland", "Ireland", "", `South "East", Region`, "Scotland"},
			module: []string{"AAA", "AAA", "AAA", "AAA", "BBB", "BBB"},
			counts: map[string]int{"unregistered_by_cutoff": 1, "registered_after_cutoff": 0, "no_click_activity_by_cutoff": 1},
		},
	}
	for i, w := range cases {
		f := frames[i]
		if f.Dataset != "tiny" {
			t.Errorf("cutoff %d: Dataset = %q", f.Cutoff, f.Dataset)
		}
		if !slices.Equal(f.Keys, w.keys) {
			t.Errorf("cutoff %d: keys = %v, want %v", f.Cutoff, f.Keys, w.keys)
			continue
		}
		if !slices.Equal(f.Labels, w.labels) {
			t.Errorf("cutoff %d: labels = %v, want %v", f.Cutoff, f.Labels, w.labels)
		}
		if got := f.ColumnNames(); !slices.Equal(got, w.columns) {
			t.Errorf("cutoff %d: columns = %v, want %v", f.Cutoff, got, w.columns)
		}
		for r, key := range f.Keys {
			parts := strings.Split(key, "/")
			if f.Courses[r] != parts[0] || f.Terms[r] != parts[1] || f.Students[r] != parts[2] {
				t.Errorf("cutoff %d row %d: course/term/student %q/%q/%q do not match key %q", f.Cutoff, r, f.Courses[r], f.Terms[r], f.Students[r], key)
			}
		}
		for name, values := range w.numeric {
			col, ok := f.NumericByName(name)
			if !ok {
				t.Errorf("cutoff %d: no column %s", f.Cutoff, name)
				continue
			}
			for r := range values {
				if !ouladSameFloat(col.Values[r], values[r], 1e-12) {
					t.Errorf("cutoff %d %s %s = %v, want %v", f.Cutoff, f.Keys[r], name, col.Values[r], values[r])
				}
			}
		}
		for name, values := range map[string][]string{"imd_band": w.imd, "region": w.region, "code_module": w.module} {
			col, _ := f.CategoricalByName(name)
			if col == nil || !slices.Equal(col.Values, values) {
				t.Errorf("cutoff %d: %s = %q, want %q", f.Cutoff, name, col, values)
			}
		}
		for rule, count := range w.counts {
			got, ok := ouladCleaning(f, rule, "")
			if !ok || got != count {
				t.Errorf("cutoff %d: rule %s count = %d (present %v), want %d", f.Cutoff, rule, got, ok, count)
			}
		}
		for _, file := range []string{OULADStudentRegistration, OULADStudentAssessment, OULADStudentVLE} {
			if got, ok := ouladCleaning(f, "unknown_student", file); !ok || got != 1 {
				t.Errorf("cutoff %d: unknown_student in %s = %d (present %v), want 1", f.Cutoff, file, got, ok)
			}
		}
		if len(f.Report.Notes) != 1 || !strings.HasPrefix(f.Report.Notes[0], "BBB/2013J: studentVle.csv has no click rows") {
			t.Errorf("cutoff %d: notes = %q, want one naming BBB/2013J", f.Cutoff, f.Report.Notes)
		}
	}
}

// TestLoadOULADFiles checks Report.Files against an independent SHA-256 of
// each fixture file and its data-row count (lines minus the header).
func TestLoadOULADFiles(t *testing.T) {
	frames, err := LoadOULAD(os.DirFS(ouladTinyDir), ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []string{OULADCourses, OULADStudentInfo, OULADStudentRegistration, OULADAssessments, OULADStudentAssessment, OULADVLE, OULADStudentVLE}
	for _, f := range frames {
		if len(f.Report.Files) != len(wantOrder) {
			t.Fatalf("cutoff %d: %d files, want %d", f.Cutoff, len(f.Report.Files), len(wantOrder))
		}
		for i, info := range f.Report.Files {
			if info.Path != wantOrder[i] {
				t.Errorf("file %d = %s, want %s", i, info.Path, wantOrder[i])
			}
			b, err := os.ReadFile(filepath.Join(ouladTinyDir, info.Path))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if info.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: sha256 %s, want %s", info.Path, info.SHA256, hex.EncodeToString(sum[:]))
			}
			if rows := strings.Count(string(b), "\n") - 1; info.Rows != rows {
				t.Errorf("%s: rows %d, want %d", info.Path, info.Rows, rows)
			}
		}
	}
}

// TestLoadOULADWithoutClicks: without opts.Clicks neither VLE file is read
// (they may be absent) and there are no click columns or click rules.
func TestLoadOULADWithoutClicks(t *testing.T) {
	fsys := ouladTinyFS(t)
	delete(fsys, OULADStudentVLE)
	delete(fsys, OULADVLE)
	opts := ouladTinyOptions()
	opts.Clicks = false
	frames, err := LoadOULAD(fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	if len(f.Report.Files) != 5 {
		t.Errorf("files = %d, want 5", len(f.Report.Files))
	}
	for _, name := range f.ColumnNames() {
		if strings.Contains(name, "click") || strings.Contains(name, "active") {
			t.Errorf("click column %s present without Clicks", name)
		}
	}
	if _, ok := ouladCleaning(f, "no_click_rows", ""); ok {
		t.Error("no_click_rows reported without Clicks")
	}
	if len(f.Report.Notes) != 0 {
		t.Errorf("notes without Clicks: %q", f.Report.Notes)
	}
	col, _ := f.NumericByName("missed")
	if col == nil || !slices.Equal(col.Values, []float64{0, 1, 2, 0, 0}) {
		t.Errorf("missed at day 28 = %v, want [0 1 2 0 0] (same as with clicks)", col)
	}
}

// TestLoadOULADPresentationFilter loads only AAA/2013J: BBB rows are counted
// as filtered out and BBB's activity type (quiz) is not a column.
func TestLoadOULADPresentationFilter(t *testing.T) {
	opts := ouladTinyOptions()
	opts.Presentations = []string{"AAA/2013J"}
	frames, err := LoadOULAD(os.DirFS(ouladTinyDir), opts)
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	if want := []string{"AAA/2013J/1", "AAA/2013J/2", "AAA/2013J/6"}; !slices.Equal(f.Keys, want) {
		t.Errorf("keys = %v, want %v", f.Keys, want)
	}
	if n, _ := ouladCleaning(f, "presentation_filter", ""); n != 2 {
		t.Errorf("presentation_filter = %d, want 2", n)
	}
	if _, ok := f.NumericByName("clicks_type_quiz"); ok {
		t.Error("clicks_type_quiz present although only BBB has quiz sites")
	}
	if len(f.Report.Notes) != 0 {
		t.Errorf("notes = %q, want none (AAA/2013J has clicks)", f.Report.Notes)
	}
	// BBB rows of child tables are skipped silently, not counted unknown.
	if n, _ := ouladCleaning(f, "unknown_student", OULADStudentAssessment); n != 1 {
		t.Errorf("unknown_student in studentAssessment = %d, want 1 (student 77 only)", n)
	}
}

// TestLoadOULADNegativeCutoff: a cutoff before day 0 has no week columns,
// only the before-start bucket, and nothing is due.
func TestLoadOULADNegativeCutoff(t *testing.T) {
	opts := ouladTinyOptions()
	opts.Cutoffs = []int{-1}
	frames, err := LoadOULAD(os.DirFS(ouladTinyDir), opts)
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	for _, name := range f.ColumnNames() {
		if strings.HasPrefix(name, "clicks_week_") && name != "clicks_week_before_start" {
			t.Errorf("week column %s at cutoff -1", name)
		}
	}
	// AAA/1: 7 clicks on day -3 -> since = -1 - (-3) = 2; AAA/4 registers day 40: excluded.
	total, _ := f.NumericByName("clicks_total")
	since, _ := f.NumericByName("days_since_last_activity")
	banked, _ := f.NumericByName("banked")
	if f.Keys[0] != "AAA/2013J/1" || total.Values[0] != 7 || since.Values[0] != 2 {
		t.Errorf("AAA/1 at -1: key %s total %v since %v, want 7 and 2", f.Keys[0], total.Values[0], since.Values[0])
	}
	if slices.Contains(f.Keys, "AAA/2013J/4") || slices.Max(banked.Values) != 0 {
		t.Errorf("AAA/4 (registered day 40) must be excluded at day -1: keys %v", f.Keys)
	}
}

// TestLoadOULADDuplicateSubmission: a repeated (student, assessment) row
// is ignored after the first in file order and counted.
func TestLoadOULADDuplicateSubmission(t *testing.T) {
	fsys := ouladTinyFS(t)
	fsys[OULADStudentAssessment].Data = append(fsys[OULADStudentAssessment].Data, []byte("\"1\",\"1\",\"9\",\"0\",\"10\"\r\n")...)
	frames, err := LoadOULAD(fsys, ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := frames[1] // day 14
	if n, _ := ouladCleaning(f, "duplicate_submission", ""); n != 1 {
		t.Errorf("duplicate_submission = %d, want 1", n)
	}
	mean, _ := f.NumericByName("mean_score")
	if mean.Values[0] != 80 {
		t.Errorf("AAA/1 mean_score = %v, want 80 (the duplicate's 10 ignored)", mean.Values[0])
	}
}

// TestLoadOULADClicksOutsideDenseWindow: clicks long before the start
// (day -100) and late in a long cutoff (day 600) are kept exactly, like
// days inside the usual window. AAA/2 has no registration date, so it is the
// only row at day -80 (everyone else registered later).
func TestLoadOULADClicksOutsideDenseWindow(t *testing.T) {
	fsys := ouladTinyFS(t)
	fsys[OULADStudentVLE].Data = append(fsys[OULADStudentVLE].Data,
		"\"AAA\",\"2013J\",\"2\",\"100\",\"-100\",\"2\"\r\n\"AAA\",\"2013J\",\"2\",\"102\",\"600\",\"5\"\r\n\"AAA\",\"2013J\",\"2\",\"102\",\"701\",\"50\"\r\n"...)
	opts := ouladTinyOptions()
	opts.Cutoffs = []int{-80, 700}
	frames, err := LoadOULAD(fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		frame                                     *Frame
		row                                       int
		total, before, week85, active, since, res float64
	}{
		// Day -80: only the day -100 row (2 resource clicks); since = -80 - (-100).
		{frames[0], 0, 2, 2, math.NaN(), 1, 20, 2},
		// Day 700: days -100 (2), 13 (3), 21 (4), 600 (5); day 701 is after the cutoff.
		{frames[1], 1, 14, 2, 5, 4, 100, 5},
	}
	for _, tc := range cases {
		f := tc.frame
		if f.Keys[tc.row] != "AAA/2013J/2" {
			t.Fatalf("cutoff %d row %d = %s, want AAA/2013J/2 (keys %v)", f.Cutoff, tc.row, f.Keys[tc.row], f.Keys)
		}
		get := func(name string) float64 {
			col, ok := f.NumericByName(name)
			if !ok {
				return math.NaN()
			}
			return col.Values[tc.row]
		}
		got := []float64{get("clicks_total"), get("clicks_week_before_start"), get("clicks_week_85"), get("active_days"), get("days_since_last_activity"), get("clicks_type_resource")}
		want := []float64{tc.total, tc.before, tc.week85, tc.active, tc.since, tc.res}
		for i := range got {
			if !ouladSameFloat(got[i], want[i], 0) {
				t.Errorf("cutoff %d: total/before/week85/active/since/resource = %v, want %v", f.Cutoff, got, want)
				break
			}
		}
	}
	if f := frames[1]; len(f.Numeric) != 11+1+4+1+101+2 {
		t.Errorf("cutoff 700: %d numeric columns, want 120 (11 + total + 4 types + before + 101 weeks + 2)", len(f.Numeric))
	}
}

// TestLoadOULADClickFastPathAgrees: the same click rows with the columns in
// another order (which disables the fast line parser) and with bare fields
// give identical frames.
func TestLoadOULADClickFastPathAgrees(t *testing.T) {
	base, err := LoadOULAD(os.DirFS(ouladTinyDir), ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	fsys := ouladTinyFS(t)
	tables := ouladReadTables(t, fsys, []string{OULADStudentVLE})
	var b strings.Builder
	for i, r := range tables[OULADStudentVLE] {
		// sum_click first, the rest in published order; bare fields.
		b.WriteString(r[5] + "," + strings.Join(r[:5], ","))
		if i%2 == 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteString("\n")
		}
	}
	fsys[OULADStudentVLE] = &fstest.MapFile{Data: []byte(b.String())}
	got, err := LoadOULAD(fsys, ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range base {
		if d := ouladFrameDiff(base[i], got[i]); d != "" {
			t.Errorf("cutoff %d: %s", base[i].Cutoff, d)
		}
	}
}
