package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/model"
)

const authorizationRealm = `enabled: true
roles:
  realm:
    - name: admin
    - name: user
groups:
  - name: staff
users:
  - username: alice
    enabled: true
    realmRoles: [admin]
clients:
  - clientId: orders-api
    publicClient: false
    serviceAccountsEnabled: true
    authorizationServicesEnabled: true
    authorizationSettings:
      policyEnforcementMode: ENFORCING
      decisionStrategy: UNANIMOUS
      allowRemoteResourceManagement: false
      scopes:
        - name: read
        - name: write
        - name: delete
      resources:
        - name: orders
          type: urn:orders-api:orders
          uris: [/orders/*]
          scopes: [read, write, delete]
        - name: invoices
          uris: [/invoices/*]
          scopes: [read]
        - name: customers
          uris: [/customers/*]
          scopes: [read, write]
        - name: reports
          uris: [/reports/*]
        - name: settings
          displayName: Settings
          uris: [/settings]
      policies:
        - name: admins
          type: role
          config:
            roles: [admin]
        - name: users
          type: role
          config:
            roles: '[{"id":"user","required":true}]'
        - name: staff
          type: group
          config:
            groups: [/staff]
        - name: alice-only
          type: user
          config:
            users: [alice]
        - name: until-2099
          type: time
          config:
            notOnOrAfter: "2099-01-01 00:00:00"
        - name: admins-or-staff
          type: aggregate
          decisionStrategy: AFFIRMATIVE
          config:
            applyPolicies: [staff, admins]
        - name: orders-permission
          type: resource
          config:
            resources: [orders]
            applyPolicies: [admins-or-staff]
        - name: invoices-permission
          type: resource
          config:
            resources: [invoices]
            applyPolicies: [admins]
        - name: customers-read
          type: scope
          config:
            resources: [customers]
            scopes: [read]
            applyPolicies: [users]
        - name: reports-write
          type: scope
          decisionStrategy: AFFIRMATIVE
          config:
            scopes: [write]
            applyPolicies: [alice-only, until-2099]
`

// TestClientAuthorization: a client's authorization services with 5
// resources, 3 scopes, 6 policies of 5 types (one an aggregate) and 4
// permissions: created, re-planned zero; one policy's logic and one
// permission's resources changed: exactly two updates, in place, and
// authorization still on (Keycloak's evaluate endpoint permits alice);
// a permission and a resource removed; an export round trip; and a
// reference to an undeclared policy refused before any write.
func TestClientAuthorization(t *testing.T) {
	needServer(t)
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "authz")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: authorizationRealm})
	r := syncConverges(t, dir)
	for _, want := range []string{`+ authorization scope "orders-api/read"`, `+ authorization resource "orders-api/orders"`, `+ authorization policy "orders-api/admins-or-staff"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}

	var clients []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients", query("clientId", "orders-api"), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("the client: %v %v", clients, err)
	}
	base := admin.Seg(realm) + "/clients/" + clients[0]["id"].(string) + "/authz/resource-server"
	policyIDs := func() map[string]string {
		var all []map[string]any
		if err := api.Get(ctx, base+"/policy", query("max", "100"), &all); err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, p := range all {
			ids[p["name"].(string)] = p["id"].(string)
		}
		return ids
	}
	// Keycloak 24 and 25 add a default resource, policy and permission.
	defaults := 0
	if !server.version.AtLeast(model.Version{Major: 26}) {
		defaults = 1
	}
	before := policyIDs()
	if len(before) != 10+2*defaults {
		t.Errorf("policies and permissions on the server: %v, want %d", before, 10+2*defaults)
	}
	var resources []map[string]any
	if err := api.Get(ctx, base+"/resource", query("max", "100"), &resources); err != nil || len(resources) != 5+defaults {
		t.Errorf("resources on the server: %d (%v), want %d", len(resources), err, 5+defaults)
	}

	// One policy's logic and one permission's resources.
	changed := strings.Replace(authorizationRealm, `        - name: users
          type: role
`, `        - name: users
          type: role
          logic: NEGATIVE
`, 1)
	changed = strings.Replace(changed, "resources: [invoices]", "resources: [invoices, reports]", 1)
	writeFiles(t, dir, map[string]string{file: changed})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of two changes")
	for _, want := range []string{"Plan: 0 to create, 2 to update, 0 to delete.", `~ authorization policy "orders-api/users"`, `logic: "POSITIVE" → "NEGATIVE"`, `~ authorization policy "orders-api/invoices-permission"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	syncConverges(t, dir)
	after := policyIDs()
	for name, id := range before {
		if after[name] != id {
			t.Errorf("policy %s was made again: id %s, was %s", name, after[name], id)
		}
	}

	// Authorization is still on: Keycloak evaluates alice's access.
	var users []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/users", query("username", "alice"), &users); err != nil || len(users) != 1 {
		t.Fatalf("alice: %v %v", users, err)
	}
	var verdict map[string]any
	err := api.Action(ctx, base+"/policy/evaluate", nil, map[string]any{
		"userId": users[0]["id"], "resources": []any{map[string]any{"name": "orders"}}, "entitlements": false,
		"context": map[string]any{"attributes": map[string]any{}},
	}, &verdict)
	if err != nil || verdict["status"] != "PERMIT" {
		t.Errorf("evaluating alice on orders: %v, %v; want PERMIT", verdict["status"], err)
	}
	var client map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients/"+clients[0]["id"].(string), nil, &client); err != nil || client["authorizationServicesEnabled"] != true {
		t.Errorf("authorization services are off after the sync: %v %v", client["authorizationServicesEnabled"], err)
	}

	// Export, and back to zero.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "clients", "orders-api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"authorizationSettings:", "policyEnforcementMode: ENFORCING", "name: admins-or-staff", "applyPolicies:", "- /orders/*"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("the export lacks %q:\n%s", want, exported)
		}
	}
	// The export names the client's secret by a variable: its value is
	// the server's.
	secretEnv := map[string]string{}
	for _, line := range strings.Split(string(exported), "\n") {
		if _, after, ok := strings.Cut(line, "${env:"); ok {
			secretEnv[strings.TrimSuffix(strings.TrimSpace(after), "}")] = clients[0]["secret"].(string)
		}
	}
	expectCode(t, realmsync(t, secretEnv, "plan", out), 0, "plan of the export")

	// A permission and a resource removed; the settings changed.
	removed := strings.Replace(changed, `        - name: settings
          displayName: Settings
          uris: [/settings]
`, "", 1)
	removed = strings.Replace(removed, `        - name: reports-write
          type: scope
          decisionStrategy: AFFIRMATIVE
          config:
            scopes: [write]
            applyPolicies: [alice-only, until-2099]
`, "", 1)
	removed = strings.Replace(removed, "policyEnforcementMode: ENFORCING", "policyEnforcementMode: PERMISSIVE", 1)
	writeFiles(t, dir, map[string]string{file: removed})
	r = syncConverges(t, dir)
	for _, want := range []string{`- authorization resource "orders-api/settings"`, `- authorization policy "orders-api/reports-write"`, `authorizationSettings.policyEnforcementMode: "ENFORCING" → "PERMISSIVE"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the sync lacks %q:\n%s", want, r.stdout)
		}
	}
	var settings map[string]any
	if err := api.Get(ctx, base, nil, &settings); err != nil || settings["policyEnforcementMode"] != "PERMISSIVE" {
		t.Errorf("resource server settings: %v %v", settings, err)
	}
	if n := len(policyIDs()); n != 9+2*defaults {
		t.Errorf("%d policies after the removal, want %d", n, 9+2*defaults)
	}

	// A permission naming a policy nobody declared.
	writeFiles(t, dir, map[string]string{file: strings.Replace(removed, "applyPolicies: [admins]", "applyPolicies: [admin]", 1)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "a permission naming an undeclared policy")
	if !strings.Contains(r.stderr, "realm.yaml:") || !strings.Contains(r.stderr, `authorization policy "admin" is not declared`) || !strings.Contains(r.stderr, `did you mean "admins"?`) {
		t.Errorf("the error should name the file, the policy and a suggestion:\n%s", r)
	}
	if n := len(policyIDs()); n != 9+2*defaults {
		t.Errorf("a refused sync changed the policies: %d", n)
	}
}
