package datasets

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLoadOULADRealData runs on the real OULAD copy in ../shared/data/oulad
// (skipped when absent). Expected counts come from the data README (row
// counts of the published tables; click rows only for AAA 2013J, AAA 2014J
// and BBB 2013B) and its SHA256SUMS file; feature values are cross-checked
// against an independent computation from encoding/csv reads of the tables.
func TestLoadOULADRealData(t *testing.T) {
	dir := ouladRealDir(t)
	fsys := os.DirFS(dir)
	opts := OULADOptions{Name: "oulad", Cutoffs: []int{14, 28, 56}, Positive: []string{"Fail", "Withdrawn"}, Clicks: true}
	frames, err := LoadOULAD(fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	withClicks := map[string]bool{"AAA/2013J": true, "AAA/2014J": true, "BBB/2013B": true}

	t.Run("files", func(t *testing.T) {
		sums := map[string]string{}
		f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
		if err != nil {
			t.Skipf("no SHA256SUMS: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) == 2 {
				sums[fields[1]] = fields[0]
			}
		}
		rows := map[string]int{OULADStudentInfo: 32593, OULADStudentRegistration: 32593, OULADStudentAssessment: 173912,
			OULADAssessments: 206, OULADCourses: 22, OULADVLE: 6364, OULADStudentVLE: 753564}
		files := frames[0].Report.Files
		if len(files) != 7 {
			t.Fatalf("%d files, want 7", len(files))
		}
		for _, info := range files {
			if info.SHA256 != sums[info.Path] {
				t.Errorf("%s: sha256 %s, SHA256SUMS says %s", info.Path, info.SHA256, sums[info.Path])
			}
			if info.Rows != rows[info.Path] {
				t.Errorf("%s: %d rows, want %d", info.Path, info.Rows, rows[info.Path])
			}
		}
	})

	t.Run("rows and click presence", func(t *testing.T) {
		for _, f := range frames {
			unreg, _ := ouladCleaning(f, "unregistered_by_cutoff", "")
			late, _ := ouladCleaning(f, "registered_after_cutoff", "")
			if f.Len()+unreg+late != 32593 {
				t.Errorf("cutoff %d: %d rows + %d unregistered + %d registered later != 32593 students", f.Cutoff, f.Len(), unreg, late)
			}
			if unreg == 0 {
				t.Errorf("cutoff %d: no student unregistered by the cutoff", f.Cutoff)
			}
			seen := map[string]bool{}
			presentations := map[string]bool{}
			total, _ := f.NumericByName("clicks_total")
			for r, key := range f.Keys {
				if seen[key] {
					t.Fatalf("cutoff %d: duplicate key %s", f.Cutoff, key)
				}
				seen[key] = true
				pres := f.Courses[r] + "/" + f.Terms[r]
				presentations[pres] = true
				if has := !math.IsNaN(total.Values[r]); has != withClicks[pres] {
					t.Fatalf("cutoff %d: %s clicks_total %v; click features expected only for AAA/2013J, AAA/2014J, BBB/2013B", f.Cutoff, key, total.Values[r])
				}
			}
			if len(presentations) != 22 {
				t.Errorf("cutoff %d: %d presentations, want 22", f.Cutoff, len(presentations))
			}
			var noted []string
			for _, n := range f.Report.Notes {
				noted = append(noted, strings.SplitN(n, ":", 2)[0])
			}
			for pres := range presentations {
				if withClicks[pres] == slices.Contains(noted, pres) {
					t.Errorf("cutoff %d: presentation %s noted=%v, has clicks=%v", f.Cutoff, pres, slices.Contains(noted, pres), withClicks[pres])
				}
			}
			if len(noted) != 19 {
				t.Errorf("cutoff %d: %d notes, want 19", f.Cutoff, len(noted))
			}
		}
	})

	tables := ouladReadTables(t, fsys, ouladAllFiles)

	t.Run("independent cross-check", func(t *testing.T) {
		ouladCrossCheck(t, tables, frames)
	})

	t.Run("no leakage", func(t *testing.T) {
		base := map[int]*Frame{}
		for _, f := range frames {
			base[f.Cutoff] = f
		}
		for _, c := range opts.Cutoffs {
			perturbed, changed := ouladPerturbAfter(t, tables, c)
			if changed[OULADStudentVLE] == 0 || changed[OULADStudentAssessment] == 0 || changed[OULADStudentRegistration] == 0 {
				t.Fatalf("cutoff %d: perturbation left a table unchanged: %v", c, changed)
			}
			got, err := LoadOULAD(ouladWriteTables(perturbed), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				if g.Cutoff != c {
					continue
				}
				if diff := ouladFrameDiff(base[c], g); diff != "" {
					t.Errorf("cutoff %d: changing rows dated after day %d changed the frame: %s", c, c, diff)
				}
			}
		}
	})
}

// ouladCrossCheck recomputes clicks_total, active_days, submitted and
// mean_score for every row from the raw tables with plain maps, as a check
// independent of the loader's streaming accumulators.
func ouladCrossCheck(t *testing.T, tables ouladTables, frames []*Frame) {
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("not an integer: %q", s)
		}
		return v
	}
	// key "module/presentation/student" -> day -> clicks
	clicks := map[string]map[int]int{}
	for _, r := range tables[OULADStudentVLE][1:] {
		key := r[0] + "/" + r[1] + "/" + r[2]
		if clicks[key] == nil {
			clicks[key] = map[int]int{}
		}
		clicks[key][atoi(r[4])] += atoi(r[5])
	}
	assessPres := map[string]string{}
	for _, r := range tables[OULADAssessments][1:] {
		assessPres[r[2]] = r[0] + "/" + r[1]
	}
	type sub struct {
		date  int
		score string
	}
	subs := map[string][]sub{}
	for _, r := range tables[OULADStudentAssessment][1:] {
		key := assessPres[r[0]] + "/" + r[1]
		subs[key] = append(subs[key], sub{atoi(r[2]), r[4]})
	}
	checked := 0
	for _, f := range frames {
		total, _ := f.NumericByName("clicks_total")
		active, _ := f.NumericByName("active_days")
		submitted, _ := f.NumericByName("submitted")
		mean, _ := f.NumericByName("mean_score")
		for r, key := range f.Keys {
			if !math.IsNaN(total.Values[r]) {
				sum, days := 0, 0
				for d, n := range clicks[key] {
					if d <= f.Cutoff && n > 0 {
						sum += n
						days++
					}
				}
				if total.Values[r] != float64(sum) || active.Values[r] != float64(days) {
					t.Fatalf("cutoff %d %s: clicks_total %v active_days %v, independent %d and %d", f.Cutoff, key, total.Values[r], active.Values[r], sum, days)
				}
				checked++
			}
			n, scored, scoreSum := 0, 0, 0.0
			for _, s := range subs[key] {
				if s.date <= f.Cutoff {
					n++
					if v, err := strconv.ParseFloat(s.score, 64); err == nil {
						scored++
						scoreSum += v
					}
				}
			}
			wantMean := math.NaN()
			if scored > 0 {
				wantMean = scoreSum / float64(scored)
			}
			if submitted.Values[r] != float64(n) || !ouladSameFloat(mean.Values[r], wantMean, 1e-12) {
				t.Fatalf("cutoff %d %s: submitted %v mean_score %v, independent %d and %v", f.Cutoff, key, submitted.Values[r], mean.Values[r], n, wantMean)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d rows with clicks cross-checked", checked)
	}
}
