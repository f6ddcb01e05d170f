package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/fakeagm"
	"github.com/realmsync/realmsync/internal/faultproxy"
)

const agmFirst = `enabled: true
extensions:
  groupManagement:
    configuration:
      invitationExpirationPeriod: 48
      expirationNotificationPeriod: 14
    memberUserAttribute:
      userAttribute: eduPersonEntitlement
      urnNamespace: "urn:mace:example.org"
      signatureMessage: Support team
      authority: ${env:AGM_AUTHORITY}
    configurationRules:
      - type: TOP_LEVEL
        field: membershipExpirationDays
        required: true
        defaultValue: 32
        max: 365
      - type: SUBGROUP
        field: requireApproval
        required: false
        defaultValue: true
`

const agmSecond = `enabled: true
extensions:
  groupManagement:
    configuration:
      invitationExpirationPeriod: 24
      expirationNotificationPeriod: 21
    memberUserAttribute:
      userAttribute: eduPersonEntitlement
      urnNamespace: "urn:mace:example.org"
      signatureMessage: Support desk
      authority: ${env:AGM_AUTHORITY}
    configurationRules:
      - type: TOP_LEVEL
        field: membershipExpirationDays
        required: true
        defaultValue: 30
      - type: TOP_LEVEL
        field: aup
        required: false
`

// TestGroupManagementExtension manages the group-management plugin's
// configuration (seed 003) through its fake, in front of the in-memory
// Keycloak or the real one: create, change and remove each part, re-plan
// zero, an export round trip, a rule the server lost before its delete,
// the plugin-absent error, a 40-character default refused offline, and no
// request to the plugin for a realm that does not declare it.
func TestGroupManagementExtension(t *testing.T) {
	needKeycloak(t)
	fake, err := fakeagm.Start(server.url, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	realm := uniqueRealm(t, "agm")
	createRealm(t, adminClient(t), realm)
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	env := map[string]string{"KEYCLOAK_URL": fake.URL, "AGM_AUTHORITY": "https://authority.example/first"}

	writeFiles(t, dir, map[string]string{file: agmFirst})
	r := realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the section")
	for _, want := range []string{`+ group-management configuration "configuration"`, `invitationExpirationPeriod: 48`,
		`+ group-management member user attribute "memberUserAttribute"`, `authority: (sensitive)`,
		`+ group-management rule "TOP_LEVEL:membershipExpirationDays"`, `defaultValue: "32"`, `+ group-management rule "SUBGROUP:requireApproval"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	r = realmsync(t, env, "sync", dir)
	expectCode(t, r, 0, "sync of the section")
	if strings.Contains(r.stdout+r.stderr, env["AGM_AUTHORITY"]) {
		t.Errorf("the write-only authority was printed:\n%s", r)
	}
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after sync")
	var rep map[string]any
	if err := adminClient(t).Get(context.Background(), admin.Seg(realm), nil, &rep); err != nil {
		t.Fatal(err)
	}
	if attrs := rep["attributes"].(map[string]any); attrs["invitation-expiration-period"] != "48" || attrs["expiration-notification-period"] != "14" {
		t.Errorf("the configuration is not in the realm's attributes: %v", attrs)
	}
	if got := fake.Authority(realm); got != env["AGM_AUTHORITY"] {
		t.Errorf("the plugin holds authority %v", got)
	}
	// The authority is never read back: a new value in the files is seen
	// through the digest of the one written, and applied.
	env["AGM_AUTHORITY"] = "https://authority.example/second"
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of a new authority")
	if !strings.Contains(r.stdout, "authority: (sensitive value changed)") || strings.Contains(r.stdout, env["AGM_AUTHORITY"]) {
		t.Errorf("the plan does not show the new authority as a sensitive change:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of a new authority")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the new authority")
	if got := fake.Authority(realm); got != env["AGM_AUTHORITY"] {
		t.Errorf("the plugin holds authority %v after the change", got)
	}

	// Change every part; the SUBGROUP rule goes, but the server loses it
	// first: its DELETE would be a 500.
	writeFiles(t, dir, map[string]string{file: agmSecond})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of the changes")
	for _, want := range []string{`invitationExpirationPeriod: 48 → 24`, `expirationNotificationPeriod: 14 → 21`, `signatureMessage: "Support team" → "Support desk"`,
		`defaultValue: "32" → "30"`, `+ group-management rule "TOP_LEVEL:aup"`, `- group-management rule "SUBGROUP:requireApproval"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	lose, err := faultproxy.Start(faultproxy.Config{Target: fake.URL, OnWrite: func(n int) {
		if n == 1 { // the lease: the plan is made, nothing applied yet
			fake.DropRule(realm, "SUBGROUP", "requireApproval")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer lose.Close()
	r = realmsync(t, map[string]string{"KEYCLOAK_URL": lose.URL, "AGM_AUTHORITY": env["AGM_AUTHORITY"]}, "sync", dir)
	expectCode(t, r, 0, "sync of the changes, a rule lost on the way")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after the changes")
	if err := adminClient(t).Get(context.Background(), admin.Seg(realm), nil, &rep); err != nil {
		t.Fatal(err)
	}
	if attrs := rep["attributes"].(map[string]any); attrs["invitation-expiration-period"] != "24" || attrs["expiration-notification-period"] != "21" {
		t.Errorf("realm attributes after the change: %v", attrs)
	}

	// The member user attribute cannot be deleted: leaving it out says so.
	writeFiles(t, dir, map[string]string{file: strings.Replace(agmSecond, `    memberUserAttribute:
      userAttribute: eduPersonEntitlement
      urnNamespace: "urn:mace:example.org"
      signatureMessage: Support desk
      authority: ${env:AGM_AUTHORITY}
`, "", 1)})
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 0, "plan without the member user attribute")
	if !strings.Contains(r.stdout, "cannot delete it: it stays as the server has it") {
		t.Errorf("the plan does not say the member user attribute stays:\n%s", r.stdout)
	}

	// Export writes the section (no authority, no ids, and not the 21 days
	// the plugin assumes anyway), and it re-plans zero.
	out := t.TempDir()
	expectCode(t, realmsync(t, env, "export", "--realm", realm, out), 0, "export")
	files := readTree(t, filepath.Join(out, realm))
	ext := files["extensions.yaml"]
	for _, want := range []string{"groupManagement:", "invitationExpirationPeriod: 24", "signatureMessage: Support desk", "field: aup"} {
		if !strings.Contains(ext, want) {
			t.Errorf("extensions.yaml lacks %q:\n%s", want, ext)
		}
	}
	for _, never := range []string{"authority", "id:", "invitation-expiration-period", "expirationNotificationPeriod"} {
		for path, content := range files {
			if strings.Contains(content, never) {
				t.Errorf("%s holds %q:\n%s", path, never, content)
			}
		}
	}
	expectCode(t, realmsync(t, env, "plan", out), 0, "plan of the export")

	// Without the plugin: one error naming the realm and the plugin, no write.
	absent, err := fakeagm.Start(server.url, false)
	if err != nil {
		t.Fatal(err)
	}
	defer absent.Close()
	r = realmsync(t, map[string]string{"KEYCLOAK_URL": absent.URL, "AGM_AUTHORITY": "x"}, "sync", dir)
	expectCode(t, r, 1, "sync without the plugin")
	if !strings.Contains(r.stderr, "realm "+realm+" declares extensions.groupManagement, but the server does not have the group-management plugin (rciam/keycloak-group-management)") {
		t.Errorf("the error does not name the realm and the plugin:\n%s", r)
	}

	// A realm that does not declare the section makes no request to it.
	plain := uniqueRealm(t, "noagm")
	plainDir := t.TempDir()
	writeFiles(t, plainDir, map[string]string{filepath.Join(plain, "realm.yaml"): "enabled: true\n"})
	before := fake.Requests()
	expectCode(t, realmsync(t, env, "sync", plainDir), 0, "sync of a realm without the section")
	expectCode(t, realmsync(t, env, "plan", plainDir), 0, "plan of a realm without the section")
	if n := fake.Requests() - before; n != 0 {
		t.Errorf("%d requests reached the plugin for a realm that does not declare it", n)
	}

	// A default longer than the plugin's 36 characters: refused offline.
	writeFiles(t, dir, map[string]string{file: strings.Replace(agmSecond, "defaultValue: 30", "defaultValue: "+strings.Repeat("d", 40), 1)})
	r = realmsync(t, env, "validate", dir)
	expectCode(t, r, 1, "validate of a 40-character default")
	if !strings.Contains(r.stderr, `field "defaultValue" is 40 characters long; the group-management plugin (rciam/keycloak-group-management) takes at most 36`) {
		t.Errorf("the error does not say why:\n%s", r)
	}
}
