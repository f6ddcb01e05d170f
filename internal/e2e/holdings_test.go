package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// holderRead is a debug log line of a read of one client role's holders.
var holderRead = regexp.MustCompile(`path=\S+/clients/[^/\s]+/roles/([^/\s]+)/users`)

// TestHoldersReadWhereFilesWriteThemDown: a plan reads who holds a
// client's roles only for clients whose roles the files give some user,
// as only those are compared. A role of such a client given by hand is
// still planned away; one of a client the files give nobody is left alone
// as before, and a strict plan, which reports it, reads every client's.
func TestHoldersReadWhereFilesWriteThemDown(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "holders")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		filepath.Join(realm, "realm.yaml"): "enabled: true\n",
		filepath.Join(realm, "clients.yaml"): `clients:
  - clientId: named-app
  - clientId: other-app
roles:
  client:
    named-app: [{name: named-a}, {name: named-b}]
    other-app: [{name: other-a}, {name: other-b}]
`,
		filepath.Join(realm, "users.yaml"): `users:
  - username: alice
    enabled: true
    firstName: Alice
    lastName: Holder
    email: alice@example.com
    clientRoles:
      named-app: [named-a]
`,
	})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after it")

	// By hand: alice gets named-b (of a client the files name) and other-a.
	api := adminClient(t)
	ctx := context.Background()
	rp := admin.Seg(realm)
	var users []map[string]any
	if err := api.Get(ctx, rp+"/users", query("username", "alice"), &users); err != nil || len(users) != 1 {
		t.Fatalf("alice: %v %v", users, err)
	}
	for _, grant := range [][2]string{{"named-app", "named-b"}, {"other-app", "other-a"}} {
		var clients []map[string]any
		if err := api.Get(ctx, rp+"/clients", query("clientId", grant[0]), &clients); err != nil || len(clients) != 1 {
			t.Fatalf("%s: %v %v", grant[0], clients, err)
		}
		cid := clients[0]["id"].(string)
		var role map[string]any
		if err := api.Get(ctx, rp+"/clients/"+cid+"/roles/"+grant[1], nil, &role); err != nil {
			t.Fatal(err)
		}
		if _, err := api.Post(ctx, rp+"/users/"+users[0]["id"].(string)+"/role-mappings/clients/"+cid, []any{role}); err != nil {
			t.Fatal(err)
		}
	}

	holdersRead := func(r result) []string {
		var roles []string
		for _, m := range holderRead.FindAllStringSubmatch(r.stderr, -1) {
			roles = append(roles, m[1])
		}
		return roles
	}
	r := realmsync(t, nil, "plan", "--log-level", "debug", dir)
	expectCode(t, r, 2, "plan after the grants by hand")
	if !strings.Contains(r.stdout, "named-b") || strings.Contains(r.stdout, "other-a") {
		t.Errorf("the plan should take named-b away and leave other-a alone:\n%s", r.stdout)
	}
	if got := strings.Join(holdersRead(r), " "); strings.Contains(got, "other-") || !strings.Contains(got, "named-a") || !strings.Contains(got, "named-b") {
		t.Errorf("holders read: %q, want named-app's roles only", got)
	}
	strict := realmsync(t, nil, "plan", "--strict", "--log-level", "debug", dir)
	if got := strings.Join(holdersRead(strict), " "); !strings.Contains(got, "other-a") {
		t.Errorf("a strict plan read the holders of %q, want every client's roles", got)
	}
}
