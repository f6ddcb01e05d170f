package diff_test

import (
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/model"
)

func decompose(t *testing.T, doc map[string]any) *model.Realm {
	t.Helper()
	c, err := model.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, errs := model.Decompose("acme", c.(map[string]any), model.NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return r
}

// TestPlansRefusedBeforeAnyWrite: plans Keycloak would reject halfway
// are errors of the diff, before apply sends anything.
func TestPlansRefusedBeforeAnyWrite(t *testing.T) {
	live := decompose(t, map[string]any{"realm": "acme", "clients": []any{
		map[string]any{"id": "rm", "clientId": "realm-management", "bearerOnly": true},
		map[string]any{"id": "w", "clientId": "web"},
	}})
	live.Flows = []string{"browser", "clients", "my browser"}
	flowLive := decompose(t, map[string]any{"realm": "acme", "authenticationFlows": []any{
		map[string]any{"id": "f1", "alias": "switch", "providerId": "basic-flow", "authenticationExecutions": []any{
			map[string]any{"authenticator": "auth-cookie", "requirement": "ALTERNATIVE"}}},
		map[string]any{"id": "f2", "alias": "browser", "builtIn": true, "providerId": "basic-flow", "authenticationExecutions": []any{}},
	}})
	asClientFlow := func(alias, config string) map[string]any {
		step := map[string]any{"authenticator": "client-secret", "requirement": "ALTERNATIVE"}
		if config != "" {
			step["authenticatorConfig"] = config
		}
		return map[string]any{"realm": "acme", "authenticationFlows": []any{
			map[string]any{"alias": alias, "providerId": "client-flow", "authenticationExecutions": []any{step}}}}
	}
	for _, c := range []struct {
		name    string
		desired map[string]any
		live    *model.Realm
		want    string // "" : no error
	}{
		{"known flow", map[string]any{"realm": "acme", "browserFlow": "my browser"}, live, ""},
		{"misspelt flow", map[string]any{"realm": "acme", "browserFlow": "my browsr"}, live,
			`browserFlow refers to flow "my browsr", which the realm does not have (did you mean "my browser"?)`},
		{"custom flow on a new realm", map[string]any{"realm": "acme", "directGrantFlow": "my browser"}, nil,
			`directGrantFlow refers to flow "my browser"`},
		{"built-in flow on a new realm", map[string]any{"realm": "acme", "directGrantFlow": "direct grant"}, nil, ""},
		{"admin client unchanged", map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "realm-management", "bearerOnly": true}}}, live, ""},
		{"admin client changed", map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "realm-management", "description": "x"}}}, live,
			`client "realm-management" cannot be changed`},
		{"admin client's new role", map[string]any{"realm": "acme", "roles": map[string]any{"client": map[string]any{"realm-management": []any{map[string]any{"name": "extra"}}}}}, live,
			`client role "realm-management/extra" cannot be changed`},
		{"scope mappings of a client that exists", map[string]any{"realm": "acme", "roles": map[string]any{"realm": []any{map[string]any{"name": "r"}}},
			"scopeMappings": []any{map[string]any{"client": "web", "roles": []any{"r"}}}}, live, ""},
		{"scope mappings of a misspelt client", map[string]any{"realm": "acme", "roles": map[string]any{"realm": []any{map[string]any{"name": "r"}}},
			"clients":       []any{map[string]any{"clientId": "orders-api"}},
			"scopeMappings": []any{map[string]any{"client": "orders-ap", "roles": []any{"r"}}}}, live,
			`scope mappings name client "orders-ap", which is neither in the desired state nor on the server (did you mean "orders-api"?)`},
		{"new mapper without its type", map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "web",
			"protocolMappers": []any{map[string]any{"name": "m", "protocol": "openid-connect"}}}}}, live,
			`client mapper "web/m" does not exist yet, and Keycloak creates it only with protocolMapper`},
		{"flow kind change (a rebuild)", asClientFlow("switch", ""), flowLive, ""},
		{"rebuild naming an undeclared config", asClientFlow("switch", "elsewhere"), flowLive,
			`authentication flow "switch" must be rebuilt, and its steps name authenticator config "elsewhere", which the files do not declare`},
		{"built-in flow kind change", asClientFlow("browser", ""), flowLive,
			`Keycloak cannot change a flow's providerId (basic-flow → client-flow) in place, and a built-in flow cannot be made again`},
		{"admin client on a new realm", map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "realm-management", "description": "x"}}}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := diff.Realm(decompose(t, c.desired), c.live, diff.Options{})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestForeignStateDroppedOnlyWhenAsked: keycloak-config-cli's bookkeeping
// in the realm's attributes survives a realm file that writes attributes
// down (a whole map), and goes when the plan is asked to drop it.
func TestForeignStateDroppedOnlyWhenAsked(t *testing.T) {
	live := decompose(t, map[string]any{"realm": "acme", "id": "acme", "attributes": map[string]any{
		"de.adorsys.keycloak.config.import-checksum-default": "abc", "de.adorsys.keycloak.config.state-default-clients": "[]", "frontendUrl": "https://x"}})
	for _, c := range []struct {
		name    string
		desired map[string]any
		drop    bool
		want    []string
	}{
		{"attributes written down", map[string]any{"realm": "acme", "attributes": map[string]any{"frontendUrl": "https://x"}}, false, nil},
		{"no attributes", map[string]any{"realm": "acme"}, false, nil},
		{"dropped", map[string]any{"realm": "acme"}, true, []string{"attributes.de.adorsys.keycloak.config.import-checksum-default", "attributes.de.adorsys.keycloak.config.state-default-clients"}},
		{"dropped, attributes written down", map[string]any{"realm": "acme", "attributes": map[string]any{"frontendUrl": "https://x"}}, true, []string{"attributes.de.adorsys.keycloak.config.import-checksum-default", "attributes.de.adorsys.keycloak.config.state-default-clients"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := decompose(t, c.desired)
			if c.drop {
				d.Settings().DropPrefixes = []string{model.ForeignState["kcc"]}
			}
			actions, err := diff.Realm(d, live, diff.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range actions {
				for _, ch := range a.Changes {
					if !ch.Unset {
						t.Errorf("unexpected change %+v", ch)
					}
					got = append(got, ch.Path)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("changes %v, want %v", got, c.want)
			}
		})
	}
}
