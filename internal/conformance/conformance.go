// Package conformance loads the shared conformance suites
// (../shared/conformance/*.json beside the repository, or the directory
// named by $EVALRUN_CONFORMANCE_DIR) for the TestConformance of each
// package that owns a suite. The suite format is described in the suite
// directory's README.md.
package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Case is one case of a suite: a function name, its arguments and the
// expected outputs, compared with a relative tolerance.
type Case struct {
	ID   string                     `json:"id"`
	Fn   string                     `json:"fn"`
	Args map[string]json.RawMessage `json:"args"`
	Want map[string]json.RawMessage `json:"want"`
	Tol  float64                    `json:"tol"`
	Note string                     `json:"note"`
}

// Dir returns $EVALRUN_CONFORMANCE_DIR, or ../shared/conformance relative
// to the directory holding go.mod ("" when no go.mod is found above the
// working directory).
func Dir() string {
	if d := os.Getenv("EVALRUN_CONFORMANCE_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// RequireEnv names the environment variable that turns a missing suite
// from a skip into a failure: CI (.ci/run) sets it to 1 so that a clone
// without the suites cannot pass, while a bare "go test ./..." on a
// user's machine still skips with a message.
const RequireEnv = "EVALRUN_REQUIRE_CONFORMANCE"

// Required reports whether $EVALRUN_REQUIRE_CONFORMANCE is set to a true
// value ("1", "true", "yes").
func Required() bool {
	switch os.Getenv(RequireEnv) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// Load reads the suite file name (e.g. "metrics.json"). When the suite
// directory or file is absent it skips the test with a message, or fails
// it when Required; it fails the test when the file cannot be read or
// decoded or holds no cases.
func Load(t testing.TB, name string) []Case {
	t.Helper()
	dir := Dir()
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if dir == "" || os.IsNotExist(err) {
		if Required() {
			t.Fatalf("conformance suite %s not found and %s is set: set EVALRUN_CONFORMANCE_DIR to the suite directory", path, RequireEnv)
		}
		t.Skipf("conformance suite %s not found (set EVALRUN_CONFORMANCE_DIR; %s=1 makes this a failure): skipping", path, RequireEnv)
	}
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []Case `json:"cases"`
	}
	if err := json.Unmarshal(data, &suite); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(suite.Cases) == 0 {
		t.Fatalf("%s holds no cases", path)
	}
	return suite.Cases
}
