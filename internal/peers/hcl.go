package peers

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// HCL writes the realm as a configuration for the Keycloak provider
// (source keycloak/keycloak), one resource per object: the realm, realm
// and client roles with their composites, OpenID clients with hard-coded
// claim mappers, the group tree with attributes, users, and users' groups
// and roles. That is the content of the generator's presets, and what the
// benchmarks give every tool; any other field is an error rather than
// silently left out, so that no tool is timed on less than the others.
// The provider's connection comes from its KEYCLOAK_* environment.
func HCL(realm map[string]any) ([]byte, error) {
	w := &hclWriter{names: map[string]bool{}, groups: map[string]string{}, roles: map[string]string{}}
	if err := w.realm(realm); err != nil {
		return nil, err
	}
	return []byte(w.b.String()), nil
}

type hclWriter struct {
	b      strings.Builder
	names  map[string]bool   // resource names taken
	groups map[string]string // group path → resource address
	roles  map[string]string // "realm/NAME" or "CLIENTID/NAME" → address
	client map[string]string // clientId → address
}

// allowed fails on a field the converter does not carry over.
func allowed(what string, obj map[string]any, fields ...string) error {
	ok := map[string]bool{}
	for _, f := range fields {
		ok[f] = true
	}
	var extra []string
	for k := range obj {
		if !ok[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%s: no HCL for field(s) %s", what, strings.Join(extra, ", "))
	}
	return nil
}

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// name returns a resource name for a kind and a Keycloak name, unique in
// the file.
func (w *hclWriter) name(kind, of string) string {
	base := kind + "_" + notIdent.ReplaceAllString(of, "_")
	n := base
	for i := 2; w.names[n]; i++ {
		n = fmt.Sprintf("%s_%d", base, i)
	}
	w.names[n] = true
	return n
}

func (w *hclWriter) resource(typ, name string, attrs ...string) string {
	fmt.Fprintf(&w.b, "\nresource %q %q {\n", typ, name)
	for i := 0; i+1 < len(attrs); i += 2 {
		fmt.Fprintf(&w.b, "  %s = %s\n", attrs[i], attrs[i+1])
	}
	w.b.WriteString("}\n")
	return typ + "." + name
}

const realmRef = "keycloak_realm.realm.id"

func (w *hclWriter) realm(r map[string]any) error {
	if err := allowed("realm", r, "realm", "enabled", "roles", "clients", "groups", "users"); err != nil {
		return err
	}
	w.b.WriteString("terraform {\n  required_providers {\n    keycloak = {\n      source = \"keycloak/keycloak\"\n    }\n  }\n}\n\nprovider \"keycloak\" {}\n")
	w.names["realm"] = true
	w.resource("keycloak_realm", "realm", "realm", str(r["realm"]), "enabled", boolOr(r["enabled"], true))
	roles, _ := r["roles"].(map[string]any)
	if err := allowed("roles", roles, "realm", "client"); err != nil {
		return err
	}
	if err := w.realmRoles(list(roles["realm"])); err != nil {
		return err
	}
	w.client = map[string]string{}
	for _, c := range list(r["clients"]) {
		if err := w.openIDClient(obj(c)); err != nil {
			return err
		}
	}
	clientRoles, _ := roles["client"].(map[string]any)
	for _, clientID := range sortedKeys(clientRoles) {
		owner, ok := w.client[clientID]
		if !ok {
			return fmt.Errorf("roles.client.%s: no such client", clientID)
		}
		for _, role := range list(clientRoles[clientID]) {
			o := obj(role)
			if err := allowed("client role", o, "name", "description"); err != nil {
				return err
			}
			name := fmt.Sprint(o["name"])
			attrs := []string{"realm_id", realmRef, "client_id", owner + ".id", "name", str(name)}
			if d, ok := o["description"]; ok {
				attrs = append(attrs, "description", str(d))
			}
			w.roles[clientID+"/"+name] = w.resource("keycloak_role", w.name("role_"+clientID, name), attrs...)
		}
	}
	if err := w.groupTree(list(r["groups"]), "", ""); err != nil {
		return err
	}
	for _, u := range list(r["users"]) {
		if err := w.user(obj(u)); err != nil {
			return err
		}
	}
	return nil
}

// realmRoles writes roles in order, so a composite names a role written
// before it (the presets only point backwards; a forward reference is
// an error here rather than a dependency cycle later).
func (w *hclWriter) realmRoles(roles []any) error {
	for _, role := range roles {
		o := obj(role)
		if err := allowed("realm role", o, "name", "description", "composites"); err != nil {
			return err
		}
		name := fmt.Sprint(o["name"])
		attrs := []string{"realm_id", realmRef, "name", str(name)}
		if d, ok := o["description"]; ok {
			attrs = append(attrs, "description", str(d))
		}
		if c, ok := o["composites"].(map[string]any); ok {
			if err := allowed("composites of role "+name, c, "realm"); err != nil {
				return err
			}
			var refs []string
			for _, n := range list(c["realm"]) {
				ref, ok := w.roles["realm/"+fmt.Sprint(n)]
				if !ok {
					return fmt.Errorf("role %s: composite %v is not a role written before it", name, n)
				}
				refs = append(refs, ref+".id")
			}
			attrs = append(attrs, "composite_roles", "["+strings.Join(refs, ", ")+"]")
		}
		w.roles["realm/"+name] = w.resource("keycloak_role", w.name("role", name), attrs...)
	}
	return nil
}

func (w *hclWriter) openIDClient(c map[string]any) error {
	if err := allowed("client", c, "clientId", "name", "description", "publicClient", "redirectUris", "protocolMappers"); err != nil {
		return err
	}
	clientID := fmt.Sprint(c["clientId"])
	access := "CONFIDENTIAL"
	if c["publicClient"] == true {
		access = "PUBLIC"
	}
	attrs := []string{"realm_id", realmRef, "client_id", str(clientID), "access_type", str(access),
		// Keycloak's default; the provider's is false, and it refuses
		// redirect URIs without a flow that uses them.
		"standard_flow_enabled", "true"}
	for _, f := range [][2]string{{"name", "name"}, {"description", "description"}} {
		if v, ok := c[f[0]]; ok {
			attrs = append(attrs, f[1], str(v))
		}
	}
	if uris := list(c["redirectUris"]); len(uris) > 0 {
		attrs = append(attrs, "valid_redirect_uris", strList(uris))
	}
	addr := w.resource("keycloak_openid_client", w.name("client", clientID), attrs...)
	w.client[clientID] = addr
	for _, m := range list(c["protocolMappers"]) {
		o := obj(m)
		if err := allowed("mapper of "+clientID, o, "name", "protocol", "protocolMapper", "config"); err != nil {
			return err
		}
		if o["protocolMapper"] != "oidc-hardcoded-claim-mapper" {
			return fmt.Errorf("mapper %v of %s: no HCL for protocolMapper %v", o["name"], clientID, o["protocolMapper"])
		}
		cfg := obj(o["config"])
		if err := allowed("config of mapper "+fmt.Sprint(o["name"]), cfg, "claim.name", "claim.value", "jsonType.label",
			"access.token.claim", "id.token.claim", "userinfo.token.claim"); err != nil {
			return err
		}
		// Keycloak reads a missing *.token.claim as false; the
		// provider's defaults are true.
		w.resource("keycloak_openid_hardcoded_claim_protocol_mapper", w.name("mapper_"+clientID, fmt.Sprint(o["name"])),
			"realm_id", realmRef, "client_id", addr+".id", "name", str(o["name"]),
			"claim_name", str(cfg["claim.name"]), "claim_value", str(cfg["claim.value"]),
			"claim_value_type", str(strOr(cfg["jsonType.label"], "String")),
			"add_to_access_token", boolOr(cfg["access.token.claim"], false),
			"add_to_id_token", boolOr(cfg["id.token.claim"], false),
			"add_to_userinfo", boolOr(cfg["userinfo.token.claim"], false))
	}
	return nil
}

func (w *hclWriter) groupTree(groups []any, parentPath, parentAddr string) error {
	for _, g := range groups {
		o := obj(g)
		if err := allowed("group", o, "name", "attributes", "subGroups"); err != nil {
			return err
		}
		name := fmt.Sprint(o["name"])
		path := parentPath + "/" + name
		attrs := []string{"realm_id", realmRef, "name", str(name)}
		if parentAddr != "" {
			attrs = append(attrs, "parent_id", parentAddr+".id")
		}
		if a, ok := o["attributes"].(map[string]any); ok && len(a) > 0 {
			var kv []string
			for _, k := range sortedKeys(a) {
				var vals []string
				for _, v := range list(a[k]) {
					vals = append(vals, fmt.Sprint(v))
				}
				// The provider's attributes are strings; several values
				// are joined with "##".
				kv = append(kv, fmt.Sprintf("%s = %s", str(k), str(strings.Join(vals, "##"))))
			}
			attrs = append(attrs, "attributes", "{\n    "+strings.Join(kv, "\n    ")+"\n  }")
		}
		addr := w.resource("keycloak_group", w.name("group", path), attrs...)
		w.groups[path] = addr
		if err := w.groupTree(list(o["subGroups"]), path, addr); err != nil {
			return err
		}
	}
	return nil
}

func (w *hclWriter) user(u map[string]any) error {
	if err := allowed("user", u, "username", "enabled", "email", "firstName", "lastName", "groups", "realmRoles", "clientRoles"); err != nil {
		return err
	}
	username := fmt.Sprint(u["username"])
	attrs := []string{"realm_id", realmRef, "username", str(username), "enabled", boolOr(u["enabled"], true)}
	for _, f := range [][2]string{{"email", "email"}, {"firstName", "first_name"}, {"lastName", "last_name"}} {
		if v, ok := u[f[0]]; ok {
			attrs = append(attrs, f[1], str(v))
		}
	}
	addr := w.resource("keycloak_user", w.name("user", username), attrs...)
	if groups := list(u["groups"]); len(groups) > 0 {
		var refs []string
		for _, p := range groups {
			ref, ok := w.groups[fmt.Sprint(p)]
			if !ok {
				return fmt.Errorf("user %s: no group %v", username, p)
			}
			refs = append(refs, ref+".id")
		}
		w.resource("keycloak_user_groups", w.name("groups_of", username),
			"realm_id", realmRef, "user_id", addr+".id", "group_ids", "["+strings.Join(refs, ", ")+"]")
	}
	var refs []string
	for _, r := range list(u["realmRoles"]) {
		ref, ok := w.roles["realm/"+fmt.Sprint(r)]
		if !ok {
			return fmt.Errorf("user %s: no realm role %v", username, r)
		}
		refs = append(refs, ref+".id")
	}
	clientRoles := obj(u["clientRoles"])
	for _, clientID := range sortedKeys(clientRoles) {
		for _, r := range list(clientRoles[clientID]) {
			ref, ok := w.roles[clientID+"/"+fmt.Sprint(r)]
			if !ok {
				return fmt.Errorf("user %s: no role %v of client %s", username, r, clientID)
			}
			refs = append(refs, ref+".id")
		}
	}
	if len(refs) > 0 {
		w.resource("keycloak_user_roles", w.name("roles_of", username),
			"realm_id", realmRef, "user_id", addr+".id", "role_ids", "["+strings.Join(refs, ", ")+"]")
	}
	return nil
}

func list(v any) []any { l, _ := v.([]any); return l }

func obj(v any) map[string]any {
	if o, ok := v.(map[string]any); ok {
		return o
	}
	return map[string]any{}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func strList(l []any) string {
	var s []string
	for _, v := range l {
		s = append(s, str(v))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// str is an HCL string literal: quotes and backslashes escaped, and the
// template sequences ${ and %{ doubled so they stay literal.
func str(v any) string {
	s := fmt.Sprint(v)
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(s) + `"`
}

func strOr(v any, def string) string {
	if v == nil {
		return def
	}
	return fmt.Sprint(v)
}

func boolOr(v any, def bool) string {
	switch b := v.(type) {
	case bool:
		return fmt.Sprint(b)
	case string:
		return fmt.Sprint(b == "true")
	}
	return fmt.Sprint(def)
}
