package parquetsrc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
	"github.com/evalrun/evalrun/internal/parquettest"
)

// FuzzLoadStudents feeds arbitrary bytes, seeded with a valid Parquet
// student table (nested optional columns, two row groups), to the Parquet
// student-table loader: a corrupt file must give an error naming it, never
// a panic, hang or unbounded allocation (the Parquet footer declares sizes
// the reader must not trust).
func FuzzLoadStudents(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.parquet")
	if err := parquettest.Write(seed, 4, studentColumns()...); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "students.parquet")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzcheck.Bounded(t, len(data), func() {
			frame, err := LoadStudents(context.Background(), path, studentOpts)
			if err != nil {
				return
			}
			if n := len(frame.Keys); len(frame.Labels) != n || len(frame.Terms) != n {
				t.Fatalf("%d keys, %d labels, %d terms", n, len(frame.Labels), len(frame.Terms))
			}
		})
	})
}
