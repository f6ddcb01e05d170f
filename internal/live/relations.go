package live

// The relations pass: references that an owner's representation does not
// carry, read from the relation's own collection under each owner, once
// every object (and so every client id) is known.

import (
	"context"
	"fmt"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// relations reads every ReadOwner relation of every object, all at once,
// but those a plan does not compare (Options.Holdings).
func (rd *reader) relations(ctx context.Context) error {
	type task struct {
		k    *model.Kind
		rel  *model.Relation
		n    *node
		path string // worked out before the reads run: they share objects
	}
	var tasks []task
	for _, k := range model.Kinds() {
		for i := range k.Relations {
			rel := &k.Relations[i]
			if rel.ReadFrom != model.ReadOwner || rd.exportedRelation(k, rel) {
				continue
			}
			for _, n := range rd.nodes[k.Name] {
				if (rel.ReadWhen != "" && n.obj[rel.ReadWhen] != true) || !rd.inOnly(k, n) || !rd.holdings.relation(k, rd.keyOf(k, n), rel.Field) {
					continue
				}
				tasks = append(tasks, task{k, rel, n, rd.path(k.Endpoints.Item, k, n) + "/" + rel.Collection})
			}
		}
	}
	clientIDs := rd.clientIDs()
	found := make([]any, len(tasks))
	err := parallel.ForEach(ctx, rd.workers, len(tasks), func(ctx context.Context, i int) error {
		v, err := rd.readRelation(ctx, tasks[i].rel, tasks[i].path, clientIDs)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", tasks[i].path, tasks[i].rel.Field, err)
		}
		found[i] = v
		return nil
	})
	if err != nil {
		return err
	}
	// The objects are written once every read is done: tasks of one
	// owner (the realm's default groups and scopes) share its object.
	for i, t := range tasks {
		if found[i] != nil {
			t.n.obj[t.rel.Field] = found[i]
		}
	}
	return nil
}

// readRelation reads one owner's references and shapes them as a realm
// file writes them; nil when a mappings-shaped relation has none.
func (rd *reader) readRelation(ctx context.Context, rel *model.Relation, path string, clientIDs map[string]string) (any, error) {
	switch rel.Wire {
	case model.WireIDs:
		var objs []map[string]any
		if err := rd.api.Get(ctx, path, nil, &objs); err != nil {
			return nil, err
		}
		names := []any{}
		for _, o := range objs {
			names = append(names, fmt.Sprint(o[rel.NameField]))
		}
		return names, nil
	case model.WireIDBody:
		var objs []map[string]any
		var err error
		if rel.Unpaged {
			err = rd.api.Get(ctx, path, nil, &objs)
		} else {
			objs, err = rd.api.List(ctx, path, nil, PageSize)
		}
		if err != nil {
			return nil, err
		}
		names := []any{}
		var excluded []string
	objects:
		for _, o := range objs {
			for f, v := range rel.Exclude {
				if o[f] == v {
					excluded = append(excluded, fmt.Sprint(o[rel.NameField]))
					continue objects
				}
			}
			names = append(names, fmt.Sprint(o[rel.NameField]))
		}
		if len(excluded) > 0 {
			rd.mu.Lock()
			rd.excluded[path] = excluded
			rd.mu.Unlock()
		}
		return names, nil
	case model.WireRoles:
		roles, err := rd.api.List(ctx, path, nil, PageSize)
		if err != nil {
			return nil, err
		}
		return rolesByContainer(roles, clientIDs)
	default:
		var m mappings
		if err := rd.api.Get(ctx, path, nil, &m); err != nil {
			return nil, err
		}
		v := m.composite()
		if len(v) == 0 {
			return nil, nil
		}
		return v, nil
	}
}

// mappings is Keycloak's answer for a role-mappings or scope-mappings
// collection.
type mappings struct {
	Realm  []map[string]any `json:"realmMappings"`
	Client map[string]struct {
		Client   string           `json:"client"`
		Mappings []map[string]any `json:"mappings"`
	} `json:"clientMappings"`
}

// composite shapes mappings as a realm file writes a role's composites:
// {realm: [names], client: {clientId: [names]}}.
func (m *mappings) composite() model.Object {
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
	return v
}

// rolesByContainer shapes a list of roles as composites, naming each
// client role's client by its clientId.
func rolesByContainer(roles []map[string]any, clientIDs map[string]string) (model.Object, error) {
	realm := []any{}
	client := model.Object{}
	for _, m := range roles {
		name, _ := m["name"].(string)
		if isClient, _ := m["clientRole"].(bool); isClient {
			cid, ok := clientIDs[fmt.Sprint(m["containerId"])]
			if !ok {
				return nil, fmt.Errorf("role %s belongs to an unknown client %v", name, m["containerId"])
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
	return c, nil
}

// clientIDs maps client server ids to clientIds.
func (rd *reader) clientIDs() map[string]string {
	k := model.KindByName(model.KindClient)
	out := map[string]string{}
	for _, n := range rd.nodes[k.Name] {
		out[n.id()] = fmt.Sprint(n.obj[k.KeyField])
	}
	return out
}

func appendTo(obj map[string]any, field, value string) {
	l, _ := obj[field].([]any)
	obj[field] = append(l, value)
}
