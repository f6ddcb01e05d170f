package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

const attributesBefore = `
enabled: true
clientSessionIdleTimeout: 900
attributes:
  team: identity
  tier: gold
userProfile:
  unmanagedAttributePolicy: ENABLED
clientScopes:
  - name: tagged
    protocol: openid-connect
    attributes: {include.in.token.scope: "true", custom.note: hello}
clients:
  - clientId: app
    publicClient: true
    attributes:
      pkce.code.challenge.method: S256
      custom.flag: "on"
  - clientId: account
    attributes: {custom.mark: "1"}
roles:
  realm:
    - name: tagged
      attributes: {keep: ["1"], drop: ["2"]}
groups:
  - name: team
    attributes: {floor: ["3"], badge: ["blue"]}
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Example
    attributes: {dept: [eng], desk: ["42"]}
`

// The same realm with one attribute key gone from each object.
const attributesAfter = `
enabled: true
clientSessionIdleTimeout: 900
attributes:
  team: identity
userProfile:
  unmanagedAttributePolicy: ENABLED
clientScopes:
  - name: tagged
    protocol: openid-connect
    attributes: {include.in.token.scope: "true"}
clients:
  - clientId: app
    publicClient: true
    attributes:
      pkce.code.challenge.method: S256
  - clientId: account
    attributes: {custom.mark: "1"}
roles:
  realm:
    - name: tagged
      attributes: {keep: ["1"]}
groups:
  - name: team
    attributes: {floor: ["3"]}
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Example
    attributes: {dept: [eng]}
`

// TestAttributeKeysRemoved: an attributes map written down is the whole
// truth. A key the files drop is planned as a removal, removed on the
// server, and the next plan is empty; the keys Keycloak keeps for itself
// (a realm's mirrored settings, a client's realm_client) and the other
// attributes of a built-in client stay. An export then re-plans zero.
func TestAttributeKeysRemoved(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "attrs")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: strings.TrimLeft(attributesBefore, "\n")})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "first sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the first sync")

	writeFiles(t, dir, map[string]string{file: strings.TrimLeft(attributesAfter, "\n")})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan without the keys")
	for _, want := range []string{
		`attributes.tier: "gold" → (removed)`,
		`attributes.custom.note: "hello" → (removed)`,
		`attributes.custom.flag: "on" → (removed)`,
		`attributes.drop: ["2"] → (removed)`,
		`attributes.badge: ["blue"] → (removed)`,
		`attributes.desk: ["42"] → (removed)`,
		"Plan: 0 to create, 6 to update, 0 to delete.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, never := range []string{"clientSessionIdleTimeout: ", "realm_client", "cibaInterval", `client "account"`} {
		if strings.Contains(r.stdout, never) {
			t.Errorf("plan touches %q, which is Keycloak's:\n%s", never, r.stdout)
		}
	}
	r = realmsync(t, nil, "plan", "-o", "json", dir)
	if !strings.Contains(r.stdout, `"path": "attributes.tier",
          "before": "gold",
          "unset": true`) {
		t.Errorf("JSON plan does not mark the removal as unset:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync without the keys")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after removing the keys")

	api := adminClient(t)
	ctx := context.Background()
	var live map[string]any
	if err := api.Get(ctx, admin.Seg(realm), nil, &live); err != nil {
		t.Fatal(err)
	}
	attrs, _ := live["attributes"].(map[string]any)
	if _, ok := attrs["tier"]; ok {
		t.Errorf("realm attribute tier is still on the server: %v", attrs)
	}
	if live["clientSessionIdleTimeout"] != float64(900) || attrs["team"] != "identity" {
		t.Errorf("the realm lost what the files keep: clientSessionIdleTimeout %v, attributes %v", live["clientSessionIdleTimeout"], attrs)
	}
	var accounts []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients", query("clientId", "account"), &accounts); err != nil || len(accounts) != 1 {
		t.Fatalf("reading client account: %v %v", err, accounts)
	}
	if a, _ := accounts[0]["attributes"].(map[string]any); a["post.logout.redirect.uris"] == nil || a["custom.mark"] != "1" {
		t.Errorf("built-in client account lost attributes the files never mention: %v", a)
	}

	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	for path, content := range readTree(t, filepath.Join(out, realm)) {
		for _, server := range []string{"cibaInterval", "parRequestUriLifespan", "realm_client", "clientSessionIdleTimeout: \"900\""} {
			if strings.Contains(content, server) {
				t.Errorf("export file %s holds Keycloak's own attribute %s:\n%s", path, server, content)
			}
		}
	}
	if r := realmsync(t, nil, "plan", out); r.code != 0 {
		t.Errorf("the export does not re-plan zero:\n%s", r)
	}
}
