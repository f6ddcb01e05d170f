package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

const organizationsRealm = `enabled: true
organizationsEnabled: true
users:
  - username: alice
    enabled: true
  - username: bob
    enabled: true
identityProviders:
  - alias: corp
    providerId: oidc
    config:
      clientId: kc
      clientAuthMethod: client_secret_post
      authorizationUrl: https://idp.example/auth
      tokenUrl: https://idp.example/token
organizations:
  - alias: acme
    name: Acme Inc
    description: the first customer
    redirectUrl: https://acme.example/
    enabled: true
    domains:
      - {name: acme.example, verified: true}
      - {name: acme.test}
    attributes:
      tier: [gold]
    members: [alice]
    identityProviders: [corp]
  - alias: globex
    name: Globex
    domains:
      - {name: globex.example}
`

// TestOrganizations: organizations with domains, attributes, members by
// username and linked identity providers by alias: created, changed (a
// member added, a domain dropped, an attribute changed), removed, re-plan
// zero after each, an export round trip, the realm export's shape
// (members and providers as representations) planning zero too, and
// organizations without organizationsEnabled refused before any write.
func TestOrganizations(t *testing.T) {
	needKeycloak(t)
	needVersion(t, 26, 0, "organizations are Keycloak 26's")
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "orgs")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: organizationsRealm})
	r := syncConverges(t, dir)
	for _, want := range []string{`+ organization "acme"`, `+ organization "globex"`, `members: + user "alice"`, `identityProviders: + identity provider "corp"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}

	orgID := func(alias string) string {
		var orgs []map[string]any
		if err := api.Get(ctx, admin.Seg(realm)+"/organizations", query("briefRepresentation", "false"), &orgs); err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			if o["alias"] == alias {
				return o["id"].(string)
			}
		}
		return ""
	}
	names := func(path, field string) string {
		var objs []map[string]any
		if err := api.Get(ctx, admin.Seg(realm)+"/organizations/"+orgID("acme")+"/"+path, nil, &objs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range objs {
			out = append(out, o[field].(string))
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	acmeID := orgID("acme")
	if acmeID == "" || orgID("globex") == "" {
		t.Fatalf("organizations missing on the server")
	}
	if got := names("members", "username"); got != "alice" {
		t.Errorf("acme's members: %s", got)
	}
	if got := names("identity-providers", "alias"); got != "corp" {
		t.Errorf("acme's identity providers: %s", got)
	}

	// A member added, a domain dropped, an attribute changed: acme alone
	// is updated, in place.
	changed := strings.Replace(organizationsRealm, "      - {name: acme.test}\n", "", 1)
	changed = strings.Replace(changed, "tier: [gold]", "tier: [platinum]", 1)
	changed = strings.Replace(changed, "members: [alice]", "members: [alice, bob]", 1)
	writeFiles(t, dir, map[string]string{file: changed})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the changes")
	for _, want := range []string{`~ organization "acme"`, `members: + user "bob"`, "Plan: 0 to create, 1 to update, 0 to delete."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	syncConverges(t, dir)
	if orgID("acme") != acmeID {
		t.Errorf("acme was made again: id %s, was %s", orgID("acme"), acmeID)
	}
	if got := names("members", "username"); got != "alice,bob" {
		t.Errorf("acme's members after the change: %s", got)
	}

	// Export: names, no ids; back to zero.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	orgs, err := os.ReadFile(filepath.Join(out, realm, "organizations.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"alias: acme", "name: Acme Inc", "acme.example", "platinum", "- alice", "- bob", "- corp", "alias: globex"} {
		if !strings.Contains(string(orgs), want) {
			t.Errorf("organizations.yaml lacks %q:\n%s", want, orgs)
		}
	}
	idps, err := os.ReadFile(filepath.Join(out, realm, "identity-providers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(orgs), acmeID) || strings.Contains(string(idps), "organizationId") {
		t.Errorf("the export holds server ids:\n%s\n%s", orgs, idps)
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")

	// The realm export's shape: members and identity providers as
	// representations.
	exportShape := strings.Replace(changed, "members: [alice, bob]", "members:\n      - {username: alice, membershipType: UNMANAGED}\n      - {username: bob, membershipType: UNMANAGED}", 1)
	exportShape = strings.Replace(exportShape, "identityProviders: [corp]", "identityProviders:\n      - {alias: corp, providerId: oidc}", 1)
	writeFiles(t, dir, map[string]string{file: exportShape})
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan of the realm export's shape")

	// globex removed (realmsync made it): deleted; acme stays.
	writeFiles(t, dir, map[string]string{file: strings.Replace(changed, "  - alias: globex\n    name: Globex\n    domains:\n      - {name: globex.example}\n", "", 1)})
	r = syncConverges(t, dir)
	if !strings.Contains(r.stdout, `- organization "globex"`) || orgID("globex") != "" || orgID("acme") != acmeID {
		t.Errorf("want globex deleted and acme kept:\n%s", r.stdout)
	}

	// Organizations need the realm's switch.
	writeFiles(t, dir, map[string]string{file: strings.Replace(changed, "organizationsEnabled: true\n", "", 1)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "organizations without organizationsEnabled")
	if !strings.Contains(r.stderr, "realm.yaml:") || !strings.Contains(r.stderr, "organizationsEnabled: true") {
		t.Errorf("the error should name the file and the setting:\n%s", r)
	}
}
