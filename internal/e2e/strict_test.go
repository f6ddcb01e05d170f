package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestStrictDrift: changes made by hand outside what the files manage —
// a group made in the console, a composite added to a role whose
// composites no file writes, a member added to a group, a description
// set on a client — are no drift for a normal check (nothing a sync
// would change), and each is reported by drift --strict, in every view
// and in the metrics; a sync still leaves them alone.
func TestStrictDrift(t *testing.T) {
	needServer(t) // the hand changes go through endpoints the in-memory Keycloak lacks
	realm := uniqueRealm(t, "strict")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: web
    publicClient: true
roles:
  realm:
    - name: admin
    - name: reader
groups:
  - name: staff
users:
  - username: alice
    enabled: true
    email: alice@example.com
    firstName: Alice
    lastName: Example
`})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "drift", "--strict", dir), 0, "strict drift right after a sync")

	api := adminClient(t)
	ctx := context.Background()
	base := admin.Seg(realm)
	if _, err := api.Post(ctx, base+"/groups", map[string]any{"name": "hand-made"}); err != nil {
		t.Fatal(err)
	}
	var reader map[string]any
	if err := api.Get(ctx, base+"/roles/reader", nil, &reader); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Post(ctx, base+"/roles/admin/composites", []any{reader}); err != nil {
		t.Fatal(err)
	}
	var users, groups, clients []map[string]any
	if err := api.Get(ctx, base+"/users", query("username", "alice"), &users); err != nil || len(users) != 1 {
		t.Fatalf("alice: %v", err)
	}
	if err := api.Get(ctx, base+"/groups", query("search", "staff"), &groups); err != nil || len(groups) == 0 {
		t.Fatalf("staff: %v", err)
	}
	if err := api.Put(ctx, fmt.Sprintf("%s/users/%s/groups/%s", base, users[0]["id"], groups[0]["id"]), nil); err != nil {
		t.Fatal(err)
	}
	if err := api.Get(ctx, base+"/clients", query("clientId", "web"), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("web: %v", err)
	}
	web := clients[0]
	web["description"] = "set by hand"
	if err := api.Put(ctx, base+"/clients/"+fmt.Sprint(web["id"]), web); err != nil {
		t.Fatal(err)
	}

	expectCode(t, realmsync(t, nil, "drift", dir), 0, "drift without --strict: nothing a sync would change")
	metrics := filepath.Join(t.TempDir(), "m.prom")
	r := realmsync(t, nil, "drift", "--strict", "--metrics-file", metrics, dir)
	expectCode(t, r, 2, "drift --strict")
	for _, want := range []string{
		`? group "/hand-made": on the server, in no file, owned by no one`,
		`? realm role "admin" composites:`,
		`? user "alice" groups:`,
		`? client "web" description: "set by hand"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("drift --strict lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Count(r.stdout, "\n    ? ") != 4 {
		t.Errorf("want exactly the four findings:\n%s", r.stdout)
	}
	m := string(mustRead(t, metrics))
	if !strings.Contains(m, `realmsync_strict_drift_objects{realm="`+realm+`",kind="group",finding="unmanaged"} 1`) ||
		!strings.Contains(m, `realmsync_strict_drift_objects{realm="`+realm+`",kind="client",finding="unmanaged-field"} 1`) {
		t.Errorf("metrics lack the strict series:\n%s", m)
	}
	r = realmsync(t, nil, "plan", "--strict", "-o", "json", dir)
	expectCode(t, r, 2, "plan --strict -o json")
	if !strings.Contains(r.stdout, `"finding": "unmanaged"`) || !strings.Contains(r.stdout, `"path": "description"`) {
		t.Errorf("the JSON view lacks the findings:\n%s", r.stdout)
	}
	r = realmsync(t, nil, "plan", "--strict", "-o", "markdown", dir)
	if !strings.Contains(r.stdout, "**Outside Git** (4, strict") {
		t.Errorf("the Markdown view lacks the findings:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync: leaves them alone")
	expectCode(t, realmsync(t, nil, "drift", "--strict", dir), 2, "strict drift after the sync: still there")
	if _, err := os.Stat(metrics); err != nil {
		t.Fatal(err)
	}
}
