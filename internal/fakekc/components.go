package fakekc

// Components: one collection for the whole realm, each naming its parent
// by id, as Keycloak keeps them; several kinds of the table (the generic
// component, user federation and its mappers) share it, so it has a store
// and routes of its own. A new LDAP provider gets the mappers Keycloak
// adds to one, and secret settings are answered masked.

import (
	"net/http"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
)

const secretMask = "**********"

// secretConfig are the config keys Keycloak answers masked.
var secretConfig = map[string]bool{"bindCredential": true, "privateKey": true, "secret": true, "keystorePassword": true, "keyPassword": true}

func componentRoutes(add func(method, tmpl string, h handler)) {
	add(http.MethodGet, model.ComponentsPath, func(_ *Server, rl *realm, r *request) (answer, error) {
		var out []any
		for _, c := range rl.components {
			if match(c, r.query) {
				out = append(out, masked(c))
			}
		}
		return answer{value: out}, nil
	})
	add(http.MethodPost, model.ComponentsPath, func(s *Server, rl *realm, r *request) (answer, error) {
		c := copyObject(r.bodyObject())
		c["id"] = s.newID()
		if c["parentId"] == nil {
			c["parentId"] = rl.obj.id
		}
		rl.components = append(rl.components, c)
		if c["providerType"] == model.UserStorageType && c["providerId"] == "ldap" {
			for _, m := range []struct{ name, attr, user string }{{"username", "uid", "username"}, {"email", "mail", "email"},
				{"first name", "cn", "firstName"}, {"last name", "sn", "lastName"}} {
				rl.components = append(rl.components, map[string]any{"id": s.newID(), "name": m.name, "parentId": c["id"],
					"providerId": "user-attribute-ldap-mapper", "providerType": model.LDAPMapperType,
					"config": map[string]any{"ldap.attribute": []any{m.attr}, "user.model.attribute": []any{m.user}, "read.only": []any{"true"}}})
			}
		}
		return answer{location: url.PathEscape(rl.name()) + "/components/" + c["id"].(string)}, nil
	})
	item := model.ComponentsPath + "/{id}"
	add(http.MethodGet, item, func(_ *Server, rl *realm, r *request) (answer, error) {
		c := rl.component(r.vars["id"])
		if c == nil {
			return answer{}, notFound("Could not find component")
		}
		return answer{value: masked(c)}, nil
	})
	add(http.MethodPut, item, func(_ *Server, rl *realm, r *request) (answer, error) {
		c := rl.component(r.vars["id"])
		if c == nil {
			return answer{}, notFound("Could not find component")
		}
		body := r.bodyObject()
		if body["providerType"] == nil || body["providerId"] == nil {
			return answer{}, &status{http.StatusInternalServerError, "Invalid provider type 'null'"} // as Keycloak's admin event fails
		}
		// As Keycloak: config keys the body leaves out are kept, an empty
		// value removes its key, and the mask keeps what is stored.
		stored, _ := c["config"].(map[string]any)
		if stored == nil {
			stored = map[string]any{}
			c["config"] = stored
		}
		config, _ := body["config"].(map[string]any)
		for k, v := range config {
			list, _ := v.([]any)
			switch {
			case len(list) == 0 || list[0] == "":
				delete(stored, k)
			case len(list) == 1 && list[0] == secretMask:
			default:
				stored[k] = list
			}
		}
		for k, v := range body {
			if k != "id" && k != "config" && v != nil {
				c[k] = v
			}
		}
		return answer{}, nil
	})
	add(http.MethodDelete, item, func(_ *Server, rl *realm, r *request) (answer, error) {
		c := rl.component(r.vars["id"])
		if c == nil {
			return answer{}, notFound("Could not find component")
		}
		gone := map[any]bool{c["id"]: true}
		var kept []map[string]any
		for _, x := range rl.components {
			if gone[x["id"]] || gone[x["parentId"]] {
				continue // sub-components go with their parent
			}
			kept = append(kept, x)
		}
		rl.components = kept
		return answer{}, nil
	})
}

func (rl *realm) component(id string) map[string]any {
	for _, c := range rl.components {
		if c["id"] == id {
			return c
		}
	}
	return nil
}

// match applies Keycloak's filters of the collection: parent, type, name.
func match(c map[string]any, q url.Values) bool {
	for param, field := range map[string]string{"parent": "parentId", "type": "providerType", "name": "name"} {
		if v := q.Get(param); v != "" && c[field] != v {
			return false
		}
	}
	return true
}

func masked(c map[string]any) map[string]any {
	out := copyObject(c)
	if config, ok := out["config"].(map[string]any); ok {
		for k := range config {
			if secretConfig[k] {
				config[k] = []any{secretMask}
			}
		}
	}
	return out
}
