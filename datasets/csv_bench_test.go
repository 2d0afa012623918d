package datasets

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// csvWriteBenchTable writes n student rows with four numeric and three
// categorical columns (5% of gpa missing), gzip-compressed when gz is set.
func csvWriteBenchTable(b *testing.B, n int, gz bool) string {
	b.Helper()
	name := "students.csv"
	if gz {
		name += ".gz"
	}
	path := filepath.Join(b.TempDir(), name)
	file, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var w io.Writer = file
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(file)
		w = zw
	}
	bw := bufio.NewWriter(w)
	rng := rand.New(rand.NewPCG(7, 8))
	fmt.Fprintln(bw, "id,term,course,gpa,credits,clicks,missed,gender,region,programme,at_risk")
	regions := []string{"North", "South", "East", "West", "\"Centre, old\""}
	for i := 0; i < n; i++ {
		gpa := fmt.Sprintf("%.2f", 1+3*rng.Float64())
		if rng.IntN(20) == 0 {
			gpa = "NA"
		}
		fmt.Fprintf(bw, "s%d,%d%s,C%d,%s,%d,%d,%d,%s,%s,P%d,%d\n", i, 2013+i%3, "BJ"[i%2:i%2+1], rng.IntN(7), gpa,
			30*(1+rng.IntN(4)), rng.IntN(5000), rng.IntN(6), "FM"[i%2:i%2+1], regions[rng.IntN(len(regions))], rng.IntN(12), rng.IntN(2))
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if err := file.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func BenchmarkLoadCSV(b *testing.B) {
	opts := CSVOptions{Name: "bench", IDColumn: "id", LabelColumn: "at_risk", TermColumn: "term", CourseColumn: "course",
		Numeric: []string{"gpa", "credits", "clicks", "missed"}, Categorical: []string{"programme"}, Groups: []string{"gender", "region"}}
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("rows=100000/gzip=%v", gz), func(b *testing.B) {
			path := csvWriteBenchTable(b, 100_000, gz)
			b.ReportAllocs()
			for b.Loop() {
				f, err := LoadCSV(path, opts)
				if err != nil {
					b.Fatal(err)
				}
				if f.Len() != 100_000 {
					b.Fatalf("%d rows", f.Len())
				}
			}
		})
	}
}
