package harness

import (
	"strings"
	"testing"
)

func TestTermAfter(t *testing.T) {
	cases := []struct {
		a, b  string
		after bool
	}{
		{"2014J", "2013J", true},
		{"2014B", "2013J", true},
		{"2013J", "2013B", true}, // OULAD: J starts in October, B in February
		{"2013B", "2013J", false},
		{"2022S", "2021F", true},
		{"2022F", "2022S", true}, // fall after spring of the same year, though "F" < "S"
		{"2022S", "2022F", false},
		{"Fall 2021", "Spring 2021", true},
		{"2021-summer", "2021-spring", true},
		{"2021 Winter", "2020 Fall", true},
		{"2015", "2014", true},
		{"2014", "2014J", false}, // a year and one of its terms: unordered
		{"cohort-b", "cohort-a", false},
		{"2014X", "2013J", false}, // unknown season: unordered
		{"2013J", "2013J", false},
	}
	for _, c := range cases {
		if got := termAfter(c.a, c.b); got != c.after {
			t.Errorf("termAfter(%q, %q) = %v, want %v", c.a, c.b, got, c.after)
		}
	}
}

func TestFutureTraining(t *testing.T) {
	base := `[experiment]
name = "x"
[[datasets]]
name = "d"
kind = "synthetic-oulad"
cutoff_days = [28]
positive = ["Fail"]
[[models]]
name = "lr"
kind = "logistic"
`
	cases := []struct {
		split string
		want  string // "" : accepted
		warn  string
	}{
		{"[[splits]]\nname = \"s\"\nkind = \"temporal\"\ntrain = [\"2014J\"]\ntest = [\"2013J\"]\n",
			"f.toml:14: splits[0].train: trains on terms later than the terms it tests: 2014J (after test term 2013J)", ""},
		{"[[splits]]\nname = \"s\"\nkind = \"temporal\"\ntrain = [\"2013B\", \"2014B\"]\ntest = [\"2013J\"]\n",
			"f.toml:14: splits[0].train: trains on terms later than the terms it tests: 2014B (after test term 2013J)", ""},
		{"[[splits]]\nname = \"r\"\nkind = \"rolling\"\nterms = [\"2013J\", \"2014J\", \"2014B\"]\n",
			"f.toml:14: splits[0].terms: trains on terms later than the terms it tests: 2014J (listed before 2014B, which is earlier)", ""},
		{"[[splits]]\nname = \"s\"\nkind = \"temporal\"\ntrain = [\"2014J\"]\ntest = [\"2013J\"]\nallow_future_training = true\n",
			"", "split s trains on terms later than the terms it tests (2014J (after test term 2013J); allow_future_training = true)"},
		{"[[splits]]\nname = \"s\"\nkind = \"temporal\"\ntrain = [\"2013B\", \"2013J\"]\ntest = [\"2014B\"]\n", "", ""},
	}
	for i, c := range cases {
		s, err := ParseSpec("f.toml", ".", []byte(base+c.split))
		switch {
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("case %d: err = %v, want %q", i, err, c.want)
		case c.want == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.want == "":
			w := strings.Join(s.futureTrainingWarnings(), "\n")
			if (c.warn == "") != (w == "") || !strings.Contains(w, c.warn) {
				t.Errorf("case %d: warnings %q, want %q", i, w, c.warn)
			}
		}
	}
}
