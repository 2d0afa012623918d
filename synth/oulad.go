package synth

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/evalrun/evalrun/internal/workpool"
)

// DefaultStudents is the number of registrations generated when
// OULADConfig.Students is 0 (the demo size).
const DefaultStudents = 4000

// MaxStudents bounds OULADConfig.Students: 1,000,000 registrations already
// mean about 330 million clickstream rows (some 15 GB of CSV).
const MaxStudents = 1_000_000

// OULADConfig configures the synthetic OULAD generator.
type OULADConfig struct {
	// Students is the number of registrations (studentInfo rows) over all
	// module presentations; 0 means DefaultStudents. The real data has 32,593.
	// Must be in [0, MaxStudents].
	Students int
	// Seed determines every generated value: the same Config gives
	// byte-identical files.
	Seed uint64
}

// Summary describes what a generator call produced.
type Summary struct {
	// Students is the number of registrations (studentInfo rows).
	Students int
	// Rows maps each file name (e.g. "studentVle.csv") to its number of data
	// rows (lines after the header).
	Rows map[string]int
	// Presentations lists the module presentations as
	// "<code_module>/<code_presentation>", e.g. "AAA/2013J", sorted by module
	// then presentation code (the order of studentInfo.csv); all 22, including
	// any that received no students at small sizes.
	Presentations []string
}

// File names of the seven OULAD tables, as published.
const (
	FileCourses             = "courses.csv"
	FileAssessments         = "assessments.csv"
	FileVLE                 = "vle.csv"
	FileStudentInfo         = "studentInfo.csv"
	FileStudentRegistration = "studentRegistration.csv"
	FileStudentAssessment   = "studentAssessment.csv"
	FileStudentVLE          = "studentVle.csv"
)

var ouladHeaders = map[string][]string{
	FileCourses:             {"code_module", "code_presentation", "module_presentation_length"},
	FileAssessments:         {"code_module", "code_presentation", "id_assessment", "assessment_type", "date", "weight"},
	FileVLE:                 {"id_site", "code_module", "code_presentation", "activity_type", "week_from", "week_to"},
	FileStudentInfo:         {"code_module", "code_presentation", "id_student", "gender", "region", "highest_education", "imd_band", "age_band", "num_of_prev_attempts", "studied_credits", "disability", "final_result"},
	FileStudentRegistration: {"code_module", "code_presentation", "id_student", "date_registration", "date_unregistration"},
	FileStudentAssessment:   {"id_assessment", "id_student", "date_submitted", "is_banked", "score"},
	FileStudentVLE:          {"code_module", "code_presentation", "id_student", "id_site", "date", "sum_click"},
}

// OULADFileNames returns the seven file names in the order they are written.
func OULADFileNames() []string {
	return []string{FileCourses, FileAssessments, FileVLE, FileStudentInfo, FileStudentRegistration, FileStudentAssessment, FileStudentVLE}
}

// WriteOULAD writes the seven OULAD tables as CSV files into dir, creating dir
// (and parents) if needed and overwriting files of the same names. Files are
// written streaming; memory stays bounded by the per-student records (a few
// hundred bytes each), not by the click rows. On error, files may be partly
// written. Commands write through WriteOULADTo into a rundir.Writer instead,
// which refuses a directory evalrun did not write.
func WriteOULAD(dir string, cfg OULADConfig) (Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("synth: create output directory: %w", err)
	}
	return WriteOULADTo(func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, name))
	}, cfg)
}

// WriteOULADTo writes the seven OULAD tables, streaming, to the files that
// create opens by name (the names of OULADFileNames, in that order); each is
// closed once written.
func WriteOULADTo(create func(name string) (io.WriteCloser, error), cfg OULADConfig) (Summary, error) {
	return generate(cfg, func(name string, fill func(io.Writer) error) error {
		f, err := create(name)
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := fill(bw); err != nil {
			f.Close()
			return fmt.Errorf("synth: write %s: %w", name, err)
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("synth: write %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("synth: close %s: %w", name, err)
		}
		return nil
	})
}

// OULADFS returns the same seven tables WriteOULAD would write, byte for byte,
// as an in-memory read-only file system with the files at its root. The whole
// clickstream is held in memory (about 15 MB per 1,000 students), so use it
// for demo sizes.
func OULADFS(cfg OULADConfig) (fs.FS, Summary, error) {
	files := fstest.MapFS{}
	modTime := time.Date(2017, 11, 28, 0, 0, 0, 0, time.UTC) // OULAD's publication date
	sum, err := generate(cfg, func(name string, fill func(io.Writer) error) error {
		var b bytes.Buffer
		if name == FileStudentVLE {
			// About 330 rows of about 45 bytes per registration; growing
			// once avoids copying the clickstream repeatedly. generate has
			// validated cfg.Students by the time it emits a table.
			n := cfg.Students
			if n == 0 {
				n = DefaultStudents
			}
			b.Grow(n * 330 * 46)
		}
		if err := fill(&b); err != nil {
			return fmt.Errorf("synth: %s: %w", name, err)
		}
		files[name] = &fstest.MapFile{Data: b.Bytes(), Mode: 0o444, ModTime: modTime}
		return nil
	})
	if err != nil {
		return nil, Summary{}, err
	}
	return files, sum, nil
}

// emitFunc writes one named table; fill writes the table's bytes.
type emitFunc func(name string, fill func(io.Writer) error) error

func generate(cfg OULADConfig, emit emitFunc) (Summary, error) {
	if cfg.Students < 0 || cfg.Students > MaxStudents {
		return Summary{}, fmt.Errorf("synth: Students = %d, want 0 (default %d) to %d", cfg.Students, DefaultStudents, MaxStudents)
	}
	n := cfg.Students
	if n == 0 {
		n = DefaultStudents
	}
	g := &generator{seed: cfg.Seed, workers: max(1, min(runtime.GOMAXPROCS(0), 4))}
	g.pres = buildCatalog(cfg.Seed, n)
	g.generateStudents(assignStudentIDs(cfg.Seed, g.pres))

	sum := Summary{Students: n, Rows: map[string]int{}}
	for _, p := range g.pres {
		sum.Presentations = append(sum.Presentations, p.name())
	}
	tables := []struct {
		name  string
		write func(*tableWriter)
	}{
		{FileCourses, g.writeCourses},
		{FileAssessments, g.writeAssessments},
		{FileVLE, g.writeVLE},
		{FileStudentInfo, g.writeStudentInfo},
		{FileStudentRegistration, g.writeRegistrations},
		{FileStudentAssessment, g.writeStudentAssessments},
		{FileStudentVLE, g.writeStudentVLE},
	}
	for _, t := range tables {
		err := emit(t.name, func(w io.Writer) error {
			tw := &tableWriter{w: w}
			tw.row(ouladHeaders[t.name]...)
			tw.rows = 0
			t.write(tw)
			sum.Rows[t.name] = tw.rows
			return tw.err
		})
		if err != nil {
			return Summary{}, err
		}
	}
	return sum, nil
}

type generator struct {
	seed     uint64
	workers  int
	pres     []*presentation
	students [][]student // per presentation, ascending id_student
}

// generateStudents draws every registration, presentations spread over the
// workers; each student's values come from its own stream, so the result does
// not depend on the number of workers.
func (g *generator) generateStudents(ids [][]int) {
	g.students = make([][]student, len(g.pres))
	workpool.For(len(g.pres), g.workers, func(i int) {
		p := g.pres[i]
		list := make([]student, len(ids[i]))
		for j, id := range ids[i] {
			list[j] = newStudent(g.seed, p, id)
		}
		g.students[i] = list
	})
}

// tableWriter writes double-quoted CRLF rows and keeps the first error.
type tableWriter struct {
	w    io.Writer
	buf  []byte
	rows int
	err  error
}

func (t *tableWriter) row(fields ...string) {
	t.buf = t.buf[:0]
	for i, f := range fields {
		if i > 0 {
			t.buf = append(t.buf, ',')
		}
		t.buf = append(t.buf, '"')
		t.buf = append(t.buf, f...)
		t.buf = append(t.buf, '"')
	}
	t.buf = append(t.buf, '\r', '\n')
	t.write(t.buf, 1)
}

func (t *tableWriter) write(b []byte, rows int) {
	if t.err != nil {
		return
	}
	if _, err := t.w.Write(b); err != nil {
		t.err = err
		return
	}
	t.rows += rows
}

func itoa(v int) string { return strconv.Itoa(v) }

// writeCourses lists presentations as the real courses.csv does: by module,
// J (October) presentations before B (February), then by year.
func (g *generator) writeCourses(t *tableWriter) {
	order := slices.Clone(g.pres)
	slices.SortStableFunc(order, func(a, b *presentation) int {
		if c := strings.Compare(a.module.code, b.module.code); c != 0 {
			return c
		}
		if a.isB != b.isB {
			if b.isB {
				return -1
			}
			return 1
		}
		return a.year - b.year
	})
	for _, p := range order {
		t.row(p.module.code, p.code, itoa(p.length))
	}
}

func (g *generator) writeAssessments(t *tableWriter) {
	for _, p := range g.pres {
		for _, a := range p.assessments {
			t.row(p.module.code, p.code, a.idText, a.kind, a.dateText, strconv.FormatFloat(a.weight, 'f', -1, 64))
		}
	}
}

func (g *generator) writeVLE(t *tableWriter) {
	for _, p := range g.pres {
		for _, s := range p.sites {
			kind, week := "homepage", ""
			if s.kind >= 0 {
				kind = siteTypes[s.kind].name
			}
			if s.weekFrom >= 0 {
				week = itoa(s.weekFrom)
			}
			t.row(itoa(s.id), p.module.code, p.code, kind, week, week)
		}
	}
}

func (g *generator) writeStudentInfo(t *tableWriter) {
	for i, p := range g.pres {
		for k := range g.students[i] {
			s := &g.students[i][k]
			imd := ""
			if s.imd >= 0 {
				imd = imdBands[s.imd]
			}
			dis := "N"
			if s.disabled {
				dis = "Y"
			}
			t.row(p.module.code, p.code, itoa(s.id), genders[s.gender], regions[s.region], educations[s.education],
				imd, ageBands[s.age], itoa(s.prevAttempts), itoa(s.credits), dis, resultNames[s.result])
		}
	}
}

func (g *generator) writeRegistrations(t *tableWriter) {
	for i, p := range g.pres {
		for k := range g.students[i] {
			s := &g.students[i][k]
			reg, unreg := "", ""
			if s.registered {
				reg = itoa(s.regDate)
			}
			if s.result == resultWithdrawn && s.hasUnreg {
				unreg = itoa(s.unregDate)
			}
			t.row(p.module.code, p.code, itoa(s.id), reg, unreg)
		}
	}
}

// writeStudentAssessments writes rows ordered by id_assessment, then
// id_student, as the real file is.
func (g *generator) writeStudentAssessments(t *tableWriter) {
	for i, p := range g.pres {
		next := make([]int, len(g.students[i])) // per student: next unwritten submission
		for ai, a := range p.assessments {
			for k := range g.students[i] {
				s := &g.students[i][k]
				if next[k] >= len(s.subs) || s.subs[next[k]].assessment != ai {
					continue
				}
				sub := s.subs[next[k]]
				next[k]++
				score, banked := "", "0"
				if sub.score >= 0 {
					score = itoa(sub.score)
				}
				if sub.banked {
					banked = "1"
				}
				t.row(a.idText, itoa(s.id), itoa(sub.date), banked, score)
			}
		}
	}
}

// clickChunkSize is the number of students per unit of parallel click work.
const clickChunkSize = 64

type clickChunk struct {
	pres, from, to int
	buf            []byte
	rows           int
	done           chan struct{}
}

// writeStudentVLE generates the clickstream in chunks of students on the
// workers and writes the chunks in order; at most 4 chunks per worker are in
// flight, which bounds memory.
func (g *generator) writeStudentVLE(t *tableWriter) {
	var chunks []*clickChunk
	for i := range g.pres {
		for from := 0; from < len(g.students[i]); from += clickChunkSize {
			chunks = append(chunks, &clickChunk{pres: i, from: from, to: min(from+clickChunkSize, len(g.students[i])), done: make(chan struct{})})
		}
	}
	jobs := make(chan *clickChunk)
	slots := make(chan struct{}, 4*g.workers)
	free := make(chan []byte, 4*g.workers+1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range g.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cw := &clickWriter{seed: g.seed}
			for c := range jobs {
				var buf []byte
				select {
				case buf = <-free:
				default:
				}
				buf = buf[:0]
				p := g.pres[c.pres]
				for k := c.from; k < c.to; k++ {
					var n int
					buf, n = cw.appendStudent(buf, p, &g.students[c.pres][k])
					c.rows += n
				}
				c.buf = buf
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, c := range chunks {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			jobs <- c
		}
	}()
	for _, c := range chunks {
		<-c.done
		t.write(c.buf, c.rows)
		select {
		case free <- c.buf:
		default:
		}
		c.buf = nil
		<-slots
		if t.err != nil {
			break
		}
	}
	close(stop)
	wg.Wait()
}
