package datasets

// NoOutcome is the Frame.Labels value of a student whose outcome is not
// known yet (a running term): loaders keep such rows only when asked
// (CSVOptions.KeepUnlabelled, OULADOptions.KeepUnlabelled). They are never
// used for training or evaluation; Labelled separates them.
const NoOutcome uint8 = 255

// HasOutcome reports whether row i has a known outcome.
func (f *Frame) HasOutcome(i int) bool { return f.Labels[i] != NoOutcome }

// Labelled splits f into the rows with a known outcome and those without
// (nil when every row has an outcome). Both keep f's columns, cutoff and
// load report; rows keep their order.
func (f *Frame) Labelled() (labelled, unlabelled *Frame) {
	var with, without []int
	for i := range f.Labels {
		if f.HasOutcome(i) {
			with = append(with, i)
		} else {
			without = append(without, i)
		}
	}
	if len(without) == 0 {
		return f, nil
	}
	return f.Subset(with), f.Subset(without)
}

// Subset returns a frame holding rows idx of f, in that order, with f's
// columns, cutoff and load report.
func (f *Frame) Subset(idx []int) *Frame {
	out := &Frame{Dataset: f.Dataset, Cutoff: f.Cutoff, Report: f.Report,
		Keys: make([]string, len(idx)), Students: make([]string, len(idx)), Terms: make([]string, len(idx)),
		Courses: make([]string, len(idx)), Labels: make([]uint8, len(idx))}
	for j, i := range idx {
		out.Keys[j], out.Students[j], out.Terms[j], out.Labels[j] = f.Keys[i], f.Students[i], f.Terms[i], f.Labels[i]
		if i < len(f.Courses) {
			out.Courses[j] = f.Courses[i]
		}
	}
	out.Numeric = make([]NumericColumn, len(f.Numeric))
	for c, col := range f.Numeric {
		v := make([]float64, len(idx))
		for j, i := range idx {
			v[j] = col.Values[i]
		}
		out.Numeric[c] = NumericColumn{Name: col.Name, Values: v}
	}
	out.Categorical = make([]CategoricalColumn, len(f.Categorical))
	for c, col := range f.Categorical {
		v := make([]string, len(idx))
		for j, i := range idx {
			v[j] = col.Values[i]
		}
		out.Categorical[c] = CategoricalColumn{Name: col.Name, Values: v}
	}
	if f.Trails != nil {
		out.Trails = make([][]AssessmentRecord, len(idx))
		for j, i := range idx {
			out.Trails[j] = f.Trails[i]
		}
	}
	return out
}
