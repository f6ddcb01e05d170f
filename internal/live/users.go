package live

// The read hooks: users' service accounts and memberships, and links to
// identity providers. No listing finds these cheaply, so each is a named
// reader the kind table points at (ReadSpec.Hook).

import (
	"context"
	"fmt"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

var hooks = map[string]func(*reader, context.Context) error{
	"groupManagementConfiguration": (*reader).groupManagementConfiguration,
	"users":                        (*reader).users,
	"federatedIdentities":          (*reader).federatedIdentities,
	"components":                   (*reader).components,
	"localization":                 (*reader).localization,
	"organizations":                (*reader).organizations,
	"authorization":                (*reader).authorization,
}

var brief = url.Values{"briefRepresentation": {"true"}}

// users completes the user list: service accounts (which user searches
// leave out) through their clients, then memberships and role mappings
// from the cheap side, one paged list per group and per role, never calls
// per user; of those, only the ones a plan compares (Options.Holdings).
func (rd *reader) users(ctx context.Context) error {
	users := model.KindByName(model.KindUser)
	byID := map[string]map[string]any{}
	for _, n := range rd.nodes[users.Name] {
		byID[n.id()] = n.obj
	}
	accounts, err := rd.serviceAccounts(ctx, users)
	if err != nil {
		return err
	}
	list, _ := rd.doc()[users.RealmPath].([]any)
	for _, a := range accounts {
		list = append(list, a.obj)
	}
	rd.doc()[users.RealmPath] = list
	rd.nodes[users.Name] = append(rd.nodes[users.Name], accounts...)
	if len(byID) == 0 {
		return nil
	}
	lists, found, err := rd.readHoldings(ctx)
	if err != nil {
		return err
	}
	for i, ids := range found {
		for _, id := range ids {
			if u := byID[id]; u != nil {
				lists[i].add(u)
			}
		}
	}
	return nil
}

// holding is one list of who is in a group or holds a role, and how a
// user found in it records that.
type holding struct {
	path string
	add  func(u map[string]any)
}

// holdingLists are the lists the users hook reads: one per group and per
// role whose holders a plan compares.
func (rd *reader) holdingLists() []holding {
	var lists []holding
	groups := model.KindByName(model.KindGroup)
	want := rd.holdings
	for _, n := range rd.nodes[groups.Name] {
		if !want.groups() {
			break
		}
		path, _ := n.obj["path"].(string)
		lists = append(lists, holding{rd.path(groups.Endpoints.Item, groups, n) + "/" + model.MembersPath,
			func(u map[string]any) { appendTo(u, "groups", path) }})
	}
	realmRoles := model.KindByName(model.KindRealmRole)
	defaultRole := defaultRoleOf(rd.doc())
	for _, n := range rd.nodes[realmRoles.Name] {
		name := fmt.Sprint(n.obj["name"])
		if name == defaultRole {
			continue // every user has it: Keycloak's, not realmsync's to manage per user
		}
		if !want.realmRoles() {
			break
		}
		lists = append(lists, holding{rd.path(realmRoles.Endpoints.Find, realmRoles, n) + "/" + model.HoldersPath,
			func(u map[string]any) { appendTo(u, "realmRoles", name) }})
	}
	clientRoles := model.KindByName(model.KindClientRole)
	clients := model.KindByName(model.KindClient)
	for _, n := range rd.nodes[clientRoles.Name] {
		name := fmt.Sprint(n.obj["name"])
		cid := fmt.Sprint(n.parent.obj[clients.KeyField])
		if !want.client(cid) {
			continue
		}
		lists = append(lists, holding{rd.path(clientRoles.Endpoints.Find, clientRoles, n) + "/" + model.HoldersPath,
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
	return lists
}

// readHoldings reads the holding lists, all at once, and returns them with
// the user ids each found. They start only once the users are read:
// started with the users' pages, on cleared caches they loaded the same
// users from the database as those pages did (the large benchmark preset's
// no-op plan on cleared caches: 28.6 s against the baseline's 15.8 s).
func (rd *reader) readHoldings(ctx context.Context) ([]holding, [][]string, error) {
	lists := rd.holdingLists()
	found := make([][]string, len(lists))
	err := parallel.ForEach(ctx, rd.workers, len(lists), func(ctx context.Context, i int) error {
		ids, err := rd.api.IDs(ctx, lists[i].path, brief, PageSize)
		found[i] = ids
		return err
	})
	return lists, found, err
}

// serviceAccounts reads the service-account user of every client that has
// one, with its role mappings and groups (the user's own relation
// collections): three calls per such client, the clients at once.
func (rd *reader) serviceAccounts(ctx context.Context, users *model.Kind) ([]*node, error) {
	clients := model.KindByName(model.KindClient)
	roles, groups := users.Relation("realmRoles"), users.Relation("groups")
	defaultRole := defaultRoleOf(rd.doc())
	var owners []*node
	for _, c := range rd.nodes[clients.Name] {
		if enabled, _ := c.obj["serviceAccountsEnabled"].(bool); enabled {
			owners = append(owners, c)
		}
	}
	out := make([]*node, len(owners))
	err := parallel.ForEach(ctx, rd.workers, len(owners), func(ctx context.Context, i int) error {
		var user map[string]any
		if err := rd.api.Get(ctx, rd.path(clients.Endpoints.Item, clients, owners[i])+"/"+users.Via.Path, nil, &user); err != nil {
			return err
		}
		n := &node{obj: user}
		upath := rd.path(users.Endpoints.Item, users, n)
		var m mappings
		if err := rd.api.Get(ctx, upath+"/"+roles.Collection, nil, &m); err != nil {
			return err
		}
		v := m.composite()
		if realm, ok := v["realm"].([]any); ok {
			for _, name := range realm {
				if name != defaultRole {
					appendTo(user, "realmRoles", fmt.Sprint(name))
				}
			}
		}
		if client, ok := v["client"]; ok {
			user["clientRoles"] = client
		}
		member, err := rd.api.List(ctx, upath+"/"+groups.Collection, brief, PageSize)
		if err != nil {
			return err
		}
		for _, g := range member {
			appendTo(user, "groups", fmt.Sprint(g[groups.NameField]))
		}
		out[i] = n
		return nil
	})
	if err != nil {
		return nil, err
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
func (rd *reader) federatedIdentities(ctx context.Context) error {
	users := model.KindByName(model.KindUser)
	links := model.KindByName(model.KindFederatedID)
	byID := map[string]*node{}
	for _, n := range rd.nodes[users.Name] {
		byID[n.id()] = n
	}
	if len(byID) == 0 {
		return nil
	}
	linked := map[string]bool{}
	var order []*node
	for _, p := range rd.nodes[model.KindIdP] {
		query := url.Values{"idpAlias": {p.id()}, "briefRepresentation": {"true"}}
		found, err := rd.api.List(ctx, rd.path(users.Endpoints.Create, users, nil), query, PageSize)
		if err != nil {
			return err
		}
		for _, u := range found {
			id := fmt.Sprint(u["id"])
			if n := byID[id]; n != nil && !linked[id] {
				linked[id] = true
				order = append(order, n)
			}
		}
	}
	for _, u := range order {
		var objs []map[string]any
		if err := rd.api.Get(ctx, rd.path(links.Endpoints.List, links, &node{parentID: u.id()}), nil, &objs); err != nil {
			return err
		}
		if len(objs) > 0 {
			rd.place(links, u, objs)
		}
	}
	return nil
}

// groupManagementConfiguration reads the group-management plugin's realm
// configuration: it has no GET, and keeps the values as realm
// attributes.
func (rd *reader) groupManagementConfiguration(context.Context) error {
	k := model.KindByName(model.KindGMConfiguration)
	attrs, _ := rd.doc()["attributes"].(map[string]any)
	if cfg := model.GroupManagementConfigFromAttributes(attrs); len(cfg) > 0 {
		setPath(rd.doc(), k.RealmObject, cfg)
	}
	return nil
}
