package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMonorepoPatterns: teams keep their realms in their own folders; one
// plan covers them by pattern, less an excluded realm, and a sync of the
// realm directories named one by one (as a shell expands realms/*/)
// makes them, after which both forms plan zero.
func TestMonorepoPatterns(t *testing.T) {
	needKeycloak(t)
	a, b, old := uniqueRealm(t, "team-a"), uniqueRealm(t, "team-b"), uniqueRealm(t, "legacy")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		filepath.Join("teams", "a", "realms", a, "realm.yaml"):   "enabled: true\ndisplayName: Team A\n",
		filepath.Join("teams", "b", "realms", b, "realm.yaml"):   "enabled: true\n",
		filepath.Join("teams", "b", "realms", old, "realm.yaml"): "enabled: true\n",
	})
	pattern := filepath.Join(dir, "teams", "*", "realms")
	r := realmsync(t, nil, "plan", pattern, "--exclude", old)
	expectCode(t, r, 2, "plan by pattern")
	for _, want := range []string{`+ realm "` + a + `"`, `+ realm "` + b + `"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, old) {
		t.Errorf("the excluded realm %s is in the plan:\n%s", old, r.stdout)
	}
	expectCode(t, realmsync(t, nil, "sync", filepath.Join(dir, "teams", "a", "realms", a), filepath.Join(dir, "teams", "b", "realms", b)), 0, "sync of realm directories")
	expectCode(t, realmsync(t, nil, "plan", pattern, "--exclude", filepath.Join(dir, "teams", "b", "realms", "legacy-*")), 0, "plan by pattern after the sync")
	r = realmsync(t, nil, "validate", filepath.Join(dir, "teams", "*", "realms", "*"))
	expectCode(t, r, 0, "validate by pattern")
	if !strings.Contains(r.stdout, "3 realm(s) valid") {
		t.Errorf("validate: %s", r.stdout)
	}
}
