package model

// What differs between the Keycloak versions realmsync supports (24, 25,
// 26): one table, so that a desired state that needs a newer server is
// refused before any write, naming what it needs and the first version
// that has it.

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Keycloak server version; the zero value is unknown (no
// check is made).
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads "26.7.3" (a suffix such as "-SNAPSHOT" is ignored).
func ParseVersion(s string) (Version, bool) {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "-")
	parts := strings.Split(s, ".")
	var v Version
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || i > 2 {
			return Version{}, false
		}
		switch i {
		case 0:
			v.Major = n
		case 1:
			v.Minor = n
		case 2:
			v.Patch = n
		}
	}
	return v, v.Major > 0
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Known reports whether the version was learnt.
func (v Version) Known() bool { return v.Major > 0 }

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool {
	if v.Major != o.Major {
		return v.Major > o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor > o.Minor
	}
	return v.Patch >= o.Patch
}

// Capability is something a Keycloak version has from Since on: a
// built-in client scope, or a field of a kind.
type Capability struct {
	What  string
	Since Version
	// Scope is a built-in client scope the version makes in every realm.
	Scope string
	// Kind and Field: a field the version's representation has.
	Kind, Field string
}

// Capabilities are the differences between supported versions.
var Capabilities = []Capability{
	{What: `the built-in client scope "basic"`, Since: Version{25, 0, 0}, Scope: "basic"},
	// Seen absent from 26.0.8 and present in 26.2.5; 26.1 is not served
	// here to check, so 26.2 is taken: a refusal rather than a failure
	// halfway through a sync.
	{What: `the built-in client scope "service_account"`, Since: Version{26, 2, 0}, Scope: "service_account"},
	{What: `the built-in client scope "organization"`, Since: Version{26, 0, 0}, Scope: "organization"},
	{What: `the built-in client scope "saml_organization"`, Since: Version{26, 0, 0}, Scope: "saml_organization"},
	{What: "organizations", Since: Version{26, 0, 0}, Kind: KindRealm, Field: "organizationsEnabled"},
	{What: "admin permissions (fine-grained, v2)", Since: Version{26, 2, 0}, Kind: KindRealm, Field: "adminPermissionsEnabled"},
	{What: "a group's description", Since: Version{26, 3, 0}, Kind: KindGroup, Field: "description"},
	{What: "required action configuration", Since: Version{25, 0, 0}, Kind: KindRequiredAction, Field: "config"},
}

// OldestSupported is the oldest Keycloak realmsync is tested against.
var OldestSupported = Version{24, 0, 0}

// Unsupported lists what the desired realm uses that server version v
// does not have: references to built-in scopes it does not make, fields
// its representations lack. Each names the place, what is needed and the
// first version with it.
func Unsupported(v Version, desired *Realm) []string {
	if !v.Known() {
		return nil
	}
	var out []string
	need := func(pos Pos, what string, c Capability) {
		out = append(out, fmt.Sprintf("%s: %s needs %s, which Keycloak has from %d.%d (this server is %s)",
			pos, what, c.What, c.Since.Major, c.Since.Minor, v))
	}
	for _, c := range Capabilities {
		if v.AtLeast(c.Since) {
			continue
		}
		if c.Field != "" {
			for _, e := range desired.Sorted(c.Kind) {
				if _, ok := e.Fields[c.Field]; ok {
					need(e.FieldPos.Get(c.Field), fmt.Sprintf("%s %q: field %q", e.Kind.Title, e.Key, c.Field), c)
				}
			}
			continue
		}
		if desired.Get(KindClientScope, c.Scope) != nil {
			continue // declared: made by the files, not expected built in
		}
		for _, k := range kinds {
			for i := range k.Relations {
				rel := &k.Relations[i]
				for _, e := range desired.Sorted(k.Name) {
					refs, err := rel.Refs(e.Fields[rel.Field])
					if err != nil || e.Fields[rel.Field] == nil {
						continue
					}
					for _, r := range refs {
						if r.Kind == KindClientScope && r.Key == c.Scope {
							need(e.FieldPos.Get(rel.Field), fmt.Sprintf("%s %q: %s", k.Title, e.Key, rel.Field), c)
						}
					}
				}
			}
		}
	}
	return out
}
