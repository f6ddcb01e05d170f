package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFederatedIdentityLinks: a user's links to an identity provider are
// created, changed (removed and added again: Keycloak cannot update one)
// and removed.
func TestFederatedIdentityLinks(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "links")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	user := `enabled: true
users:
  - username: erin
    enabled: true
    email: erin@example.com
    firstName: Erin
    lastName: Hale
    federatedIdentities:
      - identityProvider: corp
        userId: "1001"
        userName: LINK
`
	const provider = `identityProviders:
  - alias: corp
    providerId: oidc
    config: {clientId: kc, clientSecret: not-a-real-secret, clientAuthMethod: client_secret_post, authorizationUrl: "https://idp.example/auth", tokenUrl: "https://idp.example/token"}
`
	writeFiles(t, dir, map[string]string{file: strings.Replace(user, "    federatedIdentities:\n      - identityProvider: corp\n        userId: \"1001\"\n        userName: LINK\n", "", 1)})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync without links")
	// The provider is declared beside the links: it is created first.
	user = strings.Replace(user, "enabled: true\n", "enabled: true\n"+provider, 1)
	writeFiles(t, dir, map[string]string{file: strings.Replace(user, "LINK", "erin@corp", 1)})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a link")
	if !strings.Contains(r.stdout, `+ federated identity "erin/corp"`) {
		t.Errorf("plan lacks the link:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of a link")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the link")

	writeFiles(t, dir, map[string]string{file: strings.Replace(user, "LINK", "erin.hale@corp", 1)})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a changed link")
	if !strings.Contains(r.stdout, `userName: "erin@corp" → "erin.hale@corp"`) || !strings.Contains(r.stdout, `-/+ federated identity "erin/corp"`) {
		t.Errorf("plan lacks the change as a replace:\n%s", r.stdout)
	}
	// A replace deletes: the delete limit guards it.
	r = realmsync(t, nil, "sync", "--max-deletes", "0", dir)
	expectCode(t, r, 1, "sync of a replace with --max-deletes 0")
	if !strings.Contains(r.stderr, "more than --max-deletes=0 allows") {
		t.Errorf("the refusal does not name the limit:\n%s", r)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of a changed link")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the changed link")

	writeFiles(t, dir, map[string]string{file: strings.Replace(user, "    federatedIdentities:\n      - identityProvider: corp\n        userId: \"1001\"\n        userName: LINK\n", "    federatedIdentities: []\n", 1)})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan without the link")
	expectDeletions(t, r, `federated identity "erin/corp"`)
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync without the link")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after removing the link")
}
