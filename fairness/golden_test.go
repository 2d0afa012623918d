package fairness

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCohortFiles runs the declarative cohorts in testdata/*.cohort
// (in the spirit of Prometheus's promql test scripts): a tiny cohort, the
// audit's settings, and the expected per-group values and gaps beside it,
// worked out by hand in each file's comments. Numbers must match within
// 1e-12; "null" means undefined.
//
//	threshold 0.5
//	reference A                 (optional; default largest group)
//	row <group> <label> <score>
//	group <name> <metric>=<value> ...
//	gap <group> <metric>=<value> ...
func TestCohortFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.cohort")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.cohort files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runCohortFile(t, file) })
	}
}

type expectation struct {
	line       int
	kind, name string
	values     map[string]string
}

func runCohortFile(t *testing.T, file string) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts := DefaultAuditOptions()
	opts.MinGroupSize, opts.BootstrapReplicates, opts.Permutations = 0, 0, 0
	var y []uint8
	var score []float64
	var groups []string
	var expects []expectation
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func() { t.Fatalf("%s:%d: cannot read %q", file, n, sc.Text()) }
		switch fields[0] {
		case "threshold":
			if len(fields) != 2 {
				bad()
			}
			v, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				bad()
			}
			opts.Threshold = v
		case "reference":
			if len(fields) != 2 {
				bad()
			}
			opts.References = map[string]Reference{"group": {Mode: ReferenceGroup, Group: fields[1]}}
		case "row":
			if len(fields) != 4 {
				bad()
			}
			label, err1 := strconv.ParseUint(fields[2], 10, 8)
			s, err2 := strconv.ParseFloat(fields[3], 64)
			if err1 != nil || err2 != nil {
				bad()
			}
			groups, y, score = append(groups, fields[1]), append(y, uint8(label)), append(score, s)
		case "group", "gap":
			if len(fields) < 3 {
				bad()
			}
			e := expectation{line: n, kind: fields[0], name: fields[1], values: map[string]string{}}
			for _, kv := range fields[2:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					bad()
				}
				e.values[k] = v
			}
			expects = append(expects, e)
		default:
			bad()
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	res, err := Audit(y, score, []Attribute{{"group", groups}}, opts)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	a := res.Attributes[0]
	for _, e := range expects {
		for metric, want := range e.values {
			var got Estimate
			switch e.kind {
			case "group":
				g := findGroup(t, a, e.name)
				if metric == "count" {
					got = Known(float64(*g.Count))
				} else if v, ok := g.Rate(metric); ok {
					got = v
				} else {
					t.Fatalf("%s:%d: unknown group metric %q", file, e.line, metric)
				}
			default:
				got = findGap(t, a, metric, e.name).Estimate
			}
			where := file + ":" + strconv.Itoa(e.line) + ": " + e.name + " " + metric
			if want == "null" {
				if got.Defined {
					t.Errorf("%s = %v, want null", where, got.Value)
				} else if got.Reason == "" {
					t.Errorf("%s is null without a reason", where)
				}
				continue
			}
			w, err := strconv.ParseFloat(want, 64)
			if err != nil {
				t.Fatalf("%s: bad value %q", where, want)
			}
			if !got.Defined || math.Abs(got.Value-w) > 1e-12 {
				t.Errorf("%s = %+v, want %v", where, got, w)
			}
		}
	}
}
