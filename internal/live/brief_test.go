package live

import (
	"context"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// usersQueryAPI is componentsAPI that also answers the users list, one
// user, and records how it was asked for.
type usersQueryAPI struct {
	componentsAPI
	federated bool
	mu        sync.Mutex // the reader asks from several goroutines
	asked     []string   // briefRepresentation of each users list
}

func (f *usersQueryAPI) Get(ctx context.Context, path string, q url.Values, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if path == "acme/components" && !f.federated {
		*(out.(*[]map[string]any)) = nil
		return nil
	}
	return f.componentsAPI.Get(ctx, path, q, out)
}

func (f *usersQueryAPI) List(_ context.Context, path string, q url.Values, _ int) ([]map[string]any, error) {
	if path != "acme/users" {
		return nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, q.Get("briefRepresentation"))
	return []map[string]any{{"id": "u1", "username": "alice", "enabled": true}}, nil
}

// TestUsersReadBriefWhenFilesAllow: users are listed brief when no file
// writes down a field only the full representation carries, and full for
// export and strict plans (no Holdings), for files that write attributes
// or required actions, and in a realm with user federation (not every
// Keycloak names the federation link in the brief representation, and a
// provider's delete is weighed by the users linked to it).
func TestUsersReadBriefWhenFilesAllow(t *testing.T) {
	user := func(fields map[string]any) *Holdings {
		u := map[string]any{"username": "alice"}
		for k, v := range fields {
			u[k] = v
		}
		desired, errs := model.Decompose("acme", model.Object{"users": []any{u}}, model.NoPos)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return HoldingsOf(desired)
	}
	briefOnly := map[string]any{"enabled": true, "email": "alice@example.com", "firstName": "Alice", "emailVerified": true,
		"realmRoles": []any{"viewer"}, "groups": []any{"/staff"}, "clientRoles": map[string]any{"app": []any{"a"}},
		"credentials": []any{map[string]any{"type": "password", "value": "x"}}}
	for _, tc := range []struct {
		name      string
		holdings  *Holdings
		federated bool
		want      string
	}{
		{"export or a strict plan", nil, false, "false"},
		{"files write brief fields, relations and credentials", user(briefOnly), false, "true"},
		{"no users declared", HoldingsOf(model.NewRealm("acme")), false, "true"},
		{"a user's attributes", user(map[string]any{"attributes": map[string]any{"dept": []any{"x"}}}), false, "false"},
		{"a user's required actions", user(map[string]any{"requiredActions": []any{"VERIFY_EMAIL"}}), false, "false"},
		{"user federation", user(briefOnly), true, "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &usersQueryAPI{federated: tc.federated}
			r, err := Read(context.Background(), api, "acme", Options{Holdings: tc.holdings})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(api.asked, []string{tc.want}) {
				t.Errorf("users listed with briefRepresentation %q, want [%s]", api.asked, tc.want)
			}
			if r.Get(model.KindUser, "alice") == nil {
				t.Error("alice was not read")
			}
		})
	}
}

// TestComponentsReadBeforeUsers: the users' read asks whether the realm
// has user federation (fetch), which only the components' read knows.
func TestComponentsReadBeforeUsers(t *testing.T) {
	at := map[string]int{}
	for i, k := range model.Kinds() {
		at[k.Name] = i
	}
	if at[model.KindComponent] > at[model.KindUser] {
		t.Errorf("components are read after users (kind %d, users %d)", at[model.KindComponent], at[model.KindUser])
	}
}

// rolesQueryAPI is componentsAPI that also answers one client, its roles
// and the realm's roles, and records how each list was asked for.
type rolesQueryAPI struct {
	componentsAPI
	mu    sync.Mutex
	asked map[string][]string // briefRepresentation of each list, by path
}

func (f *rolesQueryAPI) record(path string, q url.Values) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.asked == nil {
		f.asked = map[string][]string{}
	}
	f.asked[path] = append(f.asked[path], q.Get("briefRepresentation"))
}

func (f *rolesQueryAPI) Get(ctx context.Context, path string, q url.Values, out any) error {
	switch {
	case path == "acme/clients" && q.Get("first") == "0":
		*(out.(*[]map[string]any)) = []map[string]any{{"id": "c1", "clientId": "app"}}
		return nil
	case path == "acme/roles" && q.Get("first") == "0":
		f.record(path, q)
		*(out.(*[]map[string]any)) = []map[string]any{{"id": "r1", "name": "admin", "composite": false}}
		return nil
	case path == "acme/components":
		*(out.(*[]map[string]any)) = nil
		return nil
	}
	switch out.(type) {
	case *[]map[string]any, *map[string]any, *int:
	default:
		return nil // a client's scope mappings: none
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.componentsAPI.Get(ctx, path, q, out)
}

func (f *rolesQueryAPI) List(_ context.Context, path string, q url.Values, _ int) ([]map[string]any, error) {
	if path != "acme/clients/c1/roles" {
		return nil, nil
	}
	f.record(path, q)
	return []map[string]any{{"id": "r2", "name": "viewer", "description": "sees", "composite": false}}, nil
}

// TestRolesReadBriefWhenFilesAllow: realm and client roles are listed
// brief (without their attributes, which cost the server a query per
// role) when no file writes a role's attributes, and full for export and
// strict plans and for files that do.
func TestRolesReadBriefWhenFilesAllow(t *testing.T) {
	holdings := func(realmRole, clientRole map[string]any) *Holdings {
		doc := model.Object{
			"roles":   map[string]any{"realm": []any{realmRole}, "client": map[string]any{"app": []any{clientRole}}},
			"clients": []any{map[string]any{"clientId": "app"}},
		}
		desired, errs := model.Decompose("acme", doc, model.NoPos)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return HoldingsOf(desired)
	}
	named := func(name string, more map[string]any) map[string]any {
		r := map[string]any{"name": name}
		for k, v := range more {
			r[k] = v
		}
		return r
	}
	attrs := map[string]any{"attributes": map[string]any{"tier": []any{"gold"}}}
	briefOnly := map[string]any{"description": "x", "composites": map[string]any{"realm": []any{"admin"}}}
	for _, tc := range []struct {
		name                 string
		holdings             *Holdings
		wantRealm, wantOfApp string
	}{
		{"export or a strict plan", nil, "false", "false"},
		{"files write names, descriptions and composites", holdings(named("admin", briefOnly), named("viewer", briefOnly)), "true", "true"},
		{"a realm role's attributes", holdings(named("admin", attrs), named("viewer", nil)), "false", "true"},
		{"a client role's attributes", holdings(named("admin", nil), named("viewer", attrs)), "true", "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &rolesQueryAPI{}
			r, err := Read(context.Background(), api, "acme", Options{Holdings: tc.holdings, NoExport: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := api.asked["acme/roles"]; !slices.Equal(got, []string{tc.wantRealm}) {
				t.Errorf("realm roles listed with briefRepresentation %q, want [%s]", got, tc.wantRealm)
			}
			if got := api.asked["acme/clients/c1/roles"]; !slices.Equal(got, []string{tc.wantOfApp}) {
				t.Errorf("app's roles listed with briefRepresentation %q, want [%s]", got, tc.wantOfApp)
			}
			if r.Get(model.KindRealmRole, "admin") == nil || r.Get(model.KindClientRole, model.ChildKey("app", "viewer")) == nil {
				t.Errorf("roles not read: %v", r.Sorted(model.KindClientRole))
			}
		})
	}
}
