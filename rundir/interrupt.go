package rundir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrInterrupted is returned by a Writer's methods, Open and
// WriteFileAtomic once an interrupt (see CatchInterrupts) has begun.
var ErrInterrupted = errors.New("interrupted: this run's unfinished output was removed")

// registry holds what this process is writing, so that an interrupt can
// remove exactly that: the Writers between Open and Close, and the
// temporary files of WriteFileAtomic.
var registry = struct {
	mu           sync.Mutex
	writers      map[*Writer]struct{}
	temps        map[string]string // temporary file -> the file it becomes
	completed    []string          // outputs this process has put in place, in order
	interrupted  bool
	interrupting chan struct{} // closed when an interrupt begins
}{writers: map[*Writer]struct{}{}, temps: map[string]string{}, interrupting: make(chan struct{})}

func interrupted() bool {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.interrupted
}

func unregister(w *Writer) {
	registry.mu.Lock()
	delete(registry.writers, w)
	registry.mu.Unlock()
}

// completed records an output this process put in place.
func completed(dir string) {
	registry.mu.Lock()
	registry.completed = append(registry.completed, dir)
	registry.mu.Unlock()
}

// interruptWrites stops every write of this process and returns what it
// removed, one sentence per output. From then on Open, WriteFileAtomic and
// every Writer method fail with ErrInterrupted. A Writer in the middle of
// a step (a file being created, the swap of Commit) finishes that step
// first, so no output is left half-replaced: an interrupted Commit leaves
// the old directory if the swap had not begun and the new one if it had.
// Only what this process created is removed: the Writers' hidden new
// directories, lock files and parent directories they created (when
// empty), the previous directory a completed swap left under a hidden
// name, and WriteFileAtomic's temporary files.
func interruptWrites() []string {
	registry.mu.Lock()
	if !registry.interrupted {
		registry.interrupted = true
		close(registry.interrupting)
	}
	writers := make([]*Writer, 0, len(registry.writers))
	for w := range registry.writers {
		writers = append(writers, w)
	}
	var notes []string
	temps := make([]string, 0, len(registry.temps))
	for tmp := range registry.temps {
		temps = append(temps, tmp)
	}
	sort.Strings(temps)
	for _, tmp := range temps {
		if os.Remove(tmp) == nil {
			notes = append(notes, fmt.Sprintf("removed %s, this run's unfinished %s; %s was not touched", tmp, filepath.Base(registry.temps[tmp]), registry.temps[tmp]))
		}
		delete(registry.temps, tmp)
	}
	registry.mu.Unlock()
	sort.Slice(writers, func(i, j int) bool { return writers[i].dir < writers[j].dir })
	for _, w := range writers {
		if n := w.interrupt(); n != "" {
			notes = append(notes, n)
		}
	}
	// Read after the writers stopped: a swap under way when the interrupt
	// came has completed by now.
	registry.mu.Lock()
	for _, dir := range registry.completed {
		notes = append(notes, fmt.Sprintf("%s holds this run's complete output: it was in place before the interrupt", dir))
	}
	registry.mu.Unlock()
	return notes
}

// interrupt closes w for an interrupt and says what became of its output.
func (w *Writer) interrupt() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closeLocked()
	if w.committed {
		return "" // said with registry.completed
	}
	if w.discarded == "" {
		return ""
	}
	removed := w.discarded
	if w.lockRemoved {
		removed += " and its lock file " + w.lockPath
	}
	return fmt.Sprintf("removed %s, this run's unfinished output; %s was not touched", removed, w.dir)
}

// WriteFileAtomic writes path through a temporary file in the same
// directory (".NAME.tmp-*", created with write) that is synced and renamed
// into place once complete, so a reader never sees a partial file and a
// failure leaves any old file intact. An interrupt (see CatchInterrupts)
// removes the temporary file; the rename is never half done.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	return writeThroughTemp(path, 0o644, write, os.Rename)
}

// WriteNewFile writes path, which must not exist, with mode perm, as
// WriteFileAtomic does, but links the complete file into place only if
// nothing is at path by then: an existing file is never replaced (the
// error wraps fs.ErrExist) and a reader never sees a partial file. For
// files that must never be overwritten, such as a list of real student
// identifiers (perm 0600).
func WriteNewFile(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return writeThroughTemp(path, perm, write, func(tmp, path string) error {
		err := renameNoReplace(tmp, path)
		if isUnsupported(err) {
			if err = os.Link(tmp, path); err == nil {
				os.Remove(tmp)
			}
		}
		return err
	})
}

func writeThroughTemp(path string, perm fs.FileMode, write func(io.Writer) error, place func(tmp, path string) error) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	registry.mu.Lock()
	if registry.interrupted {
		registry.mu.Unlock()
		return fmt.Errorf("writing %s: %w", path, ErrInterrupted)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*") // mode 0600 until complete
	if err == nil {
		registry.temps[tmp.Name()] = path
	}
	registry.mu.Unlock()
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	werr := write(tmp)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, perm)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, ours := registry.temps[name]; !ours { // an interrupt removed it
		return fmt.Errorf("writing %s: %w", path, ErrInterrupted)
	}
	delete(registry.temps, name)
	if werr == nil {
		werr = place(name, path)
	}
	if werr != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, werr)
	}
	return nil
}

// Interrupts answers SIGINT and SIGTERM (what a terminal's Ctrl-C,
// `timeout` and Kubernetes send) for a command that writes with this
// package; see CatchInterrupts.
type Interrupts struct {
	ctx     context.Context
	cancel  context.CancelFunc
	signals chan os.Signal
	stop    chan struct{}
	stderr  io.Writer
	exit    func(code int)

	mu              sync.Mutex
	caught, stopped bool
	unwound         chan struct{} // closed by Stop after a signal was caught
	unwindOnce      sync.Once
}

// unwindGrace is how long an interrupt waits, after removing the unfinished
// output, for the cancelled work to return (and with it its deferred
// cleanups: programs run by command models killed, their temporary files
// removed) before it exits anyway.
const unwindGrace = 3 * time.Second

// CatchInterrupts catches SIGINT and SIGTERM until Stop. At the first one
// it cancels Context, removes what this process's unfinished writes
// created (as interruptWrites describes: the old or the new output
// survives, byte for byte, and nothing else is left beside it), says so on
// stderr, waits up to unwindGrace for the cancelled work to return to Stop
// (so that its own deferred cleanups run), and exits with the shell's
// status for the signal: 130 for SIGINT, 143 for SIGTERM. A second signal
// during that cleanup exits at once with the status of the second signal.
//
// The command calls Stop once its work returns, whether it succeeded or
// not, and before it reports an error: the error of work cut short by the
// signal is not reported, the signal's status is.
func CatchInterrupts(parent context.Context, stderr io.Writer) *Interrupts {
	ctx, cancel := context.WithCancel(parent)
	in := &Interrupts{ctx: ctx, cancel: cancel, signals: make(chan os.Signal, 2), stop: make(chan struct{}), stderr: stderr, exit: os.Exit, unwound: make(chan struct{})}
	signal.Notify(in.signals, syscall.SIGINT, syscall.SIGTERM)
	go in.watch()
	return in
}

// Context is cancelled at the first signal.
func (in *Interrupts) Context() context.Context { return in.ctx }

// Stop stops catching signals; the command calls it when its work is
// done. If a signal was caught, Stop does not return: the cleanup ends
// the process.
func (in *Interrupts) Stop() {
	in.mu.Lock()
	if in.caught {
		in.mu.Unlock()
		in.unwindOnce.Do(func() { close(in.unwound) })
		for {
			time.Sleep(time.Hour)
		}
	}
	if !in.stopped {
		in.stopped = true
		signal.Stop(in.signals)
		close(in.stop)
		in.cancel()
	}
	in.mu.Unlock()
}

// ExitStatus is the exit status of a command stopped by sig, as shells
// report a process killed by it: 128 + the signal number (130 for SIGINT,
// 143 for SIGTERM).
func ExitStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

func (in *Interrupts) watch() {
	var sig os.Signal
	select {
	case sig = <-in.signals:
	case <-in.stop:
		return
	}
	in.mu.Lock()
	if in.stopped { // the work was done when the signal came
		in.mu.Unlock()
		return
	}
	in.caught = true
	in.mu.Unlock()
	go func() {
		again := <-in.signals
		fmt.Fprintf(in.stderr, "evalrun: %s during the cleanup: exiting at once\n", signalName(again))
		in.exit(ExitStatus(again))
	}()
	fmt.Fprintf(in.stderr, "evalrun: %s received: stopping and removing this run's unfinished output (a second signal exits at once)\n", signalName(sig))
	in.cancel()
	if os.Getenv(PauseEnv) == PauseInterrupt {
		fmt.Fprintf(os.Stderr, "rundir: paused at %s\n", PauseInterrupt)
		for {
			time.Sleep(time.Hour)
		}
	}
	notes := interruptWrites()
	if len(notes) == 0 {
		notes = []string{"nothing of this run's output had been written"}
	}
	fmt.Fprintf(in.stderr, "evalrun: %s\n", strings.Join(notes, "\nevalrun: "))
	select {
	case <-in.unwound:
	case <-time.After(unwindGrace):
	}
	code := ExitStatus(sig)
	fmt.Fprintf(in.stderr, "evalrun: stopped by %s (exit status %d)\n", signalName(sig), code)
	in.exit(code)
}
