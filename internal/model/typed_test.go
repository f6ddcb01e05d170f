package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withRows runs a test with extra rows in the kind table.
func withRows(t *testing.T, extra ...*Kind) {
	t.Helper()
	restore := TestingAddKinds(extra...)
	t.Cleanup(restore)
}

// TestComponentsOfARealmExport: a realm export's components map (types
// as keys, sub-components inside) decomposes into the generic component
// kind keyed by type, sub-type and name, and user storage providers with
// their mappers into the flat userFederation shape, typed; Compose writes
// the generic ones back into the map and the providers in the flat shape.
func TestComponentsOfARealmExport(t *testing.T) {
	doc := Object{"realm": "acme", "components": map[string]any{
		UserStorageType: []any{map[string]any{
			"id": "c1", "name": "corp", "providerId": "ldap",
			"config": map[string]any{"editMode": []any{"READ_ONLY"}, "fullSyncPeriod": []any{"-1"}, "pagination": []any{"true"}},
			"subComponents": map[string]any{LDAPMapperType: []any{
				map[string]any{"name": "email", "providerId": "user-attribute-ldap-mapper", "config": map[string]any{"ldap.attribute": []any{"mail"}}},
			}},
		}},
		KeyProviderType: []any{map[string]any{"name": "hmac", "providerId": "hmac-generated", "subComponents": map[string]any{},
			"config": map[string]any{"priority": []any{"10"}}}},
		ClientRegistrationPolicyType: []any{map[string]any{"name": "Trusted Hosts", "providerId": "trusted-hosts", "subType": "anonymous"}},
	}}
	r, errs := Decompose("acme", DeepCopy(doc).(map[string]any), NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var keys []string
	for _, kind := range []string{KindComponent, KindFederation, KindFederationMapper} {
		for _, e := range r.Sorted(kind) {
			keys = append(keys, kind+" "+e.Key)
		}
	}
	want := []string{
		"component " + KeyProviderType + ":hmac",
		"component " + ClientRegistrationPolicyType + "/anonymous:Trusted Hosts",
		"userFederation corp",
		"userFederationMapper corp/email",
	}
	if d := cmp.Diff(want, keys); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
	if p := r.Get(KindFederation, "corp"); p.ID != "c1" || !cmp.Equal(p.Fields, Object{"name": "corp", "providerId": "ldap",
		"editMode": "READ_ONLY", "fullSyncPeriod": float64(-1), "pagination": true}) {
		t.Errorf("provider %s %v", p.ID, p.Fields)
	}
	k := KindByName(KindComponent)
	policy := r.Sorted(KindComponent)[1]
	if !cmp.Equal(k.SplitLocalName(policy.Key), Object{"name": "Trusted Hosts", "providerType": ClientRegistrationPolicyType, "subType": "anonymous"}) {
		t.Errorf("local name of %s: %v", policy.Key, k.SplitLocalName(policy.Key))
	}
	if !k.BuiltIn("acme", policy.Key) {
		t.Errorf("%s is every realm's", policy.Key)
	}
	back, err := Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	wantComponents := map[string]any{
		KeyProviderType:              []any{map[string]any{"name": "hmac", "providerId": "hmac-generated", "config": map[string]any{"priority": []any{"10"}}}},
		ClientRegistrationPolicyType: []any{map[string]any{"name": "Trusted Hosts", "providerId": "trusted-hosts", "subType": "anonymous"}},
	}
	if d := cmp.Diff(wantComponents, back["components"]); d != "" {
		t.Errorf("Compose does not give the maps back (-want +got):\n%s", d)
	}
	wantFed := []any{map[string]any{"name": "corp", "providerId": "ldap", "editMode": "READ_ONLY", "fullSyncPeriod": float64(-1), "pagination": true,
		"mappers": []any{map[string]any{"name": "email", "providerId": "user-attribute-ldap-mapper", "ldap.attribute": "mail"}}}}
	if d := cmp.Diff(wantFed, back[FederationField]); d != "" {
		t.Errorf("user federation (-want +got):\n%s", d)
	}
	wire := KindByName(KindFederation).ToWire(r.Get(KindFederation, "corp").Fields)
	if d := cmp.Diff(Object{"name": "corp", "providerId": "ldap", "config": map[string]any{
		"editMode": []any{"READ_ONLY"}, "fullSyncPeriod": []any{"-1"}, "pagination": []any{"true"}}}, wire); d != "" {
		t.Errorf("wire form (-want +got):\n%s", d)
	}
	if _, errs := Decompose("acme", Object{"realm": "acme", "components": []any{}}, NoPos); len(errs) == 0 {
		t.Error("a list where a map of types belongs is not an error")
	}
}
