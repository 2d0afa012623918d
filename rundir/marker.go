package rundir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// MarkerName is the file in every directory rundir writes that proves
// evalrun wrote it: a JSON document listing every other file with its size
// and SHA-256.
const MarkerName = ".evalrun-dir.json"

// markerFormat is the version of the marker document.
const markerFormat = 1

const (
	stateWriting  = "writing"
	stateComplete = "complete"
)

// marker is the content of MarkerName.
type marker struct {
	// Evalrun says what the file is to a person who finds it.
	Evalrun string      `json:"evalrun"`
	Format  int         `json:"format"`
	Kind    string      `json:"kind"`
	State   string      `json:"state"`
	Files   []FileEntry `json:"files"`
}

// FileEntry is one file listed in a marker: its slash-separated path inside
// the directory, size in bytes and SHA-256 in hex.
type FileEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const markerNote = "written by evalrun: evalrun replaces this directory only while every file is listed here unchanged"

func encodeMarker(kind, state string, files []FileEntry) []byte {
	if files == nil {
		files = []FileEntry{}
	}
	sorted := append([]FileEntry(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	b, err := json.MarshalIndent(marker{Evalrun: markerNote, Format: markerFormat, Kind: kind, State: state, Files: sorted}, "", "  ")
	if err != nil {
		panic("rundir: encoding a marker: " + err.Error()) // plain structs always encode
	}
	return append(b, '\n')
}

// NotOwnedError is returned when something that evalrun cannot prove it
// wrote is in the way of a write: Path names it and Reason says why.
type NotOwnedError struct {
	// Dir is the output directory that was to be written.
	Dir string
	// Path is the offending file or directory (Dir itself or inside it).
	Path   string
	Reason string
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s: %s: evalrun replaces only directories it wrote; move it away or choose another output", e.Path, e.Reason)
}

// readMarker reads and decodes the marker of dir.
func readMarker(dir string) (*marker, error) {
	b, err := os.ReadFile(filepath.Join(dir, MarkerName))
	if err != nil {
		return nil, err
	}
	var m marker
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("unreadable %s: %v", MarkerName, err)
	}
	if m.Format != markerFormat || (m.State != stateWriting && m.State != stateComplete) {
		return nil, fmt.Errorf("%s has an unknown format %d or state %q", MarkerName, m.Format, m.State)
	}
	return &m, nil
}

// verifyOwned checks that dir is a complete directory written by rundir
// whose files are all listed in its marker, unchanged, and that it can be
// removed. It returns fs.ErrNotExist (wrapped) when nothing is at dir.
func verifyOwned(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return &NotOwnedError{Dir: dir, Path: dir, Reason: err.Error()}
	}
	notOwned := func(p, format string, args ...any) error {
		return &NotOwnedError{Dir: dir, Path: p, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return notOwned(dir, "is a symbolic link, not a directory evalrun wrote")
	case !st.IsDir():
		return notOwned(dir, "is a file, not a directory evalrun wrote")
	}
	m, err := readMarker(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return notOwned(dir, "exists and is not an evalrun output directory (it has no %s; directories written before evalrun had markers must be removed by hand)", MarkerName)
	}
	if err != nil {
		return notOwned(dir, "%v", err)
	}
	if m.State != stateComplete {
		return notOwned(dir, "holds an unfinished write")
	}
	listed := make(map[string]FileEntry, len(m.Files))
	parents := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = f
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			parents[d] = true
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return notOwned(p, "cannot be read: %v", err)
		}
		rel, relErr := filepath.Rel(dir, p)
		if relErr != nil {
			return notOwned(p, "%v", relErr)
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if rel != "." && !parents[rel] {
				return notOwned(p, "is a directory evalrun did not write")
			}
			if unix.Access(p, unix.W_OK|unix.X_OK) != nil {
				return notOwned(p, "is not writable, so the directory evalrun wrote cannot be replaced")
			}
			return nil
		case rel == MarkerName:
			return nil
		case !d.Type().IsRegular():
			return notOwned(p, "is not a regular file evalrun wrote")
		}
		f, ok := listed[rel]
		if !ok {
			return notOwned(p, "was not written by evalrun (not listed in %s)", MarkerName)
		}
		sum, size, err := hashFile(p)
		if err != nil {
			return notOwned(p, "cannot be read: %v", err)
		}
		if size != f.Size || sum != f.SHA256 {
			return notOwned(p, "was changed after evalrun wrote it")
		}
		return nil
	})
}

func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkPath rejects output paths that cannot name a directory of its own.
func checkPath(dir string) error {
	if dir == "" {
		return errors.New("rundir: empty output directory")
	}
	for _, r := range dir {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("output directory %q contains a control character", dir)
		}
	}
	clean := filepath.Clean(dir)
	base := filepath.Base(clean)
	if base == "." || base == ".." || base == string(filepath.Separator) {
		return fmt.Errorf("output directory %q does not name a directory of its own (it is the current, parent or root directory)", dir)
	}
	if strings.HasPrefix(base, ".") && strings.Contains(base, ".evalrun-") {
		return fmt.Errorf("output directory %q has the name of evalrun's hidden temporary directories", dir)
	}
	return nil
}
