// Package diff compares desired state with live state and decides the
// actions that make the server match. It is generic over model's kind table
// and never talks to a server.
//
// Semantics: only fields the desired state sets are managed (a field absent
// from YAML is left as the server has it; inside objects, the same holds key
// by key). Which live objects absent from the desired state are deleted is
// the kind's deletion policy: "owned" (the default) deletes only objects this
// owner created or adopted, "full" everything not built-in, "none" nothing.
// Built-in objects are never deleted.
package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
	"github.com/realmsync/realmsync/internal/schema"
)

// MaskedSecret is what Keycloak returns in place of a stored secret.
const MaskedSecret = model.MaskedSecret

// Options steer a diff.
type Options struct {
	// Owner is the name this desired state's objects are recorded under.
	Owner string
	// TakeOver adopts objects recorded under another owner; without it,
	// desired objects another owner manages are an error.
	TakeOver bool
}

// Realm returns the actions that turn live into desired. live is nil when
// the realm does not exist yet. The error lists objects the desired state
// claims but another owner manages.
func Realm(desired, live *model.Realm, opts Options) ([]plan.Action, error) {
	if opts.Owner == "" {
		opts.Owner = model.DefaultOwner
	}
	var actions []plan.Action
	var conflicts []string
	if model.EmailIsUsername(desired, live) {
		desired.KeyUsersByEmail()
	}
	realmMissing := live == nil
	if live == nil {
		live = model.NewRealm(desired.Name)
	}
	owned := live.Owners[opts.Owner]
	deleted := map[model.Scope]bool{}
	// rebuiltWith: objects made again with a rebuilt object (a flow's
	// configs), by the key of the object rebuilt. Kinds come in
	// dependency order, so the rebuilt object is seen first.
	rebuiltWith := map[model.Ref]string{}
	for _, k := range model.Kinds() {
		if why := unreadable(live, k); why != "" {
			// The server could not list them: nothing about them can be
			// planned, and a plan that declares them is refused.
			if n := len(desired.Entities[k.Name]); n > 0 {
				conflicts = append(conflicts, fmt.Sprintf("%d %ss are declared, but %s", n, k.Title, why))
			}
			continue
		}
		for _, d := range desired.Sorted(k.Name) {
			l := live.Get(k.Name, d.Key)
			d = k.DesiredFor(d, desired, live)
			switch {
			case l == nil && (realmMissing || k.Via != nil) && k.BuiltIn(desired.Name, d.Key):
				// Keycloak creates it with the realm (or the client, for a
				// service account): merge into it then.
				a := action(desired.Name, d, nil, plan.Update, creation(k, d))
				a.Reason = plan.BuiltIn
				a.Note = "built-in: exists once the realm is created"
				if k.Via != nil {
					a.Note = k.Via.Note
				}
				if k.Frozen(desired.Name, d.Key) {
					// Nothing to compare with until Keycloak has made it:
					// the plan made once the realm exists checks it.
					continue
				}
				if len(a.Changes) > 0 {
					actions = append(actions, a)
				}
			case l == nil && d.Stub():
				conflicts = append(conflicts, missingStubOwner(desired, live, d))
			case l == nil:
				if problem := missingRequired(d); problem != "" {
					conflicts = append(conflicts, problem)
					continue
				}
				a := action(desired.Name, d, nil, plan.Create, creation(k, d))
				a.Reason = plan.Missing
				if with := rebuiltWith[model.Ref{Kind: k.Name, Key: d.Key}]; with != "" {
					a.Note = "made with " + with + ", which is rebuilt"
				}
				actions = append(actions, a)
			default:
				for _, p := range k.Refuse(desired.Name, d, l) {
					conflicts = append(conflicts, fmt.Sprintf("%s: %s %q: %s", fieldPos(d, p.Field), k.Title, d.Key, p.Message))
				}
				a := action(desired.Name, d, l, plan.Adopt, nil)
				a.Reason = plan.Unowned
				changes := append(compare(desired.Name, k, d, l), writeOnlyChanges(desired.Name, k, d, live)...)
				if len(changes) > 0 {
					a.Verb, a.Changes, a.Reason = plan.Update, changes, plan.Differs
					if onlyMoves(changes) {
						a.Verb = plan.Reorder
					}
					if k.Immutable {
						a.Verb, a.Reason = plan.Replace, plan.Immutable // no update endpoint
					}
					if why, with := k.Rebuild(d, l); why != "" {
						a.Verb, a.Reason, a.Note = plan.Replace, plan.Rebuild, why
						for _, ref := range with {
							if desired.Get(ref.Kind, ref.Key) == nil {
								conflicts = append(conflicts, fmt.Sprintf("%s: %s %q must be rebuilt, and its steps name %s %q, which the files do not declare: a rebuild makes it again from the files, so declare it",
									d.Source, k.Title, d.Key, model.KindByName(ref.Kind).Title, ref.Key))
							}
							rebuiltWith[ref] = fmt.Sprintf("%s %q", k.Title, d.Key)
						}
					}
				}
				if with := rebuiltWith[model.Ref{Kind: k.Name, Key: d.Key}]; with != "" {
					a.Verb, a.Reason, a.Note = plan.Replace, plan.Rebuild, "made again with "+with+", which is rebuilt"
				}
				adopt := !k.Root && !k.BuiltIn(desired.Name, d.Key) && !d.Stub() && !owned[model.Ref{Kind: k.Name, Key: d.Key}]
				if adopt {
					if other := ownerOf(live, k.Name, d.Key, opts.Owner); other != "" {
						if !opts.TakeOver {
							conflicts = append(conflicts, fmt.Sprintf("%s %q is managed by owner %q (declared at %s); pass --adopt to take it over", k.Title, d.Key, other, d.Source))
							continue
						}
						a.Note = "taken over from owner " + other
					}
					a.Adopts = a.Verb != plan.Adopt
				}
				if adopt || a.Verb != plan.Adopt {
					actions = append(actions, a)
				}
			}
		}
		if k.Root || k.NoDelete {
			continue // realms are never deleted by a sync, nor what cannot be
		}
		for _, l := range live.Sorted(k.Name) {
			ref := model.Ref{Kind: k.Name, Key: l.Key}
			// What realmsync created is not built-in, whatever its parent.
			if desired.Get(k.Name, l.Key) != nil || (k.BuiltIn(desired.Name, l.Key) && !owned[ref]) {
				continue
			}
			if !deletable(desired, k, l, owned) {
				continue
			}
			if why := k.DeleteBlocked(desired, live, l); why != "" {
				conflicts = append(conflicts, why)
				continue
			}
			deleted[model.Scope{Kind: k.Name, Parent: l.Key}] = true
			if l.Parent != "" && deleted[model.Scope{Kind: k.Parent, Parent: l.Parent}] {
				continue // goes with its parent
			}
			a := action(desired.Name, nil, l, plan.Delete, nil)
			a.Reason = plan.Undeclared
			a.Cascade, a.Note = k.Cascade(live, l)
			actions = append(actions, a)
		}
	}
	conflicts = append(conflicts, unknownFlows(desired, live, realmMissing)...)
	conflicts = append(conflicts, model.UnknownAuthenticators(desired, live)...)
	for _, a := range actions {
		if k := model.KindByName(a.Kind); a.Verb != plan.Adopt && k.Frozen(desired.Name, a.Key) {
			conflicts = append(conflicts, frozenChange(a))
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("realm %s: %s", desired.Name, strings.Join(conflicts, "; "))
	}
	return actions, nil
}

// unreadable says why the server could not list kind k (or its parent's
// kind) in the live realm, "" when it could.
func unreadable(live *model.Realm, k *model.Kind) string {
	if why := live.Unreadable[k.Name]; why != "" {
		return why
	}
	return live.Unreadable[k.Parent]
}

// missingStubOwner explains an object written down only for its scope
// mappings that exists nowhere: a typo there must not create a real
// client.
func missingStubOwner(desired, live *model.Realm, d *model.Entity) string {
	var candidates []string
	for _, m := range []map[string]*model.Entity{desired.Entities[d.Kind.Name], live.Entities[d.Kind.Name]} {
		for key, e := range m {
			if !e.Stub() {
				candidates = append(candidates, key)
			}
		}
	}
	sort.Strings(candidates)
	return fmt.Sprintf("%s: scope mappings name %s %q, which is neither in the desired state nor on the server%s",
		d.Source, d.Kind.Title, d.Key, didYouMean(d.Key, candidates))
}

// missingRequired explains a new object that lacks a field Keycloak
// creates it only with (a mapper without protocolMapper: 404, after
// earlier writes). Sparse is fine for an update, not for a create.
func missingRequired(d *model.Entity) string {
	var missing []string
	for _, f := range d.Kind.Required {
		if _, ok := d.Fields[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %s %q does not exist yet, and Keycloak creates it only with %s",
		d.Source, d.Kind.Title, d.Key, strings.Join(missing, " and "))
}

func didYouMean(name string, candidates []string) string {
	if s := schema.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// unknownFlows checks the realm's flow bindings against the flows the
// server has (a new realm: those Keycloak makes), so that a misspelt
// alias stops the plan instead of failing with a 500 halfway through.
func unknownFlows(desired, live *model.Realm, realmMissing bool) []string {
	flows := live.Flows
	if realmMissing {
		flows = model.BuiltInFlows
	}
	// Flows this plan creates may be bound too.
	flows = append(slices.Clone(flows), desired.Keys(model.KindFlow)...)
	slices.Sort(flows)
	flows = slices.Compact(flows)
	var out []string
	check := func(pos model.Pos, what, alias string) {
		if !slices.Contains(flows, alias) {
			out = append(out, fmt.Sprintf("%s: %s refers to flow %q, which the realm does not have%s; its flows: %s",
				pos, what, alias, didYouMean(alias, flows), strings.Join(flows, ", ")))
		}
	}
	for _, k := range model.Kinds() {
		for _, f := range k.FlowFields {
			for _, d := range desired.Sorted(k.Name) {
				if alias, ok := d.Fields[f].(string); ok && alias != "" {
					what := f
					if !k.Root {
						what = fmt.Sprintf("%s %q %s", k.Title, d.Key, f)
					}
					check(fieldPos(d, f), what, alias)
				}
			}
		}
	}
	// Body references (a client's flow overrides) name flows too.
	for _, k := range model.Kinds() {
		for _, ref := range k.BodyRefs {
			for _, d := range desired.Sorted(k.Name) {
				m, _ := d.Fields[ref.Field].(map[string]any)
				for _, binding := range model.SortedKeys(m) {
					if alias, ok := m[binding].(string); ok && alias != "" {
						check(d.FieldPos.Get(ref.Field), fmt.Sprintf("%s %q %s.%s", k.Title, d.Key, ref.Field, binding), alias)
					}
				}
			}
		}
	}
	return out
}

// frozenChange explains a planned change of an object Keycloak refuses
// to change, naming where each changed field is written.
func frozenChange(a plan.Action) string {
	k := model.KindByName(a.Kind)
	d := a.Desired
	where := d.Source.String()
	var fields []string
	for _, c := range a.Changes {
		f, _, _ := strings.Cut(c.Path, ".")
		f, _, _ = strings.Cut(f, "[")
		if p := d.FieldPos.Get(f); !p.IsZero() && len(fields) == 0 {
			where = p.String()
		}
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	what := "it"
	if a.Verb == plan.Update {
		what = strings.Join(fields, ", ") + " or set the server's values"
	}
	return fmt.Sprintf("%s: %s %q cannot be changed: Keycloak refuses every change to the admin client %s, its roles and mappers (403); remove %s",
		where, k.Title, a.Key, clientOf(a), what)
}

// clientOf names the client an object of a client or client child is in.
func clientOf(a plan.Action) string {
	if model.KindByName(a.Kind).Parent == "" {
		return a.Key
	}
	return model.ParentKey(a.Key)
}

// deletable applies the kind's deletion policy to a live object absent
// from the desired state.
func deletable(desired *model.Realm, k *model.Kind, l *model.Entity, owned model.Owned) bool {
	switch desired.Policy(k.Name) {
	case model.PolicyFull:
		// The whole truth for the kind; for objects inside a parent, the
		// whole truth about the parents the desired state declares.
		return l.Parent == "" || desired.Get(k.Parent, l.Parent) != nil
	case model.PolicyOwned:
		return owned[model.Ref{Kind: k.Name, Key: l.Key}]
	}
	return false
}

// ownerOf names another owner that records the object, if any.
func ownerOf(live *model.Realm, kind, key, self string) string {
	for _, owner := range model.SortedKeys(live.Owners) {
		if owner != self && live.Owners[owner][model.Ref{Kind: kind, Key: key}] {
			return owner
		}
	}
	return ""
}

func action(realm string, d, l *model.Entity, verb plan.Verb, changes []plan.Change) plan.Action {
	e := d
	if e == nil {
		e = l
	}
	return plan.Action{Realm: realm, Kind: e.Kind.Name, Key: e.Key, Verb: verb, Changes: changes, Desired: d, Live: l}
}

// creation lists what a new object will be created with.
func creation(k *model.Kind, d *model.Entity) []plan.Change {
	return compare("", k, d, &model.Entity{Kind: k, Fields: model.Object{}})
}

// compare returns the changes that turn l into d, field by field in sorted
// order, looking only at fields d sets (and, in a whole map, at the keys
// it leaves out).
func compare(realm string, k *model.Kind, d, l *model.Entity) []plan.Change {
	var changes []plan.Change
	creating := len(l.Fields) == 0
	removals := k.MapRemovals(realm, d, l.Fields)
	for _, f := range model.SortedKeys(d.Fields) {
		if f == k.KeyField || (!creating && (k.IsCreateOnly(f) || k.IsWriteOnly(f))) {
			continue
		}
		if rel := k.Relation(f); rel != nil {
			if c, ok := relationChange(rel, d.Fields[f], l.Fields[f]); ok {
				changes = append(changes, c)
			}
			continue
		}
		lv, present := l.Fields[f]
		if implied, ok := k.AbsentMeans[f]; ok && !present && !creating {
			lv, present = implied, true
		}
		if key, ok := k.KeyedLists[f]; ok {
			changes = compareKeyedList(k, f, key, d.Fields[f], lv, changes)
			continue
		}
		if k.Steps != nil && f == k.Steps.Field {
			changes = compareSteps(k, "", d.Fields[f], lv, changes)
			continue
		}
		changes = compareValue(k, []string{f}, d.Fields[f], lv, present, changes)
		changes = append(changes, unsetChanges(k, f, removals[f], lv)...)
	}
	for _, f := range model.SortedKeys(removals) {
		if _, written := d.Fields[f]; !written { // another tool's state, dropped on request
			changes = append(changes, unsetChanges(k, f, removals[f], l.Fields[f])...)
		}
	}
	return changes
}

// writeOnlyChanges compares write-only fields (stored, never returned) by
// the digest of what realmsync last wrote: a value that differs from it,
// or that was never written, is a sensitive change.
func writeOnlyChanges(realm string, k *model.Kind, d *model.Entity, live *model.Realm) []plan.Change {
	var out []plan.Change
	for _, f := range k.WriteOnly {
		v, ok := model.ValueAt(d.Fields, f)
		if !ok || v == nil {
			continue
		}
		if live.Digests[model.DigestKey(k.Name, d.Key, f)] != model.Digest(realm, v) {
			out = append(out, plan.Change{Path: f, Sensitive: true})
		}
	}
	return out
}

// onlyMoves reports changes that only reorder lists.
func onlyMoves(changes []plan.Change) bool {
	for _, c := range changes {
		if !c.Moved {
			return false
		}
	}
	return len(changes) > 0
}

// unsetChanges are the removals of keys from a whole map: a key the file
// no longer lists, shown with the value it takes away.
func unsetChanges(k *model.Kind, field string, keys []string, have any) []plan.Change {
	m, _ := have.(map[string]any)
	var out []plan.Change
	for _, key := range keys {
		p := field + "." + key
		c := plan.Change{Path: p, Before: m[key], Unset: true}
		if k.IsSecret(p) {
			c = plan.Change{Path: p, Sensitive: true, Unset: true}
		}
		out = append(out, c)
	}
	return out
}

// compareKeyedList compares list items by their key field: each desired
// item with the live item of the same key, field by field; live items the
// desired state does not list are kept, so they are no change.
func compareKeyedList(k *model.Kind, field, key string, want, have any, out []plan.Change) []plan.Change {
	live := model.KeyedItems(have, key)
	wantList, _ := want.([]any)
	for _, item := range wantList {
		obj, ok := item.(map[string]any)
		if !ok {
			continue
		}
		name := model.ScalarString(obj[key])
		path := []string{fmt.Sprintf("%s[%s]", field, name)}
		if l, ok := live[name]; ok {
			out = compareValue(k, path, obj, l, true, out)
		} else {
			out = append(out, plan.Change{Path: path[0], After: obj})
		}
	}
	return out
}

// compareSteps compares an ordered list of keyed steps (a flow's
// executions), which is the whole truth: a desired step missing from the
// server is an insertion, a live one the files leave out a removal, steps
// in both are compared field by field (their own steps recursively), and
// a different order of the steps in both is one move.
func compareSteps(k *model.Kind, prefix string, want, have any, out []plan.Change) []plan.Change {
	s := k.Steps
	wl, _ := want.([]any)
	hl, _ := have.([]any)
	wk, hk := s.StepKeys(wl), s.StepKeys(hl)
	live := map[string]int{}
	for j, key := range hk {
		live[key] = j
	}
	wanted := map[string]bool{}
	var wantOrder []any
	for i, key := range wk {
		wanted[key] = true
		p := model.StepPath(prefix, s.Field, key)
		j, ok := live[key]
		if !ok {
			// A new step, and each step inside it on a line of its own.
			out = append(out, plan.Change{Path: p, After: withoutSteps(s, wl[i])})
			if w, _ := wl[i].(map[string]any); w[s.Field] != nil {
				out = compareSteps(k, p, w[s.Field], nil, out)
			}
			continue
		}
		wantOrder = append(wantOrder, key)
		w, _ := wl[i].(map[string]any)
		h, _ := hl[j].(map[string]any)
		for _, f := range model.SortedKeys(w) {
			switch {
			case slices.Contains(s.Keys, f):
			case f == s.Field:
				out = compareSteps(k, p, w[f], h[f], out)
			default:
				hv, present := h[f]
				out = compareValue(k, []string{p, f}, w[f], hv, present, out)
			}
		}
	}
	var haveOrder []any
	for j, key := range hk {
		if !wanted[key] {
			out = append(out, plan.Change{Path: model.StepPath(prefix, s.Field, key), Before: withoutSteps(s, hl[j]), Unset: true})
			continue
		}
		haveOrder = append(haveOrder, key)
	}
	if !cmp.Equal(wantOrder, haveOrder) {
		out = append(out, plan.Change{Path: model.StepsPath(prefix, s.Field), Before: haveOrder, After: wantOrder, Moved: true})
	}
	return out
}

// withoutSteps is a step without its key and the steps inside it (a
// sub-flow's), which the plan lists on lines of their own.
func withoutSteps(s *model.Steps, step any) any {
	m, ok := step.(map[string]any)
	if !ok {
		return step
	}
	out := map[string]any{}
	for k, v := range m {
		if k != s.Field && !slices.Contains(s.Keys, k) {
			out[k] = v // the key is in the change's path
		}
	}
	return out
}

// fieldPos is where a field of d is written, or d itself.
func fieldPos(d *model.Entity, field string) model.Pos {
	if p := d.FieldPos.Get(field); field != "" && !p.IsZero() {
		return p
	}
	return d.Source
}

func compareValue(k *model.Kind, path []string, want, have any, present bool, out []plan.Change) []plan.Change {
	p := strings.Join(path, ".")
	if k.MaybeMasked(p) && model.Masked(have) {
		return out // hidden by the server: cannot be compared
	}
	if k.IsSecret(p) {
		if model.Masked(have) || cmp.Equal(want, have) {
			// A masked secret cannot be compared; Keycloak keeps the
			// stored value when the mask is written back.
			return out
		}
		return append(out, plan.Change{Path: p, Sensitive: true})
	}
	if wm, ok := want.(map[string]any); ok {
		hm, _ := have.(map[string]any)
		if have == nil || hm != nil {
			for _, key := range model.SortedKeys(wm) {
				hv, hp := hm[key]
				out = compareValue(k, append(path, key), wm[key], hv, hp, out)
			}
			return out
		}
	}
	if want == "" && !present {
		return out // Keycloak drops empty strings: absent is the same
	}
	if present && cmp.Equal(want, have) {
		return out
	}
	added, removed, isSet := scalarSetDelta(want, have)
	isSet = isSet && !k.IsSequence(p)
	if present && isSet && len(added)+len(removed) == 0 && want != nil {
		return out // a set in another order
	}
	c := plan.Change{Path: p, After: want}
	if present {
		c.Before = have
	}
	if k.IsSequence(p) && present {
		// The same items in another order: a move.
		gained, lost, ok := scalarSetDelta(want, have)
		c.Moved = ok && len(gained)+len(lost) == 0
	}
	if isSet {
		c.Added, c.Removed = added, removed
	}
	return append(out, c)
}

// scalarSetDelta lists what a change of a list of scalars adds and removes,
// so that plans show items rather than whole-list replacements.
func scalarSetDelta(want, have any) (added, removed []string, ok bool) {
	w, wok := scalarSet(want)
	h, hok := scalarSet(have)
	if !wok || !hok {
		return nil, nil, false
	}
	for _, s := range model.SortedKeys(w) {
		if !h[s] {
			added = append(added, s)
		}
	}
	for _, s := range model.SortedKeys(h) {
		if !w[s] {
			removed = append(removed, s)
		}
	}
	return added, removed, true
}

func scalarSet(v any) (map[string]bool, bool) {
	if v == nil {
		return map[string]bool{}, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	set := map[string]bool{}
	for _, x := range list {
		if !model.IsScalar(x) {
			return nil, false
		}
		set[model.ScalarString(x)] = true
	}
	return set, true
}

// relationChange compares two reference sets.
func relationChange(rel *model.Relation, want, have any) (plan.Change, bool) {
	c := plan.Change{Path: rel.Field}
	c.AddRefs, c.RemoveRefs = rel.Delta(want, have)
	for _, r := range c.AddRefs {
		c.Added = append(c.Added, r.String())
	}
	for _, r := range c.RemoveRefs {
		c.Removed = append(c.Removed, r.String())
	}
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	return c, c.IsRelation()
}

// Warnings explains what a plan cannot do for the desired state.
func Warnings(desired, live *model.Realm) []string {
	var out []string
	if live == nil {
		var frozen []string
		for _, k := range model.Kinds() {
			for _, d := range desired.Sorted(k.Name) {
				if k.Frozen(desired.Name, d.Key) && len(d.Fields) > 1 {
					frozen = append(frozen, fmt.Sprintf("%s %q", k.Title, d.Key))
				}
			}
		}
		if len(frozen) > 0 {
			out = append(out, fmt.Sprintf("realm %s: Keycloak refuses every change to %s: the fields written down for them are checked against what Keycloak makes once the realm exists, and a difference then stops the sync.",
				desired.Name, model.ListSome(frozen)))
		}
	}
	for _, k := range model.Kinds() {
		out = append(out, k.Warnings(desired, live)...)
	}
	return out
}
