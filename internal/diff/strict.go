package diff

import (
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// Strict finds what is on the server outside Git's control and that no
// sync changes (plan --strict, drift --strict): objects no file declares
// and no owner recorded, and, in declared objects, fields the files do
// not write whose value differs from a new object's (a description, a
// composite, a group membership set by hand). pruned is the live realm as
// export prunes it against the server's defaults (export.Baseline): the
// fields it keeps are those that differ. actions are the plan's for the
// realm: what they delete is no finding.
// fresh is what a new realm holds (the baseline): Keycloak's own objects,
// including those the kind table does not list as built-in.
func Strict(desired, live, pruned, fresh *model.Realm, actions []plan.Action) []plan.Finding {
	if live == nil {
		return nil
	}
	deleted := map[model.Ref]bool{}
	for _, a := range actions {
		if a.Verb == plan.Delete {
			deleted[model.Ref{Kind: a.Kind, Key: a.Key}] = true
		}
	}
	owned := func(ref model.Ref) bool {
		for _, o := range live.Owners {
			if o[ref] {
				return true
			}
		}
		return false
	}
	var out []plan.Finding
	unmanaged := map[model.Ref]bool{}
	for _, k := range model.Kinds() {
		if k.Root || k.KeyField == "" {
			continue // the realm itself, singletons (the user profile)
		}
		for _, l := range live.Sorted(k.Name) {
			ref := model.Ref{Kind: k.Name, Key: l.Key}
			if desired.Get(k.Name, l.Key) != nil || k.BuiltIn(live.Name, l.Key) || owned(ref) || deleted[ref] ||
				fresh != nil && fresh.Get(k.Name, l.Key) != nil {
				continue
			}
			unmanaged[ref] = true
			if insideUnmanaged(k, l, unmanaged) {
				continue // reported with the object it is in
			}
			out = append(out, plan.Finding{Realm: live.Name, Kind: k.Name, Key: l.Key, What: plan.Unmanaged})
		}
	}
	if pruned != nil {
		for _, k := range model.Kinds() {
			for _, d := range desired.Sorted(k.Name) {
				p := pruned.Get(k.Name, d.Key)
				if p == nil {
					continue
				}
				for _, f := range model.SortedKeys(p.Fields) {
					if _, written := d.Fields[f]; written || f == k.KeyField || k.IsSecret(f) || holdsPlaceholder(p.Fields[f]) {
						continue
					}
					out = append(out, plan.Finding{Realm: live.Name, Kind: k.Name, Key: d.Key, What: plan.UnmanagedField, Path: f, Value: p.Fields[f]})
				}
			}
		}
	}
	plan.SortFindings(out)
	return out
}

// insideUnmanaged reports an object inside another unmanaged one (a
// mapper of a hand-made client, a subgroup of a hand-made group).
func insideUnmanaged(k *model.Kind, l *model.Entity, unmanaged map[model.Ref]bool) bool {
	if k.Recursive() {
		if parent := model.ParentKey(l.Key); parent != "" && unmanaged[model.Ref{Kind: k.Name, Key: parent}] {
			return true
		}
	}
	return k.Parent != "" && l.Parent != "" && unmanaged[model.Ref{Kind: k.Parent, Key: l.Parent}]
}

// holdsPlaceholder: export wrote a secret's placeholder there.
func holdsPlaceholder(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "${env:")
}
