package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// directory is the run's OpenLDAP server (scripts/ldap.sh), started the
// first time a test needs it and stopped when the run ends, like
// Keycloak: once per run, and only for runs with a federation test.
var directory struct {
	once    sync.Once
	env     map[string]string // LDAP_URL, LDAP_BIND_DN, ... as the script says
	err     error
	started bool
}

// needLDAP skips where needServer does, and starts the directory.
func needLDAP(t *testing.T) map[string]string {
	t.Helper()
	needServer(t)
	directory.once.Do(func() {
		script := filepath.Join(repoRoot(), "scripts", "ldap.sh")
		directory.started = exec.Command(script, "status").Run() != nil
		up := exec.Command(script, "up")
		up.Stderr = os.Stderr
		if out, err := up.Output(); err != nil {
			directory.err = err
			_ = out
			return
		}
		out, err := exec.Command(script, "env").Output()
		if err != nil {
			directory.err = err
			return
		}
		directory.env = map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
			if k, v, ok := strings.Cut(line, "="); ok {
				directory.env[k] = strings.Trim(v, `'"`)
			}
		}
	})
	if directory.err != nil {
		t.Fatalf("starting OpenLDAP with scripts/ldap.sh: %v", directory.err)
	}
	out := map[string]string{}
	for k, v := range directory.env {
		out[k] = v
	}
	return out
}

// stopDirectory stops a directory this run started.
func stopDirectory() {
	if directory.started && directory.env != nil {
		_ = exec.Command(filepath.Join(repoRoot(), "scripts", "ldap.sh"), "down").Run()
	}
}

// ldap runs one of OpenLDAP's clients (ldappasswd, ldapsearch) against
// the directory.
func ldapTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
