package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/internal/fuzzcheck"
)

// FuzzParseSpec feeds arbitrary bytes to the spec parser, seeded with every
// shipped spec and every bad spec of testdata: it must return a spec or an
// error that names the spec file, never panic.
func FuzzParseSpec(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../experiments/*.toml", "testdata/badspecs/*.toml"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, paths...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed specs found")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := filepath.Join("..", "experiments")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzcheck.Bounded(t, len(data), func() {
			_, err := ParseSpec("fuzz.toml", dir, data)
			if err != nil && !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the spec file: %v", err)
			}
		})
	})
}
