package models

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// groupedData draws n rows in groups "m00".."m{groups-1}" with a random
// intercept of SD sd and the persistData covariates.
func groupedData(n, groups int, sd float64, seed uint64) TrainingSet {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := make([]float64, groups)
	for g := range b {
		b[g] = sd * rng.NormFloat64()
	}
	x := &Matrix{Rows: n, Cols: 3, Data: make([]float64, n*3), Names: []string{"clicks", "late", "credits"}}
	set := TrainingSet{Rows: Rows{X: x, Groups: make([]string, n)}, Y: make([]uint8, n)}
	for i := 0; i < n; i++ {
		g := rng.IntN(groups)
		r := x.Row(i)
		r[0], r[1], r[2] = rng.Float64()*10, float64(rng.IntN(4)), 30*float64(1+rng.IntN(4))
		eta := -0.2 - 0.25*r[0] + 0.6*r[1] + b[g]
		if rng.Float64() < sigmoid(eta) {
			set.Y[i] = 1
		}
		set.Groups[i] = fmt.Sprintf("m%02d", g)
	}
	return set
}

// TestMixedLogistic: known groups are scored with their conditional mode,
// unseen and unlabeled ones at the population level; Explain adds up to
// the log-odds with a per-group base; the summary reports the random
// intercept.
func TestMixedLogistic(t *testing.T) {
	ctx := context.Background()
	train := groupedData(600, 8, 1.0, 1)
	train.Groups[0] = "" // left out of the fit, counted
	fitted, err := MixedLogistic{Config: MixedLogisticConfig{GroupColumn: "code_module"}}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := fitted.(*FittedMixedLogistic)
	s := f.Summary()
	ri := s.RandomIntercept
	if ri == nil || ri.Groups != 8 || ri.UnlabeledTrainingRows != 1 || ri.SingularFit || ri.SD < 0.4 || ri.NAGQ != 1 {
		t.Fatalf("random intercept summary %+v", ri)
	}
	if math.Abs(ri.ICC-ri.SD*ri.SD/(ri.SD*ri.SD+math.Pi*math.Pi/3)) > 1e-15 || len(ri.Modes) != 8 {
		t.Errorf("ICC %g, %d modes", ri.ICC, len(ri.Modes))
	}
	test := groupedData(50, 10, 1.0, 2) // m08, m09 unseen
	test.Groups[1] = ""
	p, err := f.Predict(ctx, test.Rows)
	if err != nil {
		t.Fatal(err)
	}
	unseen := 0
	for i, g := range test.Groups {
		eta := *s.Intercept
		for j, n := range test.X.Names {
			eta += s.Coefficients[n] * test.X.At(i, j)
		}
		mode, known := ri.Modes[g]
		if !known {
			unseen++
		}
		if want := sigmoid(eta + mode); math.Abs(p[i]-want) > 1e-12 {
			t.Errorf("row %d (group %q): p %g, want %g", i, g, p[i], want)
		}
	}
	if got := f.PopulationLevelRows(test.Rows); got != unseen || unseen < 2 {
		t.Errorf("population-level rows %d, want %d (at least 2)", got, unseen)
	}
	contrib, base, err := f.Explain(ctx, test.Rows)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.RawScore(ctx, test.Rows)
	for i := range raw {
		sum := base[i]
		for _, c := range contrib[i] {
			sum += c
		}
		if math.Abs(sum-raw[i]) > 1e-12 {
			t.Errorf("row %d: base + contributions %g, raw %g", i, sum, raw[i])
		}
	}
	if _, err := f.Predict(ctx, Rows{X: test.X}); err == nil || !strings.Contains(err.Error(), `group labels (column "code_module")`) {
		t.Errorf("rows without groups: error %v", err)
	}
	if _, err := (MixedLogistic{Config: MixedLogisticConfig{GroupColumn: "code_module"}}).Fit(ctx, TrainingSet{Rows: Rows{X: train.X}, Y: train.Y}, nil); err == nil {
		t.Error("training rows without groups: want an error")
	}
}

// TestMixedLogisticRoundTrip: written and read back, the model is the same
// value and predicts, explains and summarizes bit for bit the same (also
// with adaptive quadrature and for a singular fit).
func TestMixedLogisticRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  MixedLogisticConfig
		sd   float64
	}{
		{"laplace", MixedLogisticConfig{GroupColumn: "code_module"}, 1},
		{"agq", MixedLogisticConfig{GroupColumn: "section", NAGQ: 7}, 1},
		{"singular", MixedLogisticConfig{GroupColumn: "code_module"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fitted, err := MixedLogistic{Config: tc.cfg}.Fit(ctx, groupedData(400, 6, tc.sd, 3), nil)
			if err != nil {
				t.Fatal(err)
			}
			params, err := fitted.(Persistent).MarshalFitted()
			if err != nil {
				t.Fatal(err)
			}
			wire, _ := json.Marshal(params)
			var back FittedParams
			if err := json.Unmarshal(wire, &back); err != nil {
				t.Fatal(err)
			}
			got, err := UnmarshalFitted(back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, fitted) || !reflect.DeepEqual(got.Summary(), fitted.Summary()) {
				t.Errorf("model read back differs:\n got %+v\nwant %+v", got, fitted)
			}
			test := groupedData(100, 8, tc.sd, 4)
			want, _ := fitted.Predict(ctx, test.Rows)
			have, err := got.Predict(ctx, test.Rows)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float64bits(want[i]) != math.Float64bits(have[i]) {
					t.Fatalf("row %d: %v read back, %v fitted", i, have[i], want[i])
				}
			}
			c1, b1, _ := fitted.(Explainer).Explain(ctx, test.Rows)
			c2, b2, _ := got.(Explainer).Explain(ctx, test.Rows)
			if !reflect.DeepEqual(c1, c2) || !reflect.DeepEqual(b1, b2) {
				t.Error("Explain differs after the round trip")
			}
			again, _ := got.(Persistent).MarshalFitted()
			if string(again.Params) != string(params.Params) {
				t.Error("marshalling the model read back gives other bytes")
			}
			if singular := fitted.Summary().RandomIntercept.SingularFit; singular != (tc.sd == 0) {
				t.Fatalf("singular fit %v: the case wants %v", singular, tc.sd == 0)
			}
		})
	}
	bad := []struct{ params, want string }{
		{`{"config":{"group":"g"},"columns":["a"],"intercept":0,"coefficients":[1,2],"std_errors":[1,1],"center":[0],"sd":1,"groups":["x","y"],"modes":[0,0]}`, "2 coefficients"},
		{`{"config":{"group":"g"},"columns":["a"],"intercept":0,"coefficients":[1],"std_errors":[1,1],"center":[0],"sd":-1,"groups":["x","y"],"modes":[0,0]}`, "sd is -1"},
		{`{"config":{"group":"g"},"columns":["a"],"intercept":0,"coefficients":[1],"std_errors":[1,1],"center":[0],"sd":1,"groups":["y","x"],"modes":[0,0]}`, "not sorted"},
		{`{"config":{"group":""},"columns":[],"intercept":0,"coefficients":[],"std_errors":[1],"center":[],"sd":1,"groups":[],"modes":[]}`, "config.group is empty"},
		{`{"config":{"group":"g"},"columns":[],"intercept":0,"coefficients":[],"std_errors":[1],"center":[],"sd":1,"groups":["x"],"modes":[]}`, "0 modes for 1 groups"},
	}
	for _, b := range bad {
		if _, err := UnmarshalFitted(FittedParams{Kind: "mixed_logistic", Params: json.RawMessage(b.params)}); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want %q", b.params, err, b.want)
		}
	}
}
