package apply

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// itemPath is the GET/PUT/DELETE path of an object.
func (r *run) itemPath(ctx context.Context, realm string, e *model.Entity) (string, error) {
	return r.expand(ctx, realm, e, e.Kind.Endpoints.Item)
}

// expand fills an endpoint template for entity e.
func (r *run) expand(ctx context.Context, realm string, e *model.Entity, tmpl string) (string, error) {
	out := strings.ReplaceAll(tmpl, "{realm}", url.PathEscape(realm))
	out = strings.ReplaceAll(out, "{name}", url.PathEscape(e.Name()))
	out = strings.ReplaceAll(out, "{key}", escapePath(e.Key))
	if strings.Contains(out, "{parent}") {
		id, err := r.resolve(ctx, realm, r.parentEntity(realm, e))
		if err != nil {
			return "", fmt.Errorf("parent %s: %w", e.Parent, err)
		}
		out = strings.ReplaceAll(out, "{parent}", url.PathEscape(id))
	}
	if strings.Contains(out, "{id}") {
		id, err := r.resolve(ctx, realm, e)
		if err != nil {
			return "", err
		}
		out = strings.ReplaceAll(out, "{id}", url.PathEscape(id))
	}
	return out, nil
}

// resolve returns an object's server id: from the live read, from this
// run's creates, or by asking the server.
func (r *run) resolve(ctx context.Context, realm string, e *model.Entity) (string, error) {
	if e.Kind.KeyIsID {
		return e.Name(), nil // the endpoints take the key
	}
	key := ref{realm, e.Kind.Name, e.Key}
	r.mu.Lock()
	id := r.ids[key]
	r.mu.Unlock()
	if id != "" {
		return id, nil
	}
	if lr := r.live[realm]; lr != nil {
		if l := lr.Get(e.Kind.Name, e.Key); l != nil && l.ID != "" {
			return l.ID, nil
		}
	}
	id, err := r.find(ctx, realm, e)
	if err != nil {
		return "", fmt.Errorf("looking up %s %q: %w", e.Kind.Title, e.Key, err)
	}
	r.mu.Lock()
	r.ids[key] = id
	r.mu.Unlock()
	return id, nil
}

func (r *run) find(ctx context.Context, realm string, e *model.Entity) (string, error) {
	k := e.Kind
	if k.Via != nil && k.BuiltIn(realm, e.Key) {
		return r.findVia(ctx, realm, e)
	}
	if k.Endpoints.Find != "" {
		path, err := r.expand(ctx, realm, e, k.Endpoints.Find)
		if err != nil {
			return "", err
		}
		var obj map[string]any
		if err := r.api.Get(ctx, path, nil, &obj); err != nil {
			return "", err
		}
		if id, _ := obj["id"].(string); id != "" {
			return id, nil
		}
		return "", errNotFound
	}
	tmpl := k.Endpoints.Create
	if e.Parent == "" && k.Endpoints.CreateRoot != "" {
		tmpl = k.Endpoints.CreateRoot
	}
	path, err := r.expand(ctx, realm, e, tmpl)
	if err != nil {
		return "", err
	}
	query := url.Values{}
	if k.Endpoints.FindQuery != "" {
		query.Set(k.Endpoints.FindQuery, model.ScalarString(e.Fields[k.KeyField]))
		if k.KeyField == "" || e.Fields[k.KeyField] == nil {
			query.Set(k.Endpoints.FindQuery, e.Name())
		}
	}
	// Components share one collection: narrow it to the type and parent.
	if typ := componentType(e); typ != "" {
		query.Set("type", typ)
	}
	if k.ParentIDField != "" && e.Parent != "" {
		pid, err := r.resolve(ctx, realm, r.parentEntity(realm, e))
		if err != nil {
			return "", fmt.Errorf("parent %s: %w", e.Parent, err)
		}
		query.Set("parent", pid)
	}
	list, err := r.api.List(ctx, path, query, 0)
	if err != nil {
		return "", err
	}
	for _, obj := range list {
		if name, _ := k.LocalName(obj); name == e.Name() {
			if id, _ := obj["id"].(string); id != "" {
				return id, nil
			}
		}
	}
	return "", errNotFound
}

// componentType is the provider type of a component, "" for other kinds.
func componentType(e *model.Entity) string {
	if e.Kind.WireType != "" {
		return e.Kind.WireType
	}
	if e.Kind.TypeField != "" {
		return model.ScalarString(e.Kind.SplitLocalName(e.Name())[e.Kind.TypeField])
	}
	return ""
}

// parentEntity describes e's parent well enough to resolve it.
func (r *run) parentEntity(realm string, e *model.Entity) *model.Entity {
	pk := model.KindByName(e.Kind.Parent)
	if lr := r.live[realm]; lr != nil {
		if p := lr.Get(pk.Name, e.Parent); p != nil {
			return p
		}
	}
	return stub(pk, e.Parent)
}

// stub describes an object by kind and key alone, enough to find its id.
func stub(k *model.Kind, key string) *model.Entity {
	name := key
	if k.Parent != "" {
		name = k.NameOf(key)
	}
	return &model.Entity{Kind: k, Key: key, Parent: parentIfChild(k, key), Fields: k.SplitLocalName(name)}
}

// parentIfChild returns the parent key encoded in a child key.
func parentIfChild(k *model.Kind, key string) string {
	if k.Parent == "" {
		return ""
	}
	return model.ParentKey(key)
}

// escapePath escapes each segment of a slash-separated key (group paths).
func escapePath(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// findVia locates a built-in object that no search finds through the
// object it belongs to (a client's service-account user: user searches
// leave service accounts out).
func (r *run) findVia(ctx context.Context, realm string, e *model.Entity) (string, error) {
	via := e.Kind.Via
	owner := stub(model.KindByName(via.Kind), via.Key(e.Key))
	path, err := r.itemPath(ctx, realm, owner)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", owner.Kind.Title, owner.Key, err)
	}
	var obj map[string]any
	if err := r.api.Get(ctx, path+"/"+via.Path, nil, &obj); err != nil {
		return "", err
	}
	if id, _ := obj["id"].(string); id != "" {
		return id, nil
	}
	return "", errNotFound
}
