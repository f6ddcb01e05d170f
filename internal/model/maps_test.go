package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMapRemovals(t *testing.T) {
	cases := []struct {
		name    string
		kind    string
		key     string
		desired Object
		live    Object
		want    map[string][]string
	}{
		{"a key the file drops", KindGroup, "/g",
			Object{"attributes": map[string]any{"a": []any{"1"}}},
			Object{"attributes": map[string]any{"a": []any{"1"}, "b": []any{"2"}}},
			map[string][]string{"attributes": {"b"}}},
		{"attributes not written: sparse", KindGroup, "/g",
			Object{"description": "x"},
			Object{"attributes": map[string]any{"b": []any{"2"}}},
			nil},
		{"empty map: every key goes", KindClient, "web",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"x": "1", "y": "2", "realm_client": "false"}},
			map[string][]string{"attributes": {"x", "y"}}},
		{"server-managed and tool keys stay", KindClient, "web",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"client.secret.creation.time": "1", "realmsync.x": "y"}},
			nil},
		{"a built-in client merges key by key", KindClient, "account",
			Object{"attributes": map[string]any{"a": "1"}},
			Object{"attributes": map[string]any{"post.logout.redirect.uris": "+"}},
			nil},
		{"realm: mirrored settings and server defaults stay", KindRealm, "acme",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"clientSessionIdleTimeout": "9", "cibaInterval": "5", "parRequestUriLifespan": "60", "mine": "x"}},
			map[string][]string{"attributes": {"mine"}}},
		{"group: the group-management plugin's defaultConfiguration stays", KindGroup, "/g",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"defaultConfiguration": []any{"5f0c"}, "floor": []any{"2"}}},
			map[string][]string{"attributes": {"floor"}}},
		{"realm: the plugin's configuration stays", KindRealm, "acme",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"invitation-expiration-period": "48", "mine": "x"}},
			map[string][]string{"attributes": {"mine"}}},
		{"user: federation links stay", KindUser, "alice",
			Object{"attributes": map[string]any{}},
			Object{"attributes": map[string]any{"LDAP_ID": []any{"1"}, "desk": []any{"4"}}},
			map[string][]string{"attributes": {"desk"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := KindByName(c.kind)
			got := k.MapRemovals("acme", &Entity{Kind: k, Key: c.key, Fields: c.desired}, c.live)
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("removals (-want +got):\n%s", d)
			}
		})
	}
}
