package scored

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// FuzzRead feeds arbitrary bytes to the audit CSV reader: it must return a
// table with one label, score and group value per row, labels 0 or 1 and
// finite scores, or an error.
func FuzzRead(f *testing.F) {
	f.Add([]byte("id,y,p,gender,age\r\n1,1,0.9,F,young\r\n2,0,0.2,M,\r\n3,1.0,0.55,\"F\",old\r\n"))
	f.Add([]byte("y,p,gender,age,gender\n1,0.5,F,a,M\n"))
	f.Add([]byte("y,p,gender,age\n2,0.5,F,a\n1,inf,M,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "scores.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Bounded(t, len(data), func() {
			tab, err := Read(path, "y", "p", []string{"gender", "age"})
			if err != nil {
				return
			}
			n := len(tab.Labels)
			if len(tab.Scores) != n || len(tab.Groups) != 2 {
				t.Fatalf("%d labels, %d scores, %d group columns", n, len(tab.Scores), len(tab.Groups))
			}
			for _, g := range tab.Groups {
				if len(g.Values) != n {
					t.Fatalf("group %s: %d values for %d rows", g.Name, len(g.Values), n)
				}
			}
			for i := range n {
				if tab.Labels[i] > 1 || math.IsNaN(tab.Scores[i]) || math.IsInf(tab.Scores[i], 0) {
					t.Fatalf("row %d: label %d score %v accepted", i, tab.Labels[i], tab.Scores[i])
				}
			}
		})
	})
}
