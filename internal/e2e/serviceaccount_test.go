package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/gen"
)

// realmAdminAccount makes a confidential client with a service account
// that may manage one realm and nothing else, and returns the environment
// that makes realmsync log in as it (the client-credentials grant).
//
// home "master": the client lives in master and holds every role of
// master's "<realm>-realm" client, what the admin console grants to manage
// one realm from master. home == realm: the client lives in the managed
// realm and holds its realm-management client's realm-admin role.
// createRealm (home "master" only) adds master's create-realm role, which
// export needs for its scratch realm.
//
// README recommends such an account: on Keycloak 26.7.3 the server's cost
// per admin request grows with the number of realms, for master's
// composite "admin" role much faster than for this account (BENCHMARKS.md,
// the crowded-server rows).
func realmAdminAccount(t *testing.T, home, realm string, createRealm bool) map[string]string {
	t.Helper()
	c := adminClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clientID, secret := "realmsync-"+randomHex(3), randomHex(16)
	id, err := c.Post(ctx, admin.Seg(home)+"/clients", map[string]any{
		"clientId": clientID, "secret": secret, "publicClient": false,
		"serviceAccountsEnabled": true, "standardFlowEnabled": false, "directAccessGrantsEnabled": false,
	})
	if err != nil {
		t.Fatalf("creating client %s in %s: %v", clientID, home, err)
	}
	if home == "master" {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = adminClient(t).Delete(ctx, "master/clients/"+id, nil)
		})
	}
	var account map[string]any
	if err := c.Get(ctx, admin.Seg(home)+"/clients/"+id+"/service-account-user", nil, &account); err != nil {
		t.Fatal(err)
	}
	owner := "realm-management"
	if home == "master" {
		owner = realm + "-realm"
	}
	var owners []map[string]any
	if err := c.Get(ctx, admin.Seg(home)+"/clients", url.Values{"clientId": {owner}}, &owners); err != nil || len(owners) != 1 {
		t.Fatalf("finding client %s in %s: %v (%d found)", owner, home, err, len(owners))
	}
	ownerPath := admin.Seg(home) + "/clients/" + owners[0]["id"].(string) + "/roles"
	var roles []map[string]any
	if home == "master" {
		err = c.Get(ctx, ownerPath, nil, &roles)
	} else {
		var role map[string]any
		err = c.Get(ctx, ownerPath+"/realm-admin", nil, &role)
		roles = append(roles, role)
	}
	if err != nil {
		t.Fatal(err)
	}
	mappings := admin.Seg(home) + "/users/" + account["id"].(string) + "/role-mappings/clients/" + owners[0]["id"].(string)
	if _, err := c.Post(ctx, mappings, roles); err != nil {
		t.Fatalf("granting %s's roles to %s: %v", owner, clientID, err)
	}
	if createRealm && home == "master" {
		var role map[string]any
		if err := c.Get(ctx, "master/roles/create-realm", nil, &role); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Post(ctx, "master/users/"+account["id"].(string)+"/role-mappings/realm", []any{role}); err != nil {
			t.Fatalf("granting create-realm to %s: %v", clientID, err)
		}
	}
	return map[string]string{
		"KEYCLOAK_USER": "", "KEYCLOAK_PASSWORD": "",
		"KEYCLOAK_AUTH_REALM": home, "KEYCLOAK_CLIENT_ID": clientID, "KEYCLOAK_CLIENT_SECRET": secret,
	}
}

// randomHex is n random bytes in hex: names that no other run uses.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestRealmScopedServiceAccount: an account that may manage only the realm
// at hand, in master or in the realm itself, plans and syncs it like the
// master admin does, and its own client (not in the files) is left alone.
// Export works for the master account that may also create realms; the
// realm's own account is told what it lacks, and the server is untouched.
func TestRealmScopedServiceAccount(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "scoped-sa")
	dir := t.TempDir()
	if err := gen.WriteDir(dir, gen.Small, realm, 1); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync as the master admin")

	for _, home := range []string{"master", realm} {
		inMaster := home == "master"
		name := map[bool]string{true: "account in master", false: "account in the realm"}[inMaster]
		t.Run(name, func(t *testing.T) {
			env := realmAdminAccount(t, home, realm, inMaster)
			r := realmsync(t, env, "plan", dir)
			expectCode(t, r, 0, "no-op plan as the realm's service account")
			if !strings.Contains(r.stdout, "No changes") {
				t.Fatalf("no-op plan as the realm's service account is not empty:\n%s", r)
			}

			// A change the account makes, then nothing left to do.
			group := "made-by-" + env["KEYCLOAK_CLIENT_ID"]
			extra := filepath.Join(dir, realm, group+".yaml")
			if err := os.WriteFile(extra, []byte("groups:\n  - name: "+group+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of a new group as the service account")
			expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the service account's sync")
			var groups []map[string]any
			if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/groups", url.Values{"search": {group}, "exact": {"true"}}, &groups); err != nil || len(groups) != 1 {
				t.Fatalf("group %s on the server: %v (%d found)", group, err, len(groups))
			}

			out := t.TempDir()
			r = realmsync(t, env, "export", "--realm", realm, out)
			if !inMaster {
				expectCode(t, r, 1, "export by an account that may not create realms")
				if !strings.Contains(r.stderr, "create-realm") {
					t.Fatalf("export's refusal does not say what the account lacks:\n%s", r)
				}
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Fatalf("a refused export wrote %d entries", len(entries))
				}
				var realms []map[string]any
				if err := adminClient(t).Get(context.Background(), "", url.Values{"briefRepresentation": {"true"}}, &realms); err != nil {
					t.Fatal(err)
				}
				for _, rr := range realms {
					if name, _ := rr["realm"].(string); strings.HasPrefix(name, "realmsync-baseline-") {
						t.Fatalf("a refused export left realm %s on the server", name)
					}
				}
				return
			}
			// The export it writes syncs back with zero changes.
			expectCode(t, r, 0, "export as the service account")
			r = realmsync(t, env, "plan", out)
			expectCode(t, r, 0, "plan of the service account's export")
			if !strings.Contains(r.stdout, "No changes") {
				t.Fatalf("the service account's export does not sync back with zero changes:\n%s", r)
			}
		})
	}
}
