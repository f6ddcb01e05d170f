// Package export reads live realms from Keycloak into the document shape
// users write (so desired and live decompose the same way), and writes a
// live realm out as a clean directory of YAML files.
package export

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// API is the read side of the admin client. Paths are relative to
// /admin/realms/.
type API interface {
	Get(ctx context.Context, path string, query url.Values, out any) error
	List(ctx context.Context, path string, query url.Values, pageSize int) ([]map[string]any, error)
}

// NotFound reports whether err means the server has no such object. The
// admin client's errors implement it; the interface keeps this package
// free of the client.
func NotFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// PageSize is how many objects one list request asks for.
const PageSize = 100

var full = url.Values{"briefRepresentation": {"false"}}

// Steps hears of every finished stage of a read (progress reporting).
type Steps interface{ Step(n int) }

// ReadStages is how many steps a read reports to Steps.
const ReadStages = 10

// ReadOptions steer a read.
type ReadOptions struct {
	// Steps hears of progress (nil: nobody).
	Steps Steps
	// Concurrency is how many independent reads run at once
	// (0: parallel.Default).
	Concurrency int
}

// ReadRealm reads a realm's live state. It returns nil, nil when the realm
// does not exist.
func ReadRealm(ctx context.Context, api API, realm string) (*model.Realm, error) {
	return ReadRealmWith(ctx, api, realm, ReadOptions{})
}

// ReadRealmWith is ReadRealm with options.
func ReadRealmWith(ctx context.Context, api API, realm string, opts ReadOptions) (*model.Realm, error) {
	workers := opts.Concurrency
	if workers <= 0 {
		workers = parallel.Default
	}
	doc, flows, err := readDocument(ctx, api, realm, opts.Steps, workers)
	if err != nil || doc == nil {
		return nil, err
	}
	r, errs := model.Decompose(realm, doc, model.NoPos)
	if len(errs) > 0 {
		return nil, fmt.Errorf("reading realm %s: %w", realm, errors.Join(errs...))
	}
	r.Flows = flows
	return r, nil
}

func readDocument(ctx context.Context, api API, realm string, steps Steps, workers int) (model.Object, []string, error) {
	step := func() {
		if steps != nil {
			steps.Step(1)
		}
	}
	rp := url.PathEscape(realm)
	var doc map[string]any
	if err := api.Get(ctx, rp, nil, &doc); err != nil {
		if NotFound(err) {
			return nil, nil, confirmMissing(ctx, api, realm)
		}
		return nil, nil, fmt.Errorf("reading realm %s: %w", realm, err)
	}
	step()
	rd := &reader{api: api, realm: rp, workers: workers}
	stages := []struct {
		what string
		fn   func(context.Context, model.Object) error
	}{
		{"realm defaults", rd.realmDefaults},
		{"client scopes", rd.clientScopes},
		{"clients", rd.clients},
		{"roles", rd.roles},
		{"scope mappings", rd.scopeMappings},
		{"groups", rd.groups},
		{"user profile", rd.userProfile},
		{"users", rd.users},
		{"authentication flows", rd.flowAliases},
	}
	for _, s := range stages {
		if err := s.fn(ctx, doc); err != nil {
			return nil, nil, fmt.Errorf("reading %s of realm %s: %w", s.what, realm, err)
		}
		step()
	}
	return doc, rd.flows, nil
}

// flowAliases reads the aliases of the realm's top-level flows, which the
// realm's flow bindings name. Flows are not a kind yet: only the names
// are read, for validation.
func (rd *reader) flowAliases(ctx context.Context, _ model.Object) error {
	var flows []map[string]any
	if err := rd.api.Get(ctx, rd.realm+"/authentication/flows", nil, &flows); err != nil {
		return err
	}
	for _, f := range flows {
		if alias, _ := f["alias"].(string); alias != "" {
			rd.flows = append(rd.flows, alias)
		}
	}
	sort.Strings(rd.flows)
	return nil
}

// confirmMissing makes sure a realm answered 404 is absent from the
// server's list of realms. A wrong base URL (a path Keycloak does not
// serve, a proxy in front of something else) answers 404 to everything:
// taken at its word, a plan would create every realm and a drift check
// would page on all of it.
func confirmMissing(ctx context.Context, api API, realm string) error {
	var realms []map[string]any
	if err := api.Get(ctx, "", url.Values{"briefRepresentation": {"true"}}, &realms); err != nil {
		return fmt.Errorf("realm %s answered 404, and the server's list of realms could not be read either (is the URL Keycloak's base URL?): %w", realm, err)
	}
	for _, r := range realms {
		if r["realm"] == realm {
			return fmt.Errorf("realm %s answered 404 although the server lists it: check the URL and the user's permissions", realm)
		}
	}
	return nil
}

type reader struct {
	api      API
	realm    string            // escaped realm name
	clientID map[string]string // client uuid → clientId
	workers  int               // independent reads at once
	flows    []string          // aliases of top-level flows
	mu       sync.Mutex        // guards objects that concurrent reads add to
}

func (rd *reader) clientScopes(ctx context.Context, doc model.Object) error {
	// This endpoint has no paging; it returns every scope with its mappers.
	var scopes []any
	if err := rd.api.Get(ctx, rd.realm+"/client-scopes", nil, &scopes); err != nil {
		return err
	}
	doc["clientScopes"] = scopes
	return nil
}

func (rd *reader) clients(ctx context.Context, doc model.Object) error {
	// The list carries each client's protocol mappers: no call per client.
	list, err := rd.api.List(ctx, rd.realm+"/clients", nil, PageSize)
	if err != nil {
		return err
	}
	rd.clientID = map[string]string{}
	clients := make([]any, 0, len(list))
	for _, c := range list {
		id, _ := c["id"].(string)
		cid, _ := c["clientId"].(string)
		rd.clientID[id] = cid
		clients = append(clients, c)
	}
	doc["clients"] = clients
	return nil
}

func (rd *reader) roles(ctx context.Context, doc model.Object) error {
	realmRoles, err := rd.api.List(ctx, rd.realm+"/roles", full, PageSize)
	if err != nil {
		return err
	}
	if err := rd.composites(ctx, realmRoles); err != nil {
		return err
	}
	clients := doc["clients"].([]any)
	perClient := make([][]map[string]any, len(clients))
	err = parallel.ForEach(ctx, rd.workers, len(clients), func(ctx context.Context, i int) error {
		id, _ := clients[i].(map[string]any)["id"].(string)
		roles, err := rd.api.List(ctx, rd.realm+"/clients/"+url.PathEscape(id)+"/roles", full, PageSize)
		perClient[i] = roles
		return err
	})
	if err != nil {
		return err
	}
	clientRoles := model.Object{}
	for i, roles := range perClient {
		if len(roles) == 0 {
			continue
		}
		if err := rd.composites(ctx, roles); err != nil {
			return err
		}
		clientRoles[clients[i].(map[string]any)["clientId"].(string)] = toAny(roles)
	}
	doc["roles"] = model.Object{"realm": toAny(realmRoles), "client": clientRoles}
	return nil
}

// composites fills "composites" of every composite role, naming members
// the way realm files do: {realm: [names], client: {clientId: [names]}}.
func (rd *reader) composites(ctx context.Context, roles []map[string]any) error {
	var composite []map[string]any
	for _, role := range roles {
		if c, _ := role["composite"].(bool); c {
			composite = append(composite, role)
		}
	}
	return parallel.ForEach(ctx, rd.workers, len(composite), func(ctx context.Context, i int) error {
		return rd.compositesOf(ctx, composite[i])
	})
}

func (rd *reader) compositesOf(ctx context.Context, role map[string]any) error {
	{
		id, _ := role["id"].(string)
		members, err := rd.api.List(ctx, rd.realm+"/roles-by-id/"+url.PathEscape(id)+"/composites", nil, PageSize)
		if err != nil {
			return err
		}
		realm := []any{}
		client := model.Object{}
		for _, m := range members {
			name, _ := m["name"].(string)
			if isClient, _ := m["clientRole"].(bool); isClient {
				cid, ok := rd.clientID[fmt.Sprint(m["containerId"])]
				if !ok {
					return fmt.Errorf("role %s: composite %s belongs to an unknown client %v", role["name"], name, m["containerId"])
				}
				list, _ := client[cid].([]any)
				client[cid] = append(list, name)
			} else {
				realm = append(realm, name)
			}
		}
		c := model.Object{}
		if len(realm) > 0 {
			c["realm"] = realm
		}
		if len(client) > 0 {
			c["client"] = client
		}
		role["composites"] = c
	}
	return nil
}

// groups reads the group tree. Since Keycloak 23 a group list no longer
// carries subgroups: children are paged per parent that has any.
func (rd *reader) groups(ctx context.Context, doc model.Object) error {
	top, err := rd.api.List(ctx, rd.realm+"/groups", full, PageSize)
	if err != nil {
		return err
	}
	if err := rd.subGroups(ctx, top); err != nil {
		return err
	}
	doc["groups"] = toAny(top)
	return nil
}

// subGroups reads the tree level by level, each level's parents at once.
func (rd *reader) subGroups(ctx context.Context, level []map[string]any) error {
	for len(level) > 0 {
		var parents []map[string]any
		for _, g := range level {
			delete(g, "subGroups")
			if n, _ := g["subGroupCount"].(float64); n > 0 {
				parents = append(parents, g)
			}
		}
		children := make([][]map[string]any, len(parents))
		err := parallel.ForEach(ctx, rd.workers, len(parents), func(ctx context.Context, i int) error {
			id, _ := parents[i]["id"].(string)
			list, err := rd.api.List(ctx, rd.realm+"/groups/"+url.PathEscape(id)+"/children", full, PageSize)
			children[i] = list
			return err
		})
		if err != nil {
			return err
		}
		level = nil
		for i, g := range parents {
			g["subGroups"] = toAny(children[i])
			level = append(level, children[i]...)
		}
	}
	return nil
}

func toAny(list []map[string]any) []any {
	out := make([]any, len(list))
	for i, x := range list {
		out[i] = x
	}
	return out
}

// realmDefaults reads the realm's default groups and default client
// scopes: the realm representation does not carry them.
func (rd *reader) realmDefaults(ctx context.Context, doc model.Object) error {
	for _, d := range []struct{ field, path, key string }{
		{"defaultGroups", "default-groups", "path"},
		{"defaultDefaultClientScopes", "default-default-client-scopes", "name"},
		{"defaultOptionalClientScopes", "default-optional-client-scopes", "name"},
	} {
		var list []map[string]any
		if err := rd.api.Get(ctx, rd.realm+"/"+d.path, nil, &list); err != nil {
			return err
		}
		names := []any{}
		for _, item := range list {
			names = append(names, fmt.Sprint(item[d.key]))
		}
		doc[d.field] = names
	}
	return nil
}

// scopeMappings reads the scope mappings of every client and client scope
// (one call each) into the owner's scopeMappings field, shaped like a
// role's composites.
func (rd *reader) scopeMappings(ctx context.Context, doc model.Object) error {
	type owner struct {
		obj  map[string]any
		path string
	}
	var owners []owner
	for _, o := range []struct{ collection, path string }{{"clients", "clients"}, {"clientScopes", "client-scopes"}} {
		list, _ := doc[o.collection].([]any)
		for _, item := range list {
			owners = append(owners, owner{item.(map[string]any), o.path})
		}
	}
	return parallel.ForEach(ctx, rd.workers, len(owners), func(ctx context.Context, i int) error {
		obj := owners[i].obj
		{
			var m struct {
				Realm  []map[string]any `json:"realmMappings"`
				Client map[string]struct {
					Client   string           `json:"client"`
					Mappings []map[string]any `json:"mappings"`
				} `json:"clientMappings"`
			}
			path := rd.realm + "/" + owners[i].path + "/" + url.PathEscape(fmt.Sprint(obj["id"])) + "/scope-mappings"
			if err := rd.api.Get(ctx, path, nil, &m); err != nil {
				return err
			}
			v := model.Object{}
			for _, r := range m.Realm {
				appendTo(v, "realm", fmt.Sprint(r["name"]))
			}
			clients := model.Object{}
			for _, key := range model.SortedKeys(m.Client) {
				cm := m.Client[key]
				cid := cm.Client
				if cid == "" {
					cid = key
				}
				var names []any
				for _, r := range cm.Mappings {
					names = append(names, fmt.Sprint(r["name"]))
				}
				clients[cid] = names
			}
			if len(clients) > 0 {
				v["client"] = clients
			}
			if len(v) > 0 {
				obj[model.ScopeMappingsField] = v
			}
		}
		return nil
	})
}

// DefaultConcurrency is how many independent reads run at once.
const DefaultConcurrency = parallel.Default
