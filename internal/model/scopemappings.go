package model

import (
	"fmt"
	"strconv"
)

// Scope mappings say which roles a client (or a client scope) may put in
// tokens when fullScopeAllowed is off. Keycloak's realm representation
// keeps them at the realm level:
//
//	scopeMappings: [{client: app, roles: [user]}, {clientScope: s, roles: [...]}]
//	clientScopeMappings: {<role's clientId>: [{client: app, roles: [...]}]}
//
// realmsync manages them as a reference field of the owner, shaped like a
// role's composites: scopeMappings: {realm: [...], client: {<clientId>: [...]}}.
// liftScopeMappings moves the realm-level form onto the owners before
// decomposing; lowerScopeMappings moves it back when composing an export,
// so files keep Keycloak's shape.

// ScopeMappingsField is the owner's reference field.
const ScopeMappingsField = "scopeMappings"

// stubMarker marks an owner object that lifting made up because the
// document does not write the owner down: it merges with the owner's real
// object from another file instead of clashing with it.
const stubMarker = "\x00stub"

// scopeMappingOwners names, for each owner kind, the field of a realm-level
// scope mapping entry that names it and the realm collection it lives in.
var scopeMappingOwners = []struct{ entryField, collection, keyField string }{
	{"client", "clients", "clientId"},
	{"clientScope", "clientScopes", "name"},
}

// liftScopeMappings rewrites doc in place. It returns where each lifted
// field came from, so that errors point at the user's lines.
func liftScopeMappings(doc Object, fail func(path []string, format string, args ...any)) map[string][]string {
	origin := map[string][]string{}
	realmLevel, hasRealm := doc["scopeMappings"]
	clientLevel, hasClient := doc["clientScopeMappings"]
	if !hasRealm && !hasClient {
		return origin
	}
	delete(doc, "scopeMappings")
	delete(doc, "clientScopeMappings")
	// owner (collection, key) → its lifted value
	lifted := map[[2]string]Object{}
	order := [][2]string{}
	add := func(entry any, path []string, roleClient string) {
		m, ok := entry.(map[string]any)
		if !ok {
			fail(path, "a scope mapping must be an object with client or clientScope, and roles")
			return
		}
		var owner [2]string
		for _, o := range scopeMappingOwners {
			if name, ok := m[o.entryField].(string); ok && name != "" {
				owner = [2]string{o.collection, name}
			}
		}
		if owner[0] == "" {
			fail(path, "a scope mapping needs client or clientScope")
			return
		}
		roles, err := stringList(m["roles"])
		if err != nil {
			fail(append(path, "roles"), "roles: %v", err)
			return
		}
		v := lifted[owner]
		if v == nil {
			v = Object{}
			lifted[owner] = v
			order = append(order, owner)
			origin[owner[0]+"\x00"+owner[1]] = path
		}
		if roleClient == "" {
			list, _ := v["realm"].([]any)
			v["realm"] = append(list, toAnyList(roles)...)
			return
		}
		clients, _ := v["client"].(map[string]any)
		if clients == nil {
			clients = map[string]any{}
			v["client"] = clients
		}
		list, _ := clients[roleClient].([]any)
		clients[roleClient] = append(list, toAnyList(roles)...)
	}
	if hasRealm {
		list, ok := realmLevel.([]any)
		if !ok {
			fail([]string{"scopeMappings"}, "scopeMappings must be a list")
		}
		for i, e := range list {
			add(e, []string{"scopeMappings", strconv.Itoa(i)}, "")
		}
	}
	if hasClient {
		m, ok := clientLevel.(map[string]any)
		if !ok {
			fail([]string{"clientScopeMappings"}, "clientScopeMappings must map a client id to a list of scope mappings")
		}
		for _, roleClient := range SortedKeys(m) {
			list, ok := m[roleClient].([]any)
			if !ok {
				fail([]string{"clientScopeMappings", roleClient}, "must be a list of scope mappings")
				continue
			}
			for i, e := range list {
				add(e, []string{"clientScopeMappings", roleClient, strconv.Itoa(i)}, roleClient)
			}
		}
	}
	for _, owner := range order {
		o := ownerByCollection(owner[0])
		list, _ := doc[owner[0]].([]any)
		var target map[string]any
		for _, item := range list {
			if obj, ok := item.(map[string]any); ok && obj[o.keyField] == owner[1] {
				target = obj
			}
		}
		if target == nil {
			// The owner is not written down: it is managed only for its
			// scope mappings (a built-in client, say).
			target = map[string]any{o.keyField: owner[1], stubMarker: true}
			doc[owner[0]] = append(list, target)
		}
		if _, dup := target[ScopeMappingsField]; dup {
			fail(origin[owner[0]+"\x00"+owner[1]], "%s %q has scope mappings both in its own object and at realm level", o.entryField, owner[1])
			continue
		}
		target[ScopeMappingsField] = lifted[owner]
	}
	return origin
}

// lowerScopeMappings moves owners' scope mappings back to the realm level,
// in Keycloak's shape, and drops owners that only carried them.
func lowerScopeMappings(doc Object) {
	var realmLevel []any
	clientLevel := map[string]any{}
	for _, o := range scopeMappingOwners {
		list, _ := doc[o.collection].([]any)
		kept := list[:0]
		for _, item := range list {
			obj := item.(map[string]any)
			v, ok := obj[ScopeMappingsField].(map[string]any)
			if !ok {
				kept = append(kept, obj)
				continue
			}
			delete(obj, ScopeMappingsField)
			owner := obj[o.keyField]
			if roles, ok := v["realm"].([]any); ok {
				realmLevel = append(realmLevel, map[string]any{o.entryField: owner, "roles": roles})
			}
			clients, _ := v["client"].(map[string]any)
			for _, cid := range SortedKeys(clients) {
				l, _ := clientLevel[cid].([]any)
				clientLevel[cid] = append(l, map[string]any{o.entryField: owner, "roles": clients[cid]})
			}
			if len(obj) > 1 {
				kept = append(kept, obj)
			}
		}
		if len(kept) == 0 {
			delete(doc, o.collection)
		} else {
			doc[o.collection] = kept
		}
	}
	if len(realmLevel) > 0 {
		doc["scopeMappings"] = realmLevel
	}
	if len(clientLevel) > 0 {
		doc["clientScopeMappings"] = clientLevel
	}
}

func ownerByCollection(collection string) struct{ entryField, collection, keyField string } {
	for _, o := range scopeMappingOwners {
		if o.collection == collection {
			return o
		}
	}
	panic(fmt.Sprintf("no scope mapping owner %s", collection))
}

func toAnyList(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// scopeMappingsRelation is the owner's reference field: realm roles through
// {owner}/scope-mappings/realm, client roles per client.
var scopeMappingsRelation = Relation{
	Field:  ScopeMappingsField,
	Refs:   compositeRefs,
	Scopes: compositesRelation.Scopes,
	Wire:   WireMappings, Collection: "scope-mappings", ReadFrom: ReadOwner,
	InExport: true,
}

// liftedPos points positions of lifted fields (and of owners written down
// only for their scope mappings) at the realm-level entry they came from.
func liftedPos(doc Object, origin map[string][]string, base PosFunc) PosFunc {
	return func(path []string) Pos {
		if len(path) >= 2 {
			if list, ok := doc[path[0]].([]any); ok {
				if i, err := strconv.Atoi(path[1]); err == nil && i < len(list) {
					if obj, ok := list[i].(map[string]any); ok {
						for _, o := range scopeMappingOwners {
							if o.collection != path[0] {
								continue
							}
							from, lifted := origin[o.collection+"\x00"+fmt.Sprint(obj[o.keyField])]
							_, stub := obj[stubMarker]
							if lifted && (stub || len(path) >= 3 && path[2] == ScopeMappingsField) {
								return base(from)
							}
						}
					}
				}
			}
		}
		return base(path)
	}
}
