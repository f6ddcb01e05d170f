package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// terminal is input typed at a terminal.
type terminal struct{ *strings.Reader }

func (terminal) Terminal() bool { return true }

// TestSyncAsksOnATerminal: on a terminal, sync shows the plan and asks;
// anything but "yes" writes nothing. --auto-approve (or --yes) does not
// ask, and without a terminal (CI) nothing is asked.
func TestSyncAsksOnATerminal(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "confirm")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\n"})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync without a terminal: nothing asked")
	displayName := func() any {
		var rep map[string]any
		if err := adminClient(t).Get(context.Background(), admin.Seg(realm), nil, &rep); err != nil {
			t.Fatal(err)
		}
		return rep["displayName"]
	}
	writeFiles(t, dir, map[string]string{file: "enabled: true\ndisplayName: Asked\n"})
	for _, answer := range []string{"no\n", "y\n", ""} {
		r := realmsyncWithInput(t, terminal{strings.NewReader(answer)}, nil, "sync", dir)
		expectCode(t, r, 1, "sync answered "+answer)
		if !strings.Contains(r.stderr, "Apply 0 create(s), 1 update(s), 0 delete(s) to the server? Only 'yes' is accepted") ||
			!strings.Contains(r.stderr, "Nothing was written.") || !strings.Contains(r.stdout, `displayName: (unset) → "Asked"`) {
			t.Errorf("answer %q: want the plan, the question and nothing written:\n%s", answer, r)
		}
		if displayName() != nil {
			t.Fatalf("answer %q: the sync wrote", answer)
		}
	}
	r := realmsyncWithInput(t, terminal{strings.NewReader("yes\n")}, nil, "sync", dir)
	expectCode(t, r, 0, "sync answered yes")
	if displayName() != "Asked" {
		t.Errorf("answered yes, and the change is not on the server:\n%s", r)
	}
	for _, flag := range []string{"--auto-approve", "--yes"} {
		writeFiles(t, dir, map[string]string{file: "enabled: true\ndisplayName: " + flag + "\n"})
		r = realmsyncWithInput(t, terminal{strings.NewReader("")}, nil, "sync", flag, dir)
		expectCode(t, r, 0, "sync "+flag)
		if strings.Contains(r.stderr, "Only 'yes'") || displayName() != flag {
			t.Errorf("%s should not ask, and apply:\n%s", flag, r)
		}
	}
}
