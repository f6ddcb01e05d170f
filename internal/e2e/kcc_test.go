package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/admin"
)

// kccEnv is what the keycloak-config-cli project's substitutions read.
var kccEnv = map[string]string{"SHOP_HOST": "shop.example", "ORDERS_API_SECRET": "oa-7Ty2-from-the-env"}

var kccSubst = regexp.MustCompile(`\$\((env:)?([A-Za-z_][A-Za-z0-9_]*)(:-([^)]*))?\)|\$\(file:UTF-8:([^)]*)\)`)

// kccImport builds the realm from the project's files the way
// keycloak-config-cli does, through Keycloak's own import and without
// realmsync's reading of them: each file's substitutions resolved, the
// files merged in order (a later file's fields win, objects matched by
// their key), and the result created as one realm.
func kccImport(t *testing.T, api *admin.Client, project, realm string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(project, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	merged := map[string]any{}
	for _, name := range names {
		if filepath.Ext(name) != ".json" && filepath.Ext(name) != ".yaml" {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text := kccSubst.ReplaceAllStringFunc(string(data), func(m string) string {
			g := kccSubst.FindStringSubmatch(m)
			if g[5] != "" {
				b, err := os.ReadFile(filepath.Join(project, g[5]))
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimRight(string(b), "\n")
			}
			if v, ok := kccEnv[g[2]]; ok {
				return v
			}
			return g[4]
		})
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mergeImport(merged, doc)
	}
	merged["realm"] = realm
	// What keycloak-config-cli leaves in the realm it imported: a checksum
	// of the files and the record of what it created.
	attrs, _ := merged["attributes"].(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
		merged["attributes"] = attrs
	}
	attrs["de.adorsys.keycloak.config.import-checksum-default"] = "9f86d081884c7d659a2feaa0c55ad015"
	attrs["de.adorsys.keycloak.config.state-default-clients"] = `["storefront","orders-api","backoffice"]`
	if lifespan, ok := merged["accessTokenLifespan"].(string); ok {
		merged["accessTokenLifespan"] = lifespan // Keycloak reads "600" into its Integer
	}
	if _, err := api.Post(context.Background(), "", merged); err != nil {
		t.Fatalf("importing the realm: %v", err)
	}
}

// mergeImport lays src over dst: scalars replace, lists of objects merge
// by their key field, maps merge key by key.
func mergeImport(dst, src map[string]any) {
	for k, v := range src {
		switch sv := v.(type) {
		case map[string]any:
			dv, ok := dst[k].(map[string]any)
			if !ok {
				dv = map[string]any{}
				dst[k] = dv
			}
			mergeImport(dv, sv)
		case []any:
			dl, _ := dst[k].([]any)
			for _, item := range sv {
				obj, isObj := item.(map[string]any)
				key := ""
				for _, f := range []string{"clientId", "username", "name", "alias"} {
					if s, _ := obj[f].(string); isObj && s != "" && key == "" {
						key = f
					}
				}
				found := false
				for _, have := range dl {
					if h, ok := have.(map[string]any); ok && key != "" && h[key] == obj[key] {
						mergeImport(h, obj)
						found = true
					}
				}
				if !found {
					dl = append(dl, item)
				}
			}
			dst[k] = dl
		default:
			dst[k] = v
		}
	}
}

// TestKeycloakConfigCLIMigration: a six-file keycloak-config-cli project
// with substitutions (environment, defaults, a secret from a file) and
// an object set in two files. Against the realm Keycloak imports from the
// same content: plan --from kcc has nothing to create, update or delete
// (only adoptions); a sync adopts, after which it plans zero; the project
// converted into realmsync's layout plans zero too, and the converted files
// hold no secret.
func TestKeycloakConfigCLIMigration(t *testing.T) {
	needServer(t) // Keycloak's own import builds the realm; the in-memory one has none
	realm := uniqueRealm(t, "shop")
	project := filepath.Join(t.TempDir(), "config")
	copyTree(t, filepath.Join(repoRoot(), "testdata", "kcc", "shop"), project)
	for _, name := range []string{"00-realm.yaml", "10-clients.json", "20-roles.yaml", "30-groups.yaml", "40-users.yaml", "50-storefront-theme.yaml"} {
		path := filepath.Join(project, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), `"realm": "shop"`, `"realm": "`+realm+`"`)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(mustRead(t, path)), "realm: shop\n", "realm: "+realm+"\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	api := adminClient(t)
	kccImport(t, api, project, realm)

	r := realmsync(t, kccEnv, "plan", "--from", "kcc", project)
	if r.code == 1 {
		t.Fatalf("plan --from kcc:\n%s", r)
	}
	if !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 0 to delete") {
		t.Errorf("plan --from kcc against the imported realm should change nothing:\n%s", r)
	}
	if !strings.Contains(r.stderr, "note: ") || !strings.Contains(r.stderr, "is defined again") {
		t.Errorf("plan --from kcc should give the report's notes on stderr:\n%s", r.stderr)
	}
	expectCode(t, realmsync(t, kccEnv, "sync", "--from", "kcc", project), 0, "sync --from kcc (adoption)")
	expectCode(t, realmsync(t, kccEnv, "plan", "--from", "kcc", project), 0, "plan --from kcc after the adoption")
	if got := kccAttributes(t, api, realm); len(got) != 2 {
		t.Errorf("keycloak-config-cli's bookkeeping should stay unless asked: %v", got)
	}
	r = realmsync(t, kccEnv, "plan", "--from", "kcc", "--drop-foreign-state", "kcc", project)
	expectCode(t, r, 2, "plan --drop-foreign-state kcc")
	if !strings.Contains(r.stdout, "attributes.de.adorsys.keycloak.config.import-checksum-default") || !strings.Contains(r.stdout, "Plan: 0 to create, 1 to update, 0 to delete") {
		t.Errorf("the plan should remove the bookkeeping and nothing else:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, kccEnv, "sync", "--from", "kcc", "--drop-foreign-state", "kcc", project), 0, "sync --drop-foreign-state kcc")
	if got := kccAttributes(t, api, realm); len(got) != 0 {
		t.Errorf("keycloak-config-cli's bookkeeping is still there: %v", got)
	}
	expectCode(t, realmsync(t, kccEnv, "plan", "--from", "kcc", "--drop-foreign-state", "kcc", project), 0, "plan after dropping the bookkeeping")

	out := t.TempDir()
	withSettings := map[string]string{"IMPORT_MANAGED_ROLE": "no-delete"}
	for k, v := range kccEnv {
		withSettings[k] = v
	}
	r = realmsync(t, withSettings, "convert", "kcc", "--kcc-setting", "import.managed.group=no-delete", project, out)
	expectCode(t, r, 0, "convert kcc")
	realmFile := string(mustRead(t, filepath.Join(out, realm, "realm.yaml")))
	for _, want := range []string{"deletionPolicy:", "groups: none", "realmRoles: none", "clientRoles: none"} {
		if !strings.Contains(realmFile, want) {
			t.Errorf("the converted realm.yaml lacks %q (from import.managed settings):\n%s", want, realmFile)
		}
	}
	for _, want := range []string{"realm " + realm + " → ", "is defined again", "Next: realmsync validate"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("convert's report lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, kccEnv, "validate", out), 0, "validate the converted project")
	r = realmsync(t, kccEnv, "plan", out)
	expectCode(t, r, 0, "plan of the converted project")
	err := filepath.Walk(out, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data := string(mustRead(t, path))
		for _, secret := range []string{kccEnv["ORDERS_API_SECRET"], "bo-3Rt8-from-a-file"} {
			if strings.Contains(data, secret) {
				t.Errorf("%s holds a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, realm, "clients", "storefront.yaml")); err != nil {
		t.Errorf("the converted layout has no file per client: %v", err)
	}
	expectCode(t, realmsync(t, kccEnv, "convert", "kcc", project, out), 1, "convert into a realm directory that exists, without --force")
}

// kccAttributes are the realm attributes keycloak-config-cli keeps.
func kccAttributes(t *testing.T, api *admin.Client, realm string) []string {
	t.Helper()
	var rep map[string]any
	if err := api.Get(context.Background(), admin.Seg(realm), nil, &rep); err != nil {
		t.Fatal(err)
	}
	attrs, _ := rep["attributes"].(map[string]any)
	var out []string
	for k := range attrs {
		if strings.HasPrefix(k, "de.adorsys.keycloak.config.") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// copyTree copies a directory of fixtures.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return os.WriteFile(target, mustRead(t, path), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
