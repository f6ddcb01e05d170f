package model

import (
	"strings"
	"testing"
)

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

func TestKeyUsersByEmail(t *testing.T) {
	doc, err := Canonical(map[string]any{
		"realm": "acme", "registrationEmailAsUsername": true,
		"users": []any{
			map[string]any{"username": "bob", "email": "Bob@Example.com", "federatedIdentities": []any{map[string]any{"identityProvider": "gh", "userId": "1", "userName": "bob"}}},
			map[string]any{"username": "carol@example.com", "email": "carol@example.com"},
			map[string]any{"username": "service-account-api", "email": "api@example.com"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, errs := Decompose("acme", doc.(map[string]any), NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !r.EmailAsUsername() {
		t.Fatal("EmailAsUsername = false")
	}
	if got := r.KeyUsersByEmail(); len(got) != 1 || got[0] != "bob" {
		t.Errorf("re-keyed %v, want [bob]", got)
	}
	for _, key := range []string{"bob@example.com", "carol@example.com", "service-account-api"} {
		if r.Get(KindUser, key) == nil {
			t.Errorf("no user %q after re-keying: %v", key, SortedKeys(r.Entities[KindUser]))
		}
	}
	if r.Get(KindFederatedID, "bob@example.com/gh") == nil || r.Get(KindUser, "bob@example.com").Fields["username"] != "bob@example.com" {
		t.Errorf("bob's link or username did not follow: %v", SortedKeys(r.Entities[KindFederatedID]))
	}
	if again := r.KeyUsersByEmail(); len(again) != 0 {
		t.Errorf("re-keying twice renamed %v", again)
	}
}

func TestChildKeysSurviveSlashes(t *testing.T) {
	role := KindByName(KindClientRole)
	for _, c := range []struct{ parent, name, key string }{
		{"web", "read", "web/read"},
		{"web", "orders/read", "web/orders%2Fread"},
		{"web", "100%", "web/100%25"},
		{"web", "a%2Fb", "web/a%252Fb"},
		{"https://sp.example/saml", "x/y", "https://sp.example/saml/x%2Fy"},
	} {
		key := role.KeyOf(c.parent, c.name)
		if key != c.key || ParentKey(key) != c.parent || role.NameOf(key) != c.name {
			t.Errorf("KeyOf(%q, %q) = %q (parent %q, name %q), want %q", c.parent, c.name, key, ParentKey(key), role.NameOf(key), c.key)
		}
	}
	if g := KindByName(KindGroup); g.NameOf("/a/b%2F") != "b%2F" {
		t.Errorf("a group's name is its path's last segment, as Keycloak writes it")
	}
}

func TestSecretValues(t *testing.T) {
	doc, err := Canonical(map[string]any{
		"realm": "acme", "smtpServer": map[string]any{"host": "mail", "password": "smtp-pass"},
		"clients": []any{map[string]any{"clientId": "api", "secret": "client-secret", "description": "not secret"}},
		"users":   []any{map[string]any{"username": "alice", "credentials": []any{map[string]any{"type": "password", "value": "alice-pass"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, errs := Decompose("acme", doc.(map[string]any), NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := r.SecretValues()
	for _, want := range []string{"smtp-pass", "client-secret", "alice-pass"} {
		if !contains(got, want) {
			t.Errorf("SecretValues() = %q, lacks %q", got, want)
		}
	}
	if contains(got, "not secret") || contains(got, "mail") || contains(got, "password") {
		t.Errorf("SecretValues() = %q holds values that are not secret", got)
	}
}

func TestApplyOrder(t *testing.T) {
	names := func(ks []*Kind) string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Name)
		}
		return strings.Join(out, " ")
	}
	realm := &Kind{Name: "realm", Root: true}
	cases := []struct {
		name string
		rows []*Kind
		want string // the order, or an error's text
	}{
		{"written order kept", []*Kind{realm, {Name: "a"}, {Name: "b"}}, "realm a b"},
		{"a child before its parent moves after it", []*Kind{realm, {Name: "mapper", Parent: "client"}, {Name: "client"}}, "realm client mapper"},
		{"declared dependencies", []*Kind{realm, {Name: "user", DependsOn: []string{"profile"}}, {Name: "profile"}}, "realm profile user"},
		{"a cycle is named", []*Kind{realm, {Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"a"}}}, "a dependency cycle among a → realm, b; b → realm, a"},
		{"an unknown kind", []*Kind{realm, {Name: "a", DependsOn: []string{"nope"}}}, `a depends on "nope", which is not a kind`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := applyOrder(c.rows)
			text := names(got)
			if err != nil {
				text = err.Error()
			}
			if !strings.Contains(text, c.want) {
				t.Errorf("got %q, want %q", text, c.want)
			}
		})
	}
	// The real table orders without error, every kind after its parent.
	if _, err := applyOrder(rows()); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		if k.Parent != "" && !k.Recursive() && KindIndex(k.Parent) > KindIndex(k.Name) {
			t.Errorf("%s comes before its parent %s", k.Name, k.Parent)
		}
	}
}
