package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPolicyConfigNormalised: a policy's config compares the same however
// it is written: JSON text as in a realm export, YAML lists, bare names,
// sets in any order, Keycloak's defaults left out or written.
func TestPolicyConfigNormalised(t *testing.T) {
	for _, tc := range []struct {
		name      string
		key       string
		a, b      any
		different bool
	}{
		{"roles as export text and as names", "roles", `[{"id":"admin","required":false},{"id":"api/viewer","required":true}]`,
			[]any{map[string]any{"id": "api/viewer", "required": true}, "admin"}, false},
		{"groups with the default flag", "groups", `[{"path":"/staff","extendChildren":false}]`, []any{"/staff"}, false},
		{"applyPolicies in another order", "applyPolicies", `["b","a"]`, []any{"a", "b"}, false},
		{"a required role differs", "roles", []any{"admin"}, []any{map[string]any{"id": "admin", "required": true}}, true},
		{"scalars stay", "notOnOrAfter", "2099-01-01 00:00:00", "2099-01-01 00:00:00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := normaliseConfigValue(tc.key, DeepCopy(tc.a))
			b := normaliseConfigValue(tc.key, DeepCopy(tc.b))
			if equal := cmp.Equal(a, b); equal == tc.different {
				t.Errorf("%v and %v: equal %v, want %v", a, b, equal, !tc.different)
			}
		})
	}
}

// TestAuthorizationLiftAndLower: Decompose takes a client's
// authorizationSettings apart into its scopes, resources and policies,
// keyed by name within the client, and Compose puts it back as a realm
// export writes it, the config as values.
func TestAuthorizationLiftAndLower(t *testing.T) {
	doc := Object{"realm": "acme", "clients": []any{map[string]any{
		"clientId": "api", "authorizationServicesEnabled": true,
		"authorizationSettings": map[string]any{
			"policyEnforcementMode": "ENFORCING",
			"scopes":                []any{map[string]any{"name": "read"}},
			"resources":             []any{map[string]any{"name": "orders", "scopes": []any{"read"}}},
			"policies": []any{map[string]any{"name": "admins", "type": "role",
				"config": map[string]any{"roles": `[{"id":"admin","required":false}]`}}},
		},
	}}}
	r, errs := Decompose("acme", doc, func([]string) Pos { return Pos{} })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, want := range []struct{ kind, key string }{{KindAuthzScope, "api/read"}, {KindAuthzResource, "api/orders"}, {KindAuthzPolicy, "api/admins"}} {
		if r.Get(want.kind, want.key) == nil {
			t.Errorf("no %s %s", want.kind, want.key)
		}
	}
	if got := r.Get(KindAuthzResource, "api/orders").Fields["scopes"]; !cmp.Equal(got, []any{map[string]any{"name": "read"}}) {
		t.Errorf("resource scopes %v", got)
	}
	if s := r.Get(KindClient, "api").Fields[AuthorizationField]; !cmp.Equal(s, map[string]any{"policyEnforcementMode": "ENFORCING"}) {
		t.Errorf("the client keeps %v, want the settings alone", s)
	}
	back, err := Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	settings := back["clients"].([]any)[0].(map[string]any)[AuthorizationField].(map[string]any)
	if len(settings["policies"].([]any)) != 1 || len(settings["resources"].([]any)) != 1 || len(settings["scopes"].([]any)) != 1 || settings["policyEnforcementMode"] != "ENFORCING" {
		t.Errorf("composed settings %v", settings)
	}
	cfg := settings["policies"].([]any)[0].(map[string]any)["config"]
	if want := map[string]any{"roles": []any{map[string]any{"id": "admin", "required": false}}}; !cmp.Equal(cfg, want) {
		t.Errorf("config %v, want %v", cfg, want)
	}
	if wire := PolicyConfigForWire(cfg.(map[string]any)); wire["roles"] != `[{"id":"admin","required":false}]` {
		t.Errorf("wire config %v", wire)
	}
}
