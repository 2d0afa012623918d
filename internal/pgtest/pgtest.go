// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb
// with trust authentication in a temporary directory, a server listening
// only on a unix socket in that directory, with fsync off, stopped and
// removed when the test ends. Binaries are looked up in
// /usr/lib/postgresql/*/bin (Debian's postgresql package, highest version
// first), then on PATH; tests skip with a message only when none is
// found. As root the cluster runs as the postgres user (runuser), since
// the server refuses to run as root.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Bin returns the directory of initdb, pg_ctl and postgres, or "".
func Bin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p)
	}
	return ""
}

// Cluster is a running throwaway server.
type Cluster struct {
	// Dir holds the data directory and the socket.
	Dir string
	// ConnString connects as the superuser postgres to database postgres.
	ConnString string
	bin        string
	asUser     string // "postgres" when run through runuser
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// Start starts a cluster for the test and registers its removal.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin := Bin()
	if bin == "" {
		t.Skip("no PostgreSQL binaries (looked in /usr/lib/postgresql/*/bin and PATH; Debian package postgresql): skipping PostgreSQL tests")
	}
	c, err := start(bin)
	if err != nil {
		t.Fatalf("starting PostgreSQL from %s: %v", bin, err)
	}
	t.Cleanup(c.Stop)
	return c
}

func start(bin string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "evalrun-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.asUser = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := c.command("initdb", "-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC", dir)
	if out, err := c.command("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.ConnString = fmt.Sprintf("host=%s user=postgres dbname=postgres sslmode=disable", dir)
	return c, nil
}

// Stop stops the server and removes its directory.
func (c *Cluster) Stop() {
	c.command("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(c.Dir)
}

// Exec runs SQL statements (separated by semicolons) on the cluster.
func (c *Cluster) Exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgconn.Connect(ctx, c.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql).ReadAll(); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// Copy loads CSV text (with a header line) into table with COPY.
func (c *Cluster) Copy(t testing.TB, table, csv string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgconn.Connect(ctx, c.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.CopyFrom(ctx, strings.NewReader(csv), "COPY "+table+" FROM STDIN WITH (FORMAT csv, HEADER true)"); err != nil {
		t.Fatalf("COPY %s: %v", table, err)
	}
}

// CPUSeconds returns the CPU time (user and system) the cluster's server
// processes have used so far: the postmaster, its live children and the
// children it has reaped (exited backends). Linux only (/proc); 0 elsewhere.
func (c *Cluster) CPUSeconds() float64 {
	b, err := os.ReadFile(filepath.Join(c.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	master, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	const ticks = 100.0 // USER_HZ on Linux
	stat := func(pid int) (ppid int, fields []string, ok bool) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, nil, false
		}
		s := string(b)
		s = s[strings.LastIndexByte(s, ')')+2:] // fields from 3 (state) on
		f := strings.Fields(s)
		if len(f) < 15 {
			return 0, nil, false
		}
		ppid, _ = strconv.Atoi(f[1])
		return ppid, f, true
	}
	sum := func(f []string, idx ...int) float64 {
		t := 0.0
		for _, i := range idx {
			v, _ := strconv.ParseFloat(f[i-3], 64)
			t += v
		}
		return t / ticks
	}
	total := 0.0
	if _, f, ok := stat(master); ok {
		total += sum(f, 14, 15, 16, 17) // utime, stime, cutime, cstime
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == master {
			continue
		}
		if ppid, f, ok := stat(pid); ok && ppid == master {
			total += sum(f, 14, 15)
		}
	}
	return total
}
