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

// usersListed is a debug log line of a page of the users list, and
// whether it was asked brief.
var usersListed = regexp.MustCompile(`path=([^/\s]+)/users status=\d+ duration=\S+ query="[^"]*briefRepresentation=(true|false)`)

// TestUsersReadBrief: a plan whose files write down only what Keycloak's
// brief user representation carries lists users brief (cheaper for the
// server), and still plans only what they write: a user's attributes and
// required actions set by hand are left alone, and the update a change by
// hand calls for PUTs the user whole, so that sync keeps them. Files that
// write down attributes make the plan list users full, and see the
// attributes changed by hand.
func TestUsersReadBrief(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "brief")
	dir := t.TempDir()
	usersFile := filepath.Join(realm, "users.yaml")
	writeFiles(t, dir, map[string]string{
		filepath.Join(realm, "realm.yaml"): "enabled: true\nuserProfile:\n  unmanagedAttributePolicy: ENABLED\n",
		usersFile: `users:
  - username: alice
    enabled: true
    email: alice@example.com
    firstName: Alice
    lastName: Brief
  - username: bob
    enabled: true
    firstName: Bob
`,
	})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	listedAs := func(r result) []string { return listedBrief(r, usersListed, realm) }
	r := realmsync(t, nil, "plan", "--log-level", "debug", dir)
	expectCode(t, r, 0, "plan after sync")
	if got := listedAs(r); !slices.Equal(got, []string{"true"}) {
		t.Errorf("users listed with briefRepresentation %v, want [true]", got)
	}

	// By hand: alice gets an attribute and a required action the files do
	// not write, and another first name.
	api := adminClient(t)
	ctx := context.Background()
	rp := admin.Seg(realm)
	alice := func() (string, map[string]any) {
		t.Helper()
		var users []map[string]any
		if err := api.Get(ctx, rp+"/users", query("username", "alice"), &users); err != nil || len(users) != 1 {
			t.Fatalf("alice: %v %v", users, err)
		}
		id := users[0]["id"].(string)
		var u map[string]any
		if err := api.Get(ctx, rp+"/users/"+id, nil, &u); err != nil {
			t.Fatal(err)
		}
		return id, u
	}
	id, u := alice()
	u["firstName"] = "Changed"
	u["attributes"] = map[string]any{"desk": []any{"42"}}
	u["requiredActions"] = []any{"VERIFY_EMAIL"}
	if err := api.Put(ctx, rp+"/users/"+id, u); err != nil {
		t.Fatal(err)
	}

	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan after the change by hand")
	if !strings.Contains(r.stdout, "firstName") || strings.Contains(r.stdout, "desk") || strings.Contains(r.stdout, "VERIFY_EMAIL") {
		t.Errorf("the plan should change alice's first name only:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync back")
	_, u = alice()
	attrs, _ := u["attributes"].(map[string]any)
	if u["firstName"] != "Alice" || !slices.Equal(toStrings(attrs["desk"]), []string{"42"}) ||
		!slices.Equal(toStrings(u["requiredActions"]), []string{"VERIFY_EMAIL"}) {
		t.Errorf("after sync alice should have her first name back and keep what was set by hand: %v", u)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after syncing back")

	// Files that write down attributes are compared with the full users.
	writeFiles(t, dir, map[string]string{usersFile: `users:
  - username: alice
    enabled: true
    email: alice@example.com
    firstName: Alice
    lastName: Brief
    attributes:
      desk: ["7"]
  - username: bob
    enabled: true
    firstName: Bob
`})
	r = realmsync(t, nil, "plan", "--log-level", "debug", dir)
	expectCode(t, r, 2, "plan with alice's attributes written down")
	if got := listedAs(r); !slices.Equal(got, []string{"false"}) {
		t.Errorf("users listed with briefRepresentation %v, want [false]", got)
	}
	if !strings.Contains(r.stdout, "desk") {
		t.Errorf("the plan should change alice's desk:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync the attributes")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after it")
}

// listedBrief is, for each list of realm that a run's debug log shows
// (listed: the realm and the briefRepresentation asked), whether it was
// asked brief ("true" or "false"), in the order asked.
func listedBrief(r result, listed *regexp.Regexp, realm string) []string {
	var asked []string
	for _, m := range listed.FindAllStringSubmatch(r.stderr, -1) {
		if m[1] == realm {
			asked = append(asked, m[2])
		}
	}
	return asked
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
