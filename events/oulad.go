package events

import (
	"github.com/evalrun/evalrun/internal/csvline"

	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// OULADClickFormat reads OULAD's studentVle.csv as a day-offset event log:
// the student key is "code_module/code_presentation/id_student" (the OULAD
// loader's Frame.Keys), the course "code_module/code_presentation", the
// resource id_site, the day date and the count sum_click. With
// OULADResourceTable (vle.csv) and the KindClicks feature it gives the
// OULAD loader's click features exactly.
var OULADClickFormat = CSVFormat{
	Student:    []string{"code_module", "code_presentation", "id_student"},
	Time:       "date",
	TimeFormat: FormatDay,
	Resource:   "id_site",
	Course:     []string{"code_module", "code_presentation"},
	Count:      "sum_click",
}

// ReadOULADResourceTable reads OULAD's vle.csv into a ResourceTable:
// id_site -> activity_type, each site limited to its presentation
// ("code_module/code_presentation").
func ReadOULADResourceTable(path string) (*ResourceTable, error) {
	return ReadResourceTableFile(path, "id_site", "activity_type", []string{"code_module", "code_presentation"})
}

// ReadResourceTableFile reads a resource table from a CSV file (plain
// format as ReadCSV) with ReadResourceTable.
func ReadResourceTableFile(path, idColumn, typeColumn string, courseColumns []string) (*ResourceTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("events: resource table: %w", err)
	}
	defer f.Close()
	return ReadResourceTable(f, path, idColumn, typeColumn, courseColumns)
}

// ReadResourceTable reads a CSV mapping resource ids (idColumn) to types
// (typeColumn) and, when courseColumns is not empty, to the course the
// resource belongs to (those columns joined with "/"). Errors name the
// source and line: a missing column, a row with the wrong number of
// fields, an empty id or type, an id listed twice.
func ReadResourceTable(r io.Reader, source, idColumn, typeColumn string, courseColumns []string) (*ResourceTable, error) {
	t := &ResourceTable{Types: map[string]string{}}
	if len(courseColumns) > 0 {
		t.Courses = map[string]string{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	var idx []int
	var fields [][]byte
	var scratch []byte
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(line) == 0 && lineNo > 1 {
			continue
		}
		var err error
		fields, scratch, err = csvline.Split(line, fields[:0], scratch)
		if err != nil {
			return nil, fmt.Errorf("events: %s:%d: %w", source, lineNo, err)
		}
		if lineNo == 1 {
			for _, name := range append([]string{idColumn, typeColumn}, courseColumns...) {
				j := -1
				for i, f := range fields {
					if string(f) == name {
						j = i
					}
				}
				if j < 0 {
					return nil, fmt.Errorf("events: %s:1: header has no column %q", source, name)
				}
				idx = append(idx, j)
			}
			idx = append(idx, len(fields))
			continue
		}
		if len(fields) != idx[len(idx)-1] {
			return nil, fmt.Errorf("events: %s:%d: %d fields, header has %d", source, lineNo, len(fields), idx[len(idx)-1])
		}
		id, typ := string(fields[idx[0]]), string(fields[idx[1]])
		if id == "" || typ == "" {
			return nil, fmt.Errorf("events: %s:%d: empty %s or %s", source, lineNo, idColumn, typeColumn)
		}
		if _, dup := t.Types[id]; dup {
			return nil, fmt.Errorf("events: %s:%d: %s %q listed twice", source, lineNo, idColumn, id)
		}
		t.Types[id] = typ
		if len(courseColumns) > 0 {
			parts := make([]string, len(courseColumns))
			for i := range courseColumns {
				parts[i] = string(fields[idx[2+i]])
			}
			t.Courses[id] = strings.Join(parts, "/")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("events: %s: %w", source, err)
	}
	if lineNo == 0 {
		return nil, fmt.Errorf("events: %s: empty file, no header line", source)
	}
	return t, nil
}
