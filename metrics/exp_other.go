//go:build !amd64

package metrics

// expFMAPath is false off amd64: sigmoid calls math.Exp (amd64 has an
// inlined copy of its FMA path, expFMA).
const expFMAPath = false

func expFMA(x float64) float64 { panic("metrics: expFMA off amd64") }
