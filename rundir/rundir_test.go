package rundir

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// snapshot reads every file, directory and link under root (root itself
// included) into a map from slash path to content ("dir", "link->x").
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link->" + target
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffSnapshots(want, got map[string]string) string {
	var diffs []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, "missing "+k)
		} else if g != v {
			diffs = append(diffs, fmt.Sprintf("changed %s: %q -> %q", k, v, g))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "added "+k)
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}

var (
	runV1 = map[string]string{"results.json": "{\"v\": 1}\n", "plots/roc.svg": "<svg>1</svg>", "predictions.csv": "a,b\n1,2\n"}
	runV2 = map[string]string{"results.json": "{\"v\": 2}\n", "plots/pr.svg": "<svg>2</svg>", "report.md": "# two\n"}
)

func writeRun(t *testing.T, dir string, files map[string]string) []string {
	t.Helper()
	w, err := Open(dir, Options{Kind: "test"})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	defer w.Close()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := w.WriteFile(n, []byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit(%s): %v", dir, err)
	}
	return w.Notes()
}

// checkRun asserts that dir holds exactly files plus the marker.
func checkRun(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	got := snapshot(t, dir)
	if _, ok := got[MarkerName]; !ok {
		t.Errorf("%s has no marker", dir)
	}
	delete(got, MarkerName)
	want := map[string]string{".": "dir"}
	for n, c := range files {
		want[n] = c
		for d := filepath.Dir(n); d != "."; d = filepath.Dir(d) {
			want[d] = "dir"
		}
	}
	if d := diffSnapshots(want, got); d != "" {
		t.Errorf("%s differs from the expected run:\n%s", dir, d)
	}
}

// checkNoLeftovers asserts that parent holds only the named entries and
// lock files.
func checkNoLeftovers(t *testing.T, parent string, keep ...string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, k := range keep {
		allowed[k] = true
	}
	for _, e := range entries {
		if !allowed[e.Name()] && !strings.HasSuffix(e.Name(), ".evalrun-lock") {
			t.Errorf("leftover %s in %s", e.Name(), parent)
		}
	}
}

func TestReplaceIsCompleteAndLeavesNothingBehind(t *testing.T) {
	for _, exchange := range []bool{true, false} {
		t.Run(fmt.Sprintf("exchange=%v", exchange), func(t *testing.T) {
			if !exchange {
				t.Setenv(NoExchangeEnv, "1")
			}
			parent := t.TempDir()
			dir := filepath.Join(parent, "run")
			writeRun(t, dir, runV1)
			checkRun(t, dir, runV1)
			if notes := writeRun(t, dir, runV2); len(notes) != 0 {
				t.Errorf("notes on a clean replace: %q", notes)
			}
			checkRun(t, dir, runV2)
			checkNoLeftovers(t, parent, "run")
		})
	}
}

func TestOpenRefusesWhatEvalrunDidNotWrite(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		badPath string // relative to dir; "" is dir itself
		reason  string
	}{
		{"a file", func(t *testing.T, dir string) {
			must(t, os.WriteFile(dir, []byte("thesis"), 0o644))
		}, "", "is a file"},
		{"a thesis folder", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, "chapters"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "chapters", "one.tex"), []byte("\\chapter{One}"), 0o644))
		}, "", "no .evalrun-dir.json"},
		{"a symbolic link to a run", func(t *testing.T, dir string) {
			real := dir + "-real"
			writeRun(t, real, runV1)
			must(t, os.Symlink(real, dir))
		}, "", "symbolic link"},
		{"a run with a file added", func(t *testing.T, dir string) {
			writeRun(t, dir, runV1)
			must(t, os.WriteFile(filepath.Join(dir, "plots", "notes.txt"), []byte("mine"), 0o644))
		}, "plots/notes.txt", "not listed"},
		{"a run with a file edited", func(t *testing.T, dir string) {
			writeRun(t, dir, runV1)
			must(t, os.WriteFile(filepath.Join(dir, "results.json"), []byte("{\"v\": 9}\n"), 0o644))
		}, "results.json", "changed after evalrun wrote it"},
		{"a run with a directory added", func(t *testing.T, dir string) {
			writeRun(t, dir, runV1)
			must(t, os.Mkdir(filepath.Join(dir, "drafts"), 0o755))
		}, "drafts", "did not write"},
		{"a run with a symbolic link added", func(t *testing.T, dir string) {
			writeRun(t, dir, runV1)
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
		}, "passwd", "not a regular file"},
		{"an unfinished write at the target", func(t *testing.T, dir string) {
			must(t, os.Mkdir(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, MarkerName), encodeMarker("run", stateWriting, nil), 0o644))
		}, "", "unfinished"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "run")
			c.setup(t, dir)
			before := snapshot(t, parent)
			for _, call := range []struct {
				name string
				fn   func() error
			}{
				{"Check", func() error { return Check(dir) }},
				{"Open", func() error {
					w, err := Open(dir, Options{Kind: "test"})
					if err == nil {
						w.Close()
					}
					return err
				}},
			} {
				err := call.fn()
				var no *NotOwnedError
				if !errors.As(err, &no) {
					t.Fatalf("%s: got %v, want a NotOwnedError", call.name, err)
				}
				if want := filepath.Join(dir, c.badPath); no.Path != want || !strings.Contains(err.Error(), c.reason) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %q: want path %s and %q", call.name, err, want, c.reason)
				}
			}
			// Nothing at all is created beside a refused target, not even
			// the lock file.
			after := snapshot(t, parent)
			if d := diffSnapshots(before, after); d != "" {
				t.Errorf("refused write changed the file system:\n%s", d)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsPathsThatAreNotADirectoryOfTheirOwn(t *testing.T) {
	for _, dir := range []string{"", ".", "..", "/", "runs/..", "runs/x/../..", "a\x00b", "a\nb", "runs/.x.evalrun-new-1"} {
		if w, err := Open(dir, Options{}); err == nil {
			w.Close()
			t.Errorf("Open(%q) succeeded", dir)
		}
		if err := Check(dir); err == nil {
			t.Errorf("Check(%q) succeeded", dir)
		}
	}
}

func TestOpenFindsAnUnwritableOutputBeforeComputing(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "thesis.pdf")
	must(t, os.WriteFile(file, []byte("%PDF"), 0o644))
	// A parent that is a file cannot hold a directory.
	if w, err := Open(filepath.Join(file, "run"), Options{}); err == nil {
		w.Close()
		t.Fatal("Open under a file succeeded")
	}
	if b, _ := os.ReadFile(file); string(b) != "%PDF" {
		t.Errorf("thesis.pdf changed: %q", b)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: the read-only directory case cannot be checked")
		return
	}
	ro := filepath.Join(parent, "ro")
	must(t, os.Mkdir(ro, 0o555))
	if w, err := Open(filepath.Join(ro, "run"), Options{}); err == nil {
		w.Close()
		t.Fatal("Open in a read-only directory succeeded")
	}
}

func TestWriterRejectsNamesOutsideTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	w, err := Open(dir, Options{})
	must(t, err)
	defer w.Close()
	for _, name := range []string{"../escape", "/abs", "a/../../b", "", ".", MarkerName, "a//b", `a\b`} {
		if err := w.WriteFile(name, []byte("x")); err == nil {
			t.Errorf("WriteFile(%q) succeeded", name)
		}
	}
	must(t, w.WriteFile("ok.txt", []byte("x")))
	if err := w.WriteFile("ok.txt", []byte("y")); err == nil {
		t.Error("writing ok.txt twice succeeded")
	}
}

func TestCloseWithoutCommitKeepsThePreviousRun(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	writeRun(t, dir, runV1)
	w, err := Open(dir, Options{})
	must(t, err)
	must(t, w.WriteFile("results.json", []byte("partial")))
	must(t, w.Close())
	checkRun(t, dir, runV1)
	checkNoLeftovers(t, parent, "run")
}

func TestCommitRefusesARunEditedWhileComputing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	writeRun(t, dir, runV1)
	w, err := Open(dir, Options{})
	must(t, err)
	must(t, w.WriteFile("results.json", []byte("new")))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("written during the run"), 0o644))
	var no *NotOwnedError
	if err := w.Commit(); !errors.As(err, &no) || no.Path != filepath.Join(dir, "notes.txt") {
		t.Fatalf("Commit: %v, want a NotOwnedError naming notes.txt", err)
	}
	want := map[string]string{"notes.txt": "written during the run"}
	for k, v := range runV1 {
		want[k] = v
	}
	checkRun(t, dir, want)
	checkNoLeftovers(t, parent, "run")
}

// TestHelperProcess is the child the crash and lock tests start: it writes
// runV2 to $RUNDIR_HELPER_DIR and pauses where $EVALRUN_RUNDIR_PAUSE says.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("RUNDIR_HELPER_DIR")
	if dir == "" {
		t.Skip("only run as a child of the crash tests")
	}
	w, err := Open(dir, Options{Kind: "test", Command: []string{"evalrun", "run", "helper.toml"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for n, c := range runV2 {
		if err := w.WriteFile(n, []byte(c)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Commit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// startPaused starts the helper writing dir and returns once it paused at
// point.
func startPaused(t *testing.T, dir, point string, exchange bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "RUNDIR_HELPER_DIR="+dir, PauseEnv+"="+point)
	if !exchange {
		cmd.Env = append(cmd.Env, NoExchangeEnv+"=1")
	}
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == "rundir: paused at "+point {
				paused <- true
				return
			}
		}
		paused <- false
	}()
	select {
	case ok := <-paused:
		if !ok {
			cmd.Wait()
			t.Fatalf("helper exited without pausing at %s", point)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper did not pause at %s", point)
	}
	return cmd
}

func kill(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

func TestCrashAtAnyInstantLeavesTheOldOrTheNewRun(t *testing.T) {
	cases := []struct {
		point    string
		exchange bool
		first    bool              // no previous run
		after    map[string]string // at the target right after the kill (nil: nothing)
		final    map[string]string // after the next Open recovers
		note     string
	}{
		{PauseWritten, true, false, runV1, runV1, "removed"},
		{PauseBeforeSwap, true, false, runV1, runV1, "removed"},
		{PauseAfterSwap, true, false, runV2, runV2, "removed"},
		{PauseWritten, false, false, runV1, runV1, "removed"},
		{PauseBeforeSwap, false, false, runV1, runV1, "removed"},
		{PauseMovedAside, false, false, nil, runV1, "restored"},
		{PauseAfterSwap, false, false, runV2, runV2, "removed"},
		{PauseBeforeSwap, true, true, nil, nil, "removed"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/exchange=%v/first=%v", c.point, c.exchange, c.first), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "run")
			if !c.first {
				writeRun(t, dir, runV1)
			}
			kill(startPaused(t, dir, c.point, c.exchange))
			if c.after == nil {
				if _, err := os.Lstat(dir); err == nil {
					t.Fatalf("%s exists after the kill", dir)
				}
			} else {
				checkRun(t, dir, c.after)
			}
			if c.point == PauseAfterSwap {
				// The previous run waits for removal beside the target:
				// under the new directory's name when the two were
				// exchanged, under an old- name when moved aside.
				role := map[bool]string{true: "new-", false: "old-"}[c.exchange]
				matches, _ := filepath.Glob(filepath.Join(parent, ".run.evalrun-"+role+"*"))
				if len(matches) != 1 {
					t.Fatalf("leftovers %v, want one %s directory", matches, role)
				}
				checkRun(t, matches[0], runV1)
			}
			w, err := Open(dir, Options{})
			must(t, err)
			notes := strings.Join(w.Notes(), "\n")
			must(t, w.Close())
			if !strings.Contains(notes, c.note) {
				t.Errorf("notes %q do not say %q", notes, c.note)
			}
			if c.final == nil {
				if _, err := os.Lstat(dir); err == nil {
					t.Errorf("%s exists", dir)
				}
				checkNoLeftovers(t, parent)
			} else {
				checkRun(t, dir, c.final)
				checkNoLeftovers(t, parent, "run")
			}
			// The recovered directory is evalrun's again: it can be replaced.
			writeRun(t, dir, runV2)
			checkRun(t, dir, runV2)
		})
	}
}

func TestSecondWriterGetsTheHolderAndDisturbsNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	writeRun(t, dir, runV1)
	holder := startPaused(t, dir, PauseBeforeSwap, true)
	defer kill(holder)
	before := snapshot(t, parent)
	_, err := Open(dir, Options{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open: %v, want a LockedError", err)
	}
	if le.Holder.PID != holder.Process.Pid || le.Holder.Command != "evalrun run helper.toml" || le.Holder.Started.IsZero() {
		t.Errorf("holder %+v, want pid %d and the helper's command", le.Holder, holder.Process.Pid)
	}
	msg := err.Error()
	for _, want := range []string{dir, fmt.Sprintf("pid %d", holder.Process.Pid), "evalrun run helper.toml"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if d := diffSnapshots(before, snapshot(t, parent)); d != "" {
		t.Errorf("the refused writer changed the holder's files:\n%s", d)
	}
	kill(holder)
	// The kernel released the lock with the process.
	notes := writeRun(t, dir, runV2)
	if len(notes) != 1 || !strings.Contains(notes[0], "removed") {
		t.Errorf("notes %q: want the helper's leftover removed", notes)
	}
	checkRun(t, dir, runV2)
	checkNoLeftovers(t, parent, "run")
}

func TestLegacyLeftoversAreReportedNotTouched(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	legacy := filepath.Join(parent, ".run.tmp-123.previous")
	must(t, os.Mkdir(legacy, 0o755))
	must(t, os.WriteFile(filepath.Join(legacy, "results.json"), []byte("old"), 0o644))
	notes := writeRun(t, dir, runV1)
	if len(notes) != 1 || !strings.Contains(notes[0], legacy) || !strings.Contains(notes[0], "not touched") {
		t.Errorf("notes %q", notes)
	}
	if b, err := os.ReadFile(filepath.Join(legacy, "results.json")); err != nil || string(b) != "old" {
		t.Errorf("legacy leftover changed: %q %v", b, err)
	}
}
