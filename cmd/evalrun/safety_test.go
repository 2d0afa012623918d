package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/evalrun/evalrun/rundir"
)

// csvRunSpec writes a small spec on the harness test data's student table
// (about 240 rows, one logistic model) and returns its path; data names
// the student CSV (a missing one proves a check came before loading).
func csvRunSpec(t *testing.T, experiment, data string) string {
	t.Helper()
	if data == "" {
		abs, err := filepath.Abs(filepath.Join("..", "..", "harness", "testdata", "students.csv"))
		if err != nil {
			t.Fatal(err)
		}
		data = abs
	}
	spec := filepath.Join(t.TempDir(), "spec.toml")
	text := fmt.Sprintf(`[experiment]
%s
[[datasets]]
name = "students"
kind = "csv"
path = %q
id = "student_id"
label = "dfw"
term = "term"
features = ["gpa", "credits"]
groups = ["first_gen"]
[[models]]
name = "lr"
kind = "logistic"
[[splits]]
name = "s"
kind = "temporal"
train = ["2021F", "2022S"]
test = ["2022F", "2023S"]
`, experiment, data)
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec
}

// tree reads every file and directory under root into a map (lock files,
// which evalrun keeps beside outputs, left out).
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case strings.HasSuffix(p, ".evalrun-lock"):
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func sameTree(a, b map[string]string) string {
	var diffs []string
	for k, v := range a {
		if b[k] != v {
			diffs = append(diffs, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, "+"+k)
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, " ")
}

// TestCommandsRefuseOutputsEvalrunDidNotWrite runs every command that
// writes a directory or file at an output that is in the way. Each must
// fail naming the path, before loading data (the run's spec names a CSV that
// does not exist, so a late check would report that instead), and leave
// every byte in place.
func TestCommandsRefuseOutputsEvalrunDidNotWrite(t *testing.T) {
	obstacles := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"a file", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte("%PDF-1.7 my thesis"), 0o644))
		}, "is a file"},
		{"a thesis folder", func(t *testing.T, path string) {
			must(t, os.MkdirAll(filepath.Join(path, "chapters"), 0o755))
			must(t, os.WriteFile(filepath.Join(path, "chapters", "one.tex"), []byte(`\chapter{One}`), 0o644))
		}, "is not an evalrun output directory"},
		{"a run with a file added", func(t *testing.T, path string) {
			w, err := rundir.Open(path, rundir.Options{Kind: "run"})
			must(t, err)
			must(t, w.WriteFile("results.json", []byte("{}\n")))
			must(t, w.Commit())
			must(t, os.WriteFile(filepath.Join(path, "notes.md"), []byte("my notes"), 0o644))
		}, "notes.md: was not written by evalrun"},
	}
	commands := []struct {
		name string
		args func(t *testing.T, out string) []string
	}{
		{"run", func(t *testing.T, out string) []string {
			return []string{"run", "--output", out, csvRunSpec(t, `name = "x"`, "/nonexistent/students.csv")}
		}},
		{"demo", func(t *testing.T, out string) []string { return []string{"demo", "--output", out} }},
		{"describe", func(t *testing.T, out string) []string {
			return []string{"describe", "--output", out, describeSpec(t)}
		}},
		{"synth", func(t *testing.T, out string) []string {
			return []string{"synth", "oulad", "-o", out, "--students", "50"}
		}},
		{"costbenefit", func(t *testing.T, out string) []string {
			return []string{"costbenefit", "--run", "/nonexistent/run", "--pilot", "/nonexistent/pilot.json", "--capacity", "10", "--cost-per-contact", "5", "-o", out}
		}},
	}
	for _, c := range commands {
		for _, o := range obstacles {
			t.Run(c.name+"/"+o.name, func(t *testing.T) {
				parent := t.TempDir()
				out := filepath.Join(parent, "out")
				o.setup(t, out)
				before := tree(t, parent)
				_, _, err := runCLI(t, c.args(t, out)...)
				if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), o.want) {
					t.Fatalf("err = %v, want one naming %s and saying %q", err, out, o.want)
				}
				if d := sameTree(before, tree(t, parent)); d != "" {
					t.Errorf("a refused %s changed %s", c.name, d)
				}
			})
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestValidateNamesOutputsAndNames: validate reports an output in the way
// and names that would escape the run directory with the spec key and line.
func TestValidateNamesOutputsAndNames(t *testing.T) {
	t.Chdir(t.TempDir())
	thesis := filepath.Join("runs", "thesis")
	must(t, os.MkdirAll(thesis, 0o755))
	must(t, os.WriteFile(filepath.Join(thesis, "draft.tex"), []byte("draft"), 0o644))
	cases := []struct {
		experiment string
		want       string
	}{
		{"name = \"thesis\"", ":2: experiment.name: the default output runs/<name>: " + thesis + ": exists and is not an evalrun output directory"},
		{"name = \"x\"\noutput = \"runs/thesis\"", ":3: experiment.output: " + thesis + ": exists"},
		{"name = \".\"", `:2: experiment.name: "." is not a name`},
		{"name = \"..\"", `:2: experiment.name: ".." is not a name`},
		{"name = \"a\\u0000b\"", `:2: experiment.name: "a\x00b" must not contain NUL`},
		{"name = \"x\"\noutput = \"..\"", `:3: experiment.output: ".." leaves the working directory`},
		{"name = \"x\"\noutput = \"/tmp/x\"", `:3: experiment.output: "/tmp/x" is absolute`},
	}
	for _, c := range cases {
		spec := csvRunSpec(t, c.experiment, "")
		_, _, err := runCLI(t, "validate", spec)
		if err == nil || !strings.Contains(err.Error(), spec+c.want) {
			t.Errorf("%s: err = %v, want %q", c.experiment, err, spec+c.want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(thesis, "draft.tex")); err != nil || string(b) != "draft" {
		t.Errorf("draft.tex changed: %q %v", b, err)
	}
}

// TestRunLockedOutput: a second process writing the same run directory
// gets an error naming the holder, and the holder's files stay.
func TestRunLockedOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	holder, err := rundir.Open(out, rundir.Options{Kind: "run", Command: []string{"evalrun", "run", "other.toml"}})
	must(t, err)
	defer holder.Close()
	_, _, err = runCLI(t, "run", "--output", out, csvRunSpec(t, `name = "x"`, ""))
	var le *rundir.LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(err.Error(), "evalrun run other.toml") {
		t.Fatalf("err = %v, want a LockedError naming this process", err)
	}
	must(t, holder.WriteFile("results.json", []byte("holder's")))
	must(t, holder.Commit())
	if b, err := os.ReadFile(filepath.Join(out, "results.json")); err != nil || string(b) != "holder's" {
		t.Errorf("the holder's run: %q %v", b, err)
	}
}

// TestRunRecoversLeftovers: a run finds the hidden directory of a killed
// run, removes it, says so on stderr and in the manifest, and replaces the
// previous run.
func TestRunRecoversLeftovers(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	parent := t.TempDir()
	out := filepath.Join(parent, "run")
	spec := csvRunSpec(t, `name = "x"`, "")
	if _, _, err := runCLI(t, "run", "--output", out, spec); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(parent, ".run.evalrun-new-123")
	must(t, os.MkdirAll(filepath.Join(leftover, "plots"), 0o755))
	must(t, os.WriteFile(filepath.Join(leftover, rundir.MarkerName), []byte(`{"format": 1, "kind": "run", "state": "writing", "files": []}`), 0o644))
	must(t, os.WriteFile(filepath.Join(leftover, "plots", "roc.svg"), []byte("<svg"), 0o644))
	_, stderr, err := runCLI(t, "run", "--output", out, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "removed "+leftover+", left by an interrupted write") {
		t.Errorf("stderr does not report the leftover:\n%s", stderr)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("leftover still there: %v", err)
	}
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil || !strings.Contains(string(manifest), `"output_notes": [`) || !strings.Contains(string(manifest), "left by an interrupted write") {
		t.Errorf("manifest does not record the recovery (%v):\n%s", err, manifest)
	}
}

// TestAssignRefusesToReplaceAFile: -o naming an existing file other than
// --previous is refused before randomizing; the file stays byte for byte.
func TestAssignRefusesToReplaceAFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "grades.csv")
	must(t, os.WriteFile(existing, []byte("student,grade\n1,A\n"), 0o644))
	err := assignCmd(sink(), sink(), []string{pilotRoster, "--spec", pilotSpec, "-o", existing})
	if err == nil || !strings.Contains(err.Error(), existing) || !strings.Contains(err.Error(), "exists") {
		t.Errorf("err = %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "student,grade\n1,A\n" {
		t.Errorf("grades.csv changed: %q", b)
	}
	// The previous assignments may be updated in place.
	first := filepath.Join(dir, "assignments.csv")
	must(t, assignCmd(sink(), sink(), []string{pilotRoster, "--spec", pilotSpec, "-o", first}))
	must(t, assignCmd(sink(), sink(), []string{pilotRoster, "--spec", pilotSpec, "--previous", first, "-o", first}))
}

// TestHelperEvalrun is the child of TestRunKilledWhileReplacing: it runs
// the evalrun command line in $EVALRUN_TEST_ARGS (tab-separated).
func TestHelperEvalrun(t *testing.T) {
	args := os.Getenv("EVALRUN_TEST_ARGS")
	if args == "" {
		t.Skip("only run as a child of TestRunKilledWhileReplacing")
	}
	if os.Getenv("EVALRUN_TEST_MAIN") == "1" { // the whole command, signals and exit status included
		os.Args = append([]string{"evalrun"}, strings.Split(args, "\t")...)
		main()
		os.Exit(0)
	}
	if err := run(context.Background(), io.Discard, os.Stderr, strings.Split(args, "\t")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestRunKilledWhileReplacing kills a real `evalrun run` at each dangerous
// instant of replacing a previous run: the run directory afterwards holds
// a complete run (the previous one byte for byte before the exchange, the
// new one after), and the next run cleans up and says so.
func TestRunKilledWhileReplacing(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	spec := csvRunSpec(t, `name = "x"`, "")
	for _, c := range []struct {
		point    string
		exchange bool
		previous bool // the previous run's manifest survives
	}{
		{rundir.PauseBeforeSwap, true, true},
		{rundir.PauseAfterSwap, true, false},
		{rundir.PauseMovedAside, false, true},
	} {
		t.Run(fmt.Sprintf("%s/exchange=%v", c.point, c.exchange), func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "run")
			if _, _, err := runCLI(t, "run", "--quiet", "--output", out, spec); err != nil {
				t.Fatal(err)
			}
			before := tree(t, out)
			inode := func() uint64 {
				st, err := os.Stat(out)
				must(t, err)
				return st.Sys().(*syscall.Stat_t).Ino
			}
			previousInode := inode()
			var env []string
			if !c.exchange {
				env = append(env, rundir.NoExchangeEnv+"=1")
			}
			cmd, _ := startPausedRun(t, c.point, out, spec, env...)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if c.point == rundir.PauseMovedAside {
				// The target is missing for the instant between the two
				// renames; the next writer restores the previous run.
				if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("between the renames %s exists: %v", out, err)
				}
				w, err := rundir.Open(out, rundir.Options{})
				must(t, err)
				notes := strings.Join(w.Notes(), "\n")
				w.Close()
				if !strings.Contains(notes, "restored") || sameTree(before, tree(t, out)) != "" {
					t.Fatalf("recovery notes %q; restored run differs: %s", notes, sameTree(before, tree(t, out)))
				}
			} else {
				after := tree(t, out)
				if err := rundir.Check(out); err != nil {
					t.Fatalf("after the kill %s is not a complete run: %v", out, err)
				}
				// The previous run is there byte for byte, or the new one
				// (another directory; results.json is deterministic).
				if c.previous && (inode() != previousInode || sameTree(before, after) != "") {
					t.Errorf("after the kill at %s the previous run changed: %s", c.point, sameTree(before, after))
				}
				if !c.previous && (inode() == previousInode || after["results.json"] != before["results.json"]) {
					t.Errorf("after the kill at %s the run directory is not the new run", c.point)
				}
			}
			_, stderrText, err := runCLI(t, "run", "--quiet", "--output", out, spec)
			if err != nil {
				t.Fatal(err)
			}
			if c.point != rundir.PauseMovedAside && !strings.Contains(stderrText, "left by an interrupted write") {
				t.Errorf("the next run did not report the recovery:\n%s", stderrText)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 2 {
				t.Errorf("parent holds %v, want the run and its lock file", entries)
			}
		})
	}
}

// TestRunTerminated sends SIGTERM or SIGINT to a real `evalrun run`
// replacing a previous run at instants before and after the exchange: it
// exits with 143 or 130 saying what it removed, the previous run (before
// the exchange) or the new one (after) is at the output byte for byte, and
// nothing else is left beside it; the next run has nothing to recover.
func TestRunTerminated(t *testing.T) {
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "key-of-sixteen-bytes")
	spec := csvRunSpec(t, `name = "x"`, "")
	for _, c := range []struct {
		point    string
		sig      syscall.Signal
		previous bool // the previous run survives (else the new one)
	}{
		{rundir.PauseWritten, syscall.SIGTERM, true},
		{rundir.PauseBeforeSwap, syscall.SIGINT, true},
		{rundir.PauseAfterSwap, syscall.SIGTERM, false},
	} {
		t.Run(fmt.Sprintf("%s/%v", c.point, c.sig), func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "run")
			if _, _, err := runCLI(t, "run", "--quiet", "--output", out, spec); err != nil {
				t.Fatal(err)
			}
			before := tree(t, out)
			cmd, sc := startPausedRun(t, c.point, out, spec, "EVALRUN_TEST_MAIN=1")
			must(t, cmd.Process.Signal(c.sig))
			var rest strings.Builder
			for sc.Scan() {
				rest.WriteString(sc.Text() + "\n")
			}
			cmd.Wait()
			if code, want := cmd.ProcessState.ExitCode(), 128+int(c.sig); code != want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, want, rest.String())
			}
			says := "this run's unfinished output; " + out + " was not touched"
			if !c.previous {
				says = out + " holds this run's complete output"
			}
			if !strings.Contains(rest.String(), says) {
				t.Errorf("stderr does not say %q:\n%s", says, rest.String())
			}
			after := tree(t, out)
			if err := rundir.Check(out); err != nil {
				t.Fatalf("after the signal %s is not a complete run: %v", out, err)
			}
			if c.previous && sameTree(before, after) != "" {
				t.Errorf("the previous run changed: %s", sameTree(before, after))
			}
			if !c.previous && (after["manifest.json"] == before["manifest.json"] || after["results.json"] != before["results.json"]) {
				t.Errorf("the run directory is not the new run")
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 2 {
				t.Errorf("parent holds %v, want the run and its lock file", entries)
			}
			// The next writer has nothing to recover.
			w, err := rundir.Open(out, rundir.Options{})
			must(t, err)
			if notes := w.Notes(); len(notes) != 0 {
				t.Errorf("the next writer recovered leftovers: %q", notes)
			}
			must(t, w.Close())
		})
	}
}

// startPausedRun starts `evalrun run --quiet --output out spec` in a child
// process (TestHelperEvalrun) with env added, told to pause at point, and
// returns once it has; it fails the test, after killing the child, when the
// child ends without pausing there. The scanner reads the rest of the
// child's stderr.
func startPausedRun(t *testing.T, point, out, spec string, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEvalrun$")
	cmd.Env = append(os.Environ(), "EVALRUN_TEST_ARGS="+strings.Join([]string{"run", "--quiet", "--output", out, spec}, "\t"), rundir.PauseEnv+"="+point)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if sc.Text() == "rundir: paused at "+point {
			return cmd, sc
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("the child never paused at %s", point)
	return nil, nil
}
