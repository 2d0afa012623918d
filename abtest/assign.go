package abtest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// AssignmentMethod is how units are randomized to arms.
type AssignmentMethod string

const (
	// AssignComplete randomizes all units together with exact allocation:
	// every arm gets its planned share of the units, to within one unit.
	AssignComplete AssignmentMethod = "complete"
	// AssignStratified randomizes separately within each stratum with
	// exact allocation, so every stratum is balanced to within one unit.
	AssignStratified AssignmentMethod = "stratified"
	// AssignCluster randomizes whole clusters (sections, advisors) with
	// exact allocation of clusters, within strata when units carry one;
	// every unit gets its cluster's arm.
	AssignCluster AssignmentMethod = "cluster"
)

// AssignmentDesign configures Assign.
type AssignmentDesign struct {
	// Experiment names the pilot; with Seed it keys the hash, so two
	// experiments randomize independently.
	Experiment string `json:"experiment"`
	Seed       uint64 `json:"seed"`
	// Arms lists the arm labels.
	Arms []string `json:"arms"`
	// Allocation holds each arm's planned weight (nil means equal).
	Allocation []float64        `json:"allocation,omitempty"`
	Method     AssignmentMethod `json:"method"`
}

// RosterUnit is one unit to be assigned.
type RosterUnit struct {
	ID string `json:"id"`
	// Stratum is required by the stratified method and optional for the
	// cluster method (clusters are then randomized within strata).
	Stratum string `json:"stratum,omitempty"`
	// Cluster is required by the cluster method.
	Cluster string `json:"cluster,omitempty"`
}

// Assignment is one unit's arm.
type Assignment struct {
	ID      string `json:"id"`
	Arm     string `json:"arm"`
	Stratum string `json:"stratum,omitempty"`
	Cluster string `json:"cluster,omitempty"`
	// Previous is true for an assignment carried over unchanged from the
	// previous assignments given to Assign.
	Previous bool `json:"previous"`
}

// StratumCount is the number of units per arm in one stratum ("" when
// unstratified), in the order of the design's arms.
type StratumCount struct {
	Stratum string `json:"stratum"`
	Counts  []int  `json:"counts"`
	// Clusters counts clusters per arm (cluster method only).
	Clusters []int `json:"clusters,omitempty"`
}

// AssignmentResult is the outcome of Assign.
type AssignmentResult struct {
	// Assignments lists the roster's units in roster order, followed by
	// previously assigned units missing from the roster.
	Assignments []Assignment   `json:"assignments"`
	Arms        []string       `json:"arms"`
	Strata      []StratumCount `json:"strata"`
	Warnings    []string       `json:"warnings,omitempty"`
}

// hashKey returns a 64-bit key from SHA-256 of the seed, the
// experiment, a kind tag and a name: the same inputs always give the same
// key on every platform.
func hashKey(seed uint64, experiment, kind, name string) uint64 {
	// Message: 8-byte big-endian seed, then each string as its decimal
	// length, ':' and its bytes (length prefixes keep the fields apart).
	buf := make([]byte, 8, 8+len(experiment)+len(kind)+len(name)+24)
	binary.BigEndian.PutUint64(buf, seed)
	for _, s := range []string{experiment, kind, name} {
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
	}
	sum := sha256.Sum256(buf)
	return binary.BigEndian.Uint64(sum[:8])
}

// Assign randomizes the roster's units to arms. Randomness comes only from
// a SHA-256 hash of (Seed, Experiment, unit id) — or of the cluster label
// under the cluster method — so the result does not depend on the roster's
// row order and is the same on every run. Units (or clusters) are ranked
// by their hash and the ranked list is cut into arms in proportion to the
// allocation, exactly to within one unit; which arm receives a unit left
// over by rounding is itself decided by a hash of the stratum.
//
// previous holds assignments made earlier (for example by the last run):
// they are kept unchanged, and only units not among them are randomized, to
// the arms that bring each stratum (or the whole pilot) closest to the
// planned allocation. Passing the assignments already made is what
// guarantees that adding late enrollees never changes an existing
// assignment. Previous units missing from the roster are kept and
// reported in Warnings.
//
// Errors: fewer than two arms, duplicate or empty ids in the roster or in
// previous, a previous arm that is not declared, a unit whose stratum or
// cluster differs from its previous assignment, a missing stratum
// (stratified) or cluster (cluster method), a cluster spread over two
// strata, and previous assignments that put one cluster in two arms.
func Assign(roster []RosterUnit, d AssignmentDesign, previous []Assignment) (AssignmentResult, error) {
	weights, err := d.validate()
	if err != nil {
		return AssignmentResult{}, err
	}
	armIndex := map[string]int{}
	for i, a := range d.Arms {
		armIndex[a] = i
	}
	prev := map[string]Assignment{}
	for _, p := range previous {
		if p.ID == "" {
			return AssignmentResult{}, fmt.Errorf("assign: a previous assignment has an empty unit id")
		}
		if _, dup := prev[p.ID]; dup {
			return AssignmentResult{}, fmt.Errorf("assign: unit %q appears twice in the previous assignments", p.ID)
		}
		if _, ok := armIndex[p.Arm]; !ok {
			return AssignmentResult{}, fmt.Errorf("assign: previous assignment of unit %q has unknown arm %q (arms: %v)", p.ID, p.Arm, d.Arms)
		}
		prev[p.ID] = p
	}
	seen := map[string]bool{}
	for i, u := range roster {
		if u.ID == "" {
			return AssignmentResult{}, fmt.Errorf("assign: roster row %d has an empty unit id", i+1)
		}
		if seen[u.ID] {
			return AssignmentResult{}, fmt.Errorf("assign: unit %q appears twice in the roster", u.ID)
		}
		seen[u.ID] = true
		if d.Method == AssignStratified && u.Stratum == "" {
			return AssignmentResult{}, fmt.Errorf("assign: unit %q has no stratum (stratified assignment)", u.ID)
		}
		if d.Method == AssignCluster && u.Cluster == "" {
			return AssignmentResult{}, fmt.Errorf("assign: unit %q has no cluster (cluster assignment)", u.ID)
		}
		if p, ok := prev[u.ID]; ok && (p.Stratum != u.Stratum || p.Cluster != u.Cluster) {
			return AssignmentResult{}, fmt.Errorf("assign: unit %q was assigned in stratum %q, cluster %q but the roster now has stratum %q, cluster %q", u.ID, p.Stratum, p.Cluster, u.Stratum, u.Cluster)
		}
	}
	res := AssignmentResult{Arms: d.Arms}
	var missing []Assignment
	for _, p := range previous {
		if !seen[p.ID] {
			p.Previous = true
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d previously assigned units are not in the roster: their assignments are kept", len(missing)))
	}

	// Randomization items: units, or clusters under the cluster method.
	type item struct {
		key     string // unit id or cluster label
		stratum string
		arm     int // -1 until assigned
		fixed   bool
	}
	stratumOf := func(u RosterUnit) string {
		if d.Method == AssignComplete {
			return ""
		}
		return u.Stratum
	}
	items := map[string]*item{}
	var order []string
	add := func(key, stratum string, arm int, fixed bool) error {
		it, ok := items[key]
		if !ok {
			it = &item{key: key, stratum: stratum, arm: -1}
			items[key] = it
			order = append(order, key)
		}
		if it.stratum != stratum {
			return fmt.Errorf("assign: cluster %q spans strata %q and %q: whole clusters must lie in one stratum", key, it.stratum, stratum)
		}
		if fixed {
			if it.fixed && it.arm != arm {
				return fmt.Errorf("assign: cluster %q was assigned to two arms (%q and %q)", key, d.Arms[it.arm], d.Arms[arm])
			}
			it.arm, it.fixed = arm, true
		}
		return nil
	}
	itemKey := func(id, cluster string) string {
		if d.Method == AssignCluster {
			return cluster
		}
		return id
	}
	for _, p := range previous {
		u := RosterUnit{ID: p.ID, Stratum: p.Stratum, Cluster: p.Cluster}
		if err := add(itemKey(p.ID, p.Cluster), stratumOf(u), armIndex[p.Arm], true); err != nil {
			return AssignmentResult{}, err
		}
	}
	for _, u := range roster {
		if _, ok := prev[u.ID]; ok {
			continue
		}
		if err := add(itemKey(u.ID, u.Cluster), stratumOf(u), 0, false); err != nil {
			return AssignmentResult{}, err
		}
	}

	// Randomize the free items of each stratum.
	byStratum := map[string][]*item{}
	for _, k := range order {
		it := items[k]
		byStratum[it.stratum] = append(byStratum[it.stratum], it)
	}
	kind := "unit"
	if d.Method == AssignCluster {
		kind = "cluster"
	}
	for _, s := range sortedKeys(byStratum) {
		its := byStratum[s]
		counts := make([]int, len(d.Arms))
		var free []*item
		for _, it := range its {
			if it.fixed {
				counts[it.arm]++
			} else {
				free = append(free, it)
			}
		}
		if len(free) == 0 {
			continue
		}
		type ranked struct {
			hash uint64
			it   *item
		}
		ranking := make([]ranked, len(free))
		for k, it := range free {
			ranking[k] = ranked{hashKey(d.Seed, d.Experiment, kind, it.key), it}
		}
		sort.Slice(ranking, func(i, j int) bool {
			if ranking[i].hash != ranking[j].hash {
				return ranking[i].hash < ranking[j].hash
			}
			return ranking[i].it.key < ranking[j].it.key
		})
		for k := range ranking {
			free[k] = ranking[k].it
		}
		slots := allocateSlots(counts, len(free), weights, hashKey(d.Seed, d.Experiment, "stratum", s))
		k := 0
		for a, n := range slots {
			for range n {
				free[k].arm = a
				k++
			}
		}
	}

	for _, u := range roster {
		a := Assignment{ID: u.ID, Stratum: u.Stratum, Cluster: u.Cluster}
		if p, ok := prev[u.ID]; ok {
			a.Arm, a.Previous = p.Arm, true
		} else {
			a.Arm = d.Arms[items[itemKey(u.ID, u.Cluster)].arm]
		}
		res.Assignments = append(res.Assignments, a)
	}
	res.Assignments = append(res.Assignments, missing...)
	res.Strata = countStrata(res.Assignments, d, armIndex)
	return res, nil
}

func (d AssignmentDesign) validate() ([]float64, error) {
	if len(d.Arms) < 2 {
		return nil, fmt.Errorf("assign: need at least 2 arms, got %d", len(d.Arms))
	}
	seen := map[string]bool{}
	for _, a := range d.Arms {
		if a == "" || seen[a] {
			return nil, fmt.Errorf("assign: arm labels must be non-empty and distinct, got %q", d.Arms)
		}
		seen[a] = true
	}
	switch d.Method {
	case AssignComplete, AssignStratified, AssignCluster:
	default:
		return nil, fmt.Errorf("assign: unknown method %q (want complete, stratified or cluster)", d.Method)
	}
	w := d.Allocation
	if w == nil {
		w = make([]float64, len(d.Arms))
		for i := range w {
			w[i] = 1
		}
	}
	if len(w) != len(d.Arms) {
		return nil, fmt.Errorf("assign: %d allocation weights for %d arms", len(w), len(d.Arms))
	}
	var sum float64
	for i, v := range w {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("assign: allocation weight of arm %q is %v: must be positive and finite", d.Arms[i], v)
		}
		sum += v
	}
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = v / sum
	}
	return out, nil
}

// allocateSlots splits m new items among arms that already hold counts so
// that the totals come closest to the shares: each new item goes to the arm
// furthest below its share of the new total (largest deficit), ties broken
// by an order derived from tieKey so that no arm is systematically favoured
// when the split cannot be exact.
func allocateSlots(counts []int, m int, shares []float64, tieKey uint64) []int {
	k := len(counts)
	tieOrder := make([]int, k)
	for i := range tieOrder {
		tieOrder[i] = i
	}
	// Fisher-Yates driven by a splitmix64 sequence from tieKey.
	x := tieKey
	for i := k - 1; i > 0; i-- {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		j := int(z % uint64(i+1))
		tieOrder[i], tieOrder[j] = tieOrder[j], tieOrder[i]
	}
	cur := append([]int(nil), counts...)
	total := 0
	for _, c := range cur {
		total += c
	}
	slots := make([]int, k)
	for range m {
		total++
		best, bestDef := -1, math.Inf(-1)
		for _, a := range tieOrder {
			def := shares[a]*float64(total) - float64(cur[a])
			if def > bestDef+1e-12 {
				best, bestDef = a, def
			}
		}
		cur[best]++
		slots[best]++
	}
	return slots
}

func countStrata(as []Assignment, d AssignmentDesign, armIndex map[string]int) []StratumCount {
	type acc struct {
		counts   []int
		clusters []map[string]bool
	}
	m := map[string]*acc{}
	for _, a := range as {
		s := a.Stratum
		if d.Method == AssignComplete {
			s = ""
		}
		c := m[s]
		if c == nil {
			c = &acc{counts: make([]int, len(d.Arms)), clusters: make([]map[string]bool, len(d.Arms))}
			for i := range c.clusters {
				c.clusters[i] = map[string]bool{}
			}
			m[s] = c
		}
		i := armIndex[a.Arm]
		c.counts[i]++
		if a.Cluster != "" {
			c.clusters[i][a.Cluster] = true
		}
	}
	var out []StratumCount
	for _, s := range sortedKeys(m) {
		sc := StratumCount{Stratum: s, Counts: m[s].counts}
		if d.Method == AssignCluster {
			for _, cl := range m[s].clusters {
				sc.Clusters = append(sc.Clusters, len(cl))
			}
		}
		out = append(out, sc)
	}
	return out
}

// AssignmentBalance compares each arm with control on the covariates and
// attributes of the assigned units, for the balance table written beside
// an assignment: covariates[k].Values and attributes[k].Values hold one
// value per entry of r.Assignments, in that order (NaN and "" are
// missing). control must be one of r.Arms. Attribute levels with fewer
// than minLevelSize units are suppressed (see BalanceCategorical).
func AssignmentBalance(r AssignmentResult, control string, covariates []Covariate, attributes []Attribute, minLevelSize int) ([]ArmBalance, error) {
	found := false
	for _, a := range r.Arms {
		found = found || a == control
	}
	if !found {
		return nil, fmt.Errorf("assignment balance: control arm %q is not among %v", control, r.Arms)
	}
	n := len(r.Assignments)
	for _, c := range covariates {
		if len(c.Values) != n {
			return nil, fmt.Errorf("assignment balance: covariate %q has %d values for %d assignments", c.Name, len(c.Values), n)
		}
	}
	for _, a := range attributes {
		if len(a.Values) != n {
			return nil, fmt.Errorf("assignment balance: attribute %q has %d values for %d assignments", a.Name, len(a.Values), n)
		}
	}
	var out []ArmBalance
	for _, arm := range r.Arms {
		if arm == control {
			continue
		}
		var rows []int
		var treated []bool
		for i, a := range r.Assignments {
			if a.Arm == arm || a.Arm == control {
				rows = append(rows, i)
				treated = append(treated, a.Arm == arm)
			}
		}
		ab := ArmBalance{Arm: arm}
		for _, c := range covariates {
			row, err := BalanceNumeric(c.Name, pick(c.Values, rows), treated)
			if err != nil {
				return nil, fmt.Errorf("assignment balance: %w", err)
			}
			ab.Rows = append(ab.Rows, row)
		}
		for _, a := range attributes {
			rs, suppressed, err := BalanceCategorical(a.Name, pickStrings(a.Values, rows), treated, minLevelSize)
			if err != nil {
				return nil, fmt.Errorf("assignment balance: %w", err)
			}
			ab.Rows = append(ab.Rows, rs...)
			if suppressed > 0 {
				ab.Suppressed = append(ab.Suppressed, SuppressedLevels{Covariate: a.Name, Levels: suppressed, MinGroupSize: minLevelSize})
			}
		}
		out = append(out, ab)
	}
	return out, nil
}
