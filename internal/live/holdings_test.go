package live

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/realmsync/realmsync/internal/model"
)

func TestHoldingsOf(t *testing.T) {
	tests := []struct {
		name  string
		users []any
		want  Holdings
	}{
		{"no users", nil, Holdings{Clients: map[string]bool{}}},
		{"users without memberships", []any{map[string]any{"username": "a"}}, Holdings{Clients: map[string]bool{}}},
		{"groups only", []any{map[string]any{"username": "a", "groups": []any{"/g"}}}, Holdings{Groups: true, Clients: map[string]bool{}}},
		{"an empty realm role list is written down", []any{map[string]any{"username": "a", "realmRoles": []any{}}},
			Holdings{RealmRoles: true, Clients: map[string]bool{}}},
		{"client roles name their clients", []any{
			map[string]any{"username": "a", "clientRoles": map[string]any{"app": []any{"r"}}},
			map[string]any{"username": "b", "clientRoles": map[string]any{"api": []any{}}, "realmRoles": []any{"x"}},
		}, Holdings{RealmRoles: true, Clients: map[string]bool{"app": true, "api": true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := model.Object{"realm": "r"}
			if tt.users != nil {
				doc["users"] = tt.users
			}
			r, errs := model.Decompose("r", doc, model.NoPos)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if d := cmp.Diff(tt.want, *HoldingsOf(r), cmpopts.IgnoreUnexported(Holdings{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if h := (*Holdings)(nil); !h.groups() || !h.realmRoles() || !h.client("any") {
		t.Error("nil holdings must want everything")
	}
}

// TestHoldingsRelations: of a declared object, only the relations its file
// writes down are read; of an object no file declares (a delete, or one
// left alone), all are.
func TestHoldingsRelations(t *testing.T) {
	doc := model.Object{"realm": "r",
		"clients":       []any{map[string]any{"clientId": "a"}, map[string]any{"clientId": "b"}},
		"scopeMappings": []any{map[string]any{"client": "a", "roles": []any{"x"}}},
		"roles": map[string]any{"realm": []any{
			map[string]any{"name": "x", "composite": true, "composites": map[string]any{"realm": []any{"y"}}},
			map[string]any{"name": "y"},
		}},
	}
	r, errs := model.Decompose("r", doc, model.NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h := HoldingsOf(r)
	clients, roles := model.KindByName(model.KindClient), model.KindByName(model.KindRealmRole)
	tests := []struct {
		kind       *model.Kind
		key, field string
		want       bool
	}{
		{clients, "a", model.ScopeMappingsField, true},
		{clients, "b", model.ScopeMappingsField, false},
		{clients, "not-declared", model.ScopeMappingsField, true},
		{roles, "x", "composites", true},
		{roles, "y", "composites", false},
		{roles, "not-declared", "composites", true},
	}
	for _, tt := range tests {
		if got := h.relation(tt.kind, tt.key, tt.field); got != tt.want {
			t.Errorf("%s %q %s: read %v, want %v", tt.kind.Name, tt.key, tt.field, got, tt.want)
		}
		if !(*Holdings)(nil).relation(tt.kind, tt.key, tt.field) {
			t.Errorf("nil holdings must read %s %q %s", tt.kind.Name, tt.key, tt.field)
		}
	}
}
