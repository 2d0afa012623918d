package discovery

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
)

// Input is everything an analysis reads.
type Input struct {
	Population *Population
	// Log is the event log (nil for a network read from an edge list).
	Log *Log
	// Edges, when not nil, is the network's edge list (instead of the
	// log's replies).
	Edges []EdgeRecord
	// Roles are accounts' roles from outside the log (a roster, an edge
	// list's nodes file or role columns); the log's own are in Log.Roles.
	Roles map[string][]string
	// Pseudonym maps a student key to what outputs show (identity when
	// nil).
	Pseudonym func(string) string
}

// Run runs one analysis as of spec.CutoffDay.
func Run(spec Spec, in Input) (*Result, error) {
	spec, err := spec.WithDefaults()
	if err != nil {
		return nil, fmt.Errorf("analysis %q: %w", spec.Name, err)
	}
	if in.Pseudonym == nil {
		in.Pseudonym = func(s string) string { return s }
	}
	pop := in.Population
	if len(pop.Keys) != len(pop.Terms) || len(pop.Keys) != len(pop.Outcome) || len(pop.Keys) != len(pop.Role) {
		return nil, fmt.Errorf("analysis %q: population columns differ in length", spec.Name)
	}
	r := &Result{Name: spec.Name, Kind: spec.Kind, Dataset: spec.Dataset, CutoffDay: spec.CutoffDay}
	train, test := map[string]bool{}, map[string]bool{}
	for i, t := range pop.Terms {
		switch pop.Role[i] {
		case Train:
			train[t] = true
		case Test:
			test[t] = true
		}
	}
	r.TrainTerms, r.TestTerms = sortedSet(train), sortedSet(test)
	if len(train) == 0 {
		return nil, fmt.Errorf("analysis %q: no student in a training term", spec.Name)
	}
	if in.Log != nil {
		for _, d := range in.Log.Day {
			if int(d) <= spec.CutoffDay {
				r.Events++
			}
		}
	}
	switch spec.Kind {
	case KindArchetypes:
		err = runArchetypes(spec, in, r)
	case KindSequences:
		err = runSequences(spec, in, r)
	case KindRules:
		err = runRules(spec, in, r)
	case KindNetwork:
		err = runNetwork(spec, in, r)
	}
	if err != nil {
		return nil, fmt.Errorf("analysis %q: %w", spec.Name, err)
	}
	return r, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func taskRNG(seed uint64, task string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(task))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// discoverySplit returns the fitting students and the held-out students:
// the test-term students with an outcome when there are any, else a seeded
// share of the training students with an outcome.
func discoverySplit(spec Spec, pop *Population, r *Result) (fit, held []int) {
	var trainKnown, testKnown []int
	for i := range pop.Keys {
		if pop.Outcome[i] < 0 {
			continue
		}
		switch pop.Role[i] {
		case Train:
			trainKnown = append(trainKnown, i)
		case Test:
			testKnown = append(testKnown, i)
		}
	}
	if len(testKnown) > 0 {
		r.HeldOutFrom = "test terms"
		return trainKnown, testKnown
	}
	r.HeldOutFrom = fmt.Sprintf("a random %.0f%% of the training students", 100*spec.HoldoutShare)
	rng := taskRNG(spec.Seed, "discovery/"+spec.Name+"/holdout")
	perm := slices.Clone(trainKnown)
	rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
	nHeld := int(float64(len(perm)) * spec.HoldoutShare)
	held, fit = perm[:nHeld], perm[nHeld:]
	slices.Sort(held)
	slices.Sort(fit)
	return fit, held
}

func roleName(r Role) string {
	switch r {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return "excluded"
}
