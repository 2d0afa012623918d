package parquetsrc

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/evalrun/evalrun/datasets"
	"github.com/evalrun/evalrun/events"
	"github.com/evalrun/evalrun/internal/parquettest"
)

const benchStudents = 100000

// benchStudentTable writes the same student table as CSV and as Parquet.
func benchStudentTable(b *testing.B) (csvPath, pqPath string) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	cols := []parquettest.Column{{Name: "id", Type: "string"}, {Name: "term", Type: "string"}, {Name: "course", Type: "string"},
		{Name: "gpa", Type: "float64"}, {Name: "credits", Type: "int64"}, {Name: "clicks", Type: "int64"}, {Name: "missed", Type: "int64"},
		{Name: "gender", Type: "string"}, {Name: "region", Type: "string"}, {Name: "programme", Type: "string"}, {Name: "at_risk", Type: "int64"}}
	csvPath = filepath.Join(dir, "students.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,term,course,gpa,credits,clicks,missed,gender,region,programme,at_risk")
	regions := []string{"North", "South", "East", "West", "Centre"}
	for i := 0; i < benchStudents; i++ {
		gpa := any(float64(100+rng.IntN(300)) / 100)
		gpaText := fmt.Sprint(gpa)
		if rng.IntN(20) == 0 {
			gpa, gpaText = nil, ""
		}
		row := []any{fmt.Sprintf("s%d", i), fmt.Sprintf("%d%s", 2013+i%3, "BJ"[i%2:i%2+1]), fmt.Sprintf("C%d", rng.IntN(7)), gpa,
			int64(30 * (1 + rng.IntN(4))), int64(rng.IntN(5000)), int64(rng.IntN(6)), "FM"[i%2 : i%2+1], regions[rng.IntN(5)], fmt.Sprintf("P%d", rng.IntN(12)), int64(rng.IntN(2))}
		for j, v := range row {
			cols[j].Values = append(cols[j].Values, v)
			if j > 0 {
				w.WriteByte(',')
			}
			if j == 3 {
				w.WriteString(gpaText)
			} else {
				fmt.Fprint(w, v)
			}
		}
		w.WriteByte('\n')
	}
	w.Flush()
	f.Close()
	pqPath = filepath.Join(dir, "students.parquet")
	if err := parquettest.Write(pqPath, 0, cols...); err != nil {
		b.Fatal(err)
	}
	return csvPath, pqPath
}

var benchOpts = datasets.CSVOptions{Name: "bench", IDColumn: "id", LabelColumn: "at_risk", TermColumn: "term", CourseColumn: "course",
	Numeric: []string{"gpa", "credits", "clicks", "missed"}, Categorical: []string{"gender", "region", "programme"}, Groups: []string{"gender"}}

// BenchmarkStudentTable compares the CSV and Parquet readers on the same
// 100,000-row student table (4 numeric, 3 categorical columns).
func BenchmarkStudentTable(b *testing.B) {
	csvPath, pqPath := benchStudentTable(b)
	runtime.GC()
	b.Run("csv", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			if _, err := datasets.LoadCSV(csvPath, benchOpts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchStudents*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
	b.Run("parquet", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			if _, err := LoadStudents(context.Background(), pqPath, benchOpts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchStudents*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
}

type countSink struct{ n int }

func (c *countSink) Event(*events.Event) error          { c.n++; return nil }
func (c *countSink) Malformed(string, int, error) error { return nil }

const benchEvents = 1000000

// BenchmarkEventLog compares the CSV and Parquet readers on the same
// 1,000,000-event log (student, RFC 3339 / TIMESTAMP time, action,
// resource, resource type, count), read into a counting sink.
func BenchmarkEventLog(b *testing.B) {
	csvPath, pqPath := benchEventLog(b)
	format := events.CSVFormat{Student: []string{"student"}, Time: "ts", Action: "verb", Resource: "object", ResourceType: "object_type", Count: "n"}
	benchEventLogRuns(b, csvPath, pqPath, format)
}

// benchEventLog writes the same event log as CSV and Parquet; the rows
// built for it are garbage once it returns.
func benchEventLog(b *testing.B) (csvPath, pqPath string) {
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	csvPath = filepath.Join(dir, "log.csv")
	f, _ := os.Create(csvPath)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "student,ts,verb,object,object_type,n")
	cols := []parquettest.Column{{Name: "student", Type: "string"}, {Name: "ts", Type: "timestamp"}, {Name: "verb", Type: "string"},
		{Name: "object", Type: "string"}, {Name: "object_type", Type: "string"}, {Name: "n", Type: "int64"}}
	start := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	verbs := []string{"viewed", "viewed", "posted", "submitted"}
	types := []string{"page", "forum", "quiz", "video"}
	for i := 0; i < benchEvents; i++ {
		st := fmt.Sprintf("S%05d", i/100)
		ts := start.Add(time.Duration(i%100)*time.Hour + time.Duration(rng.IntN(3600000))*time.Millisecond)
		res := rng.IntN(400)
		row := []any{st, ts, verbs[rng.IntN(4)], fmt.Sprintf("r%d", res), types[res%4], int64(1 + rng.IntN(3))}
		for j, v := range row {
			cols[j].Values = append(cols[j].Values, v)
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d\n", st, ts.Format("2006-01-02T15:04:05.000Z07:00"), row[2], row[3], row[4], row[5])
	}
	w.Flush()
	f.Close()
	pqPath = filepath.Join(dir, "log.parquet")
	if err := parquettest.Write(pqPath, 128<<10, cols...); err != nil {
		b.Fatal(err)
	}
	return csvPath, pqPath
}

func benchEventLogRuns(b *testing.B, csvPath, pqPath string, format events.CSVFormat) {
	runtime.GC()
	b.Run("csv", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			s := &countSink{}
			if _, err := events.ReadCSVFile(csvPath, format, events.NewSymbols(), s); err != nil || s.n != benchEvents {
				b.Fatal(err, s.n)
			}
		}
		b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
	b.Run("parquet", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			s := &countSink{}
			if _, err := ReadEvents(context.Background(), pqPath, format, events.NewSymbols(), s); err != nil || s.n != benchEvents {
				b.Fatal(err, s.n)
			}
		}
		b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
}

// cpuSeconds is the process's user and system CPU time: on a shared
// machine the wall time of a benchmark measures the other processes too.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
