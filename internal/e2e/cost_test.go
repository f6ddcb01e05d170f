package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/model"
)

var requestReport = regexp.MustCompile(`requests: GET (\d+) POST (\d+) PUT (\d+) DELETE (\d+)`)

// TestReadCostScalesWithGroupsAndRoles: exporting a realm with 1,500 users
// in 50 groups with 20 roles reads memberships and mappings from the group
// and role side. The request count is reported, and bounded by the number
// of groups and roles, not by the number of users. The users fill more
// than a page (live.CountedPageSize), and the pages are read at once:
// every user is exported, once.
func TestReadCostScalesWithGroupsAndRoles(t *testing.T) {
	needServer(t) // real server only: it counts requests against the real server
	const users, groups, roles = 1500, 50, 20
	realm := uniqueRealm(t, "cost")
	ctx := context.Background()
	api := adminClient(t)
	createRealm(t, api, realm)
	// The server's partial import loads the fixture in one request.
	var gs, rs, us []any
	for i := 0; i < groups; i++ {
		gs = append(gs, map[string]any{"name": fmt.Sprintf("g%02d", i), "path": fmt.Sprintf("/g%02d", i)})
	}
	for i := 0; i < roles; i++ {
		rs = append(rs, map[string]any{"name": fmt.Sprintf("r%02d", i)})
	}
	for i := 0; i < users; i++ {
		us = append(us, map[string]any{
			"username": fmt.Sprintf("user%04d", i), "enabled": true,
			"groups":     []any{fmt.Sprintf("/g%02d", i%groups)},
			"realmRoles": []any{fmt.Sprintf("r%02d", i%roles)},
		})
	}
	body := map[string]any{"ifResourceExists": "SKIP", "groups": gs, "roles": map[string]any{"realm": rs}, "users": us}
	if _, err := api.Post(ctx, admin.Seg(realm)+"/partialImport", body); err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	r := realmsync(t, nil, "export", "-V", "--realm", realm, out)
	expectCode(t, r, 0, "export")
	exported := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(out, realm, "*.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range exportedUser.FindAllStringSubmatch(string(b), -1) {
			exported[name[1]]++
		}
	}
	if len(exported) != users {
		t.Errorf("export wrote %d of the %d users", len(exported), users)
	}
	for name, n := range exported {
		if n != 1 {
			t.Errorf("export wrote user %s %d times", name, n)
		}
	}
	m := requestReport.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no request report:\n%s", r)
	}
	gets, _ := strconv.Atoi(m[1])
	// Reading: users by page; one paged list per group and per role
	// (realm roles, and the built-in clients' roles); a fixed number of
	// other reads (among them the built-in flows: each flow's execution
	// tree, its sub-flows' kinds, its configs, the provider lists, about
	// 25); and the same again, small, for the baseline realm.
	bound := users/live.CountedPageSize + 1 + 2*(groups+roles) + 200
	t.Logf("export of %d users in %d groups with %d roles: %s (bound %d GETs)", users, groups, roles, m[0], bound)
	if gets > bound {
		t.Errorf("export made %d GET requests, more than %d: reading grows with users", gets, bound)
	}
	if gets >= users {
		t.Errorf("export made %d GET requests for %d users", gets, users)
	}
}

var exportedUser = regexp.MustCompile(`(?m)username: (user\d{4})$`)

// TestFlowReadCost: a no-op plan of a realm with 20 custom flows (each
// with a configured step and a sub-flow) costs a few reads per flow more
// than the same realm without them: its execution tree, its sub-flow's
// kind and its config, and once the four lists of authenticators that
// the files' steps are checked against. The count is reported.
func TestFlowReadCost(t *testing.T) {
	needServer(t) // real server only: it counts requests against the real server
	const flows = 20
	var b strings.Builder
	b.WriteString("enabled: true\nauthenticationFlows:\n")
	var configs strings.Builder
	for i := 0; i < flows; i++ {
		fmt.Fprintf(&b, `  - alias: cost flow %02d
    authenticationExecutions:
      - authenticator: auth-cookie
        requirement: ALTERNATIVE
      - authenticator: identity-provider-redirector
        requirement: ALTERNATIVE
        authenticatorConfig: cost-redirect-%02d
      - flowAlias: cost forms %02d
        requirement: ALTERNATIVE
        authenticationExecutions:
          - authenticator: auth-username-password-form
            requirement: REQUIRED
          - authenticator: auth-otp-form
            requirement: REQUIRED
`, i, i, i)
		fmt.Fprintf(&configs, "  - alias: cost-redirect-%02d\n    config: {defaultProvider: corp}\n", i)
	}
	withFlows := b.String() + "authenticatorConfig:\n" + configs.String()
	gets := func(doc string) int {
		realm := uniqueRealm(t, "flowcost")
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): doc})
		expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
		r := realmsync(t, nil, "plan", "-V", dir)
		expectCode(t, r, 0, "no-op plan")
		m := requestReport.FindStringSubmatch(r.stderr)
		if m == nil {
			t.Fatalf("no request report:\n%s", r)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	base, with := gets("enabled: true\n"), gets(withFlows)
	// Files that declare flows also have the server's authenticators
	// listed once (to check the steps): a fixed cost, not a per-flow one.
	lists := len(model.AuthenticatorListPaths)
	perFlow := float64(with-base-lists) / flows
	t.Logf("no-op plan: %d GETs without custom flows, %d with %d (%d to list the authenticators, %.1f per flow)", base, with, flows, lists, perFlow)
	if perFlow > 3 {
		t.Errorf("a custom flow costs %.1f GETs in a no-op plan, want at most 3 (tree, sub-flow kind, config)", perFlow)
	}
}

// TestPresetPlanCost bounds what a no-op plan of the small benchmark
// preset reads: users by pages, who holds each role and who is in each
// group, each client's roles, the partial export (its two halves) for the
// realm roles, groups and scope mappings, and a fixed part (the realm, the
// three probes of its size the export is asked after, the lists of
// clients, scopes, providers, components, the built-in flows' trees). A one-user change planned with
// --changed-since reads at most 30 requests.
func TestPresetPlanCost(t *testing.T) {
	needServer(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	p, _ := gen.PresetByName("small")
	realm := uniqueRealm(t, "presetcost")
	dir := t.TempDir()
	if err := gen.WriteDir(dir, p, realm, 1); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the small preset")
	r := realmsync(t, nil, "plan", "-V", dir)
	expectCode(t, r, 0, "no-op plan")
	gets := getsOf(t, r)
	// The fixed part includes a realm's built-in clients (about 6), whose
	// roles are listed like the preset's clients'.
	const fixed = 60
	holders := p.Groups + p.RealmRoles + p.Clients*p.RolesPerClient
	userPages := p.Users/live.CountedPageSize + 1
	bound := userPages + holders + p.Clients + fixed
	t.Logf("no-op plan of the small preset: %d GETs (bound %d: %d holder lists, %d user pages, %d client role lists, %d fixed)",
		gets, bound, holders, userPages, p.Clients, fixed)
	if gets > bound {
		t.Errorf("the no-op plan made %d GETs, more than %d", gets, bound)
	}
	if !strings.Contains(r.stderr, "(and 2 read-only POSTs") {
		t.Errorf("the plan did not read the partial export (its two halves):\n%s", r.stderr)
	}

	commitThenChangeOneUser(t, dir, realm)
	scoped := realmsync(t, nil, "plan", "-V", "--changed-since", "HEAD", dir)
	expectCode(t, scoped, 2, "scoped plan of a one-user change")
	m := requestReport.FindStringSubmatch(scoped.stderr)
	total := 0
	for _, n := range m[1:] {
		v, _ := strconv.Atoi(n)
		total += v
	}
	t.Logf("scoped plan of a one-user change: %s", m[0])
	if total > scopedPlanBound {
		t.Errorf("the scoped plan made %d requests, more than %d", total, scopedPlanBound)
	}
}
