package model

// Restrict is a realm reduced to the objects refs names and the realm's
// own settings: what a plan scoped to a change compares (internal/scope).
// Everything else about the realm (collections written down, policies,
// owners, digests) is kept: it decides over those objects too.
func (r *Realm) Restrict(refs map[Ref]bool) *Realm {
	out := *r
	out.Entities = map[string]map[string]*Entity{}
	for kind, byKey := range r.Entities {
		for key, e := range byKey {
			if KindByName(kind).Root || refs[Ref{Kind: kind, Key: key}] {
				if out.Entities[kind] == nil {
					out.Entities[kind] = map[string]*Entity{}
				}
				out.Entities[kind][key] = e
			}
		}
	}
	return &out
}
