package monitor

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// History file names inside a history directory.
const (
	HistoryJSONL = "history.jsonl"
	HistoryCSV   = "history.csv"
	MonitorHTML  = "monitor.html"
)

// historyCSVHeader is the first line of history.csv.
var historyCSVHeader = []string{"term", "recorded_at", "measure", "value", "lower", "upper", "reference", "reference_lower", "reference_upper", "position", "status"}

// ReadHistory reads dir/history.jsonl (no file: an empty history). Every
// line must be a monitor entry; anything else is an error naming the line,
// so a directory evalrun did not write is never appended to.
func ReadHistory(dir string) ([]Entry, error) {
	path := filepath.Join(dir, HistoryJSONL)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Kind != EntryKind {
			return nil, fmt.Errorf("monitor: %s:%d: not an evalrun monitor entry: refusing to append to a history evalrun did not write", path, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("monitor: %s: %w", path, err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return nil, fmt.Errorf("monitor: %s: the last line is incomplete (an interrupted append?): repair the file before appending", path)
	}
	return out, nil
}

// Appended returns the contents of history.jsonl and history.csv with e
// added: the files of dir as they are (missing: new files), byte for byte,
// followed by e's line and rows. Earlier entries are never rewritten; the
// caller writes both files (with package rundir, which replaces the
// directory atomically and refuses one evalrun did not write). history.csv
// must exist exactly when history.jsonl does.
func Appended(dir string, e Entry) (jsonl, csvData []byte, err error) {
	jsonlPath, csvPath := filepath.Join(dir, HistoryJSONL), filepath.Join(dir, HistoryCSV)
	oldJ, errJ := os.ReadFile(jsonlPath)
	oldC, errC := os.ReadFile(csvPath)
	switch {
	case errJ != nil && !errors.Is(errJ, os.ErrNotExist):
		return nil, nil, fmt.Errorf("monitor: %w", errJ)
	case errC != nil && !errors.Is(errC, os.ErrNotExist):
		return nil, nil, fmt.Errorf("monitor: %w", errC)
	case (errJ == nil) != (errC == nil):
		return nil, nil, fmt.Errorf("monitor: %s holds only one of %s and %s: not a history evalrun wrote", dir, HistoryJSONL, HistoryCSV)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return nil, nil, fmt.Errorf("monitor: %w", err)
	}
	var rows bytes.Buffer
	w := csv.NewWriter(&rows)
	if errC != nil {
		w.Write(historyCSVHeader)
	}
	for _, r := range csvRows(e) {
		w.Write(r)
	}
	w.Flush()
	jsonl = append(append(append([]byte(nil), oldJ...), line...), '\n')
	csvData = append(append([]byte(nil), oldC...), rows.Bytes()...)
	return jsonl, csvData, nil
}

// csvRows are the history.csv rows of an entry: one per measure, one per
// feature's drift score and PSI, and the score drift.
func csvRows(e Entry) [][]string {
	f := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	var out [][]string
	row := func(name string, v, lo, hi, ref, rlo, rhi *float64, pos string) {
		out = append(out, []string{e.Term, e.RecordedAt, name, f(v), f(lo), f(hi), f(ref), f(rlo), f(rhi), pos, e.Status})
	}
	for _, m := range e.Measures {
		row(m.Name, m.Value, m.Lower, m.Upper, m.Reference, m.RefLower, m.RefUpper, m.Position)
	}
	for _, d := range e.Drift.Features {
		pos := "inside"
		if d.Drifted {
			pos = "drifted"
		}
		row("drift: "+d.Name+" ("+string(d.Method)+")", ptr(d.Score), nil, nil, ptr(d.Threshold), nil, nil, pos)
		pos = "inside"
		if d.PSIDrifted {
			pos = "drifted"
		}
		row("psi: "+d.Name, ptr(d.PSI), nil, nil, ptr(e.PSIThreshold), nil, nil, pos)
	}
	if s := e.ScoreDrift; s != nil {
		pos := "inside"
		if s.Drifted {
			pos = "drifted"
		}
		row("drift: score ("+string(s.Method)+")", ptr(s.Score), nil, nil, ptr(s.Threshold), nil, nil, pos)
	}
	return out
}
