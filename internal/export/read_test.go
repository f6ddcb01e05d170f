package export

import (
	"context"
	"net/url"
	"strings"
	"testing"
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
			r, err := ReadRealm(context.Background(), c.api, "acme")
			switch {
			case c.want == "" && (err != nil || r != nil):
				t.Errorf("got %v, %v: want a missing realm", r, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
