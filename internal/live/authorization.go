package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// authorization reads the authorization services of every client that
// has them, one GET per client: the resource server's settings export,
// which names every reference (scopes, resources, policies, roles,
// users) as the files do. model.Decompose lifts its lists into the
// authorization kinds.
func (rd *reader) authorization(ctx context.Context) error {
	client := model.KindByName(model.KindClient)
	var owners []*node
	for _, n := range rd.nodes[client.Name] {
		if n.obj["authorizationServicesEnabled"] == true {
			owners = append(owners, n)
		}
	}
	found := make([]map[string]any, len(owners))
	err := parallel.ForEach(ctx, rd.workers, len(owners), func(ctx context.Context, i int) error {
		return rd.api.Get(ctx, rd.path(client.Endpoints.Item, client, owners[i])+"/"+model.AuthorizationPath+"/settings", nil, &found[i])
	})
	if Forbidden(err) {
		// The settings export needs manage-authorization: an account
		// that may only view reads the realm without them.
		why := fmt.Sprintf("the authorization services of realm %s's clients could not be read, so this plan leaves them alone: Keycloak answered %v (reading them needs the manage-authorization role)", rd.realm, err)
		for _, k := range []string{model.KindAuthzScope, model.KindAuthzResource, model.KindAuthzPolicy} {
			rd.unreadable[k] = why
		}
		return nil
	}
	if err != nil {
		return err
	}
	for i, n := range owners {
		if found[i] != nil {
			dropUserResources(found[i])
			n.obj[model.AuthorizationField] = found[i]
		}
	}
	return nil
}

// dropUserResources leaves out the resources users own (UMA): realmsync
// manages the resource server's own, which a realm's files describe; a
// user's resource may share a name with another user's.
func dropUserResources(settings map[string]any) {
	list, ok := settings["resources"].([]any)
	if !ok {
		return
	}
	kept := make([]any, 0, len(list))
	for _, r := range list {
		m, _ := r.(map[string]any)
		// The export names an owner only when it is not the resource
		// server itself.
		if owner, _ := m["owner"].(map[string]any); owner != nil && owner["name"] != nil {
			continue
		}
		kept = append(kept, r)
	}
	settings["resources"] = kept
}

// Forbidden spots a 403 by its Forbidden() bool method, for the packages
// that see the admin client through an interface (the reader, export).
func Forbidden(err error) bool {
	var f interface{ Forbidden() bool }
	return errors.As(err, &f) && f.Forbidden()
}
