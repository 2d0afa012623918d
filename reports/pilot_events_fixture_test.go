package reports

import (
	"fmt"
	"math"

	"github.com/evalrun/evalrun/abtest"
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// The pilot and event-log fixtures are hand-made results: their numbers
// are invented and need only be consistent enough to read. The pilot has
// two treatment arms and a control, a binary primary and a continuous
// secondary outcome, a pre-declared subgroup on the difference scale, an
// exploratory one on the log-odds scale, one that could not be run, an
// undefined effect, a complier analysis, a relative-reduction target and a
// sample ratio mismatch alarm. The event log has 23 students who stopped
// (20 are listed), two never active, two drops and a pattern without known
// outcomes.

func fixturePilot() *pilot.Result {
	level := 0.95
	plan := abtest.Plan{
		Arms: []string{"alerts", "calls", "control"}, Control: "control", Allocation: []float64{1, 1, 2},
		Outcomes:     []abtest.OutcomePlan{{Name: "dfw", Kind: abtest.Binary, Primary: true}, {Name: "credits", Kind: abtest.Continuous}},
		Multiplicity: abtest.MultiplicityPlan{Method: abtest.AdjustHolm, Strategy: abtest.StrategyPooled, Alpha: 0.05},
		Level:        level,
		Target:       &abtest.TargetPlan{Outcome: "dfw", Arm: "calls", RelativeReduction: 0.15, Label: "DFW"},
	}
	effect := func(arm, outcome string, kind abtest.OutcomeKind, primary bool, n1, n2 int, est, lo, hi, p, padj float64, rejected bool) abtest.Effect {
		return abtest.Effect{Arm: arm, Outcome: outcome, Kind: kind, Primary: primary, N1: n1, N2: n2, Method: "z-test",
			Estimate: est, CI: abtest.Interval{Lower: lo, Upper: hi}, PValue: p, AdjustedP: padj, Rejected: rejected}
	}
	credAlerts := effect("alerts", "credits", abtest.Continuous, false, 240, 470, 0.42, -0.11, 0.95, 0.12, 0.24, false)
	credAlerts.Method = "welch"
	credCalls := effect("calls", "credits", abtest.Continuous, false, 236, 470, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), false)
	credCalls.Method = "welch"
	credCalls.Reason = "no variation in credits among treated units"
	fcalls := effect("calls", "dfw", abtest.Binary, true, 250, 495, -0.081, -0.146, -0.016, 0.0149, 0.0447, true)
	fcalls.Cluster = &abtest.ClusterRobustResult{RegressionResult: abtest.RegressionResult{Clusters: 30}, ICC: 0.0312, MeanClusterSize: 24.5, DesignEffect: 1.733}
	smd := 0.134
	return &pilot.Result{
		Name: "advising",
		Inputs: pilot.Inputs{
			Spec: pilot.Spec{Name: "advising", Strata: "course"},
			Data: pilot.LoadReport{Path: "pilot/advising.csv", Rows: 1000, SHA256: "0123456789abcdef0123"},
			Plan: plan,
		},
		Analysis: abtest.Analysis{
			Checks: abtest.Checks{
				ArmSizes: []abtest.ArmCount{{Arm: "alerts", Units: 262}, {Arm: "calls", Units: 258}, {Arm: "control", Units: 480}},
				SRM: abtest.SRMResult{Chi2: 16.2, DoF: 2, PValue: 0.0003, Expected: []float64{250, 250, 500}, Alarm: true,
					Warnings: []string{"SAMPLE RATIO MISMATCH: arm sizes differ from the planned allocation (chi-square 16.20, p = 0.0003 < 0.001); assignment or data loss is suspect: do not trust effect estimates until this is explained"}},
				Attrition: []abtest.OutcomeAttrition{{Outcome: "dfw", AttritionResult: abtest.AttritionResult{
					Arms:         []abtest.AttritionArm{{Arm: "alerts", Assigned: 262, Missing: 12, Rate: 12.0 / 262}, {Arm: "calls", Assigned: 258, Missing: 8, Rate: 8.0 / 258}, {Arm: "control", Assigned: 480, Missing: 25, Rate: 25.0 / 480}},
					Differential: 25.0/480 - 8.0/258, PValue: ptr(0.41)}}},
				Balance: []abtest.ArmBalance{{Arm: "alerts", Rows: []abtest.BalanceRow{
					{Covariate: "pre_gpa", MeanTreated: 2.91, MeanControl: 2.88, SMD: ptr(0.031), Missing: 3},
					{Covariate: "first_gen", Level: "yes", MeanTreated: 0.41, MeanControl: 0.345, SMD: &smd, Imbalanced: true},
				}}},
			},
			Effects: []abtest.Effect{
				effect("alerts", "dfw", abtest.Binary, true, 250, 495, -0.032, -0.097, 0.033, 0.334, 0.334, false),
				fcalls, credAlerts, credCalls,
			},
			Subgroups: []abtest.SubgroupAnalysis{
				{Arm: "alerts", Outcome: "dfw", Attribute: "first_gen", Exploratory: false, AdjustedP: 0.88, SubgroupResult: abtest.SubgroupResult{
					Scale: abtest.ScaleDifference, InteractionP: 0.44, Level: level, Levels: []abtest.SubgroupLevel{
						{Level: "no", N1: 150, N2: 320, Effect: -0.012, CI: abtest.Interval{Lower: -0.09, Upper: 0.066}, PValue: 0.76},
						{Level: "yes", N1: 100, N2: 175, Effect: -0.071, CI: abtest.Interval{Lower: -0.18, Upper: 0.038}, PValue: 0.2},
					}}},
				{Arm: "calls", Outcome: "dfw", Attribute: "pell", Exploratory: true, AdjustedP: 1, SubgroupResult: abtest.SubgroupResult{
					Scale: abtest.ScaleLogOdds, InteractionP: 0.61, Level: level, Levels: []abtest.SubgroupLevel{
						{Level: "no", N1: 140, N2: 270, Effect: -0.35, CI: abtest.Interval{Lower: -0.8, Upper: 0.1}, PValue: 0.13},
						{Level: "yes", N1: 110, N2: 225, Effect: -0.52, CI: abtest.Interval{Lower: -1.04, Upper: 0}, PValue: 0.05},
					}}},
				{Arm: "calls", Outcome: "dfw", Attribute: "transfer", Exploratory: true, Error: "fewer than two levels with treated and control units"},
			},
			Compliance: []abtest.ComplianceAnalysis{{Arm: "calls", Outcome: "dfw", CACEResult: abtest.CACEResult{
				ITT: -0.081, FirstStage: 0.62, FirstStageF: ptr(310.4), CACE: ptr(-0.1306), CI: &abtest.Interval{Lower: -0.236, Upper: -0.025}, PValue: ptr(0.015), Method: "delta", Level: level}}},
			Target: &abtest.TargetComparison{Quantity: "relative DFW reduction", Estimate: 0.21, CI: abtest.Interval{Lower: 0.05, Upper: 0.35}, Target: 0.15, Percent: true,
				Position: abtest.TargetInside, Level: level, Statement: "relative DFW reduction 21% (95% CI 5% to 35%); the 15% target lies inside the interval"},
		},
		Summary:  []string{"SAMPLE RATIO MISMATCH: the arm sizes differ from the plan (p = 0.0003); effects may be biased", "calls vs control on dfw (primary): risk difference -8.1 pp (95% CI -14.6 pp to -1.6 pp), adjusted p = 0.045: significant at alpha 0.05"},
		Warnings: []string{"SAMPLE RATIO MISMATCH: arm sizes differ from the planned allocation (chi-square 16.20, p = 0.0003 < 0.001); assignment or data loss is suspect: do not trust effect estimates until this is explained", "subgroup analysis by pell (calls, dfw) is exploratory: it was not pre-declared"},
	}
}

func fixtureEventLog() results.EventLog {
	d := &events.Description{
		Heatmap: events.Heatmap{ResourceTypes: []string{"forum", "quiz"}, Weeks: []int{-1, 0, 1}, Counts: [][]int64{{0, 1520, 12345}, {7, 980, 4}}},
		LargestDrops: []events.WeekDrop{
			{Week: 1, ActiveBefore: 40, Active: 25, Drop: 15, RelativeDrop: 0.375},
			{Week: 0, ActiveBefore: 42, Active: 40, Drop: 2, RelativeDrop: 2.0 / 42},
		},
		NeverActive: 2, EndDay: 20, QuietDays: 14,
		Patterns: []events.Pattern{
			{Pattern: "1100", Students: 12, WithOutcome: 12, OutcomeRate: ptr(0.75)},
			{Pattern: "1111", Students: 9, WithOutcome: 8, OutcomeRate: ptr(0.125)},
			{Pattern: "0001", Students: 1, WithOutcome: 0},
		},
		Warnings: []string{"day-offset log: sessions and time on task are unknown"},
	}
	for day := -3; day <= 9; day++ {
		d.Timeline = append(d.Timeline, events.DayActivity{Day: day, Date: fmt.Sprintf("2024-02-%02d", 8+day), Events: int64(100 + 10*day*(day%3)), ActiveStudents: 30 - day})
	}
	for i := 0; i < 23; i++ {
		last := 1 + i/4
		d.Stopped = append(d.Stopped, events.StoppedStudent{Student: fmt.Sprintf("k%03d", i), LastActiveDay: last, Date: fmt.Sprintf("2024-02-%02d", 8+last), QuietDays: 20 - last})
	}
	return results.EventLog{Dataset: "lms", Joined: "students", Description: d, Cleaning: []datasets.CleaningCount{
		{Rule: "duplicate", Count: 31, Detail: "exact duplicate events"}, {Rule: "bot", Count: 0, Detail: "more than 60 events a minute"}}}
}

// pilotEventsRun is a run with the fixture pilot and event log and no
// evaluation.
func pilotEventsRun() *results.Run {
	return &results.Run{Experiment: "pilot-and-events", Seed: 11, SpecSHA256: "feedbeeffeedbeef00", Pseudonymized: true,
		Abtests: []*pilot.Result{fixturePilot()}, EventLogs: []results.EventLog{fixtureEventLog()}}
}
