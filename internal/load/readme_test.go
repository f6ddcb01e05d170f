package load

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeFederationExamplesValidate: README.md's user federation and
// component examples are valid desired state, so what users copy works.
func TestReadmeFederationExamplesValidate(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	n := 0
	for _, b := range blocks {
		body := b[1]
		if !strings.HasPrefix(body, "userFederation:") && !strings.HasPrefix(body, "components:") {
			continue
		}
		n++
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "acme"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "acme", "realm.yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		secrets := filepath.Join(dir, "ad-bind-password")
		_ = os.WriteFile(secrets, []byte("x"), 0o600)
		body = strings.ReplaceAll(body, "/run/secrets/ad-bind-password", secrets)
		_ = os.WriteFile(filepath.Join(dir, "acme", "realm.yaml"), []byte(body), 0o644)
		lookup := func(string) (string, bool) { return "from-the-environment", true }
		if _, err := Dir(dir, Options{Lookup: lookup}); err != nil {
			t.Errorf("README example does not validate: %v\n%s", err, body)
		}
	}
	if n < 3 {
		t.Errorf("found %d federation/component examples in README.md, want the OpenLDAP, Active Directory and key provider ones", n)
	}
}
