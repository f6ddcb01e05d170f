package e2e

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

const usersStep1 = `enabled: true
realmsync:
  deletionPolicy:
    users: owned
clients:
  - clientId: app
roles:
  realm:
    - name: reader
    - name: writer
  client:
    app:
      - name: use
groups:
  - name: staff
    realmRoles: [reader]
    subGroups:
      - name: ops
users:
  - username: Alice
    enabled: true
    email: alice@example.com
    emailVerified: true
    firstName: Alice
    lastName: Liddell
    groups: [/staff/ops]
    realmRoles: [writer]
    clientRoles: {app: [use]}
    credentials:
      - type: password
        value: ${env:ALICE_PASSWORD}
        temporary: false
  - username: bob
    enabled: true
    email: bob@example.com
    firstName: Bob
    lastName: Builder
    groups: [/staff]
    attributes:
      undeclared: x
`

// TestUsers walks users through create, change and remove: memberships
// by group path, realm and client role mappings, an initial password that
// later syncs never reset, and an attribute the user profile drops.
func TestUsers(t *testing.T) {
	needServer(t) // real server only: it logs in with the password
	realm := uniqueRealm(t, "users")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	env := map[string]string{"ALICE_PASSWORD": "first-Passw0rd!"}

	writeFiles(t, dir, map[string]string{file: usersStep1})
	r := realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan")
	for _, want := range []string{`+ user "alice"`, `credentials: (sensitive)`, `groups: + group "/staff/ops"`,
		`clientRoles: + client role "app/use"`, `realmRoles: + realm role "writer"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync")
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 0, "plan after sync")
	if !strings.Contains(r.stdout, "user attributes undeclared (user bob) are not declared in the realm's user profile") {
		t.Errorf("plan does not explain the dropped attribute:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "credentials of existing users") {
		t.Errorf("the password is the one alice was created with: no warning wanted:\n%s", r.stdout)
	}
	if !canLogIn(t, realm, "alice", "first-Passw0rd!") {
		t.Error("alice cannot log in with her initial password")
	}

	// Change: memberships and mappings move, profile fields change, the
	// password in Git changes (and is not applied).
	step2 := strings.NewReplacer(
		"groups: [/staff/ops]\n    realmRoles: [writer]", "groups: [/staff]\n    realmRoles: []",
		"email: alice@example.com", "email: alice@acme.example",
		"firstName: Bob", "firstName: Robert",
	).Replace(usersStep1)
	writeFiles(t, dir, map[string]string{file: step2})
	env["ALICE_PASSWORD"] = "second-Passw0rd!"
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the change")
	for _, want := range []string{`email: "alice@example.com" → "alice@acme.example"`, `groups: + group "/staff", - group "/staff/ops"`,
		`realmRoles: - realm role "writer"`, `firstName: "Bob" → "Robert"`,
		"the credentials of existing users alice differ from those realmsync created them with (or it did not create them) and are not applied: realmsync sets a password only when it creates a user and never resets one",
		"Plan: 0 to create, 2 to update, 0 to delete."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the change")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the change")
	if !canLogIn(t, realm, "alice", "first-Passw0rd!") || canLogIn(t, realm, "alice", "second-Passw0rd!") {
		t.Error("a sync reset alice's password")
	}

	// Remove bob (users: owned deletes him), then alice under the default
	// policy for users (none): she stays.
	step3 := step2[:strings.Index(step2, "  - username: bob")]
	writeFiles(t, dir, map[string]string{file: step3})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan without bob")
	expectDeletions(t, r, `user "bob"`)
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync without bob")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after removing bob")
	noUsers := strings.Replace(step3[:strings.Index(step3, "\nusers:")+1], "realmsync:\n  deletionPolicy:\n    users: owned\n", "", 1)
	writeFiles(t, dir, map[string]string{file: noUsers})
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan without users, policy none")
}

// canLogIn tries a password grant with the realm's admin-cli client.
func canLogIn(t *testing.T, realm, user, password string) bool {
	t.Helper()
	form := url.Values{"client_id": {"admin-cli"}, "grant_type": {"password"}, "username": {user}, "password": {password}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		server.url+"/realms/"+url.PathEscape(realm)+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
