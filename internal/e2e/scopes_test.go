package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

const scopeMappingsRealm = `enabled: true
clients:
  - clientId: api
    publicClient: true
    fullScopeAllowed: false
clientScopes:
  - name: extra
    protocol: openid-connect
roles:
  realm:
    - name: reader
    - name: writer
  client:
    api:
      - name: read
scopeMappings:
  - client: api
    roles: [reader]
  - clientScope: extra
    roles: [writer]
  - client: admin-cli
    roles: [reader]
clientScopeMappings:
  api:
    - client: api
      roles: [read]
`

// TestScopeMappings: scope mappings of clients (a built-in one too) and
// client scopes, in Keycloak's realm-level shape, through create, change,
// removal and export.
func TestScopeMappings(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "scopes")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: scopeMappingsRealm})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan")
	for _, want := range []string{`scopeMappings: + client role "api/read", + realm role "reader"`,
		`~ client "admin-cli"`, `scopeMappings: + realm role "writer"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")

	changed := strings.NewReplacer("  - client: api\n    roles: [reader]", "  - client: api\n    roles: [writer]",
		"  - clientScope: extra\n    roles: [writer]", "  - clientScope: extra\n    roles: []").Replace(scopeMappingsRealm)
	writeFiles(t, dir, map[string]string{file: changed})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the change")
	for _, want := range []string{`scopeMappings: + realm role "writer", - realm role "reader"`, `scopeMappings: - realm role "writer"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the change")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the change")

	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	files := readTree(t, filepath.Join(out, realm))
	if !strings.Contains(files["realm.yaml"], "scopeMappings:") || !strings.Contains(files["realm.yaml"], "clientScopeMappings:") {
		t.Errorf("export lacks the scope mappings:\n%s", files["realm.yaml"])
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")
}
