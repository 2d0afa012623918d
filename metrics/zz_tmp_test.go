package metrics

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTmpCalibrationSpeed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 15720
	for _, constant := range []bool{false, true} {
		y := make([]uint8, n)
		p := make([]float64, n)
		for i := range p {
			p[i] = r.Float64()*0.9 + 0.05
			if constant {
				p[i] = 0.3217
			}
			if r.Float64() < p[i] {
				y[i] = 1
			}
		}
		start := time.Now()
		c, err := Calibration(y, p, 10)
		t.Logf("constant=%v %v %v %v", constant, time.Since(start), err, c.Undefined)
	}
}
