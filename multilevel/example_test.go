package multilevel_test

import (
	"context"
	"fmt"

	"github.com/evalrun/evalrun/multilevel"
)

// A random intercept for each of four course sections; one covariate.
func ExampleFitRandomIntercept() {
	d := multilevel.Data{Cols: 1}
	sections := []string{"A", "B", "C", "D"}
	for s, name := range sections {
		for i := 0; i < 30; i++ {
			x := float64(i%10) / 3
			d.X = append(d.X, x)
			y := 0.0
			if (i*7+s*5)%10 < 3+s+int(x) {
				y = 1
			}
			d.Y = append(d.Y, y)
			d.Group = append(d.Group, name)
		}
	}
	fit, err := multilevel.FitRandomIntercept(context.Background(), d, multilevel.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("beta %.3f %.3f, SD %.3f, ICC %.3f, singular %v\n", fit.Beta[0], fit.Beta[1], fit.SD, fit.ICC(), fit.Singular)
	p, known := fit.Predict([]float64{1}, "Z")
	fmt.Printf("unseen section: population-level p %.3f (known %v)\n", p, known)
	// Output:
	// beta 0.184 0.293, SD 0.880, ICC 0.190, singular false
	// unseen section: population-level p 0.617 (known false)
}
