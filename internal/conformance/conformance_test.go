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
