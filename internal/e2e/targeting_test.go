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

// TestTargetOneObject: --target plans and applies one object (with its
// mappers), says the plan is partial, and leaves every other change for
// the next full sync; a target that names nothing is refused.
func TestTargetOneObject(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "target")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: web\n  - clientId: api\ngroups:\n  - name: staff\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: web\n    description: targeted\n" +
		"    protocolMappers:\n      - name: aud\n        protocol: openid-connect\n        protocolMapper: oidc-audience-mapper\n        config: {included.client.audience: web}\n" +
		"  - clientId: api\n    description: later\ngroups:\n  - name: staff\n    attributes: {team: [later]}\n"})
	r := realmsync(t, nil, "plan", "--target", "client:web", dir)
	expectCode(t, r, 2, "plan --target")
	if !strings.Contains(r.stdout, `~ client "web"`) || !strings.Contains(r.stdout, `+ client mapper "web/aud"`) ||
		strings.Contains(r.stdout, `client "api"`) || strings.Contains(r.stdout, `group "/staff"`) || !strings.Contains(r.stdout, "partial plan (--target client:web)") {
		t.Errorf("plan --target client:web should hold web and its mapper only, and say it is partial:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "--target", "client:web", dir), 0, "sync --target")
	expectCode(t, realmsync(t, nil, "plan", "--target", "client:web", dir), 0, "plan --target after its sync")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "the full plan after a targeted sync")
	if strings.Contains(r.stdout, `client "web"`) || !strings.Contains(r.stdout, `~ client "api"`) || !strings.Contains(r.stdout, `~ group "/staff"`) {
		t.Errorf("the full plan should hold what the target left out, and nothing of web:\n%s", r.stdout)
	}
	r = realmsync(t, nil, "plan", "--target", "client:wbe", dir)
	expectCode(t, r, 1, "a target naming nothing")
	if !strings.Contains(r.stderr, `did you mean "web"`) {
		t.Errorf("the refusal should suggest web:\n%s", r.stderr)
	}
}
