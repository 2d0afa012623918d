package rundir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Options configure Open.
type Options struct {
	// Kind says what the directory holds ("run", "describe", "bundle"...);
	// it is recorded in the marker.
	Kind string
	// Command is recorded in the lock file for a second process's error
	// message (default os.Args).
	Command []string
}

// Test hooks: a test starts a real child process with PauseEnv set to one
// of the pause points, waits for "rundir: paused at POINT" on its standard
// error and kills it there; NoExchangeEnv=1 takes the two-rename path that
// file systems without RENAME_EXCHANGE use.
const (
	PauseEnv      = "EVALRUN_RUNDIR_PAUSE"
	NoExchangeEnv = "EVALRUN_RUNDIR_NO_EXCHANGE"
)

// Pause points, in the order Commit reaches them.
const (
	PauseWritten    = "written"     // every file written, marker not yet complete
	PauseBeforeSwap = "before-swap" // marker complete, target untouched
	PauseMovedAside = "moved-aside" // two-rename path: old moved aside, new not yet in place
	PauseAfterSwap  = "after-swap"  // new in place, old not yet removed
	// PauseInterrupt holds an interrupt's cleanup before it starts (see
	// CatchInterrupts), for a test of the second signal.
	PauseInterrupt = "interrupt"
)

// pause holds the process at point when the test hook asks for it, until
// an interrupt begins (see CatchInterrupts): a test kills the paused
// process, or signals it to see what an interrupt at that instant does.
func pause(point string) {
	if os.Getenv(PauseEnv) != point {
		return
	}
	fmt.Fprintf(os.Stderr, "rundir: paused at %s\n", point)
	<-registry.interrupting
}

// Writer writes one output directory: Open, then WriteFile or Create for
// every file, then Commit; Close releases everything and, unless Commit
// succeeded, discards the new files. A Writer is not safe for concurrent
// use by its owner; an interrupt (see CatchInterrupts) may stop it from
// another goroutine at any time, after which its methods fail with
// ErrInterrupted.
type Writer struct {
	// mu serialises the owner's file system changes with an interrupt's
	// cleanup, so that cleanup never races a half-done step.
	mu                sync.Mutex
	dir, parent, base string
	kind              string
	tmp               string // the new directory while it is written
	old               string // the previous directory after the swap, until removed
	lock              *os.File
	lockPath          string
	lockCreated       bool     // this Writer created the lock file
	parentsCreated    []string // directories Open created for the parent, deepest first
	files             map[string]FileEntry
	open              int
	notes             []string
	done              bool
	committed         bool // the new directory is in place
	// What closing without a commit removed, for an interrupt's message.
	discarded   string
	lockRemoved bool
}

func (w *Writer) hidden(role string) string {
	return "." + w.base + ".evalrun-" + role
}

// Open prepares writing dir. Before returning it creates the parent
// directory, takes the lock, recovers the leftovers of interrupted writes
// (see Notes), checks that whatever is at dir is a directory evalrun wrote
// and can replace, and creates the hidden directory the files go to. Any
// error means nothing was written into or removed from dir; callers should
// Open before computing anything.
func Open(dir string, opts Options) (*Writer, error) {
	if err := checkPath(dir); err != nil {
		return nil, err
	}
	clean := filepath.Clean(dir)
	// A target evalrun did not write is refused before anything is created
	// beside it, the lock file included; the check is repeated under the
	// lock, where it counts.
	if st, err := os.Stat(filepath.Dir(clean)); err == nil && st.IsDir() {
		if err := verifyOwned(clean); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	w := &Writer{dir: clean, parent: filepath.Dir(clean), base: filepath.Base(clean), kind: opts.Kind, files: map[string]FileEntry{}}
	w.mu.Lock()
	defer w.mu.Unlock()
	created, err := mkdirAllRecorded(w.parent)
	w.parentsCreated = created
	if err != nil {
		w.closeLocked()
		return nil, fmt.Errorf("%s: cannot create its parent directory: %w", dir, err)
	}
	command := opts.Command
	if command == nil {
		command = os.Args
	}
	w.lockPath = filepath.Join(w.parent, w.hidden("lock"))
	// The lock file and the registration are one step for an interrupt:
	// either it sees this Writer and removes what it made, or Open sees
	// the interrupt and makes nothing.
	registry.mu.Lock()
	if registry.interrupted {
		registry.mu.Unlock()
		w.closeLocked()
		return nil, fmt.Errorf("%s: %w", dir, ErrInterrupted)
	}
	lock, lockCreated, err := acquireLock(clean, w.lockPath, command)
	if err == nil {
		w.lock, w.lockCreated = lock, lockCreated
		registry.writers[w] = struct{}{}
	}
	registry.mu.Unlock()
	if err != nil {
		w.closeLocked()
		return nil, err
	}
	if err := w.recover(); err != nil {
		w.closeLocked()
		return nil, err
	}
	if err := verifyOwned(w.dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		w.closeLocked()
		return nil, err
	}
	tmp, err := os.MkdirTemp(w.parent, w.hidden("new-"))
	if err != nil {
		w.closeLocked()
		return nil, fmt.Errorf("%s: its directory is not writable: %w", dir, err)
	}
	w.tmp = tmp
	if err := os.WriteFile(filepath.Join(tmp, MarkerName), encodeMarker(w.kind, stateWriting, nil), 0o644); err != nil {
		w.closeLocked()
		return nil, fmt.Errorf("%s: writing into %s: %w", dir, tmp, err)
	}
	return w, nil
}

// mkdirAllRecorded creates dir and any missing parents, as os.MkdirAll,
// and returns the directories it created, deepest first.
func mkdirAllRecorded(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	return missing, os.MkdirAll(dir, 0o755)
}

// Check reports, writing nothing, whether Open could replace dir: nil when
// nothing is there or dir is a complete directory evalrun wrote, a
// *NotOwnedError otherwise. Commands that only validate use it.
func Check(dir string) error {
	if err := checkPath(dir); err != nil {
		return err
	}
	if err := verifyOwned(filepath.Clean(dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Dir is the output directory (cleaned).
func (w *Writer) Dir() string { return w.dir }

// Notes says what Open and Commit did beyond writing: leftovers of an
// interrupted write removed, a previous directory restored, an old
// directory that could not be removed. Commands print them and record them
// with their results.
func (w *Writer) Notes() []string { return append([]string(nil), w.notes...) }

func (w *Writer) notef(format string, args ...any) {
	w.notes = append(w.notes, fmt.Sprintf(format, args...))
}

// recover handles the hidden siblings of dir left by interrupted writes.
func (w *Writer) recover() error {
	entries, err := os.ReadDir(w.parent)
	if err != nil {
		return fmt.Errorf("%s: reading %s: %w", w.dir, w.parent, err)
	}
	_, statErr := os.Lstat(w.dir)
	targetExists := statErr == nil
	prefix := "." + w.base + ".evalrun-"
	var olds, news []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, prefix+"old-"):
			olds = append(olds, name)
		case strings.HasPrefix(name, prefix+"new-"):
			news = append(news, name)
		case strings.HasPrefix(name, "."+w.base+".tmp-"):
			w.notef("%s was left by an older evalrun interrupted while writing %s; it was not touched (it has no marker): move it back or remove it by hand", filepath.Join(w.parent, name), w.dir)
		}
	}
	sort.Strings(olds)
	for _, name := range append(olds, news...) {
		p := filepath.Join(w.parent, name)
		m, err := readMarker(p)
		if err != nil {
			if rmErr := os.Remove(p); rmErr == nil { // only an empty directory
				w.notef("removed %s, an empty directory left by an interrupted write", p)
			} else {
				w.notef("%s looks like a leftover of an interrupted write but has no readable marker; it was not touched", p)
			}
			continue
		}
		if !targetExists && strings.HasPrefix(name, prefix+"old-") && m.State == stateComplete && verifyOwned(p) == nil {
			if err := os.Rename(p, w.dir); err != nil {
				return fmt.Errorf("%s: restoring the previous directory from %s: %w", w.dir, p, err)
			}
			targetExists = true
			w.notef("restored %s from %s: a write was interrupted after moving it aside", w.dir, p)
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			w.notef("could not remove %s, left by an interrupted write: %v", p, err)
			continue
		}
		w.notef("removed %s, left by an interrupted write of %s", p, w.dir)
	}
	return nil
}

// checkName validates a slash-separated file name inside the directory.
func (w *Writer) checkName(name string) error {
	if w.done {
		if interrupted() {
			return fmt.Errorf("%s: %w", w.dir, ErrInterrupted)
		}
		return errors.New("rundir: write after Commit or Close")
	}
	if !filepath.IsLocal(filepath.FromSlash(name)) || name != path.Clean(name) || strings.ContainsRune(name, '\\') {
		return fmt.Errorf("%s: file name %q is not a plain path inside the directory", w.dir, name)
	}
	if name == MarkerName {
		return fmt.Errorf("%s: %s is reserved for the marker", w.dir, name)
	}
	if _, dup := w.files[name]; dup {
		return fmt.Errorf("%s: file %s written twice", w.dir, name)
	}
	return nil
}

// WriteFile writes one file; name is slash-separated and local
// ("plots/roc.svg").
func (w *Writer) WriteFile(name string, data []byte) error {
	f, err := w.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Create opens a new file for writing; it must be closed before Commit.
func (w *Writer) Create(name string) (io.WriteCloser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.checkName(name); err != nil {
		return nil, err
	}
	p := filepath.Join(w.tmp, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("%s: writing %s: %w", w.dir, name, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: writing %s: %w", w.dir, name, err)
	}
	w.files[name] = FileEntry{Path: name, Size: -1}
	w.open++
	return &fileWriter{w: w, name: name, f: f, h: sha256.New()}, nil
}

type fileWriter struct {
	w      *Writer
	name   string
	f      *os.File
	h      hash.Hash
	n      int64
	closed bool
}

func (fw *fileWriter) Write(p []byte) (int, error) {
	n, err := fw.f.Write(p)
	fw.h.Write(p[:n])
	fw.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("%s: writing %s: %w", fw.w.dir, fw.name, err)
	}
	return n, nil
}

func (fw *fileWriter) Close() error {
	if fw.closed {
		return nil
	}
	fw.closed = true
	err := fw.f.Sync()
	if cerr := fw.f.Close(); err == nil {
		err = cerr
	}
	fw.w.mu.Lock()
	defer fw.w.mu.Unlock()
	fw.w.open--
	if err != nil {
		return fmt.Errorf("%s: writing %s: %w", fw.w.dir, fw.name, err)
	}
	fw.w.files[fw.name] = FileEntry{Path: fw.name, Size: fw.n, SHA256: hex.EncodeToString(fw.h.Sum(nil))}
	return nil
}

// Commit completes the marker and puts the new directory in place of the
// old one atomically, then removes the old one and releases the lock. It
// checks again that the directory being replaced is still evalrun's
// (nobody added or edited a file since Open). An interrupt before the swap
// stops it (ErrInterrupted, the old directory untouched); once the swap has
// begun it is completed first.
func (w *Writer) Commit() error {
	defer w.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		if interrupted() {
			return fmt.Errorf("%s: %w", w.dir, ErrInterrupted)
		}
		return errors.New("rundir: Commit after Commit or Close")
	}
	if w.open > 0 {
		return fmt.Errorf("%s: %d files still open at Commit", w.dir, w.open)
	}
	entries := make([]FileEntry, 0, len(w.files))
	for _, f := range w.files {
		if f.Size < 0 {
			return fmt.Errorf("%s: %s was not written completely", w.dir, f.Path)
		}
		entries = append(entries, f)
	}
	pause(PauseWritten)
	if interrupted() {
		return fmt.Errorf("%s: %w", w.dir, ErrInterrupted)
	}
	if err := writeSynced(filepath.Join(w.tmp, MarkerName), encodeMarker(w.kind, stateComplete, entries)); err != nil {
		return fmt.Errorf("%s: writing its marker: %w", w.dir, err)
	}
	if err := os.Chmod(w.tmp, 0o755); err != nil {
		return fmt.Errorf("%s: %w", w.dir, err)
	}
	syncDir(w.tmp)
	pause(PauseBeforeSwap)
	if interrupted() {
		return fmt.Errorf("%s: %w", w.dir, ErrInterrupted)
	}
	err := verifyOwned(w.dir)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var old string
	if exists {
		old, err = w.swap()
	} else {
		err = w.place()
	}
	if err != nil {
		return err
	}
	w.tmp = "" // now the target; Close must not remove it
	w.old = old
	w.committed = true
	completed(w.dir)
	syncDir(w.parent)
	pause(PauseAfterSwap)
	w.removeOld()
	return nil
}

// removeOld removes the previous directory once the new one is in place.
func (w *Writer) removeOld() {
	if w.old == "" {
		return
	}
	if err := os.RemoveAll(w.old); err != nil {
		w.notef("the previous %s, now at %s, could not be removed (%v); the next write removes it", w.dir, w.old, err)
	}
	w.old = ""
}

// place renames the new directory to a target that does not exist.
func (w *Writer) place() error {
	err := renameNoReplace(w.tmp, w.dir)
	if isUnsupported(err) {
		err = os.Rename(w.tmp, w.dir) // the lock keeps other evalruns out
	}
	if err != nil {
		return fmt.Errorf("%s: renaming the new directory into place: %w", w.dir, err)
	}
	return nil
}

// swap exchanges the new directory with the existing target and returns
// where the old one now is.
func (w *Writer) swap() (string, error) {
	if os.Getenv(NoExchangeEnv) != "1" {
		err := exchange(w.tmp, w.dir)
		if err == nil {
			return w.tmp, nil
		}
		if !isUnsupported(err) {
			return "", fmt.Errorf("%s: exchanging it with the new directory: %w", w.dir, err)
		}
	}
	// Without RENAME_EXCHANGE: move the old directory aside under a name
	// the next Open restores from if the second rename never happens.
	oldDir, err := os.MkdirTemp(w.parent, w.hidden("old-"))
	if err != nil {
		return "", fmt.Errorf("%s: %w", w.dir, err)
	}
	if err := os.Remove(oldDir); err != nil {
		return "", fmt.Errorf("%s: %w", w.dir, err)
	}
	if err := os.Rename(w.dir, oldDir); err != nil {
		return "", fmt.Errorf("%s: moving the previous directory aside: %w", w.dir, err)
	}
	pause(PauseMovedAside)
	if err := os.Rename(w.tmp, w.dir); err != nil {
		if rerr := os.Rename(oldDir, w.dir); rerr != nil {
			return "", fmt.Errorf("%s: renaming the new directory into place: %w (the previous one is at %s and the next write restores it)", w.dir, err, oldDir)
		}
		return "", fmt.Errorf("%s: renaming the new directory into place: %w", w.dir, err)
	}
	return oldDir, nil
}

func isUnsupported(err error) bool {
	return errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP)
}

// Close releases the lock and, unless Commit succeeded, removes the new
// files, the lock file if this Writer created it, and the parent
// directories Open created if they are empty again: a write that does not
// complete leaves the file system as it found it (but for the leftovers of
// earlier writes that Open recovered). It may be called more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeLocked()
}

func (w *Writer) closeLocked() error {
	if w.done && w.lock == nil && w.tmp == "" && w.old == "" {
		return nil
	}
	w.done = true
	var err error
	if w.tmp != "" {
		err = os.RemoveAll(w.tmp)
		w.discarded, w.tmp = w.tmp, ""
	}
	w.removeOld()
	if w.lock != nil {
		if !w.committed && w.lockCreated {
			w.lockRemoved = removeLockFile(w.lock, w.lockPath)
		}
		releaseLock(w.lock)
		w.lock = nil
	}
	if !w.committed {
		for _, d := range w.parentsCreated {
			if os.Remove(d) != nil { // only an empty directory
				break
			}
		}
	}
	w.parentsCreated = nil
	unregister(w)
	return err
}

func writeSynced(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory's entries; failures only weaken durability
// after a power loss, never correctness after a crash of the process.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}
