package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/plan"
)

func TestMetrics(t *testing.T) {
	p := &plan.Plan{Actions: []plan.Action{
		{Realm: "acme", Kind: "client", Key: "web", Verb: plan.Update},
		{Realm: "acme", Kind: "client", Key: "api", Verb: plan.Update},
		{Realm: "acme", Kind: "realmRole", Key: "x", Verb: plan.Delete},
	}}
	out := string(Metrics(p, Run{Realms: []string{"acme", `we"ird`}, Success: true,
		Started: time.Unix(1700000000, 500e6), Duration: 1500 * time.Millisecond}))
	for _, want := range []string{
		`realmsync_drift_objects{realm="acme",kind="client",verb="update"} 2`,
		`realmsync_drift_objects{realm="acme",kind="realmRole",verb="delete"} 1`,
		`realmsync_drift_objects{realm="acme",kind="group",verb="create"} 0`,
		`realmsync_drift_objects{realm="we\"ird",kind="client",verb="update"} 0`,
		"realmsync_last_run_success 1\n",
		"realmsync_last_run_timestamp_seconds 1700000000.500\n",
		"realmsync_last_run_duration_seconds 1.500\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.prom")
	for _, content := range []string{"first\n", "second\n"} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != content {
			t.Errorf("got %q want %q", got, content)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
