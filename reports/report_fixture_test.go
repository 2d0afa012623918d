package reports

import (
	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/explain"
	"github.com/evalrun/evalrun/fairness"
	"github.com/evalrun/evalrun/leakage"
	"github.com/evalrun/evalrun/metrics"
	"github.com/evalrun/evalrun/results"
)

// The report fixture is a hand-made run: one dataset with cutoffs 14 and
// 28, a fitted model "lr" and a base-rate model, intervals, calibration,
// curves, a fairness audit of lr on day 28 (a FAIL, a PASS, an undefined
// gap and a suppressed group), a comparison with the baseline and a risk
// list of three students. Its numbers are invented; they need only be
// consistent enough to read.

func boot(metric string, est, lo, hi float64) metrics.BootstrapInterval {
	return metrics.BootstrapInterval{Metric: metric, Estimate: ptr(est), SE: ptr((hi - lo) / 4),
		Percentile: &metrics.Bounds{Lower: lo - 0.001, Upper: hi + 0.001}, BCa: &metrics.Bounds{Lower: lo, Upper: hi}, DefinedReplicates: 1000}
}

func fixtureEvaluation(day int, model, kind string, auc float64) results.Evaluation {
	e := results.Evaluation{
		Dataset: "oulad", Cutoff: ptr(day), Split: "2013-to-2014", TrainTerms: []string{"2013J"}, TestTerms: []string{"2014J"},
		Model: model, ModelKind: kind, Threshold: 0.5,
		Train: results.SetSummary{Rows: 600, Positives: 180, BaseRate: 0.3},
		Test:  results.SetSummary{Rows: 400, Positives: 120, BaseRate: 0.3},
	}
	m := metrics.Report{N: 400, Positives: 120, BaseRate: 0.3, AUC: ptr(auc), AveragePrecision: ptr(auc - 0.2), Threshold: 0.5}
	if kind == "prior" {
		m.Precision = nil
		m.Recall, m.F1 = ptr(0.0), ptr(0.0)
		m.Brier = ptr(0.21)
		m.Undefined = map[string]string{"precision": "nothing flagged (TP + FP = 0)"}
		e.Uncertainty = &results.Uncertainty{Level: 0.95, Interval: "bca",
			AUCDeLong: &results.DeLongInterval{Method: "DeLong", AUCInterval: metrics.AUCInterval{AUC: 0.5, Lower: 0.5, Upper: 0.5, Level: 0.95}},
			Bootstrap: &metrics.BootstrapResult{Scheme: "stratified", Replicates: 1000, Level: 0.95, Intervals: []metrics.BootstrapInterval{
				boot("recall", 0, 0, 0), boot("average_precision", 0.3, 0.3, 0.3),
			}}}
		e.Curves = &results.Curves{ROC: []metrics.CurvePoint{{X: 0, Y: 0}, {X: 1, Y: 1}}, PR: []metrics.CurvePoint{{X: 1, Y: 0.3}, {X: 0, Y: 1}}}
		e.Calibration = &metrics.CalibrationResult{ECE: 0.01, Undefined: "labels are constant in the fit", Bins: []metrics.CalibrationBin{
			{Lower: 0.2, Upper: 0.3, Count: 400, Positives: 120, MeanPredicted: ptr(0.29), ObservedRate: ptr(0.3)}}}
		e.Metrics = m
		return e
	}
	recall := 0.5 + float64(day)/200
	m.TP, m.FP, m.FN, m.TN, m.Flagged = int(120*recall), 120-int(120*recall), 120-int(120*recall), 160+int(120*recall), 120
	m.Precision, m.Recall, m.F1, m.Brier = ptr(recall), ptr(recall), ptr(recall), ptr(0.17)
	e.Metrics = m
	e.Uncertainty = &results.Uncertainty{Level: 0.95, Interval: "bca",
		AUCDeLong: &results.DeLongInterval{Method: "DeLong", AUCInterval: metrics.AUCInterval{AUC: auc, SE: 0.02, Lower: auc - 0.04, Upper: auc + 0.04, Level: 0.95}},
		Bootstrap: &metrics.BootstrapResult{Scheme: "stratified", Replicates: 1000, Level: 0.95, Intervals: []metrics.BootstrapInterval{
			boot("auc", auc, auc-0.041, auc+0.039), boot("average_precision", auc-0.2, auc-0.25, auc-0.15),
			boot("precision", recall, recall-0.06, recall+0.05), boot("recall", recall, recall-0.07, recall+0.06),
			boot("f1", recall, recall-0.05, recall+0.05), boot("brier", 0.17, 0.16, 0.18),
		}}}
	e.Calibration = &metrics.CalibrationResult{ECE: 0.042, Slope: ptr(0.91), Intercept: ptr(-0.12), Bins: []metrics.CalibrationBin{
		{Lower: 0, Upper: 0.5, Count: 280, Positives: 60, MeanPredicted: ptr(0.2), ObservedRate: ptr(0.214)},
		{Lower: 0.5, Upper: 1, Count: 120, Positives: 60, MeanPredicted: ptr(0.6), ObservedRate: ptr(0.5)},
	}}
	e.Recalibrated = &results.Recalibrated{Method: "platt", FittedOn: "training", Calibration: &metrics.CalibrationResult{ECE: 0.021}}
	e.Curves = &results.Curves{
		ROC:     []metrics.CurvePoint{{X: 0, Y: 0}, {X: 0.1, Y: 0.45}, {X: 0.3, Y: 0.75}, {X: 0.6, Y: 0.92}, {X: 1, Y: 1}},
		ROCBand: &metrics.ROCBand{FPR: []float64{0, 0.5, 1}, TPR: []float64{0, 0.85, 1}, Lower: []float64{0, 0.8, 1}, Upper: []float64{0.05, 0.9, 1}, Level: 0.95, Replicates: 200},
		PR:      []metrics.CurvePoint{{X: 1, Y: 0.3}, {X: 0.75, Y: 0.55}, {X: 0.45, Y: 0.7}, {X: 0, Y: 1}},
	}
	e.Importance = []explain.Importance{{Feature: "missed", Mean: 0.08, SD: 0.01}, {Feature: "clicks_total", Mean: 0.03, SD: 0.005}}
	e.Notes = []string{"2 rows with missing mean_score imputed by the training median"}
	return e
}

func fixtureAudit() *fairness.AuditResult {
	k := fairness.Known
	group := func(name string, n int, tpr float64) fairness.GroupMetrics {
		return fairness.GroupMetrics{Group: name, Count: ptr(n), BaseRate: k(0.3), SelectionRate: k(0.3), TPR: k(tpr), FPR: k(0.1), FNR: k(1 - tpr), TNR: k(0.9),
			PPV: k(0.6), NPV: k(0.85), FDR: k(0.4), FOR: k(0.15), AUC: k(0.8), AveragePrecision: k(0.6), Brier: k(0.17), ECE: k(0.05), CalibrationInTheLarge: k(-0.1)}
	}
	f, m := group("F", 210, 0.52), group("M", 180, 0.64)
	m.PPV = fairness.Unknown("nothing flagged")
	return &fairness.AuditResult{
		Rows: 400, Threshold: 0.5, MinGroupSize: 30, BootstrapReplicates: 1000, Permutations: 1000, ConfidenceLevel: 0.95,
		PValueAdjustment: "holm", VerdictRule: "interval", Status: fairness.Fail,
		Attributes: []fairness.AttributeResult{{
			Name: "gender", ReferenceMode: "largest", Reference: "F",
			Groups: []fairness.GroupMetrics{f, m, {Group: "X", Suppressed: true, SuppressedReason: "fewer than 30 rows (min_group_size)"}},
			Disparity: []fairness.GroupDisparity{{Group: "M", Reference: "F", SelectionRate: k(1.0), TPR: k(1.23), FPR: k(1), FNR: k(0.75),
				PPV: fairness.Unknown("group's ppv is undefined"), FDR: k(1), FOR: k(1)}},
			Gaps: []fairness.Gap{
				{Metric: "fnr_difference", Group: "M", Reference: "F", Estimate: k(-0.12), Lower: k(-0.2), Upper: k(-0.07), PValue: k(0.004), AdjustedPValue: k(0.012), MinDetectableGap: k(0.09)},
				{Metric: "selection_rate_ratio", Group: "M", Reference: "F", Estimate: k(1.0), Lower: k(0.9), Upper: k(1.1), PValue: k(0.9), AdjustedPValue: k(1), MinDetectableGap: k(0.2)},
				{Metric: "ppv_difference", Group: "M", Reference: "F", Estimate: fairness.Unknown("reference group's ppv is undefined"), Lower: fairness.Unknown("gap undefined"),
					Upper: fairness.Unknown("gap undefined"), PValue: fairness.Unknown("gap undefined"), AdjustedPValue: fairness.Unknown("gap undefined"), MinDetectableGap: k(0.15), BootstrapUndefined: 140},
				{Metric: "abroca", Group: "M", Reference: "F", Estimate: k(0.031), Lower: k(0.012), Upper: k(0.05), PValue: k(0.2), AdjustedPValue: k(0.4), MinDetectableGap: fairness.Unknown("no power formula")},
			},
		}},
		Verdicts: []fairness.Verdict{
			{Attribute: "gender", Metric: "fnr_difference", Group: "M", Reference: "F", AllowedLow: -0.05, AllowedHigh: 0.05, Rule: "interval",
				Estimate: k(-0.12), Lower: k(-0.2), Upper: k(-0.07), MinDetectableGap: k(0.09), Outcome: fairness.Fail, Reason: "interval [-0.2, -0.07] lies entirely outside [-0.05, 0.05]"},
			{Attribute: "gender", Metric: "selection_rate_ratio", Group: "M", Reference: "F", AllowedLow: 0.8, AllowedHigh: 1.25, Rule: "interval",
				Estimate: k(1.0), Lower: k(0.9), Upper: k(1.1), MinDetectableGap: k(0.2), Outcome: fairness.Pass, Reason: "interval [0.9, 1.1] lies inside [0.8, 1.25]"},
			{Attribute: "gender", Metric: "ppv_difference", Group: "M", Reference: "F", AllowedLow: -0.1, AllowedHigh: 0.1, Rule: "interval",
				Estimate: fairness.Unknown("reference group's ppv is undefined"), Lower: fairness.Unknown("gap undefined"), Upper: fairness.Unknown("gap undefined"),
				MinDetectableGap: k(0.15), Outcome: fairness.Inconclusive, Reason: "the gap is undefined: reference group's ppv is undefined"},
		},
	}
}

func reportRun() *results.Run {
	lr14 := fixtureEvaluation(14, "lr", "logistic", 0.71)
	base14 := fixtureEvaluation(14, "base-rate", "prior", 0.5)
	lr28 := fixtureEvaluation(28, "lr", "logistic", 0.78)
	lr28.Fairness = fixtureAudit()
	sweep := fixtureAudit()
	sweep.Threshold = 0.25
	sweep.Verdicts = sweep.Verdicts[:1]
	lr28.FairnessSweep = []fairness.AuditResult{*sweep}
	auc, higher, rm, rp := 0.953, true, 0.99, 0.28
	lr28.Features.LeakageSuspects = []leakage.Suspect{
		{Feature: "date_unregistration", Kind: leakage.KindAUC, AUC: &auc, HigherIsRisk: &higher, Reason: "date_unregistration alone has training AUC 0.953 (higher values go with the at-risk outcome), above 0.90"},
		{Feature: "date_registration_missing", Kind: leakage.KindMissingness, MissingRows: 120, PresentRows: 880, MissingAtRiskRate: &rm, PresentAtRiskRate: &rp,
			Reason: "120 training rows miss the feature behind date_registration_missing and 99.0% of them are at risk, against 28.0% of the 880 rows that have it: its missingness nearly determines the outcome"},
	}
	lr28.Curves.Groups = []results.GroupCurve{
		{Attribute: "gender", Group: "F", ROC: []metrics.CurvePoint{{X: 0, Y: 0}, {X: 0.2, Y: 0.6}, {X: 1, Y: 1}}},
		{Attribute: "gender", Group: "M", ROC: []metrics.CurvePoint{{X: 0, Y: 0}, {X: 0.3, Y: 0.6}, {X: 1, Y: 1}}},
	}
	base28 := fixtureEvaluation(28, "base-rate", "prior", 0.5)
	return &results.Run{
		FormatVersion: results.FormatVersion, Experiment: "fixture", Description: "A hand-made run for golden files: who fails or withdraws?",
		Seed: 11, SpecSHA256: "0123456789abcdef0123", ThresholdPolicy: "top_fraction(0.3)", Pseudonymized: true,
		Warnings: []string{"EVALRUN_PSEUDONYM_KEY unset: pseudonyms derive from the spec"},
		Datasets: []results.Dataset{{Name: "oulad", Kind: "oulad", Cutoffs: []results.Cutoff{
			{Day: ptr(14), Rows: 1000, Positives: 300, Terms: []results.TermCount{{Term: "2013J", Rows: 600, Positives: 180}, {Term: "2014J", Rows: 400, Positives: 120}},
				Cleaning: []datasets.CleaningCount{{Rule: "unregistered_by_cutoff", Count: 37, Detail: "students with date_unregistration <= 14 excluded"}, {Rule: "unknown_student", Count: 0, Detail: "skipped"}}},
			{Day: ptr(28), Rows: 1000, Positives: 300},
		}}},
		Evaluations: []results.Evaluation{lr14, base14, lr28, base28},
		Timings: []results.ModelTiming{
			{Dataset: "oulad", Cutoff: ptr(14), Split: "2013-to-2014", Model: "lr", Fit: 0.42, Predict: 0.0031, Explain: 0.12, Bootstrap: 2.5, Audit: 0},
			{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", Model: "lr", Fit: 0.51, Predict: 0.0004, Explain: 0.13, Bootstrap: 2.61, Audit: 123.4},
		},
		FairnessStatus: fairness.Fail,
		Comparisons: []results.Comparison{
			{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", ModelA: "lr", ModelB: "base-rate",
				DeLong:    &results.PairedDeLong{Method: "DeLong paired", PairedDeLong: metrics.PairedDeLong{AUCA: 0.78, AUCB: 0.5, Diff: 0.28, SE: 0.02, Z: 14, PValue: 1e-40}, Lower: 0.24, Upper: 0.32, Level: 0.95, PHolm: 2e-40, Tests: 2},
				Bootstrap: &metrics.BootstrapResult{Intervals: []metrics.BootstrapInterval{boot("recall", 0.64, 0.57, 0.7), boot("average_precision", 0.28, 0.22, 0.33)}}},
			{Dataset: "oulad", Cutoff: ptr(14), Split: "2013-to-2014", ModelA: "lr", ModelB: "base-rate",
				DeLong: &results.PairedDeLong{Method: "DeLong paired", PairedDeLong: metrics.PairedDeLong{Diff: 0.21, SE: 0.03, PValue: 0.0123}, Lower: 0.15, Upper: 0.27, Level: 0.95, PHolm: 0.0246, Tests: 2}},
		},
	}
}

func reportRiskList() *results.RiskList {
	return &results.RiskList{Dataset: "oulad", Cutoff: ptr(28), Split: "2013-to-2014", Model: "lr", Threshold: 0.8, Pseudonymized: true,
		Labels: map[string]results.FeatureLabel{"prior_gpa": {Label: "prior GPA", Unit: "grade points"}},
		Students: []results.RiskStudent{
			{Rank: 1, Key: "a1b2c3", Term: "2014J", Course: "AAA", Score: 0.93, Band: "high",
				Reasons:  []explain.Reason{{Feature: "missed", Value: 2, Contribution: 0.9}, {Feature: "days_since_last_activity", Value: 12, Contribution: 0.4}, {Feature: "mean_score", Value: 31, Contribution: 0.3}, {Feature: "clicks_total", Value: 20, Contribution: 0.1}},
				Features: map[string]float64{"due_by_cutoff": 3, "submitted": 1, "missed": 2, "mean_score": 31, "late_submissions": 1, "clicks_total": 20, "active_days": 3, "days_since_last_activity": 12},
				Weekly:   []float64{12, 5, 3, 0, 0}},
			{Rank: 2, Key: "d4e5f6", Term: "2014J", Course: "BBB", Score: 0.71, Band: "medium",
				Reasons: []explain.Reason{{Feature: "missed", Value: 1, Contribution: 0.5},
					{Feature: "prior_gpa", Value: 1.05, Contribution: 0.2, OutsideTraining: &explain.Range{Min: 1.5, Max: 4, Mean: 3, SD: 0.5}}},
				Features: map[string]float64{"due_by_cutoff": 1, "submitted": 0, "missed": 1}},
			{Rank: 3, Key: "g7h8i9", Term: "2014J", Course: "AAA", Score: 0.12, Band: "low"},
		}}
}
