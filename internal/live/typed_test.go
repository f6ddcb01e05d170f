package live

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
)

// componentsAPI serves a realm's components as Keycloak does: one
// collection for the whole realm, each naming its parent by id.
type componentsAPI struct{ requests []string }

var components = []map[string]any{
	{"id": "c1", "name": "corp", "providerId": "ldap", "providerType": model.UserStorageType, "parentId": "r1",
		"config": map[string]any{"enabled": []any{"true"}, "priority": []any{"2"}, "bindCredential": []any{"**********"},
			"connectionTimeout": []any{""}, "lastSync": []any{"1700000000"}, "somethingNew": []any{"x"}}},
	{"id": "c2", "name": "rsa", "providerId": "rsa-generated", "providerType": model.KeyProviderType, "parentId": "r1",
		"config": map[string]any{"priority": []any{"100"}}},
	{"id": "c3", "name": "email", "providerId": "user-attribute-ldap-mapper", "providerType": model.LDAPMapperType, "parentId": "c1",
		"config": map[string]any{"ldap.attribute": []any{"mail"}, "read.only": []any{"true"}}},
	{"id": "c4", "name": "Trusted Hosts", "providerId": "trusted-hosts", "providerType": model.ClientRegistrationPolicyType, "subType": "anonymous", "parentId": "r1"},
	{"id": "c5", "name": "profile", "providerId": "declarative-user-profile", "providerType": model.UserProfileType, "parentId": "r1"},
}

func (f *componentsAPI) Get(_ context.Context, path string, _ url.Values, out any) error {
	f.requests = append(f.requests, path)
	switch {
	case path == "acme":
		*(out.(*map[string]any)) = map[string]any{"id": "r1", "realm": "acme"}
		return nil
	case strings.HasSuffix(path, "/users/profile"):
		return notFound(path)
	case strings.HasSuffix(path, "/users/count"):
		*(out.(*int)) = 0
		return nil
	case strings.Contains(path, "/client-policies/"), strings.HasSuffix(path, "/localization"):
		return nil // none
	case path == "acme/components":
		var all []map[string]any
		for _, c := range components {
			all = append(all, model.DeepCopy(c).(map[string]any))
		}
		*(out.(*[]map[string]any)) = all
		return nil
	}
	*(out.(*[]map[string]any)) = nil // flows, everything else: none
	return nil
}

func (f *componentsAPI) List(_ context.Context, path string, q url.Values, _ int) ([]map[string]any, error) {
	return nil, nil
}

func (f *componentsAPI) IDs(context.Context, string, url.Values, int) ([]string, error) {
	return nil, nil
}

// TestReadComponents: one request reads every component; user storage
// providers and their mappers come out in the flat shape with typed
// values (an empty number says nothing; the server's lastSync is not the
// files' business; unknown keys stay in config), other components keyed by
// type, sub-type and name, and the user profile's component not at all.
func TestReadComponents(t *testing.T) {
	api := &componentsAPI{}
	r, err := Read(context.Background(), api, "acme", Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kind := range []string{model.KindComponent, model.KindFederation, model.KindFederationMapper} {
		for _, e := range r.Sorted(kind) {
			got = append(got, kind+" "+e.Key+" "+e.ID)
		}
	}
	want := []string{
		"component org.keycloak.keys.KeyProvider:rsa c2",
		"component org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy/anonymous:Trusted Hosts c4",
		"userFederation corp c1",
		"userFederationMapper corp/email c3",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("objects read (-want +got):\n%s", d)
	}
	wantFields := model.Object{"name": "corp", "providerId": "ldap", "enabled": true, "priority": float64(2),
		"bindCredential": "**********", "config": map[string]any{"somethingNew": []any{"x"}}}
	if d := cmp.Diff(wantFields, r.Get(model.KindFederation, "corp").Fields); d != "" {
		t.Errorf("provider (-want +got):\n%s", d)
	}
	if d := cmp.Diff(model.Object{"name": "email", "providerId": "user-attribute-ldap-mapper", "ldap.attribute": "mail", "read.only": true},
		r.Get(model.KindFederationMapper, "corp/email").Fields); d != "" {
		t.Errorf("mapper (-want +got):\n%s", d)
	}
	n := 0
	for _, p := range api.requests {
		if strings.Contains(p, "components") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d requests for components, want 1: %v", n, api.requests)
	}
}
