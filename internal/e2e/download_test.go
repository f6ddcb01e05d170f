package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDistributionDownloadShowsProgress: while mvn fetches a Keycloak
// distribution (a minute of silence with -q), keycloak.sh reports how far
// the download has come. A stand-in mvn writes the file into the local
// repository in steps, then fails, so no server is started.
func TestDistributionDownloadShowsProgress(t *testing.T) {
	bin, cache, repo := t.TempDir(), t.TempDir(), t.TempDir()
	const version = "99.0.0"
	fake := `#!/usr/bin/env bash
dir="$MAVEN_LOCAL_REPO/org/keycloak/keycloak-quarkus-dist/` + version + `"
mkdir -p "$dir"
for i in 1 2 3; do
	head -c $((i * 2 * 1048576)) /dev/zero > "$dir/keycloak-quarkus-dist-` + version + `.tar.gz.part"
	sleep 0.6
done
echo "no such artifact (test)" >&2
exit 1
`
	if err := os.WriteFile(filepath.Join(bin, "mvn"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(repoRoot(), "scripts", "keycloak.sh"), "up")
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "REALMSYNC_CACHE="+cache, "MAVEN_LOCAL_REPO="+repo,
		"KEYCLOAK_VERSION="+version, "KEYCLOAK_PORT=18399", "KEYCLOAK_MGMT_PORT=19399", "KEYCLOAK_DB=dev-file", "KEYCLOAK_PROGRESS_EVERY=0.5")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("keycloak.sh up with a failing mvn succeeded:\n%s", out)
	}
	text := string(out)
	if !strings.Contains(text, "downloading Keycloak "+version+": ") || !strings.Contains(text, "MB so far") {
		t.Errorf("no download progress:\n%s", text)
	}
	if !strings.Contains(text, "mvn could not fetch keycloak-quarkus-dist "+version) {
		t.Errorf("the failure is not reported:\n%s", text)
	}
}
