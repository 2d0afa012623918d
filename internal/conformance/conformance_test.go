package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"suite":"x","cases":[{"id":"a/1","fn":"f","args":{"v":[1,2]},"want":{"r":3},"tol":1e-9,"note":"n"}]}`), 0o644)
	t.Setenv("EVALRUN_CONFORMANCE_DIR", dir)
	cases := Load(t, "x.json")
	if len(cases) != 1 || cases[0].ID != "a/1" || cases[0].Fn != "f" || cases[0].Tol != 1e-9 || string(cases[0].Want["r"]) != "3" {
		t.Errorf("cases = %+v", cases)
	}
	if Dir() != dir {
		t.Errorf("Dir() = %q, want %q", Dir(), dir)
	}
}

func TestDirDefault(t *testing.T) {
	t.Setenv("EVALRUN_CONFORMANCE_DIR", "")
	d := Dir()
	if filepath.Base(d) != "conformance" || filepath.Base(filepath.Dir(d)) != "shared" {
		t.Errorf("default Dir() = %q, want .../shared/conformance beside the module", d)
	}
}

// fakeTB records whether Load skipped or failed instead of ending the
// test, so both outcomes of a missing suite can be checked.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true; panic(f) }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic(f) }
func (f *fakeTB) Fatal(...any)          { f.failed = true; panic(f) }
func loadMissing(t *testing.T) (f *fakeTB) {
	f = &fakeTB{TB: t}
	defer func() {
		if r := recover(); r != nil && r != any(f) {
			panic(r)
		}
	}()
	Load(f, "absent.json")
	return f
}

func TestLoadMissingSuite(t *testing.T) {
	t.Setenv("EVALRUN_CONFORMANCE_DIR", t.TempDir())
	for _, tc := range []struct {
		require      string
		skip, failed bool
	}{
		{"", true, false},
		{"0", true, false},
		{"1", false, true},
		{"true", false, true},
	} {
		t.Setenv(RequireEnv, tc.require)
		f := loadMissing(t)
		if f.skipped != tc.skip || f.failed != tc.failed {
			t.Errorf("%s=%q: skipped %v failed %v, want skipped %v failed %v", RequireEnv, tc.require, f.skipped, f.failed, tc.skip, tc.failed)
		}
	}
}
