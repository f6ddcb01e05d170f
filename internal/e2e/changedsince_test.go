package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// changedSinceBase is a realm with an object of every kind a scoped plan
// reads one by one, split over files as a team would keep them.
var changedSinceBase = map[string]string{
	"realm.yaml": "enabled: true\nrealmsync:\n  deletionPolicy:\n    users: owned\n",
	"clients.yaml": `clients:
  - clientId: shop
    publicClient: true
    redirectUris: ["https://shop.example/*"]
    protocolMappers:
      - name: audience
        protocol: openid-connect
        protocolMapper: oidc-audience-mapper
        config: {included.client.audience: shop}
  - clientId: worker
    publicClient: false
    serviceAccountsEnabled: true
    secret: ${env:WORKER_SECRET}
  - clientId: idle
    description: never changes
`,
	"scopes.yaml": `clientScopes:
  - name: orders
    protocol: openid-connect
    protocolMappers:
      - name: tenant
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config: {claim.name: tenant, claim.value: acme, jsonType.label: String}
`,
	"roles.yaml": `roles:
  realm:
    - name: reader
    - name: writer
      composites:
        realm: [reader]
    - name: untouched
  client:
    shop:
      - name: buy
      - name: refund
`,
	"groups.yaml": `groups:
  - name: staff
    realmRoles: [reader]
    subGroups:
      - name: ops
        attributes: {floor: ["2"]}
  - name: customers
`,
	"users.yaml": `users:
  - username: alice
    enabled: true
    email: alice@example.com
    groups: [/staff/ops]
    realmRoles: [writer]
    clientRoles: {shop: [buy]}
  - username: bob
    enabled: true
    groups: [/customers]
  - username: carol
    enabled: true
  - username: service-account-worker
    realmRoles: [reader]
`,
	"idp.yaml": `identityProviders:
  - alias: corp
    providerId: oidc
    config:
      clientId: shop-broker
      authorizationUrl: https://idp.example/auth
      tokenUrl: https://idp.example/token
      clientAuthMethod: client_secret_post
identityProviderMappers:
  - name: dept
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: dept, attribute.value: sales, syncMode: INHERIT}
`,
}

// TestChangedSince: a plan scoped to the files changed since a commit
// holds exactly what the full plan holds when nothing drifted — for a
// change to an object of every kind it reads one by one — at a fraction
// of the reads; its sync leaves nothing for a full plan; a change it
// cannot scope (a flow, a new realm, a revision it cannot find, a
// directory outside Git) is planned from a full read, with the reason.
func TestChangedSince(t *testing.T) {
	needKeycloak(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	realm := uniqueRealm(t, "scoped")
	dir := t.TempDir()
	files := map[string]string{}
	for name, content := range changedSinceBase {
		files[filepath.Join(realm, name)] = content
	}
	writeFiles(t, dir, files)
	env := map[string]string{"WORKER_SECRET": "w-s3cret-value"}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "first sync")
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")

	r := realmsync(t, env, "plan", "--changed-since", "HEAD", dir)
	expectCode(t, r, 0, "scoped plan with nothing changed")
	if !strings.Contains(r.stderr+r.stdout, "scoped plan: only the 0 object(s)") {
		t.Errorf("a scoped plan must say so:\n%s", r)
	}

	// One change of every kind the scope reads one by one, and removals.
	edit := func(name, old, new string) {
		t.Helper()
		path := filepath.Join(dir, realm, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s has no %q", name, old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("clients.yaml", "redirectUris: [\"https://shop.example/*\"]", "redirectUris: [\"https://shop.example/*\"]\n    description: the shop")
	edit("clients.yaml", "config: {included.client.audience: shop}", "config: {included.client.audience: worker}")
	edit("scopes.yaml", "claim.value: acme", "claim.value: acme-eu")
	edit("roles.yaml", "realm: [reader]", "realm: [reader, untouched]")
	edit("roles.yaml", "      - name: refund\n", "      - name: refund\n        description: money back\n      - name: audit\n")
	edit("groups.yaml", "floor: [\"2\"]", "floor: [\"3\"]")
	edit("users.yaml", "    groups: [/customers]\n", "    groups: [/customers, /staff]\n    clientRoles: {shop: [refund]}\n")
	edit("users.yaml", "  - username: carol\n    enabled: true\n", "  - username: dave\n    enabled: true\n    groups: [/staff/ops]\n")
	edit("users.yaml", "realmRoles: [reader]\n", "realmRoles: [reader, writer]\n")
	edit("idp.yaml", "attribute.value: sales", "attribute.value: support")
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "more-groups.yaml"): "groups:\n  - name: partners\n"})

	full := realmsync(t, env, "plan", "-V", "-o", "json", dir)
	expectCode(t, full, 2, "full plan of the changes")
	scoped := realmsync(t, env, "plan", "-V", "-o", "json", "--changed-since", "HEAD", dir)
	expectCode(t, scoped, 2, "scoped plan of the changes")
	fullActions, scopedActions := planActions(t, full.stdout), planActions(t, scoped.stdout)
	if len(fullActions) < 12 {
		t.Fatalf("the full plan should hold every change made, has %d actions:\n%s", len(fullActions), full.stdout)
	}
	if d := cmp.Diff(fullActions, scopedActions); d != "" {
		t.Errorf("the scoped plan differs from the full one (-full +scoped):\n%s", d)
	}
	fullGets, scopedGets := getsOf(t, full), getsOf(t, scoped)
	t.Logf("full plan: %d GETs; scoped plan: %d GETs, %d actions", fullGets, scopedGets, len(scopedActions))
	if !strings.Contains(scoped.stdout, "scoped plan: only the ") {
		t.Errorf("the plan was not scoped:\n%s", scoped.stdout)
	}
	if scopedGets >= fullGets {
		t.Errorf("the scoped plan made %d GETs, the full one %d", scopedGets, fullGets)
	}

	r = realmsync(t, env, "sync", "--changed-since", "HEAD", dir)
	expectCode(t, r, 0, "scoped sync")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "full plan after the scoped sync")
	expectCode(t, realmsync(t, env, "plan", "--changed-since", "HEAD", dir), 0, "scoped plan after the scoped sync")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "the changes")

	// Removals: a user, a client role, a group; the deletes are the
	// full plan's, and --max-delete-ratio counts the realm's objects,
	// not the few read.
	edit("users.yaml", "  - username: dave\n    enabled: true\n    groups: [/staff/ops]\n", "")
	edit("roles.yaml", "      - name: audit\n", "")
	if err := os.Remove(filepath.Join(dir, realm, "more-groups.yaml")); err != nil {
		t.Fatal(err)
	}
	full = realmsync(t, env, "plan", "-o", "json", dir)
	scoped = realmsync(t, env, "plan", "-o", "json", "--changed-since", "HEAD", dir)
	expectCode(t, scoped, 2, "scoped plan of the removals")
	if d := cmp.Diff(planActions(t, full.stdout), planActions(t, scoped.stdout)); d != "" {
		t.Errorf("the scoped plan of removals differs from the full one (-full +scoped):\n%s", d)
	}
	if n := strings.Count(scoped.stdout, `"verb": "delete"`); n != 3 {
		t.Errorf("want 3 deletes in the scoped plan, got %d:\n%s", n, scoped.stdout)
	}
	if strings.Contains(scoped.stdout, "max-delete-ratio") {
		t.Errorf("3 deletes among the realm's objects are within --max-delete-ratio:\n%s", scoped.stdout)
	}
	expectCode(t, realmsync(t, env, "sync", "--changed-since", "HEAD", dir), 0, "scoped sync of the removals")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "full plan after the removals")

	// What a scoped plan does not look at: an object made on the server
	// outside Git is the full plan's (drift detection's) to find.
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "the removals")
	api := adminClient(t)
	if _, err := api.Post(context.Background(), realm+"/roles", map[string]any{"name": "made-by-hand"}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Post(context.Background(), realm+"/roles", map[string]any{"name": "made-by-hand-2"}); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, env, "plan", "--changed-since", "HEAD", dir), 0, "scoped plan: no file changed")

	// Changes it cannot scope: read whole, with the reason.
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "flows.yaml"): `authenticationFlows:
  - alias: scoped browser
    providerId: basic-flow
    topLevel: true
    authenticationExecutions:
      - authenticator: auth-cookie
        requirement: ALTERNATIVE
`})
	r = realmsync(t, env, "plan", "--changed-since", "HEAD", dir)
	expectCode(t, r, 2, "a flow change")
	if !strings.Contains(r.stderr+r.stdout, "not scoped to the change since HEAD, read whole: flows.yaml: ") {
		t.Errorf("a flow change must be read whole, saying why:\n%s", r)
	}
	if !strings.Contains(r.stdout, `+ authentication flow "scoped browser"`) {
		t.Errorf("the full read still plans the flow:\n%s", r.stdout)
	}
	r = realmsync(t, env, "plan", "--changed-since", "no-such-revision", dir)
	if !strings.Contains(r.stderr+r.stdout, "no-such-revision is not a commit of this repository") {
		t.Errorf("an unknown revision must be read whole, saying why:\n%s", r)
	}
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n"})
	r = realmsync(t, env, "plan", "--changed-since", "HEAD", outside)
	if !strings.Contains(r.stderr+r.stdout, "is not in a Git work tree") {
		t.Errorf("a directory outside Git must be read whole, saying why:\n%s", r)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=test@realmsync.invalid", "-c", "user.name=test"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// planActions are a JSON plan's actions.
func planActions(t *testing.T, out string) []any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not a JSON plan: %v\n%s", err, out)
	}
	actions, _ := doc["actions"].([]any)
	return actions
}

func getsOf(t *testing.T, r result) int {
	t.Helper()
	m := requestReport.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no request report:\n%s", r)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
