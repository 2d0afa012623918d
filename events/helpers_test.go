package events

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedData returns ../shared/data/<sub> relative to the module root, or
// skips the test when it is absent.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s absent: %v", p, err)
	}
	return p
}

// recorder is a Sink keeping copies of events with their strings resolved.
type recorder struct {
	sym       *Symbols
	events    []Event
	malformed []string
	keepBad   bool
}

func (r *recorder) Event(e *Event) error {
	r.events = append(r.events, *e)
	return nil
}

func (r *recorder) Malformed(source string, line int, err error) error {
	r.malformed = append(r.malformed, err.Error())
	if r.keepBad {
		return nil
	}
	return err
}

func (r *recorder) name(s Sym) string { return r.sym.Name(s) }

func mustTime(t testing.TB, v string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
