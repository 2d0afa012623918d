package scoring

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/evalrun/evalrun/results"
)

// Alert kinds of ScoredStudent.Alert.
const (
	AlertNewlyFlagged = "newly_flagged"
	AlertRisen        = "risen"
)

// Summarize ranks sc.List by score (highest first, ties by key, term and
// course so that the order does not depend on the input order), numbers
// the ranks and counts flags, bands, and the students with inputs outside
// the training data (extrapolations) and with missing inputs. Without a
// previous scoring every flagged student is newly flagged.
func Summarize(sc *results.Scoring, bandOrder []string) {
	l := sc.List
	sort.SliceStable(l, func(a, b int) bool {
		if l[a].Score != l[b].Score {
			return l[a].Score > l[b].Score
		}
		if l[a].Key != l[b].Key {
			return l[a].Key < l[b].Key
		}
		if l[a].Term != l[b].Term {
			return l[a].Term < l[b].Term
		}
		return l[a].Course < l[b].Course
	})
	sc.Students, sc.Flagged, sc.Extrapolated, sc.Alerts = len(l), 0, 0, 0
	sc.StudentsOutOfRange, sc.StudentsUnseen, sc.StudentsMissing = 0, 0, 0
	sc.OutOfRange, sc.Unseen, sc.Missing = map[string]int{}, map[string]int{}, map[string]int{}
	bands := map[string]int{}
	for i := range l {
		s := &l[i]
		s.Rank = i + 1
		bands[s.Band]++
		if s.Flagged {
			sc.Flagged++
		}
		if len(s.OutOfRange)+len(s.Unseen) > 0 {
			sc.Extrapolated++
		}
		sc.StudentsOutOfRange += min(len(s.OutOfRange), 1)
		sc.StudentsUnseen += min(len(s.Unseen), 1)
		sc.StudentsMissing += min(len(s.Missing), 1)
		for _, f := range s.OutOfRange {
			sc.OutOfRange[f]++
		}
		for _, f := range s.Unseen {
			sc.Unseen[f]++
		}
		for _, f := range s.Missing {
			sc.Missing[f]++
		}
		s.Alert, s.NewlyFlagged, s.Risen = "", false, false
		if s.Flagged {
			s.NewlyFlagged, s.Alert = true, AlertNewlyFlagged
			sc.Alerts++
		}
	}
	sc.Bands = nil
	for _, b := range bandOrder {
		sc.Bands = append(sc.Bands, results.BandCount{Band: b, Students: bands[b]})
	}
}

// PreviousRow is one student of a previous scoring's risk_list.csv.
type PreviousRow struct {
	Key, Term, Course string
	Score             float64
	Flagged           bool
}

// Previous is a previous scoring read back.
type Previous struct {
	Dir  string
	Rows []PreviousRow
	// ModelSHA256 is the bundle's model.json digest recorded in its
	// scoring.json.
	ModelSHA256 string
}

// ReadPrevious reads DIR/risk_list.csv and DIR/scoring.json of an earlier
// `evalrun score`. Errors name the file, line and column.
func ReadPrevious(dir string) (*Previous, error) {
	sj, err := os.ReadFile(filepath.Join(dir, "scoring.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--previous %s: not a scoring directory (no scoring.json; written by evalrun score)", dir)
		}
		return nil, fmt.Errorf("--previous: %w", err)
	}
	var meta results.Scoring
	if err := json.Unmarshal(sj, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "scoring.json"), err)
	}
	path := filepath.Join(dir, "risk_list.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--previous: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"student", "term", "course", "risk", "flagged"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: no column %q", path, need)
		}
	}
	p := &Previous{Dir: dir, ModelSHA256: meta.Bundle.ModelSHA256}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := strconv.ParseFloat(rec[col["risk"]], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: column \"risk\": %q is not a number", path, line, rec[col["risk"]])
		}
		fl := rec[col["flagged"]]
		if fl != "yes" && fl != "no" {
			return nil, fmt.Errorf("%s:%d: column \"flagged\": %q, want yes or no", path, line, fl)
		}
		p.Rows = append(p.Rows, PreviousRow{Key: rec[col["student"]], Term: rec[col["term"]], Course: rec[col["course"]], Score: v, Flagged: fl == "yes"})
	}
	return p, nil
}

// Compare sets each student's previous score, marks the newly flagged
// (flagged now, not flagged or not scored before) and the risen (risk up
// by more than rise) and makes them the alerts; sc must be summarized.
func Compare(sc *results.Scoring, prev *Previous, rise float64) {
	type key struct{ k, t, c string }
	before := make(map[key]PreviousRow, len(prev.Rows))
	for _, r := range prev.Rows {
		before[key{r.Key, r.Term, r.Course}] = r
	}
	ps := &results.PreviousScoring{Dir: prev.Dir, Students: len(prev.Rows), Rise: rise, SameModel: prev.ModelSHA256 == sc.Bundle.ModelSHA256}
	now := map[key]bool{} // scored now: flagged or not
	sc.Alerts = 0
	for i := range sc.List {
		s := &sc.List[i]
		k := key{s.Key, s.Term, s.Course}
		now[k] = s.Flagged
		s.Alert, s.NewlyFlagged, s.Risen, s.Previous = "", false, false, nil
		p, ok := before[k]
		if ok {
			ps.Matched++
			v := p.Score
			s.Previous = &v
			s.Risen = s.Score-p.Score > rise
		}
		s.NewlyFlagged = s.Flagged && (!ok || !p.Flagged)
		switch {
		case s.NewlyFlagged:
			s.Alert = AlertNewlyFlagged
		case s.Risen:
			s.Alert = AlertRisen
		}
		if s.NewlyFlagged {
			ps.NewlyFlagged++
		}
		if s.Risen {
			ps.Risen++
		}
		if s.Alert != "" {
			sc.Alerts++
		}
	}
	for k, r := range before {
		if flagged, scored := now[k]; r.Flagged && scored && !flagged {
			ps.NoLongerFlagged++
		}
	}
	if !ps.SameModel {
		sc.Warnings = append(sc.Warnings, fmt.Sprintf("the previous scoring %s used another bundle: changes of risk mix two models", prev.Dir))
	}
	sc.Previous = ps
}
