package synth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// wantHeaders are the header lines of the published OULAD files (copied from
// /work/shared/data/oulad, which TestOULADHeadersMatchRealFiles re-checks
// when present).
var wantHeaders = map[string]string{
	FileCourses:             `"code_module","code_presentation","module_presentation_length"`,
	FileAssessments:         `"code_module","code_presentation","id_assessment","assessment_type","date","weight"`,
	FileVLE:                 `"id_site","code_module","code_presentation","activity_type","week_from","week_to"`,
	FileStudentInfo:         `"code_module","code_presentation","id_student","gender","region","highest_education","imd_band","age_band","num_of_prev_attempts","studied_credits","disability","final_result"`,
	FileStudentRegistration: `"code_module","code_presentation","id_student","date_registration","date_unregistration"`,
	FileStudentAssessment:   `"id_assessment","id_student","date_submitted","is_banked","score"`,
	FileStudentVLE:          `"code_module","code_presentation","id_student","id_site","date","sum_click"`,
}

func readAll(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range OULADFileNames() {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		out[name] = b
	}
	return out
}

func TestOULADDeterministic(t *testing.T) {
	cfg := OULADConfig{Students: 700, Seed: 7}
	gen := func(procs int) map[string][]byte {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		fsys, _, err := OULADFS(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return readAll(t, fsys)
	}
	// One worker and four workers (the generator uses min(GOMAXPROCS, 4))
	// must give the same bytes.
	a, b := gen(1), gen(4)
	for _, name := range OULADFileNames() {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between GOMAXPROCS 1 and 4", name)
		}
	}
	fsys, _, err := OULADFS(OULADConfig{Students: 700, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	c := readAll(t, fsys)
	for _, name := range []string{FileVLE, FileStudentInfo, FileStudentRegistration, FileStudentAssessment, FileStudentVLE} {
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s identical for seeds 7 and 8", name)
		}
	}
}

func TestWriteOULADMatchesFS(t *testing.T) {
	cfg := OULADConfig{Students: 400, Seed: 3}
	dir := filepath.Join(t.TempDir(), "nested", "out") // created by WriteOULAD
	sumDir, err := WriteOULAD(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fsys, sumFS, err := OULADFS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := readAll(t, fsys)
	for _, name := range OULADFileNames() {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want[name]) {
			t.Errorf("%s: WriteOULAD and OULADFS differ", name)
		}
		lines := bytes.Count(got, []byte("\r\n")) - 1
		if sumDir.Rows[name] != lines {
			t.Errorf("Summary.Rows[%s] = %d, file has %d data lines", name, sumDir.Rows[name], lines)
		}
	}
	if sumDir.Students != 400 || sumFS.Students != 400 {
		t.Errorf("Summary.Students = %d / %d, want 400", sumDir.Students, sumFS.Students)
	}
	if !slices.Equal(sumDir.Presentations, sumFS.Presentations) || len(sumDir.Presentations) != 22 {
		t.Errorf("Presentations = %v, want the same 22 from both", sumDir.Presentations)
	}
	if sumDir.Presentations[0] != "AAA/2013J" || sumDir.Presentations[21] != "GGG/2014J" {
		t.Errorf("Presentations not sorted as studentInfo.csv: first %q last %q", sumDir.Presentations[0], sumDir.Presentations[21])
	}
}

func TestOULADFormat(t *testing.T) {
	d := demoData()
	if d.err != nil {
		t.Fatal(d.err)
	}
	for _, name := range OULADFileNames() {
		b, err := fs.ReadFile(d.fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := bytes.Cut(b, []byte("\r\n"))
		if string(header) != wantHeaders[name] {
			t.Errorf("%s header = %s, want %s", name, header, wantHeaders[name])
		}
		// The copy of the real data marks missing values with "" only.
		if bytes.Contains(b, []byte(`"?"`)) {
			t.Errorf("%s contains \"?\"; the real files write missing values as \"\"", name)
		}
	}
	// Quoting, CRLF and field counts of every line of every file (the parse
	// uses the strict scanner).
	demoParsed(t)
	// Missing values where the real files have them, at about their rates.
	info, _ := fs.ReadFile(d.fsys, FileStudentInfo)
	missingImd := strings.Count(string(info), `","","`) // imd_band is the only field that may be empty
	if rate := float64(missingImd) / float64(d.sum.Students); rate < 0.015 || rate > 0.06 {
		// real: 1,111 / 32,593 = 3.4%; binomial sd at n=4000 is 0.3 points
		t.Errorf("missing imd_band rate %.4f, want about 0.034", rate)
	}
	if !bytes.Contains(info, []byte(`"10-20"`)) {
		t.Errorf(`imd band "10-20" (no percent sign, as in the real file) missing`)
	}
	sa, _ := fs.ReadFile(d.fsys, FileStudentAssessment)
	if !bytes.Contains(sa, []byte("\",\"\"\r\n")) {
		t.Errorf("no missing score in studentAssessment (real: 173 of 173,912 rows)")
	}
	as, _ := fs.ReadFile(d.fsys, FileAssessments)
	if !bytes.Contains(as, []byte(`"Exam","","100"`)) {
		t.Errorf("no exam with an empty date in assessments")
	}
}

func TestOULADHeadersMatchRealFiles(t *testing.T) {
	dir := realOULADDir()
	if dir == "" {
		t.Skip("real OULAD files not found (set EVALRUN_OULAD_DIR)")
	}
	for _, name := range OULADFileNames() {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := wantHeaders[name] + "\r\n"; line != want {
			t.Errorf("real %s header = %q, generator writes %q", name, line, want)
		}
	}
}

func TestOULADReferentialIntegrity(t *testing.T) {
	// parseOULAD fails the test on any unknown presentation, site,
	// assessment or registration, duplicate row or out-of-range day.
	p := demoParsed(t)
	if len(p.students) != DefaultStudents {
		t.Fatalf("%d registrations, want %d", len(p.students), DefaultStudents)
	}
	for k, s := range p.students {
		for _, sb := range s.subs {
			if sb.banked {
				continue
			}
			if s.result == "Withdrawn" && s.unregDate != "" && sb.date >= atoiT(t, s.unregDate) {
				t.Errorf("%v: submission on day %d, unregistered on day %s", k, sb.date, s.unregDate)
			}
			if s.regDate != "" && sb.date < atoiT(t, s.regDate) {
				t.Errorf("%v: submission on day %d before registration on day %s", k, sb.date, s.regDate)
			}
		}
	}
}

func TestOULADRowScaling(t *testing.T) {
	// Real: 10,655,280 clickstream rows and 173,912 assessment rows for
	// 32,593 registrations, i.e. 326.9 and 5.34 per registration. The
	// tolerance covers the sampling spread at these sizes (per-student row
	// counts have sd ~300, so the mean's sd at n=1500 is ~8).
	d := demoData()
	if d.err != nil {
		t.Fatal(d.err)
	}
	_, sumSmall, err := OULADFS(OULADConfig{Students: 1500, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range []Summary{d.sum, sumSmall} {
		n := float64(sum.Students)
		if got := float64(sum.Rows[FileStudentVLE]) / n; math.Abs(got-326.9) > 30 {
			t.Errorf("n=%d: %.1f studentVle rows per registration, want 326.9 +- 30", sum.Students, got)
		}
		if got := float64(sum.Rows[FileStudentAssessment]) / n; math.Abs(got-5.34) > 0.8 {
			t.Errorf("n=%d: %.2f studentAssessment rows per registration, want 5.34 +- 0.8", sum.Students, got)
		}
		if sum.Rows[FileStudentInfo] != sum.Students || sum.Rows[FileStudentRegistration] != sum.Students {
			t.Errorf("n=%d: studentInfo %d rows, studentRegistration %d", sum.Students, sum.Rows[FileStudentInfo], sum.Rows[FileStudentRegistration])
		}
		if sum.Rows[FileCourses] != 22 {
			t.Errorf("courses has %d rows, want 22", sum.Rows[FileCourses])
		}
		// Real: 206 assessments and 6,364 sites; ours follow module templates
		// and jitter site counts by +-5%.
		if a := sum.Rows[FileAssessments]; a < 190 || a > 220 {
			t.Errorf("%d assessments, want 190..220", a)
		}
		if v := sum.Rows[FileVLE]; math.Abs(float64(v)-6364) > 0.05*6364 {
			t.Errorf("%d VLE sites, want 6364 +- 5%%", v)
		}
	}
}

func TestOULADSmallSizes(t *testing.T) {
	for _, n := range []int{1, 5, 23} {
		fsys, sum, err := OULADFS(OULADConfig{Students: n, Seed: 11})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		p := parseOULAD(t, fsys)
		if len(p.students) != n || sum.Students != n || len(sum.Presentations) != 22 {
			t.Errorf("n=%d: %d registrations, Summary %d students, %d presentations", n, len(p.students), sum.Students, len(sum.Presentations))
		}
	}
	// demoData is generated with Students 0.
	if d := demoData(); d.err != nil || d.sum.Students != DefaultStudents || d.sum.Rows[FileStudentInfo] != DefaultStudents {
		t.Errorf("Students 0: got %d students (%d rows), err %v; want %d", d.sum.Students, d.sum.Rows[FileStudentInfo], d.err, DefaultStudents)
	}
}

func TestOULADConfigErrors(t *testing.T) {
	for _, n := range []int{-1, MaxStudents + 1} {
		if _, _, err := OULADFS(OULADConfig{Students: n}); err == nil {
			t.Errorf("OULADFS(Students %d): no error", n)
		}
		if _, err := WriteOULAD(t.TempDir(), OULADConfig{Students: n}); err == nil {
			t.Errorf("WriteOULAD(Students %d): no error", n)
		}
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteOULAD(file, OULADConfig{Students: 3}); err == nil {
		t.Errorf("WriteOULAD into a regular file: no error")
	}
}

func TestOULADFSIsValidFS(t *testing.T) {
	fsys, _, err := OULADFS(OULADConfig{Students: 60, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, OULADFileNames()...); err != nil {
		t.Fatal(err)
	}
}

func TestOULADUnregistration(t *testing.T) {
	p := demoParsed(t)
	var withdrawn, dated, before28 int
	for k, s := range p.students {
		if s.unregDate != "" && s.result != "Withdrawn" {
			t.Errorf("%v: unregistration date %s with final_result %s", k, s.unregDate, s.result)
		}
		if s.result != "Withdrawn" {
			continue
		}
		withdrawn++
		if s.unregDate == "" {
			continue
		}
		dated++
		u := atoiT(t, s.unregDate)
		if s.regDate != "" && u <= atoiT(t, s.regDate) {
			t.Errorf("%v: unregistered on day %d, registered on day %s", k, u, s.regDate)
		}
		if u < 28 {
			before28++
		}
	}
	// Real: 10,063 of 10,156 Withdrawn have a date; 50% of dates are before
	// day 28. Tolerances are several binomial sd at ~1,250 withdrawals.
	if share := float64(dated) / float64(withdrawn); share < 0.97 {
		t.Errorf("%.3f of Withdrawn have an unregistration date, want >= 0.97", share)
	}
	if share := float64(before28) / float64(dated); share < 0.35 || share > 0.65 {
		t.Errorf("%.3f of unregistration dates before day 28, want 0.35..0.65 (real 0.50)", share)
	}
}

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		return 0, errors.New("disk full")
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestGenerateWriteErrorStops(t *testing.T) {
	// A write failure in the middle of the clickstream must surface as an
	// error (and not hang the worker pipeline).
	var failedIn string
	_, err := generate(OULADConfig{Students: 3000, Seed: 1}, func(name string, fill func(io.Writer) error) error {
		w := io.Writer(io.Discard)
		if name == FileStudentVLE {
			w = &failingWriter{limit: 1 << 20}
		}
		if err := fill(w); err != nil {
			failedIn = name
			return err
		}
		return nil
	})
	if err == nil || failedIn != FileStudentVLE || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v in %q, want the studentVle write error", err, failedIn)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, FileStudentVLE), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteOULAD(dir, OULADConfig{Students: 10}); err == nil {
		t.Errorf("WriteOULAD with a directory in place of %s: no error", FileStudentVLE)
	}
}
