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

// TestTypeKeyedMaps: a kind whose objects sit in maps keyed by a type
// field (a realm export's components, sub-components inside them) is
// keyed by type and name, gets its type from the map key, and composes
// back into the same maps.
func TestTypeKeyedMaps(t *testing.T) {
	withRows(t,
		&Kind{Name: "testComponent", Title: "component", Plural: "testComponents", KeyField: "name", TypeField: "providerType",
			RealmPath: "components"},
		&Kind{Name: "testSubComponent", Title: "sub-component", Plural: "testSubComponents", KeyField: "name", TypeField: "providerType",
			Parent: "testComponent", ParentField: "subComponents"},
	)
	doc := Object{"realm": "acme", "components": map[string]any{
		"org.keycloak.storage.UserStorageProvider": []any{map[string]any{
			"name": "ldap", "providerId": "ldap",
			"subComponents": map[string]any{"org.keycloak.storage.ldap.mappers.LDAPStorageMapper": []any{
				map[string]any{"name": "email", "providerId": "user-attribute-ldap-mapper"},
			}},
		}},
		"org.keycloak.keys.KeyProvider": []any{map[string]any{"name": "ldap", "providerId": "rsa-generated"}},
	}}
	r, errs := Decompose("acme", DeepCopy(doc).(map[string]any), NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var keys []string
	for _, kind := range []string{"testComponent", "testSubComponent"} {
		for _, e := range r.Sorted(kind) {
			keys = append(keys, kind+" "+e.Key+" ("+e.Fields["providerType"].(string)+")")
		}
	}
	want := []string{
		"testComponent org.keycloak.keys.KeyProvider:ldap (org.keycloak.keys.KeyProvider)",
		"testComponent org.keycloak.storage.UserStorageProvider:ldap (org.keycloak.storage.UserStorageProvider)",
		"testSubComponent org.keycloak.storage.UserStorageProvider:ldap/org.keycloak.storage.ldap.mappers.LDAPStorageMapper:email (org.keycloak.storage.ldap.mappers.LDAPStorageMapper)",
	}
	if d := cmp.Diff(want, keys); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
	sub := r.Sorted("testSubComponent")[0]
	if k := KindByName("testSubComponent"); k.NameOf(sub.Key) != "org.keycloak.storage.ldap.mappers.LDAPStorageMapper:email" ||
		!cmp.Equal(k.SplitLocalName(k.NameOf(sub.Key)), Object{"name": "email", "providerType": "org.keycloak.storage.ldap.mappers.LDAPStorageMapper"}) {
		t.Errorf("local name of %s", sub.Key)
	}
	back, err := Compose(r)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(doc["components"], back["components"]); d != "" {
		t.Errorf("Compose does not give the maps back (-want +got):\n%s", d)
	}
	if _, errs := Decompose("acme", Object{"realm": "acme", "components": []any{}}, NoPos); len(errs) == 0 {
		t.Error("a list where a map of types belongs is not an error")
	}
}
