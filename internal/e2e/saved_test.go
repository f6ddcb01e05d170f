package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestSavedPlans: sync --plan applies the plan that plan --out saved, and
// refuses, writing nothing, once the desired files or the server changed.
func TestSavedPlans(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "saved")
	createRealm(t, adminClient(t), realm)
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	saved := filepath.Join(t.TempDir(), "plan.json")
	doc := func(description string) string {
		return "enabled: true\nclients:\n  - clientId: web\n    description: " + description + "\n"
	}

	// The happy path: what was planned is applied.
	writeFiles(t, dir, map[string]string{file: doc("first")})
	expectCode(t, realmsync(t, nil, "plan", "--out", saved, dir), 2, "plan --out")
	expectCode(t, realmsync(t, nil, "sync", "--plan", saved, dir), 0, "sync --plan")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after")

	// The desired files changed after the plan was saved.
	writeFiles(t, dir, map[string]string{file: doc("second")})
	expectCode(t, realmsync(t, nil, "plan", "--out", saved, dir), 2, "plan --out of a change")
	writeFiles(t, dir, map[string]string{file: doc("second, edited after review")})
	r := realmsync(t, nil, "sync", "-V", "--plan", saved, dir)
	expectCode(t, r, 1, "sync --plan after the files changed")
	if !strings.Contains(r.stderr, "the desired files changed since the plan") {
		t.Errorf("the refusal does not say the files changed:\n%s", r)
	}
	expectNoWrites(t, r)

	// The server changed after the plan was saved.
	writeFiles(t, dir, map[string]string{file: doc("second")})
	expectCode(t, realmsync(t, nil, "plan", "--out", saved, dir), 2, "plan --out again")
	ctx := context.Background()
	api := adminClient(t)
	id := serverID(t, admin.Seg(realm)+"/clients", "clientId", "web")
	var client map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients/"+id, nil, &client); err != nil {
		t.Fatal(err)
	}
	client["description"] = "changed by hand after the review"
	if err := api.Put(ctx, admin.Seg(realm)+"/clients/"+id, client); err != nil {
		t.Fatal(err)
	}
	r = realmsync(t, nil, "sync", "-V", "--plan", saved, dir)
	expectCode(t, r, 1, "sync --plan after the server changed")
	if !strings.Contains(r.stderr, "the server changed since the plan") {
		t.Errorf("the refusal does not say the server changed:\n%s", r)
	}
	expectNoWrites(t, r)
	if err := api.Get(ctx, admin.Seg(realm)+"/clients/"+id, nil, &client); err != nil || client["description"] != "changed by hand after the review" {
		t.Errorf("the client was written to: %v (%v)", client["description"], err)
	}
}
