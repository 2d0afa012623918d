package archetypes

import (
	"fmt"
	"math"
)

// Transform is applied to every trajectory value before clustering.
type Transform string

// Transforms.
const (
	// TransformLog1p clusters log(1+x): heavy users do not dominate the
	// distances (the default). Values must be non-negative.
	TransformLog1p Transform = "log1p"
	// TransformNone clusters the values as given.
	TransformNone Transform = "none"
	// TransformShare clusters each trajectory divided by its total (its
	// shape only; an all-zero trajectory stays zero). Values must be
	// non-negative.
	TransformShare Transform = "share"
)

// ParseTransform maps a name to a Transform ("" is log1p).
func ParseTransform(name string) (Transform, error) {
	switch Transform(name) {
	case "":
		return TransformLog1p, nil
	case TransformLog1p, TransformNone, TransformShare:
		return Transform(name), nil
	}
	return "", fmt.Errorf("unknown transform %q (want log1p, none or share)", name)
}

// Options configure Fit. Zero values take the documented defaults.
type Options struct {
	// KMin and KMax bound the numbers of archetypes tried (default 2 and 8).
	KMin, KMax int
	// Restarts is the number of k-means++ starts per k, each from its own
	// seed stream (default 5); the fit keeps the one of least inertia and
	// the adjusted Rand index between the starts says whether different
	// seeds find the same partition.
	Restarts int
	// MaxIter (default 300) and Tol (default 1e-4, scaled as
	// scikit-learn's) stop Lloyd's iterations.
	MaxIter int
	Tol     float64
	// Transform is applied before clustering (default log1p).
	Transform Transform
	// StabilityReplicates is the number of bootstrap replicates of Hennig's
	// Jaccard stability (default 100).
	StabilityReplicates int
	// StabilitySample is the number of students (drawn once, without
	// replacement) that the bootstrap resamples (default 2000; all
	// students when fewer).
	StabilitySample int
	// StabilityRestarts is the number of k-means++ starts of each bootstrap
	// clustering (default 1).
	StabilityRestarts int
	// SilhouetteSample is the number of students the silhouette is
	// computed on (default 2000; all when fewer), as scikit-learn's
	// silhouette_score(sample_size=...).
	SilhouetteSample int
	// Seed seeds every random choice; with the same seed the result is
	// identical whatever Workers is.
	Seed uint64
	// Workers bounds the goroutines used (0: GOMAXPROCS).
	Workers int
}

func (o Options) withDefaults() (Options, error) {
	if o.KMin == 0 {
		o.KMin = 2
	}
	if o.KMax == 0 {
		o.KMax = 8
	}
	if o.Restarts == 0 {
		o.Restarts = 5
	}
	if o.MaxIter == 0 {
		o.MaxIter = 300
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.Transform == "" {
		o.Transform = TransformLog1p
	}
	if o.StabilityReplicates == 0 {
		o.StabilityReplicates = 100
	}
	if o.StabilitySample == 0 {
		o.StabilitySample = 2000
	}
	if o.StabilityRestarts == 0 {
		o.StabilityRestarts = 1
	}
	if o.SilhouetteSample == 0 {
		o.SilhouetteSample = 2000
	}
	switch {
	case o.KMin < 2:
		return o, fmt.Errorf("archetypes: k_min %d must be at least 2", o.KMin)
	case o.KMax < o.KMin:
		return o, fmt.Errorf("archetypes: k_max %d is below k_min %d", o.KMax, o.KMin)
	case o.Restarts < 1:
		return o, fmt.Errorf("archetypes: restarts %d must be at least 1", o.Restarts)
	case o.MaxIter < 1:
		return o, fmt.Errorf("archetypes: max_iter %d must be at least 1", o.MaxIter)
	case !(o.Tol >= 0) || math.IsInf(o.Tol, 0):
		return o, fmt.Errorf("archetypes: tol %v must be a non-negative number", o.Tol)
	case o.StabilityReplicates < 2:
		return o, fmt.Errorf("archetypes: stability replicates %d must be at least 2", o.StabilityReplicates)
	case o.StabilitySample < 10:
		return o, fmt.Errorf("archetypes: stability sample %d must be at least 10", o.StabilitySample)
	case o.StabilityRestarts < 1:
		return o, fmt.Errorf("archetypes: stability restarts %d must be at least 1", o.StabilityRestarts)
	case o.SilhouetteSample < 10:
		return o, fmt.Errorf("archetypes: silhouette sample %d must be at least 10", o.SilhouetteSample)
	}
	if _, err := ParseTransform(string(o.Transform)); err != nil {
		return o, fmt.Errorf("archetypes: %w", err)
	}
	return o, nil
}

// apply transforms the raw trajectories into a matrix.
func (t Transform) apply(raw matrix) (matrix, error) {
	out := matrix{n: raw.n, d: raw.d, v: make([]float64, len(raw.v))}
	for i := 0; i < raw.n; i++ {
		r, o := raw.row(i), out.row(i)
		var total float64
		for j, x := range r {
			if t != TransformNone && x < 0 {
				return matrix{}, fmt.Errorf("trajectory row %d week %d is negative (%v): transform %s needs counts", i, j, x, t)
			}
			total += x
		}
		for j, x := range r {
			switch t {
			case TransformLog1p:
				o[j] = math.Log1p(x)
			case TransformShare:
				if total > 0 {
					o[j] = x / total
				}
			default:
				o[j] = x
			}
		}
	}
	return out, nil
}
