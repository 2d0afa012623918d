package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// deployCommands returns the evalrun command lines of a deploy example,
// with shell quotes removed and $SHARED / /shared replaced by dir.
func deployCommands(t *testing.T, path, dir string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range regexp.MustCompile(`evalrun (plan|run|merge) [^\n]*`).FindAllString(string(b), -1) {
		line := strings.NewReplacer(`"`, "", "]", "", "$SHARED", dir, "/shared", dir).Replace(m)
		args := strings.Fields(line)[1:]
		out[args[0]] = args
	}
	for _, cmd := range []string{"plan", "run", "merge"} {
		if out[cmd] == nil {
			t.Fatalf("%s has no evalrun %s command", path, cmd)
		}
	}
	return out
}

const deploySpec = `[experiment]
name = "deploy-example"
seed = 5

[[datasets]]
name = "students"
kind = "csv"
path = "students.csv"
id = "student_id"
label = "dfw"
term = "term"
features = ["gpa", "credits", "major"]
categorical = ["major"]

[[models]]
name = "lr"
kind = "logistic"

[[models]]
name = "base"
kind = "prior"

[[splits]]
name = "by-term"
kind = "rolling"
terms = ["2021F", "2022S", "2022F", "2023S"]
min_train = 2
`

// TestDeployExamplesRun runs the Kubernetes and Slurm examples' own
// command lines (their flags, their --shard auto with each scheduler's
// variables) on a small spec: plan, every shard, merge; a flag the CLI
// lacks or renames fails here.
func TestDeployExamplesRun(t *testing.T) {
	students, err := os.ReadFile(filepath.Join("..", "..", "harness", "testdata", "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("EVALRUN_PSEUDONYM_KEY", "deploy-test-key-16+")
	for _, ex := range []struct {
		file   string
		shards int
		env    func(i int) map[string]string
	}{
		{"../../deploy/kubernetes/indexed-job.yaml", 3, func(i int) map[string]string {
			return map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i), "EVALRUN_SHARDS": "3"}
		}},
		{"../../deploy/slurm/array.sbatch", 8, func(i int) map[string]string {
			return map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(10 + i), "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"}
		}},
	} {
		t.Run(filepath.Base(ex.file), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "students.csv"), students, 0o644)
			os.WriteFile(filepath.Join(dir, "spec.toml"), []byte(deploySpec), 0o644)
			cmds := deployCommands(t, ex.file, dir)
			if _, _, err := runCLI(t, cmds["plan"]...); err != nil {
				t.Fatalf("%q: %v", cmds["plan"], err)
			}
			for _, k := range []string{"JOB_COMPLETION_INDEX", "EVALRUN_SHARDS", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_STEP"} {
				t.Setenv(k, "")
			}
			for i := 0; i < ex.shards; i++ {
				for k, v := range ex.env(i) {
					t.Setenv(k, v)
				}
				stdout, _, err := runCLI(t, cmds["run"]...)
				if err != nil || !strings.HasPrefix(stdout, "shard "+strconv.Itoa(i)+"/"+strconv.Itoa(ex.shards)+": ") {
					t.Fatalf("%q as shard %d: %q, %v", cmds["run"], i, stdout, err)
				}
			}
			stdout, _, err := runCLI(t, cmds["merge"]...)
			if err != nil {
				t.Fatalf("%q: %v", cmds["merge"], err)
			}
			out := cmds["merge"][len(cmds["merge"])-1]
			if !strings.Contains(stdout, "results written to "+out) {
				t.Errorf("merge: %q", stdout)
			}
			b, err := os.ReadFile(filepath.Join(out, "results.json"))
			if err != nil || !bytes.Contains(b, []byte(`"experiment": "deploy-example"`)) {
				t.Errorf("merged results.json: %v", err)
			}
		})
	}
}

func TestShardFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "x.toml", "--plan", "p"}, "--plan needs --shard"},
		{[]string{"run", "x.toml", "--shard", "0/2"}, "--shard needs --plan"},
		{[]string{"run", "x.toml", "--plan", "p", "--shard", "2/2"}, "i must be an integer from 0 to 1"},
		{[]string{"plan", "x.toml"}, "plan takes one spec file and -o PLAN"},
		{[]string{"merge"}, "merge takes one plan directory"},
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "x.toml")
	os.WriteFile(spec, []byte(strings.Replace(deploySpec, "students.csv", filepath.Join("..", "..", "harness", "testdata", "students.csv"), 1)), 0o644)
	for _, c := range cases {
		args := append([]string(nil), c.args...)
		for i, a := range args {
			if a == "x.toml" {
				args[i] = spec
			}
		}
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.args, err, c.want)
		}
	}
}
