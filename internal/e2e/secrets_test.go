package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
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
	const clientSecret, smtpPassword, bindPassword = "cs-7Hq2-never-print-me", "smtp-9Zx4-never-print-me", "ldap-4Kw8-never-print-me"
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	keyBody := strings.Join(strings.Split(strings.TrimSpace(keyPEM), "\n")[1:len(strings.Split(strings.TrimSpace(keyPEM), "\n"))-1], "")
	env := map[string]string{"CLIENT_SECRET": clientSecret, "SMTP_PASSWORD": smtpPassword, "BIND_PASSWORD": bindPassword, "RSA_KEY": keyPEM}
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
userFederation:
  - name: directory
    providerId: ldap
    enabled: false
    editMode: READ_ONLY
    vendor: other
    connectionUrl: ldap://127.0.0.1:1
    usersDn: ou=people,dc=example,dc=org
    bindDn: cn=keycloak,dc=example,dc=org
    bindCredential: ${env:BIND_PASSWORD}
components:
  org.keycloak.keys.KeyProvider:
    - name: imported-rsa
      providerId: rsa
      config:
        priority: [10]
        privateKey: ["${env:RSA_KEY}"]
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

	secrets := []string{clientSecret, clientSecret + "-rotated", smtpPassword, bindPassword, keyBody[:64], keyBody[len(keyBody)-64:]}
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
