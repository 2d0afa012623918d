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
	}
	for i, c := range cases {
		p := write(t, c.content)
		_, err := Read(p, "y", "p", []string{"gender"})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("case %d: err = %v, want %q naming the file", i, err, c.want)
		}
	}
}
