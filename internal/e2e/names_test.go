package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestNamesWithSlashes: a client role named "a/b" and a mapper named
// "x/y" are one object each, not a deeper key: they sync, are referred
// to, re-plan zero, and export and sync back to zero changes.
func TestNamesWithSlashes(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "slashes")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
clients:
  - clientId: web
    publicClient: true
    protocolMappers:
      - name: x/y
        protocol: openid-connect
        protocolMapper: oidc-hardcoded-claim-mapper
        config:
          claim.name: team
          claim.value: core
          access.token.claim: "true"
roles:
  realm:
    - name: editor
      composites:
        client:
          web: [orders/read]
  client:
    web:
      - name: orders/read
        description: reads orders
      - name: 100%/sure
groups:
  - name: staff
    clientRoles:
      web: [orders/read, 100%/sure]
`})
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan")
	for _, want := range []string{`+ client role "web/orders%2Fread"`, `+ client mapper "web/x%2Fy"`, `+ client role "web/100%25%2Fsure"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	syncConverges(t, dir)

	rp := admin.Seg(realm)
	cid := serverID(t, rp+"/clients", "clientId", "web")
	if got := serverNames(t, rp+"/clients/"+cid+"/roles", "name"); !slices.Equal(got, []string{"100%/sure", "orders/read"}) {
		t.Errorf("web's roles on the server: %v", got)
	}
	if got := serverNames(t, rp+"/clients/"+cid+"/protocol-mappers/models", "name"); !slices.Contains(got, "x/y") {
		t.Errorf("web's mappers on the server: %v", got)
	}
	gid := serverID(t, rp+"/groups", "name", "staff")
	var mappings []map[string]any
	if err := adminClient(t).Get(context.Background(), rp+"/groups/"+gid+"/role-mappings/clients/"+cid, nil, &mappings); err != nil || len(mappings) != 2 {
		t.Errorf("staff's role mappings of web: %v (%v), want both roles", mappings, err)
	}

	exportDir := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, exportDir), 0, "export")
	expectCode(t, realmsync(t, nil, "plan", exportDir), 0, "plan of the export against its source")
}
