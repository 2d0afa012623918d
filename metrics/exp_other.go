//go:build !amd64

package metrics

// expFMAPath is false off amd64: sigmoid calls math.Exp (amd64 has an
// inlined copy of its FMA path, expFMA).
const expFMAPath = false

func expFMA(x float64) float64 { panic("metrics: expFMA off amd64") }

// sigmoidsLinear sets dst[i] = sigmoid(a + b·x[i]) for every i;
// len(dst) >= len(x).
func sigmoidsLinear(dst, x []float64, a, b float64) {
	for i, v := range x {
		dst[i] = sigmoid(a + b*v)
	}
}

const sigmoidAVX2Path = false
