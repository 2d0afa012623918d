package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryNumericFlagHasARange asks every command of the usage text for
// its help, collects its flags and requires a range in flagRanges for each
// numeric one, so a new flag cannot silently accept any number.
func TestEveryNumericFlagHasARange(t *testing.T) {
	var sets []*flag.FlagSet
	parseHook = func(fs *flag.FlagSet) { sets = append(sets, fs) }
	defer func() { parseHook = nil }()
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`evalrun ([a-z-]+(?: (?:oulad|lock))?)`).FindAllStringSubmatch(allUsage(), -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		runCLI(t, append(strings.Fields(m[1]), "-h")...)
	}
	if len(sets) < 10 {
		t.Fatalf("only %d commands parsed their flags", len(sets))
	}
	var missing []string
	for _, fs := range sets {
		fs.VisitAll(func(f *flag.Flag) {
			if _, numeric := numericFlag(f); numeric {
				if _, ok := flagRanges[fs.Name()][f.Name]; !ok {
					missing = append(missing, fs.Name()+" --"+f.Name)
				}
			}
		})
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("numeric flags without a documented range in flagRanges: %s", strings.Join(missing, ", "))
	}
}

// TestFlagsOutOfRange: a number outside a flag's range is a usage error
// naming the flag, found before any work (synth writes nothing).
func TestFlagsOutOfRange(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "synth")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"audit", "s.csv", "--label", "y", "--score", "p", "--group", "g", "--threshold", "1.5"}, "--threshold must be in [0, 1], got 1.5"},
		{[]string{"audit", "s.csv", "--label", "y", "--score", "p", "--group", "g", "--top-fraction", "0"}, "--top-fraction must be in (0, 1], got 0"},
		{[]string{"audit", "s.csv", "--label", "y", "--score", "p", "--group", "g", "--min-group-size", "0"}, "--min-group-size must be at least 1, got 0"},
		{[]string{"audit", "s.csv", "--label", "y", "--score", "p", "--group", "g", "--replicates", "-5"}, "--replicates must be 0 (no intervals) or more, got -5"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.15", "--alpha", "0"}, "--alpha must be in (0, 1), got 0"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.15", "--alpha", "1.2"}, "--alpha must be in (0, 1), got 1.2"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.15", "--power", "-0.8"}, "--power must be in (0, 1), got -0.8"},
		{[]string{"power", "--p1", "1.3", "--reduction", "0.15"}, "--p1 must be in (0, 1), got 1.3"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0"}, "--reduction must be in (0, 1); 0 is not a value"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.1", "--n", "0"}, "--n must be positive; 0 is not a value"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.1", "--ratio", "0"}, "--ratio must be positive, got 0"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.1", "--icc", "1"}, "--icc must be in [0, 1), got 1"},
		{[]string{"power", "--p1", "0.3", "--reduction", "0.1", "--alpha", "NaN"}, "--alpha must be a finite number"},
		{[]string{"synth", "oulad", "-o", out, "--students", "0"}, "--students must be between 1 and 1000000; 0 is not a value"},
		{[]string{"synth", "oulad", "-o", out, "--students", "-3"}, "--students must be between 1 and 1000000, got -3"},
		{[]string{"costbenefit", "--run", dir, "--pilot", dir, "--capacity", "10", "--cost-per-contact", "5", "--level", "95"}, "--level must be in (0, 1), got 95"},
		{[]string{"costbenefit", "--run", dir, "--pilot", dir, "--capacity", "10", "--cost-per-contact", "-5"}, "--cost-per-contact must be 0 or more, got -5"},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want a usage error saying %q", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused synth created %s", out)
	}
}
