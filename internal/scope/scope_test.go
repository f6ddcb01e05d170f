package scope

import (
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

func part(t *testing.T, file, text string) *model.Realm {
	t.Helper()
	if text == "" {
		return nil
	}
	r, err := load.FilePart("acme", "/repo/acme/"+file, []byte(text), load.Options{Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCompare: which objects a change names, what they refer to, and
// the changes that need a full read.
func TestCompare(t *testing.T) {
	const users = "users:\n  - username: alice\n    groups: [/staff]\n  - username: bob\n"
	const groups = "groups:\n  - name: staff\n    realmRoles: [reader]\nroles:\n  realm:\n    - name: reader\n"
	cases := []struct {
		name          string
		file          string
		before, after string
		other         string // an unchanged file of the realm
		changed       []string
		referenced    []string
		full          string // the reason for a full read
	}{
		{name: "an edited user", file: "users.yaml", before: users, other: groups,
			after:   strings.Replace(users, "- username: bob\n", "- username: bob\n    firstName: Bob\n", 1),
			changed: []string{"user:bob"}},
		{name: "a new user refers to a group", file: "users.yaml", before: users, other: groups,
			after:   users + "  - username: carol\n    groups: [/staff]\n",
			changed: []string{"user:carol"}, referenced: []string{"group:/staff"}},
		{name: "a removed user", file: "users.yaml", before: users, other: groups,
			after:   "users:\n  - username: alice\n    groups: [/staff]\n",
			changed: []string{"user:bob"}},
		{name: "a group's role mappings", file: "groups.yaml", before: groups, other: users,
			after:   strings.Replace(groups, "realmRoles: [reader]", "realmRoles: []", 1),
			changed: []string{"group:/staff"}},
		{name: "a new client with its roles", file: "clients.yaml", before: "clients: []\n", other: groups,
			after:   "clients:\n  - clientId: shop\nroles:\n  client:\n    shop:\n      - name: buy\n",
			changed: []string{"client:shop", "clientRole:shop/buy"}},
		{name: "a deletion policy", file: "realm.yaml", before: "enabled: true\n", other: users,
			after: "enabled: true\nrealmsync:\n  deletionPolicy:\n    users: owned\n",
			full:  "the deletion policy changed"},
		{name: "a flow", file: "flows.yaml", before: "authenticationFlows: []\n", other: users,
			after: "authenticationFlows:\n  - alias: x\n    providerId: basic-flow\n    topLevel: true\n    authenticationExecutions: []\n",
			full:  `authentication flow "x" changed`},
		{name: "a collection newly written down", file: "more.yaml", other: users,
			after: "clientScopes: []\n",
			full:  "started writing down the realm's clientScopes"},
		{name: "a collection another file writes down too", file: "more-users.yaml", other: users,
			after:   "users:\n  - username: dave\n",
			changed: []string{"user:dave"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			desired := model.NewRealm("acme")
			for _, p := range []*model.Realm{part(t, "other.yaml", c.other), part(t, c.file, c.after)} {
				if p != nil {
					if errs := desired.Merge(p); len(errs) > 0 {
						t.Fatal(errs)
					}
				}
			}
			s, why := Compare(desired, []FileChange{{Path: c.file, Before: part(t, c.file, c.before), After: part(t, c.file, c.after)}})
			if c.full != "" {
				if !strings.Contains(why, c.full) {
					t.Fatalf("want a full read for %q, got %q", c.full, why)
				}
				return
			}
			if why != "" {
				t.Fatalf("unexpected full read: %s", why)
			}
			if got := refNames(s.Changed); strings.Join(got, " ") != strings.Join(c.changed, " ") {
				t.Errorf("changed: got %v, want %v", got, c.changed)
			}
			if got := refNames(s.Referenced); strings.Join(got, " ") != strings.Join(c.referenced, " ") {
				t.Errorf("referenced: got %v, want %v", got, c.referenced)
			}
		})
	}
}

func refNames(m map[model.Ref]bool) []string {
	var out []string
	for _, r := range sortedRefs(m) {
		out = append(out, r.Kind+":"+r.Key)
	}
	return out
}
