package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/model"
)

// browserCopy is a copy of the browser flow with a conditional OTP
// sub-flow, bound as the realm's browser flow and as one client's
// override. requirement, the step order of the forms and the config's
// value are the test's to change.
func browserCopy(cookie, formsOrder, hint string) string {
	forms := map[string]string{
		"password": "          - authenticator: auth-username-password-form\n            requirement: REQUIRED\n",
		"otp": "          - flowAlias: rs conditional otp\n            requirement: CONDITIONAL\n            description: OTP when the user has one\n" +
			"            authenticationExecutions:\n" +
			"              - authenticator: conditional-user-configured\n                requirement: REQUIRED\n" +
			"              - authenticator: auth-otp-form\n                requirement: REQUIRED\n",
	}
	var steps strings.Builder
	for _, s := range strings.Split(formsOrder, ",") {
		steps.WriteString(forms[s])
	}
	return `enabled: true
browserFlow: rs browser
authenticationFlows:
  - alias: rs browser
    description: browser with conditional OTP
    authenticationExecutions:
      - authenticator: auth-cookie
        requirement: ` + cookie + `
      - authenticator: identity-provider-redirector
        requirement: ALTERNATIVE
        authenticatorConfig: rs-redirector
      - flowAlias: rs forms
        requirement: ALTERNATIVE
        authenticationExecutions:
` + steps.String() + `authenticatorConfig:
  - alias: rs-redirector
    config:
      defaultProvider: ` + hint + `
clients:
  - clientId: app
    publicClient: true
    authenticationFlowBindingOverrides:
      browser: rs browser
`
}

// flowIDs reads the ids of a flow and of every sub-flow in it, by alias.
func flowIDs(t *testing.T, api *admin.Client, realm, alias string) map[string]string {
	t.Helper()
	ctx := context.Background()
	var flows []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/authentication/flows", nil, &flows); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range flows {
		if f["alias"] == alias {
			out[alias] = f["id"].(string)
		}
	}
	var tree []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/authentication/flows/"+admin.Seg(alias)+"/executions", nil, &tree); err != nil {
		t.Fatal(err)
	}
	for _, e := range tree {
		if e["authenticationFlow"] == true {
			out[e["displayName"].(string)] = e["flowId"].(string)
		}
	}
	return out
}

// TestAuthenticationFlows: a copied browser flow with a conditional OTP
// sub-flow, bound to the realm and a client, syncs, re-plans zero and
// round-trips through export; a requirement change, a move and a config
// change plan exactly those three and apply with no delete, keeping every
// flow's id; bindings name the flow by alias on both sides.
func TestAuthenticationFlows(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "flows")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: browserCopy("ALTERNATIVE", "password,otp", "none")})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan")
	for _, want := range []string{`+ authentication flow "rs browser"`, `authenticationExecutions[rs forms > rs conditional otp > auth-otp-form]`, `+ authenticator config "rs-redirector"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")

	api := adminClient(t)
	ctx := context.Background()
	var rep map[string]any
	if err := api.Get(ctx, admin.Seg(realm), nil, &rep); err != nil {
		t.Fatal(err)
	}
	if rep["browserFlow"] != "rs browser" {
		t.Errorf("the realm's browser flow is %v, want rs browser", rep["browserFlow"])
	}
	before := flowIDs(t, api, realm, "rs browser")
	if len(before) != 3 {
		t.Fatalf("flow and sub-flows: %v, want rs browser, rs forms, rs conditional otp", before)
	}
	var clients []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/clients", query("clientId", "app"), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("reading client app: %v", err)
	}
	if got := clients[0]["authenticationFlowBindingOverrides"].(map[string]any)["browser"]; got != before["rs browser"] {
		t.Errorf("client app's browser override is %v, want the flow's id %s", got, before["rs browser"])
	}

	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	tree := readTree(t, filepath.Join(out, realm))
	exported := tree["authentication-flows/rs_browser.yaml"]
	for _, want := range []string{"flowAlias: rs conditional otp", "authenticator: auth-otp-form", "authenticatorConfig: rs-redirector"} {
		if !strings.Contains(exported, want) {
			t.Errorf("the exported flow lacks %q:\n%s", want, exported)
		}
	}
	if strings.Contains(exported, "priority") || strings.Contains(exported, before["rs browser"]) {
		t.Errorf("the exported flow holds priorities or ids:\n%s", exported)
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")

	// One requirement, one move, one config value.
	writeFiles(t, dir, map[string]string{file: browserCopy("DISABLED", "otp,password", "corp")})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of three changes")
	wantLines := []string{
		`authenticationExecutions[auth-cookie].requirement: "ALTERNATIVE" → "DISABLED"`,
		`authenticationExecutions[rs forms > *]: ["auth-username-password-form","rs conditional otp"] → ["rs conditional otp","auth-username-password-form"] (reordered)`,
		`config.defaultProvider: "none" → "corp"`,
	}
	for _, want := range wantLines {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "Plan: 0 to create, 2 to update, 0 to delete.") {
		t.Errorf("want exactly the flow and the config updated:\n%s", r.stdout)
	}
	r = realmsync(t, nil, "sync", "-V", dir)
	expectCode(t, r, 0, "sync of three changes")
	if m := requestReport.FindStringSubmatch(r.stderr); m == nil || m[4] != "0" {
		t.Errorf("the in-place change made deletes (or no report): %v\n%s", m, r.stderr)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after three changes")
	after := flowIDs(t, api, realm, "rs browser")
	for alias, id := range before {
		if after[alias] != id {
			t.Errorf("flow %q has id %s after the change, %s before: it was made again", alias, after[alias], id)
		}
	}

	// A flow still bound is never deleted: the plan says where.
	writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 1, "plan deleting a bound flow")
	if !strings.Contains(r.stderr, `authentication flow "rs browser" would be deleted, but it is still bound: realm`) {
		t.Errorf("the refusal does not say where the flow is bound:\n%s", r)
	}
	// Rebound everywhere, it goes.
	writeFiles(t, dir, map[string]string{file: "enabled: true\nbrowserFlow: browser\nclients:\n  - clientId: app\n    publicClient: true\n    authenticationFlowBindingOverrides: {}\n"})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync rebinding and deleting")
	if !strings.Contains(r.stdout, `- authentication flow "rs browser"`) || !strings.Contains(r.stdout, `- authenticator config "rs-redirector"`) {
		t.Errorf("the flow and its config were not deleted:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the delete")
}

// TestDirectGrantFlowLogin: a real login goes through a flow realmsync
// copied, changed and bound: a password grant works before and after a
// sync that changes the flow, and fails once the flow denies access.
func TestDirectGrantFlowLogin(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "grant")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := func(extra string) string {
		return `enabled: true
directGrantFlow: rs grant
authenticationFlows:
  - alias: rs grant
    description: direct grant, by realmsync
    authenticationExecutions:
      - authenticator: direct-grant-validate-username
        requirement: REQUIRED
      - authenticator: direct-grant-validate-password
        requirement: REQUIRED
` + extra + `users:
  - username: alice
    enabled: true
    firstName: Alice
    lastName: Example
    email: alice@example.com
    emailVerified: true
    credentials:
      - type: password
        value: secret-1
        temporary: false
`
	}
	writeFiles(t, dir, map[string]string{file: doc("")})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	if !canLogIn(t, realm, "alice", "secret-1") {
		t.Fatal("alice cannot log in through the copied direct grant flow")
	}
	// A change that keeps the login: a disabled extra step.
	writeFiles(t, dir, map[string]string{file: doc("      - authenticator: deny-access-authenticator\n        requirement: DISABLED\n")})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of a harmless change")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after it")
	if !canLogIn(t, realm, "alice", "secret-1") {
		t.Error("alice cannot log in after a sync that changed the flow harmlessly")
	}
	// The same step required: the binding is live, the login fails.
	writeFiles(t, dir, map[string]string{file: doc("      - authenticator: deny-access-authenticator\n        requirement: REQUIRED\n")})
	r := realmsync(t, nil, "plan", dir)
	if !strings.Contains(r.stdout, `authenticationExecutions[deny-access-authenticator].requirement: "DISABLED" → "REQUIRED"`) {
		t.Errorf("plan lacks the requirement change:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync denying access")
	if canLogIn(t, realm, "alice", "secret-1") {
		t.Error("alice still logs in through a flow that denies access: the binding is not live")
	}
}

// TestRequiredActions: enable, disable, reorder, set config, and register
// an action that is not registered.
func TestRequiredActions(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "actions")
	api := adminClient(t)
	createRealm(t, api, realm)
	ctx := context.Background()
	// Unregister one, which the files then ask for.
	if err := api.Delete(ctx, admin.Seg(realm)+"/authentication/required-actions/TERMS_AND_CONDITIONS", nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	config := ""
	if !server.version.Known() || server.version.AtLeast(model.Version{Major: 25}) {
		config = "    config:\n      verify-email.lifespan: \"600\"\n"
	}
	writeFiles(t, dir, map[string]string{file: `enabled: true
requiredActions:
  - alias: TERMS_AND_CONDITIONS
    name: Terms and Conditions
    enabled: true
    priority: 1
  - alias: VERIFY_EMAIL
    enabled: false
    priority: 2
` + config + `  - alias: CONFIGURE_TOTP
    defaultAction: true
`})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan")
	if !strings.Contains(r.stdout, `+ required action "TERMS_AND_CONDITIONS"`) {
		t.Errorf("the plan does not register the unregistered action:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")
	var actions []map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/authentication/required-actions", nil, &actions); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	var order []string
	for _, a := range actions {
		got[a["alias"].(string)] = a
		order = append(order, a["alias"].(string))
	}
	if a := got["TERMS_AND_CONDITIONS"]; a == nil || a["enabled"] != true {
		t.Errorf("TERMS_AND_CONDITIONS: %v, want registered and enabled", a)
	}
	if got["VERIFY_EMAIL"]["enabled"] != false || got["CONFIGURE_TOTP"]["defaultAction"] != true {
		t.Errorf("VERIFY_EMAIL %v, CONFIGURE_TOTP %v", got["VERIFY_EMAIL"], got["CONFIGURE_TOTP"])
	}
	if len(order) < 2 || order[0] != "TERMS_AND_CONDITIONS" || order[1] != "VERIFY_EMAIL" {
		t.Errorf("order %v, want TERMS_AND_CONDITIONS, VERIFY_EMAIL first", order)
	}
	if config != "" {
		if c, _ := got["VERIFY_EMAIL"]["config"].(map[string]any); c["verify-email.lifespan"] != "600" {
			t.Errorf("VERIFY_EMAIL config %v", got["VERIFY_EMAIL"]["config"])
		}
	}
	// Reorder: the two swap.
	doc := strings.Replace(strings.Replace(readTree(t, dir)[file], "priority: 1", "priority: 3", 1), "enabled: false", "enabled: true", 1)
	writeFiles(t, dir, map[string]string{file: doc})
	r = realmsync(t, nil, "plan", dir)
	for _, want := range []string{`priority: 1 → 3`, `enabled: false → true`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the reorder")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the reorder")
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")
}

// TestFlowBadInput: mistakes in flows stop the plan before any write,
// naming file and line: an unknown authenticator, a binding to a flow
// that does not exist, a sub-flow cycle (in a realm export's flat form),
// an alias defined twice, and a restructured built-in flow.
func TestFlowBadInput(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "flowbad")
	api := adminClient(t)
	createRealm(t, api, realm)
	file := filepath.Join(realm, "realm.yaml")
	cases := []struct {
		name, doc, want string
	}{
		{"unknown authenticator", "authenticationFlows:\n  - alias: f\n    authenticationExecutions:\n      - authenticator: auth-cookie\n      - authenticator: auth-otp-from\n",
			`realm.yaml:6:9: authentication flow "f": step auth-otp-from names authenticator "auth-otp-from", which the server does not have (did you mean "auth-otp-form"?)`},
		{"unknown binding", "browserFlow: my browser\n", `refers to flow "my browser", which the realm does not have`},
		{"cycle", "authenticationFlows:\n  - alias: top\n    authenticationExecutions:\n      - flowAlias: a\n  - alias: a\n    topLevel: false\n    authenticationExecutions:\n      - flowAlias: b\n  - alias: b\n    topLevel: false\n    authenticationExecutions:\n      - flowAlias: a\n",
			`realm.yaml:13:9: sub-flow cycle: top → a → b → a`},
		{"twice", "authenticationFlows:\n  - alias: f\n  - alias: f\n", `realm.yaml:4:5: flow alias "f" is defined twice`},
		{"built-in restructured", "authenticationFlows:\n  - alias: direct grant\n    authenticationExecutions:\n      - authenticator: direct-grant-validate-username\n",
			`Keycloak allows only requirement and config changes in a built-in flow`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{file: "enabled: true\n" + c.doc})
			r := realmsync(t, nil, "sync", dir)
			expectCode(t, r, 1, c.name)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, r)
			}
			if strings.Contains(r.stdout, "Applying") {
				t.Errorf("it wrote:\n%s", r.stdout)
			}
		})
	}
}

// TestSubFlowKindChange: a sub-flow's kind (providerId), which Keycloak
// cannot change, changes by removing its step and adding it again in its
// place; the top-level flow keeps its id and the order holds.
func TestSubFlowKindChange(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "subkind")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := func(kind string) string {
		return "enabled: true\nauthenticationFlows:\n  - alias: kinds\n    authenticationExecutions:\n" +
			"      - flowAlias: kinds sub\n        requirement: ALTERNATIVE\n        providerId: " + kind + "\n        authenticationExecutions: []\n" +
			"      - authenticator: auth-cookie\n        requirement: ALTERNATIVE\n"
	}
	writeFiles(t, dir, map[string]string{file: doc("form-flow")})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")
	before := flowIDs(t, adminClient(t), realm, "kinds")
	writeFiles(t, dir, map[string]string{file: doc("basic-flow")})
	r := realmsync(t, nil, "plan", dir)
	if !strings.Contains(r.stdout, `authenticationExecutions[kinds sub].providerId: "form-flow" → "basic-flow"`) {
		t.Errorf("plan lacks the kind change:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the kind change")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the kind change (order and kind hold)")
	if after := flowIDs(t, adminClient(t), realm, "kinds"); after["kinds"] != before["kinds"] {
		t.Errorf("the top-level flow was made again: id %s, was %s", after["kinds"], before["kinds"])
	}
}
