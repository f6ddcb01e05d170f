package model

import (
	"strings"

	"github.com/realmsync/realmsync/internal/schema"
)

// WholeMap is a map field (attributes) whose keys, once the desired state
// writes the field down, are the whole truth: a key the server has and the
// file does not is removed. Keys the server writes itself are never the
// file's to remove.
type WholeMap struct {
	Field string
	// ServerKeys reports keys Keycloak fills in or mirrors from other
	// fields (a realm's clientSessionIdleTimeout, a client's
	// realm_client): they are neither removed nor exported.
	ServerKeys func(key string) bool
}

// WholeMapFor returns the whole-map rule of field for the object key, or
// nil when the field merges key by key: built-in objects are Keycloak's,
// and a file that mentions one attribute of account-console must not strip
// the others.
func (k *Kind) WholeMapFor(realm, key, field string) *WholeMap {
	if k.BuiltIn(realm, key) {
		return nil
	}
	for i := range k.WholeMaps {
		if k.WholeMaps[i].Field == field {
			return &k.WholeMaps[i]
		}
	}
	return nil
}

// ForeignState is other tools' bookkeeping in realm attributes, by the
// name --drop-foreign-state takes: keycloak-config-cli's import checksums
// and records of what it created. No file owns it: a realm file that
// writes attributes down never removes it, and a migration removes it only
// when asked (Entity.DropPrefixes).
var ForeignState = map[string]string{"kcc": "de.adorsys.keycloak.config."}

func foreignKey(key string) bool {
	for _, p := range ForeignState {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Owns reports whether key of the map is the file's to keep or remove.
func (w *WholeMap) Owns(k *Kind, key string) bool {
	if strings.HasPrefix(key, ToolPrefix) || foreignKey(key) || k.isServerManaged(w.Field+"."+key) {
		return false
	}
	return w.ServerKeys == nil || !w.ServerKeys(key)
}

// MapRemovals lists, for each whole map the desired object writes down,
// the keys of the live object's map that it omits: a sync removes them.
// live is the live object's fields or a fresh GET of it.
func (k *Kind) MapRemovals(realm string, desired *Entity, live Object) map[string][]string {
	var out map[string][]string
	for _, f := range SortedKeys(desired.Fields) {
		w := k.WholeMapFor(realm, desired.Key, f)
		want, ok := desired.Fields[f].(map[string]any)
		if w == nil || !ok {
			continue
		}
		have, _ := live[f].(map[string]any)
		for _, key := range SortedKeys(have) {
			if _, kept := want[key]; !kept && w.Owns(k, key) && !blank(have[key]) {
				if out == nil {
					out = map[string][]string{}
				}
				out[f] = append(out[f], key)
			}
		}
	}
	for _, w := range k.WholeMaps {
		if len(desired.DropPrefixes) == 0 {
			break
		}
		have, _ := live[w.Field].(map[string]any)
		for _, key := range SortedKeys(have) {
			for _, p := range desired.DropPrefixes {
				if strings.HasPrefix(key, p) && !contains(out[w.Field], key) {
					if out == nil {
						out = map[string][]string{}
					}
					out[w.Field] = append(out[w.Field], key)
				}
			}
		}
	}
	return out
}

// RemoveMapKey removes key from the map field of a request body the way
// the server understands: a string map (clients, client scopes, the realm)
// keeps a key the PUT leaves out, so it is sent as null; a list map
// (groups, roles, users) is replaced whole, and a null there is a 500.
func (k *Kind) RemoveMapKey(body Object, field, key string) {
	m, ok := body[field].(map[string]any)
	if !ok {
		return
	}
	if contains(k.StringMaps, field) {
		m[key] = nil
		return
	}
	delete(m, key)
}

// OwnedPart is the part of a whole map an export writes: every key but
// the server's.
func (w *WholeMap) OwnedPart(k *Kind, m map[string]any) map[string]any {
	out := map[string]any{}
	for key, v := range m {
		if w.Owns(k, key) && !blank(v) {
			out[key] = DeepCopy(v)
		}
	}
	return out
}

// blank values are what Keycloak keeps for a key set to "" (the admin
// console leaves frontendUrl so): the same as no key, to remove or export.
func blank(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0 || len(t) == 1 && t[0] == ""
	}
	return false
}

func (k *Kind) isServerManaged(path string) bool { return contains(k.ServerManaged, path) }

// realmServerKey reports realm attributes Keycloak keeps for itself: the
// settings it stores as attributes under their own field names
// (clientSessionIdleTimeout, ...) and the defaults it writes into every
// realm (CIBA, device grant and PAR lifespans, ...). A PUT whose attributes
// leave a mirrored setting out resets it, so realmsync never removes one.
func realmServerKey(key string) bool {
	if schema.HasField("RealmRepresentation", key) {
		return true
	}
	for _, p := range []string{"ciba", "oauth2Device", "parRequestUri", "_browser_header.", "client-policies."} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return contains([]string{"realmReusableOtpCode", "scimApiEnabled", "userProfileEnabled"}, key) || pluginRealmAttribute(key)
}

// clientServerKey reports client attributes Keycloak writes into every
// new client.
func clientServerKey(key string) bool {
	switch key {
	case "realm_client",
		// Keycloak 26 gives every client these, and gives them back
		// when they are removed.
		"backchannel.logout.session.required", "backchannel.logout.revoke.offline.tokens":
		return true
	}
	return false
}

// userServerKey reports user attributes a user storage provider writes
// (LDAP and Kerberos links): they come with the federation, not the file.
func userServerKey(key string) bool {
	return contains([]string{"LDAP_ID", "LDAP_ENTRY_DN", "KERBEROS_PRINCIPAL", "createTimestamp", "modifyTimestamp"}, key)
}

// groupServerKey reports group attributes a plugin writes: the
// group-management plugin's defaultConfiguration holds a server id.
func groupServerKey(key string) bool { return key == "defaultConfiguration" }
