package abtest_test

import (
	"fmt"

	"github.com/evalrun/evalrun/abtest"
)

func ExampleTwoProportions() {
	// 45 of 300 tutored students and 30 of 310 controls had a DFW grade.
	r, err := abtest.TwoProportions(45, 300, 30, 310, 0.95)
	if err != nil {
		panic(err)
	}
	fmt.Printf("diff %.4f, z %.3f, p %.4f\n", r.Diff, *r.Z, *r.PValue)
	fmt.Printf("Newcombe 95%% CI [%.4f, %.4f]\n", r.Newcombe.Lower, r.Newcombe.Upper)
	// Output:
	// diff 0.0532, z 2.001, p 0.0454
	// Newcombe 95% CI [0.0009, 0.1061]
}

func ExampleSampleSizeTwoProportions() {
	// How many students per arm to detect a DFW rate falling from 30% to
	// 25.5% (a 15% relative reduction) with 80% power, randomizing whole
	// sections of 25 students with an ICC of 0.02? (R's power.prop.test
	// gives n = 1553.04 without clustering; times the design effect 1.48
	// that is 2298.5 students, 92 sections of 25.)
	d := abtest.ProportionsDesign{P1: 0.255, P2: 0.30, Alpha: 0.05,
		Cluster: abtest.ClusterDesign{ICC: 0.02, ClusterSize: 25}}
	r, err := abtest.SampleSizeTwoProportions(d, 0.8)
	if err != nil {
		panic(err)
	}
	fmt.Printf("design effect %.2f: %d sections (%d students) per arm\n", r.DesignEffect, r.Clusters2, r.N2Units)
	// Output:
	// design effect 1.48: 92 sections (2300 students) per arm
}

func ExampleGroupSequentialBoundaries() {
	d := abtest.SequentialDesign{Alpha: 0.05, Spending: abtest.SpendingOBrienFleming, Looks: []float64{1.0 / 3, 2.0 / 3, 1}}
	bs, err := abtest.GroupSequentialBoundaries(d)
	if err != nil {
		panic(err)
	}
	for _, b := range bs {
		fmt.Printf("look %d: |z| >= %.4f (nominal p %.5f)\n", b.Look, b.Z, b.NominalP)
	}
	// Output:
	// look 1: |z| >= 3.7103 (nominal p 0.00021)
	// look 2: |z| >= 2.5114 (nominal p 0.01202)
	// look 3: |z| >= 1.9930 (nominal p 0.04626)
}

func ExampleRelativeReductionVsTarget() {
	// DFW: 220 of 1000 tutored students, 260 of 1000 controls.
	r, err := abtest.RelativeReductionVsTarget("DFW", 220, 1000, 260, 1000, 0.15, 0.95)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Statement)
	// Output:
	// relative DFW reduction 15% (95% CI 1% to 28%); the 15% target lies inside the interval
}

func ExampleAssign() {
	roster := []abtest.RosterUnit{
		{ID: "s1", Stratum: "MATH101"}, {ID: "s2", Stratum: "MATH101"},
		{ID: "s3", Stratum: "MATH101"}, {ID: "s4", Stratum: "CHEM110"},
		{ID: "s5", Stratum: "CHEM110"},
	}
	d := abtest.AssignmentDesign{Experiment: "tutoring-fall-2026", Seed: 2026,
		Arms: []string{"control", "tutoring"}, Method: abtest.AssignStratified}
	first, err := abtest.Assign(roster, d, nil)
	if err != nil {
		panic(err)
	}
	// A late enrollee: earlier assignments are passed back and kept.
	roster = append(roster, abtest.RosterUnit{ID: "s6", Stratum: "CHEM110"})
	second, err := abtest.Assign(roster, d, first.Assignments)
	if err != nil {
		panic(err)
	}
	for i, a := range second.Assignments {
		same := i >= len(first.Assignments) || first.Assignments[i].Arm == a.Arm
		fmt.Println(a.ID, a.Stratum, a.Previous, same)
	}
	for _, s := range second.Strata {
		fmt.Println(s.Stratum, s.Counts)
	}
	// Output:
	// s1 MATH101 true true
	// s2 MATH101 true true
	// s3 MATH101 true true
	// s4 CHEM110 true true
	// s5 CHEM110 true true
	// s6 CHEM110 false true
	// CHEM110 [1 2]
	// MATH101 [2 1]
}
