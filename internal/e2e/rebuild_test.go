package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/apply"
	"github.com/realmsync/realmsync/internal/engine"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

// rebuildDoc is a realm whose flow "mixed" is bound as the browser flow,
// as a client's override and as an identity provider's first broker
// login flow. As a basic flow it runs a sub-flow with a configured
// redirector; as a client flow, two client authenticators.
func rebuildDoc(kind string) string {
	steps := `      - authenticator: client-secret
        requirement: ALTERNATIVE
      - authenticator: client-jwt
        requirement: ALTERNATIVE
`
	configs := ""
	if kind == "basic-flow" {
		steps = `      - authenticator: auth-cookie
        requirement: ALTERNATIVE
      - flowAlias: mixed forms
        requirement: ALTERNATIVE
        authenticationExecutions:
          - authenticator: identity-provider-redirector
            requirement: ALTERNATIVE
            authenticatorConfig: mixed-redirect
          - authenticator: auth-username-password-form
            requirement: REQUIRED
`
		configs = `authenticatorConfig:
  - alias: mixed-redirect
    config: {defaultProvider: corp}
`
	}
	return `enabled: true
browserFlow: mixed
authenticationFlows:
  - alias: mixed
    description: changes kind
    providerId: ` + kind + `
    authenticationExecutions:
` + steps + configs + `clients:
  - clientId: app
    publicClient: true
    authenticationFlowBindingOverrides:
      browser: mixed
identityProviders:
  - alias: corp
    providerId: oidc
    firstBrokerLoginFlowAlias: mixed
    config: {clientId: kc, clientSecret: not-a-real-secret, clientAuthMethod: client_secret_post, authorizationUrl: "https://idp.example/auth", tokenUrl: "https://idp.example/token"}
`
}

// bindingWatch is the admin API with a check after every write: each
// binding of the realm (its browser flow, the client's override, the
// identity provider's login flow) must name a flow that is whole, either
// as it was before the sync or as it is after. It records the shapes it
// saw; the test compares them with the two ends.
type bindingWatch struct {
	*admin.Client
	t     *testing.T
	realm string

	// killAfter: the first write containing it is the run's last; every
	// later call fails, as if the process had been killed there.
	killAfter string

	mu     sync.Mutex
	dead   bool
	writes []string
	seen   []string // "<write>: <binding> → <shape>"
}

var errKilled = errors.New("killed (test)")

func (w *bindingWatch) Get(ctx context.Context, path string, query url.Values, out any) error {
	if w.isDead() {
		return errKilled
	}
	return w.Client.Get(ctx, path, query, out)
}

func (w *bindingWatch) Post(ctx context.Context, path string, body any) (string, error) {
	if w.isDead() {
		return "", errKilled
	}
	id, err := w.Client.Post(ctx, path, body)
	w.check(ctx, "POST "+path, err)
	return id, err
}

func (w *bindingWatch) Put(ctx context.Context, path string, body any) error {
	if w.isDead() {
		return errKilled
	}
	err := w.Client.Put(ctx, path, body)
	w.check(ctx, "PUT "+path, err)
	return err
}

func (w *bindingWatch) Delete(ctx context.Context, path string, body any) error {
	if w.isDead() {
		return errKilled
	}
	err := w.Client.Delete(ctx, path, body)
	w.check(ctx, "DELETE "+path, err)
	return err
}

func (w *bindingWatch) isDead() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dead
}

func (w *bindingWatch) check(ctx context.Context, write string, err error) {
	w.mu.Lock()
	if w.killAfter != "" && strings.Contains(write, w.killAfter) {
		w.dead = true
	}
	w.mu.Unlock()
	if err != nil || !strings.HasPrefix(write, "POST "+admin.Seg(w.realm)) && !strings.HasPrefix(write, "PUT "+admin.Seg(w.realm)) && !strings.HasPrefix(write, "DELETE "+admin.Seg(w.realm)) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, write)
	for binding, shape := range bindingShapes(w.t, w.Client, w.realm) {
		w.seen = append(w.seen, fmt.Sprintf("%s: %s → %s", write, binding, shape))
	}
}

// bindingShapes reads the flow each binding names and describes it:
// its steps, depth, requirements and configs, with the rebuild's
// temporary suffix dropped (a name, not a state of the flow), or
// "MISSING" when the binding names no flow.
func bindingShapes(t *testing.T, api *admin.Client, realm string) map[string]string {
	t.Helper()
	ctx := context.Background()
	base := admin.Seg(realm)
	var flows []map[string]any
	if err := api.Get(ctx, base+"/authentication/flows", nil, &flows); err != nil {
		t.Fatal(err)
	}
	byID, byAlias := map[string]string{}, map[string]bool{}
	for _, f := range flows {
		byID[fmt.Sprint(f["id"])] = fmt.Sprint(f["alias"])
		byAlias[fmt.Sprint(f["alias"])] = true
	}
	bound := map[string]string{}
	var rep map[string]any
	if err := api.Get(ctx, base, nil, &rep); err != nil {
		t.Fatal(err)
	}
	bound["realm browserFlow"] = fmt.Sprint(rep["browserFlow"])
	var clients []map[string]any
	if err := api.Get(ctx, base+"/clients", url.Values{"clientId": {"app"}}, &clients); err != nil || len(clients) != 1 {
		t.Fatalf("client app: %v (%d found)", err, len(clients))
	}
	overrides, _ := clients[0]["authenticationFlowBindingOverrides"].(map[string]any)
	bound["client app browser override"] = byID[fmt.Sprint(overrides["browser"])]
	var idp map[string]any
	if err := api.Get(ctx, base+"/identity-provider/instances/corp", nil, &idp); err != nil {
		t.Fatal(err)
	}
	bound["identity provider corp firstBrokerLoginFlowAlias"] = fmt.Sprint(idp["firstBrokerLoginFlowAlias"])
	out := map[string]string{}
	for binding, alias := range bound {
		if alias == "" || !byAlias[alias] {
			out[binding] = "MISSING (" + alias + ")"
			continue
		}
		var tree []map[string]any
		if err := api.Get(ctx, base+"/authentication/flows/"+admin.Seg(alias)+"/executions", nil, &tree); err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range tree {
			name := fmt.Sprint(e["providerId"])
			if e["authenticationFlow"] == true {
				name = fmt.Sprint(e["displayName"])
			}
			if c, _ := e["alias"].(string); c != "" {
				name += "{" + c + "}"
			}
			steps = append(steps, fmt.Sprintf("%v:%s:%v", e["level"], strings.ReplaceAll(name, model.RebuildSuffix, ""), e["requirement"]))
		}
		out[binding] = strings.Join(steps, " ")
	}
	return out
}

// syncWatched plans and applies the files in-process through a watch
// (killed after the write killAfter names, when it is not ""), taking
// the lease a killed run left.
func syncWatched(t *testing.T, dir, realm, killAfter string) (*bindingWatch, error) {
	t.Helper()
	ctx := context.Background()
	desired, err := load.Dir(dir, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := &bindingWatch{Client: adminClient(t), t: t, realm: realm, killAfter: killAfter}
	planned, err := engine.Plan(ctx, w, desired, []string{realm}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.Apply(ctx, w, desired, planned, engine.Options{}, apply.Options{ForceUnlock: true})
	return w, err
}

// checkShapes fails the test for every binding the watch saw on a flow
// that was neither the one before the sync nor the one after.
func checkShapes(t *testing.T, what string, w *bindingWatch, start, end map[string]string) {
	t.Helper()
	for _, s := range w.seen {
		binding, shape, _ := strings.Cut(s[strings.Index(s, ": ")+2:], " → ")
		if shape != start[binding] && shape != end[binding] {
			t.Errorf("%s: a binding named a half-built flow: %s", what, s)
		}
	}
}

// TestFlowRebuild: a bound flow whose kind changes is rebuilt (the plan
// says replace, with the reason, and guards it as a delete); at no write
// does a binding name a half-built or missing flow; afterwards every
// binding names the new flow under the old alias, and a re-plan is zero.
// Back again, with a configured sub-flow, the same holds.
func TestFlowRebuild(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "rebuild")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: rebuildDoc("basic-flow")})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")
	api := adminClient(t)
	for _, c := range []struct{ kind, killAfter string }{
		{"client-flow", ""}, {"basic-flow", ""},
		// Killed while the new flow is half-built, then after the old
		// one is deleted and before the renames: the next run finishes.
		{"client-flow", "/executions/execution"}, {"basic-flow", "DELETE "},
	} {
		kind := c.kind
		if c.killAfter != "" {
			kind += ", killed after " + strings.TrimSpace(c.killAfter)
		}
		before := flowIDs(t, api, realm, "mixed")
		start := bindingShapes(t, api, realm)
		writeFiles(t, dir, map[string]string{file: rebuildDoc(c.kind)})
		r := realmsync(t, nil, "plan", dir)
		expectCode(t, r, 2, "plan of the kind change")
		for _, want := range []string{
			`-/+ authentication flow "mixed"`, "cannot change a flow's providerId", "built anew under a temporary alias",
			"rebuilt: made anew beside it, its bindings moved over, then deleted",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: plan lacks %q:\n%s", kind, want, r.stdout)
			}
		}
		// Guarded as a delete.
		expectCode(t, realmsync(t, nil, "sync", "--max-deletes", "0", dir), 1, "sync of a rebuild with --max-deletes 0")
		w, err := syncWatched(t, dir, realm, c.killAfter)
		watched := []*bindingWatch{w}
		switch {
		case c.killAfter == "" && err != nil:
			t.Fatalf("%s: %v", kind, err)
		case c.killAfter != "" && !errors.Is(err, errKilled):
			t.Fatalf("%s: the run was not killed: %v", kind, err)
		case c.killAfter != "":
			again, err := syncWatched(t, dir, realm, "")
			if err != nil {
				t.Fatalf("%s: the run after the kill: %v", kind, err)
			}
			watched = append(watched, again)
		}
		end := bindingShapes(t, api, realm)
		for binding, shape := range end {
			if strings.HasPrefix(shape, "MISSING") || shape == start[binding] {
				t.Errorf("%s: after the sync %s is %s (before: %s)", kind, binding, shape, start[binding])
			}
		}
		for _, w := range watched {
			checkShapes(t, kind, w, start, end)
			if len(w.writes) == 0 {
				t.Fatalf("%s: a sync wrote nothing", kind)
			}
		}
		if after := flowIDs(t, api, realm, "mixed"); after["mixed"] == before["mixed"] || after["mixed"] == "" {
			t.Errorf("%s: flow id %q, was %q: not rebuilt", kind, after["mixed"], before["mixed"])
		}
		var flows []map[string]any
		if err := api.Get(context.Background(), admin.Seg(realm)+"/authentication/flows", nil, &flows); err != nil {
			t.Fatal(err)
		}
		for _, f := range flows {
			if strings.Contains(fmt.Sprint(f["alias"]), model.RebuildSuffix) {
				t.Errorf("%s: the temporary flow %q is left behind", kind, f["alias"])
			}
		}
		expectCode(t, realmsync(t, nil, "plan", dir), 0, kind+": plan after the rebuild")
	}
}
