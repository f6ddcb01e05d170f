package fakekc

// Keycloak's behaviour per kind, as far as the tests need it, each rule as
// observed on Keycloak 26 (see ../shared/notes/keycloak-admin-api.md):
// what a new realm holds, what the server fills into new objects, how a
// PUT treats attributes, what GET derives.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// mirroredRealmSettings are realm settings Keycloak stores as realm
// attributes: a PUT whose attributes leave one out resets the setting.
var mirroredRealmSettings = []string{"clientSessionIdleTimeout", "clientSessionMaxLifespan",
	"clientOfflineSessionIdleTimeout", "clientOfflineSessionMaxLifespan"}

// serverRealmAttributes puts back the attributes Keycloak writes into
// every realm (and restores after every PUT).
func serverRealmAttributes(attrs map[string]any) {
	for k, v := range map[string]string{"cibaBackchannelTokenDeliveryMode": "poll", "cibaExpiresIn": "120",
		"cibaInterval": "5", "cibaAuthRequestedUserHint": "login_hint", "parRequestUriLifespan": "60",
		"oauth2DeviceCodeLifespan": "600", "oauth2DevicePollingInterval": "5"} {
		if _, ok := attrs[k]; !ok {
			attrs[k] = v
		}
	}
}

// mirrorRealmSettings keeps top-level settings and their attribute copies
// in step as Keycloak's realm PUT does: the attributes are replaced
// first, then each setting the body carries writes its attribute; a
// setting the body leaves out takes its attribute's value, or 0 when the
// attributes sent leave it out too (the trap a sparse PUT falls into).
func mirrorRealmSettings(rep, body map[string]any, attributesSent bool) {
	attrs := rep["attributes"].(map[string]any)
	for _, f := range mirroredRealmSettings {
		if v, ok := body[f]; ok && v != nil {
			if n, _ := v.(float64); n != 0 {
				attrs[f] = model.ScalarString(v)
			} else {
				delete(attrs, f)
			}
			continue
		}
		if !attributesSent {
			continue
		}
		var n float64
		if v, ok := attrs[f]; ok {
			_, _ = fmt.Sscan(fmt.Sprint(v), &n)
		}
		rep[f] = n
	}
}

func defaultProfile() map[string]any {
	var attrs []any
	for _, name := range []string{"username", "email", "firstName", "lastName"} {
		attrs = append(attrs, map[string]any{"name": name, "displayName": "${" + name + "}"})
	}
	return map[string]any{"attributes": attrs, "groups": []any{map[string]any{"name": "user-metadata"}}}
}

// builtIns makes what Keycloak puts into a new realm: default roles, the
// built-in clients with some of their roles, and the default client
// scopes.
func (s *Server) builtIns(rl *realm) {
	roles := model.KindByName(model.KindRealmRole)
	clientRoles := model.KindByName(model.KindClientRole)
	clients := model.KindByName(model.KindClient)
	scopes := model.KindByName(model.KindClientScope)
	mk := func(k *model.Kind, parent string, rep map[string]any) *object {
		o := &object{kind: k, id: s.newID(), parent: parent, rep: rep, refs: map[string][]string{}}
		rl.add(o)
		return o
	}
	// The built-in flows, without their steps (a realm's own are a few
	// dozen executions no test here looks at).
	flows := model.KindByName(model.KindFlow)
	for _, alias := range model.BuiltInFlows {
		provider := "basic-flow"
		if alias == "clients" {
			provider = "client-flow"
		}
		mk(flows, "", map[string]any{"alias": alias, "providerId": provider, "topLevel": true, "builtIn": true})
	}
	offline := mk(roles, "", map[string]any{"name": "offline_access", "description": "${role_offline-access}"})
	uma := mk(roles, "", map[string]any{"name": "uma_authorization", "description": "${role_uma_authorization}"})
	def := mk(roles, "", map[string]any{"name": model.DefaultRoleName(rl.name()), "description": "${role_default-roles}"})
	def.refs["composites"] = []string{offline.id, uma.id}
	if rl.name() == "master" {
		mk(roles, "", map[string]any{"name": "admin"})
		mk(roles, "", map[string]any{"name": "create-realm"})
	}
	for _, c := range []struct {
		id    string
		attrs map[string]any
		roles []string
	}{
		{"account", map[string]any{"post.logout.redirect.uris": "+"}, []string{"manage-account", "view-profile"}},
		{"account-console", map[string]any{"post.logout.redirect.uris": "+", "pkce.code.challenge.method": "S256"}, nil},
		{"admin-cli", map[string]any{}, nil},
		{"broker", map[string]any{}, []string{"read-token"}},
		{"realm-management", map[string]any{}, []string{"manage-realm", "realm-admin", "view-users"}},
		{"security-admin-console", map[string]any{"post.logout.redirect.uris": "+", "pkce.code.challenge.method": "S256"}, nil},
	} {
		client := mk(clients, "", map[string]any{"clientId": c.id, "enabled": true, "publicClient": c.id != "broker" && c.id != "realm-management",
			"bearerOnly": c.id == "broker" || c.id == "realm-management", "protocol": "openid-connect", "attributes": withRealmClient(c.attrs, false)})
		for _, name := range c.roles {
			role := mk(clientRoles, client.id, map[string]any{"name": name})
			if c.id == "account" {
				def.refs["composites"] = append(def.refs["composites"], role.id)
			}
		}
	}
	for i, name := range []string{"acr", "basic", "email", "profile", "roles", "web-origins", "address", "microprofile-jwt", "offline_access", "phone", "service_account"} {
		scope := mk(scopes, "", map[string]any{"name": name, "protocol": "openid-connect", "attributes": map[string]any{"include.in.token.scope": "true"}})
		switch {
		case i < 6:
			rl.obj.refs["default-default-client-scopes"] = append(rl.obj.refs["default-default-client-scopes"], scope.id)
		case name != "service_account": // given to clients with a service account, not by default
			rl.obj.refs["default-optional-client-scopes"] = append(rl.obj.refs["default-optional-client-scopes"], scope.id)
		}
	}
}

func withRealmClient(attrs map[string]any, realmClient bool) map[string]any {
	out := copyObject(attrs)
	out["realm_client"] = fmt.Sprint(realmClient)
	return out
}

// onCreate completes a new object as Keycloak does.
func (s *Server) onCreate(rl *realm, o *object, body map[string]any) error {
	k := o.kind
	stringMaps(o)
	switch k.Name {
	case model.KindClientScope, model.KindClient:
		delete(o.rep, "protocolMappers")
		mapperKind := model.KindByName(model.KindScopeMapper)
		if k.Name == model.KindClient {
			mapperKind = model.KindByName(model.KindClientMap)
		}
		mappers, _ := body["protocolMappers"].([]any)
		for _, m := range mappers {
			if mm, ok := m.(map[string]any); ok {
				if _, err := s.createObject(rl, mapperKind, o.id, mm); err != nil {
					return err
				}
			}
		}
	}
	switch k.Name {
	case model.KindFederatedID:
		if rl.byKey(model.KindByName(model.KindIdP), "", fmt.Sprint(o.rep["identityProvider"])) == nil {
			return notFound("Could not find identity provider")
		}
	case model.KindClient:
		if uris, _ := o.rep["redirectUris"].([]any); len(uris) > 0 {
			for _, u := range uris {
				if strings.HasPrefix(strings.ToLower(fmt.Sprint(u)), "javascript:") {
					return badRequest("Invalid redirect uri: illegal scheme")
				}
			}
		}
		attrs, _ := o.rep["attributes"].(map[string]any)
		o.rep["attributes"] = withRealmClient(attrs, false)
		if _, ok := o.rep["protocol"]; !ok {
			o.rep["protocol"] = "openid-connect"
		}
		confidential := o.rep["publicClient"] != true && o.rep["bearerOnly"] != true
		if s, _ := o.rep["secret"].(string); s == "" && confidential {
			o.rep["secret"] = "generated-" + o.id
		}
		for _, c := range []struct{ field, realmDefaults string }{
			{"defaultClientScopes", "default-default-client-scopes"}, {"optionalClientScopes", "default-optional-client-scopes"},
		} {
			rel := k.Relation(c.field)
			if names, ok := body[c.field].([]any); ok {
				for _, n := range names {
					if scope := rl.byKey(model.KindByName(model.KindClientScope), "", fmt.Sprint(n)); scope != nil {
						o.refs[rel.Collection] = append(o.refs[rel.Collection], scope.id)
					}
				}
			} else {
				o.refs[rel.Collection] = append([]string(nil), rl.obj.refs[c.realmDefaults]...)
			}
		}
		s.serviceAccountFollows(rl, o)
	case model.KindUser:
		o.rep["createdTimestamp"] = float64(1700000000000)
		o.rep["enabled"] = o.rep["enabled"] == true || o.rep["enabled"] == nil
		if e, ok := o.rep["email"].(string); ok {
			o.rep["email"] = strings.ToLower(e)
		}
		delete(o.rep, "credentials")
		keepProfileAttributes(rl, o)
		if def := rl.byKey(model.KindByName(model.KindRealmRole), "", model.DefaultRoleName(rl.name())); def != nil {
			o.refs["role-mappings"] = []string{def.id}
		}
	}
	return nil
}

// onUpdate applies a PUT. Fields the body carries overwrite; the others
// stay. Attributes follow Keycloak's rules per map kind.
func (s *Server) onUpdate(rl *realm, o *object, body map[string]any) error {
	k := o.kind
	for f, v := range body {
		switch {
		case f == k.KeyField && (k.Name == model.KindFlow || k.Name == model.KindAuthConfig):
			if err := renameByAlias(rl, o, v); err != nil {
				return err
			}
		case f == "id" || f == k.KeyField || k.IsRelation(f) || f == "protocolMappers" || contains(k.ServerManaged, f):
		case f == "attributes":
			o.rep[f] = mergedAttributes(k, o.rep[f], v)
		case f == "config" && k.Name == model.KindIdP:
			cfg := copyObject(asMap(v))
			if cfg["clientSecret"] == model.MaskedSecret {
				cfg["clientSecret"] = asMap(o.rep["config"])["clientSecret"]
			}
			o.rep[f] = cfg
		default:
			o.rep[f] = v
		}
	}
	stringMaps(o)
	switch k.Name {
	case model.KindClient:
		attrs, _ := o.rep["attributes"].(map[string]any)
		if _, ok := attrs["realm_client"]; !ok {
			o.rep["attributes"] = withRealmClient(attrs, false)
		}
		s.serviceAccountFollows(rl, o)
	case model.KindUser:
		keepProfileAttributes(rl, o)
	}
	return nil
}

// renameByAlias renames a flow or a config, as Keycloak does on a PUT.
// Keycloak keeps flow bindings by id, which the fake keeps by alias: they
// follow the flow's new alias.
func renameByAlias(rl *realm, o *object, v any) error {
	alias, _ := v.(string)
	old, _ := o.rep["alias"].(string)
	if alias == "" || alias == old {
		return nil
	}
	if o.kind.Name != model.KindFlow {
		o.rep["alias"] = alias
		return nil
	}
	if rl.flowByAlias(alias) != nil {
		return conflict("Flow alias name already exists")
	}
	o.rep["alias"] = alias
	for _, k := range model.Kinds() {
		for _, f := range k.FlowFields {
			reps := []map[string]any{rl.obj.rep}
			if !k.Root {
				reps = nil
				for _, x := range rl.ofKindAll(k) {
					reps = append(reps, x.rep)
				}
			}
			for _, rep := range reps {
				if rep[f] == old {
					rep[f] = alias
				}
			}
		}
	}
	return nil
}

// mergedAttributes is a map after a PUT: a string map (clients, client
// scopes) merges key by key and a null removes a key (so does "" on a
// client); a list map (groups, roles, users) is replaced whole.
func mergedAttributes(k *model.Kind, have, sent any) any {
	in, ok := sent.(map[string]any)
	if !ok {
		return have
	}
	if !contains(k.StringMaps, "attributes") {
		return copyObject(in)
	}
	out := copyObject(asMap(have))
	for key, v := range in {
		if v == nil || (v == "" && k.Name == model.KindClient) {
			delete(out, key)
			continue
		}
		out[key] = v
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// stringMaps stores string maps as strings and list maps as lists of
// strings, as Keycloak's representations are typed.
func stringMaps(o *object) {
	for _, f := range o.kind.StringMaps {
		if m, ok := o.rep[f].(map[string]any); ok {
			for k, v := range m {
				if v != nil {
					m[k] = model.ScalarString(v)
				}
			}
		}
	}
	for _, f := range o.kind.ListMaps {
		if m, ok := o.rep[f].(map[string]any); ok {
			for k, v := range m {
				list, isList := v.([]any)
				if !isList {
					list = []any{v}
				}
				out := make([]any, len(list))
				for i, x := range list {
					out[i] = model.ScalarString(x)
				}
				m[k] = out
			}
		}
	}
}

// keepProfileAttributes drops user attributes the user profile does not
// declare, unless its unmanagedAttributePolicy keeps them (Keycloak 24+
// drops them silently).
func keepProfileAttributes(rl *realm, o *object) {
	attrs, ok := o.rep["attributes"].(map[string]any)
	if !ok {
		return
	}
	profile := rl.singletons[model.KindUserProfile]
	switch profile["unmanagedAttributePolicy"] {
	case "ENABLED", "ADMIN_EDIT":
		return
	}
	// With internationalization on, the user's locale is kept too.
	declared := map[string]bool{"locale": rl.obj.rep["internationalizationEnabled"] == true}
	list, _ := profile["attributes"].([]any)
	for _, a := range list {
		if m, ok := a.(map[string]any); ok {
			declared[fmt.Sprint(m["name"])] = true
		}
	}
	for name := range attrs {
		if !declared[name] {
			delete(attrs, name)
		}
	}
}

// serviceAccountFollows makes or removes a client's service-account user
// as its serviceAccountsEnabled says.
func (s *Server) serviceAccountFollows(rl *realm, client *object) {
	sa := serviceAccountOf(rl, client)
	switch enabled := client.rep["serviceAccountsEnabled"] == true; {
	case enabled && sa == nil:
		// Keycloak 26 gives the client the service_account scope.
		scopes := model.KindByName(model.KindClient).Relation("defaultClientScopes").Collection
		if scope := rl.byKey(model.KindByName(model.KindClientScope), "", "service_account"); scope != nil && !contains(client.refs[scopes], scope.id) {
			client.refs[scopes] = append(client.refs[scopes], scope.id)
		}
		users := model.KindByName(model.KindUser)
		u := &object{kind: users, id: s.newID(), refs: map[string][]string{}, rep: map[string]any{
			"username": "service-account-" + strings.ToLower(fmt.Sprint(client.rep["clientId"])), "enabled": true,
			"serviceAccountClientId": client.id, "createdTimestamp": float64(1700000000000)}}
		rl.add(u)
		if def := rl.byKey(model.KindByName(model.KindRealmRole), "", model.DefaultRoleName(rl.name())); def != nil {
			u.refs["role-mappings"] = []string{def.id}
		}
	case !enabled && sa != nil:
		s.deleteObject(rl, sa)
	}
}

func serviceAccountOf(rl *realm, client *object) *object {
	for _, u := range rl.ofKind(model.KindByName(model.KindUser), "") {
		if u.rep["serviceAccountClientId"] == client.id {
			return u
		}
	}
	return nil
}

// listed applies a list's search parameters.
func listed(rl *realm, o *object, q map[string][]string) bool {
	get := func(name string) string {
		if v := q[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch o.kind.Name {
	case model.KindFlow:
		if o.rep["topLevel"] == false {
			return false // the flows' list has top-level flows only
		}
	case model.KindClient:
		if cid := get("clientId"); cid != "" && o.rep["clientId"] != cid {
			return false
		}
	case model.KindUser:
		if _, sa := o.rep["serviceAccountClientId"]; sa && get("username") == "" {
			return false // the user list leaves service accounts out; a username search finds them
		}
		if name := get("username"); name != "" {
			have := fmt.Sprint(o.rep["username"])
			if get("exact") == "true" && have != strings.ToLower(name) || !strings.Contains(have, strings.ToLower(name)) {
				return false
			}
		}
		if alias := get("idpAlias"); alias != "" {
			return rl.byKey(model.KindByName(model.KindFederatedID), o.id, alias) != nil
		}
	}
	return true
}

// represent is an object as GET answers it: the stored fields and what
// Keycloak derives (ids, paths, flags, embedded mappers, references the
// representation carries).
func (rl *realm) represent(o *object, full bool) map[string]any {
	rep := copyObject(o.rep)
	switch {
	case o.kind.KeyIsID:
		rep["internalId"] = "internal-" + o.id
	case o.kind.Name != model.KindFederatedID:
		rep["id"] = o.id
	}
	switch o.kind.Name {
	case model.KindIdP:
		// Keycloak masks a provider's client secret; writing the mask
		// back keeps the stored one (onUpdate).
		if cfg, ok := rep["config"].(map[string]any); ok && cfg["clientSecret"] != nil {
			cfg["clientSecret"] = model.MaskedSecret
		}
	case model.KindClientScope, model.KindClient:
		mapperKind := model.KindScopeMapper
		if o.kind.Name == model.KindClient {
			mapperKind = model.KindClientMap
		}
		var mappers []any
		for _, m := range rl.ofKind(model.KindByName(mapperKind), o.id) {
			mappers = append(mappers, rl.represent(m, true))
		}
		if len(mappers) > 0 {
			rep["protocolMappers"] = mappers
		}
		for _, rel := range o.kind.Relations {
			if rel.ReadFrom == model.ReadInOwner {
				rep[rel.Field] = sortedNames(rl.objectsOf(o.refs[rel.Collection]), "name")
			}
		}
	case model.KindRealmRole, model.KindClientRole:
		rep["composite"] = len(o.refs["composites"]) > 0
		rep["clientRole"] = o.parent != ""
		rep["containerId"] = o.parent
		if o.parent == "" {
			rep["containerId"] = rl.obj.id
		}
		if !full {
			delete(rep, "attributes")
		}
	case model.KindUser:
		if !full {
			for f := range rep {
				if !slices.Contains(o.kind.Read.Brief, f) {
					delete(rep, f)
				}
			}
		}
	case model.KindGroup:
		rep["path"] = groupPath(rl, o)
		rep["subGroupCount"] = float64(len(rl.ofKind(o.kind, o.id)))
		if o.parent != "" {
			rep["parentId"] = o.parent
		}
		if full {
			m := mappingsOf(rl, o.refs["role-mappings"])
			if realm, ok := m["realmMappings"].([]any); ok {
				rep["realmRoles"] = namesOf(realm)
			}
			if clients, ok := m["clientMappings"].(map[string]any); ok {
				cr := map[string]any{}
				for cid, e := range clients {
					cr[cid] = namesOf(e.(map[string]any)["mappings"].([]any))
				}
				rep["clientRoles"] = cr
			}
		} else {
			delete(rep, "attributes")
		}
	}
	return rep
}

func (rl *realm) objectsOf(ids []string) []*object {
	var out []*object
	for _, id := range ids {
		if o := rl.objects[id]; o != nil {
			out = append(out, o)
		}
	}
	return out
}

func namesOf(reps []any) []any {
	var out []any
	for _, r := range reps {
		out = append(out, r.(map[string]any)["name"])
	}
	return out
}

func groupPath(rl *realm, g *object) string {
	path := "/" + fmt.Sprint(g.rep["name"])
	if p := rl.objects[g.parent]; p != nil && g.parent != "" {
		return groupPath(rl, p) + path
	}
	return path
}

// checkWholeList refuses a client profiles or policies document as
// Keycloak does: an item without a name, two items of one name, and a
// policy naming a profile that is neither the realm's nor global (400).
func checkWholeList(rl *realm, k *model.Kind, body map[string]any) error {
	items, _ := body[k.Read.Field].([]any)
	seen := map[string]bool{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		name, _ := m[k.KeyField].(string)
		if name == "" || seen[name] {
			return badRequest("invalid %s: duplicated or missing name %q", k.Read.Field, name)
		}
		seen[name] = true
		for _, list := range []string{"executors", "conditions"} {
			entries, _ := m[list].([]any)
			for _, e := range entries {
				if em, _ := e.(map[string]any); em["configuration"] == nil {
					return &status{http.StatusInternalServerError, "configNode must be not null"} // uncaught in Keycloak
				}
			}
		}
		if k.Name != model.KindClientPolicy {
			continue
		}
		profiles, _ := rl.singletons[model.KindClientProfile]["profiles"].([]any)
		known := map[string]bool{}
		for _, p := range profiles {
			pm, _ := p.(map[string]any)
			known[fmt.Sprint(pm["name"])] = true
		}
		for _, g := range model.GlobalClientProfiles {
			known[g] = true
		}
		names, _ := m["profiles"].([]any)
		for _, n := range names {
			if !known[fmt.Sprint(n)] {
				return badRequest("invalid policies: no client profile %v", n)
			}
		}
	}
	return nil
}
