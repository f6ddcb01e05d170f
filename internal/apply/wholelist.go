package apply

// The write hook of kinds whose collection is one document written
// whole (client profiles and client policies): Keycloak has a GET and a
// PUT of the realm's whole list and no endpoint per item. An item is
// written by reading the document back, replacing or adding or removing
// that item, and putting the document back, so items the plan does not
// touch stay exactly as the server has them. The waves of these kinds run
// one action at a time (inWaves): two writes at once would each put back
// a list without the other's change.

import (
	"context"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// writeListItem creates or updates the action's item.
func (r *run) writeListItem(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	d := a.Desired
	return true, r.editList(ctx, a.Realm, d.Kind, func(items []any) []any {
		for i, item := range items {
			if m, ok := item.(map[string]any); ok && m[d.Kind.KeyField] == d.Key {
				items[i] = overlay(m, body)
				return items
			}
		}
		body[d.Kind.KeyField] = d.Key
		return append(items, body)
	})
}

// removeListItem deletes the action's item; one already gone is done.
func (r *run) removeListItem(ctx context.Context, a *plan.Action) error {
	l := a.Live
	return r.editList(ctx, a.Realm, l.Kind, func(items []any) []any {
		kept := items[:0]
		for _, item := range items {
			if m, ok := item.(map[string]any); !ok || m[l.Kind.KeyField] != l.Key {
				kept = append(kept, item)
			}
		}
		return kept
	})
}

func (r *run) editList(ctx context.Context, realm string, k *model.Kind, edit func([]any) []any) error {
	path := fill(k.Endpoints.Create, realm)
	var doc map[string]any
	if err := r.api.Get(ctx, path, nil, &doc); err != nil {
		return err
	}
	items, _ := doc[k.Read.Field].([]any)
	// Only the realm's own list: Keycloak's global items are not the
	// realm's to write.
	return r.api.Put(ctx, path, map[string]any{k.Read.Field: edit(items)})
}
