package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinary builds realmsync for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "realmsync")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestTerminalOutput runs realmsync in a pseudo-terminal (util-linux
// script) and through a pipe: colour and the progress bar appear on the
// terminal only.
func TestTerminalOutput(t *testing.T) {
	needKeycloak(t)
	scriptCmd, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed: no pseudo-terminal to test with")
	}
	bin := buildBinary(t)
	realm := uniqueRealm(t, "tty")
	dir := t.TempDir()
	var groups strings.Builder
	groups.WriteString("enabled: true\ngroups:\n")
	for i := 0; i < 40; i++ { // enough actions for the bar to be drawn
		groups.WriteString("  - name: g" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n")
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): groups.String()})
	env := append(os.Environ(), "KEYCLOAK_URL="+server.url, "KEYCLOAK_USER="+server.user, "KEYCLOAK_PASSWORD="+server.password)
	env = withoutVar(env, "NO_COLOR")

	inTerminal := func(args string) string {
		cmd := exec.Command(scriptCmd, "-qec", bin+" "+args, "/dev/null")
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	piped := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, _ := cmd.CombinedOutput()
		return string(out)
	}

	if out := inTerminal("plan " + dir); !strings.Contains(out, "\x1b[32m") {
		t.Errorf("plan on a terminal has no colour:\n%q", out)
	}
	if out := piped("plan", dir); strings.Contains(out, "\x1b[") {
		t.Errorf("piped plan has escape codes:\n%q", out)
	}
	if out := inTerminal("plan --no-color " + dir); strings.Contains(out, "\x1b[3") {
		t.Errorf("--no-color plan on a terminal has colour:\n%q", out)
	}
	if out := inTerminal("sync " + dir); !strings.Contains(out, "Only 'yes' is accepted") {
		t.Errorf("sync on a terminal does not ask before writing:\n%q", out)
	}
	out := inTerminal("sync --auto-approve " + dir)
	if !strings.Contains(out, "\rapplying [") && !strings.Contains(out, "\r\x1b[Kapplying [") {
		t.Errorf("sync on a terminal shows no progress bar:\n%q", out)
	}
	if out := inTerminal("plan " + dir); !strings.Contains(out, "reading realm "+realm+" [") {
		t.Errorf("plan on a terminal shows no progress while it reads the realm:\n%q", out)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\ngroups: []\n"})
	out = piped("sync", "--max-deletes", "-1", "--max-delete-ratio", "1", dir)
	if strings.Contains(out, "\x1b[") || strings.Contains(out, "applying [") {
		t.Errorf("piped sync has terminal effects:\n%q", out)
	}
	if !strings.Contains(out, "Applied: 40 done, 0 failed, 0 skipped.") {
		t.Errorf("piped sync did not delete the 40 groups:\n%s", out)
	}
}

func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
