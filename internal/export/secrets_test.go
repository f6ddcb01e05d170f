package export

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
)

// TestListSecretsBecomePlaceholders: a list-valued secret (component
// config, an LDAP bindCredential) is exported as a one-element list
// holding the placeholder, not dropped.
func TestListSecretsBecomePlaceholders(t *testing.T) {
	k := &model.Kind{Name: "component", Secrets: []string{"config.bindCredential"}}
	fields := model.Object{"config": map[string]any{"bindCredential": []any{model.MaskedSecret}, "host": []any{"ldap"}}}
	e := &model.Entity{Kind: k, Key: "ldap", Fields: fields}
	names := hideSecrets("acme", e, &model.Entity{Kind: k, Fields: model.Object{}}, false)
	if d := cmp.Diff([]string{"REALMSYNC_ACME_LDAP_CONFIG_BINDCREDENTIAL"}, names); d != "" {
		t.Errorf("placeholders (-want +got):\n%s", d)
	}
	want := []any{"${env:REALMSYNC_ACME_LDAP_CONFIG_BINDCREDENTIAL}"}
	if d := cmp.Diff(want, fields["config"].(map[string]any)["bindCredential"]); d != "" {
		t.Errorf("exported secret (-want +got):\n%s", d)
	}
}
