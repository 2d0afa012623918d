package shard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/evalrun/evalrun/rundir"
)

// cellFile is the content of PLAN/cells/<id>.json.
type cellFile struct {
	Cell          Cell            `json:"cell"`
	PayloadSHA256 string          `json:"payload_sha256"`
	Payload       json.RawMessage `json:"payload"`
}

// CellPath returns the path of a cell's file in a plan directory.
func CellPath(dir, id string) string { return filepath.Join(dir, CellsDir, id+".json") }

// WriteCell writes a cell's payload (JSON) to its file atomically: a
// temporary file in the same directory, synced, then renamed over the
// name, so a reader sees the whole file or none, and two machines writing
// the same cell leave one complete copy.
func WriteCell(dir string, c Cell, payload []byte) error {
	if !json.Valid(payload) {
		return fmt.Errorf("shard: cell %s: payload is not JSON", c.ID)
	}
	sum := sha256.Sum256(payload)
	b, err := json.Marshal(cellFile{Cell: c, PayloadSHA256: hex.EncodeToString(sum[:]), Payload: payload})
	if err != nil {
		return fmt.Errorf("shard: cell %s: %w", c.ID, err)
	}
	return WriteFileAtomic(CellPath(dir, c.ID), append(b, '\n'))
}

// Status is the state of a planned cell's file.
type Status int

// Cell states.
const (
	Missing Status = iota // no file
	Current               // the file holds this cell and an intact payload
	Stale                 // a file that is not this cell's current result
)

// ReadCell returns the payload of a cell's file and its status; for a
// stale file, why.
func ReadCell(dir string, c Cell) ([]byte, Status, string) {
	b, err := os.ReadFile(CellPath(dir, c.ID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, Missing, ""
	}
	if err != nil {
		return nil, Stale, err.Error()
	}
	var f cellFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, Stale, "not a cell file: " + err.Error()
	}
	if f.Cell.ID != c.ID || f.Cell.ComputeID() != c.ID {
		return nil, Stale, "written for another cell description or inputs"
	}
	sum := sha256.Sum256(f.Payload)
	if hex.EncodeToString(sum[:]) != f.PayloadSHA256 {
		return nil, Stale, "payload checksum mismatch (truncated or edited)"
	}
	return f.Payload, Current, ""
}

// Problem is a planned cell that is not current.
type Problem struct {
	Cell   Cell
	Status Status
	Why    string
}

// Check returns the cells of plan that are not current, in plan order.
func Check(dir string, plan []Cell) []Problem {
	var out []Problem
	for _, c := range plan {
		if _, st, why := ReadCell(dir, c); st != Current {
			out = append(out, Problem{Cell: c, Status: st, Why: why})
		}
	}
	return out
}

// IncompleteError lists the cells a merge lacks and how to compute them.
type IncompleteError struct {
	Dir      string
	Problems []Problem
	// Rerun is the command that computes them.
	Rerun string
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	missing, stale := 0, 0
	for _, p := range e.Problems {
		if p.Status == Missing {
			missing++
		} else {
			stale++
		}
	}
	fmt.Fprintf(&b, "%s: %d of the plan's cells are not current (%d missing, %d stale):", e.Dir, len(e.Problems), missing, stale)
	const shown = 50
	for i, p := range e.Problems {
		if i == shown {
			fmt.Fprintf(&b, "\n  ... (%d more)", len(e.Problems)-shown)
			break
		}
		state := "missing"
		if p.Status == Stale {
			state = "stale: " + p.Why
		}
		fmt.Fprintf(&b, "\n  %s %s (%s)", p.Cell.ID, describe(p.Cell), state)
	}
	fmt.Fprintf(&b, "\ncompute them (cells already current are skipped) with:\n  %s", e.Rerun)
	return b.String()
}

func describe(c Cell) string {
	cut := "none"
	if c.Cutoff != nil {
		cut = fmt.Sprint(*c.Cutoff)
	}
	s := fmt.Sprintf("%s dataset=%s cutoff=%s split=%s model=%s", c.Kind, c.Dataset, cut, c.Split, c.Model)
	if c.Candidate != nil {
		s += fmt.Sprintf(" candidate=%d", *c.Candidate)
	}
	return s
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory that is synced and renamed into place (rundir.WriteFileAtomic:
// an interrupted process removes its temporary file).
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return rundir.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
