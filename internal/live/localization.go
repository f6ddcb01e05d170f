package live

import (
	"context"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// localization reads the realm's localization texts: the locales that
// have any, then each locale's texts as stored (no fallback to the
// default locale's), placed as a realm export writes them.
func (rd *reader) localization(ctx context.Context) error {
	k := model.KindByName(model.KindLocalization)
	var locales []string
	if err := rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil), nil, &locales); err != nil {
		return err
	}
	texts := make([]map[string]any, len(locales))
	own := url.Values{"useRealmDefaultLocaleFallback": {"false"}}
	err := parallel.ForEach(ctx, rd.workers, len(locales), func(ctx context.Context, i int) error {
		return rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil)+"/"+url.PathEscape(locales[i]), own, &texts[i])
	})
	if err != nil {
		return err
	}
	all := map[string]any{}
	for i, locale := range locales {
		if len(texts[i]) > 0 {
			all[locale] = texts[i]
		}
	}
	if len(all) > 0 {
		rd.doc()[k.RealmPath] = all
	}
	return nil
}
