package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/faultproxy"
	"github.com/realmsync/realmsync/internal/model"
)

// ldapProvider is a provider in the flat shape, with five mappers of
// five types, against the suite's directory.
func ldapProvider(env map[string]string, connectionTimeout, changedSyncPeriod int, employeeAttr string) string {
	return fmt.Sprintf(`userFederation:
  - name: corp
    providerId: ldap
    enabled: true
    priority: 0
    editMode: READ_ONLY
    vendor: other
    importEnabled: true
    syncRegistrations: false
    connectionUrl: %s
    usersDn: %s
    authType: simple
    bindDn: %s
    bindCredential: ${env:LDAP_BIND_PASSWORD}
    usernameLDAPAttribute: uid
    rdnLDAPAttribute: uid
    uuidLDAPAttribute: entryUUID
    userObjectClasses: inetOrgPerson, organizationalPerson
    searchScope: 1
    pagination: true
    connectionTimeout: %d
    batchSizeForSync: 1000
    fullSyncPeriod: -1
    changedSyncPeriod: %d
    mappers:
      - name: employee number
        providerId: user-attribute-ldap-mapper
        user.model.attribute: employeeNumber
        ldap.attribute: %s
        read.only: true
        always.read.value.from.ldap: false
        is.mandatory.in.ldap: false
      - name: full name
        providerId: full-name-ldap-mapper
        ldap.full.name.attribute: cn
        read.only: true
        write.only: false
      - name: groups
        providerId: group-ldap-mapper
        groups.dn: %s
        group.name.ldap.attribute: cn
        group.object.classes: groupOfNames
        membership.ldap.attribute: member
        membership.attribute.type: DN
        membership.user.ldap.attribute: uid
        mode: READ_ONLY
        user.roles.retrieve.strategy: LOAD_GROUPS_BY_MEMBER_ATTRIBUTE
        preserve.group.inheritance: false
        ignore.missing.groups: false
        drop.non.existing.groups.during.sync: false
      - name: roles
        providerId: role-ldap-mapper
        roles.dn: ou=roles,%s
        role.name.ldap.attribute: cn
        role.object.classes: groupOfNames
        membership.ldap.attribute: member
        membership.attribute.type: DN
        membership.user.ldap.attribute: uid
        mode: READ_ONLY
        use.realm.roles.mapping: true
        user.roles.retrieve.strategy: LOAD_ROLES_BY_MEMBER_ATTRIBUTE
      - name: source
        providerId: hardcoded-attribute-mapper
        user.model.attribute: source
        attribute.value: ldap
`, env["LDAP_URL"], env["LDAP_USERS_DN"], env["LDAP_BIND_DN"], connectionTimeout, changedSyncPeriod, employeeAttr,
		env["LDAP_GROUPS_DN"], env["LDAP_BASE_DN"])
}

// TestLDAPFederation: an LDAP provider in the flat shape with five
// mappers, synced with its users; re-planned zero; exported in the same
// shape, which plans zero; changed in place (ids of the provider, its
// mappers and the 500 imported users kept); its bind credential applied
// once when Git changes it and never re-sent otherwise; and a wrong one
// stopped by --test-connection before any write.
func TestLDAPFederation(t *testing.T) {
	ldapEnv := needLDAP(t)
	// The test rotates the service account's password; a directory left
	// running by an earlier run may still have the rotated one.
	ldapTool(t, "ldappasswd", "-x", "-H", ldapEnv["LDAP_URL"], "-D", ldapEnv["LDAP_ADMIN_DN"], "-w", ldapEnv["LDAP_ADMIN_PASSWORD"],
		"-s", ldapEnv["LDAP_BIND_PASSWORD"], ldapEnv["LDAP_BIND_DN"])
	realm := uniqueRealm(t, "ldap")
	dir := t.TempDir()
	env := map[string]string{"LDAP_BIND_PASSWORD": ldapEnv["LDAP_BIND_PASSWORD"]}
	files := func(timeout, period int, attr string) {
		writeFiles(t, dir, map[string]string{
			filepath.Join(realm, "realm.yaml"):           "enabled: true\n",
			filepath.Join(realm, "user-federation.yaml"): ldapProvider(ldapEnv, timeout, period, attr),
		})
	}
	files(5000, -1, "employeeNumber")
	r := realmsync(t, env, "sync", "-y", "--test-connection", "--sync-user-federation=full", dir)
	expectCode(t, r, 0, "first sync with a full user sync")
	if !strings.Contains(r.stderr, `user federation provider "corp" (full sync): 500 imported`) {
		t.Errorf("the user sync's counts are not reported:\n%s", r)
	}
	if strings.Contains(r.stdout+r.stderr, ldapEnv["LDAP_BIND_PASSWORD"]) {
		t.Errorf("the bind credential was printed:\n%s", r)
	}
	api := adminClient(t)
	ctx := context.Background()
	userIDs := func() []string {
		users, err := api.List(ctx, realm+"/users", query("briefRepresentation", "true"), 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range users {
			ids = append(ids, fmt.Sprint(u["id"]))
		}
		slices.Sort(ids)
		return ids
	}
	before := userIDs()
	if len(before) != 500 {
		t.Fatalf("%d users imported, want 500", len(before))
	}
	groups, err := api.List(ctx, realm+"/groups", query("briefRepresentation", "true"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 20 {
		t.Errorf("%d groups imported, want 20", len(groups))
	}
	for _, g := range groups {
		members, err := api.List(ctx, realm+"/groups/"+fmt.Sprint(g["id"])+"/members", nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 25 {
			t.Errorf("group %v has %d members, want 25", g["name"], len(members))
		}
	}
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the sync")

	componentIDs := func() map[string]string {
		var all []map[string]any
		if err := api.Get(ctx, realm+"/components", nil, &all); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range all {
			if c["providerType"] == model.UserStorageType || c["providerType"] == model.LDAPMapperType {
				out[fmt.Sprint(c["name"])] = fmt.Sprint(c["id"])
			}
		}
		return out
	}
	ids := componentIDs()
	for _, want := range []string{"corp", "employee number", "full name", "groups", "roles", "source", "username", "email"} {
		if ids[want] == "" {
			t.Errorf("no component %q: %v", want, ids)
		}
	}

	// Export writes the flat shape back, without the credential.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "user-federation", "corp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"providerId: ldap", "editMode: READ_ONLY", "name: employee number", "ldap.attribute: employeeNumber", "bindCredential: ${env:"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("export lacks %q:\n%s", want, exported)
		}
	}
	exportEnv := map[string]string{}
	for _, line := range strings.Split(string(exported), "\n") {
		if _, after, ok := strings.Cut(line, "bindCredential: ${env:"); ok {
			exportEnv[strings.TrimSuffix(strings.TrimSpace(after), "}")] = ldapEnv["LDAP_BIND_PASSWORD"]
		}
	}
	if users, err := os.ReadFile(filepath.Join(out, realm, "users.yaml")); err == nil && strings.Contains(string(users), "user0001") {
		t.Errorf("export wrote users imported from LDAP: they are the directory's")
	}
	// The export changes nothing: what realmsync did not make (the groups
	// and roles the mappers imported, the mappers Keycloak made) is only
	// adopted, which writes nothing but the ownership record.
	r = realmsync(t, exportEnv, "plan", out)
	adoptsOnly := r.code == 2 && strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 0 to delete, ") &&
		!strings.Contains(r.stdout, "~ ") && !strings.Contains(r.stdout, "+ ") && !strings.Contains(r.stdout, "- ")
	if r.code != 0 && !adoptsOnly {
		t.Errorf("plan of the export changes something:\n%s", r)
	}

	// A connection setting, a sync period and a mapper's attribute: in
	// place, ids kept.
	files(10000, 3600, "departmentNumber")
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of three changes")
	for _, want := range []string{"~ user federation provider \"corp\"", "connectionTimeout: 5000 → 10000", "changedSyncPeriod: -1 → 3600",
		"~ user federation mapper \"corp/employee number\"", "ldap.attribute: \"employeeNumber\" → \"departmentNumber\""} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "bindCredential") || strings.Contains(r.stdout, "+ ") || strings.Contains(r.stdout, "- ") {
		t.Errorf("the plan has more than the three changes:\n%s", r.stdout)
	}
	proxy, err := faultproxy.Start(faultproxy.Config{Target: server.url})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	viaProxy := map[string]string{"KEYCLOAK_URL": proxy.URL, "LDAP_BIND_PASSWORD": env["LDAP_BIND_PASSWORD"]}
	expectCode(t, realmsync(t, viaProxy, "sync", "-y", "--sync-user-federation=changed", dir), 0, "sync of the three changes")
	for _, b := range proxy.WriteBodies() {
		if strings.Contains(b, "/components") && strings.Contains(b, "bindCredential") {
			t.Errorf("an unchanged bind credential was sent: %s", b)
		}
	}
	if d := componentIDs(); d["corp"] != ids["corp"] || d["employee number"] != ids["employee number"] {
		t.Errorf("ids changed: before %v, after %v", ids, d)
	}
	if after := userIDs(); !slices.Equal(before, after) {
		t.Errorf("the imported users changed: %d before, %d after", len(before), len(after))
	}
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the changes")

	// The directory's password changes, and so does Git: applied once.
	newPassword := "bind-rotated-7Qp"
	ldapTool(t, "ldappasswd", "-x", "-H", ldapEnv["LDAP_URL"], "-D", ldapEnv["LDAP_ADMIN_DN"], "-w", ldapEnv["LDAP_ADMIN_PASSWORD"],
		"-s", newPassword, ldapEnv["LDAP_BIND_DN"])
	env["LDAP_BIND_PASSWORD"] = newPassword
	// Keycloak cannot list users while its credential is stale (every
	// user list asks the directory): the plan that mends it leaves users
	// alone and says so.
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of a changed bind credential")
	if !strings.Contains(r.stdout, "could not be read, so this plan leaves users alone") {
		t.Errorf("the plan should say users were left out:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "bindCredential: (sensitive value changed)") || strings.Contains(r.stdout, newPassword) {
		t.Errorf("the plan should name the changed credential, never its value:\n%s", r.stdout)
	}
	proxy.Reset()
	viaProxy["LDAP_BIND_PASSWORD"] = newPassword
	logMark := logSize(t, ldapEnv["LDAP_LOG"])
	r = realmsync(t, viaProxy, "sync", "-y", "--test-connection", "--sync-user-federation=changed", dir)
	expectCode(t, r, 0, "sync of the new credential, tested and used by a user sync")
	// The sync's read still binds with the stale credential (Keycloak
	// lists users through the directory); from the write on, every bind
	// is with the new one.
	binds := keycloakBinds(t, ldapEnv["LDAP_LOG"], ldapEnv["LDAP_BIND_DN"], logMark)
	if first := strings.Index(binds, "ok"); first < 0 || strings.Contains(binds[first:], "failed") {
		t.Errorf("binds as %s after the rotation, in order: %s; want successes from the write on", ldapEnv["LDAP_BIND_DN"], binds)
	}
	sent := 0
	for _, b := range proxy.WriteBodies() {
		if strings.Contains(b, newPassword) && strings.Contains(b, "/components/") {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("the new credential was written %d times, want once: %v", sent, proxy.WriteBodies())
	}
	proxy.Reset()
	expectCode(t, realmsync(t, viaProxy, "sync", "-y", dir), 0, "sync with nothing to do")
	if n := proxy.Writes(); n != 0 {
		t.Errorf("%d writes for nothing: %v", n, proxy.WriteBodies())
	}

	// A wrong credential: the test stops the sync before any write.
	env["LDAP_BIND_PASSWORD"] = "not-the-password"
	files(20000, 3600, "departmentNumber")
	proxy.Reset()
	viaProxy["LDAP_BIND_PASSWORD"] = "not-the-password"
	r = realmsync(t, viaProxy, "sync", "-y", "--test-connection", dir)
	expectCode(t, r, 1, "sync with a wrong bind credential")
	if !strings.Contains(r.stderr, `user federation provider "corp" of realm `+realm) || strings.Contains(r.stderr, "not-the-password") {
		t.Errorf("the failure should name the provider, not the credential:\n%s", r)
	}
	for _, b := range proxy.WriteBodies() {
		if !strings.Contains(b, "/testLDAPConnection") {
			t.Errorf("written before the test passed: %s", b)
		}
	}

	// Without the test, the wrong credential is written, and the user
	// sync after it fails the run.
	r = realmsync(t, viaProxy, "sync", "-y", "--sync-user-federation=changed", dir)
	expectCode(t, r, 1, "sync whose user sync fails")
	if !strings.Contains(r.stderr, "user federation sync failed") || !strings.Contains(r.stderr, `provider "corp"`) {
		t.Errorf("the failed user sync should fail the run, naming the provider:\n%s", r)
	}
	// Mended by the next sync, though Keycloak cannot list users meanwhile.
	viaProxy["LDAP_BIND_PASSWORD"] = newPassword
	files(10000, 3600, "departmentNumber")
	r = realmsync(t, viaProxy, "sync", "-y", "--test-connection", dir)
	expectCode(t, r, 0, "sync that mends the credential")

	// A user sync on its own.
	env["LDAP_BIND_PASSWORD"] = newPassword
	files(10000, 3600, "departmentNumber")
	r = realmsync(t, env, "federation", "sync", "--realm", realm, "--mode", "changed")
	expectCode(t, r, 0, "federation sync")
	if !strings.Contains(r.stderr, `user federation provider "corp" (changed sync): 0 imported`) {
		t.Errorf("federation sync output:\n%s", r)
	}

	// Removing the provider removes its 500 users: said, counted, and
	// refused until the users' deletion policy allows it.
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "user-federation.yaml"): "userFederation: []\n"})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 1, "plan of the provider's removal under the users' policy none")
	if !strings.Contains(r.stderr, `deleting it deletes the 500 users imported from it, and the users' deletion policy is none`) {
		t.Errorf("the refusal should count the users:\n%s", r)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\nrealmsync:\n  deletionPolicy:\n    users: owned\n"})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the provider's removal")
	if !strings.Contains(r.stdout, `- user federation provider "corp" in realm `+realm+` (Keycloak deletes the 500 users imported from it)`) {
		t.Errorf("the plan should say what goes with the provider:\n%s", r.stdout)
	}
	r = realmsync(t, env, "sync", "-y", dir)
	expectCode(t, r, 1, "sync of 501 deletes under --max-deletes 10")
	if !strings.Contains(r.stderr, "the plan deletes 501 objects") {
		t.Errorf("the refusal should count the users:\n%s", r)
	}
	if n := len(userIDs()); n != 500 {
		t.Fatalf("%d users after a refused sync", n)
	}
	expectCode(t, realmsync(t, env, "sync", "-y", "--max-deletes", "501", dir), 0, "sync of the removal")
	if n := len(userIDs()); n != 0 {
		t.Errorf("%d users left after the provider's removal", n)
	}
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the removal")
}

// logSize is how long a log is now: what a test reads after it is new.
func logSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the directory's log: %v", err)
	}
	return info.Size()
}

// keycloakBinds lists the results of the simple binds as dn that
// slapd's log shows after offset, in order ("ok failed ok ..."): err=0
// succeeded, anything else failed.
func keycloakBinds(t *testing.T, path, dn string, offset int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binds := map[string]bool{} // "conn=N op=M" of binds as dn
	var results []string
	for _, line := range strings.Split(string(data[offset:]), "\n") {
		i := strings.Index(line, "conn=")
		if i < 0 {
			continue
		}
		fields := strings.Fields(line[i:])
		if len(fields) < 3 {
			continue
		}
		id := fields[0] + " " + fields[1]
		switch {
		case fields[2] == "BIND" && strings.Contains(line, `dn="`+dn+`"`) && strings.Contains(line, "method=128"):
			binds[id] = true
		case fields[2] == "RESULT" && strings.Contains(line, "tag=97") && binds[id]:
			if strings.Contains(line, "err=0 ") {
				results = append(results, "ok")
			} else {
				results = append(results, "failed")
			}
		}
	}
	return strings.Join(results, " ")
}
