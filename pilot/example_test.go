package pilot

import (
	"bytes"
	"flag"
	"fmt"
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

func ExamplePower() {
	// How many sections of 25 students per arm to detect a DFW rate falling
	// from 30% by 15% (to 25.5%) with 80% power, with an ICC of 0.02? R's
	// power.prop.test(p1 = .3, p2 = .255, power = .8) gives 1553.04
	// students per arm without clustering; the design effect is 1.48.
	out, err := Power(PowerRequest{ControlRate: 0.3, RelativeReduction: 0.15, ICC: 0.02, ClusterSize: 25})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d sections (%d students) per arm\n", out.SampleSize.Clusters2, out.SampleSize.N2Units)
	for _, p := range out.Curve[:3] {
		fmt.Printf("%g sections per arm: power %.3f\n", p.N2/25, p.Power)
	}
	// Output:
	// 92 sections (2300 students) per arm
	// 23 sections per arm: power 0.288
	// 46 sections per arm: power 0.508
	// 69 sections per arm: power 0.680
}
