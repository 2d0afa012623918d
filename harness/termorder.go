package harness

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// termTime places a term in time when its name says when it is: a year
// and a season in either order ("2013J", "2021F", "Fall 2021", "2022-spring")
// or a bare year ("2014"). OULAD's B and J presentations start in February
// and October.
type termTime struct {
	year   int
	season int // 0 winter, 1 spring (OULAD B), 2 summer, 3 fall (OULAD J); -1: the whole year
}

var (
	termYearFirst = regexp.MustCompile(`^(\d{4})\s*[-_ /]?\s*([A-Za-z]+)$`)
	termYearLast  = regexp.MustCompile(`^([A-Za-z]+)\s*[-_ /]?\s*(\d{4})$`)
	termYearOnly  = regexp.MustCompile(`^(\d{4})$`)
)

var seasonRank = map[string]int{
	"w": 0, "wi": 0, "win": 0, "winter": 0,
	"b": 1, "s": 1, "sp": 1, "spr": 1, "spring": 1,
	"su": 2, "sum": 2, "summer": 2,
	"j": 3, "f": 3, "fa": 3, "fall": 3, "a": 3, "au": 3, "aut": 3, "autumn": 3,
}

// parseTermTime reads a term name; ok is false when the name does not say
// when the term is (the spec then cannot be checked for training on the
// future, and is not).
func parseTermName(term string) (termTime, bool) {
	t := strings.TrimSpace(term)
	var year, season string
	if m := termYearFirst.FindStringSubmatch(t); m != nil {
		year, season = m[1], m[2]
	} else if m := termYearLast.FindStringSubmatch(t); m != nil {
		year, season = m[2], m[1]
	} else if m := termYearOnly.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		return termTime{year: y, season: -1}, true
	} else {
		return termTime{}, false
	}
	rank, ok := seasonRank[strings.ToLower(season)]
	if !ok {
		return termTime{}, false
	}
	y, _ := strconv.Atoi(year)
	return termTime{year: y, season: rank}, true
}

// termAfter reports whether term a is known to start after term b.
func termAfter(a, b string) bool {
	ta, okA := parseTermName(a)
	tb, okB := parseTermName(b)
	switch {
	case !okA || !okB:
		return false
	case ta.year != tb.year:
		return ta.year > tb.year
	case ta.season < 0 || tb.season < 0:
		return false // a whole year and one of its terms: neither is later
	}
	return ta.season > tb.season
}

// futureTraining lists, for a split, the training terms known to be later
// than a term it tests on, as "T (after test term U)".
func futureTraining(sp Split) []string {
	var out []string
	switch sp.Kind {
	case "temporal":
		for _, tr := range sp.Train {
			for _, te := range sp.Test {
				if termAfter(tr, te) {
					out = append(out, fmt.Sprintf("%s (after test term %s)", tr, te))
					break
				}
			}
		}
	case "rolling":
		// Fold k trains on terms[:k] and tests on terms[k].
		for k := 1; k < len(sp.Terms); k++ {
			for _, tr := range sp.Terms[:k] {
				if termAfter(tr, sp.Terms[k]) {
					out = append(out, fmt.Sprintf("%s (listed before %s, which is earlier)", tr, sp.Terms[k]))
					break
				}
			}
		}
	}
	return out
}

// checkFutureTraining reports splits that train on terms after the ones
// they test unless they say allow_future_training = true.
func (s *Spec) checkFutureTraining(ps *problems) {
	for i, sp := range s.Splits {
		late := futureTraining(sp)
		if len(late) == 0 || sp.AllowFutureTraining {
			continue
		}
		field := "train"
		if sp.Kind == "rolling" {
			field = "terms"
		}
		ps.add(fmt.Sprintf("splits[%d].%s", i, field), "trains on terms later than the terms it tests: %s; a model cannot learn from the future in deployment, so its results would be optimistic (set allow_future_training = true on the split to run it anyway)", strings.Join(late, ", "))
	}
}

// futureTrainingWarnings are the run warnings of splits allowed to train
// on the future.
func (s *Spec) futureTrainingWarnings() []string {
	var out []string
	for _, sp := range s.Splits {
		if late := futureTraining(sp); len(late) > 0 && sp.AllowFutureTraining {
			out = append(out, fmt.Sprintf("split %s trains on terms later than the terms it tests (%s; allow_future_training = true): its results overstate how the model would do on future students", sp.Name, strings.Join(late, ", ")))
		}
	}
	return out
}
