package archetypes

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/evalrun/evalrun/internal/workpool"
)

// Candidate is the evidence for one number of archetypes k.
type Candidate struct {
	K int `json:"k"`
	// Inertia of the best of the restarts (in transformed units).
	Inertia float64 `json:"inertia"`
	// Silhouette on the silhouette sample; NaN when the sample holds a
	// single cluster.
	Silhouette float64 `json:"silhouette"`
	// SeedARI is the mean adjusted Rand index over all pairs of restarts
	// (1: every seed found the same partition); NaN with one restart.
	SeedARI float64 `json:"seed_ari"`
	// Stability[j] is Hennig's bootstrap Jaccard of cluster j (mean over
	// the replicates in which cluster j was drawn).
	Stability []float64 `json:"stability"`
	// MinStability is the smallest of Stability.
	MinStability float64 `json:"min_stability"`
	// Sizes[j] is the number of students in cluster j (clusters are
	// numbered by decreasing size).
	Sizes []int `json:"sizes"`

	labels []int32
	model  *Model
}

// Result is a fitted set of archetypes with the evidence for its k.
type Result struct {
	// K is the chosen number of archetypes.
	K int `json:"k"`
	// Candidates holds every k tried, in increasing k.
	Candidates []Candidate `json:"candidates"`
	// Model is the fitted model of the chosen k.
	Model *Model `json:"model"`
	// Labels[i] is the archetype of trajectory i.
	Labels []int `json:"labels"`
	// Warnings say what the reader must know (unstable archetypes, a k
	// chosen without a stable candidate).
	Warnings []string `json:"warnings,omitempty"`
}

// Stability thresholds of Hennig's bootstrap Jaccard.
const (
	// Unstable: a cluster whose mean Jaccard is below this dissolves under
	// resampling.
	Unstable = 0.6
	// Stable: at or above this a cluster is stable; between the two it is
	// a pattern of doubtful stability.
	Stable = 0.75
)

// StabilityVerdict names the stability band of a Jaccard value.
func StabilityVerdict(j float64) string {
	switch {
	case math.IsNaN(j):
		return "unknown"
	case j < Unstable:
		return "unstable"
	case j < Stable:
		return "doubtful"
	}
	return "stable"
}

// Fit clusters the weekly engagement trajectories (one row per student, one
// column per week, counts or other non-negative activity measures) for every
// k in [KMin, KMax] and chooses k: the highest silhouette among the k whose
// clusters all have a bootstrap Jaccard of at least 0.6; when no k
// qualifies, the k whose least stable cluster is most stable, with a
// warning. k above n−1 is not tried.
func Fit(trajectories [][]float64, opt Options) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	raw, err := toMatrix(trajectories, "archetypes: trajectories")
	if err != nil {
		return Result{}, err
	}
	if raw.n < opt.KMin+1 {
		return Result{}, fmt.Errorf("archetypes: %d students: need more than k_min = %d", raw.n, opt.KMin)
	}
	x, err := opt.Transform.apply(raw)
	if err != nil {
		return Result{}, fmt.Errorf("archetypes: %w", err)
	}
	tolShift := opt.Tol * meanColumnVariance(x)
	silIdx := sampleRows(raw.n, opt.SilhouetteSample, taskRNG(opt.Seed, "archetypes/silhouette-sample"))
	silX := subMatrix(x, silIdx)
	stabIdx := sampleRows(raw.n, opt.StabilitySample, taskRNG(opt.Seed, "archetypes/stability-sample"))
	stabX := subMatrix(x, stabIdx)
	overall := meanOf(raw.v)

	var res Result
	for k := opt.KMin; k <= min(opt.KMax, raw.n-1); k++ {
		fits := make([]lloydResult, opt.Restarts)
		for r := range fits {
			rng := taskRNG(opt.Seed, "archetypes/k="+strconv.Itoa(k)+"/restart="+strconv.Itoa(r))
			centers := kmeansPlusPlus(x, k, rng, opt.Workers)
			fits[r] = lloyd(x, centers, k, opt.MaxIter, tolShift, opt.Workers)
		}
		best := 0
		for r := range fits {
			if fits[r].inertia < fits[best].inertia {
				best = r
			}
		}
		c := Candidate{K: k, Inertia: fits[best].inertia, SeedARI: math.NaN()}
		if opt.Restarts > 1 {
			var sum float64
			pairs := 0
			for a := 0; a < len(fits); a++ {
				for b := a + 1; b < len(fits); b++ {
					sum += adjustedRand(fits[a].labels, fits[b].labels, k, k)
					pairs++
				}
			}
			c.SeedARI = sum / float64(pairs)
		}
		labels, centers := orderBySize(fits[best].labels, fits[best].centers, k, x.d)
		c.labels = labels
		c.Sizes = make([]int, k)
		for _, l := range labels {
			c.Sizes[l]++
		}
		silLabels := make([]int32, len(silIdx))
		for i, r := range silIdx {
			silLabels[i] = labels[r]
		}
		cl, kk := compactLabels32(silLabels)
		c.Silhouette = math.NaN()
		if kk >= 2 && kk <= len(silIdx)-1 {
			c.Silhouette = silhouette(silX, cl, kk, opt.Workers)
		}
		stabLabels := make([]int32, len(stabIdx))
		for i, r := range stabIdx {
			stabLabels[i] = labels[r]
		}
		c.Stability = bootstrapJaccard(stabX, stabLabels, k, opt, "archetypes/k="+strconv.Itoa(k))
		c.MinStability = math.Inf(1)
		for _, s := range c.Stability {
			if !math.IsNaN(s) {
				c.MinStability = min(c.MinStability, s)
			}
		}
		if math.IsInf(c.MinStability, 1) {
			c.MinStability = math.NaN()
		}
		c.model = newModel(raw, x, labels, centers, k, opt.Transform, overall)
		res.Candidates = append(res.Candidates, c)
	}
	chosen := -1
	for i, c := range res.Candidates {
		if c.MinStability >= Unstable && !math.IsNaN(c.Silhouette) &&
			(chosen < 0 || c.Silhouette > res.Candidates[chosen].Silhouette) {
			chosen = i
		}
	}
	if chosen < 0 {
		for i, c := range res.Candidates {
			if chosen < 0 || c.MinStability > res.Candidates[chosen].MinStability {
				chosen = i
			}
		}
		if chosen < 0 {
			chosen = 0
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("no k in %d..%d has every archetype stable (bootstrap Jaccard >= %.2f): k = %d has the most stable least-stable archetype",
			opt.KMin, opt.KMax, Unstable, res.Candidates[chosen].K))
	}
	c := res.Candidates[chosen]
	res.K = c.K
	res.Model = c.model
	res.Labels = make([]int, len(c.labels))
	for i, l := range c.labels {
		res.Labels[i] = int(l)
	}
	for j, s := range c.Stability {
		if v := StabilityVerdict(s); v != "stable" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("archetype %q is %s (bootstrap Jaccard %.2f)", c.model.Names[j], v, s))
		}
	}
	if !math.IsNaN(c.SeedARI) && c.SeedARI < 0.9 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("k = %d: restarts from different seeds agree only to adjusted Rand %.2f", c.K, c.SeedARI))
	}
	return res, nil
}

// taskRNG returns the PCG stream of a named task under seed.
func taskRNG(seed uint64, task string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(task))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// sampleRows returns up to size distinct row indices in increasing order (all
// rows when n ≤ size).
func sampleRows(n, size int, rng *rand.Rand) []int {
	if n <= size {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	perm := rng.Perm(n)[:size]
	sort.Ints(perm)
	return perm
}

func subMatrix(m matrix, idx []int) matrix {
	out := matrix{n: len(idx), d: m.d, v: make([]float64, 0, len(idx)*m.d)}
	for _, i := range idx {
		out.v = append(out.v, m.row(i)...)
	}
	return out
}

func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return sumInOrder(v) / float64(len(v))
}

func compactLabels32(labels []int32) ([]int32, int) {
	ids := map[int32]int32{}
	out := make([]int32, len(labels))
	for i, l := range labels {
		id, ok := ids[l]
		if !ok {
			id = int32(len(ids))
			ids[l] = id
		}
		out[i] = id
	}
	return out, len(ids)
}

// orderBySize renumbers clusters by decreasing size (ties: the lower old
// number first) and permutes the centres to match.
func orderBySize(labels []int32, centers []float64, k, d int) ([]int32, []float64) {
	size := make([]int, k)
	for _, l := range labels {
		size[l]++
	}
	order := make([]int, k)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	newID := make([]int32, k)
	out := make([]float64, k*d)
	for nj, oj := range order {
		newID[oj] = int32(nj)
		copy(out[nj*d:(nj+1)*d], centers[oj*d:(oj+1)*d])
	}
	rel := make([]int32, len(labels))
	for i, l := range labels {
		rel[i] = newID[l]
	}
	return rel, out
}

// bootstrapJaccard is Hennig's (2007) cluster-wise stability: each replicate
// draws len(labels) rows of x with replacement, clusters them afresh with
// k-means++ (StabilityRestarts starts), and scores every original cluster
// by its best Jaccard with a bootstrap cluster, over the drawn rows (a row
// drawn twice counts twice, as in fpc::clusterboot). The stability of a
// cluster is its mean over the replicates that drew it. Replicates run in
// parallel, each on its own seed stream.
func bootstrapJaccard(x matrix, labels []int32, k int, opt Options, task string) []float64 {
	reps := opt.StabilityReplicates
	per := make([]float64, reps*k)
	tolBase := opt.Tol
	workpool.For(reps, opt.Workers, func(rep int) {
		rng := taskRNG(opt.Seed, task+"/bootstrap="+strconv.Itoa(rep))
		m := x.n
		idx := make([]int, m)
		for i := range idx {
			idx[i] = rng.IntN(m)
		}
		b := subMatrix(x, idx)
		tolShift := tolBase * meanColumnVariance(b)
		var bestLabels []int32
		bestInertia := math.Inf(1)
		for r := 0; r < opt.StabilityRestarts; r++ {
			centers := kmeansPlusPlus(b, k, rng, 1)
			f := lloyd(b, centers, k, opt.MaxIter, tolShift, 1)
			if f.inertia < bestInertia {
				bestInertia, bestLabels = f.inertia, f.labels
			}
		}
		cont := make([]int, k*k)
		rowN := make([]int, k)
		colN := make([]int, k)
		for i, r := range idx {
			o, bl := labels[r], bestLabels[i]
			cont[int(o)*k+int(bl)]++
			rowN[o]++
			colN[bl]++
		}
		for j := 0; j < k; j++ {
			if rowN[j] == 0 {
				per[rep*k+j] = math.NaN()
				continue
			}
			var best float64
			for bl := 0; bl < k; bl++ {
				inter := cont[j*k+bl]
				if u := rowN[j] + colN[bl] - inter; u > 0 {
					best = max(best, float64(inter)/float64(u))
				}
			}
			per[rep*k+j] = best
		}
	})
	out := make([]float64, k)
	for j := 0; j < k; j++ {
		var s float64
		cnt := 0
		for rep := 0; rep < reps; rep++ {
			if v := per[rep*k+j]; !math.IsNaN(v) {
				s += v
				cnt++
			}
		}
		out[j] = math.NaN()
		if cnt > 0 {
			out[j] = s / float64(cnt)
		}
	}
	return out
}
