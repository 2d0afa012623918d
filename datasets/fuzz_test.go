package datasets

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// checkFrame fails t when a frame a loader returned without error is
// inconsistent: every per-row slice must have one entry per key.
func checkFrame(t *testing.T, f *Frame) {
	t.Helper()
	n := len(f.Keys)
	if len(f.Students) != n || len(f.Terms) != n || len(f.Labels) != n || len(f.Courses) != n {
		t.Fatalf("frame %s: %d keys but %d students, %d terms, %d labels, %d courses",
			f.Dataset, n, len(f.Students), len(f.Terms), len(f.Labels), len(f.Courses))
	}
	for _, c := range f.Numeric {
		if len(c.Values) != n {
			t.Fatalf("frame %s: numeric column %s has %d values for %d rows", f.Dataset, c.Name, len(c.Values), n)
		}
	}
	for _, c := range f.Categorical {
		if len(c.Values) != n {
			t.Fatalf("frame %s: categorical column %s has %d values for %d rows", f.Dataset, c.Name, len(c.Values), n)
		}
	}
	for i, l := range f.Labels {
		if l > 1 {
			t.Fatalf("frame %s: row %d has label %d", f.Dataset, i, l)
		}
	}
}

// FuzzLoadCSV feeds arbitrary bytes to the student-table CSV loader as the
// file of csv_basic's spec: it must return a consistent frame or an error,
// never panic, hang or allocate without bound.
func FuzzLoadCSV(f *testing.F) {
	for _, name := range []string{"csv_basic.csv", "csv_bom.csv", "csv_crlf.csv", "csv_quoted.csv", "csv_positive.csv", "csv_basic.csv.gz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("student,term,course,gpa,clicks,gender,at_risk\n\"s1,2013B,AAA,1,2,F,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "students.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Bounded(t, len(data), func() {
			frame, err := LoadCSV(path, csvBasicOptions)
			if err == nil {
				checkFrame(t, frame)
			}
		})
	})
}

// ouladFuzzTables are the OULAD tables FuzzLoadOULAD replaces, one per
// input, indexed by the input's first argument.
var ouladFuzzTables = []string{OULADCourses, OULADStudentInfo, OULADStudentRegistration,
	OULADAssessments, OULADStudentAssessment, OULADVLE, OULADStudentVLE}

// FuzzLoadOULAD replaces one table of the tiny OULAD fixture with arbitrary
// bytes and loads all seven with clicks: every table reaches its parser.
func FuzzLoadOULAD(f *testing.F) {
	base := fstest.MapFS{}
	for _, name := range ouladFuzzTables {
		b, err := os.ReadFile(filepath.Join(ouladTinyDir, name))
		if err != nil {
			f.Fatal(err)
		}
		base[name] = &fstest.MapFile{Data: b}
		f.Add(uint8(len(base)-1), b)
	}
	f.Add(uint8(0), []byte("code_module,code_presentation,module_presentation_length\nAAA,2013J,-5\n"))
	f.Add(uint8(6), []byte("code_module,code_presentation,id_student,id_site,date,sum_click\nAAA,2013J,1,1,99999999999999999999,1\n"))
	f.Fuzz(func(t *testing.T, table uint8, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys[ouladFuzzTables[int(table)%len(ouladFuzzTables)]] = &fstest.MapFile{Data: data}
		fuzzcheck.Bounded(t, len(data), func() {
			frames, err := LoadOULAD(fsys, ouladTinyOptions())
			if err == nil {
				for _, fr := range frames {
					checkFrame(t, fr)
				}
			}
		})
	})
}
