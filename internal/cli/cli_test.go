package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodesAndUsage(t *testing.T) {
	env := map[string]string{"ACME_ORDERS_API_SECRET": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{nil, ExitError, "", "Usage:"},
		{[]string{"--help"}, ExitOK, "Commands:", ""},
		{[]string{"--version"}, ExitOK, "realmsync dev", ""},
		{[]string{"version", "--help"}, ExitOK, "Print realmsync's version.", ""},
		{[]string{"frobnicate"}, ExitError, "", `unknown command "frobnicate"`},
		{[]string{"plan"}, ExitError, "", "expected one or more directories, got none"},
		{[]string{"plan", "--no-such-flag", "x"}, ExitError, "", "unknown flag: --no-such-flag"},
		{[]string{"plan", "--help"}, ExitOK, "Exit codes: 0 no changes, 2 changes planned, 1 error.", ""},
		{[]string{"sync", "-h"}, ExitOK, "--dry-run", ""},
		{[]string{"export", "out"}, ExitError, "", "--realm is required"},
		{[]string{"validate", "../../examples/realms"}, ExitOK, "1 realm(s) valid: acme", ""},
		{[]string{"schema"}, ExitOK, `"title": "realmsync realm file"`, ""},
		{[]string{"schema", "extra"}, ExitError, "", "expected 0 argument(s), got 1"},
		{[]string{"plan", "--concurrency", "0", "../../examples/realms"}, ExitError, "", "--concurrency 0: want 1 or more"},
		{[]string{"sync", "--max-deletes", "-5", "../../examples/realms"}, ExitError, "", "--max-deletes -5: want 0 or more, or -1 for no limit"},
		{[]string{"plan", "--max-delete-ratio", "2", "../../examples/realms"}, ExitError, "", "--max-delete-ratio 2: want a number from 0 to 1"},
		{[]string{"plan", "--timeout", "0s", "../../examples/realms"}, ExitError, "", "--timeout 0s: want a duration above zero"},
		{[]string{"export", "--concurrency", "-1", "--realm", "acme", "out"}, ExitError, "", "--concurrency -1: want 1 or more"},
		{[]string{"validate", "/nonexistent"}, ExitError, "", "reading desired state"},
		{[]string{"plan", "../../examples/realms"}, ExitError, "", "no server: set --url or KEYCLOAK_URL"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tc.args, &stdout, &stderr, lookup)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stdout ⊇ %q, stderr ⊇ %q", code, tc.code, stdout.String(), stderr.String(), tc.stdout, tc.stderr)
			}
		})
	}
}

// TestPanicExitsOne: a bug must exit 1, never 2 ("changes"), with a
// message that says it is one.
func TestPanicExitsOne(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"plan", "../../examples/realms"}, &stdout, &stderr,
		func(string) (string, bool) { panic("simulated bug") })
	if code != ExitError || !strings.Contains(stderr.String(), "internal error (a bug in realmsync") {
		t.Errorf("exit %d, stderr %q: want 1 and the bug named", code, stderr.String())
	}
}

// TestJSONLogsOnly: with --log-format json every line on stderr is a JSON
// record, the final error too.
func TestJSONLogsOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme", "realm.yaml"), []byte("enabled: true\nclients:\n  - clientId: web\n    publicClinet: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"plan", "--log-format", "json", dir}, &stdout, &stderr, func(string) (string, bool) { return "", false })
	if code != ExitError {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	var sawError bool
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON line: %q", line)
			continue
		}
		if rec["level"] == "ERROR" && strings.Contains(rec["msg"].(string), "publicClinet") {
			sawError = true
		}
	}
	if !sawError {
		t.Errorf("no ERROR record naming the problem:\n%s", stderr.String())
	}
}
