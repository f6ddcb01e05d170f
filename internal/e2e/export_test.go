package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportIntoAnExistingTree: an export leaves out what every new
// mapper has (consentRequired: false). Exporting over a realm's files the user
// has reorganised (a client's file moved to another folder) is refused,
// naming the files, and changes nothing; with --force the realm's YAML
// files are replaced whole (no duplicate left in the moved file), other
// files stay, and the tree validates and plans zero.
func TestExportIntoAnExistingTree(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "reexport")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\nclients:\n  - clientId: web\n    publicClient: true\n    redirectUris: [https://web.example/*]\n" +
		"    protocolMappers:\n      - name: aud\n        protocol: openid-connect\n        protocolMapper: oidc-audience-mapper\n        config: {included.client.audience: web, access.token.claim: \"true\"}\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "first export")
	if web := string(mustRead(t, filepath.Join(out, realm, "clients", "web.yaml"))); strings.Contains(web, "consentRequired") || !strings.Contains(web, "oidc-audience-mapper") {
		t.Errorf("the export should write the mapper without the value every mapper has (consentRequired: false):\n%s", web)
	}
	moved := filepath.Join(out, realm, "apps", "web.yaml")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(out, realm, "clients", "web.yaml"), moved); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, out, map[string]string{filepath.Join(realm, "README.md"): "kept\n"})
	before := string(mustRead(t, moved))

	r := realmsync(t, nil, "export", "--realm", realm, out)
	expectCode(t, r, 1, "export into the existing tree without --force")
	if !strings.Contains(r.stderr, "pass --force") || string(mustRead(t, moved)) != before {
		t.Errorf("the refusal should name --force and leave the files alone:\n%s", r.stderr)
	}
	expectCode(t, realmsync(t, nil, "export", "--force", "--realm", realm, out), 0, "export --force")
	if _, err := os.Stat(moved); !os.IsNotExist(err) {
		t.Errorf("the moved client file is still there (a duplicate definition): %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, realm, "README.md")); err != nil {
		t.Errorf("a file that is not YAML went: %v", err)
	}
	expectCode(t, realmsync(t, nil, "validate", out), 0, "validate after export --force")
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan after export --force")
}
