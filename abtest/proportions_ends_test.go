package abtest

import "testing"

// TestWilsonEndsAtTheBounds checks that the interval of 0 events starts at
// 0 and that of n events ends at 1 exactly, for counts where the formula's
// rounding lands a hair off.
func TestWilsonEndsAtTheBounds(t *testing.T) {
	for n := 1; n <= 200; n++ {
		for _, level := range []float64{0.9, 0.95, 0.99} {
			lo, err := Wilson(0, n, level)
			if err != nil {
				t.Fatal(err)
			}
			hi, err := Wilson(n, n, level)
			if err != nil {
				t.Fatal(err)
			}
			if lo.Lower != 0 || hi.Upper != 1 {
				t.Fatalf("n=%d level=%g: Wilson(0) lower %g, Wilson(n) upper %g; want 0 and 1", n, level, lo.Lower, hi.Upper)
			}
			if lo.Upper <= 0 || lo.Upper >= 1 || hi.Lower <= 0 || hi.Lower >= 1 {
				t.Fatalf("n=%d level=%g: inner ends %g and %g outside (0, 1)", n, level, lo.Upper, hi.Lower)
			}
		}
	}
}
