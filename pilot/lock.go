package pilot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// LockKind and LockFormatVersion identify a plan lock file.
const (
	LockKind          = "evalrun pilot plan lock"
	LockFormatVersion = 1
)

// Lock is a pre-registered analysis plan (plan.lock.json): every pilot's
// plan as it stood before its outcomes were seen, the time it was fixed
// and a SHA-256 over both, so that a later analysis can show every
// deviation from it. docs/pilots.md documents the file.
type Lock struct {
	Kind          string `json:"kind"`
	FormatVersion int    `json:"format_version"`
	// LockedAt is the UTC time the plan was fixed (RFC 3339).
	LockedAt string `json:"locked_at"`
	// SpecFile and SpecSHA256 identify the spec the plan was taken from.
	SpecFile   string        `json:"spec_file"`
	SpecSHA256 string        `json:"spec_sha256"`
	Pilots     []LockedPilot `json:"pilots"`
	// Hash is the SHA-256 of this document's JSON with Hash empty
	// (VerifyHash recomputes it).
	Hash string `json:"hash"`
}

// LockedPilot is one pilot's locked plan and the state of its data at
// lock time.
type LockedPilot struct {
	Name string     `json:"name"`
	Plan LockedPlan `json:"plan"`
	Data LockedData `json:"data"`
	// Forced says the plan was locked although outcome columns already
	// held values (--force); OutcomesPresent counts them per outcome.
	Forced          bool           `json:"forced"`
	OutcomesPresent map[string]int `json:"outcomes_present,omitempty"`
	Statement       string         `json:"statement"`
}

// LockedData records the pilot data file at lock time (absent: not yet
// collected).
type LockedData struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	SHA256 string `json:"sha256,omitempty"`
	Rows   int    `json:"rows,omitempty"`
}

// LockedPlan is the analysis plan of a pilot: what must not change once
// outcomes are seen. Defaults are resolved (alpha 0.05, holm, pooled, ...)
// so that a spec that later spells a default out does not deviate.
type LockedPlan struct {
	Unit              string           `json:"unit"`
	Arm               string           `json:"arm"`
	Arms              []string         `json:"arms"`
	Control           string           `json:"control"`
	Allocation        []float64        `json:"allocation,omitempty"`
	Cluster           string           `json:"cluster,omitempty"`
	ClusterRandomized bool             `json:"cluster_randomized"`
	Strata            string           `json:"strata,omitempty"`
	Outcomes          []OutcomeSpec    `json:"outcomes"`
	Alpha             float64          `json:"alpha"`
	Level             float64          `json:"level"`
	Multiplicity      MultiplicitySpec `json:"multiplicity"`
	Covariates        []string         `json:"covariates,omitempty"`
	AdjustFor         []string         `json:"adjust_for,omitempty"`
	Attributes        []string         `json:"attributes,omitempty"`
	Subgroups         []SubgroupSpec   `json:"subgroups,omitempty"`
	SubgroupScale     string           `json:"subgroup_scale"`
	Received          string           `json:"received,omitempty"`
	Target            *TargetSpec      `json:"target,omitempty"`
	// Sequential is the monitoring plan without observed statistics.
	Sequential *SequentialSpec `json:"sequential,omitempty"`
}

// LockedPlanOf returns the plan a spec declares, defaults resolved.
func LockedPlanOf(s Spec) LockedPlan {
	p := LockedPlan{Unit: s.Unit, Arm: s.Arm, Arms: slices.Clone(s.Arms), Control: s.Control, Allocation: slices.Clone(s.Allocation),
		Cluster: s.Cluster, ClusterRandomized: s.ClusterRandomized, Strata: s.Strata, Outcomes: slices.Clone(s.Outcomes),
		Alpha: s.AlphaValue(), Level: s.LevelValue(), Multiplicity: s.Multiplicity, Covariates: slices.Clone(s.Covariates),
		AdjustFor: slices.Clone(s.AdjustFor), Attributes: slices.Clone(s.Attributes), Subgroups: slices.Clone(s.Subgroups),
		SubgroupScale: s.SubgroupScale, Received: s.Received, Target: s.Target}
	if p.Multiplicity.Method == "" {
		p.Multiplicity.Method = "holm"
	}
	if p.Multiplicity.Strategy == "" {
		p.Multiplicity.Strategy = "pooled"
	}
	if p.SubgroupScale == "" {
		p.SubgroupScale = "difference"
	}
	if q := s.Sequential; q != nil {
		c := *q
		c.Z = nil
		if c.Spending == "" {
			c.Spending = "obrien_fleming"
		}
		if c.Outcome == "" {
			c.Outcome = s.firstPrimary()
		}
		if c.Arm == "" {
			c.Arm = s.firstTreatment()
		}
		p.Sequential = &c
	}
	return p
}

// OutcomesPresentError is a lock refused because outcome columns already
// hold values.
type OutcomesPresentError struct {
	Pilot   string
	Present map[string]int
}

func (e *OutcomesPresentError) Error() string {
	var parts []string
	for _, k := range sortedKeys(e.Present) {
		parts = append(parts, fmt.Sprintf("%s has %d values", k, e.Present[k]))
	}
	return fmt.Sprintf("pilot %s: outcome columns already hold values (%s): a plan fixed after outcomes are seen is not pre-registered; lock with --force to record it anyway, and the lock will say so", e.Pilot, strings.Join(parts, ", "))
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// LockOptions configure NewLock.
type LockOptions struct {
	// SpecFile is the spec path recorded, SpecBytes its content (hashed).
	SpecFile  string
	SpecBytes []byte
	// BaseDir resolves the pilots' data paths.
	BaseDir string
	// Force locks even when outcome columns hold values.
	Force bool
	// Now is the lock time (time.Now when zero).
	Now time.Time
}

// NewLock fixes the plans of specs. Each spec must pass Check. The pilot
// data, when it exists, is read for its digest, rows and the values of
// outcome columns: any value there refuses the lock (*OutcomesPresentError)
// unless opts.Force.
func NewLock(specs []Spec, opts LockOptions) (*Lock, error) {
	if len(specs) == 0 {
		return nil, errors.New("lock: no pilot to lock")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	sum := sha256.Sum256(opts.SpecBytes)
	l := &Lock{Kind: LockKind, FormatVersion: LockFormatVersion, LockedAt: now.UTC().Format(time.RFC3339), SpecFile: opts.SpecFile, SpecSHA256: hex.EncodeToString(sum[:])}
	for _, s := range specs {
		if err := s.checkErr(""); err != nil {
			return nil, fmt.Errorf("lock: pilot %s: %w", s.Name, err)
		}
		lp := LockedPilot{Name: s.Name, Plan: LockedPlanOf(s), Data: LockedData{Path: s.Data}}
		present, data, err := outcomesPresent(Resolve(opts.BaseDir, s.Data), s)
		if err != nil {
			return nil, fmt.Errorf("lock: pilot %s: %w", s.Name, err)
		}
		data.Path = s.Data
		lp.Data = data
		if len(present) > 0 {
			if !opts.Force {
				return nil, &OutcomesPresentError{Pilot: s.Name, Present: present}
			}
			lp.Forced, lp.OutcomesPresent = true, present
		}
		lp.Statement = lockStatement(lp, l.LockedAt)
		l.Pilots = append(l.Pilots, lp)
	}
	h, err := l.computeHash()
	if err != nil {
		return nil, err
	}
	l.Hash = h
	return l, nil
}

func lockStatement(lp LockedPilot, at string) string {
	if !lp.Forced {
		if lp.Data.Exists {
			return fmt.Sprintf("plan fixed at %s, before any outcome value was recorded (%d rows of data, no outcome values)", at, lp.Data.Rows)
		}
		return fmt.Sprintf("plan fixed at %s, before the pilot data existed", at)
	}
	var parts []string
	for _, k := range sortedKeys(lp.OutcomesPresent) {
		parts = append(parts, fmt.Sprintf("%s: %d values", k, lp.OutcomesPresent[k]))
	}
	return fmt.Sprintf("plan fixed at %s AFTER outcome values were recorded (%s), forced: it is not a pre-registration", at, strings.Join(parts, ", "))
}

// outcomesPresent counts the non-empty cells of each outcome column of the
// pilot data (nil, not-exists when the file is absent).
func outcomesPresent(path string, s Spec) (map[string]int, LockedData, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, LockedData{}, nil
	}
	t, err := openCSV(path)
	if err != nil {
		return nil, LockedData{}, err
	}
	type col struct {
		name string
		i    int
	}
	var cols []col
	for _, o := range s.Outcomes {
		if i, ok := t.index[o.Name]; ok {
			cols = append(cols, col{o.Name, i})
		}
	}
	present := map[string]int{}
	rows := 0
	var bad error
	err = t.rows(func(line int, format string, args ...any) {
		if bad == nil {
			bad = fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
		}
	}, func(_ int, rec []string) {
		rows++
		for _, c := range cols {
			if strings.TrimSpace(rec[c.i]) != "" {
				present[c.name]++
			}
		}
	})
	if err == nil {
		err = bad
	}
	digest, ferr := t.finish()
	if err != nil {
		return nil, LockedData{}, err
	}
	if ferr != nil {
		return nil, LockedData{}, ferr
	}
	if len(present) == 0 {
		present = nil
	}
	return present, LockedData{Exists: true, SHA256: digest, Rows: rows}, nil
}

func (l *Lock) computeHash() (string, error) {
	c := *l
	c.Hash = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ReadLock reads a lock file and verifies its kind, version and hash: a
// lock edited after it was written is an error.
func ReadLock(path string) (*Lock, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plan lock: %w", err)
	}
	var l Lock
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("plan lock %s: %w", path, err)
	}
	if l.Kind != LockKind || l.FormatVersion != LockFormatVersion {
		return nil, fmt.Errorf("plan lock %s: not an evalrun plan lock of format %d (kind %q, format %d)", path, LockFormatVersion, l.Kind, l.FormatVersion)
	}
	h, err := l.computeHash()
	if err != nil {
		return nil, err
	}
	if h != l.Hash {
		return nil, fmt.Errorf("plan lock %s: hash mismatch (file says %s, content hashes to %s): the lock was changed after it was written", path, l.Hash, h)
	}
	return &l, nil
}

// Pilot returns the locked plan of the named pilot.
func (l *Lock) Pilot(name string) (*LockedPilot, bool) {
	for i := range l.Pilots {
		if l.Pilots[i].Name == name {
			return &l.Pilots[i], true
		}
	}
	return nil, false
}
