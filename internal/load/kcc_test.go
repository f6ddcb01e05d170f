package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

func shopEnv(k string) (string, bool) {
	v, ok := map[string]string{"SHOP_HOST": "shop.example", "ORDERS_API_SECRET": "oa-secret"}[k]
	return v, ok
}

// TestKCCProject: a keycloak-config-cli project of six files reads as one
// realm, substitutions resolved (with defaults, from files, quoted JSON
// values typed), a later file's fields winning, and the report says what
// differs.
func TestKCCProject(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kcc", "shop")
	p, err := KCC([]string{root}, Options{Lookup: shopEnv}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 6 || strings.Join(p.Names(), ",") != "shop" {
		t.Fatalf("files %v, realms %v", p.Files, p.Names())
	}
	r := p.Realms["shop"]
	s := r.Settings().Fields
	for field, want := range map[string]any{"displayName": "Shop online", "accessTokenLifespan": float64(600), "enabled": true} {
		if s[field] != want {
			t.Errorf("realm %s = %#v, want %#v", field, s[field], want)
		}
	}
	if c := r.Get(model.KindClient, "storefront"); c == nil || c.Fields["description"] != "The shop's web front" || c.Fields["name"] != "Storefront" {
		t.Errorf("storefront: %v", c)
	}
	if c := r.Get(model.KindClient, "backoffice"); c == nil || c.Fields["secret"] != "bo-3Rt8-from-a-file" {
		t.Errorf("backoffice's secret from its file: %v", c)
	}
	if u := r.Get(model.KindUser, "ada"); u == nil {
		t.Error("user ada is missing")
	}
	report := strings.Join(p.Report, "\n")
	for _, want := range []string{
		`50-storefront-theme.yaml:4:1: realm field "displayName" is set again (first at ../../testdata/kcc/shop/00-realm.yaml:5:1)`,
		`50-storefront-theme.yaml:6:5: client "storefront" is defined again (first at ../../testdata/kcc/shop/10-clients.json:4:5)`,
		"$(TOKEN_LIFESPAN:-600) is read from the environment",
		"de.adorsys.keycloak.config",
		"import.managed",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}

	kept, err := KCC([]string{root}, Options{Lookup: shopEnv}, true)
	if err != nil {
		t.Fatal(err)
	}
	ks := kept.Realms["shop"].Settings().Fields
	if ks["displayName"] != "${env:SHOP_TITLE:-Shop} online" || ks["accessTokenLifespan"] != "${env:TOKEN_LIFESPAN:-600}" {
		t.Errorf("kept references: %#v, %#v", ks["displayName"], ks["accessTokenLifespan"])
	}
	abs, _ := filepath.Abs(filepath.Join(root, "secrets", "backoffice.txt"))
	if c := kept.Realms["shop"].Get(model.KindClient, "backoffice"); c.Fields["secret"] != "${file:"+abs+"}" {
		t.Errorf("kept file reference: %#v", c.Fields["secret"])
	}
}

// TestKCCSubstitutions: each form keycloak-config-cli writes, and those
// without an equivalent, named with file and line.
func TestKCCSubstitutions(t *testing.T) {
	for _, c := range []struct{ in, want, bad string }{
		{"a: $(env:X)", "a: ${env:X}", ""},
		{"a: $(X:-d)", "a: ${env:X:-d}", ""},
		{"a: $(env:X:-d)", "a: ${env:X:-d}", ""},
		{"a: $(file:UTF-8:/run/s)", "a: ${file:/run/s}", ""},
		{"a: $(file:/run/s)", "a: ${file:/run/s}", ""},
		{"a: $(file:UTF-8:s.txt)", "a: ${file:/p/s.txt}", ""},
		{"a: $$(env:X)", "a: $(env:X)", ""},
		{"a: plain ${role_x}", "a: plain ${role_x}", ""},
		{"a: 1\nb: $(javascript:1+1)", "", "/p/f.json:2: substitution $(javascript:1+1) has no equivalent"},
		{"a: $(sys:user.home)", "", "substitution $(sys:user.home) has no equivalent"},
		{"a: $(env:X", "", "/p/f.json:1: unterminated"},
	} {
		got, bad := kccSubstitutions("/p/f.json", c.in, func(string) {})
		switch {
		case c.bad != "" && (len(bad) != 1 || !strings.Contains(bad[0].Error(), c.bad)):
			t.Errorf("%q: problems %v, want %q", c.in, bad, c.bad)
		case c.bad == "" && (len(bad) > 0 || got != c.want):
			t.Errorf("%q → %q (%v), want %q", c.in, got, bad, c.want)
		}
	}
}

// TestKCCUnsupportedRefused: resolving, a substitution without an
// equivalent is an error before anything else; converting, a report line.
func TestKCCUnsupportedRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"realm": "x", "displayName": "$(javascript:'X')"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := KCC([]string{dir}, Options{}, false); err == nil || !strings.Contains(err.Error(), "a.json:1: substitution $(javascript:'X') has no equivalent") {
		t.Errorf("error %v", err)
	}
	p, err := KCC([]string{dir}, Options{}, true)
	if err != nil || !strings.Contains(strings.Join(p.Report, "\n"), "left as written: replace it by hand") {
		t.Errorf("convert: %v, report %v", err, p)
	}
}

func FuzzKCCSubstitutions(f *testing.F) {
	for _, s := range []string{"", "$(env:A)", "$$(x)", "$(", "a$(A:-b)c$(file:UTF-8:/x)", "$(javascript:1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := kccSubstitutions("f", s, func(string) {})
		if !strings.Contains(s, "$(") && out != s {
			t.Errorf("text without $( changed: %q → %q", s, out)
		}
	})
}

// TestKCCPolicies: import.managed settings, given or from the
// environment, become deletion policies where one corresponds.
func TestKCCPolicies(t *testing.T) {
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"IMPORT_MANAGED_ROLE": "no-delete", "IMPORT_MANAGED_CLIENT": "no-delete", "IMPORT_MANAGED_COMPONENT": "no-delete"}[k]
		return v, ok
	}
	policies, notes, err := KCCPolicies([]string{"import.managed.group=no-delete", "import.managed.client=full"}, env)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"groups": "none", "realmRoles": "none", "clientRoles": "none"}
	if len(policies) != len(want) {
		t.Errorf("policies %v, want %v (a given setting wins over the environment)", policies, want)
	}
	for k, v := range want {
		if policies[k] != v {
			t.Errorf("policy of %s %v, want %v", k, policies[k], v)
		}
	}
	if !strings.Contains(strings.Join(notes, "\n"), "import.managed.component=no-delete has no equivalent") {
		t.Errorf("notes %v", notes)
	}
	for _, bad := range []string{"import.managed.client", "import.managed.clients=full", "import.managed.client=maybe", "other=1"} {
		if _, _, err := KCCPolicies([]string{bad}, nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
