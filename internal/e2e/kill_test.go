package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
)

// customClients counts the clients of a realm whose ids start with prefix.
func customClients(t *testing.T, realm, prefix string) int {
	t.Helper()
	list, err := adminClient(t).List(context.Background(), admin.Seg(realm)+"/clients", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range list {
		if strings.HasPrefix(fmt.Sprint(c["clientId"]), prefix) {
			n++
		}
	}
	return n
}

// settledClients is customClients once the count holds still: a create
// the killed process had sent may still be made by the server after the
// process is gone (the suite's race-detector run once counted 85 clients
// that became 86).
func settledClients(t *testing.T, realm, prefix string) int {
	t.Helper()
	n := customClients(t, realm, prefix)
	for {
		time.Sleep(300 * time.Millisecond)
		again := customClients(t, realm, prefix)
		if again == n {
			return n
		}
		n = again
	}
}

// TestKilledSyncLeavesNothingUnowned kills realmsync (SIGKILL, no chance
// to clean up) in the middle of creating clients, and again with SIGTERM.
// Every client it made is owned all the same: removed from Git, each is
// deleted by the next sync.
func TestKilledSyncLeavesNothingUnowned(t *testing.T) {
	needKeycloak(t)
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			realm := uniqueRealm(t, "killed")
			createRealm(t, adminClient(t), realm)
			dir := t.TempDir()
			file := filepath.Join(realm, "realm.yaml")
			var doc strings.Builder
			doc.WriteString("enabled: true\nclients:\n")
			const clients = 150
			for i := range clients {
				fmt.Fprintf(&doc, "  - clientId: app-%02d\n    description: client %d\n", i, i)
			}
			writeFiles(t, dir, map[string]string{file: doc.String()})

			cmd := exec.Command(bin, "sync", "--concurrency", "1", dir)
			cmd.Env = append(os.Environ(), "KEYCLOAK_URL="+server.url, "KEYCLOAK_USER="+server.user, "KEYCLOAK_PASSWORD="+server.password)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for customClients(t, realm, "app-") < 5 {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatal("realmsync created no clients within 2 minutes")
				}
				time.Sleep(100 * time.Millisecond)
			}
			_ = cmd.Process.Signal(sig)
			err := cmd.Wait()
			made := settledClients(t, realm, "app-")
			if made == clients {
				t.Skipf("the sync finished before the %s (%v): nothing to learn", sig, err)
			}
			t.Logf("%s after %d of %d clients (%v)", sig, made, clients, err)
			if sig == syscall.SIGTERM {
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
					t.Errorf("after SIGTERM: %v, want exit 1", err)
				}
			}

			writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
			unlock := []string{}
			if sig == syscall.SIGKILL {
				// A killed run could not give its lease back: the realm is
				// held until the lease expires, or until told it is dead.
				r := realmsync(t, nil, "sync", "--max-deletes", "-1", "--max-delete-ratio", "1", dir)
				expectCode(t, r, 1, "sync while the killed run's lease holds")
				if !strings.Contains(r.stderr, "is being synced by") {
					t.Errorf("the refusal does not name the lease:\n%s", r)
				}
				unlock = []string{"--force-unlock"}
			}
			r := realmsync(t, nil, "plan", dir)
			expectCode(t, r, 2, "plan without the clients")
			if got := len(regexp.MustCompile(`(?m)^ +- client "app-\d+"$`).FindAllString(r.stdout, -1)); got != made {
				t.Errorf("the plan deletes %d clients, want the %d the killed run made:\n%s", got, made, r.stdout)
			}
			expectCode(t, realmsync(t, nil, append([]string{"sync", "--max-deletes", "-1", "--max-delete-ratio", "1", dir}, unlock...)...), 0, "sync without the clients")
			if left := customClients(t, realm, "app-"); left != 0 {
				t.Errorf("%d clients of the killed run are left on the server", left)
			}
			expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after")
		})
	}
}

// TestConcurrentSyncsOfOneRealm: a sync is refused, with the holder
// named and nothing written, while another run's lease holds the realm,
// and takes over a dead run's lease with --force-unlock. Two syncs started
// at once by different owners lose nothing: each either syncs or is
// refused, and after a re-run of the refused one both owners' objects
// exist and are owned.
func TestConcurrentSyncsOfOneRealm(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "leased")
	createRealm(t, adminClient(t), realm)
	ctx := context.Background()
	api := adminClient(t)
	holdRealm := func(run string) {
		t.Helper()
		var rep map[string]any
		if err := api.Get(ctx, admin.Seg(realm), nil, &rep); err != nil {
			t.Fatal(err)
		}
		attrs, _ := rep["attributes"].(map[string]any)
		if attrs == nil {
			attrs = map[string]any{}
		}
		attrs["realmsync.lock"] = fmt.Sprintf(`{"owner":"other","run":%q,"host":"ci-7","expires":%q}`, run, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		rep["attributes"] = attrs
		if err := api.Put(ctx, admin.Seg(realm), rep); err != nil {
			t.Fatal(err)
		}
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	var a, b strings.Builder
	a.WriteString("enabled: true\nclients:\n")
	b.WriteString("clients:\n")
	for i := range 40 {
		fmt.Fprintf(&a, "  - clientId: a-%02d\n", i)
		fmt.Fprintf(&b, "  - clientId: b-%02d\n", i)
	}
	writeFiles(t, dirA, map[string]string{file: a.String()})
	writeFiles(t, dirB, map[string]string{file: b.String()})

	holdRealm("r-1")
	r := realmsync(t, nil, "sync", "-V", "--owner", "team-a", dirA)
	expectCode(t, r, 1, "sync while another run holds the realm")
	if !strings.Contains(r.stderr, `realm `+realm+` is being synced by owner "other" (run r-1 on ci-7)`) {
		t.Errorf("the refusal does not name the holder:\n%s", r)
	}
	expectNoWrites(t, r)
	expectCode(t, realmsync(t, nil, "sync", "--force-unlock", "--owner", "team-a", dirA), 0, "sync with --force-unlock")

	// Both at once; the one refused (if any) runs again.
	writeFiles(t, dirA, map[string]string{file: strings.Replace(a.String(), "a-00\n", "a-00\n    description: changed\n", 1)})
	results := make(chan result, 2)
	go func() { results <- realmsync(t, nil, "sync", "--concurrency", "1", "--owner", "team-a", dirA) }()
	go func() { results <- realmsync(t, nil, "sync", "--concurrency", "1", "--owner", "team-b", dirB) }()
	for range 2 {
		r := <-results
		if r.code != 0 && !strings.Contains(r.stderr, "is being synced by") && !strings.Contains(r.stderr, "took the realm at the same moment") {
			t.Errorf("a concurrent sync failed otherwise than by the lease:\n%s", r)
		}
	}
	for _, c := range []struct{ owner, dir string }{{"team-a", dirA}, {"team-b", dirB}} {
		if r := realmsync(t, nil, "plan", "--owner", c.owner, c.dir); r.code != 0 {
			expectCode(t, realmsync(t, nil, "sync", "--owner", c.owner, c.dir), 0, "re-run of "+c.owner)
		}
		expectCode(t, realmsync(t, nil, "plan", "--owner", c.owner, c.dir), 0, "plan of "+c.owner)
	}
	// Nothing lost from either record: each owner's removal deletes its 40.
	writeFiles(t, dirB, map[string]string{file: "clients: []\n"})
	r = realmsync(t, nil, "plan", "--owner", "team-b", dirB)
	if got := len(regexp.MustCompile(`(?m)^ +- client "b-\d+"$`).FindAllString(r.stdout, -1)); got != 40 {
		t.Errorf("team-b's plan deletes %d of its 40 clients:\n%s", got, r.stdout)
	}
}
