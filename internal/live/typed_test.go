package live

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
)

// componentsAPI serves a realm with type-keyed components, as Keycloak
// does: one collection for the realm, narrowed by ?parent=<id>.
type componentsAPI struct{ listed []string }

var components = []map[string]any{
	{"id": "c1", "name": "ldap", "providerId": "ldap", "providerType": "org.keycloak.storage.UserStorageProvider", "parentId": "r1"},
	{"id": "c2", "name": "rsa", "providerId": "rsa-generated", "providerType": "org.keycloak.keys.KeyProvider", "parentId": "r1"},
	{"id": "c3", "name": "email", "providerId": "user-attribute-ldap-mapper", "providerType": "org.keycloak.storage.ldap.mappers.LDAPStorageMapper", "parentId": "c1"},
}

func (f *componentsAPI) Get(_ context.Context, path string, _ url.Values, out any) error {
	switch {
	case path == "acme":
		*(out.(*map[string]any)) = map[string]any{"id": "r1", "realm": "acme"}
		return nil
	case strings.HasSuffix(path, "/users/profile"):
		return notFound(path)
	}
	*(out.(*[]map[string]any)) = nil // flows, everything else: none
	return nil
}

func (f *componentsAPI) List(_ context.Context, path string, q url.Values, _ int) ([]map[string]any, error) {
	f.listed = append(f.listed, path+"?"+q.Encode())
	if path != "acme/components" {
		return nil, nil
	}
	var out []map[string]any
	for _, c := range components {
		if c["parentId"] == q.Get("parent") {
			out = append(out, model.DeepCopy(c).(map[string]any))
		}
	}
	return out, nil
}

// TestReadTypeKeyedKinds: the reader lists a type-keyed kind per parent
// through its ParentQuery (the realm's id for top-level objects), and
// places what it finds in maps of type to list, so that desired and live
// state decompose alike.
func TestReadTypeKeyedKinds(t *testing.T) {
	t.Cleanup(model.TestingAddKinds(
		&model.Kind{Name: "testComponent", Title: "component", Plural: "testComponents", KeyField: "name", TypeField: "providerType",
			RealmPath: "components", Endpoints: model.Endpoints{Create: "{realm}/components", Item: "{realm}/components/{id}"},
			Read: model.ReadSpec{ParentQuery: "parent"}},
		&model.Kind{Name: "testSubComponent", Title: "sub-component", Plural: "testSubComponents", KeyField: "name", TypeField: "providerType",
			Parent: "testComponent", ParentField: "subComponents",
			Endpoints: model.Endpoints{Create: "{realm}/components", Item: "{realm}/components/{id}"},
			Read:      model.ReadSpec{ParentQuery: "parent"}},
	))
	api := &componentsAPI{}
	r, err := Read(context.Background(), api, "acme", Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kind := range []string{"testComponent", "testSubComponent"} {
		for _, e := range r.Sorted(kind) {
			got = append(got, e.Key+" "+e.ID)
		}
	}
	want := []string{
		"org.keycloak.keys.KeyProvider:rsa c2",
		"org.keycloak.storage.UserStorageProvider:ldap c1",
		"org.keycloak.storage.UserStorageProvider:ldap/org.keycloak.storage.ldap.mappers.LDAPStorageMapper:email c3",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("objects read (-want +got):\n%s", d)
	}
	var componentLists []string
	for _, l := range api.listed {
		if strings.HasPrefix(l, "acme/components") {
			componentLists = append(componentLists, l)
		}
	}
	if d := cmp.Diff([]string{"acme/components?parent=r1", "acme/components?parent=c1", "acme/components?parent=c2"}, componentLists); d != "" {
		t.Errorf("component lists (-want +got):\n%s", d)
	}
}
