package e2e

// Regression tests for defects found by replaying realm files written by
// other tools (issue "Correct on real-world realms", C1–C11). Each syncs,
// plans again and checks the server behind realmsync's back.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// serverNames lists the "name" (or other field) of every item a GET returns.
func serverNames(t *testing.T, path, field string) []string {
	t.Helper()
	var list []map[string]any
	if err := adminClient(t).Get(context.Background(), path, nil, &list); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	var out []string
	for _, item := range list {
		out = append(out, fmt.Sprint(item[field]))
	}
	slices.Sort(out)
	return out
}

// serverID finds the id of the object a query returns first.
func serverID(t *testing.T, path, key, value string) string {
	t.Helper()
	list, err := adminClient(t).List(context.Background(), path, query(key, value), 0)
	if err != nil {
		t.Fatalf("GET %s?%s=%s: %v", path, key, value, err)
	}
	for _, item := range list {
		if strings.EqualFold(fmt.Sprint(item[key]), value) {
			return fmt.Sprint(item["id"])
		}
	}
	t.Fatalf("GET %s?%s=%s: no such object", path, key, value)
	return ""
}

// syncConverges syncs dir and checks that the next plan is empty.
func syncConverges(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := realmsync(t, nil, append([]string{"sync", dir}, args...)...)
	expectCode(t, r, 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")
	return r
}

// expectRefused runs each command on dir and checks that it exits 1 with
// every want in its error output and, when realm is given, that the realm
// was not created: refused before the first write.
func expectRefused(t *testing.T, dir, realm string, cmds []string, wants ...string) {
	t.Helper()
	for _, cmd := range cmds {
		r := realmsync(t, nil, cmd, dir)
		expectCode(t, r, 1, cmd)
		for _, want := range wants {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: the error lacks %q:\n%s", cmd, want, r)
			}
		}
	}
	if realm != "" && realmExists(t, realm) {
		t.Fatalf("realm %s was created although the run was refused", realm)
	}
}

// realmExists asks the server whether a realm exists.
func realmExists(t *testing.T, realm string) bool {
	t.Helper()
	var obj map[string]any
	err := adminClient(t).Get(context.Background(), admin.Seg(realm), nil, &obj)
	if err != nil && !admin.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// C1: Keycloak lower-cases the default role's name.
func TestDefaultRoleOfMixedCaseRealm(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "hoRsCase")
	defaultRole := "default-roles-" + strings.ToLower(realm)
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	base := `enabled: true
roles:
  realm:
    - name: app-user
users:
  - username: alice
    enabled: true
    realmRoles: [app-user]
`
	writeFiles(t, dir, map[string]string{file: base})
	syncConverges(t, dir)
	syncConverges(t, dir) // a second sync must leave the default role alone
	uid := serverID(t, admin.Seg(realm)+"/users", "username", "alice")
	got := serverNames(t, admin.Seg(realm)+"/users/"+uid+"/role-mappings/realm", "name")
	if !slices.Contains(got, defaultRole) || !slices.Contains(got, "app-user") {
		t.Fatalf("alice's realm roles on the server are %v, want %s and app-user", got, defaultRole)
	}

	// Under the full policy the default role is still a built-in.
	writeFiles(t, dir, map[string]string{file: "realmsync:\n  deletionPolicy:\n    realmRoles: full\n" + base})
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan with realmRoles: full")

	// Declaring the default role in the realm's own case is a mistake
	// that names the real role.
	writeFiles(t, dir, map[string]string{file: strings.Replace(base, "    - name: app-user\n", "    - name: app-user\n    - name: default-roles-"+realm+"\n", 1)})
	expectRefused(t, dir, "", []string{"plan"}, "realm.yaml:5", defaultRole)
}

// C2: Keycloak leaves authorizationServicesEnabled out when it is false.
func TestAuthorizationServicesDisabledConverges(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "authzoff")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: app
    publicClient: false
    authorizationServicesEnabled: false
`})
	syncConverges(t, dir)
}

// C3: moving scopes between the default and optional lists, on a client
// and on the realm, in one sync.
func TestScopeMovesBetweenDefaultAndOptional(t *testing.T) {
	needKeycloak(t)
	needVersion(t, 25, 0, `it uses the built-in client scope "basic"`)
	realm := uniqueRealm(t, "scopemove")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := func(clientDefault, clientOptional, realmDefault, realmOptional string) string {
		return fmt.Sprintf(`enabled: true
defaultDefaultClientScopes: [%s]
defaultOptionalClientScopes: [%s]
clients:
  - clientId: app
    defaultClientScopes: [%s]
    optionalClientScopes: [%s]
`, realmDefault, realmOptional, clientDefault, clientOptional)
	}
	writeFiles(t, dir, map[string]string{file: doc("basic, email", "address, phone", "basic, email, profile, roles", "address, phone")})
	syncConverges(t, dir)
	writeFiles(t, dir, map[string]string{file: doc("basic, address", "email, phone", "basic, address, profile, roles", "email, phone")})
	syncConverges(t, dir)
	cid := serverID(t, admin.Seg(realm)+"/clients", "clientId", "app")
	rp := admin.Seg(realm)
	for _, c := range []struct {
		path string
		want []string
	}{
		{rp + "/clients/" + cid + "/default-client-scopes", []string{"address", "basic"}},
		{rp + "/clients/" + cid + "/optional-client-scopes", []string{"email", "phone"}},
		{rp + "/default-default-client-scopes", []string{"address", "basic", "profile", "roles"}},
		{rp + "/default-optional-client-scopes", []string{"email", "phone"}},
	} {
		if got := serverNames(t, c.path, "name"); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
}

// C4: clients whose scope mappings name each other's roles are deleted
// one after the other (Keycloak answers 500 when they go at once).
func TestDeleteClientsThatReferenceEachOther(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "entangled")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	var clients, roles, mappings strings.Builder
	const pairs = 8
	for i := range pairs {
		a, b := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		fmt.Fprintf(&clients, "  - clientId: %s\n  - clientId: %s\n", a, b)
		fmt.Fprintf(&roles, "    %s: [{name: ra}]\n    %s: [{name: rb}]\n", a, b)
		fmt.Fprintf(&mappings, "  %s:\n    - client: %s\n      roles: [ra]\n  %s:\n    - client: %s\n      roles: [rb]\n", a, b, b, a)
	}
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n" + clients.String() +
		"roles:\n  client:\n" + roles.String() + "clientScopeMappings:\n" + mappings.String()})
	syncConverges(t, dir)
	writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
	syncConverges(t, dir, "--max-delete-ratio", "1", "--max-deletes", "-1")
	for i := range pairs {
		list, err := adminClient(t).List(context.Background(), admin.Seg(realm)+"/clients", query("clientId", fmt.Sprintf("a%d", i)), 0)
		if err != nil || len(list) != 0 {
			t.Errorf("client a%d still exists (%v)", i, err)
		}
	}
}

// C5: fields Keycloak ignores are reported, never planned.
func TestIgnoredFieldsAreNotPlanned(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "ignored")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: spa
    publicClient: true
    secret: not-used-by-a-public-client
    defaultRoles: [reader]
roles:
  realm:
    - name: reader
`})
	r := syncConverges(t, dir)
	for _, want := range []string{`client "spa": field "defaultRoles" is ignored by Keycloak`, `client "spa": field "secret" is ignored by Keycloak`} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("sync does not warn %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "not-used-by-a-public-client") {
		t.Errorf("the ignored secret was printed:\n%s", r)
	}
}

// C6: a client's scope lists name scopes of its own protocol, and an
// empty list on a new client converges in one sync.
func TestClientScopeListsOfNewClients(t *testing.T) {
	needKeycloak(t)
	needVersion(t, 25, 0, `it uses the built-in client scope "basic"`)
	realm := uniqueRealm(t, "scopelist")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: `enabled: true
clients:
  - clientId: app
    defaultClientScopes: [basic, role_list]
`})
	expectRefused(t, dir, realm, []string{"plan", "sync"}, "realm.yaml:4", `"role_list"`, "saml")

	writeFiles(t, dir, map[string]string{file: `enabled: true
clients:
  - clientId: app
    defaultClientScopes: [basic, profile]
    optionalClientScopes: []
`})
	r := realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync")
	cid := serverID(t, admin.Seg(realm)+"/clients", "clientId", "app")
	if got := serverNames(t, admin.Seg(realm)+"/clients/"+cid+"/optional-client-scopes", "name"); len(got) != 0 {
		t.Errorf("after one sync the new client has optional scopes %v, want none", got)
	}
	if got := serverNames(t, admin.Seg(realm)+"/clients/"+cid+"/default-client-scopes", "name"); !slices.Equal(got, []string{"basic", "profile"}) {
		t.Errorf("after one sync the new client has default scopes %v, want [basic profile]", got)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after one sync")
}

// C7: with registrationEmailAsUsername, a user's username is the email.
func TestEmailAsUsername(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "emailname")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
registrationEmailAsUsername: true
users:
  - username: bob
    email: Bob@example.com
    enabled: true
    firstName: Bob
`})
	syncConverges(t, dir)
	syncConverges(t, dir)
	list, err := adminClient(t).List(context.Background(), admin.Seg(realm)+"/users", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0]["username"] != "bob@example.com" {
		t.Fatalf("users on the server: %v, want one, bob@example.com", list)
	}
	// Changing a field of the user updates the one user.
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
registrationEmailAsUsername: true
users:
  - username: bob
    email: Bob@example.com
    enabled: true
    firstName: Robert
`})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a change")
	if !strings.Contains(r.stdout, `~ user "bob@example.com"`) {
		t.Errorf("plan does not update the user keyed by email:\n%s", r.stdout)
	}
	syncConverges(t, dir)
}

// C9: with internationalization on, Keycloak keeps a user's locale.
func TestUserLocaleKept(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "locale")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := func(locale string) string {
		return `enabled: true
internationalizationEnabled: true
supportedLocales: [en, de]
defaultLocale: en
users:
  - username: alice
    enabled: true
    attributes:
      locale: ` + locale + "\n"
	}
	writeFiles(t, dir, map[string]string{file: doc("de")})
	r := syncConverges(t, dir)
	if strings.Contains(r.stdout, "Keycloak drops them") {
		t.Errorf("locale is called dropped:\n%s", r.stdout)
	}
	locale := func() string {
		uid := serverID(t, admin.Seg(realm)+"/users", "username", "alice")
		var u map[string]any
		if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/users/"+uid, nil, &u); err != nil {
			t.Fatal(err)
		}
		attrs, _ := u["attributes"].(map[string]any)
		return fmt.Sprint(attrs["locale"])
	}
	if got := locale(); got != "[de]" {
		t.Errorf("alice's locale on the server is %s, want [de]", got)
	}
	writeFiles(t, dir, map[string]string{file: doc("en")})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a locale change")
	syncConverges(t, dir)
	if got := locale(); got != "[en]" {
		t.Errorf("alice's locale on the server is %s, want [en]", got)
	}
}

// C10: Keycloak refuses every change to realm-management; realmsync says
// so before writing anything.
func TestRealmManagementCannotChange(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "frozen")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	// Naming it with the values Keycloak gives it (as an export converted
	// to YAML does) is fine, on a new realm too.
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: realm-management\n    bearerOnly: true\n"})
	r := realmsync(t, nil, "plan", dir)
	if !strings.Contains(r.stdout, `Keycloak refuses every change to client "realm-management"`) {
		t.Errorf("the plan of a new realm does not say realm-management cannot change:\n%s", r)
	}
	syncConverges(t, dir)

	writeFiles(t, dir, map[string]string{file: `enabled: true
clients:
  - clientId: realm-management
    description: changed by a realm file
  - clientId: app
`})
	expectRefused(t, dir, "", []string{"plan", "sync"}, "realm.yaml:4:5", `client "realm-management" cannot be changed`, "remove description")
	list, err := adminClient(t).List(context.Background(), admin.Seg(realm)+"/clients", query("clientId", "app"), 0)
	if err != nil || len(list) != 0 {
		t.Errorf("client app was created although the plan was refused (%v)", err)
	}
}

// C11: realm flow bindings name flows that exist.
func TestFlowBindingsValidated(t *testing.T) {
	needServer(t) // real server only: it copies a flow, and flows are not in the in-memory Keycloak
	realm := uniqueRealm(t, "flowbind")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nbrowserFlow: my browser\n"})
	expectRefused(t, dir, realm, []string{"plan", "sync"}, "realm.yaml:2", `"my browser"`)
	writeFiles(t, dir, map[string]string{file: "enabled: true\nbrowserFlow: browser\ndirectGrantFlow: direct grant\n"})
	syncConverges(t, dir)
	// On an existing realm, a flow made by hand counts too.
	ctx := context.Background()
	if _, err := adminClient(t).Post(ctx, admin.Seg(realm)+"/authentication/flows/browser/copy", map[string]any{"newName": "my browser"}); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{file: "enabled: true\nbrowserFlow: my browser\n"})
	syncConverges(t, dir)
	writeFiles(t, dir, map[string]string{file: "enabled: true\nbrowserFlow: my browsr\n"})
	expectRefused(t, dir, "", []string{"plan"}, `did you mean "my browser"`)
}

// A client named only in scope mappings must exist: a typo there must not
// create a real client.
func TestScopeMappingOwnerMustExist(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "stub")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: orders-api
roles:
  realm:
    - name: reader
scopeMappings:
  - client: orders-ap
    roles: [reader]
`})
	expectRefused(t, dir, realm, []string{"plan", "sync"}, `realm.yaml:8:5: scope mappings name client "orders-ap"`, `did you mean "orders-api"`)
}

// A server that answers 404 to the admin API (a wrong base path, a proxy
// in front of something else) is an error, not a plan that creates
// everything or a drift check that pages on all of it.
func TestServerAnswering404IsAnError(t *testing.T) {
	needKeycloak(t)
	target, err := neturl.Parse(server.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/") {
			http.NotFound(w, r) // logins work, the admin API is not there
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join("acme", "realm.yaml"): "enabled: true\n"})
	for _, cmd := range []string{"plan", "drift", "sync"} {
		r := realmsync(t, map[string]string{"KEYCLOAK_URL": front.URL}, cmd, dir)
		expectCode(t, r, 1, cmd+" against a server answering 404")
		if !strings.Contains(r.stderr, "is the URL Keycloak's base URL?") {
			t.Errorf("%s: the error does not point at the URL:\n%s", cmd, r)
		}
	}
}

// A create whose answer is lost after Keycloak acted (a gateway's 502)
// finds the object by its key and finishes in the same run: no error, no
// duplicate, the desired fields set, the object owned.
func TestCreateWithLostAnswer(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "lost")
	createRealm(t, adminClient(t), realm)
	target, err := neturl.Parse(server.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var lost atomic.Int32
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPost && strings.HasSuffix(resp.Request.URL.Path, "/"+realm+"/clients") && lost.Add(1) == 1 {
			resp.StatusCode = http.StatusBadGateway // Keycloak made it; the answer is lost
			resp.Header.Del("Location")
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: app\n    description: made through a lossy gateway\n"})
	env := map[string]string{"KEYCLOAK_URL": front.URL}
	r := realmsync(t, env, "sync", dir)
	expectCode(t, r, 0, "sync through a gateway that loses the create's answer")
	if lost.Load() != 1 {
		t.Fatalf("the gateway saw %d client creates, want 1", lost.Load())
	}
	list, err := adminClient(t).List(context.Background(), admin.Seg(realm)+"/clients", query("clientId", "app"), 0)
	if err != nil || len(list) != 1 || list[0]["description"] != "made through a lossy gateway" {
		t.Fatalf("clients named app: %v (%v), want one with the desired description", list, err)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after")
	// Owned: removed from Git, it is deleted.
	writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
	r = realmsync(t, nil, "plan", dir)
	expectDeletions(t, r, `client "app"`)
}

// A gateway that echoes a rejected request's body must not make realmsync
// print the desired client secret.
func TestEchoedSecretNeverPrinted(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "echo")
	createRealm(t, adminClient(t), realm)
	target, err := neturl.Parse(server.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/"+realm+"/clients") {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "rejected request body: %s", body)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	const secret = "Echoed+Secret/Value-42"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\nclients:\n  - clientId: api\n    secret: ${env:API_SECRET}\n"})
	r := realmsync(t, map[string]string{"KEYCLOAK_URL": front.URL, "API_SECRET": secret}, "sync", dir)
	expectCode(t, r, 1, "sync through an echoing gateway")
	if strings.Contains(r.stdout+r.stderr, secret) || strings.Contains(r.stdout+r.stderr, neturl.QueryEscape(secret)) {
		t.Errorf("the secret was printed:\n%s", r)
	}
	if !strings.Contains(r.stderr, "[redacted]") {
		t.Errorf("the echoed body was not shown redacted:\n%s", r)
	}
}

// A new mapper without its type is refused before any write (Keycloak
// would answer 404 after earlier writes had gone through).
func TestNewMapperNeedsItsType(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "mapper")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: web
    protocolMappers:
      - name: team
        protocol: openid-connect
        config:
          claim.name: team
`})
	expectRefused(t, dir, realm, []string{"plan", "sync"}, `realm.yaml:5:9: client mapper "web/team" does not exist yet, and Keycloak creates it only with protocolMapper`)
}

// sync -o json and -o markdown print exactly one document on stdout; the
// apply log goes to stderr.
func TestSyncOutputIsOneDocument(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "onedoc")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: one\n"})
	r := realmsync(t, nil, "sync", "-o", "json", dir)
	expectCode(t, r, 0, "sync -o json")
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON document:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "Applied: ") {
		t.Errorf("the apply log is not on stderr:\n%s", r)
	}
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: one\n  - clientId: two\n"})
	r = realmsync(t, nil, "sync", "-o", "markdown", dir)
	expectCode(t, r, 0, "sync -o markdown")
	if strings.Contains(r.stdout, "Applied: ") || !strings.HasPrefix(r.stdout, "### realmsync plan") {
		t.Errorf("stdout is not just the Markdown plan:\n%s", r)
	}
}

// The master realm exports like any other: the files validate, hold none
// of the admin clients Keycloak keeps for each realm, and plan nothing but
// adopting what they name.
func TestExportOfMaster(t *testing.T) {
	needKeycloak(t)
	other := uniqueRealm(t, "withadmin")
	createRealm(t, adminClient(t), other) // master then has an admin client for it
	dir := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", "master", dir), 0, "export of master")
	tree := readTree(t, filepath.Join(dir, "master"))
	for path, content := range tree {
		if strings.Contains(path, "-realm") || strings.Contains(content, "clientId: "+other+"-realm") {
			t.Errorf("%s holds an admin client of a realm:\n%s", path, content)
		}
		if strings.Contains(content, `"": null`) || strings.Contains(content, "is_temporary_admin") {
			t.Errorf("%s holds what no file should:\n%s", path, content)
		}
	}
	r := realmsync(t, nil, "plan", dir)
	if r.code != 0 && r.code != 2 {
		t.Fatalf("plan of master's export: %s", r)
	}
	if !strings.Contains(r.stdout, "No changes") && !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 0 to delete") {
		t.Errorf("the plan of master's export changes something:\n%s", r.stdout)
	}
}

// TestNewerServerNeeded: a desired state that uses what the server's
// version does not have (a built-in scope, a field) is refused before any
// write, naming the place, what it needs and the first version with it.
// The version is stated, so the test holds on every server.
func TestNewerServerNeeded(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "older")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: app
    defaultClientScopes: [basic, profile]
groups:
  - name: staff
    description: the staff
`})
	r := realmsync(t, nil, "sync", "--keycloak-version", "24.0.5", dir)
	expectCode(t, r, 1, "sync for an older server")
	for _, want := range []string{
		`realm.yaml:4:5: client "app": defaultClientScopes needs the built-in client scope "basic", which Keycloak has from 25.0 (this server is 24.0.5)`,
		`realm.yaml:7:5: group "/staff": field "description" needs a group's description, which Keycloak has from 26.3 (this server is 24.0.5)`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, r)
		}
	}
	var realms []map[string]any
	if err := adminClient(t).Get(context.Background(), "", nil, &realms); err != nil {
		t.Fatal(err)
	}
	for _, rr := range realms {
		if rr["realm"] == realm {
			t.Errorf("realm %s was created although the sync was refused", realm)
		}
	}
	expectCode(t, realmsync(t, nil, "plan", "--keycloak-version", "2x", dir), 1, "a version that is not one")
}
