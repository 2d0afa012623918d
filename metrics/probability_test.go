package metrics

import (
	"math"
	"testing"
)

func TestBrierLogLoss(t *testing.T) {
	tests := []struct {
		name           string
		y              []uint8
		p              []float64
		brier, logLoss float64
	}{
		// By hand: ((0.25)^2 + (0.5)^2)/2; -(ln 0.75 + ln 0.5)/2.
		{"two rows", []uint8{0, 1}, []float64{0.25, 0.5}, 0.15625, 0.4904146265058631},
		// Clipping as scikit-learn 1.2.1 (eps = finfo(float64).eps = 2^-52):
		// -ln(2^-52) = 52 ln 2 either way, since 1 - 2^-52 is exact.
		{"confident miss, positive", []uint8{1}, []float64{0}, 1, 52 * math.Ln2},
		{"confident miss, negative", []uint8{0}, []float64{1}, 1, 52 * math.Ln2},
		// Perfect predictions: the clip leaves -ln(1-2^-52) ≈ 2.2e-16 per row.
		{"perfect", []uint8{0, 1}, []float64{0, 1}, 0, 2.220446049250313e-16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Brier(tt.y, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "brier", b, tt.brier, 1e-14)
			l, err := LogLoss(tt.y, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "log loss", l, tt.logLoss, 1e-14)
		})
	}
}

func TestProbabilityErrors(t *testing.T) {
	tests := []struct {
		name string
		y    []uint8
		p    []float64
		want error
	}{
		{"empty", nil, nil, ErrEmpty},
		{"length", []uint8{0, 1}, []float64{0.5}, ErrLength},
		{"nan", []uint8{0, 1}, []float64{0.5, nan}, ErrNaN},
		{"above one", []uint8{0, 1}, []float64{0.5, 1.5}, ErrProbability},
		{"negative", []uint8{0, 1}, []float64{-0.1, 0.5}, ErrProbability},
		{"label", []uint8{3, 1}, []float64{0.5, 0.5}, ErrLabel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Brier(tt.y, tt.p)
			assertErrIs(t, err, tt.want)
			_, err = LogLoss(tt.y, tt.p)
			assertErrIs(t, err, tt.want)
			_, err = Calibration(tt.y, tt.p, 10)
			assertErrIs(t, err, tt.want)
		})
	}
}

// The clipping bound is scikit-learn 1.2's 2^-52, not the older 1e-15: a
// perfect prediction costs -ln(1 - 2^-52) per row, to 1e-12 relative.
func TestLogLossClipBound(t *testing.T) {
	l, err := LogLoss([]uint8{0, 1}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := -math.Log1p(-0x1p-52)
	if math.Abs(l-want) > 1e-12*want {
		t.Errorf("log loss of perfect predictions = %g, want %g", l, want)
	}
}
