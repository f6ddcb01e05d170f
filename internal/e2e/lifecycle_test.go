package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lifecycleSteps walk every kind through create, change and remove. Each
// step is a whole desired state; after each sync a plan must be empty.
var lifecycleSteps = []struct {
	name string
	file string
	// want are lines the step's plan must contain.
	want []string
}{
	{
		name: "create",
		file: `
enabled: true
realmsync:
  deletionPolicy: {users: full}
userProfile:
  attributes:
    - name: department
      displayName: Department
      permissions: {view: [admin], edit: [admin]}
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Liddell
    attributes: {department: [eng]}
    groups: [/top]
    realmRoles: [base]
  - username: bob
    email: bob@example.com
    firstName: Bob
    lastName: Builder
  - username: service-account-svc
    realmRoles: [base]
identityProviders:
  - alias: corp
    providerId: oidc
    enabled: true
    config: {clientId: kc, clientSecret: not-a-real-secret, clientAuthMethod: client_secret_post, authorizationUrl: "https://idp.example/auth", tokenUrl: "https://idp.example/token"}
identityProviderMappers:
  - name: dept
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: dept, attribute.value: eng, syncMode: INHERIT}
  - name: old-mapper
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: old, attribute.value: "1", syncMode: INHERIT}
displayName: Step One
clientScopes:
  - name: scope-a
    protocol: openid-connect
    description: first
    attributes:
      include.in.token.scope: true
    protocolMappers:
      - name: claim-a
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config: {claim.name: a, claim.value: one, jsonType.label: String, access.token.claim: true}
  - name: scope-b
    protocol: openid-connect
clients:
  - clientId: app
    redirectUris: ["https://one.example/*"]
    attributes:
      pkce.code.challenge.method: S256
    protocolMappers:
      - name: aud
        protocol: openid-connect
        protocolMapper: oidc-audience-mapper
        config: {included.client.audience: app, access.token.claim: true}
      - name: extra
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config: {claim.name: x, claim.value: "1", jsonType.label: String}
  - clientId: old-app
  - clientId: svc
    serviceAccountsEnabled: true
    publicClient: false
roles:
  realm:
    - name: base
      attributes: {level: ["1"]}
    - name: lead
      composites:
        realm: [base]
        client: {app: [read]}
    - name: gone
  client:
    app:
      - name: read
      - name: write
groups:
  - name: top
    attributes: {k: [v1]}
    realmRoles: [base]
    clientRoles: {app: [read]}
    subGroups:
      - name: mid
        subGroups:
          - name: leaf
      - name: doomed
`,
		want: []string{`+ realm "`, `+ client scope "scope-a"`, `+ client scope mapper "scope-a/claim-a"`, `+ client "app"`,
			`+ client mapper "app/extra"`, `+ realm role "lead"`, `+ client role "app/write"`, `+ group "/top/mid/leaf"`,
			`+ identity provider "corp"`, `config.clientSecret: (sensitive)`, `+ identity provider mapper "corp/dept"`,
			`+ user "alice"`, `+ user "bob"`, `~ user "service-account-svc"`, `attributes[department]: (unset) →`,
			"Plan: 23 to create, 2 to update, 0 to delete."},
	},
	{
		name: "change",
		file: `
enabled: true
realmsync:
  deletionPolicy: {users: full}
userProfile:
  attributes:
    - name: department
      displayName: Team
      permissions: {view: [admin], edit: [admin]}
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Pleasance
    attributes: {department: [sales]}
    groups: [/top, /top/mid]
    realmRoles: [lead]
  - username: bob
    email: bob@example.com
    firstName: Bob
    lastName: Builder
  - username: service-account-svc
    realmRoles: [base]
identityProviders:
  - alias: corp
    providerId: oidc
    enabled: true
    displayName: Corporate
    config: {clientId: kc, clientSecret: not-a-real-secret, clientAuthMethod: client_secret_post, authorizationUrl: "https://idp.example/auth", tokenUrl: "https://idp.example/token"}
identityProviderMappers:
  - name: dept
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: dept, attribute.value: sales, syncMode: INHERIT}
  - name: old-mapper
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
    config: {attribute: old, attribute.value: "1", syncMode: INHERIT}
displayName: Step Two
clientScopes:
  - name: scope-a
    protocol: openid-connect
    description: second
    attributes:
      include.in.token.scope: false
    protocolMappers:
      - name: claim-a
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config: {claim.name: a, claim.value: two, jsonType.label: String, access.token.claim: true}
  - name: scope-b
    protocol: openid-connect
clients:
  - clientId: app
    redirectUris: ["https://two.example/*"]
    attributes:
      pkce.code.challenge.method: plain
    protocolMappers:
      - name: aud
        protocol: openid-connect
        protocolMapper: oidc-audience-mapper
        config: {included.client.audience: app, access.token.claim: false}
      - name: extra
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config: {claim.name: x, claim.value: "1", jsonType.label: String}
  - clientId: old-app
  - clientId: svc
    serviceAccountsEnabled: true
    publicClient: false
roles:
  realm:
    - name: base
      attributes: {level: ["2"]}
    - name: lead
      composites:
        realm: [base]
        client: {app: [write]}
    - name: gone
  client:
    app:
      - name: read
        description: reads
      - name: write
groups:
  - name: top
    attributes: {k: [v2]}
    realmRoles: [lead]
    clientRoles: {app: [write]}
    subGroups:
      - name: mid
        subGroups:
          - name: leaf
            attributes: {new: ["yes"]}
      - name: doomed
`,
		want: []string{`displayName: "Step One" → "Step Two"`, `description: "first" → "second"`,
			`config.claim.value: "one" → "two"`, `redirectUris: + "https://two.example/*", - "https://one.example/*"`,
			`attributes.pkce.code.challenge.method: "S256" → "plain"`, `config.access.token.claim: "true" → "false"`,
			`composites: + client role "app/write", - client role "app/read"`, `description: (unset) → "reads"`,
			`realmRoles: + realm role "lead", - realm role "base"`, `clientRoles: + client role "app/write", - client role "app/read"`,
			`displayName: (unset) → "Corporate"`, `config.attribute.value: "eng" → "sales"`,
			`lastName: "Liddell" → "Pleasance"`, `attributes.department: + "sales", - "eng"`, `groups: + group "/top/mid"`,
			`realmRoles: + realm role "lead", - realm role "base"`,
			"Plan: 0 to create, 14 to update, 0 to delete."},
	},
	{
		name: "remove",
		file: `
enabled: true
realmsync:
  deletionPolicy: {users: full}
users:
  - username: alice
    email: alice@example.com
    firstName: Alice
    lastName: Pleasance
identityProviders:
  - alias: corp
    providerId: oidc
    config: {clientId: kc}
identityProviderMappers:
  - name: dept
    identityProviderAlias: corp
    identityProviderMapper: hardcoded-attribute-idp-mapper
displayName: Step Two
clientScopes:
  - name: scope-a
    protocol: openid-connect
    protocolMappers: []
clients:
  - clientId: app
    protocolMappers:
      - name: aud
        protocol: openid-connect
        protocolMapper: oidc-audience-mapper
        config: {included.client.audience: app, access.token.claim: false}
roles:
  realm:
    - name: base
    - name: lead
      composites:
        realm: [base]
        client: {app: []}
  client:
    app:
      - name: read
groups:
  - name: top
    realmRoles: [lead]
    clientRoles: {app: []}
    subGroups:
      - name: mid
        subGroups: []
`,
		want: []string{`- client scope "scope-b"`, `- client scope mapper "scope-a/claim-a"`, `- client "old-app"`,
			`- client mapper "app/extra"`, `- realm role "gone"`, `- client role "app/write"`, `- group "/top/doomed"`,
			`- group "/top/mid/leaf"`, `composites: - client role "app/write"`, `clientRoles: - client role "app/write"`,
			`- identity provider mapper "corp/old-mapper"`, `- user "bob"`, `- client "svc"`,
			"Plan: 0 to create, 2 to update, 11 to delete."},
	},
}

// TestEveryKindLifecycle creates, changes and removes objects of every
// kind, and checks after every step that a second plan is empty.
func TestEveryKindLifecycle(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "lifecycle")
	dir := t.TempDir()
	for _, step := range lifecycleSteps {
		writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): strings.TrimLeft(step.file, "\n")})
		r := realmsync(t, nil, "plan", dir)
		expectCode(t, r, 2, step.name+": plan")
		for _, want := range step.want {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: plan lacks %q:\n%s", step.name, want, r.stdout)
			}
		}
		expectCode(t, realmsync(t, nil, "sync", "--max-deletes", "-1", "--max-delete-ratio", "1", dir), 0, step.name+": sync")
		if r := realmsync(t, nil, "plan", dir); r.code != 0 {
			t.Fatalf("%s: plan after sync is not empty:\n%s", step.name, r)
		}
	}
	// The objects removed from the files are gone from the server: an
	// export no longer mentions them.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	for path, content := range readTree(t, filepath.Join(out, realm)) {
		for _, gone := range []string{"scope-b", "claim-a", "old-app", "extra", "gone", "write", "doomed", "leaf", "old-mapper", "bob", "svc"} {
			if strings.Contains(content, gone) {
				t.Errorf("export file %s still mentions %q:\n%s", path, gone, content)
			}
		}
	}
	_ = os.RemoveAll(out)
}
