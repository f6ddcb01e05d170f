package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverShown runs every command and view on a realm whose
// desired state sets secrets, and scans everything the runs wrote —
// stdout, stderr, metrics, reports, exports — and the repository's
// testdata for the values.
func TestSecretsNeverShown(t *testing.T) {
	needKeycloak(t)
	const clientSecret, smtpPassword = "cs-7Hq2-never-print-me", "smtp-9Zx4-never-print-me"
	env := map[string]string{"CLIENT_SECRET": clientSecret, "SMTP_PASSWORD": smtpPassword}
	realm := uniqueRealm(t, "secrets")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
smtpServer:
  host: smtp.example.com
  from: sso@example.com
  auth: "true"
  user: sso
  password: ${env:SMTP_PASSWORD}
clients:
  - clientId: confidential
    publicClient: false
    secret: ${env:CLIENT_SECRET}
`})
	out := t.TempDir()
	var outputs []string
	run := func(args ...string) {
		r := realmsync(t, env, args...)
		if r.code == 1 {
			t.Errorf("%v failed:\n%s", args, r)
		}
		outputs = append(outputs, r.stdout, r.stderr)
	}
	run("validate", dir)
	for _, view := range []string{"text", "json", "markdown"} {
		run("plan", "-o", view, "--log-level", "debug", dir)
	}
	run("sync", "--log-level", "debug", dir)
	env["CLIENT_SECRET"] = clientSecret + "-rotated"
	for _, view := range []string{"text", "json", "markdown"} {
		run("plan", "-o", view, dir) // a changed secret: shown as changed, without values
	}
	run("drift", "--metrics-file", filepath.Join(out, "m.prom"), "--report-file", filepath.Join(out, "r.json"), dir)
	run("sync", dir)
	run("export", "--realm", realm, out)

	secrets := []string{clientSecret, clientSecret + "-rotated", smtpPassword}
	for i, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("output %d shows a secret:\n%s", i, o)
			}
		}
	}
	for _, root := range []string{out, filepath.Join(repoRoot(), "testdata")} {
		err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			for _, s := range secrets {
				if strings.Contains(string(data), s) {
					t.Errorf("%s holds a secret", path)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(outputs) < 20 {
		t.Errorf("only %d outputs scanned", len(outputs))
	}
}
