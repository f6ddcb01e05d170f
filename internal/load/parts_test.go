package load

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
)

// entityFields lists a realm's entities as kind/key → fields, parent and
// stub, what a scoped plan compares of a file's part.
func entityFields(r *model.Realm) map[string]any {
	out := map[string]any{}
	for _, k := range model.Kinds() {
		for key, e := range r.Entities[k.Name] {
			out[k.Name+"/"+key] = []any{e.Fields, e.Parent, e.Stub()}
		}
	}
	return out
}

// TestKeptPartsAreTheFilesParts: a part kept while loading (KeepParts) is
// what FilePart answers for the file, and keeping it changes nothing in
// the realm loaded (Decompose lowers the user's name in the document it
// reads: the part reads a copy).
func TestKeptPartsAreTheFilesParts(t *testing.T) {
	root := writeTree(t, map[string]string{
		"acme/realm.yaml":   "realm: acme\nenabled: true\n",
		"acme/users.yaml":   "users:\n  - username: Alice\n    email: Alice@Example.com\n    realmRoles: [a]\n",
		"acme/roles.yaml":   "roles:\n  realm:\n    - name: a\n",
		"acme/clients.yaml": "clients:\n  - clientId: web\n",
	})
	users := filepath.Join(root, "acme", "users.yaml")
	link := filepath.Join(t.TempDir(), "tree")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	if PartKey(filepath.Join(link, "acme", "users.yaml")) != PartKey(users) {
		t.Errorf("PartKey through a symlink %q, want %q", PartKey(filepath.Join(link, "acme", "users.yaml")), PartKey(users))
	}

	plain, err := Dir(root, Options{Lookup: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Parts != nil {
		t.Errorf("parts kept unasked: %v", plain.Parts)
	}
	// Loaded through the symlink: the key is the file's real path.
	kept, err := Dir(link, Options{Lookup: noEnv, KeepParts: map[string]bool{PartKey(users): true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept.Parts) != 1 || kept.Parts[PartKey(users)] == nil {
		t.Fatalf("kept parts %v, want the users file's only", model.SortedKeys(kept.Parts))
	}
	data, err := os.ReadFile(users)
	if err != nil {
		t.Fatal(err)
	}
	want, err := FilePart("acme", users, data, Options{Lookup: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(entityFields(want), entityFields(kept.Parts[PartKey(users)])); d != "" {
		t.Errorf("kept part differs from FilePart's (-FilePart +kept):\n%s", d)
	}
	if kept.Parts[PartKey(users)].Get(model.KindUser, "alice") == nil {
		t.Errorf("kept part has no user alice: %v", entityFields(kept.Parts[PartKey(users)]))
	}
	if d := cmp.Diff(entityFields(plain.Realms["acme"]), entityFields(kept.Realms["acme"])); d != "" {
		t.Errorf("keeping a part changed the realm loaded (-plain +kept):\n%s", d)
	}
}
