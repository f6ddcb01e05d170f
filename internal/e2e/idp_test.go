package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestIdentityProvidersRoundTrip: identity providers and their mappers
// (a flat realm-level list, each naming its provider) sync, re-plan zero,
// and export into identity-providers.yaml with the client secret as a
// placeholder; the export re-plans zero. A mapper of a provider nobody
// declares is a validation error naming its file.
func TestIdentityProvidersRoundTrip(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "idp")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: `enabled: true
identityProviders:
  - alias: corp
    providerId: oidc
    displayName: Corporate login
    config:
      clientId: kc
      clientSecret: ${env:CORP_SECRET}
      clientAuthMethod: client_secret_post
      authorizationUrl: https://idp.example/auth
      tokenUrl: https://idp.example/token
identityProviderMappers:
  - name: team/dept
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: dept, attribute.value: eng, syncMode: INHERIT}
`})
	env := map[string]string{"CORP_SECRET": "first-secret-value"}
	r := realmsync(t, env, "sync", dir)
	expectCode(t, r, 0, "sync")
	if strings.Contains(r.stdout+r.stderr, env["CORP_SECRET"]) {
		t.Errorf("the secret was printed:\n%s", r)
	}
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after sync")

	out := t.TempDir()
	r = realmsync(t, nil, "export", "--realm", realm, out)
	expectCode(t, r, 0, "export")
	files := readTree(t, filepath.Join(out, realm))
	idps := files["identity-providers.yaml"]
	for _, want := range []string{"alias: corp", "identityProviderAlias: corp", "name: team/dept", "clientSecret: ${env:"} {
		if !strings.Contains(idps, want) {
			t.Errorf("identity-providers.yaml lacks %q:\n%s", want, idps)
		}
	}
	if strings.Contains(idps, "internalId") || strings.Contains(idps, env["CORP_SECRET"]) {
		t.Errorf("identity-providers.yaml holds a server id or the secret:\n%s", idps)
	}
	placeholder := ""
	for _, line := range strings.Split(idps, "\n") {
		if _, after, ok := strings.Cut(line, "${env:"); ok {
			placeholder = strings.TrimSuffix(after, "}")
		}
	}
	if r := realmsync(t, map[string]string{placeholder: env["CORP_SECRET"]}, "plan", out); r.code != 0 {
		t.Errorf("the export does not re-plan zero:\n%s", r)
	}
	// The secret is write-only: a different one in the files is planned
	// (never shown) and written once.
	r = realmsync(t, map[string]string{placeholder: "another-secret-value"}, "plan", out)
	expectCode(t, r, 2, "plan of another client secret")
	if !strings.Contains(r.stdout, "config.clientSecret: (sensitive value changed)") || strings.Contains(r.stdout, "another-secret-value") {
		t.Errorf("the plan should name the changed secret, never its value:\n%s", r.stdout)
	}
	env["CORP_SECRET"] = "rotated-secret-value"
	expectCode(t, realmsync(t, env, "plan", dir), 2, "plan of a rotated secret")
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the rotated secret")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after it")

	writeFiles(t, dir, map[string]string{file: `enabled: true
identityProviderMappers:
  - name: stray
    identityProviderAlias: nobody
    identityProviderMapper: hardcoded-attribute-idp-mapper
`})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 1, "a mapper of an undeclared provider")
	if !strings.Contains(r.stderr, "realm.yaml") || !strings.Contains(r.stderr, `identity provider "nobody" is not defined`) {
		t.Errorf("the error does not name the file and the provider:\n%s", r)
	}
}
