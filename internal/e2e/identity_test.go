package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

const identityRealm = `enabled: true
defaultGroups: [/people]
clientScopes:
  - name: reports
    protocol: openid-connect
clients:
  - clientId: worker
    publicClient: false
    standardFlowEnabled: false
    serviceAccountsEnabled: true
    secret: ${env:WORKER_SECRET}
    defaultClientScopes: [acr, basic, email, profile, reports, roles, service_account, web-origins]
roles:
  realm:
    - name: viewer
    - name: editor
      composites:
        realm: [viewer]
    # Every new user gets viewer too.
    - name: default-roles-REALM
      composites:
        realm: [offline_access, uma_authorization, viewer]
  client:
    worker:
      # A client role composed of a realm role.
      - name: run
        composites:
          realm: [viewer]
groups:
  - name: people
    realmRoles: [viewer]
    subGroups:
      - name: editors
        realmRoles: [editor]
        clientRoles: {worker: [run]}
users:
  - username: carol
    enabled: true
    email: carol@example.com
    firstName: Carol
    lastName: Jones
    groups: [/people/editors]
  - username: dave
    enabled: true
    email: dave@example.com
    firstName: Dave
    lastName: Smith
    realmRoles: [editor]
    clientRoles: {worker: [run]}
  - username: service-account-worker
    realmRoles: [viewer]
    clientRoles: {worker: [run]}
`

// TestIdentityRoundTrip: users in nested groups, roles given directly and
// through groups, a service-account client, default groups and client
// scopes sync with nothing left to do; the export syncs into an empty realm
// and exports the same; changes and removals of the references plan and
// apply cleanly.
func TestIdentityRoundTrip(t *testing.T) {
	needKeycloak(t)
	needVersion(t, 26, 2, `it uses the built-in client scope "service_account"`)
	source := uniqueRealm(t, "identity")
	dir := t.TempDir()
	env := map[string]string{"WORKER_SECRET": "worker-e2e-secret-41"}
	realmFile := strings.ReplaceAll(identityRealm, "REALM", source)
	writeFiles(t, dir, map[string]string{filepath.Join(source, "realm.yaml"): realmFile})
	r := realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan")
	if !strings.Contains(r.stdout, `~ user "service-account-worker"  (service account: exists once its client has serviceAccountsEnabled)`) {
		t.Errorf("service account not planned as a merge:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after sync")

	// New users get the default role's composites; the client role carries
	// its realm role.
	if !strings.Contains(r.stdout, `~ realm role "default-roles-`+source+`"`) {
		t.Errorf("default role not planned as a merge:\n%s", r.stdout)
	}
	// The service account really got its roles.
	ctx := context.Background()
	api := adminClient(t)
	var sa map[string]any
	users, err := api.List(ctx, admin.Seg(source)+"/users", query("username", "service-account-worker"), 10)
	if err != nil || len(users) != 1 {
		t.Fatalf("service account: %v", err)
	}
	sa = users[0]
	var mapped []map[string]any
	if err := api.Get(ctx, admin.Seg(source)+"/users/"+admin.Seg(sa["id"].(string))+"/role-mappings/realm", nil, &mapped); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mapped {
		names = append(names, m["name"].(string))
	}
	if !strings.Contains(strings.Join(names, ","), "viewer") {
		t.Errorf("service account realm roles %v lack viewer", names)
	}

	// Export, take the export into an empty realm, export again.
	first := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", source, first), 0, "export")
	exportEnv := map[string]string{envVarName(source) + "_WORKER_SECRET": env["WORKER_SECRET"]}
	expectCode(t, realmsync(t, exportEnv, "plan", first), 0, "plan of the export against its source")
	target := uniqueRealm(t, "identity-copy")
	copyDir := t.TempDir()
	copyRealm(t, filepath.Join(first, source), copyDir, source, target)
	expectCode(t, realmsync(t, exportEnv, "sync", copyDir), 0, "sync of the export into an empty realm")
	expectCode(t, realmsync(t, exportEnv, "plan", copyDir), 0, "plan after syncing the export")
	second := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", target, second), 0, "second export")
	a, b := readTree(t, filepath.Join(first, source)), readTree(t, filepath.Join(second, target))
	for path, content := range a {
		a[path] = strings.NewReplacer(source, target, envVarName(source), envVarName(target)).Replace(content)
	}
	for path := range union(a, b) {
		if a[path] != b[path] {
			t.Errorf("%s differs between the exports:\n--- first (renamed) ---\n%s\n--- second ---\n%s", path, a[path], b[path])
		}
	}
	if !strings.Contains(a["roles.yaml"], "default-roles-"+target) {
		t.Errorf("export lacks the default role's composites:\n%s", a["roles.yaml"])
	}
	if !strings.Contains(a["users.yaml"], "username: service-account-worker") || !strings.Contains(a["realm.yaml"], "defaultGroups") {
		t.Errorf("export lacks the service account or the default groups:\n%s\n%s", a["users.yaml"], a["realm.yaml"])
	}

	// Change, then remove, references of every new kind.
	changed := strings.NewReplacer(
		"defaultGroups: [/people]", "defaultGroups: [/people/editors]",
		"[acr, basic, email, profile, reports, roles, service_account, web-origins]", "[acr, basic, email, profile, roles, service_account, web-origins]\n    optionalClientScopes: [reports]",
		"  - username: service-account-worker\n    realmRoles: [viewer]", "  - username: service-account-worker\n    realmRoles: []",
	).Replace(realmFile)
	writeFiles(t, dir, map[string]string{filepath.Join(source, "realm.yaml"): changed})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the change")
	for _, want := range []string{`defaultGroups: + group "/people/editors", - group "/people"`,
		`defaultClientScopes: - client scope "reports"`, `optionalClientScopes: + client scope "reports"`,
		`realmRoles: - realm role "viewer"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the change")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the change")
	removed := strings.Replace(changed, "defaultGroups: [/people/editors]", "defaultGroups: []", 1)
	writeFiles(t, dir, map[string]string{filepath.Join(source, "realm.yaml"): removed})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the removal")
	if !strings.Contains(r.stdout, `defaultGroups: - group "/people/editors"`) {
		t.Errorf("plan lacks the default group's removal:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the removal")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the removal")
}
