package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Holder describes the process holding a directory's lock, as it recorded
// itself in the lock file.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
	Host    string    `json:"host,omitempty"`
}

// LockedError is returned by Open when another process is writing the same
// directory.
type LockedError struct {
	Dir      string
	LockFile string
	// Holder is what the holder recorded; zero when it could not be read.
	Holder Holder
}

func (e *LockedError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("%s is being written by another process (lock %s held); wait for it to finish or choose another output", e.Dir, e.LockFile)
	}
	host := ""
	if e.Holder.Host != "" {
		host = " on " + e.Holder.Host
	}
	return fmt.Sprintf("%s is being written by another evalrun: pid %d%s, started %s, command %q (lock %s); wait for it to finish or choose another output",
		e.Dir, e.Holder.PID, host, e.Holder.Started.Format(time.RFC3339), e.Holder.Command, e.LockFile)
}

// acquireLock takes the advisory lock of lockPath without waiting and
// records the holder in it; created says whether this call created the
// file. A lock file may be removed by a holder whose write did not
// complete (see removeLockFile), so the lock counts only when lockPath
// still names the file locked; otherwise it is taken again.
func acquireLock(dir, lockPath string, command []string) (f *os.File, created bool, err error) {
	for attempt := 0; ; attempt++ {
		f, created, err = openLockFile(lockPath)
		if err != nil {
			return nil, false, fmt.Errorf("%s: cannot create the lock file %s: %w", dir, lockPath, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				le := &LockedError{Dir: dir, LockFile: lockPath}
				if b, rerr := os.ReadFile(lockPath); rerr == nil {
					_ = json.Unmarshal(b, &le.Holder) // an unreadable record leaves Holder zero
				}
				return nil, false, le
			}
			return nil, false, fmt.Errorf("%s: locking %s: %w", dir, lockPath, err)
		}
		if namesLockFile(f, lockPath) {
			break
		}
		// The previous holder removed the file between our open and our
		// lock: the lock we hold is on a file nobody else will open.
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
		if attempt == 100 {
			return nil, false, fmt.Errorf("%s: the lock file %s keeps being replaced", dir, lockPath)
		}
	}
	host, _ := os.Hostname()
	rec, _ := json.Marshal(Holder{PID: os.Getpid(), Command: strings.Join(command, " "), Started: time.Now().UTC().Truncate(time.Second), Host: host})
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(rec, '\n'), 0)
		if err != nil {
			if created {
				removeLockFile(f, lockPath)
			}
			releaseLock(f)
			return nil, false, fmt.Errorf("%s: writing the lock file %s: %w", dir, lockPath, err)
		}
	}
	return f, created, nil
}

// openLockFile opens lockPath, creating it if needed.
func openLockFile(lockPath string) (*os.File, bool, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err == nil {
		return f, true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, false, err
	}
	f, err = os.OpenFile(lockPath, os.O_RDWR, 0o644)
	if errors.Is(err, fs.ErrNotExist) { // removed in between: create it
		return openLockFile(lockPath)
	}
	return f, false, err
}

// namesLockFile reports whether lockPath is the open file f.
func namesLockFile(f *os.File, lockPath string) bool {
	fst, err := f.Stat()
	if err != nil {
		return false
	}
	pst, err := os.Lstat(lockPath)
	return err == nil && os.SameFile(fst, pst)
}

// removeLockFile removes the lock file f, locked by this process, if
// lockPath still names it; the caller then releases the lock. Another
// process that opened the file before the removal finds, once it holds
// the lock, that lockPath no longer names it, and starts again.
func removeLockFile(f *os.File, lockPath string) bool {
	return namesLockFile(f, lockPath) && os.Remove(lockPath) == nil
}

func releaseLock(f *os.File) {
	if f == nil {
		return
	}
	_ = f.Truncate(0) // the holder record goes with the lock
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	f.Close()
}
