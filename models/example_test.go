package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/evalrun/evalrun/models"
)

// Logistic regression on two features; coefficients on the standardized
// scale, and one student's score split into reasons. (scikit-learn 1.2.1
// StandardScaler + LogisticRegression(), whose default lbfgs solver the
// default config reproduces, gives coefficients 1.06818269 and -0.83929850,
// intercept -0.08174845, after 7 iterations; the exact minimizer, Solver
// "newton", is 1.06816593, -0.83933738, -0.08175344.)
func ExampleLogistic() {
	x := &models.Matrix{Rows: 8, Cols: 2, Names: []string{"late_submissions", "clicks"},
		Data: []float64{0, 120, 1, 80, 3, 20, 0, 200, 2, 15, 4, 10, 1, 90, 3, 60}}
	y := []uint8{0, 0, 1, 0, 1, 1, 0, 1}
	m := models.Logistic{Config: models.DefaultLogisticConfig()}
	f, err := m.FitLogistic(context.Background(), models.TrainingSet{Rows: models.Rows{X: x}, Y: y})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := f.Summary()
	fmt.Printf("late_submissions %.3f, clicks %.3f (%s)\n", s.Coefficients["late_submissions"], s.Coefficients["clicks"], s.CoefficientScale[:12])
	student := models.Rows{X: &models.Matrix{Rows: 1, Cols: 2, Names: x.Names, Data: []float64{4, 30}}}
	contrib, base, _ := f.Explain(context.Background(), student)
	logit, _ := f.RawScore(context.Background(), student)
	fmt.Printf("base %.3f + late %.3f + clicks %.3f = logit %.3f\n", base[0], contrib[0][0], contrib[0][1], logit[0])
	// Output:
	// late_submissions 1.068, clicks -0.839 (standardized)
	// base -0.082 + late 1.727 + clicks 0.619 = logit 2.264
}

// TreeSHAP reasons of a gradient boosting model add up to its log-odds.
func ExampleGBM() {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 400
	x := &models.Matrix{Rows: n, Cols: 2, Names: []string{"quiz", "clicks"}, Data: make([]float64, 2*n)}
	y := make([]uint8, n)
	for i := 0; i < n; i++ {
		x.Data[2*i], x.Data[2*i+1] = rng.Float64(), rng.Float64()
		if x.Data[2*i] < 0.3 && rng.Float64() < 0.9 {
			y[i] = 1
		}
	}
	f, err := models.GBM{Config: models.GBMConfig{MaxIter: 20}}.Fit(context.Background(), models.TrainingSet{Rows: models.Rows{X: x}, Y: y}, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	e := f.(models.Explainer)
	student := models.Rows{X: &models.Matrix{Rows: 1, Cols: 2, Names: x.Names, Data: []float64{0.1, 0.5}}}
	contrib, base, _ := e.Explain(context.Background(), student)
	raw, _ := e.RawScore(context.Background(), student)
	fmt.Printf("quiz reason larger than clicks reason: %v\n", contrib[0][0] > contrib[0][1])
	fmt.Printf("base + reasons = raw score (%s): %.6f = %.6f\n", e.RawScoreScale(), base[0]+contrib[0][0]+contrib[0][1], raw[0])
	// Output:
	// quiz reason larger than clicks reason: true
	// base + reasons = raw score (log-odds): 1.978135 = 1.978135
}
