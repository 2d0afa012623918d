package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGitHeadCheckouts reads HEAD's commit in a plain clone (loose ref),
// a linked worktree on a packed branch and a detached linked worktree,
// each laid out as git writes it.
func TestGitHeadCheckouts(t *testing.T) {
	const (
		mainSHA    = "1111111111111111111111111111111111111111"
		featureSHA = "2222222222222222222222222222222222222222"
		detachSHA  = "3333333333333333333333333333333333333333"
	)
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const mod = "module example.org/m\n\ngo 1.24\n"
	write("repo/go.mod", mod)
	write("repo/.git/HEAD", "ref: refs/heads/main\n")
	write("repo/.git/refs/heads/main", mainSHA+"\n")
	write("repo/.git/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n"+featureSHA+" refs/heads/feature\n")
	write("repo/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n")
	write("repo/.git/worktrees/wt/commondir", "../..\n")
	write("wt/go.mod", mod)
	write("wt/.git", "gitdir: "+filepath.Join(root, "repo/.git/worktrees/wt")+"\n")
	write("repo/.git/worktrees/det/HEAD", detachSHA+"\n")
	write("repo/.git/worktrees/det/commondir", "../..\n")
	write("det/go.mod", mod)
	write("det/sub/placeholder", "")
	write("det/.git", "gitdir: ../repo/.git/worktrees/det\n")
	cases := []struct {
		dir, module, want string
		ok                bool
	}{
		{"repo", "example.org/m", mainSHA, true},
		{"wt", "example.org/m", featureSHA, true},
		{"det/sub", "example.org/m", detachSHA, true},
		{"repo", "example.org/other", "", false},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Chdir(filepath.Join(root, filepath.FromSlash(c.dir)))
			got, ok := gitHead(c.module)
			if got != c.want || ok != c.ok {
				t.Errorf("gitHead(%q) in %s = %q, %v; want %q, %v", c.module, c.dir, got, ok, c.want, c.ok)
			}
		})
	}
}
