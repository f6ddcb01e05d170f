package scope

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

// gitRepo makes a work tree holding files, committed, and returns its root.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	for path, content := range files {
		writeFile(t, filepath.Join(root, path), content)
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return root
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSinceComparesKeptParts: ChangedFiles names the changed and the new
// realm files (given the tree or a pattern of its realm directories), a
// load keeps their parts, and Since compares those parts rather than
// parsing the files again.
func TestSinceComparesKeptParts(t *testing.T) {
	ctx := context.Background()
	root := gitRepo(t, map[string]string{
		"acme/realm.yaml": "realm: acme\n",
		"acme/users.yaml": "users:\n  - username: a\n    firstName: Before\n",
	})
	users := filepath.Join(root, "acme", "users.yaml")
	more := filepath.Join(root, "acme", "more-users.yaml")
	writeFile(t, users, "users:\n  - username: a\n    firstName: After\n")
	writeFile(t, more, "users:\n  - username: b\n")

	for _, arg := range []string{root, filepath.Join(root, "*")} {
		got := NewGit("HEAD").ChangedFiles(ctx, []string{arg})
		want := map[string]bool{load.PartKey(users): true, load.PartKey(more): true}
		if len(got) != len(want) || !got[load.PartKey(users)] || !got[load.PartKey(more)] {
			t.Errorf("ChangedFiles(%s) = %v, want %v", arg, got, want)
		}
	}

	opts := load.Options{Lookup: func(string) (string, bool) { return "", false }}
	keepOpts := opts
	history := NewGit("HEAD")
	keepOpts.KeepParts = history.ChangedFiles(ctx, []string{root})
	desired, err := load.Dir(root, keepOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(desired.Parts) != 2 {
		t.Fatalf("kept parts %v, want the two changed files'", model.SortedKeys(desired.Parts))
	}
	res := history.Since(ctx, desired, []string{"acme"}, opts)
	s := res.Realms["acme"]
	if s == nil {
		t.Fatalf("not scoped: %v", res.Full)
	}
	changed := []model.Ref{{Kind: model.KindUser, Key: "b"}, {Kind: model.KindUser, Key: "a"}}
	if len(s.Changed) != 2 || !s.Changed[changed[0]] || !s.Changed[changed[1]] {
		t.Errorf("changed %v, want %v", sortedRefs(s.Changed), changed)
	}

	// A kept part is what Since compares: one saying the users file is
	// as it was makes the user unchanged.
	before, err := load.FilePart("acme", users, []byte("users:\n  - username: a\n    firstName: Before\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	desired.Parts[load.PartKey(users)] = before
	s = NewGit("HEAD").Since(ctx, desired, []string{"acme"}, opts).Realms["acme"]
	if s == nil || s.Changed[model.Ref{Kind: model.KindUser, Key: "a"}] || !s.Changed[changed[0]] {
		t.Errorf("with the users file's part as before, changed %v, want user b only", s)
	}
}

// TestSinceManyRealms: Since scopes the realms of a tree at once, each as
// it would alone (a changed one to its change, an unchanged one to
// nothing, a new one read whole), and Git is asked each question once:
// what ChangedFiles asked ahead (a changed file's content at the
// revision) is not asked again.
func TestSinceManyRealms(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{}
	for _, r := range []string{"r1", "r2", "r3"} {
		files[r+"/realm.yaml"] = "realm: " + r + "\n"
		files[r+"/roles.yaml"] = "roles:\n  realm:\n    - name: a\n      description: before\n"
	}
	root := gitRepo(t, files)
	writeFile(t, filepath.Join(root, "r2", "roles.yaml"), "roles:\n  realm:\n    - name: a\n      description: after\n")
	writeFile(t, filepath.Join(root, "r4", "realm.yaml"), "realm: r4\n")

	history := NewGit("HEAD")
	var mu sync.Mutex
	asked := map[string]int{}
	history.run = func(ctx context.Context, dir string, args ...string) (string, error) {
		mu.Lock()
		asked[strings.Join(args, " ")+" in "+dir]++
		mu.Unlock()
		return git(ctx, dir, args...)
	}
	opts := load.Options{Lookup: func(string) (string, bool) { return "", false }}
	keepOpts := opts
	keepOpts.KeepParts = history.ChangedFiles(ctx, []string{root})
	history.mu.Lock()
	ahead := history.calls[callKey(root, "show", "HEAD:r2/roles.yaml")] != nil
	history.mu.Unlock()
	if !ahead {
		t.Error("ChangedFiles did not ask ahead for r2/roles.yaml at HEAD")
	}
	desired, err := load.Dir(root, keepOpts)
	if err != nil {
		t.Fatal(err)
	}
	res := history.Since(ctx, desired, []string{"r1", "r2", "r3", "r4"}, opts)
	if s := res.Realms["r2"]; s == nil || len(s.Changed) != 1 || !s.Changed[model.Ref{Kind: model.KindRealmRole, Key: "a"}] {
		t.Errorf("r2 scoped to %v, want its role a (full: %v)", s, res.Full)
	}
	for _, r := range []string{"r1", "r3"} {
		if s := res.Realms[r]; s == nil || len(s.Changed) != 0 {
			t.Errorf("%s scoped to %v, want nothing changed (full: %v)", r, s, res.Full[r])
		}
	}
	if why := res.Full["r4"]; !strings.Contains(why, "new since HEAD") {
		t.Errorf("r4: %q, want read whole as new", why)
	}
	mu.Lock()
	defer mu.Unlock()
	if asked["show HEAD:r2/roles.yaml in "+root] != 1 {
		t.Errorf("r2/roles.yaml at HEAD asked %d times, want once", asked["show HEAD:r2/roles.yaml in "+root])
	}
	for q, n := range asked {
		if n != 1 {
			t.Errorf("git %s: asked %d times", q, n)
		}
	}
}

// TestTakeShowForgets: a file's content at the revision is let go once
// read, and a second reader (a realm directory reached by a symbolic link
// as well) gets it whole from Git again, not an emptied answer.
func TestTakeShowForgets(t *testing.T) {
	ctx := context.Background()
	root := gitRepo(t, map[string]string{"acme/roles.yaml": "roles: {}\n"})
	history := NewGit("HEAD")
	shows := 0
	history.run = func(ctx context.Context, dir string, args ...string) (string, error) {
		if args[0] == "show" {
			shows++ // takeShow waits for each: no two at once
		}
		return git(ctx, dir, args...)
	}
	for i := range 2 {
		out, err := history.takeShow(ctx, root, "acme/roles.yaml")
		if err != nil || out != "roles: {}\n" {
			t.Errorf("read %d: %q, %v; want the file as committed", i+1, out, err)
		}
	}
	if shows != 2 {
		t.Errorf("git show ran %d times, want 2 (the first answer forgotten)", shows)
	}
	history.mu.Lock()
	defer history.mu.Unlock()
	if len(history.calls) != 0 {
		t.Errorf("answers held after they were read: %d", len(history.calls))
	}
}
