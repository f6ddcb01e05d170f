package model

// References between objects: relations, their decoders and the parts
// of a relation a document writes down.

import (
	"fmt"
	"strconv"
	"strings"
)

// Relation is a field holding references, e.g. a role's composites or a
// group's role mappings. Keycloak changes these only through add/remove
// endpoints, never through the owner's PUT.
type Relation struct {
	Field string
	// Refs decodes the field's document value into references.
	Refs func(v any) ([]Ref, error)
	// Scopes names the parts of the value the document writes down: a
	// role's composites may list realm roles only, or one client's roles.
	// Only written-down parts are authoritative; members of other parts
	// are left alone.
	Scopes func(v any) map[string]bool
	// Collection is the relation's endpoint relative to the owner's item
	// path ("composites", "role-mappings", "default-groups"): apply writes
	// through it as Wire says, and the live reader GETs it.
	Collection string
	Wire       Wire
	// NameField names a listed object in a WireIDs answer ("path" for
	// groups, "name" for client scopes).
	NameField string
	// ReadFrom says where the live reader finds the references.
	ReadFrom ReadFrom
	// ReadWhen is the owner's field that must be true for the owner to
	// have references at all (a role's composite): others are not asked.
	ReadWhen string
	// Exclude: referenced objects with these field values are not the
	// files' to list, and the live reader leaves them out (an
	// organization's managed members, made by its identity provider).
	Exclude map[string]string
	// Unpaged: the collection ignores first and max and answers all of
	// it at once (an organization's identity providers).
	Unpaged bool
	// InExport: Keycloak's partial export carries the references (a
	// role's composites, scope mappings), so a read that has the export
	// takes them from it instead of asking each owner (live/partialexport.go).
	InExport bool
	// DefaultedOnCreate relations are filled in by Keycloak when it
	// creates the object (a new client gets the realm's default scopes):
	// after a create, apply reads them back and reconciles against them.
	DefaultedOnCreate bool
}

// Delta returns the references to add and to remove to turn have into
// want. Only the parts want writes down are authoritative: a reference of
// another part is never removed.
func (rel *Relation) Delta(want, have any) (add, remove []Ref) {
	w, _ := rel.Refs(want) // desired references were validated on load
	var h []Ref
	if have != nil {
		h, _ = rel.Refs(have)
	}
	in := func(set []Ref, r Ref) bool {
		for _, x := range set {
			if x == r {
				return true
			}
		}
		return false
	}
	declared := rel.Scopes(want)
	for _, r := range w {
		if !in(h, r) {
			add = append(add, r)
		}
	}
	for _, r := range h {
		if !in(w, r) && declared[RefScope(r)] {
			remove = append(remove, r)
		}
	}
	return add, remove
}

// Ref names another object by kind and key.
type Ref struct {
	Kind string
	Key  string
}

func (r Ref) String() string {
	if k := KindByName(r.Kind); k != nil {
		return k.Title + " " + strconv.Quote(r.Key)
	}
	return r.Kind + " " + strconv.Quote(r.Key)
}

// Wire is how Keycloak takes and gives a relation's references.
type Wire int

const (
	// WireIDs: one call per reference and no body, PUT to add and DELETE
	// to remove {owner}/{collection}/{id}; a GET of the collection lists
	// the referenced objects.
	WireIDs Wire = iota
	// WireRoles: role representations as the body, POST to add and
	// DELETE to remove, at the collection itself (composites).
	WireRoles
	// WireMappings: role representations at {collection}/realm and
	// {collection}/clients/{client id}; a GET of the collection answers
	// {realmMappings, clientMappings}.
	WireMappings
	// WireIDBody: one call per reference, POST of the referenced id as a
	// JSON string to the collection to add, DELETE {collection}/{id} to
	// remove (an organization's members and identity providers); a GET of
	// the collection, paged, lists the referenced objects.
	WireIDBody
)

// ReadFrom is where the live reader finds a relation's references.
type ReadFrom int

const (
	// ReadInOwner: the owner's own representation carries the field.
	ReadInOwner ReadFrom = iota
	// ReadOwner: a GET of the collection under each owner.
	ReadOwner
	// ReadByHook: the kind's read hook fills the field (users'
	// memberships, read from the group and role side).
	ReadByHook
)

// PerRef reports whether the relation takes one call per reference.
func (rel *Relation) PerRef() bool { return rel.Wire == WireIDs || rel.Wire == WireIDBody }

// Path is the add/remove endpoint for ref, relative to the owner's item
// path ({owner}); {ref} is the reference's server id, {refParent} its
// client's.
func (rel *Relation) Path(ref Ref) string {
	base := "{owner}/" + rel.Collection
	switch {
	case rel.PerRef():
		return base + "/{ref}"
	case rel.Wire == WireMappings && ref.Kind == KindClientRole:
		return base + "/clients/{refParent}"
	case rel.Wire == WireMappings:
		return base + "/realm"
	}
	return base
}

// perRef describes a relation managed one reference at a time, with a
// single scope (the whole list is authoritative).
func perRef(field string, refs func(any) ([]Ref, error), collection, nameField string, from ReadFrom) Relation {
	return Relation{Field: field, Refs: refs, Wire: WireIDs, Collection: collection, NameField: nameField, ReadFrom: from,
		Scopes: wholeScope}
}

// wholeScope: the relation's whole list is authoritative (one scope).
func wholeScope(any) map[string]bool { return map[string]bool{"": true} }

// roleMappings are a group's or user's realmRoles or clientRoles.
func roleMappings(field string, from ReadFrom) Relation {
	rel := Relation{Field: field, Wire: WireMappings, Collection: "role-mappings", ReadFrom: from,
		Refs: realmRoleNames, Scopes: realmScope}
	if field == "clientRoles" {
		rel.Refs, rel.Scopes = clientRoleNames, clientScopes
	}
	return rel
}

func defaultedOnCreate(r Relation) Relation { r.DefaultedOnCreate = true; return r }

// scopeNames decodes a list of client scope names.
func scopeNames(v any) ([]Ref, error) {
	names, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(names))
	for _, n := range names {
		refs = append(refs, Ref{Kind: KindClientScope, Key: n})
	}
	return refs, nil
}

// groupPaths decodes a list of group paths.
func groupPaths(v any) ([]Ref, error) {
	paths, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(paths))
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		refs = append(refs, Ref{Kind: KindGroup, Key: p})
	}
	return refs, nil
}

var compositesRelation = Relation{
	Field: "composites",
	Refs:  compositeRefs,
	Scopes: func(v any) map[string]bool {
		m, _ := v.(map[string]any)
		scopes := map[string]bool{}
		if _, ok := m["realm"]; ok {
			scopes["realm"] = true
		}
		for s := range clientScopes(m["client"]) {
			scopes[s] = true
		}
		return scopes
	},
	Wire: WireRoles, Collection: "composites", ReadFrom: ReadOwner, ReadWhen: "composite",
	InExport: true,
}

// RefScope is the part of a relation a reference belongs to: "realm" for
// realm roles, "client:<clientId>" for a client's roles, "" for references
// to other kinds (their relations are one part).
func RefScope(r Ref) string {
	switch r.Kind {
	case KindClientRole:
		return "client:" + ParentKey(r.Key)
	case KindRealmRole:
		return "realm"
	}
	return ""
}

func realmScope(any) map[string]bool { return map[string]bool{"realm": true} }

// clientScopes names the clients a {clientId: [roles]} map writes down.
func clientScopes(v any) map[string]bool {
	m, _ := v.(map[string]any)
	scopes := map[string]bool{}
	for client := range m {
		scopes["client:"+client] = true
	}
	return scopes
}

// compositeRefs decodes a role's composites: {realm: [names], client: {clientId: [names]}}.
func compositeRefs(v any) ([]Ref, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want an object with \"realm\" and \"client\" lists")
	}
	var refs []Ref
	for _, k := range SortedKeys(m) {
		switch k {
		case "realm":
			r, err := realmRoleNames(m[k])
			if err != nil {
				return nil, fmt.Errorf("realm: %w", err)
			}
			refs = append(refs, r...)
		case "client":
			r, err := clientRoleNames(m[k])
			if err != nil {
				return nil, fmt.Errorf("client: %w", err)
			}
			refs = append(refs, r...)
		default:
			return nil, fmt.Errorf("unknown field %q (want \"realm\" or \"client\")", k)
		}
	}
	return refs, nil
}

// realmRoleNames decodes a list of realm role names.
func realmRoleNames(v any) ([]Ref, error) {
	names, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(names))
	for _, n := range names {
		refs = append(refs, Ref{Kind: KindRealmRole, Key: n})
	}
	return refs, nil
}

// clientRoleNames decodes {clientId: [role names]}.
func clientRoleNames(v any) ([]Ref, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a map of client id to role names")
	}
	var refs []Ref
	for _, client := range SortedKeys(m) {
		names, err := stringList(m[client])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", client, err)
		}
		for _, n := range names {
			refs = append(refs, Ref{Kind: KindClientRole, Key: ChildKey(client, n)})
		}
	}
	return refs, nil
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of names")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("want a list of names, found %v", x)
		}
		out = append(out, s)
	}
	return out, nil
}
