package pilot

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/evalrun/evalrun/abtest"
)

// The example tutoring pilot (GenerateExample) plants these effects.
const (
	// ExampleRelativeReduction is the true relative reduction of the DFW
	// rate by assignment to tutoring (intention to treat): every student's
	// DFW probability is multiplied by 1 − ExampleRelativeReduction in
	// expectation over attendance.
	ExampleRelativeReduction = 0.15
	// ExampleAttendance is the probability that a student of a tutored
	// section attends (complies); only attenders benefit, so their DFW
	// probability is multiplied by 1 − 0.15/0.7.
	ExampleAttendance = 0.7
	// ExampleExperiment names the example in the assignment hash.
	ExampleExperiment = "pilot-tutoring"
)

// Example is a generated example pilot: the pilot data (after two terms)
// and a roster of the next term's students to assign.
type Example struct {
	// PilotCSV has columns student_id, course, section, term, look, arm,
	// first_gen, pell, pre_gpa, attended, dfw, grade_points.
	PilotCSV []byte
	// RosterCSV has columns student_id, course, section, first_gen,
	// pre_gpa.
	RosterCSV []byte
	Units     int
	Sections  int
}

type exampleCourse struct {
	name string
	dfw  float64 // control DFW rate at the mean GPA
}

var exampleCourses = []exampleCourse{{"BIO110", 0.24}, {"CHEM101", 0.30}, {"ECON201", 0.22}, {"MATH101", 0.34}}

type exampleStudent struct {
	id, course, section, term string
	look                      int
	firstGen, pell            bool
	gpa                       float64
	gpaKnown                  bool
}

// GenerateExample builds a realistic cluster-randomized, stratified
// tutoring pilot in gateway courses: four courses (the strata) with six
// sections (the clusters, 22 to 34 students) per term over two terms (the
// two looks of the sequential plan). Sections are assigned to tutoring or
// control by abtest.Assign (cluster method within course, seed seed,
// experiment ExampleExperiment; the second term is assigned with the
// first term's assignments as previous ones). Each student has a pre-pilot
// GPA (2% missing), a first-generation and a Pell flag, and a section
// effect (log-normal, sd 0.25) on the DFW risk, which also rises with a
// lower GPA and for first-generation students. Tutored students attend
// with probability ExampleAttendance; attendance cuts the DFW probability
// so that the intention-to-treat relative reduction is exactly
// ExampleRelativeReduction in expectation. Withdrawals (40% of DFW) have
// no grade points; 1% of DFW records are missing. The same seed gives
// the same bytes.
func GenerateExample(seed uint64) (Example, error) {
	rng := rand.New(rand.NewPCG(seed, 0x70696c6f74))
	var students []exampleStudent
	var assignments []abtest.Assignment
	sectionEffect := map[string]float64{}
	next := 10001
	sections := 0
	design := abtest.AssignmentDesign{Experiment: ExampleExperiment, Seed: seed, Arms: []string{"tutoring", "control"}, Method: abtest.AssignCluster}
	for look, term := range []string{"2025FA", "2026SP"} {
		var roster []abtest.RosterUnit
		for _, c := range exampleCourses {
			for k := 1; k <= 6; k++ {
				sec := fmt.Sprintf("%s-%s-%02d", c.name, term, k)
				sections++
				sectionEffect[sec] = rng.NormFloat64() * 0.25
				size := 22 + rng.IntN(13)
				for range size {
					st := exampleStudent{id: "S" + strconv.Itoa(next), course: c.name, section: sec, term: term, look: look + 1}
					next++
					st.firstGen = rng.Float64() < 0.35
					st.pell = rng.Float64() < 0.4
					mean := 2.95
					if st.firstGen {
						mean -= 0.15
					}
					st.gpa = math.Round(100*math.Max(0.5, math.Min(4, mean+0.55*rng.NormFloat64()))) / 100
					st.gpaKnown = rng.Float64() >= 0.02
					students = append(students, st)
					roster = append(roster, abtest.RosterUnit{ID: st.id, Stratum: c.name, Cluster: sec})
				}
			}
		}
		res, err := abtest.Assign(roster, design, assignments)
		if err != nil {
			return Example{}, fmt.Errorf("example pilot: %w", err)
		}
		assignments = res.Assignments
	}
	arm := map[string]string{}
	for _, a := range assignments {
		arm[a.ID] = a.Arm
	}
	base := map[string]float64{}
	for _, c := range exampleCourses {
		base[c.name] = c.dfw
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"student_id", "course", "section", "term", "look", "arm", "first_gen", "pell", "pre_gpa", "attended", "dfw", "grade_points"})
	for _, st := range students {
		p := base[st.course] * math.Exp(sectionEffect[st.section]) * math.Exp(-0.9*(st.gpa-2.9))
		if st.firstGen {
			p *= 1.15
		}
		p = math.Max(0.02, math.Min(0.85, p))
		tutored := arm[st.id] == "tutoring"
		attended := tutored && rng.Float64() < ExampleAttendance
		if attended {
			p *= 1 - ExampleRelativeReduction/ExampleAttendance
		}
		dfw := rng.Float64() < p
		withdrawn := dfw && rng.Float64() < 0.4
		grade := ""
		switch {
		case withdrawn:
		case dfw:
			grade = strconv.FormatFloat(float64(rng.IntN(2)), 'f', 1, 64)
		default:
			g := st.gpa + 0.5*rng.NormFloat64()
			if attended {
				g += 0.1
			}
			grade = strconv.FormatFloat(math.Round(10*math.Max(2, math.Min(4, g)))/10, 'f', 1, 64)
		}
		dfwCell := "0"
		if dfw {
			dfwCell = "1"
		}
		if rng.Float64() < 0.01 {
			dfwCell = "" // record missing
		}
		gpa := ""
		if st.gpaKnown {
			gpa = strconv.FormatFloat(st.gpa, 'f', 2, 64)
		}
		w.Write([]string{st.id, st.course, st.section, st.term, strconv.Itoa(st.look), arm[st.id], yesNo(st.firstGen), yesNo(st.pell),
			gpa, boolCell(attended), dfwCell, grade})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return Example{}, err
	}
	ex := Example{PilotCSV: buf.Bytes(), Units: len(students), Sections: sections}

	// The next term's roster: three courses, five sections each.
	var rb bytes.Buffer
	rw := csv.NewWriter(&rb)
	rw.Write([]string{"student_id", "course", "section", "first_gen", "pre_gpa"})
	for _, c := range exampleCourses[1:] {
		for k := 1; k <= 5; k++ {
			sec := fmt.Sprintf("%s-2026FA-%02d", c.name, k)
			for range 20 + rng.IntN(11) {
				fg := rng.Float64() < 0.35
				gpa := math.Round(100*math.Max(0.5, math.Min(4, 2.95+0.55*rng.NormFloat64()))) / 100
				rw.Write([]string{"S" + strconv.Itoa(next), c.name, sec, yesNo(fg), strconv.FormatFloat(gpa, 'f', 2, 64)})
				next++
			}
		}
	}
	rw.Flush()
	if err := rw.Error(); err != nil {
		return Example{}, err
	}
	ex.RosterCSV = rb.Bytes()
	return ex, nil
}

// WriteFiles writes the example as tutoring.csv and roster.csv in dir,
// creating it if needed.
func (e Example) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tutoring.csv"), e.PilotCSV, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "roster.csv"), e.RosterCSV, 0o644)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func boolCell(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
