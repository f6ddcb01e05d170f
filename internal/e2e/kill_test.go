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

// TestKilledSyncLeavesNothingUnowned kills realmsync (SIGKILL, no chance
// to clean up) in the middle of creating clients, and again with SIGTERM.
// Every client it made is owned all the same: removed from Git, each is
// deleted by the next sync.
func TestKilledSyncLeavesNothingUnowned(t *testing.T) {
	needServer(t)
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			realm := uniqueRealm(t, "killed")
			createRealm(t, adminClient(t), realm)
			dir := t.TempDir()
			file := filepath.Join(realm, "realm.yaml")
			var doc strings.Builder
			doc.WriteString("enabled: true\nclients:\n")
			const clients = 60
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
			made := customClients(t, realm, "app-")
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
			r := realmsync(t, nil, "plan", dir)
			expectCode(t, r, 2, "plan without the clients")
			if got := len(regexp.MustCompile(`(?m)^ +- client "app-\d+"$`).FindAllString(r.stdout, -1)); got != made {
				t.Errorf("the plan deletes %d clients, want the %d the killed run made:\n%s", got, made, r.stdout)
			}
			expectCode(t, realmsync(t, nil, "sync", "--max-deletes", "-1", "--max-delete-ratio", "1", dir), 0, "sync without the clients")
			if left := customClients(t, realm, "app-"); left != 0 {
				t.Errorf("%d clients of the killed run are left on the server", left)
			}
			expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after")
		})
	}
}
