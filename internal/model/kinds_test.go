package model

import "testing"

func TestDefaultRoleName(t *testing.T) {
	for _, c := range []struct {
		realm, role string
		builtIn     bool
		misspelt    bool
	}{
		{"acme", "default-roles-acme", true, false},
		{"hoRsCase", "default-roles-horscase", true, false},
		{"hoRsCase", "default-roles-hoRsCase", false, true},
		{"hoRsCase", "default-roles-other", false, false},
	} {
		if got := builtInRealmRole(c.realm, c.role); got != c.builtIn {
			t.Errorf("builtInRealmRole(%q, %q) = %v, want %v", c.realm, c.role, got, c.builtIn)
		}
		if got := MisspeltDefaultRole(c.realm, c.role); got != c.misspelt {
			t.Errorf("MisspeltDefaultRole(%q, %q) = %v, want %v", c.realm, c.role, got, c.misspelt)
		}
	}
}
