package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// TestKeyProviders: a key provider as a component of a realm export's
// shape: added with a priority, its priority changed, removed (realmsync
// made it, so it owns it); a plan after each sync is zero, and the realm's
// own key providers are never touched.
func TestKeyProviders(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "keys")
	dir := t.TempDir()
	write := func(components string) {
		writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n" + components})
	}
	hmac := func(priority int) string {
		return fmt.Sprintf("components:\n  %s:\n    - name: hmac-extra\n      providerId: hmac-generated\n      config:\n        priority: [%d]\n        algorithm: [HS384]\n", model.KeyProviderType, priority)
	}
	keys := func() map[string]string {
		var all []map[string]any
		if err := adminClient(t).Get(context.Background(), realm+"/components", query("type", model.KeyProviderType), &all); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range all {
			config, _ := c["config"].(map[string]any)
			out[fmt.Sprint(c["name"])] = fmt.Sprint(config["priority"])
		}
		return out
	}
	write(hmac(150))
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a new realm with a key provider")
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after adding the key")
	if got := keys()["hmac-extra"]; got != "[150]" {
		t.Errorf("hmac-extra has priority %s, want [150]", got)
	}
	builtIn := len(keys()) - 1

	write(hmac(250))
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a new priority")
	if !strings.Contains(r.stdout, `~ component "`+model.KeyProviderType+`:hmac-extra"`) || !strings.Contains(r.stdout, "config.priority") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the priority")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after changing the priority")
	if got := keys()["hmac-extra"]; got != "[250]" {
		t.Errorf("hmac-extra has priority %s, want [250]", got)
	}

	// Export writes the key as it was written, and round-trips.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "components.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(exported), "name: hmac-extra") || strings.Contains(string(exported), "rsa-generated") {
		t.Errorf("export should hold the added key and none of the realm's own:\n%s", exported)
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")

	write("")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the key's removal")
	if !strings.Contains(r.stdout, `- component "`+model.KeyProviderType+`:hmac-extra"`) || !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 1 to delete.") {
		t.Errorf("the plan should delete the one key realmsync made:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the removal")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the removal")
	if k := keys(); k["hmac-extra"] != "" || len(k) != builtIn {
		t.Errorf("keys after the removal: %v (the realm's own: %d)", k, builtIn)
	}
}

// TestKerberosProvider: a Kerberos user federation provider in the flat
// shape is created, re-plans zero, changes in place and exports in the
// same shape.
func TestKerberosProvider(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "krb")
	dir := t.TempDir()
	provider := func(debug bool) string {
		return fmt.Sprintf(`enabled: true
userFederation:
  - name: corp-kerberos
    providerId: kerberos
    enabled: true
    priority: 1
    editMode: READ_ONLY
    kerberosRealm: CORP.EXAMPLE.COM
    serverPrincipal: HTTP/sso.corp.example.com@CORP.EXAMPLE.COM
    keyTab: /etc/keycloak/sso.keytab
    allowPasswordAuthentication: true
    updateProfileFirstLogin: false
    debug: %v
`, debug)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): provider(false)})
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the sync")
	var before []map[string]any
	if err := adminClient(t).Get(context.Background(), realm+"/components", query("type", model.UserStorageType), &before); err != nil || len(before) != 1 {
		t.Fatalf("providers %v, %v", before, err)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): provider(true)})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a change")
	if !strings.Contains(r.stdout, `~ user federation provider "corp-kerberos"`) || !strings.Contains(r.stdout, "debug: false → true") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the change")
	var after []map[string]any
	if err := adminClient(t).Get(context.Background(), realm+"/components", query("type", model.UserStorageType), &after); err != nil || len(after) != 1 || after[0]["id"] != before[0]["id"] {
		t.Errorf("the provider was not changed in place: %v then %v (%v)", before, after, err)
	}
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "user-federation", "corp-kerberos.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"providerId: kerberos", "kerberosRealm: CORP.EXAMPLE.COM", "debug: true"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("export lacks %q:\n%s", want, exported)
		}
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")
}

// TestClientRegistrationPolicies: a realm's own client registration
// policy (one of a pair told apart by sub-type) is merged into, and when
// the files no longer name it, left as it is: never deleted.
func TestClientRegistrationPolicies(t *testing.T) {
	needServer(t)
	realm := uniqueRealm(t, "crp")
	dir := t.TempDir()
	write := func(body string) {
		writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n" + body})
	}
	policy := fmt.Sprintf("components:\n  %s:\n    - name: Max Clients Limit\n      providerId: max-clients\n      subType: anonymous\n      config:\n        max-clients: [50]\n", model.ClientRegistrationPolicyType)
	write("")
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the realm")
	write(policy)
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the policy's change")
	key := model.ClientRegistrationPolicyType + "/anonymous:Max Clients Limit"
	if !strings.Contains(r.stdout, `~ component "`+key+`"`) || !strings.Contains(r.stdout, "Plan: 0 to create, 1 to update, 0 to delete.") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the policy")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after it")
	var all []map[string]any
	if err := adminClient(t).Get(context.Background(), realm+"/components", query("type", model.ClientRegistrationPolicyType), &all); err != nil {
		t.Fatal(err)
	}
	limits := 0
	for _, c := range all {
		if c["name"] == "Max Clients Limit" {
			limits++
			if config, _ := c["config"].(map[string]any); fmt.Sprint(config["max-clients"]) != "[50]" {
				t.Errorf("max-clients is %v", config["max-clients"])
			}
		}
	}
	if limits != 1 {
		t.Errorf("%d Max Clients Limit policies, want the realm's one", limits)
	}
	write("")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan without it: a realm's own policy is never deleted")
}
