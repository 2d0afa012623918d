package harness

import (
	"testing"

	"github.com/evalrun/evalrun/experiments"
)

// TestShippedSpecsParse checks that every shipped spec is valid as far as
// the spec alone can tell (the data checks run in the OULAD and demo
// tests). It is here rather than in package experiments so that package's
// tests do not link the whole harness for one parse per spec.
func TestShippedSpecsParse(t *testing.T) {
	names := experiments.Names()
	for _, want := range []string{"demo", "oulad-assessment-only", "oulad-week4"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("shipped specs %v lack %q", names, want)
		}
	}
	for _, name := range names {
		b, err := experiments.Spec(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSpec(name+".toml", ".", b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Experiment.Name != name {
			t.Errorf("%s.toml names its experiment %q; keep file and experiment names equal", name, s.Experiment.Name)
		}
	}
}
