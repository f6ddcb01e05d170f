package export

// The user side of a live read: users, their memberships and role
// mappings read from the group and role side, service accounts through
// their clients, links to identity providers, and the user profile.

import (
	"context"
	"fmt"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// users reads the realm's users, then their memberships and role mappings
// from the cheap side: one paged list per group and per role, never calls
// per user.
func (rd *reader) users(ctx context.Context, doc model.Object) error {
	list, err := rd.api.List(ctx, rd.realm+"/users", full, PageSize)
	if err != nil {
		return err
	}
	byID := map[string]map[string]any{}
	users := []any{}
	for _, u := range list {
		id, _ := u["id"].(string)
		byID[id] = u
		users = append(users, u)
	}
	// User searches leave service accounts out: ask their clients.
	accounts, err := rd.serviceAccounts(ctx, doc)
	if err != nil {
		return err
	}
	users = append(users, accounts...)
	doc["users"] = users
	if len(byID) == 0 {
		return nil
	}
	if err := rd.federatedIdentities(ctx, byID); err != nil {
		return err
	}
	// One task per group and per role: who is in it. Tasks run at once;
	// adding to a user is serialised.
	type task struct {
		path string
		add  func(u map[string]any)
	}
	var tasks []task
	var walk func(groups []any)
	walk = func(groups []any) {
		for _, item := range groups {
			g := item.(map[string]any)
			path, _ := g["path"].(string)
			tasks = append(tasks, task{"groups/" + url.PathEscape(fmt.Sprint(g["id"])) + "/members",
				func(u map[string]any) { appendTo(u, "groups", path) }})
			if sub, ok := g["subGroups"].([]any); ok {
				walk(sub)
			}
		}
	}
	if groups, ok := doc["groups"].([]any); ok {
		walk(groups)
	}
	roles, _ := doc["roles"].(model.Object)
	realmRoles, _ := roles["realm"].([]any)
	defaultRole := defaultRoleOf(doc)
	for _, item := range realmRoles {
		name := fmt.Sprint(item.(map[string]any)["name"])
		if name == defaultRole {
			continue // every user has it: Keycloak's, not realmsync's to manage per user
		}
		tasks = append(tasks, task{"roles/" + url.PathEscape(name) + "/users",
			func(u map[string]any) { appendTo(u, "realmRoles", name) }})
	}
	clientRoles, _ := roles["client"].(model.Object)
	for _, item := range doc["clients"].([]any) {
		client := item.(map[string]any)
		cid := fmt.Sprint(client["clientId"])
		list, _ := clientRoles[cid].([]any)
		for _, r := range list {
			name := fmt.Sprint(r.(map[string]any)["name"])
			tasks = append(tasks, task{"clients/" + url.PathEscape(fmt.Sprint(client["id"])) + "/roles/" + url.PathEscape(name) + "/users",
				func(u map[string]any) {
					m, _ := u["clientRoles"].(map[string]any)
					if m == nil {
						m = map[string]any{}
						u["clientRoles"] = m
					}
					l, _ := m[cid].([]any)
					m[cid] = append(l, name)
				}})
		}
	}
	brief := url.Values{"briefRepresentation": {"true"}}
	return parallel.ForEach(ctx, rd.workers, len(tasks), func(ctx context.Context, i int) error {
		found, err := rd.api.List(ctx, rd.realm+"/"+tasks[i].path, brief, PageSize)
		if err != nil {
			return err
		}
		rd.mu.Lock()
		defer rd.mu.Unlock()
		for _, m := range found {
			if u := byID[fmt.Sprint(m["id"])]; u != nil {
				tasks[i].add(u)
			}
		}
		return nil
	})
}

func appendTo(obj map[string]any, field, value string) {
	l, _ := obj[field].([]any)
	obj[field] = append(l, value)
}

// serviceAccounts reads the service-account user of every client that has
// one, with its role mappings and groups: two calls per such client.
func (rd *reader) serviceAccounts(ctx context.Context, doc model.Object) ([]any, error) {
	var out []any
	for _, item := range doc["clients"].([]any) {
		client := item.(map[string]any)
		if enabled, _ := client["serviceAccountsEnabled"].(bool); !enabled {
			continue
		}
		cpath := rd.realm + "/clients/" + url.PathEscape(fmt.Sprint(client["id"]))
		var user map[string]any
		if err := rd.api.Get(ctx, cpath+"/service-account-user", nil, &user); err != nil {
			return nil, err
		}
		upath := rd.realm + "/users/" + url.PathEscape(fmt.Sprint(user["id"]))
		var mappings struct {
			Realm  []map[string]any `json:"realmMappings"`
			Client map[string]struct {
				Mappings []map[string]any `json:"mappings"`
			} `json:"clientMappings"`
		}
		if err := rd.api.Get(ctx, upath+"/role-mappings", nil, &mappings); err != nil {
			return nil, err
		}
		defaultRole := defaultRoleOf(doc)
		for _, m := range mappings.Realm {
			if name := fmt.Sprint(m["name"]); name != defaultRole {
				appendTo(user, "realmRoles", name)
			}
		}
		clientRoles := map[string]any{}
		for _, cid := range model.SortedKeys(mappings.Client) {
			var names []any
			for _, m := range mappings.Client[cid].Mappings {
				names = append(names, fmt.Sprint(m["name"]))
			}
			clientRoles[cid] = names
		}
		if len(clientRoles) > 0 {
			user["clientRoles"] = clientRoles
		}
		groups, err := rd.api.List(ctx, upath+"/groups", url.Values{"briefRepresentation": {"true"}}, PageSize)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			appendTo(user, "groups", fmt.Sprint(g["path"]))
		}
		out = append(out, user)
	}
	return out, nil
}

// defaultRoleOf names the realm's default role as the server reports it.
func defaultRoleOf(doc model.Object) string {
	if role, ok := doc["defaultRole"].(map[string]any); ok {
		if name, _ := role["name"].(string); name != "" {
			return name
		}
	}
	name, _ := doc["realm"].(string)
	return model.DefaultRoleName(name)
}

// federatedIdentities reads users' links to identity providers: one search
// per provider finds the linked users, then one call per linked user.
func (rd *reader) federatedIdentities(ctx context.Context, byID map[string]map[string]any) error {
	var providers []map[string]any
	if err := rd.api.Get(ctx, rd.realm+"/identity-provider/instances", nil, &providers); err != nil {
		return err
	}
	linked := map[string]bool{}
	var order []string
	for _, p := range providers {
		found, err := rd.api.List(ctx, rd.realm+"/users", url.Values{"idpAlias": {fmt.Sprint(p["alias"])}, "briefRepresentation": {"true"}}, PageSize)
		if err != nil {
			return err
		}
		for _, u := range found {
			id := fmt.Sprint(u["id"])
			if !linked[id] && byID[id] != nil {
				linked[id] = true
				order = append(order, id)
			}
		}
	}
	for _, id := range order {
		var links []any
		if err := rd.api.Get(ctx, rd.realm+"/users/"+url.PathEscape(id)+"/federated-identity", nil, &links); err != nil {
			return err
		}
		if len(links) > 0 {
			byID[id]["federatedIdentities"] = links
		}
	}
	return nil
}

// userProfile reads the declarative user profile (Keycloak 24+): which
// attributes users have, and whether others are kept.
func (rd *reader) userProfile(ctx context.Context, doc model.Object) error {
	var cfg map[string]any
	if err := rd.api.Get(ctx, rd.realm+"/users/profile", nil, &cfg); err != nil {
		if NotFound(err) {
			return nil // before Keycloak 24 there is no profile: every attribute is kept
		}
		return err
	}
	doc["userProfile"] = cfg
	return nil
}
