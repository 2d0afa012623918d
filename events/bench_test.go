package events

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// benchConfig generates about 10.3 million clickstream rows (16,000
// students, up to 60 sessions of up to 40 events each, plus planted bots
// and duplicates).
var benchConfig = genConfig{Students: 16000, MaxSessions: 60, MaxEvents: 40, UnknownStudents: 50, Seed: 1}

// benchClickstream writes the benchmark log once into the temporary
// directory and returns its path, row count and student keys.
func benchClickstream(b *testing.B) (string, int, []string) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "evalrun-bench-events-16000-seed1")
	path := filepath.Join(dir, "clicks.csv")
	marker := filepath.Join(dir, "complete")
	students := make([]string, benchConfig.Students)
	for i := range students {
		students[i] = fmt.Sprintf("S%06d", i)
	}
	if m, err := os.ReadFile(marker); err == nil {
		rows, _ := strconv.Atoi(strings.TrimSpace(string(m)))
		return path, rows, students
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	truth, err := genClickstream(f, benchConfig)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte(strconv.Itoa(truth.rows)+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, truth.rows, truth.students
}

// BenchmarkClickstream10M ingests, cleans (default rules, student table)
// and builds every default feature at three cutoffs for about 10 million
// generated clickstream rows (the budget: under 10 s on 2 cores,
// peak memory under 1.5 GB). It reports rows read and the memory the Go
// runtime obtained from the OS (MemStats.Sys, an upper bound of the peak
// heap); measure the process peak RSS with /usr/bin/time -v.
func BenchmarkClickstream10M(b *testing.B) {
	path, rows, students := benchClickstream(b)
	cutoffs := []int{14, 28, 56}
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		opts := genOptions(b, &genTruth{students: students}, cutoffs)
		opts.Features = DefaultFeatures()
		bl, err := NewBuilder(opts)
		if err != nil {
			b.Fatal(err)
		}
		f := genFormat
		f.TimeZone = genZone
		if _, err := ReadCSVFile(path, f, bl.Symbols(), bl); err != nil {
			b.Fatal(err)
		}
		r, err := bl.Finish()
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cutoffs {
			if _, _, err := r.Columns(c, students, nil); err != nil {
				b.Fatal(err)
			}
		}
		if r.Report.Records != rows {
			b.Fatalf("read %d records, want %d", r.Report.Records, rows)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
}
