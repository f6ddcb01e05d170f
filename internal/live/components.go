package live

import (
	"context"
	"fmt"

	"github.com/realmsync/realmsync/internal/model"
)

// components reads every component of the realm in one request (the
// collection holds them all, each naming its parent by id) and places
// them as a realm export writes them; model.Decompose lifts user storage
// providers and their mappers into the flat userFederation shape.
func (rd *reader) components(ctx context.Context) error {
	k := model.KindByName(model.KindComponent)
	var all []map[string]any
	if err := rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil), nil, &all); err != nil {
		return err
	}
	tree := model.ComponentTree(all, fmt.Sprint(rd.doc()["id"]))
	if len(tree) > 0 {
		rd.doc()["components"] = tree
	}
	return nil
}
