//go:build !amd64

package metrics

// expFMAPath is false off amd64: sigmoid calls math.Exp (amd64 has an
// inlined copy of its FMA path, expFMA).
const expFMAPath = false

func expFMA(x float64) float64 { panic("metrics: expFMA off amd64") }

// sigmoidsInPlace sets t[i] = sigmoid(t[i]) for every i.
func sigmoidsInPlace(t []float64) {
	for i, v := range t {
		t[i] = sigmoid(v)
	}
}

const sigmoidAVX2Path = false
