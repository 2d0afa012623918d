package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
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
// records the holder in it.
func acquireLock(dir, lockPath string, command []string) (*os.File, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot create the lock file %s: %w", dir, lockPath, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			le := &LockedError{Dir: dir, LockFile: lockPath}
			if b, rerr := os.ReadFile(lockPath); rerr == nil {
				_ = json.Unmarshal(b, &le.Holder) // an unreadable record leaves Holder zero
			}
			return nil, le
		}
		return nil, fmt.Errorf("%s: locking %s: %w", dir, lockPath, err)
	}
	host, _ := os.Hostname()
	rec, _ := json.Marshal(Holder{PID: os.Getpid(), Command: strings.Join(command, " "), Started: time.Now().UTC().Truncate(time.Second), Host: host})
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(rec, '\n'), 0)
		if err != nil {
			releaseLock(f)
			return nil, fmt.Errorf("%s: writing the lock file %s: %w", dir, lockPath, err)
		}
	}
	return f, nil
}

func releaseLock(f *os.File) {
	if f == nil {
		return
	}
	_ = f.Truncate(0) // the holder record goes with the lock
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	f.Close()
}
