package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

// TestSecretsFromFiles: a client secret read from a file, as a Kubernetes
// secret is mounted (absolute path, trailing newline), and an IdP secret
// from a file beside the realm's files (relative path) reach the server;
// a re-plan is zero; a rotated file plans the change without showing it;
// a missing file fails validation naming the reference's file and line,
// and nothing is written.
func TestSecretsFromFiles(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "filesecrets")
	dir, mount := t.TempDir(), t.TempDir()
	secretFile := filepath.Join(mount, "client-secret")
	writeSecret := func(v string) {
		if err := os.WriteFile(secretFile, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeSecret("fs-4Kp9-from-a-mount")
	doc := `enabled: true
clients:
  - clientId: confidential
    publicClient: false
    secret: ${file:` + secretFile + `}
identityProviders:
  - alias: corp
    providerId: oidc
    config: {clientId: kc, clientSecret: "${file:corp-secret.txt}", clientAuthMethod: client_secret_post, authorizationUrl: "https://idp.example/auth", tokenUrl: "https://idp.example/token"}
`
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): doc, filepath.Join(realm, "corp-secret.txt"): "idp-8Jm3-beside-the-files\n"})
	r := realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync")
	if strings.Contains(r.stdout+r.stderr, "fs-4Kp9") || strings.Contains(r.stdout+r.stderr, "idp-8Jm3") {
		t.Errorf("a secret from a file was printed:\n%s", r)
	}
	api := adminClient(t)
	ctx := context.Background()
	clientSecret := func() string {
		var clients []map[string]any
		if err := api.Get(ctx, admin.Seg(realm)+"/clients", query("clientId", "confidential"), &clients); err != nil || len(clients) != 1 {
			t.Fatalf("client: %v", err)
		}
		var cred map[string]any
		if err := api.Get(ctx, admin.Seg(realm)+"/clients/"+fmt.Sprint(clients[0]["id"])+"/client-secret", nil, &cred); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(cred["value"])
	}
	if got := clientSecret(); got != "fs-4Kp9-from-a-mount" {
		t.Errorf("client secret on the server %q, want the file's content without its newline", got)
	}
	expectCode(t, realmsync(t, nil, "plan", dir), 0, "plan after sync")

	writeSecret("fs-4Kp9-rotated")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan of a rotated secret file")
	if !strings.Contains(r.stdout, "secret") || strings.Contains(r.stdout, "fs-4Kp9") {
		t.Errorf("the plan should name the changed secret, never its value:\n%s", r.stdout)
	}
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 0, "sync of the rotated secret")
	if got := clientSecret(); got != "fs-4Kp9-rotated" {
		t.Errorf("client secret %q after the rotation", got)
	}

	if err := os.Remove(secretFile); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): strings.Replace(doc, "enabled: true", "enabled: true\ndisplayName: never written", 1)})
	r = realmsync(t, nil, "sync", dir)
	expectCode(t, r, 1, "sync with a missing secret file")
	want := filepath.Join(realm, "realm.yaml") + ":6:"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("the error should name %s and say the file does not exist:\n%s", want, r.stderr)
	}
	var rep map[string]any
	if err := api.Get(ctx, admin.Seg(realm), nil, &rep); err != nil {
		t.Fatal(err)
	}
	if rep["displayName"] == "never written" {
		t.Error("a sync that failed validation wrote to the server")
	}
}
