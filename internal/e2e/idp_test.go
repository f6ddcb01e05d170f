package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
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

// TestIdentityProviderLifecycle: a SAML provider and an OIDC one with a
// post-broker-login flow named by alias and two mappers: created and read
// back through the Admin API (config, flow binding by alias, mappers),
// changed in place (a config value, a mapper's setting), a mapper and then
// a provider removed, re-plan zero after each step.
func TestIdentityProviderLifecycle(t *testing.T) {
	needKeycloak(t)
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "idplife")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := `enabled: true
authenticationFlows:
  - alias: after partner login
    authenticationExecutions:
      - authenticator: idp-review-profile
        requirement: REQUIRED
identityProviders:
  - alias: partner
    providerId: oidc
    enabled: true
    trustEmail: true
    postBrokerLoginFlowAlias: after partner login
    config:
      clientId: kc-partner
      clientSecret: partner-secret-1
      clientAuthMethod: client_secret_post
      authorizationUrl: https://partner.example/auth
      tokenUrl: https://partner.example/token
      defaultScope: openid email
  - alias: saml-corp
    providerId: saml
    config:
      singleSignOnServiceUrl: https://corp.example/saml
      nameIDPolicyFormat: urn:oasis:names:tc:SAML:2.0:nameid-format:persistent
identityProviderMappers:
  - name: dept
    identityProviderAlias: partner
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: department, attribute.value: partner, syncMode: INHERIT}
  - name: email
    identityProviderAlias: partner
    identityProviderMapper: oidc-user-attribute-idp-mapper
    config: {claim: email, user.attribute: email, syncMode: FORCE}
`
	writeFiles(t, dir, map[string]string{file: doc})
	syncConverges(t, dir)
	base := admin.Seg(realm) + "/identity-provider/instances/"
	var partner map[string]any
	if err := api.Get(ctx, base+"partner", nil, &partner); err != nil {
		t.Fatal(err)
	}
	cfg, _ := partner["config"].(map[string]any)
	if cfg["clientId"] != "kc-partner" || cfg["tokenUrl"] != "https://partner.example/token" || cfg["defaultScope"] != "openid email" ||
		partner["trustEmail"] != true || partner["postBrokerLoginFlowAlias"] != "after partner login" {
		t.Errorf("the partner provider as the server has it: %v", partner)
	}
	var saml map[string]any
	if err := api.Get(ctx, base+"saml-corp", nil, &saml); err != nil || saml["providerId"] != "saml" {
		t.Errorf("the SAML provider: %v %v", saml, err)
	}
	mappers := func() map[string]map[string]any {
		var list []map[string]any
		if err := api.Get(ctx, base+"partner/mappers", nil, &list); err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]any{}
		for _, m := range list {
			out[m["name"].(string)] = m
		}
		return out
	}
	before := mappers()
	if len(before) != 2 || before["email"]["config"].(map[string]any)["syncMode"] != "FORCE" {
		t.Errorf("partner's mappers: %v", before)
	}

	// A config value and a mapper's setting: changed in place.
	changed := strings.Replace(doc, "defaultScope: openid email", "defaultScope: openid email profile", 1)
	changed = strings.Replace(changed, "syncMode: FORCE", "syncMode: IMPORT", 1)
	writeFiles(t, dir, map[string]string{file: changed})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the changes")
	for _, want := range []string{`~ identity provider "partner"`, `config.defaultScope: "openid email" → "openid email profile"`, `~ identity provider mapper "partner/email"`, "Plan: 0 to create, 2 to update, 0 to delete."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	syncConverges(t, dir)
	after := mappers()
	if after["email"]["id"] != before["email"]["id"] || after["email"]["config"].(map[string]any)["syncMode"] != "IMPORT" {
		t.Errorf("the mapper was not changed in place: %v then %v", before["email"], after["email"])
	}
	if err := api.Get(ctx, base+"partner", nil, &partner); err != nil || partner["config"].(map[string]any)["clientSecret"] == "" {
		t.Errorf("the client secret was cleared by the update: %v %v", partner["config"], err)
	}

	// A mapper removed, then a provider.
	noMapper := strings.Replace(changed, `  - name: dept
    identityProviderAlias: partner
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: department, attribute.value: partner, syncMode: INHERIT}
`, "", 1)
	writeFiles(t, dir, map[string]string{file: noMapper})
	r = syncConverges(t, dir)
	if !strings.Contains(r.stdout, `- identity provider mapper "partner/dept"`) || len(mappers()) != 1 {
		t.Errorf("want the dept mapper deleted:\n%s", r.stdout)
	}
	noSAML := strings.Replace(noMapper, `  - alias: saml-corp
    providerId: saml
    config:
      singleSignOnServiceUrl: https://corp.example/saml
      nameIDPolicyFormat: urn:oasis:names:tc:SAML:2.0:nameid-format:persistent
`, "", 1)
	writeFiles(t, dir, map[string]string{file: noSAML})
	r = syncConverges(t, dir)
	if !strings.Contains(r.stdout, `- identity provider "saml-corp"`) {
		t.Errorf("want the SAML provider deleted:\n%s", r.stdout)
	}
	if err := api.Get(ctx, base+"saml-corp", nil, &saml); err == nil {
		t.Errorf("the SAML provider is still there: %v", saml)
	}
}
