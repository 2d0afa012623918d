package pilot

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// fuzzFile writes data to a fresh temporary file named name.
func fuzzFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// addFileSeed adds the file at path as a seed, with its header's first
// occurrence of from renamed to to (so the seed matches the test spec).
func addFileSeed(f *testing.F, path, from, to string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	b = bytes.Replace(b, []byte(from), []byte(to), 1)
	if len(b) > fuzzcheck.MaxInput {
		b = b[:fuzzcheck.MaxInput]
	}
	f.Add(b)
}

// FuzzReadPilot feeds arbitrary bytes to the pilot CSV reader with the
// test spec (two outcomes, a covariate, an attribute): it must return one
// value per unit in every column, or an error.
func FuzzReadPilot(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("id,arm,dfw,grade,gpa,first_gen\na,treat,2,x,,\na,control,0,1,1,\n"))
	f.Add([]byte("\ufeffid,arm,dfw,grade,gpa,first_gen\r\n\"a\",\"treat\",1,3,3,yes\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, "pilot.csv", data)
		fuzzcheck.Bounded(t, len(data), func() {
			p, _, err := ReadPilot(path, validSpec())
			if err != nil {
				return
			}
			n := len(p.IDs)
			if len(p.Arms) != n {
				t.Fatalf("%d ids, %d arms", n, len(p.Arms))
			}
			for _, o := range p.Outcomes {
				if len(o.Values) != n {
					t.Fatalf("outcome %s: %d values for %d units", o.Name, len(o.Values), n)
				}
			}
		})
	})
}

// FuzzAssignRoster feeds arbitrary bytes to the roster reader through a
// stratified, cluster-aware assignment: every unit read must be assigned
// exactly once.
func FuzzAssignRoster(f *testing.F) {
	addFileSeed(f, filepath.Join("..", "experiments", "testdata", "pilot", "roster.csv"), "student_id", "id")
	f.Add([]byte("id,course,section,gpa,first_gen\ns1,bio,bio-1,2.5,yes\ns2,bio,bio-1,3.0,no\ns3,chem,chem-1,,no\n"))
	f.Add([]byte("id,course,section\ns1,bio,\ns1,bio,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzFile(t, "roster.csv", data)
		fuzzcheck.Bounded(t, len(data), func() {
			out, err := Assign(path, assignSpec("stratified"), "")
			if err != nil {
				return
			}
			seen := map[string]bool{}
			for _, a := range out.Result.Assignments {
				if seen[a.ID] {
					t.Fatalf("unit %q assigned twice", a.ID)
				}
				seen[a.ID] = true
			}
		})
	})
}
