package live

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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
			if d := cmp.Diff(tt.want, *HoldingsOf(r)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if h := (*Holdings)(nil); !h.groups() || !h.realmRoles() || !h.client("any") {
		t.Error("nil holdings must want everything")
	}
}
