package archetypes

import (
	"fmt"
	"math"
	"sort"
)

// Model is a fitted set of archetypes: centres to assign new students and,
// per archetype, its mean trajectory, shape and name.
type Model struct {
	Transform Transform `json:"transform"`
	// Weeks is the trajectory length the model was fitted on.
	Weeks int `json:"weeks"`
	// Centers[j] is archetype j's centre in transformed units.
	Centers [][]float64 `json:"centers"`
	// Profiles[j] is archetype j's mean raw trajectory.
	Profiles [][]float64 `json:"profiles"`
	// Shapes[j] describes Profiles[j]; Names[j] is derived from it by
	// NameShape (made unique).
	Shapes []Shape  `json:"shapes"`
	Names  []string `json:"names"`
	// Sizes[j] is the number of training students in archetype j.
	Sizes []int `json:"sizes"`
}

// Assign returns the archetype of each trajectory: the nearest centre
// (squared Euclidean after the model's transform, the lower number on
// ties). Test students are assigned by the training centres, so membership
// can be a model feature without leakage.
func (m *Model) Assign(trajectories [][]float64) ([]int, error) {
	if len(trajectories) == 0 {
		return nil, nil
	}
	raw, err := toMatrix(trajectories, "archetypes: assign")
	if err != nil {
		return nil, err
	}
	if raw.d != m.Weeks {
		return nil, fmt.Errorf("archetypes: assign: trajectories have %d weeks, the model %d", raw.d, m.Weeks)
	}
	x, err := m.Transform.apply(raw)
	if err != nil {
		return nil, fmt.Errorf("archetypes: assign: %w", err)
	}
	out := make([]int, x.n)
	for i := range out {
		r := x.row(i)
		best, bd := 0, math.Inf(1)
		for j, c := range m.Centers {
			if d := sqDist(r, c); d < bd {
				best, bd = j, d
			}
		}
		out[i] = best
	}
	return out, nil
}

func newModel(raw, x matrix, labels []int32, centers []float64, k int, t Transform, overall float64) *Model {
	d := raw.d
	m := &Model{Transform: t, Weeks: d, Centers: matrix{n: k, d: d, v: centers}.rows(), Sizes: make([]int, k)}
	prof := make([]float64, k*d)
	for i, l := range labels {
		m.Sizes[l]++
		row := prof[int(l)*d : (int(l)+1)*d]
		for t, v := range raw.row(i) {
			row[t] += v
		}
	}
	for j := 0; j < k; j++ {
		row := prof[j*d : (j+1)*d]
		if m.Sizes[j] > 0 {
			for t := range row {
				row[t] /= float64(m.Sizes[j])
			}
		}
	}
	m.Profiles = matrix{n: k, d: d, v: prof}.rows()
	m.Shapes = make([]Shape, k)
	m.Names = make([]string, k)
	for j := range m.Shapes {
		m.Shapes[j] = ShapeOf(m.Profiles[j], overall)
		m.Names[j] = NameShape(m.Shapes[j])
	}
	uniqueNames(m.Names, m.Shapes)
	return m
}

// Shape summarises a mean weekly trajectory.
type Shape struct {
	// Level is the trajectory's mean week relative to the mean week of
	// all students (1 = average activity).
	Level float64 `json:"level"`
	// Early and Late are the mean weeks of the first and last third of
	// the weeks, relative to the trajectory's own mean week.
	Early float64 `json:"early"`
	Late  float64 `json:"late"`
	// PeakRatio is the busiest week relative to the mean week; PeakWeek
	// is its 0-based index (the first on ties).
	PeakRatio float64 `json:"peak_ratio"`
	PeakWeek  int     `json:"peak_week"`
	// Weeks is the trajectory length.
	Weeks int `json:"weeks"`
	// CV is the coefficient of variation of the weeks (standard deviation
	// over mean).
	CV float64 `json:"cv"`
}

// ShapeOf describes a mean weekly trajectory; overall is the mean week of
// all students, the reference of Level.
func ShapeOf(profile []float64, overall float64) Shape {
	n := len(profile)
	mean := meanOf(profile)
	s := Shape{Weeks: n}
	if overall > 0 {
		s.Level = mean / overall
	}
	if mean <= 0 || n == 0 {
		return s
	}
	third := max(1, n/3)
	s.Early = meanOf(profile[:third]) / mean
	s.Late = meanOf(profile[n-third:]) / mean
	for w, v := range profile {
		if v > profile[s.PeakWeek] {
			s.PeakWeek = w
		}
	}
	s.PeakRatio = profile[s.PeakWeek] / mean
	var ss float64
	for _, v := range profile {
		ss += (v - mean) * (v - mean)
	}
	s.CV = math.Sqrt(ss/float64(n)) / mean
	return s
}

// NameShape names an archetype from the shape of its mean trajectory. The
// rules, first match wins:
//
//  1. Level < 0.2 (a fifth of the average activity): "mostly inactive".
//  2. PeakRatio ≥ 3 (one week holds three mean weeks or more): bursters,
//     named by where the peak week lies: "cramming bursters" in the last
//     third of the weeks (max(1, Weeks/3) weeks), "early bursters" in the
//     first third, "mid-term bursters" otherwise.
//  3. Early ≥ 2·Late: "early starters who fade".
//  4. Late ≥ 2·Early: "late bloomers".
//  5. Otherwise steady, by level: "highly engaged steady learners" (Level
//     ≥ 1.5), "consistent steady learners" (Level ≥ 0.6), "low but steady
//     learners".
//
// Names shared by two archetypes get " (more active)" and " (less
// active)" by Level; shared by more, " #2", " #3", ... in decreasing order
// of Level.
func NameShape(s Shape) string {
	switch {
	case s.Level < 0.2:
		return "mostly inactive"
	case s.PeakRatio >= 3:
		return burstName(s)
	case s.Early >= 2*s.Late:
		return "early starters who fade"
	case s.Late >= 2*s.Early:
		return "late bloomers"
	case s.Level >= 1.5:
		return "highly engaged steady learners"
	case s.Level >= 0.6:
		return "consistent steady learners"
	}
	return "low but steady learners"
}

// burstName places a burst's peak week in the thirds of the weeks.
func burstName(s Shape) string {
	third := max(1, s.Weeks/3)
	switch {
	case s.PeakWeek >= s.Weeks-third:
		return "cramming bursters"
	case s.PeakWeek < third:
		return "early bursters"
	}
	return "mid-term bursters"
}

func uniqueNames(names []string, shapes []Shape) {
	groups := map[string][]int{}
	for j, n := range names {
		groups[n] = append(groups[n], j)
	}
	for name, js := range groups {
		if len(js) < 2 {
			continue
		}
		sort.SliceStable(js, func(a, b int) bool { return shapes[js[a]].Level > shapes[js[b]].Level })
		if len(js) == 2 {
			names[js[0]] = name + " (more active)"
			names[js[1]] = name + " (less active)"
			continue
		}
		for r, j := range js {
			if r > 0 {
				names[j] = fmt.Sprintf("%s #%d", name, r+1)
			}
		}
	}
}
