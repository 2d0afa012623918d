package harness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/pilot"
	"github.com/evalrun/evalrun/results"
)

// Spec is a parsed experiment spec. docs/spec.md documents every key.
type Spec struct {
	Experiment Experiment   `toml:"experiment"`
	Datasets   []Dataset    `toml:"datasets"`
	Models     []ModelSpec  `toml:"-"`
	Splits     []Split      `toml:"splits"`
	Metrics    MetricsSpec  `toml:"metrics"`
	Privacy    Privacy      `toml:"privacy"`
	Explain    ExplainSpec  `toml:"explain"`
	Fairness   FairnessSpec `toml:"fairness"`
	Report     ReportSpec   `toml:"report"`
	Deploy     DeploySpec   `toml:"deploy"`
	// CostBenefit is the [costbenefit] table of `evalrun costbenefit --spec`.
	CostBenefit CostBenefitSpec `toml:"costbenefit"`
	// EventFeatures are the [[features]] blocks of events datasets.
	EventFeatures []FeatureSpec `toml:"features"`
	// Abtests are intervention pilots analysed by package pilot.
	Abtests []pilot.Spec `toml:"abtests"`
	// Analyses are the discovery analyses ([[analyses]], docs/discovery.md).
	Analyses []AnalysisSpec `toml:"analyses"`

	// File is the path the spec was read from ("<embedded>/name" for
	// shipped specs); Dir resolves relative data paths.
	File string `toml:"-"`
	Dir  string `toml:"-"`
	// SHA256 is the hex digest of the spec bytes.
	SHA256 string `toml:"-"`

	lines keyLines
}

// Experiment is the [experiment] table.
type Experiment struct {
	Name        string `toml:"name"`
	Description string `toml:"description"`
	Seed        uint64 `toml:"seed"`
	// Output is the run directory; default runs/<name>, relative to the
	// working directory.
	Output string `toml:"output"`
	// Workers bounds the goroutines used for model fitting (default 2).
	Workers int `toml:"workers"`
	// AllowCommands lets command models run programs; the command line
	// must consent too (--allow-commands).
	AllowCommands bool `toml:"allow_commands"`
}

// Dataset is one [[datasets]] table.
type Dataset struct {
	Name string `toml:"name"`
	Kind string `toml:"kind"` // "oulad" | "csv" | "synthetic-oulad"
	Path string `toml:"path"`
	// CutoffDays are prediction points (oulad kinds); one evaluation each.
	CutoffDays []int `toml:"cutoff_days"`
	// Positive lists the outcome values that are the at-risk label 1.
	Positive []string `toml:"positive"`
	// Groups are group attribute columns, reported with each prediction.
	Groups []string `toml:"groups"`
	// Features selects feature columns; default: every numeric feature of
	// the loader (oulad) and required for csv.
	Features []string `toml:"features"`
	// Categorical lists which features are categorical (csv kind); oulad
	// knows the type of each of its columns.
	Categorical        []string `toml:"categorical"`
	AllowGroupFeatures bool     `toml:"allow_group_features"`
	// Missing is the missing-value policy: "impute" (default) or "drop";
	// Impute is "median" (default) or "mean".
	Missing string `toml:"missing"`
	Impute  string `toml:"impute"`
	// Labels give features a label and a unit for the reasons shown to
	// advisors, e.g. prior_gpa = { label = "prior GPA", unit = "grade points" }.
	Labels map[string]results.FeatureLabel `toml:"labels"`

	// oulad kinds
	Clicks        *bool    `toml:"clicks"`
	Presentations []string `toml:"presentations"`
	// synthetic-oulad kind
	Students int `toml:"students"`

	// postgres kind: the rows of Table or of Query (exactly one), read
	// with the connection string in the environment variable ConnectionEnv.
	Table         string `toml:"table"`
	Query         string `toml:"query"`
	ConnectionEnv string `toml:"connection_env"`

	// csv and postgres kinds (a csv path may be a Parquet file)
	ID     string `toml:"id"`
	Label  string `toml:"label"`
	Term   string `toml:"term"`
	Course string `toml:"course"`

	// events kind: an LMS event log whose engagement features join the
	// rows of the student-table dataset named by Join.
	Join         string           `toml:"join"`
	JoinOn       string           `toml:"join_on"` // "student" (default) or "key"
	ByCourse     bool             `toml:"by_course"`
	Sources      []events.Source  `toml:"sources"`
	Window       EventsTerm       `toml:"window"`
	Resources    *EventsResources `toml:"resources"`
	SortInMemory bool             `toml:"sort_in_memory"`
	CleaningRaw  toml.Primitive   `toml:"cleaning"`
	cleaning     events.Cleaning
}

// ClicksEnabled reports whether OULAD click features are built (default true).
func (d Dataset) ClicksEnabled() bool { return d.Clicks == nil || *d.Clicks }

// ModelSpec is one [[models]] table: a name, a kind, and the kind's
// hyperparameters decoded into Params (a pointer to the kind's config struct).
type ModelSpec struct {
	Name   string
	Kind   string
	Params any
	index  int
	// candidates are the grid's parameter sets (pointers like Params) and
	// candidateValues the grid values of each; empty without a grid.
	candidates      []any
	candidateValues []map[string]any
}

// Split is one [[splits]] table.
type Split struct {
	Name string `toml:"name"`
	Kind string `toml:"kind"` // "temporal" | "rolling"
	// Dataset restricts the split to one dataset (default: every dataset).
	Dataset string `toml:"dataset"`
	// temporal
	Train []string `toml:"train"`
	Test  []string `toml:"test"`
	// rolling: terms in time order; fold k trains on Terms[:k] and tests on
	// Terms[k], for every k >= MinTrain (default 1).
	Terms    []string `toml:"terms"`
	MinTrain int      `toml:"min_train"`
	// AllowFutureTraining lets the split train on terms that its term
	// names place after a term it tests (an error otherwise); the run's
	// warnings say so.
	AllowFutureTraining bool `toml:"allow_future_training"`
}

// MetricsSpec is the [metrics] table.
type MetricsSpec struct {
	Threshold ThresholdSpec `toml:"threshold"`
	// Level is the confidence level of every interval (default 0.95).
	Level float64 `toml:"level"`
	// Interval is the bootstrap interval reports show: "bca" (default) or
	// "percentile"; results.json holds both.
	Interval  string        `toml:"interval"`
	Bootstrap BootstrapSpec `toml:"bootstrap"`
	// CalibrationBins is the number of equal-width bins of the ECE and the
	// reliability diagram (default 10).
	CalibrationBins int `toml:"calibration_bins"`
	// Recalibrate is "", "platt" or "isotonic", fitted on training rows.
	Recalibrate string `toml:"recalibrate"`
	// Baseline is the model others are compared with (default: the first).
	Baseline string `toml:"baseline"`
	// Compare is "baseline" (each model against the baseline, default),
	// "all" (every pair) or "none".
	Compare string `toml:"compare"`
	// Strata evaluates each test set per stratum ("course" or a
	// categorical column) with macro averages.
	Strata string `toml:"strata"`
}

// ThresholdSpec is the threshold policy: exactly one key set.
type ThresholdSpec struct {
	Value        *float64  `toml:"value"`
	TopFraction  *float64  `toml:"top_fraction"`
	TopK         *int      `toml:"top_k"`
	TargetRecall *float64  `toml:"target_recall"`
	MaxF1        *bool     `toml:"max_f1"`
	MinCost      *CostSpec `toml:"min_cost"`
}

// CostSpec holds per-error costs for the least-expected-cost policy.
type CostSpec struct {
	FalseNegative float64 `toml:"false_negative"`
	FalsePositive float64 `toml:"false_positive"`
}

// ExplainSpec is the [explain] table.
type ExplainSpec struct {
	// Reasons is how many top reasons predictions.csv gives per student
	// (default 3; 0 = none).
	Reasons *int `toml:"reasons"`
	// PermutationRepeats is the number of shuffles per feature for
	// permutation importance on the test rows (default 5; 0 = off).
	PermutationRepeats *int `toml:"permutation_repeats"`
	// ReasonRows bounds the students whose reasons are computed for tree,
	// forest and boosting models: the highest-scored ones (0 means every
	// test student; default: every student, but 1000 for random forests).
	ReasonRows *int `toml:"reason_rows"`
	// PermutationRows bounds the test rows permutation importance uses
	// (default 2000, drawn with the task's seed); 0 means all rows.
	PermutationRows *int `toml:"permutation_rows"`
}

// reasonRows is how many of a model's test students get reasons: every
// one for logistic and mixed_logistic models (their contributions cost
// nothing) and, unless the spec says otherwise, for every kind but random
// forests, whose exact TreeSHAP costs about 4.4 CPU-ms per student (300
// trees, BenchmarkOULADForestExplain): 1000 by default.
func (e ExplainSpec) reasonRows(kind string) int {
	switch {
	case kind == "logistic" || kind == "mixed_logistic":
		return math.MaxInt
	case e.ReasonRows == nil && kind == "random_forest":
		return 1000
	case e.ReasonRows == nil || *e.ReasonRows == 0:
		return math.MaxInt
	}
	return *e.ReasonRows
}

func (e ExplainSpec) permutationRows() int {
	switch {
	case e.PermutationRows == nil:
		return 2000
	case *e.PermutationRows == 0:
		return math.MaxInt
	}
	return *e.PermutationRows
}

func (e ExplainSpec) reasons() int {
	if e.Reasons == nil {
		return 3
	}
	return *e.Reasons
}

func (e ExplainSpec) repeats() int {
	if e.PermutationRepeats == nil {
		return 5
	}
	return *e.PermutationRepeats
}

// ReportSpec is the [report] table: which evaluation the risk list for
// advisors shows.
type ReportSpec struct {
	// Model, Cutoff and Split choose the evaluation; by default the first
	// model that is neither a base rate nor a rule, at the first cutoff
	// and fold.
	Model  string `toml:"model"`
	Cutoff *int   `toml:"cutoff"`
	Split  string `toml:"split"`
}

// matches reports whether an evaluation is the one the risk list shows.
func (r ReportSpec) matches(e *evaluation) bool {
	if r.Model != "" && e.model.Name != r.Model {
		return false
	}
	if r.Model == "" && (e.model.Kind == "prior" || e.model.Kind == "rule") {
		return false
	}
	if r.Cutoff != nil && (e.frame.Cutoff != *r.Cutoff) {
		return false
	}
	if r.Cutoff == nil && e.frame != e.data.frames[0] {
		return false
	}
	if r.Split != "" {
		return e.fold.split == r.Split
	}
	return true
}

func (s *Spec) checkReport(ps *problems) {
	r := s.Report
	if r.Model != "" {
		found := false
		for _, m := range s.Models {
			found = found || m.Name == r.Model
		}
		if !found {
			ps.add("report.model", "no model named %q", r.Model)
		}
	}
	if r.Cutoff != nil {
		found := false
		for _, d := range s.Datasets {
			for _, c := range d.CutoffDays {
				found = found || c == *r.Cutoff
			}
		}
		if !found {
			ps.add("report.cutoff", "no dataset has cutoff day %d", *r.Cutoff)
		}
	}
}

// Privacy is the [privacy] table.
type Privacy struct {
	// ShowIDs writes real student identifiers instead of pseudonyms.
	ShowIDs bool `toml:"show_ids"`
	// KeyEnv names the environment variable holding the pseudonym key
	// (default EVALRUN_PSEUDONYM_KEY).
	KeyEnv string `toml:"key_env"`
	// MinGroupSize suppresses smaller groups in reports (default 10).
	MinGroupSize int `toml:"min_group_size"`
}

// Problem is one thing wrong with a spec, located by key and line.
type Problem struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Key, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// SpecError lists every problem found in a spec.
type SpecError struct {
	Problems []Problem
}

func (e *SpecError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	if len(msgs) == 1 {
		return msgs[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(msgs), strings.Join(msgs, "\n  "))
}

// problems accumulates Problems for one spec.
type problems struct {
	spec *Spec
	list []Problem
	// claimed keys already have their problem (from checkNumbers); later
	// checks of the same key are not repeated.
	claimed map[string]bool
}

func (ps *problems) add(key, format string, args ...any) {
	if ps.claimed[key] {
		return
	}
	ps.list = append(ps.list, Problem{File: ps.spec.File, Line: ps.spec.lines.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool { return ps.list[i].Line < ps.list[j].Line })
	return &SpecError{Problems: ps.list}
}

// LoadSpecFile reads and checks the spec at path (structure and values; the
// checks that need data are in Validate).
func LoadSpecFile(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return ParseSpec(path, filepath.Dir(path), b)
}

// maxTypeProblems bounds how many values of the wrong type ParseSpec
// collects before it stops looking for more.
const maxTypeProblems = 50

// ParseSpec parses spec bytes. file names the spec in messages; dir resolves
// relative dataset paths. Every problem is reported together in one
// *SpecError: values of the wrong type (each is set aside and decoding
// resumes), unknown keys and invalid values, each with its line and key.
// Only a TOML syntax error, after which nothing can be read, stops at once.
func ParseSpec(file, dir string, data []byte) (*Spec, error) {
	var typeProblems []Problem
	work := data
	for {
		s, err := parseSpec(file, dir, data, work)
		p, isType := typeProblem(file, data, err)
		if !isType || len(typeProblems) == maxTypeProblems {
			if len(typeProblems) == 0 {
				return s, err
			}
			return nil, mergeProblems(typeProblems, err)
		}
		typeProblems = append(typeProblems, p)
		next := blankValue(work, p.Line)
		if bytes.Equal(next, work) {
			return nil, mergeProblems(typeProblems, nil)
		}
		work = next
	}
}

// typeError matches the decoder's type errors, alone or wrapped ("models[1]:
// toml: line 19 (last key \"models.C\"): incompatible types: ...").
var typeError = regexp.MustCompile(`toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// typeProblem turns a decoder type error into a Problem at its line; ok
// is false for any other error (or none).
func typeProblem(file string, doc []byte, err error) (Problem, bool) {
	if err == nil {
		return Problem{}, false
	}
	var se *SpecError
	var pe toml.ParseError
	if errors.As(err, &se) || errors.As(err, &pe) {
		return Problem{}, false
	}
	m := typeError.FindStringSubmatch(err.Error())
	if m == nil {
		return Problem{}, false
	}
	line, _ := strconv.Atoi(m[1])
	key := keyAtLine(string(doc), line)
	if key == "" {
		key = m[2]
	}
	return Problem{File: file, Line: line, Key: key, Msg: m[3]}, true
}

// mergeProblems reports the type problems with the problems of err (a
// *SpecError from the spec with those values set aside; other errors are
// added as they are), sorted by line. A problem under a key whose value
// was set aside (e.g. "missing" after the value of the wrong type) is
// dropped: the type problem says it.
func mergeProblems(typeProblems []Problem, err error) error {
	list := append([]Problem(nil), typeProblems...)
	bad := map[string]bool{}
	for _, p := range typeProblems {
		bad[p.Key] = true
	}
	var se *SpecError
	switch {
	case errors.As(err, &se):
		for _, p := range se.Problems {
			if !bad[p.Key] {
				list = append(list, p)
			}
		}
	case err != nil:
		return fmt.Errorf("%w (after %d problems: %v)", err, len(typeProblems), &SpecError{Problems: typeProblems})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Line < list[j].Line })
	return &SpecError{Problems: list}
}

// blankValue returns doc with the key-value pair starting on line n
// (1-based) blanked, including the further lines of a multi-line array,
// inline table or string, so that decoding can resume without it. Line
// numbers stay the same.
func blankValue(doc []byte, n int) []byte {
	lines := strings.Split(string(doc), "\n")
	if n < 1 || n > len(lines) {
		return doc
	}
	depth, quote := 0, ""
	i := n - 1
	for ; i < len(lines); i++ {
		line := lines[i]
		for j := 0; j < len(line); j++ {
			rest := line[j:]
			if quote != "" {
				switch {
				case quote == `"` && rest[0] == '\\':
					j++
				case strings.HasPrefix(rest, quote):
					j += len(quote) - 1
					quote = ""
				}
				continue
			}
			switch {
			case strings.HasPrefix(rest, `"""`) || strings.HasPrefix(rest, "'''"):
				quote = rest[:3]
				j += 2
			case rest[0] == '"' || rest[0] == '\'':
				quote = rest[:1]
			case rest[0] == '#':
				j = len(line)
			case rest[0] == '[' || rest[0] == '{':
				depth++
			case rest[0] == ']' || rest[0] == '}':
				depth--
			}
		}
		if quote == `"` || quote == "'" {
			quote = "" // a one-line string left open: a syntax error elsewhere
		}
		lines[i] = ""
		if depth <= 0 && quote == "" {
			break
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// parseSpec parses work, a copy of the spec bytes data with some values
// blanked out (see ParseSpec); the hash and key lines come from data.
func parseSpec(file, dir string, data, work []byte) (*Spec, error) {
	sum := sha256.Sum256(data)
	s := &Spec{File: file, Dir: dir, SHA256: hex.EncodeToString(sum[:])}
	var raw struct {
		Spec
		Models []toml.Primitive `toml:"models"`
	}
	md, err := toml.Decode(string(work), &raw)
	if err != nil {
		if _, isType := typeProblem(file, data, err); isType {
			return nil, err
		}
		return nil, syntaxError(file, data, err)
	}
	*s = raw.Spec
	s.File, s.Dir, s.SHA256 = file, dir, hex.EncodeToString(sum[:])
	s.lines = scanKeyLines(string(data))
	ps := &problems{spec: s, claimed: map[string]bool{}}
	doc, err := decodeDocument(data)
	if err != nil {
		return nil, syntaxError(file, data, err)
	}
	s.checkNumbers(doc, ps)
	if err := s.decodeEventsCleaning(md); err != nil {
		if _, isType := typeProblem(file, data, err); isType {
			return nil, err
		}
		return nil, tomlError(file, err)
	}

	for i, prim := range raw.Models {
		m, err := decodeModel(md, prim, i, s.lines, ps)
		if err != nil {
			if _, isType := typeProblem(file, data, err); isType {
				return nil, err
			}
			return nil, tomlError(file, err)
		}
		s.Models = append(s.Models, m)
	}
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "models" {
			continue // checked per model by decodeModel
		}
		for _, key := range s.lines.indexedKeys(k) {
			ps.add(key, "unknown key")
		}
	}
	s.applyDefaults()
	s.checkValues(ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// syntaxError turns a parse error of the document into one that names the
// file, the line where the offending character is and the key or table
// being written there. The decoder reports an unexpected end of line on
// the next line and under the last key it finished, often in the previous
// table; both come from the error's byte offset instead.
func syntaxError(file string, data []byte, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return tomlError(file, err)
	}
	line := pe.Position.Line
	if start := pe.Position.Start; start >= 0 && start <= len(data) {
		line = 1 + bytes.Count(data[:start], []byte("\n"))
	}
	key := keyAtLine(string(data), line)
	if key == "" {
		key = pe.LastKey
	}
	if key != "" {
		return fmt.Errorf("%s:%d: %s: %s", file, line, key, pe.Message)
	}
	return fmt.Errorf("%s:%d: %s", file, line, pe.Message)
}

// keyAtLine names what line n of a document that failed to parse is
// writing: the table of a header line ("metrics", "datasets[1]") or the
// indexed key of a key line ("metrics.level"); "" when it cannot tell.
func keyAtLine(doc string, n int) string {
	lines := strings.Split(doc, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	arrayCount := map[string]int{}
	table, lastKey := "", ""
	for i := 0; i < n; i++ {
		trimmed := strings.TrimSpace(stripComment(strings.TrimRight(lines[i], "\r")))
		last := i == n-1
		switch {
		case strings.HasPrefix(trimmed, "[["):
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "[["), "]]"))
			prefix := resolveTablePath(name, arrayCount, true)
			if last {
				return prefix + "[" + strconv.Itoa(arrayCount[prefix]) + "]"
			}
			arrayCount[prefix]++
			table = prefix + "[" + strconv.Itoa(arrayCount[prefix]-1) + "]"
			lastKey = table
		case strings.HasPrefix(trimmed, "["):
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(trimmed, "["), "]"))
			table = resolveTablePath(name, arrayCount, false)
			lastKey = table
			if last {
				return table
			}
		default:
			if eq := strings.IndexByte(trimmed, '='); eq > 0 {
				lastKey = joinKey(table, cleanKey(trimmed[:eq]))
			}
			if last {
				// A line without "=" continues the value of the last key.
				return lastKey
			}
		}
	}
	return ""
}

// tomlError turns a decoder error into one that names the file and line.
func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = fmt.Sprintf("%s: %s", pe.LastKey, msg)
		}
		return fmt.Errorf("%s:%d: %s", file, pe.Position.Line, msg)
	}
	// Type errors from the decoder read
	// `toml: line N (last key "k"): message`.
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d", &line); scanErr == nil {
		rest := msg[strings.IndexByte(msg, ' ')+1:]
		rest = strings.TrimLeft(rest, "0123456789 ")
		if key, after, ok := strings.Cut(rest, "): "); ok && strings.HasPrefix(key, "(last key ") {
			k := strings.Trim(strings.TrimPrefix(key, "(last key "), `"`)
			return fmt.Errorf("%s:%d: %s: %s", file, line, k, after)
		}
		return fmt.Errorf("%s:%d: %s", file, line, rest)
	}
	return fmt.Errorf("%s: %s", file, msg)
}

// indexedKeys returns the indexed paths in k that match key, which the
// decoder reports without array indexes ("datasets.pth"), in line order.
func (k keyLines) indexedKeys(key toml.Key) []string {
	want := strings.Join(key, ".")
	var out []string
	for path := range k {
		if stripIndexes(path) == want {
			out = append(out, path)
		}
	}
	if len(out) == 0 {
		return []string{want}
	}
	sort.Slice(out, func(i, j int) bool { return k[out[i]] < k[out[j]] })
	return out
}

func stripIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func decodeModel(md toml.MetaData, prim toml.Primitive, index int, lines keyLines, ps *problems) (ModelSpec, error) {
	prefix := fmt.Sprintf("models[%d]", index)
	var keys map[string]any
	if err := md.PrimitiveDecode(prim, &keys); err != nil {
		return ModelSpec{}, err
	}
	m := ModelSpec{index: index}
	var head struct {
		Name string `toml:"name"`
		Kind string `toml:"kind"`
	}
	if err := md.PrimitiveDecode(prim, &head); err != nil {
		return ModelSpec{}, err
	}
	m.Name, m.Kind = head.Name, head.Kind
	kind, ok := modelKinds[m.Kind]
	if !ok {
		if m.Kind == "" {
			ps.add(prefix, "missing kind (one of %s)", strings.Join(ModelKinds(), ", "))
		} else {
			ps.add(prefix+".kind", "unknown model kind %q (one of %s)", m.Kind, strings.Join(ModelKinds(), ", "))
		}
		return m, nil
	}
	params := kind.newParams()
	if err := md.PrimitiveDecode(prim, params); err != nil {
		return ModelSpec{}, fmt.Errorf("%s: %w", prefix, err)
	}
	m.Params = params
	allowed := map[string]bool{"name": true, "kind": true, "grid": true}
	for _, k := range tomlKeys(reflect.TypeOf(params).Elem()) {
		allowed[k] = true
	}
	var unknown []string
	for k := range keys {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		ps.add(prefix+"."+k, "unknown key for model kind %q", m.Kind)
	}
	if raw, ok := keys["grid"]; ok {
		axes := decodeGrid(prefix, raw, params, ps)
		if len(axes) > 0 {
			cands, values, err := gridCandidates(params, axes)
			if err != nil {
				ps.add(prefix+".grid", "%v", err)
				return m, nil
			}
			for i, c := range cands {
				var pe paramError
				if err := kind.check(c); errors.As(err, &pe) {
					ps.add(prefix+".grid."+pe.key, "%s (grid candidate %v)", pe.msg, values[i])
					return m, nil
				} else if err != nil {
					ps.add(prefix+".grid", "%v (grid candidate %v)", err, values[i])
					return m, nil
				}
			}
			m.candidates, m.candidateValues = cands, values
		}
	}
	return m, nil
}

// tomlKeys lists the toml tag names of a struct type's fields.
func tomlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("toml"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		keys = append(keys, tag)
	}
	return keys
}

func (s *Spec) applyDefaults() {
	if s.Experiment.Output == "" && s.Experiment.Name != "" {
		s.Experiment.Output = filepath.Join("runs", s.Experiment.Name)
	}
	if s.Experiment.Workers == 0 {
		s.Experiment.Workers = 2
	}
	if s.Privacy.KeyEnv == "" {
		s.Privacy.KeyEnv = "EVALRUN_PSEUDONYM_KEY"
	}
	if s.Privacy.MinGroupSize == 0 {
		s.Privacy.MinGroupSize = 10
	}
	for i := range s.Abtests {
		s.Abtests[i].MinGroupSize = s.Privacy.MinGroupSize
	}
	for i := range s.Datasets {
		d := &s.Datasets[i]
		if d.Missing == "" {
			d.Missing = "impute"
		}
		if d.Impute == "" {
			d.Impute = "median"
		}
	}
	s.metricsDefaults()
	for i := range s.Splits {
		if s.Splits[i].MinTrain == 0 {
			s.Splits[i].MinTrain = 1
		}
	}
}

// checkValues reports problems visible in the spec alone.
// hasEventsDataset reports whether the spec declares an event log.
func (s *Spec) hasEventsDataset() bool {
	for _, d := range s.Datasets {
		if d.Kind == "events" {
			return true
		}
	}
	return false
}

// DescribeOnly reports whether the spec only declares data for evalrun
// describe: an event log, no [[models]], no [[splits]], no pilots, no
// [[analyses]].
func (s *Spec) DescribeOnly() bool {
	return len(s.Models) == 0 && len(s.Splits) == 0 && len(s.Abtests) == 0 && len(s.Analyses) == 0 && s.hasEventsDataset()
}

// checkLabels checks a dataset's feature labels: each needs a label, and
// when the dataset lists its features, names one of them.
func checkLabels(ps *problems, key string, d Dataset) {
	for _, name := range sortedMapKeys(d.Labels) {
		l := d.Labels[name]
		k := key + ".labels." + name
		if strings.TrimSpace(l.Label) == "" {
			ps.add(k+".label", "missing: give the feature a label for the reasons shown to advisors")
		}
		if len(d.Features) > 0 && !slices.Contains(d.Features, name) {
			ps.add(k, "no feature %q in %s.features (one of %s)", name, key, strings.Join(d.Features, ", "))
		}
	}
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Spec) checkValues(ps *problems) {
	if s.Experiment.Name == "" {
		ps.add("experiment.name", "missing: every experiment needs a name")
	} else if msg := badPathPart(s.Experiment.Name); msg != "" {
		ps.add("experiment.name", "%s (the name is the run directory's name under runs/)", msg)
	}
	if _, given := s.lines["experiment.output"]; given {
		if msg := badOutput(s.Experiment.Output); msg != "" {
			ps.add("experiment.output", "%s", msg)
		}
	}
	if s.Experiment.Workers < 0 {
		ps.add("experiment.workers", "must be positive, got %d", s.Experiment.Workers)
	}
	// A spec holds a prediction experiment, intervention pilots, or both.
	// A spec of datasets and [[analyses]] alone discovers without
	// predicting.
	predicts := len(s.Models)+len(s.Splits) > 0 || (len(s.Analyses) == 0 && (len(s.Datasets) > 0 || len(s.Abtests) == 0))
	if len(s.Analyses) > 0 && len(s.Datasets) == 0 && !analysesReadEdgesOnly(s) {
		ps.add("datasets", "missing: [[analyses]] read the event logs of [[datasets]]")
	}
	s.checkAnalyses(ps)
	if predicts && len(s.Datasets) == 0 {
		ps.add("datasets", "missing: declare at least one [[datasets]] (or only [[abtests]] pilots)")
	}
	// A spec of event logs alone, for evalrun describe, needs no models.
	describeOnly := len(s.Models) == 0 && len(s.Splits) == 0 && s.hasEventsDataset()
	if predicts && !describeOnly && len(s.Models) == 0 && len(ps.list) == 0 {
		ps.add("models", "missing: declare at least one [[models]]")
	}
	if predicts && !describeOnly && len(s.Splits) == 0 {
		ps.add("splits", "missing: declare at least one [[splits]]")
	}
	pilots := map[string]bool{}
	for i := range s.Abtests {
		key := fmt.Sprintf("abtests[%d]", i)
		s.Abtests[i].Check(key, func(k, msg string) { ps.add(k, "%s", msg) })
		if n := s.Abtests[i].Name; n != "" && pilots[n] {
			ps.add(key+".name", "duplicate pilot name %q", n)
		}
		pilots[s.Abtests[i].Name] = true
	}
	names := map[string]string{}
	unique := func(key, kind, name string) {
		if name == "" {
			ps.add(key+".name", "missing")
			return
		}
		if strings.ContainsAny(name, ",\"") {
			ps.add(key+".name", "%q must not contain commas or quotes", name)
		} else if msg := badPathPart(name); msg != "" {
			ps.add(key+".name", "%s (names become parts of file names)", msg)
		}
		if prev, ok := names[kind+"/"+name]; ok {
			ps.add(key+".name", "duplicate %s name %q (first at %s)", kind, name, prev)
		}
		names[kind+"/"+name] = key
	}
	for i, d := range s.Datasets {
		key := fmt.Sprintf("datasets[%d]", i)
		unique(key, "dataset", d.Name)
		s.checkDataset(ps, key, d)
		checkLabels(ps, key, d)
	}
	for i, m := range s.Models {
		key := fmt.Sprintf("models[%d]", i)
		unique(key, "model", m.Name)
		if m.Kind == "command" && !s.Experiment.AllowCommands {
			ps.add(key+".kind", "a command model runs a program: set experiment.allow_commands = true (and pass --allow-commands) to allow it")
		}
		if m.Params != nil {
			var pe paramError
			if err := modelKinds[m.Kind].check(m.Params); errors.As(err, &pe) {
				ps.add(key+"."+pe.key, "%s", pe.msg)
			} else if err != nil {
				ps.add(key, "%v", err)
			}
		}
	}
	datasetNames := map[string]bool{}
	for _, d := range s.Datasets {
		datasetNames[d.Name] = true
	}
	for i, sp := range s.Splits {
		key := fmt.Sprintf("splits[%d]", i)
		unique(key, "split", sp.Name)
		if sp.Dataset != "" && !datasetNames[sp.Dataset] {
			ps.add(key+".dataset", "unknown dataset %q", sp.Dataset)
		}
		switch sp.Kind {
		case "temporal":
			if len(sp.Train) == 0 {
				ps.add(key+".train", "missing: a temporal split needs training terms")
			}
			if len(sp.Test) == 0 {
				ps.add(key+".test", "missing: a temporal split needs test terms")
			}
			for _, t := range sp.Test {
				for _, tr := range sp.Train {
					if t == tr {
						ps.add(key+".test", "term %q is in both train and test", t)
					}
				}
			}
			if len(sp.Terms) > 0 {
				ps.add(key+".terms", "only for kind = \"rolling\"")
			}
		case "rolling":
			if len(sp.Terms) < 2 {
				ps.add(key+".terms", "a rolling split needs at least two terms in time order")
			}
			if sp.MinTrain < 1 || sp.MinTrain >= len(sp.Terms) && len(sp.Terms) >= 2 {
				ps.add(key+".min_train", "must be between 1 and %d", max(1, len(sp.Terms)-1))
			}
			seen := map[string]bool{}
			for _, t := range sp.Terms {
				if seen[t] {
					ps.add(key+".terms", "term %q listed twice", t)
				}
				seen[t] = true
			}
			if len(sp.Train) > 0 || len(sp.Test) > 0 {
				ps.add(key, "train/test are only for kind = \"temporal\"; rolling splits use terms")
			}
		case "":
			ps.add(key+".kind", "missing (\"temporal\" or \"rolling\")")
		default:
			ps.add(key+".kind", "unknown split kind %q (\"temporal\" or \"rolling\")", sp.Kind)
		}
	}
	s.checkFutureTraining(ps)
	s.checkThreshold(ps)
	s.checkMetrics(ps)
	s.checkFairness(ps)
	s.checkReport(ps)
	s.checkDeploy(ps)
	s.checkCostBenefit(ps)
	if r := s.Explain.reasons(); r < 0 || r > 10 {
		ps.add("explain.reasons", "must be between 0 and 10, got %d", r)
	}
	if s.Explain.ReasonRows != nil && *s.Explain.ReasonRows < 0 {
		ps.add("explain.reason_rows", "must be 0 (every student) or positive")
	}
	if s.Explain.PermutationRows != nil && *s.Explain.PermutationRows < 0 {
		ps.add("explain.permutation_rows", "must be 0 (all rows) or positive")
	}
	if r := s.Explain.repeats(); r < 0 || r > 100 {
		ps.add("explain.permutation_repeats", "must be between 0 and 100, got %d", r)
	}
	if s.Privacy.MinGroupSize < 1 {
		ps.add("privacy.min_group_size", "must be at least 1")
	}
}

func (s *Spec) checkDataset(ps *problems, key string, d Dataset) {
	switch d.Kind {
	case "oulad", "synthetic-oulad":
		if d.Kind == "oulad" && d.Path == "" {
			ps.add(key+".path", "missing: the directory holding the OULAD tables")
		}
		if d.Kind == "synthetic-oulad" && d.Path != "" {
			ps.add(key+".path", "not used by kind \"synthetic-oulad\" (the data is generated from the experiment seed)")
		}
		if len(d.CutoffDays) == 0 {
			ps.add(key+".cutoff_days", "missing: at least one prediction day")
		}
		if len(d.Positive) == 0 {
			ps.add(key+".positive", "missing: the final_result values that are at risk, e.g. [\"Fail\", \"Withdrawn\"]")
		}
		for _, f := range []struct{ name, val string }{{"id", d.ID}, {"label", d.Label}, {"term", d.Term}, {"course", d.Course}} {
			if f.val != "" {
				ps.add(key+"."+f.name, "only for kind = \"csv\"")
			}
		}
		if len(d.Categorical) > 0 {
			ps.add(key+".categorical", "only for kind = \"csv\" (the OULAD loader knows its column types)")
		}
		if d.Kind == "oulad" && d.Students != 0 {
			ps.add(key+".students", "only for kind = \"synthetic-oulad\"")
		}
		if d.Students < 0 {
			ps.add(key+".students", "must be positive")
		}
	case "csv", "postgres":
		if d.Kind == "csv" && d.Path == "" {
			ps.add(key+".path", "missing: the CSV or Parquet file")
		}
		if d.Kind == "postgres" {
			checkPostgresSource(ps, key, d.pgSource(), d.Path)
		} else if d.Table != "" || d.Query != "" || d.ConnectionEnv != "" {
			ps.add(key, "table, query and connection_env are only for kind = \"postgres\"")
		}
		if d.ID == "" {
			ps.add(key+".id", "missing: the student id column")
		}
		if d.Label == "" {
			ps.add(key+".label", "missing: the outcome column")
		}
		if d.Term == "" {
			ps.add(key+".term", "missing: the term column temporal splits use")
		}
		if len(d.Features) == 0 && (len(s.Models) > 0 || len(s.Analyses) == 0) {
			ps.add(key+".features", "missing: a csv dataset declares its feature columns")
		}
		if len(d.CutoffDays) > 0 {
			ps.add(key+".cutoff_days", "only for OULAD kinds (a csv table is already as of its prediction point)")
		}
		feat := map[string]bool{}
		for _, f := range d.Features {
			feat[f] = true
		}
		for _, c := range d.Categorical {
			if !feat[c] {
				ps.add(key+".categorical", "%q is not in features", c)
			}
		}
		if d.Clicks != nil || len(d.Presentations) > 0 || d.Students != 0 {
			ps.add(key, "clicks, presentations and students are only for OULAD kinds")
		}
	case "events":
		s.checkEvents(ps, key, d)
		return
	case "":
		ps.add(key+".kind", "missing (\"oulad\", \"synthetic-oulad\", \"csv\", \"postgres\" or \"events\")")
	default:
		ps.add(key+".kind", "unknown dataset kind %q (\"oulad\", \"synthetic-oulad\", \"csv\", \"postgres\" or \"events\")", d.Kind)
	}
	for _, c := range d.CutoffDays {
		if c < -30 || c > 400 {
			ps.add(key+".cutoff_days", "day %d is outside the presentation (-30 to 400)", c)
		}
	}
	if d.Missing != "impute" && d.Missing != "drop" {
		ps.add(key+".missing", "must be \"impute\" or \"drop\", got %q", d.Missing)
	}
	if d.Impute != "median" && d.Impute != "mean" {
		ps.add(key+".impute", "must be \"median\" or \"mean\", got %q", d.Impute)
	}
	groups := map[string]bool{}
	for _, g := range d.Groups {
		groups[g] = true
	}
	if !d.AllowGroupFeatures {
		for _, f := range d.Features {
			if groups[f] {
				ps.add(key+".features", "%q is a group attribute; using it as a feature needs allow_group_features = true", f)
			}
		}
	}
}

func (s *Spec) checkThreshold(ps *problems) {
	t := s.Metrics.Threshold
	set := 0
	for _, p := range []bool{t.Value != nil, t.TopFraction != nil, t.TopK != nil, t.TargetRecall != nil, t.MaxF1 != nil, t.MinCost != nil} {
		if p {
			set++
		}
	}
	key := "metrics.threshold"
	switch {
	case set == 0:
		// default applied by thresholdPolicy: top 30%
	case set > 1:
		ps.add(key, "set exactly one of value, top_fraction, top_k, target_recall, max_f1, min_cost")
	}
	if t.Value != nil && (*t.Value < 0 || *t.Value > 1) {
		ps.add(key+".value", "must lie in [0, 1], got %g", *t.Value)
	}
	if t.TopFraction != nil && (*t.TopFraction <= 0 || *t.TopFraction > 1) {
		ps.add(key+".top_fraction", "must lie in (0, 1], got %g", *t.TopFraction)
	}
	if t.TopK != nil && *t.TopK < 1 {
		ps.add(key+".top_k", "must be at least 1, got %d", *t.TopK)
	}
	if t.TargetRecall != nil && (*t.TargetRecall <= 0 || *t.TargetRecall > 1) {
		ps.add(key+".target_recall", "must lie in (0, 1], got %g", *t.TargetRecall)
	}
	if t.MaxF1 != nil && !*t.MaxF1 {
		ps.add(key+".max_f1", "set it to true or leave it out")
	}
	if t.MinCost != nil && (t.MinCost.FalseNegative <= 0 || t.MinCost.FalsePositive <= 0) {
		ps.add(key+".min_cost", "false_negative and false_positive costs must both be positive")
	}
}

// badPathPart says what is wrong with a name used as one file-name
// component, or returns "".
func badPathPart(name string) string {
	switch {
	case name == "." || name == "..":
		return fmt.Sprintf("%q is not a name: it would name the current or parent directory", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Sprintf("%q must not contain a path separator", name)
	case hasControl(name):
		return fmt.Sprintf("%q must not contain NUL, newlines or other control characters", name)
	}
	return ""
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// badOutput says what is wrong with a spec's output directory, or returns
// "". A spec may come from someone else, so its output must be a directory
// of its own inside the working directory; the --output flag of the
// person running evalrun may name any place.
func badOutput(out string) string {
	clean := filepath.Clean(out)
	switch {
	case out == "":
		return "empty: leave it out for runs/<name>"
	case hasControl(out):
		return fmt.Sprintf("%q must not contain NUL, newlines or other control characters", out)
	case filepath.IsAbs(out):
		return fmt.Sprintf("%q is absolute: a spec writes only inside the working directory (pass --output to write elsewhere)", out)
	case clean == ".":
		return fmt.Sprintf("%q is the working directory itself: name a directory of its own, such as runs/<name>", out)
	case !filepath.IsLocal(clean):
		return fmt.Sprintf("%q leaves the working directory: a spec writes only inside it (pass --output to write elsewhere)", out)
	}
	for _, part := range strings.Split(filepath.ToSlash(out), "/") {
		if part == ".." {
			return fmt.Sprintf("%q must not contain \"..\"", out)
		}
	}
	return ""
}

// ResolvePath resolves a dataset path relative to the spec's directory.
func (s *Spec) ResolvePath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir, p)
}
