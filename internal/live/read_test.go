package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// notFound is a 404 as the admin client reports it.
type notFound string

func (e notFound) Error() string  { return "404 " + string(e) }
func (e notFound) NotFound() bool { return true }

// listOnly answers the list of realms and 404 to everything else; with
// noList it answers 404 to that too, as a wrong base URL does.
type listOnly struct {
	realms []string
	noList bool
}

func (f listOnly) Get(_ context.Context, path string, _ url.Values, out any) error {
	if path != "" || f.noList {
		return notFound(path)
	}
	list := out.(*[]map[string]any)
	for _, r := range f.realms {
		*list = append(*list, map[string]any{"realm": r})
	}
	return nil
}

func (f listOnly) List(_ context.Context, path string, _ url.Values, _ int) ([]map[string]any, error) {
	return nil, notFound(path)
}

func (f listOnly) IDs(_ context.Context, path string, _ url.Values, _ int) ([]string, error) {
	return nil, notFound(path)
}

// TestMissingRealmIsConfirmed: a realm answered 404 is missing only if
// the server's list of realms lacks it; a server that answers 404 to
// everything is an error, not a plan that creates everything.
func TestMissingRealmIsConfirmed(t *testing.T) {
	for _, c := range []struct {
		name string
		api  listOnly
		want string // "" : the realm is missing, no error
	}{
		{"absent", listOnly{realms: []string{"master"}}, ""},
		{"listed but 404", listOnly{realms: []string{"master", "acme"}}, "answered 404 although the server lists it"},
		{"wrong base URL", listOnly{noList: true}, "is the URL Keycloak's base URL?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Read(context.Background(), c.api, "acme", Options{})
			switch {
			case c.want == "" && (err != nil || r != nil):
				t.Errorf("got %v, %v: want a missing realm", r, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestTableReadSpecs: every kind the table says how to read can be read:
// hooks exist, listed kinds have a collection, singletons an item, and
// embedded kinds a parent whose representation carries them.
func TestTableReadSpecs(t *testing.T) {
	for _, k := range model.Kinds() {
		spec := k.Read
		if spec.Hook != "" && hooks[spec.Hook] == nil {
			t.Errorf("%s: read hook %q does not exist", k.Name, spec.Hook)
		}
		switch spec.Mode {
		case model.ReadHook:
			if spec.Hook == "" {
				t.Errorf("%s: read by a hook, but names none", k.Name)
			}
		case model.ReadList:
			if k.Endpoints.Create == "" || (k.Recursive() && k.Endpoints.CreateRoot == "") {
				t.Errorf("%s: listed, but has no collection endpoint", k.Name)
			}
			if k.Recursive() && spec.ChildCount == "" {
				t.Errorf("%s: recursive, but the read does not know which objects have children", k.Name)
			}
		case model.ReadItem:
			if k.Endpoints.Item == "" {
				t.Errorf("%s: read as one item, but has no item endpoint", k.Name)
			}
		case model.ReadEmbedded:
			if k.WireType != "" {
				break // components, placed by the components hook
			}
			if k.Parent == "" || k.ParentField == "" {
				t.Errorf("%s: embedded, but not in a parent's field", k.Name)
			}
		}
		for _, rel := range k.Relations {
			if rel.ReadFrom == model.ReadByHook && spec.Hook == "" {
				t.Errorf("%s.%s: read by the kind's hook, but the kind has none", k.Name, rel.Field)
			}
			if rel.Wire == model.WireIDs && rel.NameField == "" {
				t.Errorf("%s.%s: lists objects, but does not say which field names them", k.Name, rel.Field)
			}
		}
	}
	if Stages() < 3 {
		t.Errorf("Stages() = %d", Stages())
	}
}

// TestBrokenOff: an answer that stops being JSON partway (Keycloak failed
// while sending a users page, its LDAP search failing) is told apart
// from other failures.
func TestBrokenOff(t *testing.T) {
	var syntax error
	var v []map[string]any
	if syntax = json.Unmarshal([]byte(`[{"id":"a"},{"id" error`), &v); syntax == nil {
		t.Fatal("the broken JSON decoded")
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"broken JSON, wrapped", fmt.Errorf("GET r/users: decode response: %w", syntax), true},
		{"cut short", fmt.Errorf("GET r/users: %w", io.ErrUnexpectedEOF), true},
		{"not found", notFound("r/users"), false},
		{"another failure", errors.New("connection refused"), false},
	} {
		if got := brokenOff(c.err); got != c.want {
			t.Errorf("%s: brokenOff(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// TestPath: templates are filled with escaped values; a placeholder with
// no value (no object, an unknown name, no closing brace) stays as it is.
func TestPath(t *testing.T) {
	roles := model.KindByName(model.KindRealmRole)
	role := &node{obj: map[string]any{"id": "r-1", "name": "a/b c"}, parentID: "p 1"}
	rd := &reader{realm: "my realm"}
	tests := []struct {
		tmpl string
		n    *node
		want string
	}{
		{"{realm}/roles", nil, "my%20realm/roles"},
		{"{realm}/roles/{name}", nil, "my%20realm/roles/{name}"},
		{"{realm}/roles/{name}/users", role, "my%20realm/roles/a%2Fb%20c/users"},
		{"{realm}/roles-by-id/{id}/composites", role, "my%20realm/roles-by-id/r-1/composites"},
		{"{realm}/groups/{parent}/children", role, "my%20realm/groups/p%201/children"},
		{"{realm}/x/{other}/{id}", role, "my%20realm/x/{other}/r-1"},
		{"{realm}/x/{id", role, "my%20realm/x/{id"},
		{"", role, ""},
	}
	for _, tt := range tests {
		if got := rd.path(tt.tmpl, roles, tt.n); got != tt.want {
			t.Errorf("path(%q) = %q, want %q", tt.tmpl, got, tt.want)
		}
	}
}
