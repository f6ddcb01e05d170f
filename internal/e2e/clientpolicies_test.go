package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

const clientPoliciesFiles = `enabled: true
clientProfiles:
  profiles:
    - name: strict
      description: PKCE and signed client authentication
      executors:
        - executor: pkce-enforcer
          configuration: {auto-configure: "true"}
        - executor: secure-client-authenticator
          configuration:
            allowed-client-authenticators: [client-jwt, client-secret-jwt]
            default-client-authenticator: client-jwt
    - name: confidential
      executors:
        - executor: confidential-client
          configuration: {}
clientPolicies:
  policies:
    - name: partners
      description: partner clients
      enabled: true
      conditions:
        - condition: client-roles
          configuration: {roles: [partner]}
      profiles: [strict, fapi-1-baseline]
`

// TestClientPolicies: client profiles and policies are planned one by one
// though Keycloak writes each list whole: created, changed (an executor
// moved, a policy disabled: exactly two updates), removed, a profile made
// by hand left alone, re-plan zero after each step and an export round
// trip; a policy naming an unknown profile is refused before any write.
func TestClientPolicies(t *testing.T) {
	needKeycloak(t)
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "cpol")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: clientPoliciesFiles})
	r := realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync")
	for _, want := range []string{`+ client profile "strict"`, `+ client profile "confidential"`, `+ client policy "partners"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")

	profiles := func() string {
		var doc struct {
			Profiles []struct {
				Name      string `json:"name"`
				Executors []struct {
					Executor string `json:"executor"`
				} `json:"executors"`
			} `json:"profiles"`
		}
		if err := api.Get(ctx, admin.Seg(realm)+"/client-policies/profiles", nil, &doc); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range doc.Profiles {
			var ex []string
			for _, e := range p.Executors {
				ex = append(ex, e.Executor)
			}
			out = append(out, p.Name+"="+strings.Join(ex, ","))
		}
		return strings.Join(out, " ")
	}
	if got := profiles(); got != "confidential=confidential-client strict=pkce-enforcer,secure-client-authenticator" {
		t.Errorf("profiles on the server: %s", got)
	}

	// A profile made by hand beside them.
	var doc map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/client-policies/profiles", nil, &doc); err != nil {
		t.Fatal(err)
	}
	doc["profiles"] = append(doc["profiles"].([]any), map[string]any{"name": "by-hand", "executors": []any{map[string]any{"executor": "holder-of-key-enforcer", "configuration": map[string]any{"auto-configure": "false"}}}})
	if err := api.Put(ctx, admin.Seg(realm)+"/client-policies/profiles", doc); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan beside a profile made by hand")

	// The executors in another order and the policy disabled.
	changed := strings.Replace(clientPoliciesFiles, `        - executor: pkce-enforcer
          configuration: {auto-configure: "true"}
        - executor: secure-client-authenticator
          configuration:
            allowed-client-authenticators: [client-jwt, client-secret-jwt]
            default-client-authenticator: client-jwt
`, `        - executor: secure-client-authenticator
          configuration:
            allowed-client-authenticators: [client-jwt, client-secret-jwt]
            default-client-authenticator: client-jwt
        - executor: pkce-enforcer
          configuration: {auto-configure: "true"}
`, 1)
	changed = strings.Replace(changed, "      enabled: true\n", "      enabled: false\n", 1)
	writeFiles(t, dir, map[string]string{file: changed})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the changes")
	if !strings.Contains(r.stdout, "Plan: 0 to create, 2 to update, 0 to delete.") ||
		!strings.Contains(r.stdout, `~ client profile "strict"`) || !strings.Contains(r.stdout, `~ client policy "partners"`) {
		t.Errorf("want exactly the profile and the policy updated:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the changes")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the changes")
	if got := profiles(); got != "confidential=confidential-client strict=secure-client-authenticator,pkce-enforcer by-hand=holder-of-key-enforcer" {
		t.Errorf("profiles on the server after the change: %s", got)
	}

	// Removing the owned profile deletes it; the one made by hand stays.
	writeFiles(t, dir, map[string]string{file: strings.Replace(changed, `    - name: confidential
      executors:
        - executor: confidential-client
          configuration: {}
`, "", 1)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync of the removal")
	if !strings.Contains(r.stdout, `- client profile "confidential"`) || strings.Contains(r.stdout, `"by-hand"`) {
		t.Errorf("want the owned profile deleted and the hand-made one left alone:\n%s", r.stdout)
	}
	if got := profiles(); got != "strict=secure-client-authenticator,pkce-enforcer by-hand=holder-of-key-enforcer" {
		t.Errorf("profiles on the server after the removal: %s", got)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the removal")

	// Export: the realm's own profiles and policies, none of Keycloak's
	// global ones, and back to zero.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "client-policies.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: strict", "name: by-hand", "name: partners", "default-client-authenticator: client-jwt", "fapi-1-baseline", "roles:"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("client-policies.yaml lacks %q:\n%s", want, exported)
		}
	}
	if strings.Contains(string(exported), "name: fapi-1-baseline") {
		t.Errorf("the export holds a global profile:\n%s", exported)
	}
	// The export's plan takes the hand-made profile into realmsync's
	// care and changes nothing on the server.
	r = realmsync(t, nil, "plan", out)
	if !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 0 to delete, 1 to adopt.") || !strings.Contains(r.stdout, `= client profile "by-hand"`) {
		t.Errorf("the export's plan should only adopt the hand-made profile:\n%s", r)
	}
	expectCode(t, realmsync(t, nil, "sync", out), 0, "sync of the export")
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export after it")

	// A policy naming a profile nobody declared: refused, nothing written.
	writeFiles(t, dir, map[string]string{file: strings.Replace(changed, "profiles: [strict, fapi-1-baseline]", "profiles: [strikt]", 1)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "a policy naming an unknown profile")
	if !strings.Contains(r.stderr, "realm.yaml:") || !strings.Contains(r.stderr, `client profile "strikt"`) || !strings.Contains(r.stderr, `did you mean "strict"?`) {
		t.Errorf("the error should name the file, the profile and a suggestion:\n%s", r)
	}
	if got := fmt.Sprint(profiles()); !strings.Contains(got, "strict=") {
		t.Errorf("profiles changed by a refused sync: %s", got)
	}
}
