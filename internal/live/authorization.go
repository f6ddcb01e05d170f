package live

import (
	"context"

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
	if err != nil {
		return err
	}
	for i, n := range owners {
		if found[i] != nil {
			n.obj[model.AuthorizationField] = found[i]
		}
	}
	return nil
}
