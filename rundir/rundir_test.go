package rundir

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
//
// With $RUNDIR_HELPER_CATCH=1 it catches SIGINT and SIGTERM as evalrun
// does, also writes the file $RUNDIR_HELPER_FILE with WriteFileAtomic
// (pausing at pauseComputing with it half written), and pauses at
// pauseComputing between Open and its first file.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("RUNDIR_HELPER_DIR")
	if dir == "" {
		t.Skip("only run as a child of the crash tests")
	}
	fail := func(err error) {}
	var in *Interrupts
	if os.Getenv("RUNDIR_HELPER_CATCH") == "1" {
		in = CatchInterrupts(context.Background(), os.Stderr)
		// As the command does: a caught signal ends the process with its
		// own status, whatever error the interrupted work returns.
		fail = func(error) { in.Stop() }
		if scratch := os.Getenv("RUNDIR_HELPER_SCRATCH"); scratch != "" {
			// Work with its own cleanup, as a command model's temporary
			// directory: it stops when the context is cancelled, takes a
			// while to clean up, and returns.
			must(t, os.WriteFile(scratch, []byte("scratch"), 0o644))
			fmt.Fprintln(os.Stderr, "rundir: paused at scratch")
			<-in.Context().Done()
			time.Sleep(300 * time.Millisecond)
			os.Remove(scratch)
			in.Stop()
		}
		if file := os.Getenv("RUNDIR_HELPER_FILE"); file != "" {
			err := WriteFileAtomic(file, func(f io.Writer) error {
				io.WriteString(f, "half of a new file")
				pause(pauseComputing)
				_, err := io.WriteString(f, " and the rest")
				return err
			})
			if err != nil {
				fail(err)
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	w, err := Open(dir, Options{Kind: "test", Command: []string{"evalrun", "run", "helper.toml"}})
	if err != nil {
		fail(err)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if os.Getenv("RUNDIR_TEST_SIGNAL_SELF") == "1" {
		// The first signal, as if from outside; the cleanup then pauses at
		// PauseInterrupt and this goroutine waits as a command would.
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		<-in.Context().Done()
		in.Stop()
	}
	pause(pauseComputing)
	for _, n := range []string{"plots/pr.svg", "report.md", "results.json"} {
		if err := w.WriteFile(n, []byte(runV2[n])); err != nil {
			fail(err)
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Commit(); err != nil {
		fail(err)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if in != nil {
		if os.Getenv(PauseEnv) == "finished" {
			// A signal after the output is complete, before the exit.
			fmt.Fprintln(os.Stderr, "rundir: paused at finished")
			<-in.Context().Done()
		}
		in.Stop() // a signal caught during the work ends the process here
	}
	os.Exit(0)
}

// pauseComputing is the helper's pause point where a command computes.
const pauseComputing = "computing"

// startPaused starts the helper writing dir and returns once it paused at
// point.
func startPaused(t *testing.T, dir, point string, exchange bool, env ...string) *exec.Cmd {
	cmd, _ := startPausedOutput(t, dir, point, exchange, env...)
	return cmd
}

// startPausedOutput is startPaused that also returns a function waiting
// for the rest of the helper's standard error (after the pause line) until
// the helper exits; call it before cmd.Wait.
func startPausedOutput(t *testing.T, dir, point string, exchange bool, env ...string) (*exec.Cmd, func() string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "RUNDIR_HELPER_DIR="+dir, PauseEnv+"="+point)
	cmd.Env = append(cmd.Env, env...)
	if !exchange {
		cmd.Env = append(cmd.Env, NoExchangeEnv+"=1")
	}
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	paused := make(chan bool, 1)
	rest := &strings.Builder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == "rundir: paused at "+point {
				paused <- true
				for sc.Scan() {
					rest.WriteString(sc.Text() + "\n")
				}
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
	return cmd, func() string { <-done; return rest.String() }
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

// signalPaused sends sig to a helper paused at some point and returns its
// exit status and what it wrote on standard error afterwards.
func signalPaused(t *testing.T, cmd *exec.Cmd, output func() string, sig syscall.Signal) (int, string) {
	t.Helper()
	must(t, cmd.Process.Signal(sig))
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	text := output()
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), text
}

// TestSignalAtAnyInstantLeavesTheOldOrTheNewRunAndNothingElse sends SIGTERM
// or SIGINT to a real child process writing a run at each instant of the
// write: it exits with 143 or 130 and a message, the previous run (or the
// new one, once the swap has begun) is at the target byte for byte, and
// nothing the child created is left beside it: no hidden directory, no
// lock file or parent directory it created, no temporary file.
func TestSignalAtAnyInstantLeavesTheOldOrTheNewRunAndNothingElse(t *testing.T) {
	cases := []struct {
		point    string
		exchange bool
		first    bool // no previous run: the child creates the parent and the lock file
		sig      syscall.Signal
		final    map[string]string // nil: nothing at the target
		says     string
	}{
		{pauseComputing, true, false, syscall.SIGTERM, runV1, "this run's unfinished output"},
		{pauseComputing, true, true, syscall.SIGINT, nil, "this run's unfinished output"},
		{PauseWritten, true, false, syscall.SIGTERM, runV1, "this run's unfinished output"},
		{PauseBeforeSwap, true, false, syscall.SIGTERM, runV1, "this run's unfinished output"},
		{PauseBeforeSwap, false, false, syscall.SIGINT, runV1, "this run's unfinished output"},
		{PauseBeforeSwap, true, true, syscall.SIGTERM, nil, "this run's unfinished output"},
		{PauseMovedAside, false, false, syscall.SIGTERM, runV2, "complete output"},
		{PauseAfterSwap, true, false, syscall.SIGTERM, runV2, "complete output"},
		{PauseAfterSwap, false, false, syscall.SIGINT, runV2, "complete output"},
		{PauseAfterSwap, true, true, syscall.SIGTERM, runV2, "complete output"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/exchange=%v/first=%v/%v", c.point, c.exchange, c.first, c.sig), func(t *testing.T) {
			root := t.TempDir()
			parent := root
			if c.first {
				parent = filepath.Join(root, "runs", "2026")
			}
			dir := filepath.Join(parent, "run")
			if !c.first {
				writeRun(t, dir, runV1)
			}
			before := snapshot(t, root)
			cmd, output := startPausedOutput(t, dir, c.point, c.exchange, "RUNDIR_HELPER_CATCH=1")
			code, stderr := signalPaused(t, cmd, output, c.sig)
			if want := 128 + int(c.sig); code != want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, want, stderr)
			}
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[c.sig]
			for _, want := range []string{name + " received", c.says, fmt.Sprintf("stopped by %s (exit status %d)", name, 128+int(c.sig))} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
			switch {
			case c.final == nil:
				// The child created runs/2026 and the lock file: all gone.
				if d := diffSnapshots(before, snapshot(t, root)); d != "" {
					t.Errorf("the interrupted first write left the file system changed:\n%s", d)
				}
			case c.first:
				checkRun(t, dir, c.final)
				checkNoLeftovers(t, parent, "run")
			default:
				checkRun(t, dir, c.final)
				checkNoLeftovers(t, parent, "run")
				if sameAsBefore := diffSnapshots(before, snapshot(t, root)) == ""; sameAsBefore != (c.final["results.json"] == runV1["results.json"]) {
					t.Errorf("the file system after the signal equals the one before: %v, want %v", sameAsBefore, !sameAsBefore)
				}
			}
			// Nothing to recover: the next write has no notes.
			if notes := writeRun(t, dir, runV2); len(notes) != 0 {
				t.Errorf("the next write recovered leftovers: %q", notes)
			}
		})
	}
}

// TestSignalRemovesAHalfWrittenFile: an interrupt while WriteFileAtomic is
// writing removes its temporary file and leaves the old file byte for byte.
func TestSignalRemovesAHalfWrittenFile(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "plan.jsonl")
	must(t, os.WriteFile(file, []byte("the old plan\n"), 0o644))
	before := snapshot(t, root)
	cmd, output := startPausedOutput(t, filepath.Join(root, "run"), pauseComputing, true, "RUNDIR_HELPER_CATCH=1", "RUNDIR_HELPER_FILE="+file)
	code, stderr := signalPaused(t, cmd, output, syscall.SIGTERM)
	if code != 143 || !strings.Contains(stderr, "unfinished plan.jsonl; "+file+" was not touched") {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	if d := diffSnapshots(before, snapshot(t, root)); d != "" {
		t.Errorf("the interrupted write changed the file system:\n%s", d)
	}
}

// TestSecondSignalExitsAtOnce: a second signal while the first one's
// cleanup runs ends the process at once with its own status; what it
// leaves, the next write recovers.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	writeRun(t, dir, runV1)
	cmd, output := startPausedOutput(t, dir, PauseInterrupt, true, "RUNDIR_HELPER_CATCH=1", "RUNDIR_TEST_SIGNAL_SELF=1")
	// The helper sends itself the first signal (SIGTERM) and its cleanup
	// pauses; the second signal is ours.
	code, stderr := signalPaused(t, cmd, output, syscall.SIGINT)
	if code != 130 || !strings.Contains(stderr, "SIGINT during the cleanup: exiting at once") {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	checkRun(t, dir, runV1)
	notes := writeRun(t, dir, runV2)
	if len(notes) != 1 || !strings.Contains(notes[0], "left by an interrupted write") {
		t.Errorf("notes %q: want the staging directory the second signal left removed", notes)
	}
	checkRun(t, dir, runV2)
}

// TestFailedFirstWriteLeavesNothing: a first write that ends without a
// commit removes what it created: its hidden directory, the lock file and
// the parent directories Open made.
func TestFailedFirstWriteLeavesNothing(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644))
	before := snapshot(t, root)
	w, err := Open(filepath.Join(root, "runs", "2026", "run"), Options{})
	must(t, err)
	must(t, w.WriteFile("results.json", []byte("partial")))
	if _, err := os.Stat(filepath.Join(root, "runs", "2026", ".run.evalrun-lock")); err != nil {
		t.Fatalf("no lock file while writing: %v", err)
	}
	must(t, w.Close())
	if d := diffSnapshots(before, snapshot(t, root)); d != "" {
		t.Errorf("a write closed without a commit left:\n%s", d)
	}
	// A completed write keeps its lock file, and a later failed write
	// does not remove a lock file it did not create.
	dir := filepath.Join(root, "runs", "run")
	writeRun(t, dir, runV1)
	w, err = Open(dir, Options{})
	must(t, err)
	must(t, w.Close())
	if _, err := os.Stat(filepath.Join(root, "runs", ".run.evalrun-lock")); err != nil {
		t.Errorf("the lock file of the completed write is gone: %v", err)
	}
	checkRun(t, dir, runV1)
}

func TestWriteFileAtomicKeepsOldFileOnFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.csv")
	must(t, os.WriteFile(path, []byte("old\n"), 0o644))
	err := WriteFileAtomic(path, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v", err)
	}
	b, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if string(b) != "old\n" || len(entries) != 1 {
		t.Errorf("after a failed write the file holds %q and the directory %d entries; want the old file alone", b, len(entries))
	}
	must(t, WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }))
	if b, _ := os.ReadFile(path); string(b) != "new\n" {
		t.Errorf("after a write the file holds %q", b)
	}
}

// TestSignalLetsTheWorkUnwind: after removing the unfinished output, an
// interrupt waits for the cancelled work to return, so that the work's own
// cleanups (here a scratch file removed after 0.3 s) run before the exit.
func TestSignalLetsTheWorkUnwind(t *testing.T) {
	root := t.TempDir()
	scratch := filepath.Join(root, "scratch")
	cmd, output := startPausedOutput(t, filepath.Join(root, "run"), "scratch", true, "RUNDIR_HELPER_CATCH=1", "RUNDIR_HELPER_SCRATCH="+scratch)
	code, stderr := signalPaused(t, cmd, output, syscall.SIGTERM)
	if code != 143 || !strings.Contains(stderr, "nothing of this run's output had been written") {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(scratch); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the work's scratch file is still there (%v): the process exited before the work unwound", err)
	}
}

// TestSignalAfterTheWriteSaysTheOutputIsComplete: a signal after the new
// run is in place (before the process exits) leaves it, and says so.
func TestSignalAfterTheWriteSaysTheOutputIsComplete(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	writeRun(t, dir, runV1)
	cmd, output := startPausedOutput(t, dir, "finished", true, "RUNDIR_HELPER_CATCH=1")
	code, stderr := signalPaused(t, cmd, output, syscall.SIGTERM)
	if code != 143 || !strings.Contains(stderr, dir+" holds this run's complete output") || strings.Contains(stderr, "removed") {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	checkRun(t, dir, runV2)
	checkNoLeftovers(t, parent, "run")
}

// TestWriteNewFileNeverReplaces: a new file gets its mode and content; an
// existing one is refused (fs.ErrExist) and stays byte for byte; a failed
// write leaves nothing; no temporary file remains in any case.
func TestWriteNewFileNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ids.csv")
	write := func(text string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, text); return err }
	}
	must(t, WriteNewFile(path, 0o600, write("student,id\n")))
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("new file: %v, mode %v", err, st.Mode())
	}
	if err := WriteNewFile(path, 0o600, write("other\n")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("writing over an existing file: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "student,id\n" {
		t.Errorf("the existing file changed: %q", b)
	}
	other := filepath.Join(dir, "other.csv")
	if err := WriteNewFile(other, 0o600, func(w io.Writer) error { w.Write([]byte("half")); return errors.New("disk full") }); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failed write: %v", err)
	}
	checkNoLeftovers(t, dir, "ids.csv")
}
