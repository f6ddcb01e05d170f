package model

// User federation in a flat shape: a provider's settings are named, typed
// fields (Keycloak's own config keys, schema/federation.go) instead of a
// component's config of string lists, and its LDAP mappers are listed
// under it by name. The wire is the component form: ToWire compiles a
// write into it, and federationFromComponent reads it back, so diff,
// plans and exports all see the flat shape.

import (
	"fmt"
	"strconv"

	"github.com/realmsync/realmsync/internal/schema"
)

// Kind names and the realm-document field of user federation.
const (
	KindFederation       = "userFederation"
	KindFederationMapper = "userFederationMapper"
	FederationField      = "userFederation"
	// BindCredentialField is the provider's directory password.
	BindCredentialField = "bindCredential"
)

// FederationEnums are the provider fields that take one of a few values.
var FederationEnums = map[string][]string{
	"providerId":       {"ldap", "kerberos"},
	"editMode":         {"READ_ONLY", "WRITABLE", "UNSYNCED"},
	"vendor":           {"ad", "rhds", "tivoli", "edirectory", "other"},
	"authType":         {"none", "simple"},
	"useTruststoreSpi": {"always", "never", "ldapsOnly"},
	"referral":         {"ignore", "follow", "throw"},
	"cachePolicy":      {"DEFAULT", "EVICT_DAILY", "EVICT_WEEKLY", "MAX_LIFESPAN", "NO_CACHE"},
}

var federationMapperEnums = map[string][]string{
	"providerId": {"user-attribute-ldap-mapper", "full-name-ldap-mapper", "group-ldap-mapper", "role-ldap-mapper",
		"hardcoded-ldap-attribute-mapper", "hardcoded-ldap-role-mapper", "hardcoded-ldap-group-mapper",
		"hardcoded-attribute-mapper", "certificate-ldap-mapper", "msad-user-account-control-mapper",
		"msad-lds-user-account-control-mapper", "kerberos-principal-attribute-mapper"},
	"mode": {"READ_ONLY", "LDAP_ONLY", "IMPORT"},
	"user.roles.retrieve.strategy": {"LOAD_GROUPS_BY_MEMBER_ATTRIBUTE", "GET_GROUPS_FROM_USER_MEMBEROF_ATTRIBUTE", "LOAD_GROUPS_BY_MEMBER_ATTRIBUTE_RECURSIVELY",
		"LOAD_ROLES_BY_MEMBER_ATTRIBUTE", "GET_ROLES_FROM_USER_MEMBEROF_ATTRIBUTE", "LOAD_ROLES_BY_MEMBER_ATTRIBUTE_RECURSIVELY"},
	"membership.attribute.type": {"DN", "UID"},
}

// componentFields are a component's own fields; everything else in the
// flat shape is a config key.
var componentFields = map[string]bool{"name": true, "providerId": true, "id": true, "parentId": true, "providerType": true, "subType": true}

// federationKind: user storage providers (LDAP, Kerberos), by name.
// Keycloak answers the bind credential masked: it is write-only, tracked
// by digest, and sent only when the files change it.
func federationKind() *Kind {
	return &Kind{
		Name: KindFederation, Title: "user federation provider", Plural: "userFederation",
		Representation: schema.FederationProvider, KeyField: "name",
		RealmPath: FederationField, WireType: UserStorageType,
		Required:  []string{"providerId"},
		Enums:     FederationEnums,
		Secrets:   []string{BindCredentialField},
		WriteOnly: []string{BindCredentialField},
		ListMaps:  []string{"config"},
		// lastSync is the time of the last user sync, which Keycloak
		// writes itself.
		ServerManaged: []string{"id", "parentId", "providerType", "lastSync"},
		Endpoints:     Endpoints{Create: ComponentsPath, Item: ComponentsPath + "/{id}", FindQuery: "name"},
		Read:          ReadSpec{Mode: ReadEmbedded},
		ExportTo:      "user-federation/",
		wire:          federationToComponent,
		check:         checkFederation,
		cascade: func(live *Realm, l *Entity) (int, string) {
			if n := live.ImportedUsers[l.ID]; n > 0 {
				return n, fmt.Sprintf("Keycloak deletes the %d users imported from it", n)
			}
			return 0, ""
		},
		blocked: func(desired, live *Realm, l *Entity) string {
			if why := live.Unreadable[KindUser]; why != "" {
				return fmt.Sprintf("user federation provider %q is not declared, but deleting it would delete the users imported from it, which cannot be counted: %s", l.Key, why)
			}
			n := live.ImportedUsers[l.ID]
			if n == 0 || desired.Policy(KindUser) != PolicyNone {
				return ""
			}
			return fmt.Sprintf("user federation provider %q is not declared, but deleting it deletes the %d users imported from it, and the users' deletion policy is none: declare the provider again, or set realmsync.deletionPolicy.users (owned or full) to allow it", l.Key, n)
		},
	}
}

// federationMapperKind: an LDAP provider's mappers, by name. Keycloak
// makes some itself with a new provider (username, email, ...): a
// declared one of the same name is that one, updated.
func federationMapperKind() *Kind {
	return &Kind{
		Name: KindFederationMapper, Title: "user federation mapper", Plural: "userFederationMappers",
		Representation: schema.FederationMapper, KeyField: "name",
		Parent: KindFederation, ParentField: "mappers", WireType: LDAPMapperType,
		ParentIDField: "parentId", AdoptOnCreate: true,
		Required:      []string{"providerId"},
		Enums:         federationMapperEnums,
		ListMaps:      []string{"config"},
		ServerManaged: []string{"id", "parentId", "providerType"},
		Endpoints:     Endpoints{Create: ComponentsPath, Item: ComponentsPath + "/{id}", FindQuery: "name"},
		Read:          ReadSpec{Mode: ReadEmbedded},
		wire:          federationToComponent,
	}
}

// checkFederation: the values Keycloak takes as numbers with a meaning.
func checkFederation(_ *Realm, e *Entity) []Problem {
	var out []Problem
	if v, ok := e.Fields["searchScope"].(float64); ok && v != 1 && v != 2 {
		out = append(out, Problem{Field: "searchScope", Message: fmt.Sprintf("is %v; Keycloak knows 1 (one level) and 2 (subtree)", v)})
	}
	for _, f := range []string{"evictionDay", "evictionHour", "evictionMinute"} {
		limit := map[string]float64{"evictionDay": 7, "evictionHour": 23, "evictionMinute": 59}[f]
		low := map[string]float64{"evictionDay": 1}[f]
		if v, ok := e.Fields[f].(float64); ok && v != -1 && (v < low || v > limit) {
			out = append(out, Problem{Field: f, Message: fmt.Sprintf("is %v; Keycloak takes %v to %v", v, low, limit)})
		}
	}
	return out
}

// federationToComponent compiles a write in the flat shape into a
// component's body: component fields stay, every other field is a config
// key with its value as a list of strings, and the raw config map joins
// them.
func federationToComponent(fields Object) Object {
	out := Object{}
	config := map[string]any{}
	if raw, ok := fields["config"].(map[string]any); ok {
		for k, v := range raw {
			config[k] = wireList(v)
		}
	}
	for f, v := range fields {
		switch {
		case componentFields[f]:
			out[f] = v
		case f == "config" || f == "mappers":
		default:
			config[f] = wireList(v)
		}
	}
	out["config"] = config
	return out
}

// wireList is a value as a component's config holds it.
func wireList(v any) []any {
	switch t := v.(type) {
	case nil:
		return []any{}
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = ScalarString(x)
		}
		return out
	}
	return []any{ScalarString(v)}
}

// federationFromComponent reads a user storage component (and its LDAP
// mapper sub-components) into the flat shape: config keys the schema
// names become typed fields, others stay in config as Keycloak keeps them.
func federationFromComponent(obj map[string]any) Object {
	out := flatten(obj, schema.FederationProvider)
	if sub, ok := obj["subComponents"].(map[string]any); ok {
		if list, ok := sub[LDAPMapperType].([]any); ok {
			mappers := make([]any, 0, len(list))
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					mappers = append(mappers, flatten(m, schema.FederationMapper))
				}
			}
			out["mappers"] = mappers
		}
	}
	return out
}

func flatten(obj map[string]any, representation string) Object {
	out := Object{}
	for f, v := range obj {
		if componentFields[f] {
			out[f] = v
		}
	}
	config, _ := obj["config"].(map[string]any)
	raw := map[string]any{}
	for _, key := range SortedKeys(config) {
		list, _ := config[key].([]any)
		if !schema.HasField(representation, key) || componentFields[key] || key == "config" || key == "mappers" {
			raw[key] = config[key]
			continue
		}
		if v, ok := typedValue(representation, key, list); ok {
			out[key] = v
		}
	}
	if len(raw) > 0 {
		out["config"] = raw
	}
	return out
}

// typedValue is a config value as the schema types its key: a boolean or
// a number where the text is one, the text itself otherwise (a list when
// several). An empty text of a boolean or number field says nothing (the
// admin console sends "" for a timeout left blank): ok is false.
func typedValue(representation, key string, list []any) (any, bool) {
	if len(list) != 1 {
		return list, true
	}
	s := ScalarString(list[0])
	f, _ := schema.FieldType(representation, key)
	switch f {
	case "Boolean":
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		case "":
			return nil, false
		}
	case "Integer":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return float64(n), true
		}
		if s == "" {
			return nil, false
		}
	}
	return s, true
}
