package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestClientFlowOverrides: a client's authenticationFlowBindingOverrides
// name flows by alias in the files and hold flow ids on the server; the
// plan compares aliases, a binding the files drop is removed, an unknown
// alias stops the plan before any write, and an export writes aliases.
func TestClientFlowOverrides(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "overrides")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	client := func(overrides string) string {
		return "enabled: true\nclients:\n  - clientId: app\n    publicClient: true\n    authenticationFlowBindingOverrides: " + overrides + "\n"
	}
	writeFiles(t, dir, map[string]string{file: client(`{browser: browser, direct_grant: direct grant}`)})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan")
	if !strings.Contains(r.stdout, `authenticationFlowBindingOverrides.browser: "browser"`) {
		t.Errorf("the plan does not name the flow by alias:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")

	// On the server the override holds the flow's id.
	ctx := context.Background()
	api := adminClient(t)
	var clients []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients", query("clientId", "app"), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("reading client app: %v", err)
	}
	var flows []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/authentication/flows", nil, &flows); err != nil {
		t.Fatal(err)
	}
	browserID := ""
	for _, f := range flows {
		if f["alias"] == "browser" {
			browserID = f["id"].(string)
		}
	}
	if got := clients[0]["authenticationFlowBindingOverrides"].(map[string]any)["browser"]; got != browserID || browserID == "" {
		t.Errorf("the server holds %v for the browser override, want the flow's id %q", got, browserID)
	}

	writeFiles(t, dir, map[string]string{file: client(`{browser: direct grant}`)})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a change")
	for _, want := range []string{`authenticationFlowBindingOverrides.browser: "browser" → "direct grant"`, `authenticationFlowBindingOverrides.direct_grant: "direct grant" → (removed)`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of a change")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the change")

	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	app := readTree(t, filepath.Join(out, realm))["clients/app.yaml"]
	if !strings.Contains(app, "browser: direct grant") || strings.Contains(app, browserID) {
		t.Errorf("the export does not name the flow by alias:\n%s", app)
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")

	writeFiles(t, dir, map[string]string{file: client(`{browser: brwoser}`)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "an unknown flow")
	if !strings.Contains(r.stderr, `realm.yaml:5:`) || !strings.Contains(r.stderr, `refers to flow "brwoser", which the realm does not have (did you mean "browser"?)`) {
		t.Errorf("the error does not name the place and the flow:\n%s", r)
	}
}
