package pilot

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/evalrun/evalrun/abtest"
)

// LoadReport describes the pilot file that was read.
type LoadReport struct {
	// Path is the file as given to ReadPilot.
	Path string `json:"path"`
	// SHA256 is the hex digest of the file's bytes as stored (compressed
	// for a gzip file).
	SHA256 string `json:"sha256"`
	Gzip   bool   `json:"gzip"`
	// Rows counts the data rows (units), the header excluded.
	Rows int `json:"rows"`
	// Missing counts empty cells of the outcome, covariate, attribute and
	// treatment-received columns, in that order (columns without empty
	// cells are left out).
	Missing []ColumnMissing `json:"missing,omitempty"`
}

// ColumnMissing is the number of empty cells of one column.
type ColumnMissing struct {
	Column string `json:"column"`
	// Role is "outcome", "covariate", "attribute" or "received".
	Role    string `json:"role"`
	Missing int    `json:"missing"`
}

// DataFileError lists every problem found in a pilot or roster file, each
// as "file:line: field "col": message" (the header is line 1).
type DataFileError struct {
	Problems []string
}

// Error shows the first ten problems and counts the rest.
func (e *DataFileError) Error() string {
	const show = 10
	msg := strings.Join(e.Problems[:min(len(e.Problems), show)], "\n  ")
	if len(e.Problems) > show {
		msg += fmt.Sprintf("\n  and %d more problems", len(e.Problems)-show)
	}
	if len(e.Problems) == 1 {
		return msg
	}
	return fmt.Sprintf("%d problems:\n  %s", len(e.Problems), msg)
}

// csvTable is an opened CSV file: header, the column index by name and a
// reader positioned at the first data row.
type csvTable struct {
	path   string
	r      *csv.Reader
	header []string
	index  map[string]int
	closer func() error
	sum    hash.Hash
	raw    io.Reader
	gzip   bool
}

// openCSV opens a plain or gzip CSV (detected by its magic bytes), strips
// a UTF-8 byte order mark and reads the header. Quoted fields and CRLF line
// ends are handled by encoding/csv.
func openCSV(path string) (*csvTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	t := &csvTable{path: path, sum: sha256.New(), closer: f.Close}
	t.raw = io.TeeReader(f, t.sum)
	br := bufio.NewReader(t.raw)
	var in io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		in, t.gzip = zr, true
	}
	t.r = csv.NewReader(in)
	t.r.FieldsPerRecord = -1
	t.r.ReuseRecord = true
	header, err := t.r.Read()
	if err == io.EOF {
		f.Close()
		return nil, fmt.Errorf("%s: the file is empty: want a header line naming the columns", path)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.header = make([]string, len(header))
	t.index = map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		t.header[i] = h
		if _, dup := t.index[h]; dup {
			f.Close()
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", path, h)
		}
		t.index[h] = i
	}
	return t, nil
}

// require returns the index of each named column (in order), or an error
// listing every missing one at once.
func (t *csvTable) require(cols []string) ([]int, error) {
	idx := make([]int, len(cols))
	var missing []string
	for i, c := range cols {
		j, ok := t.index[c]
		if !ok {
			missing = append(missing, strconv.Quote(c))
			continue
		}
		idx[i] = j
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: missing column(s) %s (the header has %s)", t.path, strings.Join(missing, ", "), strings.Join(t.header, ", "))
	}
	return idx, nil
}

// finish drains the file so the digest covers every byte and closes it.
func (t *csvTable) finish() (string, error) {
	if _, err := io.Copy(io.Discard, t.raw); err != nil {
		t.closer()
		return "", fmt.Errorf("%s: %w", t.path, err)
	}
	if err := t.closer(); err != nil {
		return "", fmt.Errorf("%s: %w", t.path, err)
	}
	return hex.EncodeToString(t.sum.Sum(nil)), nil
}

// rows calls fn with each data row and its line number; a record with the
// wrong number of fields is reported through problem.
func (t *csvTable) rows(problem func(line int, format string, args ...any), fn func(line int, rec []string)) error {
	for {
		rec, err := t.r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s:%d: %v", t.path, pe.StartLine, pe.Err)
			}
			return fmt.Errorf("%s: %w", t.path, err)
		}
		line, _ := t.r.FieldPos(0)
		if len(rec) != len(t.header) {
			problem(line, "%d fields, but the header has %d columns", len(rec), len(t.header))
			continue
		}
		fn(line, rec)
	}
}

// parseNumber parses a numeric cell: "" is missing (NaN, ok); anything
// else must be a finite number.
func parseNumber(cell string) (v float64, missing bool, err error) {
	if cell == "" {
		return math.NaN(), true, nil
	}
	v, err = strconv.ParseFloat(cell, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("cannot read %q as a finite number (leave the cell empty for a missing value)", cell)
	}
	return v, false, nil
}

// ReadPilot reads the pilot CSV at path (plain or gzip) with the columns
// the spec names: unit, arm, outcomes, cluster, strata, covariates (with
// adjust_for and pre_period columns), attributes and received. Every
// problem is reported at once in a *DataFileError, each naming
// file:line:field: missing columns (listed together), rows with the wrong
// number of fields, numbers that do not parse, a binary outcome other than
// 0 or 1, treatment received outside [0, 1], empty unit ids, arm labels,
// clusters (cluster-randomized) or strata, unknown arm labels, a unit
// listed twice or in two arms, and in a cluster-randomized pilot a cluster
// in two arms. An empty outcome, covariate, attribute or received cell is
// missing (NaN or ""), never coerced, and counted in the LoadReport. A
// stratum holding a single arm is not an error here: Analyze excludes its
// units and reports the exclusion.
func ReadPilot(path string, s Spec) (abtest.Pilot, LoadReport, error) {
	p, rep, _, err := readPilot(path, s)
	return p, rep, err
}

// readPilot is ReadPilot that also returns each unit's look (nil without
// a sequential look column).
func readPilot(path string, s Spec) (abtest.Pilot, LoadReport, []int, error) {
	t, err := openCSV(path)
	if err != nil {
		return abtest.Pilot{}, LoadReport{}, nil, fmt.Errorf("pilot data: %w", err)
	}
	covNames := s.covariateColumns()
	lookCol := ""
	if s.Sequential != nil {
		lookCol = s.Sequential.LookColumn
	}
	cols := []string{s.Unit, s.Arm}
	for _, o := range s.Outcomes {
		cols = append(cols, o.Name)
	}
	cols = append(cols, covNames...)
	cols = append(cols, s.Attributes...)
	for _, c := range []string{s.Cluster, s.Strata, s.Received, lookCol} {
		if c != "" {
			cols = append(cols, c)
		}
	}
	if _, err := t.require(cols); err != nil {
		t.closer()
		return abtest.Pilot{}, LoadReport{}, nil, fmt.Errorf("pilot data: %w", err)
	}
	col := func(name string) int { return t.index[name] }

	var problems []string
	problem := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", path, line, fmt.Sprintf(format, args...)))
	}
	field := func(line int, name, format string, args ...any) {
		problem(line, "field %q: %s", name, fmt.Sprintf(format, args...))
	}
	declared := map[string]bool{}
	for _, a := range s.Arms {
		declared[a] = true
	}
	type firstSeen struct {
		arm  string
		line int
	}
	units := map[string]firstSeen{}
	clusters := map[string]firstSeen{}
	reportedCluster := map[string]bool{}
	type unknownArm struct {
		rows, line int
	}
	unknown := map[string]*unknownArm{}

	p := abtest.Pilot{}
	outcomes := make([]abtest.Outcome, len(s.Outcomes))
	for i, o := range s.Outcomes {
		outcomes[i].Name = o.Name
	}
	covs := make([]abtest.Covariate, len(covNames))
	for i, c := range covNames {
		covs[i].Name = c
	}
	attrs := make([]abtest.Attribute, len(s.Attributes))
	for i, a := range s.Attributes {
		attrs[i].Name = a
	}
	outcomeMissing := make([]int, len(outcomes))
	covMissing := make([]int, len(covs))
	attrMissing := make([]int, len(attrs))
	receivedMissing := 0
	var looks []int
	rows := 0
	err = t.rows(problem, func(line int, rec []string) {
		rows++
		cell := func(name string) string { return strings.TrimSpace(rec[col(name)]) }
		id, arm := cell(s.Unit), cell(s.Arm)
		switch {
		case id == "":
			field(line, s.Unit, "empty unit id")
		case units[id].line > 0:
			prev := units[id]
			if prev.arm != arm {
				field(line, s.Arm, "unit %q is in two arms: %q at line %d and %q here", id, prev.arm, prev.line, arm)
			} else {
				field(line, s.Unit, "unit %q appears twice (lines %d and %d)", id, prev.line, line)
			}
		default:
			units[id] = firstSeen{arm: arm, line: line}
		}
		switch {
		case arm == "":
			field(line, s.Arm, "empty arm label")
		case !declared[arm]:
			u := unknown[arm]
			if u == nil {
				u = &unknownArm{line: line}
				unknown[arm] = u
			}
			u.rows++
		}
		p.IDs = append(p.IDs, id)
		p.Arms = append(p.Arms, arm)
		if s.Cluster != "" {
			c := cell(s.Cluster)
			if s.ClusterRandomized {
				switch prev, seen := clusters[c]; {
				case c == "":
					field(line, s.Cluster, "empty cluster in a cluster-randomized pilot")
				case !seen:
					clusters[c] = firstSeen{arm: arm, line: line}
				case prev.arm != arm && !reportedCluster[c]:
					reportedCluster[c] = true
					field(line, s.Cluster, "cluster %q is in two arms: %q at line %d and %q here; whole clusters must be assigned", c, prev.arm, prev.line, arm)
				}
			}
			p.Clusters = append(p.Clusters, c)
		}
		if s.Strata != "" {
			st := cell(s.Strata)
			if st == "" {
				field(line, s.Strata, "empty stratum")
			}
			p.Strata = append(p.Strata, st)
		}
		for i, o := range s.Outcomes {
			raw := cell(o.Name)
			v, miss, err := parseNumber(raw)
			switch {
			case err != nil:
				field(line, o.Name, "%v", err)
			case miss:
				outcomeMissing[i]++
			case o.Kind == string(abtest.Binary) && v != 0 && v != 1:
				field(line, o.Name, "binary outcome value %q: want 0, 1 or an empty cell for a missing outcome", raw)
			}
			outcomes[i].Values = append(outcomes[i].Values, v)
		}
		for i := range covs {
			v, miss, err := parseNumber(cell(covs[i].Name))
			if err != nil {
				field(line, covs[i].Name, "%v", err)
			}
			if miss {
				covMissing[i]++
			}
			covs[i].Values = append(covs[i].Values, v)
		}
		for i := range attrs {
			v := cell(attrs[i].Name)
			if v == "" {
				attrMissing[i]++
			}
			attrs[i].Values = append(attrs[i].Values, v)
		}
		if s.Received != "" {
			v, miss, err := parseNumber(cell(s.Received))
			switch {
			case err != nil:
				field(line, s.Received, "%v", err)
			case miss:
				receivedMissing++
			case v < 0 || v > 1:
				field(line, s.Received, "treatment received %v is outside [0, 1] (1 received, 0 not, a fraction for a partial dose)", v)
			}
			p.Received = append(p.Received, v)
		}
		if lookCol != "" {
			raw := cell(lookCol)
			k, err := strconv.Atoi(raw)
			if err != nil || k < 1 || k > s.Sequential.Looks {
				field(line, lookCol, "look %q: want a whole number from 1 to %d", raw, s.Sequential.Looks)
			}
			looks = append(looks, k)
		}
	})
	if err != nil {
		t.closer()
		return abtest.Pilot{}, LoadReport{}, nil, fmt.Errorf("pilot data: %w", err)
	}
	sum, err := t.finish()
	if err != nil {
		return abtest.Pilot{}, LoadReport{}, nil, fmt.Errorf("pilot data: %w", err)
	}
	labels := make([]string, 0, len(unknown))
	for a := range unknown {
		labels = append(labels, a)
	}
	sort.Strings(labels)
	for _, a := range labels {
		u := unknown[a]
		hint := ""
		for _, d := range s.Arms {
			if strings.EqualFold(d, a) {
				hint = fmt.Sprintf(" (did you mean %q? labels are case-sensitive)", d)
			}
		}
		field(u.line, s.Arm, "unknown arm label %q on %d row(s), first here%s; declared arms: %s", a, u.rows, hint, strings.Join(s.Arms, ", "))
	}
	if rows == 0 {
		problems = append(problems, fmt.Sprintf("%s: no data rows below the header", path))
	}
	if len(problems) > 0 {
		return abtest.Pilot{}, LoadReport{}, nil, fmt.Errorf("pilot data: %w", &DataFileError{Problems: problems})
	}
	p.Outcomes, p.Covariates, p.Attributes = outcomes, covs, attrs
	rep := LoadReport{Path: path, SHA256: sum, Gzip: t.gzip, Rows: rows}
	for i, o := range outcomes {
		if outcomeMissing[i] > 0 {
			rep.Missing = append(rep.Missing, ColumnMissing{Column: o.Name, Role: "outcome", Missing: outcomeMissing[i]})
		}
	}
	for i, c := range covs {
		if covMissing[i] > 0 {
			rep.Missing = append(rep.Missing, ColumnMissing{Column: c.Name, Role: "covariate", Missing: covMissing[i]})
		}
	}
	for i, a := range attrs {
		if attrMissing[i] > 0 {
			rep.Missing = append(rep.Missing, ColumnMissing{Column: a.Name, Role: "attribute", Missing: attrMissing[i]})
		}
	}
	if receivedMissing > 0 {
		rep.Missing = append(rep.Missing, ColumnMissing{Column: s.Received, Role: "received", Missing: receivedMissing})
	}
	return p, rep, looks, nil
}

// covariateColumns lists the covariates in declared order.
func (s *Spec) covariateColumns() []string {
	return append([]string(nil), s.Covariates...)
}
