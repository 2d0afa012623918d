package external

import (
	"bytes"
	"math"
	"testing"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// FuzzParsePredictions feeds arbitrary bytes to the predictions-file parser
// with the default column names: it must return finite scores or an error.
func FuzzParsePredictions(f *testing.F) {
	f.Add([]byte("key,split,cutoff,score\nAAA/2013J/1,s1,28,0.25\nAAA/2013J/2,s1,28,0.75\n"))
	f.Add([]byte("\ufeffkey,split,score\r\n\"a,b\",s,1e-3\r\na,s,NaN\n"))
	f.Add([]byte("key,split,score\na,s,0.1\na,s,0.2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcheck.Bounded(t, len(data), func() {
			cfg := PredictionsConfig{Path: "fuzz.csv"}
			cfg.defaults()
			p, err := parsePredictions(cfg, bytes.NewReader(data))
			if err != nil {
				return
			}
			for k, s := range p.scores {
				if math.IsNaN(s) || math.IsInf(s, 0) {
					t.Fatalf("key %+v: non-finite score %v accepted", k, s)
				}
			}
		})
	})
}
