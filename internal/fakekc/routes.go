package fakekc

// Routes, derived from the kind table: each kind's collection, item and
// find endpoints, each relation's collection under its owner, and the few
// read-side endpoints the live reader's hooks use.

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

type handler func(s *Server, rl *realm, r *request) (answer, error)

type route struct {
	method  string
	segs    []string
	literal int // literal segments: the more, the more specific
	handle  handler
}

// match fills the template's placeholders from the path's segments. A
// segment such as "group-by-path{key}" takes the rest of the path.
func (rt route) match(segs []string) (map[string]string, bool) {
	vars := map[string]string{}
	for i, t := range rt.segs {
		if prefix, ok := strings.CutSuffix(t, "{key}"); ok && prefix != "" {
			if i >= len(segs) || segs[i] != prefix {
				return nil, false
			}
			vars["key"] = "/" + strings.Join(segs[i+1:], "/")
			return vars, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(t, "{") {
			vars[strings.Trim(t, "{}")] = segs[i]
		} else if t != segs[i] {
			return nil, false
		}
	}
	return vars, len(segs) == len(rt.segs)
}

func buildRoutes() []route {
	var routes []route
	add := func(method, tmpl string, h handler) {
		rt := route{method: method, segs: strings.Split(tmpl, "/"), handle: h}
		for _, seg := range rt.segs {
			if !strings.HasPrefix(seg, "{") {
				rt.literal++
			}
		}
		routes = append(routes, rt)
	}
	for _, k := range model.Kinds() {
		k := k
		if k.Root {
			add(http.MethodGet, k.Endpoints.Item, func(s *Server, rl *realm, r *request) (answer, error) {
				return answer{value: rl.representation()}, nil
			})
			add(http.MethodPut, k.Endpoints.Item, (*Server).updateRealm)
			add(http.MethodDelete, k.Endpoints.Item, (*Server).deleteRealm)
		}
		ep := k.Endpoints
		switch {
		case k.Read.Mode == model.ReadItem && !k.Root: // a singleton: the user profile
			add(http.MethodGet, ep.Item, func(s *Server, rl *realm, r *request) (answer, error) {
				doc, ok := rl.singletons[k.Name]
				if !ok {
					return answer{}, notFound("Could not find %s", k.Title)
				}
				return answer{value: doc}, nil
			})
			add(http.MethodPut, ep.Item, func(s *Server, rl *realm, r *request) (answer, error) {
				rl.singletons[k.Name] = r.bodyObject()
				return answer{value: rl.singletons[k.Name]}, nil
			})
		case strings.HasSuffix(ep.Create, "{name}"): // federated identities: keyed by the path
			add(http.MethodPost, ep.Create, kindHandler(k, (*Server).createNamed))
			add(http.MethodDelete, ep.Item, kindHandler(k, (*Server).deleteNamed))
			add(http.MethodGet, ep.List, kindHandler(k, (*Server).list))
		case ep.Create == model.ComponentsPath: // one shared collection: components.go
		case k.Name == model.KindLocalization:
			localizationRoutes(add, k)
		case k.Read.Field != "": // a whole list in one document: client policies
			add(http.MethodGet, ep.Create, func(s *Server, rl *realm, r *request) (answer, error) {
				items, _ := rl.singletons[k.Name][k.Read.Field].([]any)
				if items == nil {
					items = []any{}
				}
				return answer{value: map[string]any{k.Read.Field: items}}, nil
			})
			add(http.MethodPut, ep.Create, func(s *Server, rl *realm, r *request) (answer, error) {
				body := r.bodyObject()
				if err := checkWholeList(rl, k, body); err != nil {
					return answer{}, err
				}
				rl.singletons[k.Name] = map[string]any{k.Read.Field: body[k.Read.Field]}
				return answer{}, nil
			})
		case !k.Root:
			add(http.MethodPost, ep.Create, kindHandler(k, (*Server).create))
			add(http.MethodGet, ep.Create, kindHandler(k, (*Server).list))
			if ep.CreateRoot != "" {
				add(http.MethodPost, ep.CreateRoot, kindHandler(k, (*Server).create))
				add(http.MethodGet, ep.CreateRoot, kindHandler(k, (*Server).list))
			}
			add(http.MethodGet, ep.Item, kindHandler(k, (*Server).get))
			add(http.MethodPut, ep.Item, kindHandler(k, (*Server).update))
			add(http.MethodDelete, ep.Item, kindHandler(k, (*Server).delete))
			if ep.Find != "" {
				add(http.MethodGet, ep.Find, kindHandler(k, (*Server).find))
			}
		}
		for i := range k.Relations {
			rel := &k.Relations[i]
			base := ep.Item + "/" + rel.Collection
			add(http.MethodGet, base, relationHandler(k, rel, (*Server).readRefs))
			switch rel.Wire {
			case model.WireIDs:
				add(http.MethodPut, base+"/{ref}", relationHandler(k, rel, (*Server).addRef))
				add(http.MethodDelete, base+"/{ref}", relationHandler(k, rel, (*Server).removeRef))
			case model.WireIDBody:
				add(http.MethodPost, base, relationHandler(k, rel, (*Server).addRef))
				add(http.MethodDelete, base+"/{ref}", relationHandler(k, rel, (*Server).removeRef))
			case model.WireRoles:
				add(http.MethodPost, base, relationHandler(k, rel, (*Server).addRoles))
				add(http.MethodDelete, base, relationHandler(k, rel, (*Server).removeRoles))
			case model.WireMappings:
				for _, target := range []string{model.KindRealmRole, model.KindClientRole} {
					path := strings.Replace(rel.Path(model.Ref{Kind: target}), "{owner}", ep.Item, 1)
					add(http.MethodGet, path, relationHandler(k, rel, (*Server).readMapped))
					add(http.MethodPost, path, relationHandler(k, rel, (*Server).addRoles))
					add(http.MethodDelete, path, relationHandler(k, rel, (*Server).removeRoles))
				}
			}
		}
	}
	// The read side of memberships, service accounts and flows.
	groups, realmRoles, clientRoles := model.KindByName(model.KindGroup), model.KindByName(model.KindRealmRole), model.KindByName(model.KindClientRole)
	add(http.MethodGet, groups.Endpoints.Item+"/"+model.MembersPath, kindHandler(groups, (*Server).members))
	add(http.MethodGet, realmRoles.Endpoints.Find+"/"+model.HoldersPath, kindHandler(realmRoles, (*Server).roleUsers))
	add(http.MethodGet, clientRoles.Endpoints.Find+"/"+model.HoldersPath, kindHandler(clientRoles, (*Server).roleUsers))
	users := model.KindByName(model.KindUser)
	via := model.KindByName(users.Via.Kind)
	add(http.MethodGet, via.Endpoints.Item+"/"+users.Via.Path, kindHandler(via, (*Server).serviceAccount))
	add(http.MethodGet, via.Endpoints.Item+"/client-secret", kindHandler(via, (*Server).clientSecret))
	flowRoutes(add)
	componentRoutes(add)
	for _, path := range model.AuthenticatorListPaths {
		add(http.MethodGet, path, func(_ *Server, _ *realm, _ *request) (answer, error) {
			return answer{value: []any{}}, nil // unknown: no check
		})
	}
	actions := model.KindByName(model.KindRequiredAction)
	add(http.MethodPost, model.RegisterRequiredActionPath, func(s *Server, rl *realm, r *request) (answer, error) {
		body := r.bodyObject()
		body["alias"] = body["providerId"]
		_, err := s.createObject(rl, actions, "", body)
		return answer{}, err
	})
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].literal > routes[j].literal })
	return routes
}

// kindHandler binds a handler to a kind.
func kindHandler(k *model.Kind, h func(*Server, *realm, *model.Kind, *request) (answer, error)) handler {
	return func(s *Server, rl *realm, r *request) (answer, error) { return h(s, rl, k, r) }
}

// relationHandler binds a handler to a kind's relation.
func relationHandler(k *model.Kind, rel *model.Relation, h func(*Server, *realm, *model.Kind, *model.Relation, *request) (answer, error)) handler {
	return func(s *Server, rl *realm, r *request) (answer, error) { return h(s, rl, k, rel, r) }
}

// localizationRoutes serve a realm's localization texts as Keycloak 26
// does: a locale's texts are a map merged by POST; a DELETE of a key or a
// locale that has none is a 404; a locale without texts reads as {}.
func localizationRoutes(add func(method, tmpl string, h handler), k *model.Kind) {
	locales := func(rl *realm) map[string]any {
		if rl.singletons[k.Name] == nil {
			rl.singletons[k.Name] = map[string]any{}
		}
		return rl.singletons[k.Name]
	}
	add(http.MethodGet, k.Endpoints.Create, func(_ *Server, rl *realm, _ *request) (answer, error) {
		names := []any{}
		for _, l := range model.SortedKeys(locales(rl)) {
			names = append(names, l)
		}
		return answer{value: names}, nil
	})
	add(http.MethodGet, k.Endpoints.Item, func(_ *Server, rl *realm, r *request) (answer, error) {
		texts, _ := locales(rl)[r.vars["id"]].(map[string]any)
		if texts == nil {
			texts = map[string]any{}
		}
		return answer{value: texts}, nil
	})
	add(http.MethodPost, k.Endpoints.Item, func(_ *Server, rl *realm, r *request) (answer, error) {
		texts, _ := locales(rl)[r.vars["id"]].(map[string]any)
		if texts == nil {
			texts = map[string]any{}
		}
		for key, v := range r.bodyObject() {
			texts[key] = fmt.Sprint(v)
		}
		locales(rl)[r.vars["id"]] = texts
		return answer{}, nil
	})
	add(http.MethodDelete, k.Endpoints.Item, func(_ *Server, rl *realm, r *request) (answer, error) {
		if _, ok := locales(rl)[r.vars["id"]]; !ok {
			return answer{}, notFound("No localization texts for locale %s found.", r.vars["id"])
		}
		delete(locales(rl), r.vars["id"])
		return answer{}, nil
	})
	add(http.MethodDelete, k.Endpoints.Item+"/{key}", func(_ *Server, rl *realm, r *request) (answer, error) {
		texts, _ := locales(rl)[r.vars["id"]].(map[string]any)
		if _, ok := texts[r.vars["key"]]; !ok {
			return answer{}, notFound("Localization text not found")
		}
		delete(texts, r.vars["key"])
		if len(texts) == 0 {
			delete(locales(rl), r.vars["id"])
		}
		return answer{}, nil
	})
}
