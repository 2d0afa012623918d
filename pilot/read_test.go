package pilot

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodCSV = "id,arm,dfw,grade,gpa,first_gen\n" +
	"a,treat,0,3.1,3.0,yes\n" +
	"b,control,1,,2.5,no\n" +
	"c,treat,,2.0,,\n" +
	"d,control,0,3.5,3.8,no\n"

func TestReadPilot(t *testing.T) {
	path := writeFile(t, "p.csv", goodCSV)
	p, rep, err := ReadPilot(path, validSpec())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(goodCSV))
	if rep.Rows != 4 || rep.SHA256 != hex.EncodeToString(sum[:]) || rep.Gzip {
		t.Errorf("load report %+v", rep)
	}
	want := []ColumnMissing{{"dfw", "outcome", 1}, {"grade", "outcome", 1}, {"gpa", "covariate", 1}, {"first_gen", "attribute", 1}}
	if len(rep.Missing) != len(want) {
		t.Fatalf("missing counts %+v, want %+v", rep.Missing, want)
	}
	for i := range want {
		if rep.Missing[i] != want[i] {
			t.Errorf("missing[%d] = %+v, want %+v", i, rep.Missing[i], want[i])
		}
	}
	if !math.IsNaN(p.Outcomes[0].Values[2]) || p.Outcomes[0].Values[1] != 1 || !math.IsNaN(p.Outcomes[1].Values[1]) || p.Outcomes[1].Values[0] != 3.1 {
		t.Errorf("outcomes %+v: empty cells must be NaN, never coerced", p.Outcomes)
	}
	if strings.Join(p.IDs, ",") != "a,b,c,d" || strings.Join(p.Arms, ",") != "treat,control,treat,control" || p.Attributes[0].Values[2] != "" {
		t.Errorf("ids %v arms %v attributes %v", p.IDs, p.Arms, p.Attributes)
	}
}

// TestReadPilotFormats reads the same data as gzip, with CRLF line ends,
// a byte order mark and quoted fields.
func TestReadPilotFormats(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(goodCSV))
	zw.Close()
	gzPath := filepath.Join(t.TempDir(), "p.csv.gz")
	os.WriteFile(gzPath, gz.Bytes(), 0o644)
	crlf := "\ufeff" + strings.ReplaceAll(strings.Replace(goodCSV, "a,treat", `"a","treat"`, 1), "\n", "\r\n")
	for _, path := range []string{gzPath, writeFile(t, "crlf.csv", crlf)} {
		p, rep, err := ReadPilot(path, validSpec())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if rep.Rows != 4 || p.IDs[0] != "a" || p.Arms[0] != "treat" || p.Covariates[0].Values[3] != 3.8 {
			t.Errorf("%s: rows %d ids %v arms %v", path, rep.Rows, p.IDs, p.Arms)
		}
	}
	_, rep, _ := ReadPilot(gzPath, validSpec())
	if !rep.Gzip {
		t.Error("gzip file not reported as gzip")
	}
}

// TestReadPilotErrors checks that every kind of bad data is an error that
// names file:line:field.
func TestReadPilotErrors(t *testing.T) {
	cluster := func(s *Spec) { s.Cluster, s.ClusterRandomized = "section", true }
	cases := []struct {
		name string
		csv  string
		edit func(*Spec)
		want []string
	}{
		{"missing columns listed at once", "id,arm,gpa\na,treat,1\n", nil,
			[]string{`p.csv:1: missing column(s) "dfw", "grade", "first_gen" (the header has id, arm, gpa)`}},
		{"unparseable number", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3.x,3,yes\nb,control,0,NA,3,no\n", nil,
			[]string{`p.csv:2: field "grade": cannot read "3.x" as a finite number`, `p.csv:3: field "grade": cannot read "NA" as a finite number (leave the cell empty for a missing value)`}},
		{"infinite number", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3,Inf,yes\n", nil,
			[]string{`p.csv:2: field "gpa": cannot read "Inf" as a finite number`}},
		{"binary outcome 2", "id,arm,dfw,grade,gpa,first_gen\na,treat,2,3,3,yes\nb,control,0.5,3,3,no\n", nil,
			[]string{`p.csv:2: field "dfw": binary outcome value "2": want 0, 1 or an empty cell`, `p.csv:3: field "dfw": binary outcome value "0.5"`}},
		{"unknown arm labels", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3,3,yes\nb,Control,0,3,3,no\nc,placebo,1,3,3,no\nd,placebo,1,3,3,no\n", nil,
			[]string{`p.csv:3: field "arm": unknown arm label "Control" on 1 row(s), first here (did you mean "control"? labels are case-sensitive); declared arms: treat, control`,
				`p.csv:4: field "arm": unknown arm label "placebo" on 2 row(s), first here; declared arms: treat, control`}},
		{"unit in two arms", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3,3,yes\nb,control,0,3,3,no\na,control,1,3,3,yes\n", nil,
			[]string{`p.csv:4: field "arm": unit "a" is in two arms: "treat" at line 2 and "control" here`}},
		{"unit twice", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3,3,yes\na,treat,0,3,3,yes\n", nil,
			[]string{`p.csv:3: field "id": unit "a" appears twice (lines 2 and 3)`}},
		{"empty id and arm", "id,arm,dfw,grade,gpa,first_gen\n,treat,0,3,3,yes\nb,,0,3,3,no\n", nil,
			[]string{`p.csv:2: field "id": empty unit id`, `p.csv:3: field "arm": empty arm label`}},
		{"cluster in two arms", "id,arm,dfw,grade,gpa,first_gen,section\na,treat,0,3,3,yes,s1\nb,control,0,3,3,no,s1\nc,control,0,3,3,no,s1\nd,treat,0,3,3,no,\n", cluster,
			[]string{`p.csv:3: field "section": cluster "s1" is in two arms: "treat" at line 2 and "control" here; whole clusters must be assigned`,
				`p.csv:5: field "section": empty cluster in a cluster-randomized pilot`}},
		{"wrong field count", "id,arm,dfw,grade,gpa,first_gen\na,treat,0,3,3\n", nil,
			[]string{`p.csv:2: 5 fields, but the header has 6 columns`}},
		{"received out of range", "id,arm,dfw,grade,gpa,first_gen,att\na,treat,0,3,3,yes,2\n", func(s *Spec) { s.Received = "att" },
			[]string{`p.csv:2: field "att": treatment received 2 is outside [0, 1]`}},
		{"look out of range", "id,arm,dfw,grade,gpa,first_gen,look\na,treat,0,3,3,yes,3\n", func(s *Spec) { s.Sequential = &SequentialSpec{Looks: 2, LookColumn: "look"} },
			[]string{`p.csv:2: field "look": look "3": want a whole number from 1 to 2`}},
		{"empty stratum", "id,arm,dfw,grade,gpa,first_gen,course\na,treat,0,3,3,yes,\n", func(s *Spec) { s.Strata = "course" },
			[]string{`p.csv:2: field "course": empty stratum`}},
		{"no rows", "id,arm,dfw,grade,gpa,first_gen\n", nil, []string{"p.csv: no data rows below the header"}},
		{"empty file", "", nil, []string{"p.csv: the file is empty"}},
		{"duplicate header", "id,arm,dfw,grade,gpa,first_gen,gpa\n", nil, []string{`p.csv:1: column "gpa" appears twice in the header`}},
		{"bare quote", "id,arm,dfw,grade,gpa,first_gen\na,tr\"eat,0,3,3,yes\n", nil, []string{`p.csv:2: bare " in non-quoted-field`}},
	}
	for _, c := range cases {
		s := validSpec()
		if c.edit != nil {
			c.edit(&s)
		}
		path := writeFile(t, "p.csv", c.csv)
		_, _, err := ReadPilot(path, s)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := strings.ReplaceAll(err.Error(), path, "p.csv")
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error\n%s\nlacks %q", c.name, msg, w)
			}
		}
	}
}

func TestDataFileErrorCounts(t *testing.T) {
	e := &DataFileError{}
	for i := range 12 {
		e.Problems = append(e.Problems, "problem "+string(rune('a'+i)))
	}
	msg := e.Error()
	if !strings.HasPrefix(msg, "12 problems:") || !strings.Contains(msg, "problem j") || strings.Contains(msg, "problem k") || !strings.HasSuffix(msg, "and 2 more problems") {
		t.Errorf("error text:\n%s", msg)
	}
}

func writeTo(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
