package model

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
)

// Overlap is an object (or a realm field) that a later part sets again.
type Overlap struct {
	What      string
	At, First Pos
}

// MergeOver adds part into r as an import applied after it: what part
// sets again replaces what r had, field by field (a keycloak-config-cli
// project imports its files one after the other). Merge, for realmsync's
// own files, refuses that instead. It returns what part set again with
// another value.
func (r *Realm) MergeOver(part *Realm) []Overlap {
	var out []Overlap
	for _, k := range kinds {
		for _, e := range part.Sorted(k.Name) {
			cur := r.Get(k.Name, e.Key)
			if cur == nil {
				_ = r.Add(e)
				continue
			}
			changed := false
			for _, f := range SortedKeys(e.Fields) {
				if !cmp.Equal(cur.Fields[f], e.Fields[f]) {
					changed = true
					if k.Root {
						out = append(out, Overlap{What: fmt.Sprintf("realm field %q is set again", f), At: e.FieldPos.Get(f), First: cur.FieldPos.Get(f)})
					}
				}
				cur.Fields[f] = e.Fields[f]
				cur.FieldPos.Set(f, e.FieldPos.Get(f))
			}
			if changed && !k.Root {
				out = append(out, Overlap{What: fmt.Sprintf("%s %q is defined again", k.Title, e.Key), At: e.Source, First: cur.Source})
			}
		}
	}
	r.mergeNotes(part)
	for k, p := range part.Policies {
		r.Policies[k] = p
		r.PolicyPos[k] = part.PolicyPos[k]
	}
	return out
}
