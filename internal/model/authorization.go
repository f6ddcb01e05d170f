package model

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Client authorization services. The files write a client's
// authorizationSettings as a realm export does: the resource server's
// settings (policyEnforcementMode, decisionStrategy,
// allowRemoteResourceManagement) and its scopes, resources and policies
// (permissions are policies of type resource or scope), every reference
// by name. Decompose lifts the three lists into child kinds of the client
// keyed by name, so each is planned on its own; the settings stay a field
// of the client, written through the resource server's own endpoint
// (Kind.LateEndpoints). Keycloak's import endpoint, which matches by name,
// updates in place and leaves what it is not given alone, writes one
// object at a time (apply/authorization.go); the live reader reads a
// client's whole settings in one GET of the same export shape
// (live/authorization.go).
//
// A policy's config holds JSON text in a realm export ("roles":
// "[{\"id\":\"admin\",\"required\":false}]"); the files may write it as
// YAML, and both are read into the same values, sets sorted and Keycloak's
// defaults filled in, so that equal policies compare equal.

const (
	KindAuthzScope    = "authorizationScope"
	KindAuthzResource = "authorizationResource"
	KindAuthzPolicy   = "authorizationPolicy"

	// AuthorizationField is the client field holding authorization in
	// the files and in a realm export.
	AuthorizationField = "authorizationSettings"
	// AuthorizationPath is the client's resource server endpoint, under
	// the client's item.
	AuthorizationPath = "authz/resource-server"
)

// authzLists maps each child kind's field inside authorizationSettings
// to the client field Decompose lifts it into.
var authzLists = []struct{ inSettings, lifted, kind string }{
	{"scopes", "authorizationScopes", KindAuthzScope},
	{"resources", "authorizationResources", KindAuthzResource},
	{"policies", "authorizationPolicies", KindAuthzPolicy},
}

// AuthzListOf is the field of an import body (and of a realm export's
// authorizationSettings) that lists objects of kind.
func AuthzListOf(kind string) string {
	for _, l := range authzLists {
		if l.kind == kind {
			return l.inSettings
		}
	}
	return ""
}

// PolicyTypes are the policy providers Keycloak ships that realmsync
// writes (JavaScript policies exist only as deployed providers, named by
// their file: any other type is passed on as written).
var PolicyTypes = []string{"role", "group", "user", "client", "client-scope", "time", "regex", "aggregate", "resource", "scope"}

func authzScopeKind() *Kind {
	return &Kind{
		Name: KindAuthzScope, Title: "authorization scope", Plural: "authorizationScopes",
		Representation: "ScopeRepresentation", KeyField: "name",
		Parent: KindClient, ParentField: "authorizationScopes",
		ServerManaged: []string{"id", "policies", "resources"},
		Endpoints:     Endpoints{Create: "{realm}/clients/{parent}/" + AuthorizationPath + "/scope", Item: "{realm}/clients/{parent}/" + AuthorizationPath + "/scope/{id}"},
		// The client's settings carry all three lists: one read for them.
		Read:  ReadSpec{Mode: ReadHook, Hook: "authorization"},
		Write: &WriteSpec{Hook: "authorization"},
	}
}

func authzResourceKind() *Kind {
	return &Kind{
		Name: KindAuthzResource, Title: "authorization resource", Plural: "authorizationResources",
		Representation: "ResourceRepresentation", KeyField: "name",
		Parent: KindClient, ParentField: "authorizationResources",
		ServerManaged: []string{"_id", "id", "owner"},
		ListMaps:      []string{"attributes"},
		Defaults:      Object{"ownerManagedAccess": false, "attributes": map[string]any{}},
		// A resource names its scopes.
		DependsOn: []string{KindAuthzScope},
		Endpoints: Endpoints{Create: "{realm}/clients/{parent}/" + AuthorizationPath + "/resource", Item: "{realm}/clients/{parent}/" + AuthorizationPath + "/resource/{id}"},
		Read:      ReadSpec{Mode: ReadEmbedded},
		Write:     &WriteSpec{Hook: "authorization"},
		check:     checkResourceScopes,
		builtIn:   builtInAuthz,
	}
}

func authzPolicyKind() *Kind {
	return &Kind{
		Name: KindAuthzPolicy, Title: "authorization policy", Plural: "authorizationPolicies",
		Representation: "PolicyRepresentation", KeyField: "name",
		Parent: KindClient, ParentField: "authorizationPolicies",
		Required:      []string{"type"},
		ServerManaged: []string{"id", "owner"},
		Enums:         map[string][]string{"logic": {"POSITIVE", "NEGATIVE"}, "decisionStrategy": {"UNANIMOUS", "AFFIRMATIVE", "CONSENSUS"}},
		Defaults:      Object{"logic": "POSITIVE", "decisionStrategy": "UNANIMOUS"},
		// Policies name roles, groups, users and clients, and permissions
		// name resources and scopes: all of them exist first. Aggregates
		// name policies of this kind: apply writes what an aggregate names
		// with it.
		DependsOn: []string{KindAuthzResource, KindAuthzScope, KindRealmRole, KindClientRole, KindGroup, KindUser, KindClientScope},
		Endpoints: Endpoints{Create: "{realm}/clients/{parent}/" + AuthorizationPath + "/policy", Item: "{realm}/clients/{parent}/" + AuthorizationPath + "/policy/{id}"},
		Read:      ReadSpec{Mode: ReadEmbedded},
		Write:     &WriteSpec{Hook: "authorization", Serial: true},
		check:     checkPolicyRefs,
		builtIn:   builtInAuthz,
	}
}

// liftAuthorization moves each client's authorizationSettings lists into
// the client fields of the child kinds, and normalises them; it returns
// where each lifted list was written, for positions.
func liftAuthorization(doc Object) map[string][]string {
	clients, _ := doc["clients"].([]any)
	remap := map[string][]string{}
	for i, item := range clients {
		client, _ := item.(map[string]any)
		settings, ok := client[AuthorizationField].(map[string]any)
		if !ok {
			continue
		}
		for _, l := range authzLists {
			list, present := settings[l.inSettings]
			if !present {
				continue
			}
			delete(settings, l.inSettings)
			client[l.lifted] = list
			remap[pathKey([]string{"clients", fmt.Sprint(i), l.lifted})] = []string{"clients", fmt.Sprint(i), AuthorizationField, l.inSettings}
			items, _ := list.([]any)
			for _, x := range items {
				if obj, ok := x.(map[string]any); ok {
					NormaliseAuthz(l.kind, obj)
				}
			}
		}
		if len(settings) == 0 {
			delete(client, AuthorizationField)
		}
	}
	return remap
}

// lowerAuthorization is liftAuthorization's inverse, for exports.
func lowerAuthorization(doc Object) {
	clients, _ := doc["clients"].([]any)
	for _, item := range clients {
		client, _ := item.(map[string]any)
		for _, l := range authzLists {
			list, ok := client[l.lifted]
			if !ok {
				continue
			}
			delete(client, l.lifted)
			Ensure(client, AuthorizationField)[l.inSettings] = list
		}
	}
}

// NormaliseAuthz brings an authorization object into the form Keycloak
// answers: a resource's scopes as {name} objects in name order, a
// policy's config decoded from JSON text, with its defaults.
func NormaliseAuthz(kind string, obj map[string]any) {
	switch kind {
	case KindAuthzResource:
		if scopes, ok := obj["scopes"].([]any); ok {
			out := make([]any, 0, len(scopes))
			for _, s := range scopes {
				if name, isName := s.(string); isName {
					s = map[string]any{"name": name}
				}
				if m, isMap := s.(map[string]any); isMap {
					out = append(out, map[string]any{"name": m["name"]})
				}
			}
			sortByJSON(out)
			obj["scopes"] = out
		}
	case KindAuthzPolicy:
		cfg, ok := obj["config"].(map[string]any)
		if !ok {
			return
		}
		for key, v := range cfg {
			cfg[key] = normaliseConfigValue(key, v)
		}
	}
}

// The policy config entries whose items are objects with a defaulted
// flag, and the item field a bare name stands for.
var configItemDefaults = map[string]struct {
	name string
	flag string
}{
	"roles":        {"id", "required"},
	"clientScopes": {"id", "required"},
	"groups":       {"path", "extendChildren"},
}

func normaliseConfigValue(key string, v any) any {
	if s, ok := v.(string); ok {
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
			var decoded any
			if json.Unmarshal([]byte(t), &decoded) == nil {
				v = decoded
			}
		}
	}
	list, ok := v.([]any)
	if !ok {
		return v
	}
	if d, has := configItemDefaults[key]; has {
		for i, x := range list {
			if name, isName := x.(string); isName {
				x = map[string]any{d.name: name}
			}
			if m, isMap := x.(map[string]any); isMap {
				if _, set := m[d.flag]; !set {
					m[d.flag] = false
				}
				list[i] = m
			}
		}
	}
	sortByJSON(list)
	return list
}

// sortByJSON orders a set by each item's JSON text: deterministic for
// objects and scalars alike.
func sortByJSON(list []any) {
	sort.SliceStable(list, func(i, j int) bool {
		a, _ := json.Marshal(list[i])
		b, _ := json.Marshal(list[j])
		return string(a) < string(b)
	})
}

// PolicyConfigForWire encodes a policy's config as Keycloak's import
// takes it: lists and objects as JSON text, scalars as strings.
func PolicyConfigForWire(cfg map[string]any) map[string]any {
	out := map[string]any{}
	for key, v := range cfg {
		switch v.(type) {
		case []any, map[string]any:
			b, _ := json.Marshal(v)
			out[key] = string(b)
		default:
			out[key] = ScalarString(v)
		}
	}
	return out
}

// PolicyRefs are the policies a policy's config names (an aggregate's or
// a permission's applyPolicies).
func PolicyRefs(fields Object) []string {
	cfg, _ := fields["config"].(map[string]any)
	names, _ := cfg["applyPolicies"].([]any)
	var out []string
	for _, n := range names {
		out = append(out, fmt.Sprint(n))
	}
	return out
}

// checkResourceScopes: a resource's scopes are the client's, declared.
func checkResourceScopes(r *Realm, e *Entity) []Problem {
	scopes, _ := e.Fields["scopes"].([]any)
	var out []Problem
	for _, s := range scopes {
		m, _ := s.(map[string]any)
		name := fmt.Sprint(m["name"])
		if r.Get(KindAuthzScope, ChildKey(e.Parent, name)) == nil {
			out = append(out, Problem{Field: "scopes", Message: fmt.Sprintf("authorization scope %q is not declared in client %q's authorizationSettings.scopes%s", name, e.Parent, suggestName(name, childNames(r, KindAuthzScope, e.Parent)))})
		}
	}
	return out
}

// checkPolicyRefs: what a policy or permission names within the client
// (policies, resources, scopes) is declared there, and its type is known.
func checkPolicyRefs(r *Realm, e *Entity) []Problem {
	var out []Problem
	typ, _ := e.Fields["type"].(string)
	if !contains(PolicyTypes, typ) && !strings.HasSuffix(typ, ".js") && !builtInAuthz("", e.Key) {
		out = append(out, Problem{Field: "type", Message: fmt.Sprintf("policy type %q is none of Keycloak's (%s) nor a deployed JavaScript policy (<file>.js)%s", typ, strings.Join(PolicyTypes, ", "), suggestName(typ, PolicyTypes))})
	}
	cfg, _ := e.Fields["config"].(map[string]any)
	for _, ref := range []struct{ key, kind string }{{"applyPolicies", KindAuthzPolicy}, {"resources", KindAuthzResource}, {"scopes", KindAuthzScope}} {
		names, _ := cfg[ref.key].([]any)
		for _, n := range names {
			name := fmt.Sprint(n)
			if name == ChildName(e.Key) && ref.kind == KindAuthzPolicy {
				out = append(out, Problem{Field: "config." + ref.key, Message: "a policy cannot apply itself"})
				continue
			}
			if r.Get(ref.kind, ChildKey(e.Parent, name)) == nil {
				out = append(out, Problem{Field: "config." + ref.key, Message: fmt.Sprintf("%s %q is not declared in client %q's authorizationSettings%s", KindByName(ref.kind).Title, name, e.Parent, suggestName(name, childNames(r, ref.kind, e.Parent)))})
			}
		}
	}
	return out
}

// builtInAuthz reports the objects Keycloak 24 and 25 make with a new
// resource server (a JavaScript "Default Policy" granting everything, the
// "Default Resource" and the "Default Permission" joining them): merged
// into where the files say them, never created or deleted, not exported.
func builtInAuthz(_, key string) bool {
	switch ChildName(key) {
	case "Default Resource", "Default Policy", "Default Permission":
		return true
	}
	return false
}

func childNames(r *Realm, kind, parent string) []string {
	var out []string
	for _, e := range r.Sorted(kind) {
		if e.Parent == parent {
			out = append(out, ChildName(e.Key))
		}
	}
	return out
}
