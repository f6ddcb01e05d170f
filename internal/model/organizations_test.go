package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOrganizationManagedMembers: members an organization's identity
// provider made (managed) are never the files' — a desired list naming
// one compares without it — and deleting the organization, which deletes
// them, is counted as a cascade and refused while users' deletion policy
// is none.
func TestOrganizationManagedMembers(t *testing.T) {
	k := KindByName(KindOrganization)
	live := NewRealm("acme")
	live.ManagedMembers = map[string][]string{"corp": {"bob"}}
	d := &Entity{Kind: k, Key: "corp", Fields: Object{"name": "Corp", "members": []any{"alice", "Bob"},
		"domains": []any{map[string]any{"name": "z.example"}, map[string]any{"name": "a.example", "verified": true}}}}
	got := k.desiredFor(d, NewRealm("acme"), live)
	if want := []any{"alice"}; !cmp.Equal(got.Fields["members"], want) {
		t.Errorf("desired members %v, want %v", got.Fields["members"], want)
	}
	wantDomains := []any{map[string]any{"name": "a.example", "verified": true}, map[string]any{"name": "z.example", "verified": false}}
	if !cmp.Equal(got.Fields["domains"], wantDomains) {
		t.Errorf("domains %v, want %v", got.Fields["domains"], wantDomains)
	}
	if !cmp.Equal(d.Fields["members"], []any{"alice", "Bob"}) {
		t.Errorf("the files' object was changed: %v", d.Fields["members"])
	}
	l := &Entity{Kind: k, Key: "corp", Fields: Object{"name": "Corp"}}
	if n, note := k.Cascade(live, l); n != 1 || !strings.Contains(note, "1 managed members") {
		t.Errorf("cascade %d %q", n, note)
	}
	desired := NewRealm("acme")
	desired.Policies = map[string]Policy{KindUser: PolicyNone}
	if why := k.blocked(desired, live, l); !strings.Contains(why, "users' deletion policy is none") {
		t.Errorf("a delete that takes managed members with it is not refused: %q", why)
	}
	desired.Policies[KindUser] = PolicyOwned
	if why := k.blocked(desired, live, l); why != "" {
		t.Errorf("refused though users may go: %q", why)
	}
	if err := desired.Add(&Entity{Kind: KindByName(KindRealm), Key: "acme", Fields: Object{"organizationsEnabled": false}}); err != nil {
		t.Fatal(err)
	}
	if why := k.blocked(desired, live, l); !strings.Contains(why, "turn organizations off") {
		t.Errorf("a delete in the sync that turns organizations off is not refused: %q", why)
	}
}
