package drift

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// DatasetResult is the drift of a set of features: Evidently's dataset
// drift (the share of drifted features at or above DatasetShare).
type DatasetResult struct {
	Features []FeatureResult `json:"features"`
	// Drifted counts the features whose test flags drift, Share is
	// Drifted over the number of features, Threshold the dataset share
	// and DatasetDrift whether Share reaches it.
	Drifted      int     `json:"drifted"`
	Share        float64 `json:"share"`
	Threshold    float64 `json:"threshold"`
	DatasetDrift bool    `json:"dataset_drift"`
	// PSIDrifted counts the features whose PSI reaches its threshold.
	PSIDrifted int `json:"psi_drifted"`
}

// Summarize counts the drifted features of features.
func Summarize(features []FeatureResult, opts Options) DatasetResult {
	d := DatasetResult{Features: features, Threshold: opts.DatasetShare}
	for _, f := range features {
		if f.Drifted {
			d.Drifted++
		}
		if f.PSIDrifted {
			d.PSIDrifted++
		}
	}
	if len(features) > 0 {
		d.Share = float64(d.Drifted) / float64(len(features))
		d.DatasetDrift = d.Share >= opts.DatasetShare
	}
	return d
}

// Describe says in words what a feature's test found, for example
// "normalized Wasserstein distance 0.23 >= 0.1: drifted".
func (f FeatureResult) Describe() string {
	verdict := "no drift"
	if f.Drifted {
		verdict = "drifted"
	}
	switch f.Method {
	case MethodWasserstein:
		return fmt.Sprintf("normalized Wasserstein distance %.3g (threshold %.3g): %s", f.Score, f.Threshold, verdict)
	case MethodJensenShannon:
		return fmt.Sprintf("Jensen-Shannon distance %.3g (threshold %.3g): %s", f.Score, f.Threshold, verdict)
	case MethodKS:
		return fmt.Sprintf("Kolmogorov-Smirnov D %.3g, p = %.3g (drift below %.3g): %s", f.Statistic, f.Score, f.Threshold, verdict)
	case MethodChiSquare:
		if math.IsInf(f.Statistic, 1) {
			return fmt.Sprintf("chi-square infinite: a value the reference never had appears, p = 0 (drift below %.3g): %s", f.Threshold, verdict)
		}
		return fmt.Sprintf("chi-square %.3g, p = %.3g (drift below %.3g): %s", f.Statistic, f.Score, f.Threshold, verdict)
	case MethodZ:
		return fmt.Sprintf("two-proportion z %.3g, p = %.3g (drift below %.3g): %s", f.Statistic, f.Score, f.Threshold, verdict)
	}
	return verdict
}

// featureJSON is FeatureResult's JSON form: the statistic is omitted when
// zero (distances have none) and null when infinite (a chi-square with a
// value the reference never had), which JSON numbers cannot hold.
type featureJSON struct {
	plainFeature
	Statistic json.RawMessage `json:"statistic,omitempty"`
}

type plainFeature FeatureResult

// MarshalJSON writes an infinite statistic as null.
func (f FeatureResult) MarshalJSON() ([]byte, error) {
	j := featureJSON{plainFeature: plainFeature(f)}
	switch {
	case math.IsInf(f.Statistic, 1):
		j.Statistic = json.RawMessage("null")
	case f.Statistic != 0:
		j.Statistic = json.RawMessage(strconv.FormatFloat(f.Statistic, 'g', -1, 64))
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a null statistic back as +Inf.
func (f *FeatureResult) UnmarshalJSON(b []byte) error {
	var j featureJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = FeatureResult(j.plainFeature)
	switch string(j.Statistic) {
	case "":
		f.Statistic = 0
	case "null":
		f.Statistic = math.Inf(1)
	default:
		return json.Unmarshal(j.Statistic, &f.Statistic)
	}
	return nil
}
