package synth

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// scanTable reads name from fsys with a strict OULAD-format check (every
// field double-quoted, no quote inside a field, CRLF after every line
// including the last, the same field count on every line) and calls fn for
// the header (line 1) and for each data row. fields is reused between calls.
func scanTable(t testing.TB, fsys fs.FS, name string, fn func(line int, fields []string)) {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("%s: does not end with CRLF", name)
	}
	text := string(data)
	var fields []string
	width := -1
	line := 0
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		raw := text[:i]
		text = text[i+1:]
		line++
		if !strings.HasSuffix(raw, "\r") {
			t.Fatalf("%s line %d: line end is not CRLF", name, line)
		}
		raw = raw[:len(raw)-1]
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
			t.Fatalf("%s line %d: fields not double-quoted: %q", name, line, raw)
		}
		fields = fields[:0]
		inner := raw[1 : len(raw)-1]
		for {
			j := strings.Index(inner, `","`)
			if j < 0 {
				fields = append(fields, inner)
				break
			}
			fields = append(fields, inner[:j])
			inner = inner[j+3:]
		}
		for _, f := range fields {
			if strings.ContainsAny(f, "\"\r\n") {
				t.Fatalf("%s line %d: field %q holds a quote or line break", name, line, f)
			}
		}
		if width < 0 {
			width = len(fields)
		} else if len(fields) != width {
			t.Fatalf("%s line %d: %d fields, header has %d", name, line, len(fields), width)
		}
		fn(line, fields)
	}
}

func atoiT(t testing.TB, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not an integer: %q", s)
	}
	return v
}

// studentKey identifies a registration.
type studentKey struct{ module, pres, id string }

// studentStats aggregates one registration over all seven tables.
type studentStats struct {
	info        []string // studentInfo row
	result      string
	disabled    bool
	year        string
	regDate     string
	unregDate   string
	rows        int
	clicks      int
	earlyClicks int // days <= 28
	earlyDays   map[int]bool
	dueEarly    int // TMA/CMA due on or before day 28
	subEarly    int // of those, submitted on or before day 28
	scoreEarly  float64
	nScoreEarly int
	subs        []sub // studentAssessment rows
}

// sub is one studentAssessment row with its assessment's row.
type sub struct {
	assessment []string // assessments.csv row
	date       int
	banked     bool
	score      string
}

// parsedOULAD holds a generated data set's per-registration aggregates.
type parsedOULAD struct {
	students    map[studentKey]*studentStats
	order       []studentKey
	vleRows     int
	assessRows  int
	sites       map[string]string // id_site -> module/presentation
	assessments map[string][]string
}

// parseOULAD reads all seven tables of fsys, checking format and referential
// integrity as it goes.
func parseOULAD(t testing.TB, fsys fs.FS) *parsedOULAD {
	t.Helper()
	p := &parsedOULAD{students: map[studentKey]*studentStats{}, sites: map[string]string{}, assessments: map[string][]string{}}
	presentations := map[string]int{}
	scanTable(t, fsys, FileCourses, func(line int, f []string) {
		if line > 1 {
			presentations[f[0]+"/"+f[1]] = atoiT(t, f[2])
		}
	})
	scanTable(t, fsys, FileAssessments, func(line int, f []string) {
		if line == 1 {
			return
		}
		if _, ok := presentations[f[0]+"/"+f[1]]; !ok {
			t.Fatalf("assessments line %d: unknown presentation %s/%s", line, f[0], f[1])
		}
		if _, dup := p.assessments[f[2]]; dup {
			t.Fatalf("assessments line %d: duplicate id_assessment %s", line, f[2])
		}
		p.assessments[f[2]] = append([]string(nil), f...)
	})
	scanTable(t, fsys, FileVLE, func(line int, f []string) {
		if line == 1 {
			return
		}
		if _, ok := presentations[f[1]+"/"+f[2]]; !ok {
			t.Fatalf("vle line %d: unknown presentation %s/%s", line, f[1], f[2])
		}
		if _, dup := p.sites[f[0]]; dup {
			t.Fatalf("vle line %d: duplicate id_site %s", line, f[0])
		}
		p.sites[f[0]] = f[1] + "/" + f[2]
	})
	scanTable(t, fsys, FileStudentInfo, func(line int, f []string) {
		if line == 1 {
			return
		}
		if _, ok := presentations[f[0]+"/"+f[1]]; !ok {
			t.Fatalf("studentInfo line %d: unknown presentation", line)
		}
		k := studentKey{f[0], f[1], f[2]}
		if _, dup := p.students[k]; dup {
			t.Fatalf("studentInfo line %d: duplicate registration %v", line, k)
		}
		s := &studentStats{info: append([]string(nil), f...), result: f[11], disabled: f[10] == "Y", year: f[1][:4], earlyDays: map[int]bool{}}
		p.students[k] = s
		p.order = append(p.order, k)
	})
	regSeen := 0
	scanTable(t, fsys, FileStudentRegistration, func(line int, f []string) {
		if line == 1 {
			return
		}
		s, ok := p.students[studentKey{f[0], f[1], f[2]}]
		if !ok {
			t.Fatalf("studentRegistration line %d: unknown registration %v", line, f[:3])
		}
		s.regDate, s.unregDate = f[3], f[4]
		regSeen++
	})
	if regSeen != len(p.students) {
		t.Fatalf("studentRegistration has %d rows, studentInfo %d", regSeen, len(p.students))
	}
	scanTable(t, fsys, FileStudentAssessment, func(line int, f []string) {
		if line == 1 {
			return
		}
		p.assessRows++
		a, ok := p.assessments[f[0]]
		if !ok {
			t.Fatalf("studentAssessment line %d: unknown id_assessment %s", line, f[0])
		}
		s, ok := p.students[studentKey{a[0], a[1], f[1]}]
		if !ok {
			t.Fatalf("studentAssessment line %d: student %s not registered on %s/%s", line, f[1], a[0], a[1])
		}
		for _, prev := range s.subs {
			if prev.assessment[2] == f[0] {
				t.Fatalf("studentAssessment line %d: second row for student %s, assessment %s", line, f[1], f[0])
			}
		}
		if f[3] != "0" && f[3] != "1" {
			t.Fatalf("studentAssessment line %d: is_banked %q", line, f[3])
		}
		s.subs = append(s.subs, sub{assessment: a, date: atoiT(t, f[2]), banked: f[3] == "1", score: f[4]})
		if a[3] != "Exam" && a[4] != "" && atoiT(t, a[4]) <= 28 && f[3] == "0" {
			d := atoiT(t, f[2])
			if d <= 28 {
				s.subEarly++
				if f[4] != "" {
					s.scoreEarly += float64(atoiT(t, f[4]))
					s.nScoreEarly++
				}
			}
		}
	})
	// Assessments due by day 28, per presentation.
	dueEarly := map[string]int{}
	for _, a := range p.assessments {
		if a[3] != "Exam" && a[4] != "" && atoiT(t, a[4]) <= 28 {
			dueEarly[a[0]+"/"+a[1]]++
		}
	}
	for k, s := range p.students {
		s.dueEarly = dueEarly[k.module+"/"+k.pres]
	}
	// studentVle: rows of a registration are contiguous and ordered by day,
	// with at most one row per site and day.
	var last *studentStats
	var lastKey studentKey
	lastDay := math.MinInt
	daySites := map[string]bool{}
	done := map[studentKey]bool{}
	scanTable(t, fsys, FileStudentVLE, func(line int, f []string) {
		if line == 1 {
			return
		}
		p.vleRows++
		k := studentKey{f[0], f[1], f[2]}
		if last == nil || k != lastKey {
			s, ok := p.students[k]
			if !ok {
				t.Fatalf("studentVle line %d: unknown registration %v", line, k)
			}
			if done[k] {
				t.Fatalf("studentVle line %d: rows of %v are not contiguous", line, k)
			}
			done[lastKey] = true
			last, lastKey, lastDay = s, k, math.MinInt
		}
		if pres, ok := p.sites[f[3]]; !ok || pres != f[0]+"/"+f[1] {
			t.Fatalf("studentVle line %d: site %s not a site of %s/%s", line, f[3], f[0], f[1])
		}
		d, c := atoiT(t, f[4]), atoiT(t, f[5])
		if c < 1 {
			t.Fatalf("studentVle line %d: sum_click %d < 1", line, c)
		}
		if d < -30 || d > presentations[f[0]+"/"+f[1]] {
			t.Fatalf("studentVle line %d: day %d outside [-30, length]", line, d)
		}
		switch {
		case d < lastDay:
			t.Fatalf("studentVle line %d: day %d after day %d", line, d, lastDay)
		case d > lastDay:
			clear(daySites)
			lastDay = d
		}
		if daySites[f[3]] {
			t.Fatalf("studentVle line %d: second row for site %s on day %d", line, f[3], d)
		}
		daySites[f[3]] = true
		last.rows++
		last.clicks += c
		if d <= 28 {
			last.earlyClicks += c
			last.earlyDays[d] = true
		}
	})
	return p
}

func atRisk(result string) bool { return result == "Fail" || result == "Withdrawn" }

// day28Features returns the feature vector a day-28 at-risk model sees.
func day28Features(s *studentStats) []float64 {
	missed := float64(s.dueEarly - s.subEarly)
	score := 0.0
	if s.nScoreEarly > 0 {
		score = s.scoreEarly/float64(s.nScoreEarly)/100 - 0.7
	}
	dis := 0.0
	if s.disabled {
		dis = 1
	}
	return []float64{1, math.Log1p(float64(s.earlyClicks)), float64(len(s.earlyDays)) / 10, missed, score, dis}
}

// fitLogistic fits an unpenalised logistic regression by Newton-Raphson
// (IRLS) and returns the coefficients.
func fitLogistic(t testing.TB, x [][]float64, y []bool) []float64 {
	t.Helper()
	p := len(x[0])
	beta := make([]float64, p)
	for iter := 0; iter < 50; iter++ {
		h := mat.NewSymDense(p, nil)
		g := mat.NewVecDense(p, nil)
		for i, xi := range x {
			eta := 0.0
			for j := range xi {
				eta += beta[j] * xi[j]
			}
			mu := 1 / (1 + math.Exp(-eta))
			yi := 0.0
			if y[i] {
				yi = 1
			}
			w := mu * (1 - mu)
			for j := range xi {
				g.SetVec(j, g.AtVec(j)+(yi-mu)*xi[j])
				for k := j; k < p; k++ {
					h.SetSym(j, k, h.At(j, k)+w*xi[j]*xi[k])
				}
			}
		}
		var step mat.VecDense
		if err := step.SolveVec(h, g); err != nil {
			t.Fatalf("logistic fit: %v", err)
		}
		maxStep := 0.0
		for j := range beta {
			beta[j] += step.AtVec(j)
			maxStep = math.Max(maxStep, math.Abs(step.AtVec(j)))
		}
		if maxStep < 1e-8 {
			break
		}
	}
	return beta
}

func predictLogistic(beta, x []float64) float64 {
	eta := 0.0
	for j := range x {
		eta += beta[j] * x[j]
	}
	return 1 / (1 + math.Exp(-eta))
}

// rocAUC is the Mann-Whitney estimate with ties counted one half.
func rocAUC(score []float64, y []bool) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	rankSumPos, nPos := 0.0, 0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie block
		for k := i; k < j; k++ {
			if y[idx[k]] {
				rankSumPos += mid
				nPos++
			}
		}
		i = j
	}
	nNeg := len(score) - nPos
	return (rankSumPos - float64(nPos*(nPos+1))/2) / float64(nPos*nNeg)
}

// realOULADDir returns the directory of the real OULAD tables
// ($EVALRUN_OULAD_DIR, else ../shared/data/oulad next to the module root), or
// "" when absent.
func realOULADDir() string {
	if d := os.Getenv("EVALRUN_OULAD_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data", "oulad")
			if _, err := os.Stat(filepath.Join(d, FileCourses)); err == nil {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// demoSet is the default-size data set, generated once per test binary.
type demoSet struct {
	fsys fs.FS
	sum  Summary
	err  error
}

var demoData = sync.OnceValue(func() demoSet {
	fsys, sum, err := OULADFS(OULADConfig{Seed: 1})
	return demoSet{fsys, sum, err}
})

var demoParsedState struct {
	sync.Mutex
	tried bool
	p     *parsedOULAD
}

// demoParsed parses the demo data set once per test binary; the first caller
// reports any format or integrity failure.
func demoParsed(t *testing.T) *parsedOULAD {
	t.Helper()
	st := &demoParsedState
	st.Lock()
	defer st.Unlock()
	if !st.tried {
		st.tried = true
		d := demoData()
		if d.err != nil {
			t.Fatal(d.err)
		}
		st.p = parseOULAD(t, d.fsys)
	}
	if st.p == nil {
		t.Fatal("demo data set failed to generate or parse; see the first failing test")
	}
	return st.p
}
