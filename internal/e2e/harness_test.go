// Package e2e runs realmsync's commands against a real Keycloak. One
// server serves the whole run: scripts/test.sh starts it and passes
// KEYCLOAK_URL; without that, TestMain starts one with scripts/keycloak.sh
// and stops it at the end. Each test works in realms of its own.
//
// In -short runs there is no Keycloak: TestMain starts the in-memory one
// (internal/fakekc), and the tests that say needKeycloak (the lifecycle
// suite) run against it, from the same code; needServer tests skip.
package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/cli"
	"github.com/realmsync/realmsync/internal/engine"
	"github.com/realmsync/realmsync/internal/fakekc"
	"github.com/realmsync/realmsync/internal/model"
)

// server is the Keycloak under test ("" URL: none, tests skip).
var server struct {
	url, user, password, log string
	// fake: the in-memory Keycloak of -short runs.
	fake bool
	// version is the server's Keycloak version.
	version model.Version
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runWithServer(m))
}

func runWithServer(m *testing.M) int {
	if testing.Short() {
		fake := fakekc.Start()
		defer fake.Close()
		server.url, server.user, server.password, server.fake = fake.URL, "admin", "admin", true
		detectVersion()
		return m.Run()
	}
	server.url = os.Getenv("KEYCLOAK_URL")
	server.user = envOr("KEYCLOAK_USER", "admin")
	server.password = envOr("KEYCLOAK_PASSWORD", "admin")
	server.log = os.Getenv("KEYCLOAK_LOG")
	if server.url == "" {
		script := filepath.Join(repoRoot(), "scripts", "keycloak.sh")
		alreadyRunning := exec.Command(script, "status").Run() == nil
		cmd := exec.Command(script, "up")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: starting Keycloak with %s failed: %v\n", script, err)
			return 1
		}
		if !alreadyRunning {
			// Stop only a server this run started.
			defer func() { _ = exec.Command(script, "down").Run() }()
		}
		server.url = strings.TrimSpace(string(out))
		if logOut, err := exec.Command(script, "logs").Output(); err == nil {
			server.log = strings.TrimSpace(string(logOut))
		}
	}
	detectVersion()
	fmt.Fprintf(os.Stderr, "e2e: Keycloak %s at %s\n", server.version, server.url)
	defer stopDirectory()
	return m.Run()
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// needVersion skips, saying so, a test of what servers older than
// major.minor do not have; TestNewerServerNeeded covers the refusal those
// servers get.
func needVersion(t *testing.T, major, minor int, why string) {
	t.Helper()
	if server.version.Known() && !server.version.AtLeast(model.Version{Major: major, Minor: minor}) {
		t.Skipf("needs Keycloak %d.%d or newer, this server is %s: %s", major, minor, server.version, why)
	}
}

// detectVersion asks the server under test for its version.
func detectVersion() {
	c, err := admin.New(admin.Config{BaseURL: server.url, Username: server.user, Password: server.password})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	server.version, _ = engine.DetectVersion(ctx, c, "")
}

// needKeycloak is for tests that hold for the in-memory Keycloak as for
// the real one: they run in -short runs too.
func needKeycloak(t *testing.T) {
	t.Helper()
	if !server.fake {
		needServer(t)
	}
}

// needServer skips in -short runs and prints the server log's tail when
// the test fails, since most e2e failures are explained there.
func needServer(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: needs a Keycloak server")
	}
	t.Cleanup(func() {
		if !t.Failed() || server.log == "" {
			return
		}
		data, err := os.ReadFile(server.log)
		if err != nil {
			return
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		t.Logf("last lines of the Keycloak log %s:\n%s", server.log, strings.Join(lines, "\n"))
	})
}

// uniqueRealm returns a realm name no other test uses, and deletes that
// realm when the test ends.
func uniqueRealm(t *testing.T, prefix string) string {
	t.Helper()
	name := prefix + "-" + randomHex(3)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = adminClient(t).Delete(ctx, admin.Seg(name), nil)
	})
	return name
}

// adminClient talks to the server directly, to make drift and to check
// state behind realmsync's back.
func adminClient(t *testing.T) *admin.Client {
	t.Helper()
	c, err := admin.New(admin.Config{BaseURL: server.url, Username: server.user, Password: server.password})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// result is one run of the realmsync command.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// realmsync runs the command in process, with the server's connection
// settings and extra environment variables.
func realmsync(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return realmsyncWithInput(t, nil, env, args...)
}

// realmsyncWithInput runs realmsync with stdin (nil: none).
func realmsyncWithInput(t *testing.T, stdin io.Reader, env map[string]string, args ...string) result {
	t.Helper()
	base := map[string]string{
		"KEYCLOAK_URL": server.url, "KEYCLOAK_USER": server.user, "KEYCLOAK_PASSWORD": server.password,
	}
	lookup := func(k string) (string, bool) {
		if v, ok := env[k]; ok {
			return v, true
		}
		v, ok := base[k]
		return v, ok
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code := cli.RunWithInput(ctx, args, stdin, &stdout, &stderr, lookup)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// expectCode fails the test unless the run exited with code.
func expectCode(t *testing.T, r result, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: want exit %d, got:\n%s", what, code, r)
	}
}

// copyRealm copies a realm directory to dstRoot/newName, renaming the
// realm in its files as an operator would: every occurrence, so that names
// derived from it (default-roles-<realm>) follow.
func copyRealm(t *testing.T, srcRealmDir, dstRoot, oldName, newName string) {
	t.Helper()
	err := filepath.Walk(srcRealmDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcRealmDir, path)
		dst := filepath.Join(dstRoot, newName, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte(oldName), []byte(newName))
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func query(key, value string) neturl.Values { return neturl.Values{key: {value}} }

// writeFiles writes a desired-state tree: path → content.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// appendFile appends text to a file.
func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// createRealm makes an enabled realm behind realmsync's back, and renews
// the client's token so that it may work in it.
func createRealm(t *testing.T, api *admin.Client, realm string) {
	t.Helper()
	ctx := context.Background()
	if _, err := api.Post(ctx, "", map[string]any{"realm": realm, "enabled": true}); err != nil {
		t.Fatal(err)
	}
	if err := api.RefreshToken(ctx); err != nil {
		t.Fatal(err)
	}
}
