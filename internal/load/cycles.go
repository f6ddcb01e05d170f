package load

import (
	"fmt"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// cycles reports references that lead back to where they started: a role
// that is, through its composites, a composite of itself. Keycloak accepts
// such a role, and it then grants everything on the cycle to whoever has
// any role of it. An edge is a reference held in a relation field to an
// object whose kind has a relation of the same name (composites of roles
// name roles), so the check follows the kind table, not a list of kinds.
func cycles(r *model.Realm) []error {
	type node = model.Ref
	edges := map[node][]node{}
	where := map[node]model.Pos{}
	for _, k := range model.Kinds() {
		for _, rel := range k.Relations {
			for _, e := range r.Sorted(k.Name) {
				v, ok := e.Fields[rel.Field]
				if !ok {
					continue
				}
				refs, err := rel.Refs(v)
				if err != nil {
					continue // reported by validate
				}
				from := node{Kind: k.Name, Key: e.Key}
				for _, ref := range refs {
					if target := model.KindByName(ref.Kind); target != nil && target.Relation(rel.Field) != nil {
						edges[from] = append(edges[from], ref)
					}
				}
				if p := e.FieldPos.Get(rel.Field); !p.IsZero() {
					where[from] = p
				} else {
					where[from] = e.Source
				}
			}
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := map[node]int{}
	var path []node
	var errs []error
	var visit func(n node)
	visit = func(n node) {
		state[n] = onPath
		path = append(path, n)
		for _, next := range edges[n] {
			switch state[next] {
			case onPath:
				start := 0
				for i, p := range path {
					if p == next {
						start = i
					}
				}
				names := make([]string, 0, len(path)-start+1)
				for _, p := range path[start:] {
					names = append(names, p.String())
				}
				names = append(names, next.String())
				errs = append(errs, fmt.Errorf("%s: %s: composites form a cycle: %s", where[next], next, strings.Join(names, " → ")))
			case unseen:
				visit(next)
			}
		}
		path = path[:len(path)-1]
		state[n] = done
	}
	// Start from every node in a stable order, so that each cycle is
	// reported once and the same way on every run.
	var starts []node
	for _, k := range model.Kinds() {
		for _, e := range r.Sorted(k.Name) {
			if n := (node{Kind: k.Name, Key: e.Key}); len(edges[n]) > 0 {
				starts = append(starts, n)
			}
		}
	}
	for _, n := range starts {
		if state[n] == unseen {
			visit(n)
		}
	}
	return errs
}
