package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSMTPPasswordWriteOnly: Keycloak answers the SMTP password masked,
// always. realmsync keeps a digest of what it wrote: a sync, then a plan,
// is zero; a password changed in the files is planned (without its value)
// and written once; an unchanged one is never written again.
func TestSMTPPasswordWriteOnly(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "smtp")
	dir := t.TempDir()
	doc := "enabled: true\nsmtpServer:\n  host: smtp.example.com\n  from: sso@example.com\n  auth: \"true\"\n  user: sso\n  password: ${env:SMTP_PASSWORD}\n"
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): doc})
	env := map[string]string{"SMTP_PASSWORD": "smtp-1-Qx7"}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after sync: the password as written")
	env["SMTP_PASSWORD"] = "smtp-2-Wz4"
	r := realmsync(t, env, "plan", dir)
	expectCode(t, r, 2, "plan of a changed password")
	if !strings.Contains(r.stdout, "smtpServer.password: (sensitive value changed)") || strings.Contains(r.stdout, "smtp-2-Wz4") {
		t.Errorf("the plan should name the changed password, never its value:\n%s", r.stdout)
	}
	expectCode(t, realmsync(t, env, "sync", dir), 0, "sync of the changed password")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after it")
}
