package main

import (
	"flag"
	"fmt"
	"math"
	"strconv"
)

// flagRange is the valid range of a numeric flag. A flag left out keeps
// its documented default; a flag given outside its range is a usage error
// naming the flag, never replaced.
type flagRange struct {
	min, max float64
	// minOpen and maxOpen make the bounds exclusive.
	minOpen, maxOpen bool
	// unsetZero marks flags whose default 0 means "not given": a 0 given
	// on the command line is an error rather than silently the same.
	unsetZero bool
	// want says the range in words ("in (0, 1)").
	want string
}

var (
	inf  = math.Inf(1)
	ninf = math.Inf(-1)
)

// flagRanges lists, per flag set name ("evalrun audit"), the valid range
// of every numeric flag. TestEveryNumericFlagHasARange fails for a numeric
// flag missing here; docs/spec.md ("Safety") lists the same ranges.
var flagRanges = map[string]map[string]flagRange{
	"evalrun audit": {
		"threshold":      {min: 0, max: 1, want: "in [0, 1]"},
		"top-fraction":   {min: 0, max: 1, minOpen: true, want: "in (0, 1]"},
		"min-group-size": {min: 1, max: inf, want: "at least 1"},
		"replicates":     {min: 0, max: inf, want: "0 (no intervals) or more"},
		"permutations":   {min: 0, max: inf, want: "0 (no p-values) or more"},
		"seed":           {min: 0, max: inf, want: "between 0 and 2^64-1"},
	},
	"evalrun power": {
		"p1":           {min: 0, max: 1, minOpen: true, maxOpen: true, unsetZero: true, want: "in (0, 1)"},
		"p2":           {min: 0, max: 1, minOpen: true, maxOpen: true, unsetZero: true, want: "in (0, 1)"},
		"reduction":    {min: 0, max: 1, minOpen: true, maxOpen: true, unsetZero: true, want: "in (0, 1)"},
		"mean-diff":    {min: ninf, max: inf, unsetZero: true, want: "a non-zero difference"},
		"sd":           {min: 0, max: inf, minOpen: true, unsetZero: true, want: "positive"},
		"alpha":        {min: 0, max: 1, minOpen: true, maxOpen: true, want: "in (0, 1)"},
		"power":        {min: 0, max: 1, minOpen: true, maxOpen: true, want: "in (0, 1)"},
		"icc":          {min: 0, max: 1, maxOpen: true, want: "in [0, 1)"},
		"cluster-size": {min: 1, max: inf, unsetZero: true, want: "at least 1"},
		"ratio":        {min: 0, max: inf, minOpen: true, want: "positive"},
		"n":            {min: 0, max: inf, minOpen: true, unsetZero: true, want: "positive"},
	},
	"evalrun synth oulad": {
		"students": {min: 1, max: 1_000_000, unsetZero: true, want: "between 1 and 1000000"},
		"seed":     {min: 0, max: inf, want: "between 0 and 2^64-1"},
	},
	"evalrun train": {
		"cutoff": {min: -30, max: 400, want: "a day between -30 and 400"},
	},
	"evalrun score": {
		"as-of-day": {min: -30, max: 400, want: "a day between -30 and 400"},
		"rise":      {min: 0, max: 1, minOpen: true, want: "in (0, 1]"},
	},
	"evalrun costbenefit": {
		"capacity":          {min: 1, max: inf, want: "at least 1"},
		"cost-per-contact":  {min: 0, max: inf, want: "0 or more"},
		"fixed-cost":        {min: 0, max: inf, want: "0 or more"},
		"students-per-term": {min: 1, max: inf, unsetZero: true, want: "at least 1"},
		"replicates":        {min: 100, max: inf, want: "at least 100"},
		"level":             {min: 0, max: 1, minOpen: true, maxOpen: true, want: "in (0, 1)"},
		"seed":              {min: 0, max: inf, want: "between 0 and 2^64-1"},
	},
}

// numericFlag reports whether f holds a number, and its value.
func numericFlag(f *flag.Flag) (float64, bool) {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return 0, false
	}
	switch v := g.Get().(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// checkFlagRanges checks every numeric flag given on the command line
// against its range.
func checkFlagRanges(fs *flag.FlagSet) error {
	ranges := flagRanges[fs.Name()]
	var err error
	fs.Visit(func(f *flag.Flag) {
		v, ok := numericFlag(f)
		if !ok || err != nil {
			return
		}
		r, known := ranges[f.Name]
		if !known {
			return
		}
		given := strconv.FormatFloat(v, 'g', -1, 64)
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			err = fmt.Errorf("%w: --%s must be a finite number %s, got %s", errUsage, f.Name, r.want, f.Value.String())
		case v == 0 && r.unsetZero:
			err = fmt.Errorf("%w: --%s must be %s; 0 is not a value (leave the flag out if it does not apply)", errUsage, f.Name, r.want)
		case v < r.min || (r.minOpen && v == r.min) || v > r.max || (r.maxOpen && v == r.max):
			err = fmt.Errorf("%w: --%s must be %s, got %s", errUsage, f.Name, r.want, given)
		}
	})
	return err
}
