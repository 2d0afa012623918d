package datasets

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadOULADErrors edits the tiny fixture into each bad input and checks
// the exact error text (file, line and field named).
func TestLoadOULADErrors(t *testing.T) {
	replace := func(file, old, new string) func(fstest.MapFS) {
		return func(fsys fstest.MapFS) {
			s := string(fsys[file].Data)
			if !strings.Contains(s, old) {
				panic("fixture lacks " + old)
			}
			fsys[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	appendRow := func(file, row string) func(fstest.MapFS) {
		return func(fsys fstest.MapFS) {
			fsys[file] = &fstest.MapFile{Data: append(append([]byte(nil), fsys[file].Data...), row...)}
		}
	}
	cases := []struct {
		name string
		edit func(fstest.MapFS)
		opts func(*OULADOptions)
		want string
	}{
		{"missing file", func(fsys fstest.MapFS) { delete(fsys, OULADStudentAssessment) }, nil,
			"oulad: open studentAssessment.csv: file does not exist"},
		{"missing click file", func(fsys fstest.MapFS) { delete(fsys, OULADStudentVLE) }, nil,
			"oulad: open studentVle.csv: file does not exist"},
		{"missing header column", replace(OULADStudentAssessment, `"score"`, `"scores"`), nil,
			`oulad: studentAssessment.csv:1: missing header column "score"`},
		{"missing header column in studentInfo", replace(OULADStudentInfo, `,"final_result"`, ``), nil,
			`oulad: studentInfo.csv:1: missing header column "final_result"`},
		{"bad score", replace(OULADStudentAssessment, `"29","0","90"`, `"29","0","abc"`), nil,
			`oulad: studentAssessment.csv:4: field "score": invalid number "abc"`},
		{"bad click date", replace(OULADStudentVLE, `"102","0","4"`, `"102","zero","4"`), nil,
			`oulad: studentVle.csv:4: field "date": invalid integer "zero"`},
		{"negative clicks", replace(OULADStudentVLE, `"102","0","4"`, `"102","0","-4"`), nil,
			`oulad: studentVle.csv:4: field "sum_click": invalid non-negative integer "-4"`},
		{"bad credits", replace(OULADStudentInfo, `"1","120"`, `"1","12O"`), nil,
			`oulad: studentInfo.csv:3: field "studied_credits": invalid number "12O"`},
		{"bad registration date", replace(OULADStudentRegistration, `"4","40"`, `"4","40.5"`), nil,
			`oulad: studentRegistration.csv:5: field "date_registration": invalid integer "40.5"`},
		{"bad student id", replace(OULADStudentRegistration, `"4","40"`, `"x4","40"`), nil,
			`oulad: studentRegistration.csv:5: field "id_student": invalid integer "x4"`},
		{"bad assessment weight", replace(OULADAssessments, `"TMA","10","20"`, `"TMA","10","twenty"`), nil,
			`oulad: assessments.csv:2: field "weight": invalid number "twenty"`},
		{"bad is_banked", replace(OULADStudentAssessment, `"8","0","80"`, `"8","2","80"`), nil,
			`oulad: studentAssessment.csv:2: field "is_banked": want 0 or 1, got "2"`},
		{"presentation not in courses", appendRow(OULADStudentInfo, "\"CCC\",\"2014J\",\"7\",\"M\",\"Wales\",\"HE Qualification\",\"?\",\"0-35\",\"0\",\"60\",\"N\",\"Pass\"\r\n"), nil,
			`oulad: studentInfo.csv:9: presentation "CCC/2014J" not in courses.csv`},
		{"assessment presentation not in courses", appendRow(OULADAssessments, "\"CCC\",\"2014J\",\"70\",\"TMA\",\"5\",\"10\"\r\n"), nil,
			`oulad: assessments.csv:8: presentation "CCC/2014J" not in courses.csv`},
		{"duplicate student", appendRow(OULADStudentInfo, "\"AAA\",\"2013J\",\"1\",\"M\",\"Wales\",\"HE Qualification\",\"?\",\"0-35\",\"0\",\"60\",\"N\",\"Pass\"\r\n"), nil,
			`oulad: studentInfo.csv:9: student 1 listed twice for presentation AAA/2013J`},
		{"wrong field count", replace(OULADStudentInfo, `"Scotland","A Level or Equivalent"`, `"Scotland"`), nil,
			`oulad: studentInfo.csv:3: 11 fields, header has 12`},
		{"negative course length", replace(OULADCourses, `"AAA","2013J","100"`, `"AAA","2013J","-100"`), nil,
			`oulad: courses.csv:2: field "module_presentation_length": want a positive number of days (1 to 3650), got "-100"`},
		{"zero course length", replace(OULADCourses, `"AAA","2013J","100"`, `"AAA","2013J","0"`), nil,
			`oulad: courses.csv:2: field "module_presentation_length": want a positive number of days (1 to 3650), got "0"`},
		{"unterminated quote", replace(OULADCourses, `"AAA","2013J","100"`, `"AAA","2013J","100`), nil,
			`oulad: courses.csv:2: unterminated quoted field`},
		{"text after closing quote", replace(OULADCourses, `"AAA","2013J","100"`, `"AAA","2013J"x,"100"`), nil,
			`oulad: courses.csv:2: extraneous character after closing quote`},
		{"empty file", func(fsys fstest.MapFS) { fsys[OULADCourses] = &fstest.MapFile{} }, nil,
			`oulad: courses.csv: empty file, no header line`},
		{"no cutoffs", nil, func(o *OULADOptions) { o.Cutoffs = nil }, `oulad: no cutoff days given`},
		{"cutoff out of range", nil, func(o *OULADOptions) { o.Cutoffs = []int{28, 4000} }, `oulad: cutoff day 4000 outside [-3650, 3650]`},
		{"no positive", nil, func(o *OULADOptions) { o.Positive = nil }, `oulad: no positive final_result values given`},
		{"unknown positive", nil, func(o *OULADOptions) { o.Positive = []string{"Failed"} },
			`oulad: positive value "Failed" matches no final_result in studentInfo.csv (values: Distinction, Fail, Pass, Withdrawn)`},
		{"malformed filter", nil, func(o *OULADOptions) { o.Presentations = []string{"AAA2013J"} },
			`oulad: presentation filter "AAA2013J": want module/presentation, e.g. "AAA/2013J"`},
		{"filter without students", nil, func(o *OULADOptions) { o.Presentations = []string{"AAA/2013J", "CCC/2014J"} },
			`oulad: presentation filter: CCC/2014J not found in studentInfo.csv`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := ouladTinyFS(t)
			if tc.edit != nil {
				tc.edit(fsys)
			}
			opts := ouladTinyOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			frames, err := LoadOULAD(fsys, opts)
			if err == nil {
				t.Fatalf("no error, got %d frames", len(frames))
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err.Error(), tc.want)
			}
		})
	}
}

// TestLoadOULADMissingValues: "?" and empty fields are missing values,
// counted per frame; they never become 0.
func TestLoadOULADMissingValues(t *testing.T) {
	fsys := ouladTinyFS(t)
	s := string(fsys[OULADStudentInfo].Data)
	s = strings.Replace(s, `"F","Scotland","No Formal quals","0-10%"`, `"F","?","No Formal quals","0-10%"`, 1)
	fsys[OULADStudentInfo] = &fstest.MapFile{Data: []byte(s)}
	r := string(fsys[OULADStudentRegistration].Data)
	r = strings.Replace(r, `"AAA","2013J","1","-30"`, `"AAA","2013J","1","?"`, 1)
	fsys[OULADStudentRegistration] = &fstest.MapFile{Data: []byte(r)}
	frames, err := LoadOULAD(fsys, ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := frames[1] // day 14: AAA/1, 2, 3, 6, BBB/1, 5
	checks := map[string]int{"missing_region": 2, "missing_imd_band": 2, "missing_date_registration": 2, "missing_score": 1}
	for rule, want := range checks {
		if got, _ := ouladCleaning(f, rule, ""); got != want {
			t.Errorf("%s = %d, want %d", rule, got, want)
		}
	}
	region, _ := f.CategoricalByName("region")
	if region.Values[5] != "" {
		t.Errorf("BBB/5 region = %q, want missing", region.Values[5])
	}
	reg, _ := f.NumericByName("date_registration")
	if reg.Values[0] == reg.Values[0] { // not NaN
		t.Errorf("AAA/1 date_registration = %v, want NaN", reg.Values[0])
	}
	// The "?" score of AAA/2's submission counts as submitted, not as a score.
	sub, _ := f.NumericByName("submitted")
	mean, _ := f.NumericByName("mean_score")
	if sub.Values[1] != 1 || mean.Values[1] == mean.Values[1] {
		t.Errorf("AAA/2 submitted %v mean %v, want 1 and NaN", sub.Values[1], mean.Values[1])
	}
}

// TestLoadOULADNoRegistrationRow: a student without a studentRegistration
// row keeps date_registration NaN and is counted.
func TestLoadOULADNoRegistrationRow(t *testing.T) {
	fsys := ouladTinyFS(t)
	s := string(fsys[OULADStudentRegistration].Data)
	s = strings.Replace(s, "\"BBB\",\"2013J\",\"5\",\"-20\",\"\"\r\n", "", 1)
	fsys[OULADStudentRegistration] = &fstest.MapFile{Data: []byte(s)}
	frames, err := LoadOULAD(fsys, ouladTinyOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	if n, _ := ouladCleaning(f, "no_registration_row", ""); n != 1 {
		t.Errorf("no_registration_row = %d, want 1", n)
	}
	if n, _ := ouladCleaning(f, "missing_date_registration", ""); n != 2 {
		t.Errorf("missing_date_registration = %d, want 2 (AAA/2 empty, BBB/5 no row)", n)
	}
}
