package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// featureRichSecrets are the secrets the feature-rich realm's files take
// from the environment.
var featureRichSecrets = map[string]string{
	"FEATURE_SMTP_PASSWORD": "smtp-secret-4Fq",
	"FEATURE_API_SECRET":    "api-secret-9Lw",
	"FEATURE_IDP_SECRET":    "idp-secret-2Zr",
}

// TestFeatureRichRealm: a realm that uses every kind (testdata/realms/
// feature-rich) syncs into an empty realm and re-plans zero; its export
// plans zero and, synced into another empty realm and exported again, is
// the same export; and Keycloak's own export of it (kc.sh export),
// converted to YAML, syncs into a third realm, re-plans zero, and has
// nothing realmsync does not manage.
func TestFeatureRichRealm(t *testing.T) {
	needServer(t)
	needVersion(t, 26, 0, "the realm has organizations, Keycloak 26's")
	realm := uniqueRealm(t, "rich")
	dir := t.TempDir()
	copyRealm(t, filepath.Join(repoRoot(), "testdata", "realms", "feature-rich"), dir, "feature-rich", realm)
	r := realmsync(t, featureRichSecrets, "sync", dir)
	expectCode(t, r, 0, "sync of the feature-rich realm")
	if strings.Contains(r.stdout+r.stderr, "not managed") {
		t.Errorf("something of the feature-rich realm is not managed:\n%s", r)
	}
	expectCode(t, realmsync(t, featureRichSecrets, "plan", dir), 0, "plan after the sync")

	// realmsync's export, and its second round trip.
	first := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, first), 0, "export")
	exported := readTree(t, filepath.Join(first, realm))
	env := exportSecrets(t, exported)
	if r := realmsync(t, env, "plan", first); r.code != 0 {
		t.Errorf("the export does not plan zero:\n%s", r)
	}
	again := uniqueRealm(t, "rich2")
	second := t.TempDir()
	copyRealm(t, filepath.Join(first, realm), second, realm, again)
	expectCode(t, realmsync(t, env, "sync", second), 0, "sync of the export into another realm")
	expectCode(t, realmsync(t, env, "plan", second), 0, "plan after it")
	third := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", again, third), 0, "export of the other realm")
	reexported := readTree(t, filepath.Join(third, again))
	prefix := func(name string) string {
		return "REALMSYNC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_"
	}
	for name := range union(exported, reexported) {
		want := exported[name]
		got := strings.ReplaceAll(strings.ReplaceAll(reexported[name], again, realm), prefix(again), prefix(realm))
		if got != want {
			t.Errorf("%s differs after a second round trip:\n--- first\n%s\n--- second\n%s", name, want, got)
		}
	}

	// Keycloak's own export, as YAML.
	kcRealm := uniqueRealm(t, "richkc")
	kcDir := t.TempDir()
	doc := keycloakExport(t, realm)
	text, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, kcDir, map[string]string{filepath.Join(kcRealm, "realm.yaml"): strings.ReplaceAll(string(text), realm, kcRealm)})
	r = realmsync(t, nil, "sync", kcDir)
	expectCode(t, r, 0, "sync of Keycloak's own export")
	if strings.Contains(r.stdout+r.stderr, "not managed") {
		t.Errorf("Keycloak's export holds what realmsync does not manage:\n%s", r)
	}
	if r := realmsync(t, nil, "plan", kcDir); r.code != 0 {
		t.Errorf("Keycloak's export does not re-plan zero:\n%s", r)
	}
}

// exportSecrets gives each ${env:...} placeholder of an export the
// feature-rich realm's secret it stands for.
func exportSecrets(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{}
	placeholder := regexp.MustCompile(`\$\{env:([A-Z0-9_]+)\}`)
	for _, text := range files {
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			switch name := m[1]; {
			case strings.HasSuffix(name, "_SMTPSERVER_PASSWORD"):
				env[name] = featureRichSecrets["FEATURE_SMTP_PASSWORD"]
			case strings.HasSuffix(name, "_ORDERS_API_SECRET"):
				env[name] = featureRichSecrets["FEATURE_API_SECRET"]
			case strings.HasSuffix(name, "_PARTNER_CONFIG_CLIENTSECRET"):
				env[name] = featureRichSecrets["FEATURE_IDP_SECRET"]
			default:
				t.Errorf("an export placeholder the test does not know: %s", name)
			}
		}
	}
	return env
}

// keycloakExport runs Keycloak's own export of realm on the server under
// test (scripts/keycloak.sh export) and returns the realm document.
func keycloakExport(t *testing.T, realm string) map[string]any {
	t.Helper()
	u, err := url.Parse(server.url)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		t.Skipf("kc.sh export needs the local server of scripts/keycloak.sh, not %s", server.url)
	}
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(repoRoot(), "scripts", "keycloak.sh"), "export", realm, out)
	cmd.Env = append(os.Environ(), "KEYCLOAK_PORT="+u.Port(), "KEYCLOAK_VERSION="+server.version.String())
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kc.sh export: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(filepath.Join(out, realm+"-realm.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}
