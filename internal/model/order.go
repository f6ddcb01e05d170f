package model

import (
	"fmt"
	"strings"
)

// dependencies are the kinds k's objects need: the realm, the parent
// kind (a recursive kind orders itself by depth), and what it declares.
func (k *Kind) dependencies(root string) []string {
	var out []string
	if !k.Root {
		out = append(out, root)
	}
	if k.Parent != "" && !k.Recursive() {
		out = append(out, k.Parent)
	}
	return append(out, k.DependsOn...)
}

// applyOrder sorts rows so that every kind comes after the kinds it
// depends on, keeping the written order where dependencies leave a
// choice. A dependency cycle, or one on a kind not in the table, is an
// error naming the kinds.
func applyOrder(rows []*Kind) ([]*Kind, error) {
	byName := map[string]*Kind{}
	root := ""
	for _, k := range rows {
		byName[k.Name] = k
		if k.Root {
			root = k.Name
		}
	}
	for _, k := range rows {
		for _, d := range k.dependencies(root) {
			if byName[d] == nil {
				return nil, fmt.Errorf("kind table: %s depends on %q, which is not a kind", k.Name, d)
			}
		}
	}
	placed := map[string]bool{}
	var out []*Kind
	for len(out) < len(rows) {
		progress := false
		for _, k := range rows {
			if placed[k.Name] {
				continue
			}
			ready := true
			for _, d := range k.dependencies(root) {
				ready = ready && placed[d]
			}
			if ready {
				placed[k.Name] = true
				out = append(out, k)
				progress = true
				break // the first ready kind in written order, then look again
			}
		}
		if !progress {
			var left []string
			for _, k := range rows {
				if !placed[k.Name] {
					left = append(left, k.Name+" → "+strings.Join(k.dependencies(root), ", "))
				}
			}
			return nil, fmt.Errorf("kind table: a dependency cycle among %s", strings.Join(left, "; "))
		}
	}
	return out, nil
}

// TestingAddKinds adds rows to the kind table for a test and returns
// what restores it. Tests of other packages use it to drive the engine
// with a kind the product does not have yet; nothing else may call it.
func TestingAddKinds(extra ...*Kind) (restore func()) {
	saved, savedIndex := kinds, kindIndex
	ordered, err := applyOrder(append(append([]*Kind{}, kinds...), extra...))
	if err != nil {
		panic(err)
	}
	kinds, kindIndex = ordered, map[string]int{}
	for i, k := range kinds {
		kindIndex[k.Name] = i
	}
	return func() { kinds, kindIndex = saved, savedIndex }
}
