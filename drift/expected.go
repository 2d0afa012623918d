package drift

import (
	"errors"
	"fmt"
	"math"
)

// ExpectedPerformance is the precision and recall a model should have at
// its threshold on a current sample, estimated from its calibrated risks
// before outcomes exist (the idea of NannyML's CBPE): if the risks are
// calibrated, a flagged student with risk p is truly at risk with
// probability p, so the expected true positives are the sum of the risks
// of the flagged students and the expected positives the sum of all risks.
// The intervals are normal approximations to the sampling spread of the
// outcomes given the risks (a sum of independent Bernoulli draws); they
// say nothing of miscalibration, which Reliable and Reasons address.
type ExpectedPerformance struct {
	Threshold float64 `json:"threshold"`
	Rows      int     `json:"rows"`
	Flagged   int     `json:"flagged"`
	// ExpectedPositives is the sum of the risks: the expected number of
	// students truly at risk.
	ExpectedPositives float64 `json:"expected_positives"`
	// Precision and Recall are the expected values; a nil value is
	// undefined (nobody flagged, or no expected positive).
	Precision      *float64   `json:"precision"`
	PrecisionRange [2]float64 `json:"precision_interval"`
	Recall         *float64   `json:"recall"`
	RecallRange    [2]float64 `json:"recall_interval"`
	// Reliable is false when the drift suggests that the relation between
	// features and outcome itself may have changed, so calibrated risks of
	// the reference no longer carry over; Reasons says why.
	Reliable bool     `json:"reliable"`
	Reasons  []string `json:"reasons,omitempty"`
}

// Expected estimates precision and recall at threshold (risk >= threshold
// is flagged) from calibrated risks in [0, 1]; level is the interval's
// confidence level (0.95). It starts Reliable; see AssessReliability.
func Expected(risks []float64, threshold, level float64) (ExpectedPerformance, error) {
	flagged := make([]bool, len(risks))
	for i, p := range risks {
		flagged[i] = p >= threshold
	}
	return ExpectedFlagged(risks, flagged, threshold, level)
}

// ExpectedFlagged is Expected for a model that flags students by another
// score than the risk (a raw score before recalibration): flagged says who
// is flagged; threshold is recorded only.
func ExpectedFlagged(risks []float64, flagged []bool, threshold, level float64) (ExpectedPerformance, error) {
	if len(flagged) != len(risks) {
		return ExpectedPerformance{}, fmt.Errorf("drift: %d flags for %d risks", len(flagged), len(risks))
	}
	if len(risks) == 0 {
		return ExpectedPerformance{}, errors.New("drift: expected performance needs at least one risk")
	}
	if !(level > 0 && level < 1) {
		return ExpectedPerformance{}, fmt.Errorf("drift: interval level must lie in (0, 1), got %v", level)
	}
	e := ExpectedPerformance{Threshold: threshold, Rows: len(risks), Reliable: true}
	var tp, tpVar, fn, fnVar float64
	for i, p := range risks {
		if !(p >= 0 && p <= 1) {
			return ExpectedPerformance{}, fmt.Errorf("drift: risk %d is %v: calibrated risks must lie in [0, 1]", i, p)
		}
		if flagged[i] {
			e.Flagged++
			tp += p
			tpVar += p * (1 - p)
		} else {
			fn += p
			fnVar += p * (1 - p)
		}
	}
	e.ExpectedPositives = tp + fn
	z := normalQuantile(1 - (1-level)/2)
	if e.Flagged > 0 {
		k := float64(e.Flagged)
		p := tp / k
		se := math.Sqrt(tpVar) / k
		e.Precision = &p
		e.PrecisionRange = [2]float64{clamp01(p - z*se), clamp01(p + z*se)}
	}
	if pos := tp + fn; pos > 0 {
		r := tp / pos
		// Delta method for A/(A+B) with A, B independent.
		se := math.Sqrt(fn*fn*tpVar+tp*tp*fnVar) / (pos * pos)
		e.Recall = &r
		e.RecallRange = [2]float64{clamp01(r - z*se), clamp01(r + z*se)}
	}
	return e, nil
}

// AssessReliability marks e unreliable, with the reasons, when the drift
// suggests that the relation between features and outcome may have
// changed: the dataset drifted (at least the dataset share of features),
// one of the model's most important features drifted, or the score
// distribution drifted. top names the model's most important features;
// score is the drift of the scores (nil: not measured).
func (e *ExpectedPerformance) AssessReliability(d DatasetResult, top []string, score *FeatureResult) {
	e.Reliable, e.Reasons = true, nil
	if d.DatasetDrift {
		e.Reliable = false
		e.Reasons = append(e.Reasons, fmt.Sprintf("%d of %d features drifted (dataset drift at %.0f%%)", d.Drifted, len(d.Features), 100*d.Threshold))
	}
	topSet := map[string]bool{}
	for _, t := range top {
		topSet[t] = true
	}
	for _, f := range d.Features {
		if f.Drifted && topSet[f.Name] {
			e.Reliable = false
			e.Reasons = append(e.Reasons, fmt.Sprintf("top feature %s drifted (%s)", f.Name, f.Describe()))
		}
	}
	if score != nil && score.Drifted {
		e.Reliable = false
		e.Reasons = append(e.Reasons, "the score distribution drifted ("+score.Describe()+")")
	}
}

// normalQuantile is the standard normal quantile.
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}
