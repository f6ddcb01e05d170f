package model

import (
	"fmt"
	"sort"
	"strings"
)

// Organizations (Keycloak 26): a realm's organizations, keyed by alias
// (Keycloak refuses to change it), with their domains and attributes in
// the organization's own representation, and their members and linked
// identity providers as references managed through the organization's
// members and identity-providers collections. A realm export lists
// members and identity providers as representations; the files may name
// them by username and alias instead, and the plan does.

const KindOrganization = "organization"

func organizationKind() *Kind {
	return &Kind{
		Name: KindOrganization, Title: "organization", Plural: "organizations",
		Representation: "OrganizationRepresentation", KeyField: "alias",
		RealmPath: "organizations",
		Required:  []string{"name"},
		ListMaps:  []string{"attributes"},
		WholeMaps: []WholeMap{{Field: "attributes"}},
		// An organization with no domains answers none.
		AbsentMeans:   map[string]any{"domains": []any{}},
		ServerManaged: []string{"id"},
		// Members are users, linked identity providers are the realm's:
		// both exist before the references pass links them.
		DependsOn: []string{KindUser, KindIdP},
		Relations: []Relation{
			// Managed members joined through the organization's identity
			// provider: removing one deletes the user, so they are never
			// the files' (deleting the organization deletes them: cascade).
			{Field: "members", Refs: namedRefs(KindUser, "username"), Wire: WireIDBody, Collection: "members", NameField: "username",
				ReadFrom: ReadOwner, Scopes: wholeScope, Exclude: map[string]string{"membershipType": "MANAGED"}},
			{Field: "identityProviders", Refs: namedRefs(KindIdP, "alias"), Wire: WireIDBody, Collection: "identity-providers", NameField: "alias",
				ReadFrom: ReadOwner, Scopes: wholeScope, Unpaged: true},
		},
		// No search by alias (search matches names and domains): a lookup
		// lists the organizations and matches the alias.
		Endpoints: Endpoints{Create: "{realm}/organizations", Item: "{realm}/organizations/{id}"},
		// The full representation carries the attributes.
		Read:       ReadSpec{Full: true, Hook: "organizations", When: "organizationsEnabled"},
		ExportTo:   "organizations.yaml",
		desiredFor: organizationAsDesired,
		check:      checkOrganization,
		cascade: func(live *Realm, l *Entity) (int, string) {
			if n := len(live.ManagedMembers[l.Key]); n > 0 {
				return n, fmt.Sprintf("Keycloak deletes its %d managed members (users its identity providers made)", n)
			}
			return 0, ""
		},
		blocked: func(desired, live *Realm, l *Entity) string {
			if s := desired.Settings(); s != nil && s.Fields["organizationsEnabled"] == false {
				return fmt.Sprintf("organization %q is not declared, but the files also turn organizations off, after which Keycloak answers 404 to every organization call: delete the organizations in one sync and turn them off in the next", l.Key)
			}
			n := len(live.ManagedMembers[l.Key])
			if n == 0 || desired.Policy(KindUser) != PolicyNone {
				return ""
			}
			return fmt.Sprintf("organization %q is not declared, but deleting it deletes its %d managed members, and the users' deletion policy is none: declare the organization again, or set realmsync.deletionPolicy.users (owned or full) to allow it", l.Key, n)
		},
	}
}

// namedRefs decodes a list of objects of kind named by their key: names,
// or representations carrying the key in field (a realm export's
// members and identity providers).
func namedRefs(kind, field string) func(v any) ([]Ref, error) {
	return func(v any) ([]Ref, error) {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list of %ss", field)
		}
		refs := make([]Ref, 0, len(list))
		for _, x := range list {
			name, _ := x.(string)
			if m, isMap := x.(map[string]any); isMap {
				name, _ = m[field].(string)
			}
			if name == "" {
				return nil, fmt.Errorf("want a list of %ss, found %v", field, x)
			}
			key := name
			if kind == KindUser {
				key = strings.ToLower(name) // Keycloak stores usernames lower-cased
			}
			refs = append(refs, Ref{Kind: kind, Key: key})
		}
		return refs, nil
	}
}

// organizationAsDesired is the desired organization as Keycloak keeps it:
// without the managed members (the identity provider's), each domain
// with its verified flag (false unless written), in name order, as the
// live reader sorts them.
func organizationAsDesired(d *Entity, _, live *Realm) *Entity {
	out := *d
	out.Fields = DeepCopy(d.Fields).(Object)
	if members, ok := out.Fields["members"].([]any); ok && live != nil && len(live.ManagedMembers[d.Key]) > 0 {
		// A managed member is the identity provider's, listed or not.
		kept := make([]any, 0, len(members))
		for _, m := range members {
			name, _ := m.(string)
			if mm, isMap := m.(map[string]any); isMap {
				name, _ = mm["username"].(string)
			}
			if !contains(live.ManagedMembers[d.Key], strings.ToLower(name)) {
				kept = append(kept, m)
			}
		}
		out.Fields["members"] = kept
	}
	domains, ok := out.Fields["domains"].([]any)
	if !ok {
		return &out
	}
	kept := make([]any, 0, len(domains))
	for _, x := range domains {
		m, _ := DeepCopy(x).(map[string]any)
		if m == nil {
			continue
		}
		if _, has := m["verified"]; !has {
			m["verified"] = false
		}
		kept = append(kept, m)
	}
	SortDomains(kept)
	out.Fields["domains"] = kept
	return &out
}

// SortDomains puts an organization's domains in name order: Keycloak
// keeps them as a set.
func SortDomains(domains []any) {
	sort.SliceStable(domains, func(i, j int) bool {
		a, _ := domains[i].(map[string]any)
		b, _ := domains[j].(map[string]any)
		return fmt.Sprint(a["name"]) < fmt.Sprint(b["name"])
	})
}

// checkOrganization: the realm has organizations turned on, a domain is
// an object with a name, and one domain belongs to one organization only.
func checkOrganization(r *Realm, e *Entity) []Problem {
	var out []Problem
	if s := r.Settings(); s == nil || s.Fields["organizationsEnabled"] != true {
		// Keycloak answers 400 to every organization call otherwise.
		out = append(out, Problem{Field: "alias", Message: "the realm's organizations need organizationsEnabled: true in its settings (realm.yaml)"})
	}
	domains, _ := e.Fields["domains"].([]any)
	for i, x := range domains {
		m, _ := x.(map[string]any)
		if name, _ := m["name"].(string); name == "" {
			out = append(out, Problem{Field: fmt.Sprintf("domains[%d]", i), Message: "want {name: <domain>, verified: true|false}"})
			continue
		}
		for _, other := range r.Sorted(KindOrganization) {
			if other.Key >= e.Key {
				continue
			}
			theirs, _ := other.Fields["domains"].([]any)
			for _, y := range theirs {
				if n, _ := y.(map[string]any); n["name"] == m["name"] {
					out = append(out, Problem{Field: "domains", Message: fmt.Sprintf("domain %v is also organization %q's; Keycloak gives a domain to one organization", m["name"], other.Key)})
				}
			}
		}
	}
	return out
}
