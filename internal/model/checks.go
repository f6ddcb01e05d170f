package model

// What the kind table checks beyond Keycloak's schema: enum values, maps
// of strings, fields the server ignores, and the kinds' own rules.

import (
	"fmt"
	"strings"

	"github.com/realmsync/realmsync/internal/schema"
)

// Problem is one finding of a kind's own check: the field it concerns
// ("" for the object as a whole) and what is wrong.
type Problem struct {
	Field, Message string
}

// CheckValue checks a field's value against what the table knows of it
// beyond its schema type: the values of an enum, and maps stored as
// string maps (values are scalars) or list maps (scalars or lists of
// scalars). It returns "" when the value fits.
func (k *Kind) CheckValue(field string, v any) string {
	if allowed, ok := k.Enums[field]; ok {
		if s, isString := v.(string); isString && !contains(allowed, s) {
			hint := ""
			if sug := schema.Suggest(s, allowed); sug != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", sug)
			}
			return fmt.Sprintf("is %q%s; %s knows %s", s, hint, k.serverName(), strings.Join(allowed, ", "))
		}
	}
	if limit, ok := k.MaxLength[field]; ok {
		if s := ScalarString(v); IsScalar(v) && len([]rune(s)) > limit {
			return fmt.Sprintf("is %d characters long; %s takes at most %d", len([]rune(s)), k.serverName(), limit)
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if known, ok := k.KnownKeys[field]; ok {
		for _, key := range SortedKeys(m) {
			if !contains(known, key) {
				hint := ""
				if s := schema.Suggest(key, known); s != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				return fmt.Sprintf("has no key %q%s; Keycloak knows %s", key, hint, strings.Join(known, ", "))
			}
		}
	}
	for _, key := range SortedKeys(m) {
		switch x := m[key].(type) {
		case map[string]any:
			if contains(k.StringMaps, field) || contains(k.ListMaps, field) {
				return fmt.Sprintf("key %q must be a string, found an object", key)
			}
		case []any:
			if contains(k.StringMaps, field) {
				return fmt.Sprintf("key %q must be a string, found a list", key)
			}
			if contains(k.ListMaps, field) {
				for _, item := range x {
					if !IsScalar(item) {
						return fmt.Sprintf("key %q must be a list of strings", key)
					}
				}
			}
		}
	}
	return ""
}

// Check runs the kind's own validation of a desired object.
func (k *Kind) Check(r *Realm, e *Entity) []Problem {
	if k.check == nil {
		return nil
	}
	return k.check(r, e)
}

// CheckRef runs the kind's rule on a reference to one of its objects.
func (k *Kind) CheckRef(realm string, ref Ref) string {
	if k.checkRef == nil {
		return ""
	}
	return k.checkRef(realm, ref)
}

// IgnoredField is a field the server ignores.
type IgnoredField struct {
	Field string
	// When says whether the server ignores it in this object (nil: always).
	When func(obj Object) bool
	// Why tells the user what to do instead.
	Why string
}

// ignored returns why the server ignores field f of obj, or "".
func (k *Kind) ignored(obj Object, f string) string {
	for _, ig := range k.Ignored {
		if ig.Field == f && (ig.When == nil || ig.When(obj)) {
			return ig.Why
		}
	}
	return ""
}

// checkUser: with the email as username every user needs one.
func checkUser(r *Realm, e *Entity) []Problem {
	var out []Problem
	if r.EmailAsUsername() && !e.Kind.BuiltIn(r.Name, e.Key) {
		if _, ok := e.Fields["email"]; !ok {
			out = append(out, Problem{Message: "no email, and the realm sets registrationEmailAsUsername, so Keycloak makes the email the username"})
		}
	}
	return out
}

// checkScopeProtocols: a client's scope lists name scopes of its own
// protocol; Keycloak drops the others silently.
func checkScopeProtocols(r *Realm, c *Entity) []Problem {
	var out []Problem
	for _, field := range []string{"defaultClientScopes", "optionalClientScopes"} {
		refs, err := scopeNames(c.Fields[field])
		if err != nil {
			continue
		}
		for _, ref := range refs {
			if want, got := ClientProtocol(c), ScopeProtocol(r, ref.Key); got != "" && got != want {
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("client scope %q is a %s scope and the client's protocol is %s; Keycloak would drop it silently", ref.Key, got, want)})
			}
		}
	}
	return out
}

// ScopeProtocol is the protocol of a client scope the desired state
// declares or every realm has ("" when unknown). Keycloak silently drops
// a scope of another protocol from a client's scope lists.
func ScopeProtocol(r *Realm, scope string) string {
	if e := r.Get(KindClientScope, scope); e != nil {
		if p, ok := e.Fields["protocol"].(string); ok {
			return p
		}
		return ""
	}
	switch scope {
	case "role_list", "saml_organization", "AuthnContextClassRef":
		return "saml"
	}
	if contains(builtInClientScopes, scope) {
		return "openid-connect"
	}
	return ""
}

// ClientProtocol is a client's protocol (Keycloak's default: openid-connect).
func ClientProtocol(c *Entity) string {
	if p, ok := c.Fields["protocol"].(string); ok && p != "" {
		return p
	}
	return "openid-connect"
}

// Protocols Keycloak knows: client scopes are OpenID Connect or SAML;
// clients and mappers may also speak the Docker registry protocol (when
// that feature is on).
var (
	scopeProtocols  = []string{"openid-connect", "saml"}
	clientProtocols = []string{"docker-v2", "openid-connect", "saml"}
)

// serverName names what serves the kind, for messages.
func (k *Kind) serverName() string {
	if k.Extension != nil {
		return k.Extension.Title
	}
	return "Keycloak"
}
