package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
)

// exampleEnv is the environment the example realm needs.
var exampleEnv = map[string]string{"ACME_ORDERS_API_SECRET": "e2e-orders-secret-8f3a"}

// syncExample copies examples/realms/acme into a fresh realm and syncs it.
func syncExample(t *testing.T, prefix string) (dir, realm string) {
	t.Helper()
	realm = uniqueRealm(t, prefix)
	dir = t.TempDir()
	copyRealm(t, filepath.Join(repoRoot(), "examples", "realms", "acme"), dir, "acme", realm)
	expectCode(t, realmsync(t, exampleEnv, "plan", dir), 2, "plan before the first sync")
	r := realmsync(t, exampleEnv, "sync", dir)
	expectCode(t, r, 0, "first sync")
	expectCode(t, realmsync(t, exampleEnv, "plan", dir), 0, "plan after sync")
	return dir, realm
}

// TestExampleSyncAndDrift: the example syncs into a fresh server with
// nothing left to do; a change made behind realmsync's back shows as
// exactly that change; a sync repairs it.
func TestExampleSyncAndDrift(t *testing.T) {
	needKeycloak(t)
	dir, realm := syncExample(t, "drift")
	ctx := context.Background()
	api := adminClient(t)

	// Drift: one client field changed, one realm role added by hand.
	clients, err := api.List(ctx, admin.Seg(realm)+"/clients", query("clientId", "webapp"), 10)
	if err != nil || len(clients) != 1 {
		t.Fatalf("finding client webapp: %v (%d found)", err, len(clients))
	}
	webapp := clients[0]
	webapp["description"] = "changed by hand"
	if err := api.Put(ctx, admin.Seg(realm)+"/clients/"+admin.Seg(webapp["id"].(string)), webapp); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Post(ctx, admin.Seg(realm)+"/roles", map[string]any{"name": "hand-made"}); err != nil {
		t.Fatal(err)
	}

	// Under the default deletion policy (owned), a role made by hand is
	// left alone: the plan shows exactly the one client change.
	r := realmsync(t, exampleEnv, "plan", dir)
	expectCode(t, r, 2, "plan after drift")
	for _, want := range []string{
		`~ client "webapp"`,
		`description: "changed by hand" → "Customer portal (single-page app)"`,
		"Plan: 0 to create, 1 to update, 0 to delete.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := len(actionLines(r.stdout)); n != 1 {
		t.Errorf("plan has %d actions, want exactly 1:\n%s", n, r.stdout)
	}

	// Declaring realm roles fully managed makes the hand-made role go:
	// exactly two changes.
	appendFile(t, filepath.Join(dir, realm, "realm.yaml"), "realmsync:\n  deletionPolicy:\n    realmRoles: full\n")
	r = realmsync(t, exampleEnv, "plan", dir)
	expectCode(t, r, 2, "plan with realm roles fully managed")
	for _, want := range []string{
		`~ client "webapp"`,
		`- realm role "hand-made"`,
		"Plan: 0 to create, 1 to update, 1 to delete.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := len(actionLines(r.stdout)); n != 2 {
		t.Errorf("plan has %d actions, want exactly 2:\n%s", n, r.stdout)
	}

	expectCode(t, realmsync(t, exampleEnv, "sync", dir), 0, "sync after drift")
	expectCode(t, realmsync(t, exampleEnv, "plan", dir), 0, "plan after repair")
}

var actionLine = regexp.MustCompile(`^  [+~=-] `)

// actionLines returns a text plan's action lines (not the deletions
// callout above the realms).
func actionLines(out string) []string {
	var lines []string
	inRealm := false
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "realm ") {
			inRealm = true
		}
		if inRealm && actionLine.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestExportRoundTrip: export the example realm, sync the export into a
// second, empty realm, export that: the two exports are the same but for
// the realm name; and the first export plans no change against its source.
func TestExportRoundTrip(t *testing.T) {
	needKeycloak(t)
	_, source := syncExample(t, "export")
	exportDir := t.TempDir()
	r := realmsync(t, nil, "export", "--realm", source, exportDir)
	expectCode(t, r, 0, "export")
	secretVar := envVarName(source) + "_ORDERS_API_SECRET"
	if !strings.Contains(r.stderr, secretVar) {
		t.Errorf("export does not name the secret's placeholder %s:\n%s", secretVar, r)
	}
	assertNoSecret(t, exportDir, exampleEnv["ACME_ORDERS_API_SECRET"])
	env := map[string]string{secretVar: exampleEnv["ACME_ORDERS_API_SECRET"]}

	r = realmsync(t, env, "plan", exportDir)
	expectCode(t, r, 0, "plan of the export against its source")

	copyDir := t.TempDir()
	target := uniqueRealm(t, "import")
	copyRealm(t, filepath.Join(exportDir, source), copyDir, source, target)
	expectCode(t, realmsync(t, env, "sync", copyDir), 0, "sync of the export into an empty realm")
	expectCode(t, realmsync(t, env, "plan", copyDir), 0, "plan after syncing the export")

	secondExport := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", target, secondExport), 0, "second export")
	first := readTree(t, filepath.Join(exportDir, source))
	second := readTree(t, filepath.Join(secondExport, target))
	for path, content := range first {
		first[path] = strings.NewReplacer(source, target, envVarName(source), envVarName(target)).Replace(content)
	}
	for path := range union(first, second) {
		if first[path] != second[path] {
			t.Errorf("%s differs between the exports:\n--- first (renamed) ---\n%s\n--- second ---\n%s", path, first[path], second[path])
		}
	}
	if len(first) < 5 {
		t.Errorf("export has only %d files: %v", len(first), first)
	}
}

func envVarName(realm string) string {
	return "REALMSYNC_" + strings.ToUpper(strings.ReplaceAll(realm, "-", "_"))
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// assertNoSecret fails if any file under root holds the secret value.
func assertNoSecret(t *testing.T, root, secret string) {
	t.Helper()
	for path, content := range readTree(t, root) {
		if strings.Contains(content, secret) {
			t.Errorf("%s contains a secret value", path)
		}
	}
}

// TestInvalidInputWritesNothing: each kind of bad input fails validate and
// sync with exit 1 and a message naming file and line, before any write.
func TestInvalidInputWritesNothing(t *testing.T) {
	needKeycloak(t)
	cases := []struct {
		name  string
		files map[string]string
		want  string // regexp the error output must match
	}{
		{"typo", map[string]string{"realm.yaml": "enabled: true\nclients:\n  - clientId: web\n    redirectUri: [\"https://x/*\"]\n"},
			`realm\.yaml:4:5: client "web": unknown field "redirectUri" \(did you mean "redirectUris"\?\)`},
		{"duplicate client", map[string]string{
			"a.yaml": "clients:\n  - clientId: web\n",
			"b.yaml": "clients:\n  - clientId: other\n  - clientId: web\n"},
			`b\.yaml:3:5: client "web" is defined twice \(first at .*a\.yaml:2:5\)`},
		{"missing role", map[string]string{"roles.yaml": "roles:\n  realm:\n    - name: editor\n      composites:\n        realm: [viewr]\n"},
			`roles\.yaml:5:17: realm role "editor": composites refers to realm role "viewr", which is not defined`},
		{"malformed yaml", map[string]string{"realm.yaml": "enabled: true\nclients:\n  - clientId: web\n   publicClient: true\n"},
			`realm\.yaml:\d+:\d+: `},
		{"wrong type", map[string]string{"realm.yaml": "enabled: yes please\n"},
			`realm\.yaml:1:1: realm .*: field "enabled" must be a boolean`},
		{"unknown protocol", map[string]string{"scopes.yaml": "clientScopes:\n  - name: extra\n    protocol: oidc\n"},
			`scopes\.yaml:3:5: client scope "extra": field "protocol" is "oidc"; Keycloak knows openid-connect, saml`},
		{"fraction of an integer", map[string]string{"realm.yaml": "enabled: true\naccessTokenLifespan: 300.5\n"},
			`realm\.yaml:2:1: realm .*: field "accessTokenLifespan" must be a whole number`},
		{"another tool's YAML tag", map[string]string{"realm.yaml": "enabled: true\ndisplayName: !vault kv/acme#name\n"},
			`realm\.yaml:2:14: YAML tag !vault is not supported`},
		{"composite cycle", map[string]string{"roles.yaml": "roles:\n  realm:\n    - name: a\n      composites:\n        realm: [b]\n    - name: b\n      composites:\n        realm: [a]\n"},
			`roles\.yaml:4:7: realm role "a": composites form a cycle: realm role "a" → realm role "b" → realm role "a"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			realm := uniqueRealm(t, "invalid")
			dir := t.TempDir()
			files := map[string]string{}
			for name, content := range tc.files {
				files[filepath.Join(realm, name)] = content
			}
			writeFiles(t, dir, files)
			want := regexp.MustCompile(tc.want)
			for _, args := range [][]string{{"validate", dir}, {"plan", dir}, {"sync", dir}} {
				r := realmsync(t, nil, args...)
				expectCode(t, r, 1, args[0])
				if !want.MatchString(r.stderr) {
					t.Errorf("%s: error output does not match %q:\n%s", args[0], tc.want, r.stderr)
				}
			}
			// Nothing was written: the realm does not exist.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var got map[string]any
			err := adminClient(t).Get(ctx, admin.Seg(realm), nil, &got)
			if !admin.IsNotFound(err) {
				t.Errorf("realm %s exists after a failed sync (err %v)", realm, err)
			}
		})
	}
}
