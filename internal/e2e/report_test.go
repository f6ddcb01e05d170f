package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSyncReportFile: sync --report-file writes the plan with what
// became of each action (done, failed with Keycloak's error, skipped with
// the reason) and the requests made, also when the sync fails.
func TestSyncReportFile(t *testing.T) {
	needServer(t) // Keycloak's own validation makes the failure
	realm := uniqueRealm(t, "report")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: kept\n  - clientId: dropped\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	writeFiles(t, dir, map[string]string{file: "enabled: true\nclients:\n  - clientId: kept\n  - clientId: added\n" +
		"  - clientId: refused\n    rootUrl: javascript:alert(1)\n"})
	reportFile := filepath.Join(t.TempDir(), "report.json")
	r := realmsync(t, nil, "sync", "--report-file", reportFile, dir)
	expectCode(t, r, 1, "sync with an action Keycloak refuses")
	var rep struct {
		FormatVersion string `json:"format_version"`
		Actions       []any  `json:"actions"`
		Apply         struct {
			Done, Failed, Skipped int
			Actions               []struct{ Realm, Kind, Key, Verb, Outcome, Detail string }
			Requests              map[string]int
		} `json:"apply"`
	}
	data, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%v:\n%s", err, data)
	}
	outcomes := map[string]string{}
	details := map[string]string{}
	for _, a := range rep.Apply.Actions {
		outcomes[a.Verb+" "+a.Key] = a.Outcome
		details[a.Key] = a.Detail
	}
	want := map[string]string{"create added": "done", "create refused": "failed", "delete dropped": "skipped"}
	for k, v := range want {
		if outcomes[k] != v {
			t.Errorf("%s: outcome %q, want %q (report %v)", k, outcomes[k], v, outcomes)
		}
	}
	if !strings.Contains(details["refused"], "400") || details["dropped"] != "no deletes after a failure" {
		t.Errorf("details: %v", details)
	}
	if rep.FormatVersion != "1.6" || rep.Apply.Done != 1 || rep.Apply.Failed != 1 || rep.Apply.Skipped != 1 || len(rep.Actions) != 3 {
		t.Errorf("counts: version %s, %d/%d/%d, %d plan actions", rep.FormatVersion, rep.Apply.Done, rep.Apply.Failed, rep.Apply.Skipped, len(rep.Actions))
	}
	if rep.Apply.Requests["GET"] == 0 || rep.Apply.Requests["POST"] < 2 {
		t.Errorf("requests: %v", rep.Apply.Requests)
	}
}
