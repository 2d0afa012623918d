package harness

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/synth"
)

// loadedDataset is one spec dataset with its frames, one per cutoff.
type loadedDataset struct {
	spec   Dataset
	index  int
	frames []*datasets.Frame
	// numeric and categorical are the selected feature columns by type.
	numeric, categorical []string
	// events are the event logs joined to this dataset.
	events []joinedLog
	// unlabelled holds, per frame, the rows whose outcome is not known
	// yet (nil when every row has one): never trained or evaluated on,
	// counted in results and scored by scoring-only splits.
	unlabelled []*datasets.Frame
}

// loadDatasets loads every dataset of the spec. Load errors name the file,
// line and field (the loaders' errors) and the spec dataset.
func loadDatasets(env sourceEnv, s *Spec) ([]*loadedDataset, error) {
	var out []*loadedDataset
	for i, d := range s.Datasets {
		if d.Kind == "events" {
			continue // joined to its student table below
		}
		frames, err := loadDataset(env, s, d)
		if err != nil {
			return nil, fmt.Errorf("dataset %q (%s:%d): %w", d.Name, s.File, s.lines.line(fmt.Sprintf("datasets[%d]", i)), err)
		}
		out = append(out, &loadedDataset{spec: d, index: i, frames: frames})
	}
	out, err := joinEvents(env, s, out)
	if err != nil {
		return nil, err
	}
	for _, ld := range out {
		separateUnlabelled(ld)
	}
	return out, nil
}

func loadDataset(env sourceEnv, s *Spec, d Dataset) ([]*datasets.Frame, error) {
	switch d.Kind {
	case "oulad", "synthetic-oulad":
		var fsys fs.FS
		if d.Kind == "oulad" {
			dir := s.ResolvePath(d.Path)
			st, err := os.Stat(dir)
			if err != nil {
				return nil, fmt.Errorf("OULAD directory: %w", err)
			}
			if !st.IsDir() {
				return nil, fmt.Errorf("OULAD path %s is not a directory", dir)
			}
			fsys = os.DirFS(dir)
		} else {
			var err error
			fsys, _, err = synth.OULADFS(synth.OULADConfig{Students: d.Students, Seed: s.Experiment.Seed})
			if err != nil {
				return nil, fmt.Errorf("generating synthetic OULAD data: %w", err)
			}
		}
		frames, err := datasets.LoadOULAD(fsys, datasets.OULADOptions{
			Name:           d.Name,
			Cutoffs:        d.CutoffDays,
			Positive:       d.Positive,
			Presentations:  d.Presentations,
			Clicks:         d.ClicksEnabled(),
			KeepUnlabelled: true,
		})
		if err != nil {
			return nil, err
		}
		return frames, nil
	case "csv", "postgres":
		cat := map[string]bool{}
		for _, c := range d.Categorical {
			cat[c] = true
		}
		// Features an events dataset joins later are not in the file.
		joined := joinedByEvents(s, d.Name)
		var header map[string]bool
		if joined {
			h, err := studentTableColumns(env, s, d)
			if err != nil {
				return nil, err
			}
			header = h
		}
		var numeric []string
		for _, f := range d.Features {
			if !cat[f] && (!joined || header[f]) {
				numeric = append(numeric, f)
			}
		}
		f, err := loadStudentTable(env, s, d, datasets.CSVOptions{
			Name:           d.Name,
			IDColumn:       d.ID,
			LabelColumn:    d.Label,
			PositiveValues: d.Positive,
			TermColumn:     d.Term,
			CourseColumn:   d.Course,
			Numeric:        numeric,
			Categorical:    d.Categorical,
			Groups:         d.Groups,
			KeepUnlabelled: true,
		})
		if err != nil {
			return nil, err
		}
		return []*datasets.Frame{f}, nil
	}
	return nil, fmt.Errorf("unknown dataset kind %q", d.Kind)
}

// joinedByEvents reports whether an events dataset joins the named dataset.
func joinedByEvents(s *Spec, name string) bool {
	for _, d := range s.Datasets {
		if d.Kind == "events" && d.Join == name {
			return true
		}
	}
	return false
}

// csvHeader returns the column names of a csv or csv.gz file.
func csvHeader(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	rec, err := csv.NewReader(r).Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	h := map[string]bool{}
	for _, c := range rec {
		h[strings.TrimPrefix(strings.TrimSpace(c), "\ufeff")] = true
	}
	return h, nil
}

// fold is one train/test partition of a frame's rows.
type fold struct {
	split      string // split name, with "/<test term>" for rolling folds
	trainTerms []string
	testTerms  []string
	train      []int
	test       []int
}

// expandSplits lists the folds of every split that applies to a dataset.
func expandSplits(s *Spec, dataset string) []fold {
	var out []fold
	for _, sp := range s.Splits {
		if sp.Dataset != "" && sp.Dataset != dataset {
			continue
		}
		switch sp.Kind {
		case "temporal":
			out = append(out, fold{split: sp.Name, trainTerms: sp.Train, testTerms: sp.Test})
		case "rolling":
			for k := sp.MinTrain; k < len(sp.Terms); k++ {
				out = append(out, fold{
					split:      sp.Name + "/" + sp.Terms[k],
					trainTerms: slices.Clone(sp.Terms[:k]),
					testTerms:  []string{sp.Terms[k]},
				})
			}
		}
	}
	return out
}

// rowsOf returns the indexes of rows whose term is in terms, in frame order.
func rowsOf(f *datasets.Frame, terms []string) []int {
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	var idx []int
	for i, t := range f.Terms {
		if want[t] {
			idx = append(idx, i)
		}
	}
	return idx
}

// validateData reports the problems that need the data: columns that do not
// exist, terms no row has, empty classes in a training set. It also fills
// each dataset's selected feature columns.
func validateData(s *Spec, data []*loadedDataset, ps *problems) {
	for _, ld := range data {
		key := fmt.Sprintf("datasets[%d]", ld.index)
		if len(ld.frames) == 0 {
			ps.add(key, "the loader returned no rows")
			continue
		}
		if len(s.Models)+len(s.Splits) == 0 && len(s.Analyses) > 0 {
			continue // a discovery-only spec: no features, no splits
		}
		f := ld.frames[0]
		features := ld.spec.Features
		if len(features) == 0 {
			for _, c := range f.Numeric {
				features = append(features, c.Name)
			}
		}
		ld.numeric, ld.categorical = nil, nil
		var missing []string
		for _, name := range features {
			if _, ok := f.NumericByName(name); ok {
				ld.numeric = append(ld.numeric, name)
			} else if _, ok := f.CategoricalByName(name); ok {
				ld.categorical = append(ld.categorical, name)
			} else {
				missing = append(missing, name)
			}
		}
		for _, name := range missing {
			ps.add(key+".features", "no column %q in dataset %q (columns: %s)", name, ld.spec.Name, joinLimited(f.ColumnNames(), 12))
		}
		for _, g := range ld.spec.Groups {
			if _, ok := f.CategoricalByName(g); !ok {
				ps.add(key+".groups", "no categorical column %q in dataset %q", g, ld.spec.Name)
			}
		}
		checkGroupColumns(s, ld, f, ps)
		if len(ld.numeric)+len(ld.categorical) == 0 && len(missing) == 0 {
			ps.add(key+".features", "dataset %q has no feature columns", ld.spec.Name)
		}
		terms := map[string]bool{}
		for _, t := range f.Terms {
			terms[t] = true
		}
		pending := unlabelledTerms(ld)
		folds := expandSplits(s, ld.spec.Name)
		if len(folds) == 0 && !s.DescribeOnly() {
			ps.add(key, "no split applies to dataset %q", ld.spec.Name)
		}
		for si, sp := range s.Splits {
			if sp.Dataset != "" && sp.Dataset != ld.spec.Name {
				continue
			}
			skey := fmt.Sprintf("splits[%d]", si)
			check := func(field string, list []string) {
				for _, t := range list {
					if !terms[t] && pending[t] > 0 && field == "train" {
						ps.add(skey+"."+field, "no student of term %q of dataset %q has an outcome yet (%d without): a term without outcomes cannot be trained on", t, ld.spec.Name, pending[t])
						continue
					}
					if !terms[t] && pending[t] == 0 {
						ps.add(skey+"."+field, "no row of dataset %q has term %q (terms: %s)", ld.spec.Name, t, joinLimited(sortedKeys(terms), 30))
					}
				}
			}
			check("train", sp.Train)
			check("test", sp.Test)
			check("terms", sp.Terms)
		}
		for _, fr := range ld.frames {
			for _, fo := range folds {
				train := rowsOf(fr, fo.trainTerms)
				pos := 0
				for _, i := range train {
					pos += int(fr.Labels[i])
				}
				where := fmt.Sprintf("split %q of dataset %q", fo.split, ld.spec.Name)
				if fr.Cutoff != datasets.NoCutoff {
					where += fmt.Sprintf(" at cutoff day %d", fr.Cutoff)
				}
				switch {
				case len(train) == 0:
					// reported above as a term no row has
				case pos == 0:
					ps.add(splitKey(s, fo), "the training set of %s has no positive (at-risk) rows", where)
				case pos == len(train):
					ps.add(splitKey(s, fo), "the training set of %s has no negative rows", where)
				}
				if len(train) > 0 && len(rowsOf(fr, fo.testTerms)) == 0 && len(scoringOnlyRows(ld, fr, fo)) == 0 {
					ps.add(splitKey(s, fo), "the test set of %s is empty", where)
				}
			}
		}
	}
}

func splitKey(s *Spec, fo fold) string {
	for i, sp := range s.Splits {
		if sp.Name == fo.split || (sp.Kind == "rolling" && len(fo.split) > len(sp.Name) && fo.split[:len(sp.Name)+1] == sp.Name+"/") {
			return fmt.Sprintf("splits[%d]", i)
		}
	}
	return "splits"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinLimited(items []string, limit int) string {
	s := ""
	for i, it := range items {
		if i == limit {
			return s + fmt.Sprintf(", ... (%d more)", len(items)-limit)
		}
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s
}
