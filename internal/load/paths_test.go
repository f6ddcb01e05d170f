package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPaths: desired-state directories, realm directories and patterns
// for either, less what --exclude names, load the same realms as one
// directory would; a realm in two places and a pattern matching nothing
// are errors.
func TestPaths(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"teams/a/realms/acme/realm.yaml", "teams/b/realms/beta/realm.yaml", "teams/b/realms/legacy-old/realm.yaml",
		"realms/acme/realm.yaml", "realms/gamma/realm.yaml", "realms/README.md",
	} {
		path := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("enabled: true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := func(p string) string { return filepath.Join(root, p) }
	for _, c := range []struct {
		name    string
		paths   []string
		exclude []string
		want    string // realm names, or the error's text
		fails   bool
	}{
		{"one directory", []string{in("realms")}, nil, "acme gamma", false},
		{"realm directories by pattern", []string{in("realms/*/")}, nil, "acme gamma", false},
		{"realm directories named", []string{in("realms/acme"), in("teams/b/realms/beta")}, nil, "acme beta", false},
		{"desired-state directories by pattern", []string{in("teams/*/realms")}, nil, "acme beta legacy-old", false},
		{"excluded by name", []string{in("teams/*/realms")}, []string{"legacy-*"}, "acme beta", false},
		{"excluded by path", []string{in("realms/*")}, []string{in("realms/g*")}, "acme", false},
		{"one directory, excluded", []string{in("realms")}, []string{"gamma"}, "acme", false},
		{"a realm in two places", []string{in("realms"), in("teams/a/realms")}, nil, "realm acme is in two places", true},
		{"a pattern matching nothing", []string{in("nowhere/*")}, nil, "matches nothing", true},
		{"everything excluded", []string{in("realms/*")}, []string{"*"}, "no realm directories found", true},
		{"a bad exclude pattern", []string{in("realms/*")}, []string{"["}, `--exclude "["`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Paths(c.paths, Options{Exclude: c.exclude, Lookup: func(string) (string, bool) { return "", false }})
			switch {
			case c.fails && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			case !c.fails && err != nil:
				t.Errorf("error %v", err)
			case !c.fails && strings.Join(d.Names(), " ") != c.want:
				t.Errorf("realms %v, want %s", d.Names(), c.want)
			}
		})
	}
}

// TestPathsDigestAsOneDirectory: the saved-plan digest of realms named
// by a pattern is the digest of the same realms in one directory.
func TestPathsDigestAsOneDirectory(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"realms/acme/realm.yaml", "realms/beta/clients/web.yaml"} {
		path := filepath.Join(root, f)
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte("enabled: true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "realms/beta/clients/web.yaml"), []byte("clients:\n  - clientId: web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	one, err := Dir(filepath.Join(root, "realms"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	many, err := Paths([]string{filepath.Join(root, "realms/*/")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if one.Digest != many.Digest || one.Digest == "" {
		t.Errorf("digests differ: %s and %s", one.Digest, many.Digest)
	}
}
