package apply

// The write hook of realm localization: a locale's texts are merged in by
// a POST of the texts that are new or changed, and a key the files no
// longer list is removed by its own DELETE. A locale removed from the
// files goes by the generic delete of its item (all its texts).

import (
	"context"
	"fmt"
	"net/url"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/plan"
)

func (r *run) writeLocalization(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	d := a.Desired
	path, err := r.itemPath(ctx, a.Realm, d)
	if err != nil {
		return true, err
	}
	want, _ := body["texts"].(map[string]any)
	var have map[string]any
	if a.Live != nil {
		have, _ = a.Live.Fields["texts"].(map[string]any)
	}
	changed := map[string]any{}
	for key, text := range want {
		if old, ok := have[key]; !ok || !cmp.Equal(old, text) {
			changed[key] = fmt.Sprint(text)
		}
	}
	if len(changed) > 0 {
		if _, err := r.api.Post(ctx, path, changed); err != nil {
			return true, err
		}
	}
	var live map[string]any
	if a.Live != nil {
		live = a.Live.Fields
	}
	for _, key := range d.Kind.MapRemovals(a.Realm, d, live)["texts"] {
		if err := r.api.Delete(ctx, path+"/"+url.PathEscape(key), nil); err != nil && !notFound(err) {
			return true, err
		}
	}
	return true, nil
}
