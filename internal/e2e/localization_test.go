package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestLocalizationTexts: a realm's localization texts, written as a realm
// export writes them (a map of locale to texts), are set through their own
// endpoints (the realm's PUT ignores them): created, a text changed, a key
// removed, a locale removed, re-plan zero after each, an export round trip,
// and a text made by hand in an undeclared locale left alone.
func TestLocalizationTexts(t *testing.T) {
	needKeycloak(t)
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "l10n")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	doc := func(texts string) string {
		return "enabled: true\ninternationalizationEnabled: true\nsupportedLocales: [en, de]\ndefaultLocale: en\n" + texts
	}
	writeFiles(t, dir, map[string]string{file: doc(`localizationTexts:
  en:
    loginTitle: Welcome to Acme
    emailVerifySubject: Verify your Acme email
  de:
    loginTitle: Willkommen bei Acme
`)})
	r := syncConverges(t, dir)
	if !strings.Contains(r.stdout, `+ realm localization "de"`) || !strings.Contains(r.stdout, `+ realm localization "en"`) {
		t.Errorf("the plan should create both locales:\n%s", r.stdout)
	}
	texts := func(locale string) map[string]string {
		var m map[string]string
		if err := api.Get(ctx, admin.Seg(realm)+"/localization/"+locale, query("useRealmDefaultLocaleFallback", "false"), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := texts("en"); got["loginTitle"] != "Welcome to Acme" || got["emailVerifySubject"] != "Verify your Acme email" || len(got) != 2 {
		t.Errorf("en texts on the server: %v", got)
	}

	// A text made by hand in a locale the files do not declare stays.
	if _, err := api.Post(ctx, admin.Seg(realm)+"/localization/fr", map[string]string{"loginTitle": "Bienvenue"}); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan beside a hand-made locale")

	// One text changed, one key removed: one update of en.
	writeFiles(t, dir, map[string]string{file: doc(`localizationTexts:
  en:
    loginTitle: Welcome back to Acme
  de:
    loginTitle: Willkommen bei Acme
`)})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a changed and a removed text")
	for _, want := range []string{`~ realm localization "en"`, `texts.loginTitle: "Welcome to Acme" → "Welcome back to Acme"`, "texts.emailVerifySubject", "Plan: 0 to create, 1 to update, 0 to delete."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	syncConverges(t, dir)
	if got := texts("en"); got["loginTitle"] != "Welcome back to Acme" || len(got) != 1 {
		t.Errorf("en texts after the change: %v", got)
	}

	// Export, and back to zero; the hand-made locale is exported too.
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "localization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"localizationTexts:", "de:", "loginTitle: Welcome back to Acme", "fr:"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("localization.yaml lacks %q:\n%s", want, exported)
		}
	}
	r = realmsync(t, nil, "plan", out)
	if !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 0 to delete, 1 to adopt.") || !strings.Contains(r.stdout, `= realm localization "fr"`) {
		t.Errorf("the export's plan should only adopt the hand-made locale:\n%s", r)
	}

	// A locale removed from the files goes, with its texts; fr stays.
	writeFiles(t, dir, map[string]string{file: doc(`localizationTexts:
  en:
    loginTitle: Welcome back to Acme
`)})
	r = syncConverges(t, dir)
	if !strings.Contains(r.stdout, `- realm localization "de"`) || strings.Contains(r.stdout, `"fr"`) {
		t.Errorf("want de deleted and fr left alone:\n%s", r.stdout)
	}
	if got := texts("fr"); got["loginTitle"] != "Bienvenue" {
		t.Errorf("the hand-made locale changed: %v", got)
	}
	var locales []string
	if err := api.Get(ctx, admin.Seg(realm)+"/localization", nil, &locales); err != nil {
		t.Fatal(err)
	}
	if strings.Join(locales, ",") != "en,fr" && strings.Join(locales, ",") != "fr,en" {
		t.Errorf("locales on the server: %v", locales)
	}
}
