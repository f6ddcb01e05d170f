package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConnectionPrecedence: flags win over the environment, which wins
// over the config file, which wins over defaults.
func TestConnectionPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "realmsync.yaml")
	if err := os.WriteFile(file, []byte("url: https://file.example\nauthRealm: file-realm\nuser: file-user\ntimeout: 7s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KEYCLOAK_URL": "https://env.example", "KEYCLOAK_USER": "env-user"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	c := connFlags{config: file, user: "flag-user"}
	cfg, err := c.resolve(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "flag-user" || cfg.BaseURL != "https://env.example" || cfg.AuthRealm != "file-realm" || cfg.Timeout != 7*time.Second {
		t.Errorf("resolved %+v: want the flag's user, the environment's URL, the file's realm and timeout", cfg)
	}

	cfg, err = (&connFlags{}).resolve(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err) // no ./realmsync.yaml here: defaults
	}
	if cfg.AuthRealm != "master" || cfg.Timeout != 60*time.Second {
		t.Errorf("defaults %+v", cfg)
	}

	if _, err := (&connFlags{config: filepath.Join(t.TempDir(), "missing.yaml")}).resolve(lookup); err == nil {
		t.Error("a named config file that is missing must be an error")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte("ulr: x\n"), 0o644)
	if _, err := (&connFlags{config: bad}).resolve(lookup); err == nil {
		t.Error("an unknown config key must be an error")
	}
}

// TestConfigFileTypo: an unknown setting is named with its place and a
// suggestion, as in realm files, never as the YAML library's Go type.
func TestConfigFileTypo(t *testing.T) {
	file := filepath.Join(t.TempDir(), "realmsync.yaml")
	if err := os.WriteFile(file, []byte("url: https://sso.example\npasswrd: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&connFlags{config: file}).resolve(func(string) (string, bool) { return "", false })
	want := file + `:2:1: unknown setting "passwrd" (did you mean "password"?)`
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "cli.fileConfig") {
		t.Errorf("error %v, want %q", err, want)
	}
}
