package explain

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/evalrun/evalrun/models"
)

// groupedRows draws n rows of two features in groups m00..m(groups-1) with
// random intercepts of SD 1.5, so several groups raise their students'
// risk more than any feature does.
func groupedRows(n, groups int, seed uint64) models.TrainingSet {
	rng := rand.New(rand.NewPCG(seed, 9))
	b := make([]float64, groups)
	for g := range b {
		b[g] = 1.5 * rng.NormFloat64()
	}
	x := &models.Matrix{Rows: n, Cols: 2, Names: []string{"clicks", "late"}, Data: make([]float64, 2*n)}
	set := models.TrainingSet{Rows: models.Rows{X: x, Groups: make([]string, n)}, Y: make([]uint8, n)}
	for i := 0; i < n; i++ {
		g := rng.IntN(groups)
		r := x.Row(i)
		r[0], r[1] = rng.Float64()*10, float64(rng.IntN(3))
		if rng.Float64() < 1/(1+math.Exp(-(-0.3*r[0]+0.5*r[1]+1+b[g]))) {
			set.Y[i] = 1
		}
		set.Groups[i] = fmt.Sprintf("m%02d", g)
	}
	return set
}

// TestStudentReasonsNameTheRandomIntercept: under mixed_logistic a
// student's reasons are the k largest positive terms among the feature
// contributions and the group's random intercept (its conditional mode),
// the intercept named as its group ("code_module m03"), not folded into
// the base; a student of a group unseen in training gets no group reason;
// a model without groups gets exactly TopReasons.
func TestStudentReasonsNameTheRandomIntercept(t *testing.T) {
	ctx := context.Background()
	train := groupedRows(800, 8, 1)
	fitted, err := models.MixedLogistic{Config: models.MixedLogisticConfig{GroupColumn: "code_module"}}.Fit(ctx, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := fitted.(*models.FittedMixedLogistic)
	modes := f.Summary().RandomIntercept.Modes
	test := groupedRows(200, 10, 2) // m08 and m09 unseen
	const k = 2
	got, err := StudentReasons(ctx, f, test.Rows, k)
	if err != nil {
		t.Fatal(err)
	}
	contrib, _, _ := f.Explain(ctx, test.Rows)
	withGroup, unseen := 0, 0
	for i, rs := range got {
		type term struct {
			name string
			v    float64
		}
		var want []term
		for j, c := range contrib[i] {
			if c > 0 {
				want = append(want, term{test.X.Names[j], c})
			}
		}
		g := test.Groups[i]
		mode, known := modes[g]
		if !known {
			unseen++
		}
		if mode > 0 {
			want = append(want, term{"code_module " + g, mode})
		}
		sort.SliceStable(want, func(a, b int) bool { return want[a].v > want[b].v })
		if len(want) > k {
			want = want[:k]
		}
		if len(rs) != len(want) {
			t.Fatalf("row %d (group %s, mode %g): reasons %+v, want %+v", i, g, mode, rs, want)
		}
		for r, w := range want {
			name := rs[r].Feature
			if rs[r].IsGroupEffect() {
				withGroup++
				if rs[r].Feature != "code_module" || rs[r].Group != g || rs[r].Value != 0 {
					t.Errorf("row %d: group reason %+v, want code_module %s", i, rs[r], g)
				}
				name = "code_module " + rs[r].Group
			}
			if name != w.name || rs[r].Contribution != w.v {
				t.Errorf("row %d reason %d: %s %+g, want %s %+g", i, r, name, rs[r].Contribution, w.name, w.v)
			}
		}
	}
	if withGroup < 20 || unseen < 10 {
		t.Errorf("%d group reasons, %d rows of unseen groups: the test data does not exercise both", withGroup, unseen)
	}

	plain, err := models.Logistic{Config: models.DefaultLogisticConfig()}.Fit(ctx, models.TrainingSet{Rows: models.Rows{X: train.X}, Y: train.Y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lr := plain.(models.Explainer)
	gotLR, err := StudentReasons(ctx, lr, models.Rows{X: test.X}, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := lr.Explain(ctx, models.Rows{X: test.X})
	wantLR := TopReasons(c, test.X, k)
	if fmt.Sprint(gotLR) != fmt.Sprint(wantLR) {
		t.Errorf("logistic: StudentReasons %v, TopReasons %v", gotLR, wantLR)
	}
}
