package datasets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/evalrun/evalrun/synth"
)

// ouladTables holds parsed CSV tables (header first) keyed by file name.
type ouladTables map[string][][]string

func ouladReadTables(t testing.TB, fsys fs.FS, names []string) ouladTables {
	t.Helper()
	tables := ouladTables{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.ReuseRecord = false
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tables[name] = recs
	}
	return tables
}

// ouladWriteTables writes tables in the published OULAD style: every field
// double-quoted, CRLF line ends.
func ouladWriteTables(tables ouladTables) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, recs := range tables {
		var buf bytes.Buffer
		for _, rec := range recs {
			for i, f := range rec {
				if i > 0 {
					buf.WriteByte(',')
				}
				buf.WriteByte('"')
				buf.WriteString(strings.ReplaceAll(f, `"`, `""`))
				buf.WriteByte('"')
			}
			buf.WriteString("\r\n")
		}
		fsys[name] = &fstest.MapFile{Data: buf.Bytes()}
	}
	return fsys
}

// ouladPerturbAfter returns a copy of tables in which every row dated after
// day c is changed and new rows dated after c are added:
//   - studentVle: date > c rows get sum_click*3+1 and date+1; each is
//     duplicated with sum_click 5 and date+2;
//   - studentAssessment: date_submitted > c rows get date+7, a different
//     score (100-score, or "?" for every third row), is_banked flipped; each is
//     duplicated with score 1 appended at the end;
//   - studentRegistration: date_unregistration > c becomes +5 or empty
//     (alternately), date_registration > c becomes +3;
//   - assessments: date > c becomes +2 (weights are schedule, unchanged).
//
// It returns the number of rows changed per table, so the test can check
// that the perturbation is not empty.
func ouladPerturbAfter(t testing.TB, tables ouladTables, c int) (ouladTables, map[string]int) {
	t.Helper()
	out := ouladTables{}
	changed := map[string]int{}
	col := func(name, column string) int {
		i := slices.Index(tables[name][0], column)
		if i < 0 {
			t.Fatalf("%s: no column %s", name, column)
		}
		return i
	}
	after := func(v string) (int, bool) {
		d, err := strconv.Atoi(v)
		return d, err == nil && d > c
	}
	// Shallow copies: a row is cloned (by edit) only when it changes.
	for name, recs := range tables {
		out[name] = slices.Clone(recs)
	}
	edit := func(recs [][]string, i int) []string {
		recs[i] = slices.Clone(recs[i])
		return recs[i]
	}
	if recs, ok := out[OULADStudentVLE]; ok {
		date, clicks := col(OULADStudentVLE, "date"), col(OULADStudentVLE, "sum_click")
		n := len(recs)
		for i := 1; i < n; i++ {
			if d, ok := after(recs[i][date]); ok {
				r := edit(recs, i)
				k, _ := strconv.Atoi(r[clicks])
				extra := slices.Clone(r)
				r[date], r[clicks] = strconv.Itoa(d+1), strconv.Itoa(3*k+1)
				extra[date], extra[clicks] = strconv.Itoa(d+2), "5"
				recs = append(recs, extra)
				changed[OULADStudentVLE]++
			}
		}
		out[OULADStudentVLE] = recs
	}
	{
		name := OULADStudentAssessment
		recs := out[name]
		date, score, banked := col(name, "date_submitted"), col(name, "score"), col(name, "is_banked")
		n := len(recs)
		for i := 1; i < n; i++ {
			if d, ok := after(recs[i][date]); ok {
				r := edit(recs, i)
				extra := slices.Clone(r)
				r[date] = strconv.Itoa(d + 7)
				if s, err := strconv.ParseFloat(r[score], 64); err == nil && i%3 != 1 {
					r[score] = strconv.FormatFloat(100-s, 'f', -1, 64)
				} else {
					r[score] = "?"
				}
				if r[banked] == "1" {
					r[banked] = "0"
				} else {
					r[banked] = "1"
				}
				extra[date], extra[score] = strconv.Itoa(d+1), "1"
				recs = append(recs, extra)
				changed[name]++
			}
		}
		out[name] = recs
	}
	{
		name := OULADStudentRegistration
		reg, unreg := col(name, "date_registration"), col(name, "date_unregistration")
		recs := out[name]
		for i := 1; i < len(recs); i++ {
			r := recs[i]
			if _, ok := after(r[unreg]); ok {
				r = edit(recs, i)
			} else if _, ok := after(r[reg]); ok {
				r = edit(recs, i)
			}
			if d, ok := after(r[unreg]); ok {
				if i%2 == 1 {
					r[unreg] = strconv.Itoa(d + 5)
				} else {
					r[unreg] = ""
				}
				changed[name]++
			}
			if d, ok := after(r[reg]); ok {
				r[reg] = strconv.Itoa(d + 3)
				changed[name]++
			}
		}
	}
	{
		name := OULADAssessments
		date := col(name, "date")
		recs := out[name]
		for i := 1; i < len(recs); i++ {
			if d, ok := after(recs[i][date]); ok {
				r := edit(recs, i)
				r[date] = strconv.Itoa(d + 2)
				changed[name]++
			}
		}
	}
	return out, changed
}

// ouladFrameDiff describes the first difference in rows, labels, features
// and per-frame counts between two frames, or returns "".
func ouladFrameDiff(a, b *Frame) string {
	if !slices.Equal(a.Keys, b.Keys) {
		return fmt.Sprintf("keys differ: %d vs %d rows", len(a.Keys), len(b.Keys))
	}
	if !slices.Equal(a.Students, b.Students) || !slices.Equal(a.Terms, b.Terms) || !slices.Equal(a.Courses, b.Courses) {
		return "students, terms or courses differ"
	}
	if !slices.Equal(a.Labels, b.Labels) {
		return "labels differ"
	}
	if !slices.Equal(a.ColumnNames(), b.ColumnNames()) {
		return fmt.Sprintf("columns differ: %v vs %v", a.ColumnNames(), b.ColumnNames())
	}
	for i, ca := range a.Numeric {
		cb := b.Numeric[i]
		for r := range ca.Values {
			x, y := ca.Values[r], cb.Values[r]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				return fmt.Sprintf("%s of %s: %v vs %v", ca.Name, a.Keys[r], x, y)
			}
		}
	}
	for i, ca := range a.Categorical {
		if !slices.Equal(ca.Values, b.Categorical[i].Values) {
			return fmt.Sprintf("categorical %s differs", ca.Name)
		}
	}
	for _, rule := range []string{"unregistered_by_cutoff", "registered_after_cutoff", "no_click_rows", "no_click_activity_by_cutoff",
		"missing_imd_band", "missing_date_registration"} {
		x, _ := ouladCleaning(a, rule, "")
		y, _ := ouladCleaning(b, rule, "")
		if x != y {
			return fmt.Sprintf("rule %s: %d vs %d", rule, x, y)
		}
	}
	return ""
}

var ouladAllFiles = []string{OULADCourses, OULADStudentInfo, OULADStudentRegistration, OULADAssessments, OULADStudentAssessment, OULADVLE, OULADStudentVLE}

// ouladCheckNoLeakage perturbs everything dated after each cutoff, reloads
// with the same options and requires that cutoff's frame to be identical.
// To show the perturbation reaches features at all, the frame of the
// largest cutoff must change when the data after the smallest one do.
func ouladCheckNoLeakage(t *testing.T, fsys fs.FS, opts OULADOptions) {
	tables := ouladReadTables(t, fsys, ouladAllFiles)
	base, err := LoadOULAD(fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range opts.Cutoffs {
		perturbed, changed := ouladPerturbAfter(t, tables, c)
		total := 0
		for _, name := range []string{OULADStudentVLE, OULADStudentAssessment, OULADStudentRegistration} {
			total += changed[name]
			if changed[name] == 0 && c == slices.Min(opts.Cutoffs) {
				t.Fatalf("cutoff %d: perturbation changed no row of %s", c, name)
			}
		}
		if total == 0 {
			t.Fatalf("cutoff %d: perturbation changed no row", c)
		}
		got, err := LoadOULAD(ouladWriteTables(perturbed), opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := ouladFrameDiff(base[i], got[i]); diff != "" {
			t.Errorf("cutoff %d: changing rows dated after day %d changed the frame: %s", c, c, diff)
		}
		if c == slices.Min(opts.Cutoffs) {
			last := slices.Index(opts.Cutoffs, slices.Max(opts.Cutoffs))
			if ouladFrameDiff(base[last], got[last]) == "" {
				t.Errorf("perturbing after day %d left the day-%d frame unchanged: the test would not see leakage", c, opts.Cutoffs[last])
			}
		}
	}
}

func TestLoadOULADNoLeakageTiny(t *testing.T) {
	opts := ouladTinyOptions()
	opts.Cutoffs = []int{28, 14, 45, -1, 0, 7, 100}
	ouladCheckNoLeakage(t, ouladTinyFS(t), opts)
}

// TestLoadOULADSyntheticNoLeakage runs the leakage check on a small
// synthetic OULAD (package synth, 400 students), whose shape differs from
// the fixture's: many presentations, all activity types, late registrations.
// It also loads the data under GOMAXPROCS 1 and 2 and requires identical
// frames.
func TestLoadOULADSyntheticNoLeakage(t *testing.T) {
	fsys, sum, err := synth.OULADFS(synth.OULADConfig{Students: 400, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	opts := OULADOptions{Name: "synth", Cutoffs: []int{28, 14, 56}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
	ouladCheckNoLeakage(t, fsys, opts)

	prev := runtime.GOMAXPROCS(1)
	one, err := LoadOULAD(fsys, opts)
	runtime.GOMAXPROCS(2)
	two, err2 := LoadOULAD(fsys, opts)
	runtime.GOMAXPROCS(prev)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	for i := range one {
		if d := ouladFrameDiff(one[i], two[i]); d != "" {
			t.Errorf("cutoff %d: GOMAXPROCS 1 vs 2: %s", one[i].Cutoff, d)
		}
		unreg, _ := ouladCleaning(one[i], "unregistered_by_cutoff", "")
		late, _ := ouladCleaning(one[i], "registered_after_cutoff", "")
		if one[i].Len()+unreg+late != sum.Students {
			t.Errorf("cutoff %d: %d rows + %d + %d excluded != %d students", one[i].Cutoff, one[i].Len(), unreg, late, sum.Students)
		}
	}
}
