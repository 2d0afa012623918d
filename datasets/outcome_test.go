package datasets

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCSVKeepUnlabelled: with KeepUnlabelled a row with an empty label is
// kept with NoOutcome, and a file without the label column has no outcome
// at all; Labelled separates the two kinds of rows.
func TestCSVKeepUnlabelled(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opts := CSVOptions{Name: "t", IDColumn: "id", LabelColumn: "y", TermColumn: "term", Numeric: []string{"x"}, KeepUnlabelled: true}
	f, err := LoadCSV(write("a.csv", "id,term,x,y\ns1,T1,1,1\ns2,T1,2,0\ns3,T2,3,\ns4,T2,,NA\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Labels, []uint8{1, 0, NoOutcome, NoOutcome}) {
		t.Fatalf("labels %v", f.Labels)
	}
	if len(f.Report.Cleaning) != 1 || f.Report.Cleaning[0].Rule != "missing_value" {
		t.Errorf("cleaning %+v: unlabelled rows are kept, not excluded", f.Report.Cleaning)
	}
	with, without := f.Labelled()
	if !reflect.DeepEqual(with.Students, []string{"s1", "s2"}) || !reflect.DeepEqual(without.Students, []string{"s3", "s4"}) ||
		!reflect.DeepEqual(without.Terms, []string{"T2", "T2"}) || without.Numeric[0].Values[0] != 3 {
		t.Errorf("Labelled split %+v / %+v", with, without)
	}
	g, err := LoadCSV(write("b.csv", "id,term,x\ns5,T3,4\ns6,T3,5\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Labels, []uint8{NoOutcome, NoOutcome}) {
		t.Errorf("no label column: labels %v", g.Labels)
	}
	// Without the option the old behaviour stays: excluded and counted.
	opts.KeepUnlabelled = false
	h, err := LoadCSV(filepath.Join(dir, "a.csv"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if h.Len() != 2 || h.Report.Cleaning[0].Rule != "missing_label" || h.Report.Cleaning[0].Count != 2 {
		t.Errorf("default: %d rows, cleaning %+v", h.Len(), h.Report.Cleaning)
	}
	if _, err := LoadCSV(filepath.Join(dir, "b.csv"), opts); err == nil {
		t.Error("default: a file without the label column must be an error")
	}
}
