package rotationtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// postgres is a PostgreSQL server the test started.
type postgres struct {
	port      int
	superuser map[string]any // the credentials of the superuser, postgres, as a secret's value
}

// pgBinDir returns the directory of the PostgreSQL server binaries
// (initdb, pg_ctl, postgres): pg_config --bindir's, Debian's
// /usr/lib/postgresql/<version>/bin (the newest), or PATH's; "" if none.
func pgBinDir() string {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "initdb"))
		_, err2 := os.Stat(filepath.Join(dir, "pg_ctl"))
		return dir != "" && err == nil && err2 == nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil && has(strings.TrimSpace(string(out))) {
		return strings.TrimSpace(string(out))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, dir := range dirs {
		if has(dir) {
			return dir
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(path); has(dir) {
			return dir
		}
	}
	return ""
}

// versionOf returns the major version of /usr/lib/postgresql/<version>/bin.
func versionOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// startPostgres initializes a database cluster in a new temporary
// directory and starts its server on 127.0.0.1 at a free port, with
// password authentication (SCRAM) for every connection; it is stopped and
// removed when the test ends. As root the server runs as the postgres
// user, since initdb and postgres refuse root. The test is skipped when no
// PostgreSQL server binaries are found.
func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("no PostgreSQL server binaries (initdb, pg_ctl) in pg_config --bindir, /usr/lib/postgresql/*/bin or PATH; install Debian's postgresql package to run this test")
	}
	var as []string // the command prefix that runs as the postgres user
	var owner *user.User
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs a user to run as, and there is no postgres user: %v", err)
		}
		owner, as = u, []string{"runuser", "-u", "postgres", "--"}
	}
	// Not t.TempDir: its parent is closed to other users, and the socket's
	// path must stay short.
	dir, err := os.MkdirTemp("", "stagelabel-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	superPassword := "super-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(superPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		if as != nil {
			cmd = exec.Command(as[0], append(append(as[1:], filepath.Join(bin, name)), args...)...)
		}
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale", "C")
	port := freePort(t)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off", port, dir)
	run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start")
	t.Cleanup(func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
	})
	return &postgres{port: port, superuser: map[string]any{
		"engine": "postgres", "host": "127.0.0.1", "port": port, "username": "postgres", "password": superPassword, "dbname": "postgres",
	}}
}

// freePort returns a TCP port of 127.0.0.1 that no one listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// createRole creates the login role name with password and returns its
// credentials as the value of a secret that AWS's PostgreSQL rotation
// templates rotate.
func (pg *postgres) createRole(t *testing.T, name, password string) map[string]any {
	t.Helper()
	conn, err := connect(t.Context(), pg.superuser)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var create string
	if err := conn.QueryRow(t.Context(), "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", name, password).Scan(&create); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), create); err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"engine": "postgres", "host": "127.0.0.1", "port": pg.port, "username": name, "password": password, "dbname": "postgres",
	}
}
