package pilot

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the example data under experiments/testdata/pilot and the goldens")

// exampleDir holds the shipped example pilot.
var exampleDir = filepath.Join("..", "experiments", "testdata", "pilot")

// exampleSeed is the seed of the shipped example (experiments/pilot-tutoring.toml).
const exampleSeed = 20261123

// TestExampleFilesCurrent checks that the shipped example data is what
// GenerateExample writes, so it cannot go stale; -update rewrites it.
func TestExampleFilesCurrent(t *testing.T) {
	ex, err := GenerateExample(exampleSeed)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := ex.WriteFiles(exampleDir); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string][]byte{"tutoring.csv": ex.PilotCSV, "roster.csv": ex.RosterCSV} {
		got, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			t.Fatalf("%v (run go test ./pilot -run TestExampleFilesCurrent -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from GenerateExample(%d): run go test ./pilot -run TestExampleFilesCurrent -update", name, exampleSeed)
		}
	}
	again, err := GenerateExample(exampleSeed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.PilotCSV, ex.PilotCSV) || !bytes.Equal(again.RosterCSV, ex.RosterCSV) {
		t.Error("GenerateExample is not deterministic for a fixed seed")
	}
}
