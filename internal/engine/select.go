package engine

// Targeting: --only, --skip and --target. A plan that leaves kinds or
// objects out says so,
// and refuses to apply an action whose dependency it leaves out (a client
// role of a client the plan would create, a group membership of a group
// it would create): half of such a change would fail on the server.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
	"github.com/realmsync/realmsync/internal/schema"
)

// Selection is the kinds a plan holds. The zero value holds every kind.
type Selection struct {
	excluded map[string]bool
	// targets: only these objects, what is inside them, and what they
	// need that the plan creates (--target KIND:KEY).
	targets []model.Ref
	flags   string // how the selection was asked for, for messages
}

// Target adds --target KIND:KEY selections (kind names or plurals; the
// key as plans name it: "webapp", "webapp/audience", "/staff/ops").
func (s Selection) Target(targets []string) (Selection, error) {
	var names []string
	for _, k := range model.Kinds() {
		names = append(names, k.Name)
	}
	for _, t := range targets {
		kind, key, ok := strings.Cut(t, ":")
		if k := model.KindByPlural(kind); k != nil {
			kind = k.Name
		}
		if !ok || key == "" || model.KindByName(kind) == nil {
			hint := ""
			if sug := schema.Suggest(kind, names); ok && sug != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", sug)
			}
			return s, fmt.Errorf("--target %q: want KIND:KEY, a kind being one of %s%s", t, strings.Join(names, ", "), hint)
		}
		s.targets = append(s.targets, model.Ref{Kind: kind, Key: key})
	}
	if len(targets) > 0 {
		s.flags = strings.TrimSpace(s.flags + " --target " + strings.Join(targets, " --target "))
	}
	return s, nil
}

// checkTargets refuses a target that names no object of the realm, in
// the files or on the server: a typo would plan nothing, silently.
func (s Selection) checkTargets(desired, live *model.Realm) error {
	for _, t := range s.targets {
		if desired.Get(t.Kind, t.Key) != nil || (live != nil && live.Get(t.Kind, t.Key) != nil) {
			continue
		}
		keys := desired.Keys(t.Kind)
		if live != nil {
			keys = append(keys, live.Keys(t.Kind)...)
		}
		hint := ""
		if sug := schema.Suggest(t.Key, keys); sug != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", sug)
		}
		return fmt.Errorf("--target %s:%s: realm %s has no %s %q, in the files or on the server%s", t.Kind, t.Key, desired.Name, model.KindByName(t.Kind).Title, t.Key, hint)
	}
	return nil
}

// Select applies --only and --skip (kind names or plurals).
func Select(only, skip []string) (Selection, error) {
	var names []string
	for _, k := range model.Kinds() {
		names = append(names, k.Name)
	}
	canonical := func(flag string, list []string) ([]string, error) {
		var out []string
		for _, n := range list {
			if k := model.KindByPlural(n); k != nil {
				n = k.Name
			}
			if model.KindByName(n) == nil {
				hint := ""
				if s := schema.Suggest(n, names); s != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				return nil, fmt.Errorf("--%s: unknown kind %q%s; kinds are: %s", flag, n, hint, strings.Join(names, ", "))
			}
			out = append(out, n)
		}
		return out, nil
	}
	o, err := canonical("only", only)
	if err != nil {
		return Selection{}, err
	}
	s, err := canonical("skip", skip)
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{excluded: map[string]bool{}}
	for _, n := range names {
		sel.excluded[n] = len(o) > 0 && !contains(o, n)
	}
	for _, n := range s {
		sel.excluded[n] = true
	}
	var flags []string
	if len(o) > 0 {
		flags = append(flags, "--only "+strings.Join(o, ","))
	}
	if len(s) > 0 {
		flags = append(flags, "--skip "+strings.Join(s, ","))
	}
	sel.flags = strings.Join(flags, " ")
	return sel, nil
}

// Has reports whether the selection holds kind.
func (s Selection) Has(kind string) bool { return !s.excluded[kind] }

// partial is the plan's warning that it leaves kinds out, or "".
func (s Selection) partial() string {
	if len(s.targets) > 0 {
		var names []string
		for _, t := range s.targets {
			names = append(names, fmt.Sprintf("%s %q", model.KindByName(t.Kind).Title, t.Key))
		}
		return fmt.Sprintf("partial plan (%s): only changes to %s, what is inside it, and what it needs that the plan creates are planned, shown and applied.", s.flags, strings.Join(names, ", "))
	}
	var out, in []string
	for _, k := range model.Kinds() {
		if s.excluded[k.Name] {
			out = append(out, k.Title+"s")
		} else {
			in = append(in, k.Title+"s")
		}
	}
	switch {
	case len(out) == 0:
		return ""
	case len(in) < len(out):
		return fmt.Sprintf("partial plan (%s): only changes to %s are planned, shown and applied.", s.flags, strings.Join(in, ", "))
	}
	return fmt.Sprintf("partial plan (%s): changes to %s are not planned, shown or applied.", s.flags, strings.Join(out, ", "))
}

// filter keeps the actions of selected kinds. It refuses when a kept
// action needs an object that only a left-out action would create.
func (s Selection) filter(actions []plan.Action) ([]plan.Action, error) {
	creates := map[model.Ref]*plan.Action{}
	for i := range actions {
		if actions[i].Verb == plan.Create {
			creates[model.Ref{Kind: actions[i].Kind, Key: actions[i].Key}] = &actions[i]
		}
	}
	var kept []plan.Action
	var missing []string
	for i := range actions {
		a := &actions[i]
		if !s.Has(a.Kind) {
			continue
		}
		kept = append(kept, *a)
		for _, dep := range dependencies(a) {
			if c := creates[dep]; c != nil && !s.Has(c.Kind) {
				missing = append(missing, fmt.Sprintf("%s %q needs %s, which only a left-out %s create makes", model.KindByName(a.Kind).Title, a.Key, dep, c.Kind))
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%s leaves out what the selected changes depend on: %s; select those kinds too", s.flags, strings.Join(missing, "; "))
	}
	if len(s.targets) > 0 {
		kept = targeted(kept, s.targets)
	}
	return kept, nil
}

// targeted keeps the actions on the targets and on what is inside them
// (a client's mappers and roles, a group's subgroups), and, pulled in,
// the creates of what those need (a parent, a role a composite adds).
func targeted(actions []plan.Action, targets []model.Ref) []plan.Action {
	byRef := map[model.Ref]int{}
	for i, a := range actions {
		byRef[model.Ref{Kind: a.Kind, Key: a.Key}] = i
	}
	keep := map[int]bool{}
	var pull func(i int)
	pull = func(i int) {
		if keep[i] {
			return
		}
		keep[i] = true
		for _, dep := range dependencies(&actions[i]) {
			if j, ok := byRef[dep]; ok && actions[j].Verb == plan.Create {
				pull(j)
			}
		}
	}
	for i, a := range actions {
		for _, t := range targets {
			if inside(a, t) {
				pull(i)
			}
		}
	}
	var out []plan.Action
	for i, a := range actions {
		if keep[i] {
			out = append(out, a)
		}
	}
	return out
}

// inside reports whether action a is on target t or on an object inside
// it: a mapper or role of a client, a subgroup (groups are keyed by path).
func inside(a plan.Action, t model.Ref) bool {
	k := model.KindByName(a.Kind)
	if a.Kind == t.Kind && (a.Key == t.Key || k.Recursive() && strings.HasPrefix(a.Key, t.Key+"/")) {
		return true
	}
	e := a.Entity()
	if e == nil || k.Parent != t.Kind {
		return false
	}
	return e.Parent == t.Key || model.KindByName(t.Kind).Recursive() && strings.HasPrefix(e.Parent, t.Key+"/")
}

// dependencies are the objects an action needs to exist: its parent, and
// the objects its references add.
func dependencies(a *plan.Action) []model.Ref {
	var out []model.Ref
	k := model.KindByName(a.Kind)
	if !k.Root {
		out = append(out, model.Ref{Kind: model.RootKind().Name, Key: a.Realm})
	}
	if e := a.Entity(); k.Parent != "" && e != nil && e.Parent != "" {
		out = append(out, model.Ref{Kind: k.Parent, Key: e.Parent})
	}
	for _, c := range a.Changes {
		out = append(out, c.AddRefs...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
