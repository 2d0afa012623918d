package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalrun/evalrun/discovery"
)

// staffForum writes, beside the discovery fixture's student table, an
// xAPI forum log: the instructor "prof" (named as every statement's
// context.instructor) opens a thread, the students who are not at risk
// reply to it and to each other, and the teaching assistant "ta1" (a
// role known only from roster.csv) replies to at-risk students.
func staffForum(t *testing.T) string {
	t.Helper()
	dir := discoveryFixture(t)
	var log strings.Builder
	n := 0
	stmt := func(actor, replyTo string, day int) string {
		n++
		id := fmt.Sprint("s", n)
		obj := `{"id":"http://forum/1"}`
		if replyTo != "" {
			obj = fmt.Sprintf(`{"id":%q,"objectType":"StatementRef"}`, replyTo)
		}
		fmt.Fprintf(&log, `{"id":%q,"actor":{"account":{"homePage":"h","name":%q}},"verb":{"id":"http://id.tincanapi.com/verb/replied"},"object":%s,"context":{"instructor":{"account":{"homePage":"h","name":"prof"}}},"timestamp":"2023-09-%02dT10:%02d:00Z"}`+"\n",
			id, actor, obj, 5+day, n%60)
		return id
	}
	thread := stmt("prof", "", 0)
	posts := map[int]string{}
	for s := 0; s < 150; s++ {
		if s%3 != 0 {
			posts[s] = stmt(fmt.Sprintf("2023-%03d", s), thread, 1)
		}
	}
	for s := 0; s < 150; s++ {
		if p, ok := posts[(s+1)%150]; ok && s%3 != 0 {
			stmt(fmt.Sprintf("2023-%03d", s), p, 2)
		}
		if s%3 == 0 && s < 30 {
			stmt("ta1", posts[s+1], 3)
		}
	}
	roster := "account,role\nta1,TeachingAssistant\n2023-001,Learner\n"
	for name, body := range map[string]string{"forum.jsonl": log.String(), "roster.csv": roster} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const staffSpec = `[experiment]
name = "staff"
seed = 11

[privacy]
min_group_size = 5

[[datasets]]
name = "students"
kind = "csv"
path = "students.csv"
id = "student_id"
label = "dfw"
term = "term"

[[datasets]]
name = "forum"
kind = "events"
join = "students"
cutoff_days = [27]
window = { start = "2023-09-04" }
[[datasets.sources]]
path = "forum.jsonl"
format = "xapi"

[[analyses]]
name = "replies"
kind = "network"
events = "forum"
cutoff_day = 27
train = ["2023"]
staff_roles = ["Instructor", "TeachingAssistant"]
roster = { path = "roster.csv", id = "account", role = "role" }
`

// Staff flagged by role end to end: the instructor from the xAPI
// statements' context.instructor, the teaching assistant from the roster;
// both left out of the reply graph, counted in results.json and the
// report, named nowhere.
func TestStaffRolesEndToEnd(t *testing.T) {
	dir := staffForum(t)
	spec, err := ParseSpec(filepath.Join(dir, "spec.toml"), dir, []byte(staffSpec))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	res, err := Run(context.Background(), spec, RunOptions{Output: out, Now: fixedNow, Getenv: func(string) string { return "0123456789abcdef0123456789abcdef" }})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Results.Discoveries[0].Network
	if n == nil {
		t.Fatalf("no network: %+v", res.Results.Discoveries[0])
	}
	if n.StaffExcluded != 2 || n.StaffByRole != 2 || n.StaffByList != 0 || strings.Join(n.StaffRoles, ",") != "Instructor,TeachingAssistant" {
		t.Errorf("staff excluded %d (by role %d, by list %d, roles %v), want the instructor and the TA by role", n.StaffExcluded, n.StaffByRole, n.StaffByList, n.StaffRoles)
	}
	// Without the staff, the 50 at-risk students of 2023 (replied to by
	// the TA only) are isolated; the 2024 students are outside the
	// analysis.
	if n.Nodes != 150 || n.IsolatedCount != 50 || n.IsolatedRate == nil || *n.IsolatedRate != 1 {
		t.Errorf("nodes %d, isolated %d, isolated at-risk rate %v", n.Nodes, n.IsolatedCount, n.IsolatedRate)
	}
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Discoveries []discovery.Result `json:"discoveries"`
	}
	if err := json.Unmarshal(raw, &js); err != nil {
		t.Fatal(err)
	}
	if js.Discoveries[0].Network.StaffByRole != 2 {
		t.Errorf("results.json staff_by_role %d", js.Discoveries[0].Network.StaffByRole)
	}
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "2 staff accounts left out (0 listed in staff, 2 by role: Instructor, TeachingAssistant)") {
		t.Errorf("report.md does not count the staff by role")
	}
	if !strings.Contains(string(report), "plots/network_replies.svg") {
		t.Error("report.md lacks the network's plot of at-risk rates")
	}
	for _, f := range []string{"results.json", "report.md", "discovery/replies.csv", "plots/network_replies.svg"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{`"prof"`, "ta1", ",prof,"} {
			if strings.Contains(string(b), id) {
				t.Errorf("%s names staff account %s", f, id)
			}
		}
	}
}

// Bad staff-role keys are errors naming the key and its line, before any
// data is read.
func TestStaffRolesSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		old, new, want string
	}{
		{`staff_roles = ["Instructor", "TeachingAssistant"]`, `staff_roles = ["Instructor", " "]`, `spec.toml:32: analyses[0].staff_roles: entry 2 is empty`},
		{`roster = { path = "roster.csv", id = "account", role = "role" }`, `roster = { path = "roster.csv", id = "account" }`, `spec.toml:33: analyses[0].roster: needs path, id and role`},
		{`staff_roles = ["Instructor", "TeachingAssistant"]`, `staff = ["x"]`, `spec.toml:33: analyses[0].roster: roles flag staff only with staff_roles`},
		{`kind = "network"`, `kind = "sequences"`, `spec.toml:32: analyses[0].staff_roles: only a network analysis leaves staff out`},
		{`format = "xapi"`, "[datasets.sources.columns]\nstudent = [\"a\"]\ntimestamp = \"t\"\naction = \"v\"", ""},
	} {
		src := strings.Replace(staffSpec, tc.old, tc.new, 1)
		if tc.want == "" { // CSV events and no roster: no source of roles
			src = strings.Replace(src, `roster = { path = "roster.csv", id = "account", role = "role" }`, "", 1)
			tc.want = `spec.toml:35: analyses[0].staff_roles: no source gives roles`
		}
		_, err := ParseSpec("spec.toml", ".", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: error %v, want %q", tc.old, tc.new, err, tc.want)
		}
	}
}
