package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// TestKeyProviders: a key provider as a component of a realm export's
// shape: added with a priority, its priority changed, removed (realmsync
// made it, so it owns it); a plan after each sync is zero, and the realm's
// own key providers are never touched.
func TestKeyProviders(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "keys")
	dir := t.TempDir()
	write := func(components string) {
		writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n" + components})
	}
	hmac := func(priority int) string {
		return fmt.Sprintf("components:\n  %s:\n    - name: hmac-extra\n      providerId: hmac-generated\n      config:\n        priority: [%d]\n        algorithm: [HS384]\n", model.KeyProviderType, priority)
	}
	keys := func() map[string]string {
		var all []map[string]any
		if err := adminClient(t).Get(context.Background(), realm+"/components", query("type", model.KeyProviderType), &all); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range all {
			config, _ := c["config"].(map[string]any)
			out[fmt.Sprint(c["name"])] = fmt.Sprint(config["priority"])
		}
		return out
	}
	write(hmac(150))
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a new realm with a key provider")
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after adding the key")
	if got := keys()["hmac-extra"]; got != "[150]" {
		t.Errorf("hmac-extra has priority %s, want [150]", got)
	}
	builtIn := len(keys()) - 1

	write(hmac(250))
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a new priority")
	if !strings.Contains(r.stdout, `~ component "`+model.KeyProviderType+`:hmac-extra"`) || !strings.Contains(r.stdout, "config.priority") {
		t.Errorf("plan:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the priority")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after changing the priority")
	if got := keys()["hmac-extra"]; got != "[250]" {
		t.Errorf("hmac-extra has priority %s, want [250]", got)
	}

	write("")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of the key's removal")
	if !strings.Contains(r.stdout, `- component "`+model.KeyProviderType+`:hmac-extra"`) || !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 1 to delete.") {
		t.Errorf("the plan should delete the one key realmsync made:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", "-y", dir), 0, "sync of the removal")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after the removal")
	if k := keys(); k["hmac-extra"] != "" || len(k) != builtIn {
		t.Errorf("keys after the removal: %v (the realm's own: %d)", k, builtIn)
	}
}
