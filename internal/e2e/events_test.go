package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestEventsConfiguration: the realm's events settings (login events with
// their types and expiry, admin events with details, the listeners) are
// realm fields: a sync sets them as Keycloak's own events endpoint then
// reports them, a re-plan is zero, and they survive an export round trip.
func TestEventsConfiguration(t *testing.T) {
	needServer(t) // Keycloak's events endpoint reports what the realm holds
	realm := uniqueRealm(t, "events")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): `enabled: true
eventsEnabled: true
eventsExpiration: 604800
eventsListeners: [jboss-logging]
enabledEventTypes: [LOGIN, LOGIN_ERROR, LOGOUT]
adminEventsEnabled: true
adminEventsDetailsEnabled: true
`})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")
	var cfg map[string]any
	if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/events/config", nil, &cfg); err != nil {
		t.Fatal(err)
	}
	types := fmt.Sprint(cfg["enabledEventTypes"])
	if cfg["eventsEnabled"] != true || cfg["adminEventsEnabled"] != true || cfg["adminEventsDetailsEnabled"] != true ||
		fmt.Sprint(cfg["eventsExpiration"]) != "604800" || fmt.Sprint(cfg["eventsListeners"]) != "[jboss-logging]" {
		t.Errorf("events config on the server: %v", cfg)
	}
	got, _ := cfg["enabledEventTypes"].([]any)
	var names []string
	for _, g := range got {
		names = append(names, fmt.Sprint(g))
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "LOGIN,LOGIN_ERROR,LOGOUT" {
		t.Errorf("enabled event types %s", types)
	}
	out := t.TempDir()
	expectCode(t, realmsync(t, nil, "export", "--realm", realm, out), 0, "export")
	exported, err := os.ReadFile(filepath.Join(out, realm, "realm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"eventsEnabled: true", "adminEventsDetailsEnabled: true", "LOGIN_ERROR", "eventsExpiration: 604800"} {
		if !strings.Contains(string(exported), want) {
			t.Errorf("the export lacks %q:\n%s", want, exported)
		}
	}
	expectCode(t, realmsync(t, nil, "plan", out), 0, "plan of the export")
}
