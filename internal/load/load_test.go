package load

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func noEnv(string) (string, bool) { return "", false }

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // regexps, each must match one line of the error
	}{
		{"unknown field with suggestion", map[string]string{"acme/c.yaml": "clients:\n  - clientId: web\n    publicClinet: true\n"},
			[]string{`acme/c\.yaml:3:5: client "web": unknown field "publicClinet" \(did you mean "publicClient"\?\)`}},
		{"unknown realm field", map[string]string{"acme/r.yaml": "displayNme: Acme\n"},
			[]string{`acme/r\.yaml:1:1: realm acme: unknown field "displayNme" \(did you mean "displayName"\?\)`}},
		{"duplicate across files", map[string]string{
			"acme/a.yaml": "clients:\n  - clientId: web\n",
			"acme/b.yaml": "clients:\n  - clientId: web\n"},
			[]string{`acme/b\.yaml:2:5: client "web" is defined twice \(first at .*acme/a\.yaml:2:5\)`}},
		{"realm field twice", map[string]string{"acme/a.yaml": "enabled: true\n", "acme/b.yaml": "enabled: false\n"},
			[]string{`acme/b\.yaml:1:1: realm field "enabled" is set twice \(first at .*acme/a\.yaml:1:1\)`}},
		{"dangling composite", map[string]string{"acme/r.yaml": "roles:\n  realm:\n    - name: a\n      composites:\n        realm: [b]\n        client:\n          web: [read]\n"},
			[]string{`realm role "a": composites refers to realm role "b", which is not defined`,
				`realm role "a": composites refers to client role "web/read", which is not defined`}},
		{"group role mapping to a missing role", map[string]string{"acme/g.yaml": "roles:\n  realm:\n    - name: viewer\ngroups:\n  - name: g\n    realmRoles: [viewers]\n"},
			[]string{`acme/g\.yaml:6:18: group "/g": realmRoles refers to realm role "viewers", which is not defined \(did you mean "viewer"\?\)`}},
		{"client roles of an unknown client", map[string]string{"acme/r.yaml": "roles:\n  client:\n    nope:\n      - name: x\n"},
			[]string{`client role "nope/x": client "nope" is not defined`}},
		{"wrong type", map[string]string{"acme/c.yaml": "clients:\n  - clientId: web\n    redirectUris: https://x/*\n"},
			[]string{`acme/c\.yaml:3:5: client "web": field "redirectUris" must be a list`}},
		{"malformed yaml", map[string]string{"acme/c.yaml": "clients:\n  - clientId: web\n   bad: indent\n"},
			[]string{`acme/c\.yaml:3:4: this line.s indentation matches no enclosing level`}},
		{"duplicate yaml key", map[string]string{"acme/c.yaml": "enabled: true\nenabled: false\n"},
			[]string{`acme/c\.yaml:2:1: field "enabled" appears twice \(first at line 1\)`}},
		{"missing env", map[string]string{"acme/c.yaml": "clients:\n  - clientId: web\n    secret: ${env:NOPE}\n"},
			[]string{`acme/c\.yaml:3:13: environment variable NOPE is not set`}},
		{"scope of another protocol", map[string]string{"acme/c.yaml": "clientScopes:\n  - name: saml-extra\n    protocol: saml\nclients:\n  - clientId: web\n    defaultClientScopes: [role_list]\n    optionalClientScopes: [saml-extra]\n"},
			[]string{`acme/c\.yaml:6:5: client "web": defaultClientScopes: client scope "role_list" is a saml scope and the client's protocol is openid-connect`,
				`acme/c\.yaml:7:5: client "web": optionalClientScopes: client scope "saml-extra" is a saml scope`}},
		{"default role in the realm's case", map[string]string{"MyRealm/r.yaml": "roles:\n  realm:\n    - name: default-roles-MyRealm\ngroups:\n  - name: g\n    realmRoles: [default-roles-MyRealm]\n"},
			[]string{`MyRealm/r\.yaml:3:7: realm role "default-roles-MyRealm": realm MyRealm's default role is "default-roles-myrealm"`,
				`MyRealm/r\.yaml:6:5: group "/g": realmRoles: realm MyRealm's default role is "default-roles-myrealm"`}},
		{"email as username without an email", map[string]string{"acme/r.yaml": "registrationEmailAsUsername: true\nusers:\n  - username: bob\n"},
			[]string{`acme/r\.yaml:3:5: user "bob": no email, and the realm sets registrationEmailAsUsername`}},
		{"self-composite", map[string]string{"acme/r.yaml": "roles:\n  realm:\n    - name: a\n      composites:\n        realm: [a]\n"},
			[]string{`acme/r\.yaml:4:7: realm role "a": composites form a cycle: realm role "a" → realm role "a"`}},
		{"composite cycle through a client role", map[string]string{"acme/r.yaml": "clients:\n  - clientId: web\nroles:\n  realm:\n    - name: a\n      composites:\n        client:\n          web: [b]\n  client:\n    web:\n      - name: b\n        composites:\n          realm: [a]\n"},
			[]string{`acme/r\.yaml:6:7: realm role "a": composites form a cycle: realm role "a" → client role "web/b" → realm role "a"`}},
		{"protocol not known", map[string]string{"acme/s.yaml": "clientScopes:\n  - name: x\n    protocol: oidc\n"},
			[]string{`acme/s\.yaml:3:5: client scope "x": field "protocol" is "oidc"; Keycloak knows openid-connect, saml`}},
		{"fraction of an integer", map[string]string{"acme/r.yaml": "accessTokenLifespan: 300.5\n"},
			[]string{`acme/r\.yaml:1:1: realm acme: field "accessTokenLifespan" must be a whole number \(Keycloak type Integer\), found 300.5`}},
		{"integer out of range", map[string]string{"acme/r.yaml": "accessTokenLifespan: 99999999999999999999\n"},
			[]string{`acme/r\.yaml:1:1: realm acme: field "accessTokenLifespan" is out of range for Keycloak type Integer`}},
		{"object inside a string map", map[string]string{"acme/r.yaml": "smtpServer:\n  host: mail\n  port: {a: 1}\n"},
			[]string{`acme/r\.yaml:1:1: realm acme: field "smtpServer" key "port" must be a string, found an object`}},
		{"unknown YAML tag", map[string]string{"acme/r.yaml": "displayName: !vault secret/path\ndisplayNameHtml: !!binary aGVsbG8=\n"},
			[]string{`acme/r\.yaml:1:14: YAML tag !vault is not supported`, `acme/r\.yaml:2:18: YAML tag !!binary is not supported`}},
		{"one realm's directory", map[string]string{"realm.yaml": "enabled: true\n", "clients/web.yaml": "clients:\n  - clientId: web\n"},
			[]string{`holds realm files itself: it looks like the directory of one realm; give realmsync the directory above it`}},
		{"file outside a realm", map[string]string{"stray.yaml": "enabled: true\n", "acme/r.yaml": "enabled: true\n"},
			[]string{`stray\.yaml: realm files belong in a directory named after the realm`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTree(t, tc.files)
			_, err := Dir(root, Options{Lookup: noEnv})
			if err == nil {
				t.Fatal("want an error, got none")
			}
			msg := strings.ReplaceAll(err.Error(), root+string(filepath.Separator), "")
			for _, w := range tc.want {
				if !regexp.MustCompile(w).MatchString(msg) {
					t.Errorf("error does not match %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestLoadMergesPartsAndSubstitutes(t *testing.T) {
	root := writeTree(t, map[string]string{
		"acme/realm.yaml":        "realm: acme\nenabled: ${env:ENABLED}\ndisplayName: \"${env:NAME:-Acme}\"\nclientTemplates: []\n",
		"acme/clients/web.yaml":  "clients:\n  - clientId: web\n    secret: ${env:WEB_SECRET}\n",
		"acme/clients/api.yml":   "clients:\n  - clientId: api\n",
		"acme/roles.yaml":        "roles:\n  realm:\n    - name: a\n      composites:\n        realm: [offline_access]\n        client:\n          realm-management: [view-users]\n",
		"acme/.hidden/skip.yaml": "this is: [not, loaded",
	})
	env := map[string]string{"ENABLED": "true", "WEB_SECRET": "s3cr3t"}
	d, err := Dir(root, Options{Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	r := d.Realms["acme"]
	if r == nil {
		t.Fatalf("realms %v", d.Names())
	}
	s := r.Settings().Fields
	if s["enabled"] != true || s["displayName"] != "Acme" {
		t.Errorf("settings %v: want enabled true (a boolean from the environment) and the default display name", s)
	}
	if got := r.Get("client", "web").Fields["secret"]; got != "s3cr3t" {
		t.Errorf("secret %v", got)
	}
	if r.Get("client", "api") == nil {
		t.Error("client api from the .yml file is missing")
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], `field "clientTemplates" is not managed`) {
		t.Errorf("warnings %v", d.Warnings)
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "1", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	dir := t.TempDir()
	for name, content := range map[string]string{"secret": "s3cr3t\n", "crlf": "v\r\n", "bare": "b", "inner": "a\nb\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ in, want, err string }{
		{"${file:secret}", "s3cr3t", ""},
		{"${file:" + filepath.Join(dir, "crlf") + "}", "v", ""},
		{"pre-${file:bare}-${env:A}", "pre-b-1", ""},
		{"${file:inner}", "a\nb", ""},
		{"${file:absent}", "", "does not exist"},
		{"${file:}", "", "names no file"},
		{"$${file:secret}", "${file:secret}", ""},
		{"plain", "plain", ""},
		{"${env:A}", "1", ""},
		{"x-${env:A}-${env:A}", "x-1-1", ""},
		{"${env:B:-dflt}", "dflt", ""},
		{"${env:EMPTY:-dflt}", "", ""},
		{"${client_account}", "${client_account}", ""},
		{"$${env:A}", "${env:A}", ""},
		{"${env:B}", "", "environment variable B is not set"},
		{"${env:A", "", "unterminated"},
		{"${env:1A}", "", "invalid environment variable name"},
	}
	for _, tc := range cases {
		got, err := Expand(tc.in, Sources{Env: lookup, Dir: dir})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Expand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"", "${env:A}", "$${env:A}", "${env:A:-x}", "${env:", "a${env:A}b${env:B:-c}d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Expand(s, Sources{Env: func(string) (string, bool) { return "v", true }, ReadFile: func(string) ([]byte, error) { return []byte("f\n"), nil }})
		if err == nil && !strings.Contains(s, "${") && out != s {
			t.Errorf("text without ${ changed: %q → %q", s, out)
		}
	})
}

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{"realm: a\n", "clients:\n  - clientId: x\n", "a: &x 1\nb: *x\n", "- 1\n", "a: ${env:X}\n", "---\n---\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := parseFile("f.yaml", data, func(string) (string, bool) { return "1", true })
		if err != nil {
			return
		}
		for _, d := range docs {
			if d.root == nil {
				t.Error("nil root without an error")
			}
		}
	})
}

// TestFilesThatAreNotFiles: a FIFO, a device and a symlink loop are errors
// naming them, never a hang or an exhausted memory; symlinked files and
// directories, realm directories too, are read like real ones.
func TestFilesThatAreNotFiles(t *testing.T) {
	t.Run("fifo", func(t *testing.T) {
		root := writeTree(t, map[string]string{"acme/realm.yaml": "enabled: true\n"})
		if err := syscall.Mkfifo(filepath.Join(root, "acme", "x.yaml"), 0o644); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		_, err := Dir(root, Options{Lookup: noEnv})
		if err == nil || !strings.Contains(err.Error(), "x.yaml: not a regular file") {
			t.Errorf("error %v: want the FIFO named", err)
		}
	})
	t.Run("device", func(t *testing.T) {
		root := writeTree(t, map[string]string{"acme/realm.yaml": "enabled: true\n"})
		if err := os.Symlink("/dev/zero", filepath.Join(root, "acme", "zero.yaml")); err != nil {
			t.Fatal(err)
		}
		_, err := Dir(root, Options{Lookup: noEnv})
		if err == nil || !strings.Contains(err.Error(), "zero.yaml: not a regular file") {
			t.Errorf("error %v: want the device named", err)
		}
	})
	t.Run("loop", func(t *testing.T) {
		root := writeTree(t, map[string]string{"acme/realm.yaml": "enabled: true\n"})
		if err := os.Symlink("..", filepath.Join(root, "acme", "up")); err != nil {
			t.Fatal(err)
		}
		_, err := Dir(root, Options{Lookup: noEnv})
		if err == nil || !strings.Contains(err.Error(), "a symlink leads back") {
			t.Errorf("error %v: want the loop named", err)
		}
	})
	t.Run("symlinked directories", func(t *testing.T) {
		shared := writeTree(t, map[string]string{"clients.yaml": "clients:\n  - clientId: web\n"})
		elsewhere := writeTree(t, map[string]string{"beta/realm.yaml": "enabled: true\n"})
		root := writeTree(t, map[string]string{"acme/realm.yaml": "enabled: true\n"})
		if err := os.Symlink(shared, filepath.Join(root, "acme", "shared")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(elsewhere, "beta"), filepath.Join(root, "beta")); err != nil {
			t.Fatal(err)
		}
		d, err := Dir(root, Options{Lookup: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		if d.Realms["acme"].Get("client", "web") == nil || d.Realms["beta"] == nil {
			t.Errorf("symlinked parts were left out: realms %v", d.Names())
		}
	})
}

// TestSyntaxErrorPositions: YAML errors the library reports without a
// place, or at the wrong one, point at the mistake.
func TestSyntaxErrorPositions(t *testing.T) {
	for _, c := range []struct {
		name, data, want string
	}{
		{"unclosed flow sequence", "a: 1\nb:\n  c: [\"x\"\n  d: 2\n", "f.yaml:3:6: this flow sequence [ ... ] is not closed"},
		{"unclosed flow mapping", "a: {b: 1\nc: 2\n", "f.yaml:1:4: this flow mapping { ... } is not closed"},
		{"tab", "a:\n\tb: 1\n", "f.yaml:2:1: a tab indents this line"},
		{"unknown alias", "a: 1\nb: *nope\n", "f.yaml:2:4: alias *nope refers to no anchor &nope"},
		{"invalid UTF-8", "a: 1\nb: x\xffy\n", "f.yaml:2:5: invalid UTF-8"},
		{"control character", "a: \x01\n", "f.yaml:1:4: control character"},
		{"brackets in quotes and comments", "a: \"[\" # [\nb: [1,\n", "f.yaml:2:4: this flow sequence [ ... ] is not closed"},
		{"a field indented between levels", "a:\n  - b: 1\n   c: 2\n", "f.yaml:3:4: this line's indentation matches no enclosing level"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseFile("f.yaml", []byte(c.data), func(string) (string, bool) { return "", false })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestInputBounds: aliases that multiply a 64 KB file are refused at once
// (they took 2.4 GB), while a big file written out, with more values than
// any fixed node limit, loads.
func TestInputBounds(t *testing.T) {
	var bomb strings.Builder
	key := func(i int) string { return fmt.Sprintf("k%d%s", i, strings.Repeat("x", 996)) }
	bomb.WriteString("a0: &a0\n")
	for j := range 8 {
		fmt.Fprintf(&bomb, "  %s: v\n", key(j))
	}
	for lvl := 1; lvl < 8; lvl++ {
		fmt.Fprintf(&bomb, "a%d: &a%d\n", lvl, lvl)
		for j := range 8 {
			fmt.Fprintf(&bomb, "  %s: *a%d\n", key(j), lvl-1)
		}
	}
	_, err := parseFile("bomb.yaml", []byte(bomb.String()), func(string) (string, bool) { return "", false })
	if err == nil || !strings.Contains(err.Error(), "an alias bomb?") {
		t.Errorf("an alias bomb: %v", err)
	}

	var big strings.Builder
	big.WriteString("users:\n")
	for i := range 40_000 {
		fmt.Fprintf(&big, "  - username: user-%d\n    email: u%d@example.com\n    attributes: {a: [x, y], b: [z]}\n    groups: [/g1, /g2]\n    realmRoles: [r1, r2]\n", i, i)
	}
	docs, err := parseFile("users.yaml", []byte(big.String()), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("a big file with %d bytes: %v", big.Len(), err)
	}
	// Parsed in batches (pieces.go): the users are the batches' together.
	var users []any
	for _, d := range docs {
		users = append(users, d.root["users"].([]any)...)
	}
	last := docs[len(docs)-1]
	lastEmail := last.posOf([]string{"users", strconv.Itoa(len(last.root["users"].([]any)) - 1), "email"})
	if len(docs) < 2 || len(users) != 40_000 || lastEmail.Line != 5*39999+3 || lastEmail.Col != 5 {
		t.Errorf("%d documents, %d users; position of the last email %v", len(docs), len(users), lastEmail)
	}
}
