package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestDriftReportsAndMetrics: drift made through the Admin API (a managed
// role edited, a managed group deleted) is found
// by `drift` (exit 2), the metrics file holds the expected series, and the
// report file holds the same actions as the JSON on stdout.
func TestDriftReportsAndMetrics(t *testing.T) {
	needKeycloak(t)
	dir, realm := syncExample(t, "cron")
	out := t.TempDir()
	metrics := filepath.Join(out, "realmsync.prom")
	reportFile := filepath.Join(out, "drift.json")

	r := realmsync(t, exampleEnv, "drift", "--metrics-file", metrics, dir)
	expectCode(t, r, 0, "drift with none")
	if v := metricValue(t, metrics, `realmsync_last_run_success`); v != 1 {
		t.Errorf("last_run_success = %v, want 1", v)
	}

	ctx := context.Background()
	api := adminClient(t)
	var design map[string]any
	if err := api.Get(ctx, admin.Seg(realm)+"/group-by-path/Engineering/Frontend/Design", nil, &design); err != nil {
		t.Fatal(err)
	}
	if err := api.Delete(ctx, admin.Seg(realm)+"/groups/"+admin.Seg(design["id"].(string)), nil); err != nil {
		t.Fatal(err)
	}
	roles, err := api.List(ctx, admin.Seg(realm)+"/roles", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles {
		if role["name"] == "employee" {
			role["description"] = "edited in the console"
			if err := api.Put(ctx, admin.Seg(realm)+"/roles-by-id/"+admin.Seg(role["id"].(string)), role); err != nil {
				t.Fatal(err)
			}
		}
	}

	r = realmsync(t, exampleEnv, "drift", "--output", "json", "--metrics-file", metrics, "--report-file", reportFile, dir)
	expectCode(t, r, 2, "drift after changes made by hand")
	for series, want := range map[string]float64{
		`realmsync_drift_objects{realm="` + realm + `",kind="group",verb="create"}`:     1,
		`realmsync_drift_objects{realm="` + realm + `",kind="realmRole",verb="update"}`: 1,
		`realmsync_drift_objects{realm="` + realm + `",kind="client",verb="update"}`:    0,
		`realmsync_last_run_success`: 1,
	} {
		if got := metricValue(t, metrics, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	reported, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(reported) != r.stdout {
		t.Errorf("report file differs from stdout:\n--- report ---\n%s\n--- stdout ---\n%s", reported, r.stdout)
	}
	var doc struct {
		Actions []struct{ Kind, Key, Verb string }
	}
	if err := json.Unmarshal(reported, &doc); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, reported)
	}
	got := map[string]bool{}
	for _, a := range doc.Actions {
		got[a.Verb+" "+a.Kind+" "+a.Key] = true
	}
	want := map[string]bool{"create group /Engineering/Frontend/Design": true, "update realmRole employee": true}
	if len(got) != len(want) || !got["create group /Engineering/Frontend/Design"] || !got["update realmRole employee"] {
		t.Errorf("report actions %v, want %v", got, want)
	}

	checkReadmeJQ(t, r.stdout, len(doc.Actions))

	text := realmsync(t, exampleEnv, "drift", "--no-color", dir)
	expectCode(t, text, 2, "drift as text")
	if !strings.Contains(text.stdout, "Drift: 1 to create, 1 to update, 0 to delete.") {
		t.Errorf("drift text lacks the summary:\n%s", text.stdout)
	}
}

// metricValue reads one series from a Prometheus text file.
func metricValue(t *testing.T, file, series string) float64 {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(string(data))
	if m == nil {
		t.Fatalf("series %s not in %s:\n%s", series, file, data)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkReadmeJQ runs README.md's jq examples on a real JSON plan, so the
// documented commands keep working.
func checkReadmeJQ(t *testing.T, planJSON string, actions int) {
	t.Helper()
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Log("jq not installed: README's jq examples not checked")
		return
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "realmsync plan -o json realms/ | jq "
	var ran int
	for _, line := range strings.Split(string(readme), "\n") {
		expr, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		args := []string{}
		if strings.HasPrefix(expr, "-r ") {
			args, expr = append(args, "-r"), strings.TrimPrefix(expr, "-r ")
		}
		expr = strings.Trim(expr, "'")
		cmd := exec.Command(jq, append(args, expr)...)
		cmd.Stdin = strings.NewReader(planJSON)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README example %q fails: %v\n%s", line, err, out)
		}
		if strings.Contains(expr, ".summary.create + .summary.update + .summary.delete") && strings.TrimSpace(string(out)) != strconv.Itoa(actions) {
			t.Errorf("README example %q gives %s, want %d", line, out, actions)
		}
		ran++
	}
	if ran < 3 {
		t.Errorf("found %d jq examples in README.md, want 3", ran)
	}
}
