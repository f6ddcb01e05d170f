package load

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// bigUsersFile is a realm file of more than piecesFrom bytes: settings,
// users (each changed by edit, when it returns something else) and a
// group tree.
func bigUsersFile(users int, edit func(i int, user string) string) string {
	var b strings.Builder
	b.WriteString("realm: acme\nenabled: true\nusers:\n")
	for i := 0; i < users; i++ {
		u := fmt.Sprintf("  - username: user-%05d\n    firstName: User\n    lastName: Number %d\n    email: user-%05d@example.com\n    enabled: true\n    groups: [/g%d]\n", i, i, i, i%40)
		if edit != nil {
			u = edit(i, u)
		}
		b.WriteString(u)
	}
	b.WriteString("groups:\n")
	for g := 0; g < 40; g++ {
		fmt.Fprintf(&b, "  - name: g%d\n    subGroups:\n      - name: sub\n        attributes:\n          level: [\"2\"]\n", g)
	}
	return b.String()
}

// TestFilePartSinceIsFilePart: the old version of a big file, its
// unchanged batches taken from the new one, declares what parsing it
// whole declares, for every kind of edit a pull request makes.
func TestFilePartSinceIsFilePart(t *testing.T) {
	const n = 9000 // about 1.3 MB
	old := bigUsersFile(n, nil)
	if len(old) < piecesFrom {
		t.Fatalf("the file has %d bytes, less than the %d read in pieces", len(old), piecesFrom)
	}
	cases := []struct {
		name string
		now  string
		// reuses: some batch is taken from now (the edit is local)
		reuses bool
	}{
		{"unchanged", old, true},
		{"one user edited", bigUsersFile(n, func(i int, u string) string {
			if i == 4321 {
				return strings.Replace(u, "firstName: User", "firstName: Changed", 1)
			}
			return u
		}), true},
		{"a user removed", bigUsersFile(n, func(i int, u string) string {
			if i == n-10 {
				return ""
			}
			return u
		}), true},
		{"a user added at the end", bigUsersFile(n, func(i int, u string) string {
			if i == n-1 {
				return u + "  - username: newcomer\n    enabled: false\n"
			}
			return u
		}), true},
		{"a short user added at the start (the batches stay)", bigUsersFile(n, func(i int, u string) string {
			if i == 0 {
				return "  - username: first\n" + u
			}
			return u
		}), true},
		{"every user edited", strings.ReplaceAll(old, "firstName: User", "firstName: Someone"), false},
		{"a setting changed", strings.Replace(old, "enabled: true\nusers:", "enabled: false\nusers:", 1), true},
		{"a group's subgroup edited", strings.Replace(old, "  - name: g7\n    subGroups:\n      - name: sub\n", "  - name: g7\n    subGroups:\n      - name: other\n", 1), true},
		{"a small file now", "realm: acme\nusers:\n  - username: user-00001\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nowPart, err := FilePart("acme", "users.yaml", []byte(c.now), Options{Lookup: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			want, err := FilePart("acme", "users.yaml", []byte(old), Options{Lookup: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			got, err := FilePartSince("acme", "users.yaml", []byte(old), []byte(c.now), nowPart, Options{Lookup: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			if diff := sameDeclarations(want, got); diff != "" {
				t.Fatalf("FilePartSince differs from FilePart: %s", diff)
			}
			shared := 0
			for _, e := range got.Entities[model.KindUser] {
				if nowPart.Get(model.KindUser, e.Key) == e {
					shared++
				}
			}
			if c.reuses != (shared > 0) {
				t.Errorf("%d users taken from the new version, want some: %v", shared, c.reuses)
			}
		})
	}
}

// sameDeclarations compares what two parts declare, positions aside:
// their objects (kind, key, parent, fields), collections and settings.
func sameDeclarations(a, b *model.Realm) string {
	if diff := sameEntities(a, b, func(x, y *model.Entity) bool {
		return x.Key == y.Key && x.Parent == y.Parent && x.Stub() == y.Stub() && reflect.DeepEqual(x.Fields, y.Fields)
	}); diff != "" {
		return diff
	}
	scopes := func(r *model.Realm) []string {
		var out []string
		for sc := range r.Declared {
			out = append(out, fmt.Sprint(sc))
		}
		sort.Strings(out)
		return out
	}
	if sa, sb := scopes(a), scopes(b); !reflect.DeepEqual(sa, sb) {
		return fmt.Sprintf("collections %v against %v", sa, sb)
	}
	if !reflect.DeepEqual(a.Policies, b.Policies) || !reflect.DeepEqual(a.Extensions, b.Extensions) {
		return "policies or extensions differ"
	}
	return ""
}
