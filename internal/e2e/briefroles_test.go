package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// clientRolesListed is a debug log line of a client's roles listed, and
// whether they were asked brief.
var clientRolesListed = regexp.MustCompile(`path=([^/\s]+)/clients/[^/\s]+/roles status=\d+ duration=\S+ query="[^"]*briefRepresentation=(true|false)`)

// TestRolesReadBrief: a plan whose files write no role's attributes lists
// clients' roles brief (Keycloak then loads no role's attributes), and
// still plans only what the files write: attributes set by hand are left
// alone, and the update a description changed by hand calls for PUTs the
// role whole, so that sync keeps them. Files that write a role's
// attributes make the plan list the roles full, and see them changed.
func TestRolesReadBrief(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "briefroles")
	dir := t.TempDir()
	rolesFile := filepath.Join(realm, "roles.yaml")
	writeFiles(t, dir, map[string]string{
		filepath.Join(realm, "realm.yaml"): "enabled: true\n",
		filepath.Join(realm, "clients.yaml"): `clients:
  - clientId: shop
    publicClient: true
`,
		rolesFile: `roles:
  client:
    shop:
      - name: buyer
        description: Buys things
      - name: seller
`,
	})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	listedAs := func(r result) []string { // one list per client: how they were asked
		asked := listedBrief(r, clientRolesListed, realm)
		slices.Sort(asked)
		return slices.Compact(asked)
	}
	r := realmsync(t, nil, "plan", "--log-level", "debug", dir)
	expectCode(t, r, 0, "plan after sync")
	if got := listedAs(r); !slices.Equal(got, []string{"true"}) {
		t.Errorf("clients' roles listed with briefRepresentation %v, want [true]", got)
	}

	// By hand: buyer gets an attribute the files do not write, and another
	// description.
	api := adminClient(t)
	ctx := context.Background()
	rp := admin.Seg(realm)
	var clients []map[string]any
	if err := api.Get(ctx, rp+"/clients", query("clientId", "shop"), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("client shop: %v %v", clients, err)
	}
	buyerPath := rp + "/clients/" + clients[0]["id"].(string) + "/roles/buyer"
	buyer := func() map[string]any {
		t.Helper()
		var role map[string]any
		if err := api.Get(ctx, buyerPath, nil, &role); err != nil {
			t.Fatal(err)
		}
		return role
	}
	role := buyer()
	role["description"] = "Changed"
	role["attributes"] = map[string]any{"tier": []any{"gold"}}
	if err := api.Put(ctx, buyerPath, role); err != nil {
		t.Fatal(err)
	}

	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan after the change by hand")
	if !strings.Contains(r.stdout, "description") || strings.Contains(r.stdout, "tier") {
		t.Errorf("the plan should change buyer's description only:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync back")
	role = buyer()
	attrs, _ := role["attributes"].(map[string]any)
	if role["description"] != "Buys things" || !slices.Equal(toStrings(attrs["tier"]), []string{"gold"}) {
		t.Errorf("after sync buyer should have its description back and keep what was set by hand: %v", role)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after syncing back")

	// Files that write down a role's attributes are compared with the
	// full roles.
	writeFiles(t, dir, map[string]string{rolesFile: `roles:
  client:
    shop:
      - name: buyer
        description: Buys things
        attributes:
          tier: [silver]
      - name: seller
`})
	r = realmsync(t, nil, "plan", "--log-level", "debug", dir)
	expectCode(t, r, 2, "plan with buyer's attributes written down")
	if got := listedAs(r); !slices.Equal(got, []string{"false"}) {
		t.Errorf("clients' roles listed with briefRepresentation %v, want [false]", got)
	}
	if !strings.Contains(r.stdout, "silver") {
		t.Errorf("the plan should change buyer's tier:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync the attributes")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after it")
	if attrs, _ := buyer()["attributes"].(map[string]any); !slices.Equal(toStrings(attrs["tier"]), []string{"silver"}) {
		t.Errorf("buyer's tier after sync: %v, want [silver]", attrs)
	}
}
