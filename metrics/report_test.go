package metrics

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	y := []uint8{1, 0, 1, 0, 1}
	s := []float64{0.9, 0.8, 0.7, 0.6, 0.5}
	r, err := Evaluate(y, s, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 5 || r.Positives != 3 || r.TP != 2 || r.FP != 1 || r.TN != 1 || r.FN != 1 || r.Flagged != 3 {
		t.Fatalf("counts: %+v", r)
	}
	// By hand: AUC = 3 pairs won of 6; AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45;
	// Brier = (0.01+0.64+0.09+0.36+0.25)/5; log loss = -mean ln(.9 .2 .7 .4 .5).
	want := map[string]float64{
		"base_rate": 0.6, "auc": 0.5, "average_precision": 34.0 / 45, "brier": 0.27,
		"log_loss": 0.7361822568929519, "precision": 2.0 / 3, "recall": 2.0 / 3, "f1": 2.0 / 3,
		"accuracy": 0.6, "specificity": 0.5, "balanced_accuracy": (2.0/3 + 0.5) / 2,
	}
	got := map[string]*float64{
		"base_rate": &r.BaseRate, "auc": r.AUC, "average_precision": r.AveragePrecision, "brier": r.Brier,
		"log_loss": r.LogLoss, "precision": r.Precision, "recall": r.Recall, "f1": r.F1,
		"accuracy": r.Accuracy, "specificity": r.Specificity, "balanced_accuracy": r.BalancedAccuracy,
	}
	for name, w := range want {
		if got[name] == nil {
			t.Errorf("%s undefined", name)
			continue
		}
		assertClose(t, name, *got[name], w, 1e-15)
	}
	if r.Undefined != nil {
		t.Errorf("undefined = %v, want none", r.Undefined)
	}
}

// Golden JSON: a single-class sample with non-probability scores, nothing
// flagged. Every undefined value is null with its reason; nothing is 0 or
// NaN in their place.
func TestEvaluateJSONUndefined(t *testing.T) {
	r, err := Evaluate([]uint8{0, 0, 0}, []float64{-1, 2, 3.5}, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":3,"positives":0,"base_rate":0,"auc":null,"average_precision":null,"brier":null,"log_loss":null,` +
		`"threshold":10,"tp":0,"fp":0,"tn":3,"fn":0,"flagged":0,"precision":null,"recall":null,"f1":null,` +
		`"accuracy":1,"specificity":1,"balanced_accuracy":null,"undefined":{` +
		`"auc":"labels hold a single class","average_precision":"no positive labels",` +
		`"balanced_accuracy":"labels hold a single class","brier":"scores are not probabilities in [0, 1]",` +
		`"f1":"no positive labels and nothing flagged","log_loss":"scores are not probabilities in [0, 1]",` +
		`"precision":"nothing flagged (TP + FP = 0)","recall":"no positive labels"}}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	if strings.Contains(string(b), "NaN") {
		t.Error("JSON contains NaN")
	}
}

func TestEvaluateOnlyPositives(t *testing.T) {
	r, err := Evaluate([]uint8{1, 1}, []float64{0.2, 0.8}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if r.AUC != nil || r.AveragePrecision == nil || *r.AveragePrecision != 1 || r.Specificity != nil {
		t.Errorf("only positives: %+v", r)
	}
	if r.Undefined["auc"] == "" || r.Undefined["specificity"] == "" {
		t.Errorf("missing reasons: %v", r.Undefined)
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name      string
		y         []uint8
		s         []float64
		threshold float64
	}{
		{"empty", nil, nil, 0.5},
		{"length", []uint8{0, 1}, []float64{0.5}, 0.5},
		{"nan score", []uint8{0, 1}, []float64{0.5, nan}, 0.5},
		{"label", []uint8{0, 7}, []float64{0.5, 0.5}, 0.5},
		{"nan threshold", []uint8{0, 1}, []float64{0.5, 0.6}, nan},
		{"infinite threshold", []uint8{0, 1}, []float64{0.5, 0.6}, inf},
	}
	for _, tt := range tests {
		if _, err := Evaluate(tt.y, tt.s, tt.threshold); err == nil {
			t.Errorf("%s: want error", tt.name)
		}
	}
}
