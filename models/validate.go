package models

import (
	"fmt"
	"math"
)

// validateTraining checks a training set: a non-nil matrix with at least one
// row, data and names sized to Rows x Cols, one 0/1 label per row, and (unless
// allowNaN) only finite values. With bothClasses, both labels must occur.
func validateTraining(kind string, train TrainingSet, allowNaN, bothClasses bool) error {
	x := train.X
	if x == nil {
		return fmt.Errorf("%s: training set has no feature matrix", kind)
	}
	if x.Rows <= 0 {
		return fmt.Errorf("%s: empty training set", kind)
	}
	if err := validateMatrix(x, allowNaN); err != nil {
		return fmt.Errorf("%s: training set: %w", kind, err)
	}
	if len(train.Y) != x.Rows {
		return fmt.Errorf("%s: training set has %d labels for %d rows", kind, len(train.Y), x.Rows)
	}
	var n1 int
	for i, v := range train.Y {
		if v > 1 {
			return fmt.Errorf("%s: training label %d in row %d is not 0 or 1", kind, v, i)
		}
		n1 += int(v)
	}
	if bothClasses && (n1 == 0 || n1 == x.Rows) {
		return fmt.Errorf("%s: training set has only one class (%d of %d rows positive)", kind, n1, x.Rows)
	}
	return nil
}

// validateMatrix checks the shape of x and, unless allowNaN, that every value
// is finite. Infinite values are always rejected; NaN is allowed only with
// allowNaN (it marks a missing value).
func validateMatrix(x *Matrix, allowNaN bool) error {
	if x.Rows < 0 || x.Cols < 0 {
		return fmt.Errorf("matrix has negative shape %d x %d", x.Rows, x.Cols)
	}
	if len(x.Data) != x.Rows*x.Cols {
		return fmt.Errorf("matrix data holds %d values, want %d x %d = %d", len(x.Data), x.Rows, x.Cols, x.Rows*x.Cols)
	}
	if x.Names != nil && len(x.Names) != x.Cols {
		return fmt.Errorf("matrix has %d column names for %d columns", len(x.Names), x.Cols)
	}
	for k, v := range x.Data {
		if math.IsInf(v, 0) || (!allowNaN && math.IsNaN(v)) {
			return fmt.Errorf("non-finite value %v in row %d, column %s", v, k/max(x.Cols, 1), columnName(x.Names, k%max(x.Cols, 1)))
		}
	}
	return nil
}

// validatePredictRows checks rows handed to a fitted model against the
// training columns: same count and, when both sides have names, the same names
// in the same order.
func validatePredictRows(kind string, rows Rows, trainNames []string, trainCols int, allowNaN bool) error {
	x := rows.X
	if x == nil {
		return fmt.Errorf("%s: rows have no feature matrix", kind)
	}
	if x.Cols != trainCols {
		return fmt.Errorf("%s: rows have %d columns, model was trained on %d", kind, x.Cols, trainCols)
	}
	if x.Names != nil && trainNames != nil {
		for j := range trainNames {
			if j < len(x.Names) && x.Names[j] != trainNames[j] {
				return fmt.Errorf("%s: column %d is %q, model was trained with %q there", kind, j, x.Names[j], trainNames[j])
			}
		}
	}
	if err := validateMatrix(x, allowNaN); err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return nil
}

// columnName returns names[j], or "#j" when names are absent.
func columnName(names []string, j int) string {
	if j < len(names) {
		return fmt.Sprintf("%q", names[j])
	}
	return fmt.Sprintf("#%d", j)
}

// copyNames returns a copy of names, or generated names x0, x1, ... when nil.
func copyNames(names []string, cols int) []string {
	out := make([]string, cols)
	for j := range out {
		if j < len(names) {
			out[j] = names[j]
		} else {
			out[j] = fmt.Sprintf("x%d", j)
		}
	}
	return out
}

// classWeights returns the weights of class 0 and class 1: 1 and 1 for mode
// "", or scikit-learn's "balanced" n / (2 * n_class). A class absent from y
// gets weight 0 under "balanced".
func classWeights(y []uint8, mode string) (w0, w1 float64, err error) {
	switch mode {
	case "":
		return 1, 1, nil
	case "balanced":
		var n1 int
		for _, v := range y {
			n1 += int(v)
		}
		n := len(y)
		n0 := n - n1
		if n0 > 0 {
			w0 = float64(n) / (2 * float64(n0))
		}
		if n1 > 0 {
			w1 = float64(n) / (2 * float64(n1))
		}
		return w0, w1, nil
	default:
		return 0, 0, fmt.Errorf("class_weight %q: want \"\" or \"balanced\"", mode)
	}
}
