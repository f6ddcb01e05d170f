package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// handMade creates objects next to realmsync's, as an admin would in the
// console.
func handMade(t *testing.T, realm string) {
	t.Helper()
	ctx := context.Background()
	api := adminClient(t)
	for path, body := range map[string]map[string]any{
		"/clients": {"clientId": "hand-client"},
		"/roles":   {"name": "hand-role"},
		"/groups":  {"name": "hand-group"},
	} {
		if _, err := api.Post(ctx, admin.Seg(realm)+path, body); err != nil {
			t.Fatal(err)
		}
	}
}

// deletions returns the sorted "kind key" list of a text plan's deletes.
func deletions(out string) []string {
	var got []string
	for _, l := range actionLines(out) {
		if strings.HasPrefix(l, "  - ") {
			got = append(got, strings.TrimPrefix(l, "  - "))
		}
	}
	sort.Strings(got)
	return got
}

func expectDeletions(t *testing.T, r result, want ...string) {
	t.Helper()
	sort.Strings(want)
	got := deletions(r.stdout)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("deletes %q, want %q\n%s", got, want, r)
	}
}

const policyBase = `enabled: true
clients:
  - clientId: app1
  - clientId: app2
roles:
  realm:
    - name: r1
    - name: r2
groups:
  - name: g1
`

// TestDeletionPolicies: objects made by hand survive "owned" syncs after
// their managed neighbours are removed; "full" deletes them but never a
// built-in; "none" deletes nothing.
func TestDeletionPolicies(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "policy")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: policyBase})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "first sync")
	handMade(t, realm)

	// owned (the default): only what realmsync created goes.
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: app1\nroles:\n  realm:\n    - name: r1\ngroups: []\n"})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan under owned")
	expectDeletions(t, r, `client "app2"`, `realm role "r2"`, `group "/g1"`)
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync under owned")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync under owned")

	// none: removing app1 deletes nothing.
	writeFiles(t, dir, map[string]string{file: "enabled: true\nrealmsync:\n  deletionPolicy:\n    clients: none\nroles:\n  realm:\n    - name: r1\n"})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 0, "plan under none")

	// full: everything not declared and not built-in goes.
	writeFiles(t, dir, map[string]string{file: "enabled: true\nrealmsync:\n  deletionPolicy:\n    clients: full\n    realmRoles: full\n    groups: full\nclients:\n  - clientId: app1\nroles:\n  realm:\n    - name: r1\n"})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan under full")
	expectDeletions(t, r, `client "hand-client"`, `realm role "hand-role"`, `group "/hand-group"`)
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync under full")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync under full")

	// The built-ins are all still there.
	ctx := context.Background()
	api := adminClient(t)
	clients, err := api.List(ctx, admin.Seg(realm)+"/clients", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range clients {
		ids = append(ids, c["clientId"].(string))
	}
	sort.Strings(ids)
	if got := strings.Join(ids, ","); got != "account,account-console,admin-cli,app1,broker,realm-management,security-admin-console" {
		t.Errorf("clients after full sync: %s", got)
	}
	var role map[string]any
	for _, name := range []string{"offline_access", "uma_authorization", "default-roles-" + realm} {
		if err := api.Get(ctx, admin.Seg(realm)+"/roles/"+admin.Seg(name), nil, &role); err != nil {
			t.Errorf("built-in role %s: %v", name, err)
		}
	}
}

// TestTwoOwners: two repositories manage disjoint clients of one realm
// without deleting each other's; claiming the other's client needs --adopt.
func TestTwoOwners(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "owners")
	dirA, dirB := t.TempDir(), t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dirA, map[string]string{file: "enabled: true\nclients:\n  - clientId: a1\n  - clientId: a2\n"})
	writeFiles(t, dirB, map[string]string{file: "clients:\n  - clientId: b1\n"})
	expectCode(t, realmsync(t, nil, "sync", "--owner", "team-a", dirA), 0, "sync A")
	expectCode(t, realmsync(t, nil, "sync", "--owner", "team-b", dirB), 0, "sync B")
	expectCode(t, realmsync(t, nil, "plan", "--owner", "team-a", dirA), 0, "plan A after B")
	expectCode(t, realmsync(t, nil, "plan", "--owner", "team-b", dirB), 0, "plan B after A")

	// A drops a2: only a2 goes, not B's b1.
	writeFiles(t, dirA, map[string]string{file: "enabled: true\nclients:\n  - clientId: a1\n"})
	r := realmsync(t, nil, "plan", "--owner", "team-a", dirA)
	expectCode(t, r, 2, "plan A without a2")
	expectDeletions(t, r, `client "a2"`)
	expectCode(t, realmsync(t, nil, "sync", "--owner", "team-a", dirA), 0, "sync A without a2")
	expectCode(t, realmsync(t, nil, "plan", "--owner", "team-b", dirB), 0, "plan B after A's delete")

	// B claims a1: refused without --adopt, taken over with it.
	writeFiles(t, dirB, map[string]string{file: "clients:\n  - clientId: b1\n  - clientId: a1\n"})
	r = realmsync(t, nil, "plan", "--owner", "team-b", dirB)
	expectCode(t, r, 1, "B claims a1")
	if !strings.Contains(r.stderr, `client "a1" is managed by owner "team-a"`) || !strings.Contains(r.stderr, "--adopt") {
		t.Errorf("conflict not explained:\n%s", r)
	}
	r = realmsync(t, nil, "plan", "--owner", "team-b", "--adopt", dirB)
	expectCode(t, r, 2, "B adopts a1")
	if !strings.Contains(r.stdout, `= client "a1"  (taken over from owner team-a)`) {
		t.Errorf("adoption not shown:\n%s", r.stdout)
	}
}

var writeCounts = regexp.MustCompile(`requests: GET \d+ POST (\d+) PUT (\d+) DELETE (\d+)`)

// expectNoWrites checks a -V run's request report.
func expectNoWrites(t *testing.T, r result) {
	t.Helper()
	m := writeCounts.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no request report (run with -V):\n%s", r)
	}
	if m[1] != "0" || m[2] != "0" || m[3] != "0" {
		t.Errorf("writes were sent (POST %s PUT %s DELETE %s):\n%s", m[1], m[2], m[3], r)
	}
}

// TestDeleteLimits: a plan over --max-deletes or the ratio guard writes
// nothing and exits 1 with the reason.
func TestDeleteLimits(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "limits")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\ngroups:\n  - name: g1\n  - name: g2\n  - name: g3\n  - name: g4\n  - name: g5\n  - name: g6\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "first sync")

	// Four of six groups go, and a new group would be created.
	writeFiles(t, dir, map[string]string{file: "enabled: false\ngroups:\n  - name: g1\n  - name: g2\n  - name: new\n"})
	// The plan a pull request shows says so already.
	r := realmsync(t, nil, "plan", "--max-deletes", "3", dir)
	expectCode(t, r, 2, "plan over --max-deletes")
	if !strings.Contains(r.stdout, "warning: sync would refuse this plan: the plan deletes 4 objects, more than --max-deletes=3 allows") {
		t.Errorf("the plan does not warn of the refusal:\n%s", r)
	}
	expectCode(t, realmsync(t, nil, "sync", "--max-delete-ratio", "NaN", dir), 1, "sync with --max-delete-ratio NaN")
	r = realmsync(t, nil, "sync", "-V", "--max-deletes", "3", dir)
	expectCode(t, r, 1, "sync over --max-deletes")
	if !strings.Contains(r.stderr, "the plan deletes 4 objects, more than --max-deletes=3 allows") {
		t.Errorf("reason not given:\n%s", r)
	}
	expectNoWrites(t, r)

	r = realmsync(t, nil, "sync", "-V", dir)
	expectCode(t, r, 1, "sync over the ratio guard")
	if !strings.Contains(r.stderr, "the plan deletes 4 of 6 groups in realm "+realm+" (67%), more than --max-delete-ratio=0.5 allows") {
		t.Errorf("reason not given:\n%s", r)
	}
	expectNoWrites(t, r)
	// Still all there, realm still enabled.
	r = realmsync(t, nil, "plan", dir)
	expectDeletions(t, r, `group "/g3"`, `group "/g4"`, `group "/g5"`, `group "/g6"`)

	expectCode(t, realmsync(t, nil, "sync", "--max-delete-ratio", "1", dir), 0, "sync with the guard lifted")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after")
}

// TestNoDeletesAfterFailedCreate: a create the server rejects stops every
// delete of the run.
func TestNoDeletesAfterFailedCreate(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "failing")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nroles:\n  realm:\n    - name: keep-me\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "first sync")

	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: bad\n    redirectUris: [\"javascript:alert(1)\"]\nroles:\n  realm: []\n"})
	r := realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "sync with a rejected client")
	if !strings.Contains(r.stderr, "illegal scheme") || !strings.Contains(r.stdout, `skipped delete realm role "keep-me": no deletes after a failure`) {
		t.Errorf("failure or skipped delete not reported:\n%s", r)
	}
	var role map[string]any
	if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/roles/keep-me", nil, &role); err != nil {
		t.Errorf("role keep-me was deleted after a failed create: %v", err)
	}
}

// TestExportAdoptsEverything: syncing an export adopts what it lists; an
// empty desired state then deletes exactly those objects under "owned",
// and nothing under "none".
func TestExportAdoptsEverything(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "adopt")
	ctx := context.Background()
	api := adminClient(t)
	createRealm(t, api, realm)
	handMade(t, realm)
	if _, err := api.Post(ctx, admin.Seg(realm)+"/client-scopes", map[string]any{"name": "hand-scope", "protocol": "openid-connect"}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, dir), 0, "export")
	// The export names the confidential client's secret by placeholder;
	// the operator sets it from their vault, the test from the server.
	clients, err := api.List(ctx, admin.Seg(realm)+"/clients", query("clientId", "hand-client"), 10)
	if err != nil || len(clients) != 1 {
		t.Fatalf("hand-client: %v", err)
	}
	var secret map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients/"+admin.Seg(clients[0]["id"].(string))+"/client-secret", nil, &secret); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{envVarName(realm) + "_HAND_CLIENT_SECRET": secret["value"].(string)}
	r := realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the export")
	for _, want := range []string{`= client "hand-client"`, `= realm role "hand-role"`, `= group "/hand-group"`, `= client scope "hand-scope"`,
		"Plan: 0 to create, 0 to update, 0 to delete, 4 to adopt."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the export")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after adopting")

	empty := t.TempDir()
	writeFiles(t, empty, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n"})
	r = realmsync(t, nil, "plan", empty)
	expectCode(t, r, 2, "empty desired state under owned")
	expectDeletions(t, r, `client "hand-client"`, `realm role "hand-role"`, `group "/hand-group"`, `client scope "hand-scope"`)

	writeFiles(t, empty, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\nrealmsync:\n  deletionPolicy:\n    clients: none\n    realmRoles: none\n    groups: none\n    clientScopes: none\n"})
	expectCode(t, realmsync(t, nil, "plan", empty), 0, "empty desired state under none")
}
