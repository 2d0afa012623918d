package scored

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scores.csv")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRead(t *testing.T) {
	p := write(t, "id,y,p,gender,age\r\n1,1,0.9,F,young\r\n2,0,0.2,M,\r\n3,1.0,0.55,\"F\",old\r\n")
	tab, err := Read(p, "y", "p", []string{"gender", "age"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Labels) != 3 || tab.Labels[2] != 1 || tab.Scores[1] != 0.2 {
		t.Errorf("labels %v scores %v", tab.Labels, tab.Scores)
	}
	if strings.Join(tab.Groups[1].Values, ",") != "young,,old" || tab.Groups[0].Name != "gender" {
		t.Errorf("groups %+v: want the empty age kept as a missing value", tab.Groups)
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct{ content, want string }{
		{"", "empty file"},
		{"y,p,gender\n", "no data rows"},
		{"y,score\n1,0.5\n", `:1: no column "p", "gender"`},
		{"y,p,gender\n1,0.5,F\n2,0.5,M\n", `:3: field "y": label "2" is not 0 or 1`},
		{"y,p,gender\n1,high,F\n", `:2: field "p": score "high" is not a finite number`},
		{"y,p,gender\n1,NaN,F\n", `:2: field "p": score "NaN" is not a finite number`},
		{"y,p,gender,p\n1,0.5,F,0.9\n", `:1: column "p" (fields 2, 4) appears more than once in the header`},
		{"y,gender,p,gender\n1,F,0.5,M\n", `:1: column "gender" (fields 2, 4) appears more than once`},
		{"y,p,gender,model,model\n1,0.5,F,a,b\n", `:1: column "model" (fields 4, 5) appears more than once`},
	}
	for i, c := range cases {
		p := write(t, c.content)
		_, err := Read(p, "y", "p", []string{"gender"})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("case %d: err = %v, want %q naming the file", i, err, c.want)
		}
	}
}

// predictionsCSV is the shape of evalrun's predictions.csv: two models
// and two cutoffs of the same three students.
const predictionsCSV = `dataset,cutoff,split,model,student,term,score,label,gender
oulad,14,s,lr,a,2014J,0.9,1,F
oulad,14,s,lr,b,2014J,0.2,0,M
oulad,14,s,lr,c,2014J,0.6,1,F
oulad,14,s,rule,a,2014J,1,1,F
oulad,14,s,rule,b,2014J,0,0,M
oulad,14,s,rule,c,2014J,0,1,F
oulad,28,s,lr,a,2014J,0.95,1,F
oulad,28,s,lr,b,2014J,0.1,0,M
oulad,28,s,lr,c,2014J,0.7,1,F
`

func TestReadWithFilters(t *testing.T) {
	p := write(t, predictionsCSV)
	tab, err := ReadWith(p, Columns{Label: "label", Score: "score", Groups: []string{"gender"}, Key: "student",
		Filters: []Filter{{"model", "lr"}, {"cutoff", "28"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Scores) != 3 || tab.Scores[0] != 0.95 || tab.Scores[2] != 0.7 {
		t.Errorf("scores %v, want the three lr day-28 rows", tab.Scores)
	}
}

func TestReadWithErrors(t *testing.T) {
	p := write(t, predictionsCSV)
	for i, c := range []struct {
		cols Columns
		want string
	}{
		// Every model and cutoff pooled: the second row of student a.
		{Columns{Key: "student"}, `:5: field "student": student "a" appears again (first on line 2): one audit must count each student once; the rows pool several values of model (lr, rule) and cutoff (14, 28): choose one with --model and --cutoff`},
		{Columns{Key: "student", Filters: []Filter{{"model", "lr"}}}, `:8: field "student": student "a" appears again (first on line 2): one audit must count each student once; the rows pool several values of cutoff (14, 28): choose one with --cutoff`},
		{Columns{Key: "student", Filters: []Filter{{"model", "gbm"}}}, `no row matches model = "gbm" (cutoff holds "14", "28"; dataset holds "oulad"; model holds "lr", "rule"; split holds "s")`},
		{Columns{Key: "id"}, `:1: no column "id"`},
		{Columns{Filters: []Filter{{"fold", "1"}}}, `:1: no column "fold"`},
	} {
		c.cols.Label, c.cols.Score, c.cols.Groups = "label", "score", []string{"gender"}
		_, err := ReadWith(p, c.cols)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: err = %v\nwant %q", i, err, c.want)
		}
	}
}
