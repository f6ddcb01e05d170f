package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func doc(t *testing.T, v any) Object {
	t.Helper()
	c, err := Canonical(v)
	if err != nil {
		t.Fatal(err)
	}
	return c.(map[string]any)
}

func TestDecomposeKeysAndScopes(t *testing.T) {
	d := doc(t, map[string]any{
		"realm": "acme", "enabled": true, "clientTemplates": []any{},
		"clients": []any{map[string]any{"id": "c1", "clientId": "web", "protocolMappers": []any{
			map[string]any{"name": "aud", "config": map[string]any{"access.token.claim": true}},
		}}},
		"roles": map[string]any{
			"realm":  []any{map[string]any{"name": "viewer", "attributes": map[string]any{"tier": 1}}},
			"client": map[string]any{"web": []any{map[string]any{"name": "read"}}},
		},
		"groups": []any{map[string]any{"name": "a", "path": "/a", "subGroups": []any{map[string]any{"name": "b"}}}},
	})
	r, errs := Decompose("acme", d, NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	keys := map[string][]string{}
	for _, k := range Kinds() {
		for _, e := range r.Sorted(k.Name) {
			keys[k.Name] = append(keys[k.Name], e.Key)
		}
	}
	want := map[string][]string{
		KindRealm: {"acme"}, KindClient: {"web"}, KindClientMap: {"web/aud"},
		KindRealmRole: {"viewer"}, KindClientRole: {"web/read"}, KindGroup: {"/a", "/a/b"},
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if got := r.Get(KindClient, "web"); got.ID != "c1" || got.Fields["id"] != nil || got.Fields["protocolMappers"] != nil {
		t.Errorf("client web: id %q, fields %v: want id kept aside, mappers split off", got.ID, got.Fields)
	}
	if got := r.Get(KindClientMap, "web/aud").Fields["config"]; !cmp.Equal(got, map[string]any{"access.token.claim": "true"}) {
		t.Errorf("mapper config not stringified: %v", got)
	}
	if got := r.Get(KindRealmRole, "viewer").Fields["attributes"]; !cmp.Equal(got, map[string]any{"tier": []any{"1"}}) {
		t.Errorf("role attributes not listified: %v", got)
	}
	for _, s := range []Scope{{KindClient, ""}, {KindClientMap, "web"}, {KindRealmRole, ""}, {KindClientRole, "web"}, {KindGroup, ""}, {KindGroup, "/a"}} {
		if _, ok := r.Declared[s]; !ok {
			t.Errorf("scope %v not declared", s)
		}
	}
	if _, ok := r.Declared[Scope{KindGroup, "/a/b"}]; ok {
		t.Error("group /a/b declares no subGroups but its scope is declared")
	}
	if _, ok := r.Unmanaged["clientTemplates"]; !ok {
		t.Error("clientTemplates should be reported as not managed")
	}
}

func TestComposeInvertsDecompose(t *testing.T) {
	in := doc(t, map[string]any{
		"realm": "acme", "displayName": "Acme",
		"clients": []any{map[string]any{"clientId": "web", "protocolMappers": []any{map[string]any{"name": "aud"}}}},
		"roles": map[string]any{
			"realm":  []any{map[string]any{"name": "viewer", "composites": map[string]any{"realm": []any{"x"}}}},
			"client": map[string]any{"web": []any{map[string]any{"name": "read"}}},
		},
		"groups": []any{map[string]any{"name": "a", "subGroups": []any{map[string]any{"name": "b"}}}},
	})
	r, errs := Decompose("acme", in, NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	out, err := Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("compose(decompose(doc)) != doc (-in +out):\n%s", diff)
	}
}

func TestDecomposeErrors(t *testing.T) {
	cases := []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"no key", map[string]any{"clients": []any{map[string]any{"name": "x"}}}, `client has no "clientId" (its key)`},
		{"not a list", map[string]any{"clients": map[string]any{"clientId": "x"}}, "clients must be a list of clients"},
		{"duplicate", map[string]any{"roles": map[string]any{"realm": []any{map[string]any{"name": "a"}, map[string]any{"name": "a"}}}}, `realm role "a" is defined twice`},
		{"wrong realm", map[string]any{"realm": "other"}, `realm "other" does not match its directory "acme"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := Decompose("acme", doc(t, tc.doc), NoPos)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("errors %v, want one containing %q", errs, tc.want)
			}
		})
	}
}

// TestScopeMappingsLiftAndLower: Keycloak's realm-level scope mappings
// become the owners' reference field and go back to the realm level.
func TestScopeMappingsLiftAndLower(t *testing.T) {
	in := doc(t, map[string]any{
		"realm":   "acme",
		"clients": []any{map[string]any{"clientId": "api", "fullScopeAllowed": false}},
		"scopeMappings": []any{
			map[string]any{"client": "api", "roles": []any{"reader"}},
			map[string]any{"clientScope": "extra", "roles": []any{"writer"}},
		},
		"clientScopeMappings": map[string]any{"api": []any{map[string]any{"client": "api", "roles": []any{"read"}}}},
	})
	want := DeepCopy(in)
	r, errs := Decompose("acme", in, NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	api := r.Get(KindClient, "api")
	if !cmp.Equal(api.Fields[ScopeMappingsField], map[string]any{"realm": []any{"reader"}, "client": map[string]any{"api": []any{"read"}}}) || api.Stub() {
		t.Errorf("client api: %v (stub %v)", api.Fields, api.Stub())
	}
	if extra := r.Get(KindClientScope, "extra"); extra == nil || !extra.Stub() {
		t.Errorf("client scope extra should be a stub carrying its scope mappings: %+v", extra)
	}
	out, err := Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, out); d != "" {
		t.Errorf("compose(decompose(doc)) != doc (-want +got):\n%s", d)
	}
}
