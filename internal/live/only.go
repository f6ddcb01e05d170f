package live

// A read of named objects only (Options.Only): a plan scoped to a change
// (internal/scope) reads the realm, then each object it names by its key
// — a client by clientId, a role by name, a group by path, a user by
// username with its memberships from the user's side — instead of every
// collection. Parents are read to address their children; what the
// objects refer to is resolved as in a full read. The kinds it can read
// so are scope.Addressable's; the rest are never asked for here.

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// onlyDocument reads the realm and the objects rd.only names.
func (rd *reader) onlyDocument(ctx context.Context) (model.Object, error) {
	root := model.RootKind()
	if err := rd.item(ctx, root); err != nil {
		return nil, err
	}
	if len(rd.nodes[root.Name]) == 0 {
		return nil, nil // no such realm
	}
	byKind := map[string][]string{}
	for ref := range rd.only {
		byKind[ref.Kind] = append(byKind[ref.Kind], ref.Key)
	}
	for _, keys := range byKind {
		sort.Strings(keys)
	}
	steps := []func(context.Context, map[string][]string) error{
		rd.onlyClientScopes, rd.onlyClients, rd.onlyRealmRoles, rd.onlyGroups, rd.onlyIdentityProviders, rd.onlyUsers,
	}
	for _, step := range steps {
		if err := step(ctx, byKind); err != nil {
			return nil, err
		}
	}
	if err := rd.finish(ctx); err != nil {
		return nil, err
	}
	return rd.doc(), nil
}

// getIfExists GETs one object by its path; nil, nil when there is none.
func (rd *reader) getIfExists(ctx context.Context, path, what string) (map[string]any, error) {
	var obj map[string]any
	err := rd.api.Get(ctx, path, nil, &obj)
	switch {
	case NotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s of realm %s: %w", what, rd.realm, err)
	}
	return obj, nil
}

// inOnly reports whether a relation of node n is read: the realm's
// always (it is always compared), others' when the object is named.
func (rd *reader) inOnly(k *model.Kind, n *node) bool {
	return rd.only == nil || k.Root || rd.only[model.Ref{Kind: k.Name, Key: rd.keyOf(k, n)}]
}

// keyOf is a node's key as Decompose will make it.
func (rd *reader) keyOf(k *model.Kind, n *node) string {
	switch {
	case k.Root:
		return rd.realm
	case k.Recursive():
		p, _ := n.obj["path"].(string)
		return p
	}
	name, _ := k.LocalName(n.obj)
	if k.LowerKey {
		name = strings.ToLower(name)
	}
	if k.Parent == "" || n.parent == nil {
		return name
	}
	return k.KeyOf(rd.keyOf(model.KindByName(k.Parent), n.parent), name)
}

// onlyClientScopes lists the client scopes (one request, with their
// mappers) when one is named.
func (rd *reader) onlyClientScopes(ctx context.Context, byKind map[string][]string) error {
	if len(byKind[model.KindClientScope]) == 0 && len(byKind[model.KindScopeMapper]) == 0 {
		return nil
	}
	return rd.list(ctx, model.KindByName(model.KindClientScope))
}

// onlyClients reads each client that is named, or whose roles, mappers
// or service account are, by clientId; and a client's roles when one of
// them is named.
func (rd *reader) onlyClients(ctx context.Context, byKind map[string][]string) error {
	clients := model.KindByName(model.KindClient)
	users := model.KindByName(model.KindUser)
	want := map[string]bool{}
	withRoles := map[string]bool{}
	for _, key := range byKind[model.KindClient] {
		want[key] = true
	}
	for _, key := range byKind[model.KindClientMap] {
		want[model.ParentKey(key)] = true
	}
	for _, key := range byKind[model.KindClientRole] {
		want[model.ParentKey(key)] = true
		withRoles[model.ParentKey(key)] = true
	}
	for _, key := range byKind[model.KindUser] {
		if users.BuiltIn(rd.realm, key) {
			want[users.Via.Key(key)] = true
		}
	}
	if len(want) == 0 {
		return nil
	}
	var found []map[string]any
	for _, cid := range model.SortedKeys(want) {
		objs, err := rd.api.List(ctx, rd.path(clients.Endpoints.Create, clients, nil), url.Values{clients.Endpoints.FindQuery: {cid}}, PageSize)
		if err != nil {
			return fmt.Errorf("reading client %s of realm %s: %w", cid, rd.realm, err)
		}
		for _, o := range objs {
			if o[clients.KeyField] == cid { // the search is exact, but say so
				found = append(found, o)
			}
		}
	}
	nodes := rd.place(clients, nil, found)
	roles := model.KindByName(model.KindClientRole)
	for _, n := range nodes {
		if !withRoles[fmt.Sprint(n.obj[clients.KeyField])] {
			continue
		}
		objs, err := rd.fetch(ctx, roles, rd.path(roles.Endpoints.Create, roles, &node{parentID: n.id()}), n)
		if err != nil {
			return fmt.Errorf("reading roles of client %v of realm %s: %w", n.obj[clients.KeyField], rd.realm, err)
		}
		rd.place(roles, n, objs)
	}
	return nil
}

// onlyRealmRoles reads each named realm role by name.
func (rd *reader) onlyRealmRoles(ctx context.Context, byKind map[string][]string) error {
	k := model.KindByName(model.KindRealmRole)
	var found []map[string]any
	for _, name := range byKind[k.Name] {
		obj, err := rd.getIfExists(ctx, rd.path(k.Endpoints.Find, k, &node{kind: k, obj: map[string]any{k.KeyField: name}}), "realm role "+name)
		if err != nil {
			return err
		}
		if obj != nil {
			found = append(found, obj)
		}
	}
	if len(found) > 0 {
		rd.place(k, nil, found)
	}
	return nil
}

// onlyGroups reads each named group by path and hangs it where its path
// says, under placeholders for parents not named (they have no fields
// of their own here, and are no part of the scope).
func (rd *reader) onlyGroups(ctx context.Context, byKind map[string][]string) error {
	k := model.KindByName(model.KindGroup)
	if len(byKind[k.Name]) == 0 {
		return nil
	}
	type slot struct {
		obj      map[string]any
		children []string
	}
	slots := map[string]*slot{"": {}}
	var ensure func(path string) *slot
	ensure = func(path string) *slot {
		if s := slots[path]; s != nil {
			return s
		}
		i := strings.LastIndex(path, "/")
		parent := ensure(path[:i])
		s := &slot{obj: map[string]any{k.KeyField: path[i+1:], "path": path}}
		slots[path] = s
		parent.children = append(parent.children, path)
		return s
	}
	for _, path := range byKind[k.Name] {
		obj, err := rd.getIfExists(ctx, rd.path(strings.ReplaceAll(k.Endpoints.Find, "{key}", groupPathSegments(path)), k, nil), "group "+path)
		if err != nil {
			return err
		}
		if obj == nil {
			continue
		}
		delete(obj, k.ParentField)
		s := ensure(path)
		for f, v := range obj {
			s.obj[f] = v
		}
	}
	var build func(path string, parent *node) []any
	build = func(path string, parent *node) []any {
		s := slots[path]
		sort.Strings(s.children)
		items := make([]any, 0, len(s.children))
		for _, child := range s.children {
			c := slots[child]
			n := &node{kind: k, obj: c.obj, parent: parent}
			if parent != nil {
				n.parentID = parent.id()
			}
			rd.nodes[k.Name] = append(rd.nodes[k.Name], n)
			if sub := build(child, n); len(sub) > 0 {
				c.obj[k.ParentField] = sub
			}
			items = append(items, c.obj)
		}
		return items
	}
	if top := build("", nil); len(top) > 0 {
		setPath(rd.doc(), k.RealmPath, top)
	}
	return nil
}

// groupPathSegments escapes each segment of a group path for a URL,
// keeping the slashes between them.
func groupPathSegments(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// onlyIdentityProviders reads each named provider by alias, with its
// mappers when one of them is named.
func (rd *reader) onlyIdentityProviders(ctx context.Context, byKind map[string][]string) error {
	k, mappers := model.KindByName(model.KindIdP), model.KindByName(model.KindIdPMapper)
	want, withMappers := map[string]bool{}, map[string]bool{}
	for _, alias := range byKind[k.Name] {
		want[alias] = true
	}
	for _, key := range byKind[mappers.Name] {
		want[model.ParentKey(key)] = true
		withMappers[model.ParentKey(key)] = true
	}
	var found []map[string]any
	for _, alias := range model.SortedKeys(want) {
		obj, err := rd.getIfExists(ctx, rd.path(k.Endpoints.Item, k, &node{kind: k, obj: map[string]any{k.KeyField: alias}}), "identity provider "+alias)
		if err != nil {
			return err
		}
		if obj != nil {
			found = append(found, obj)
		}
	}
	if len(found) == 0 {
		return nil
	}
	for _, n := range rd.place(k, nil, found) {
		if !withMappers[n.id()] {
			continue
		}
		objs, err := rd.fetch(ctx, mappers, rd.path(mappers.Endpoints.Create, mappers, &node{parentID: n.id()}), n)
		if err != nil {
			return fmt.Errorf("reading mappers of identity provider %s of realm %s: %w", n.id(), rd.realm, err)
		}
		rd.place(mappers, n, objs)
	}
	return nil
}

// onlyUsers reads each named user by username (a service account through
// its client), then its groups, role mappings and identity provider
// links from the user's side: a few calls per user, against one per
// group and role of the realm in a full read. The user profile, which
// decides what of a user's attributes Keycloak keeps, is read with them.
func (rd *reader) onlyUsers(ctx context.Context, byKind map[string][]string) error {
	users := model.KindByName(model.KindUser)
	names := byKind[users.Name]
	for _, key := range byKind[model.KindFederatedID] {
		names = append(names, model.ParentKey(key))
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	if err := rd.item(ctx, model.KindByName(model.KindUserProfile)); err != nil {
		return err
	}
	clients := model.KindByName(model.KindClient)
	clientByID := map[string]*node{}
	for _, n := range rd.nodes[clients.Name] {
		clientByID[fmt.Sprint(n.obj[clients.KeyField])] = n
	}
	var found []map[string]any
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if users.BuiltIn(rd.realm, name) {
			c := clientByID[users.Via.Key(name)]
			if c == nil || c.obj["serviceAccountsEnabled"] != true {
				continue
			}
			var user map[string]any
			if err := rd.api.Get(ctx, rd.path(clients.Endpoints.Item, clients, c)+"/"+users.Via.Path, nil, &user); err != nil {
				return fmt.Errorf("reading the service account of client %s of realm %s: %w", users.Via.Key(name), rd.realm, err)
			}
			found = append(found, user)
			continue
		}
		query := url.Values{users.Endpoints.FindQuery: {name}, "exact": {"true"}, "briefRepresentation": {"false"}}
		objs, err := rd.api.List(ctx, rd.path(users.Endpoints.Create, users, nil), query, PageSize)
		if err != nil {
			return fmt.Errorf("reading user %s of realm %s: %w", name, rd.realm, err)
		}
		for _, o := range objs {
			if strings.EqualFold(fmt.Sprint(o[users.KeyField]), name) {
				found = append(found, o)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	nodes := rd.place(users, nil, found)
	groups, roles := users.Relation("groups"), users.Relation("realmRoles")
	links := model.KindByName(model.KindFederatedID)
	defaultRole := defaultRoleOf(rd.doc())
	for _, n := range nodes {
		upath := rd.path(users.Endpoints.Item, users, n)
		member, err := rd.api.List(ctx, upath+"/"+groups.Collection, brief, PageSize)
		if err != nil {
			return fmt.Errorf("reading the groups of user %v: %w", n.obj[users.KeyField], err)
		}
		for _, g := range member {
			appendTo(n.obj, "groups", fmt.Sprint(g[groups.NameField]))
		}
		var m mappings
		if err := rd.api.Get(ctx, upath+"/"+roles.Collection, nil, &m); err != nil {
			return fmt.Errorf("reading the role mappings of user %v: %w", n.obj[users.KeyField], err)
		}
		v := m.composite()
		if realm, ok := v["realm"].([]any); ok {
			for _, name := range realm {
				if name != defaultRole {
					appendTo(n.obj, "realmRoles", fmt.Sprint(name))
				}
			}
		}
		if client, ok := v["client"]; ok {
			n.obj["clientRoles"] = client
		}
		var objs []map[string]any
		if err := rd.api.Get(ctx, rd.path(links.Endpoints.List, links, &node{parentID: n.id()}), nil, &objs); err != nil {
			return fmt.Errorf("reading the identity provider links of user %v: %w", n.obj[users.KeyField], err)
		}
		if len(objs) > 0 {
			rd.place(links, n, objs)
		}
	}
	return nil
}
