package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetedPlans: --only and --skip plan a part and say so, and refuse
// a part whose changes need an object only a left-out kind would create.
func TestTargetedPlans(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "target")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "create the realm")
	writeFiles(t, dir, map[string]string{file: `enabled: true
clients:
  - clientId: app
    publicClient: true
roles:
  client:
    app:
      - name: read
groups:
  - name: staff
    clientRoles: {app: [read]}
`})
	r := realmsync(t, nil, "plan", "--only", "clientRole", dir)
	expectCode(t, r, 1, "a role without its new client")
	if !strings.Contains(r.stderr, `client role "app/read" needs client "app", which only a left-out client create makes`) {
		t.Errorf("refusal does not name the missing dependency:\n%s", r)
	}
	r = realmsync(t, nil, "plan", "--only", "clients", dir)
	expectCode(t, r, 2, "clients only")
	if !strings.Contains(r.stdout, "partial plan (--only client): only changes to clients are planned") || strings.Contains(r.stdout, "+ group") || !strings.Contains(r.stdout, "Plan: 1 to create") {
		t.Errorf("a clients-only plan:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "--only", "clients", dir), 0, "sync clients only")
	expectCode(t, realmsync(t, nil, "sync", "--skip", "groups", dir), 0, "sync all but groups")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "the rest")
	if !strings.Contains(r.stdout, `+ group "/staff"`) || !strings.Contains(r.stdout, "Plan: 1 to create, 0 to update, 0 to delete.") {
		t.Errorf("after the targeted syncs, only the group is left:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync the rest")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after all")
}
