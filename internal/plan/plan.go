// Package plan is the plan as plain data: what diff decides and apply
// executes, in one total, deterministic order. It holds no closures and no
// secret values, so it can be printed, serialised and tested as it is.
package plan

import (
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// Verb is what an action does.
type Verb string

const (
	Create Verb = "create"
	Update Verb = "update"
	Delete Verb = "delete"
	// Adopt records an existing object as managed by this owner, without
	// changing it.
	Adopt Verb = "adopt"
	// Replace deletes an object and creates it again: its kind has no
	// update. It is guarded as a delete everywhere (limits, no deletes
	// after a failure, the deletions callout).
	Replace Verb = "replace"
	// Reorder is an update that only moves items of ordered lists
	// (Kind.Sequences); the summary counts it as an update.
	Reorder Verb = "reorder"
)

// Reason says why an action is in the plan, for programs (the JSON view)
// and for the deletions callout.
type Reason string

const (
	// Missing: declared, not on the server.
	Missing Reason = "missing"
	// Differs: declared and on the server, with fields that differ.
	Differs Reason = "differs"
	// Immutable: differs, and its kind has no update.
	Immutable Reason = "immutable"
	// Rebuild: differs in a way Keycloak cannot change in place (a flow's
	// kind); the object is built anew beside the old one, what binds it
	// moves over, then the old one goes. Also the objects made again
	// with it (a rebuilt flow's configs).
	Rebuild Reason = "rebuild"
	// BuiltIn: Keycloak makes the object (with the realm, or with its
	// client); the desired fields are merged into it.
	BuiltIn Reason = "built-in"
	// Unowned: declared and on the server as it should be, not yet
	// recorded as this owner's.
	Unowned Reason = "unowned"
	// Undeclared: on the server, not declared, and the kind's deletion
	// policy deletes it (owned: this owner made or adopted it; full:
	// the files are the whole truth).
	Undeclared Reason = "undeclared"
)

// Removes reports whether the verb deletes an object on the server.
func (v Verb) Removes() bool { return v == Delete || v == Replace }

// Symbol is the verb's mark in text plans.
func (v Verb) Symbol() string {
	switch v {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	case Adopt:
		return "="
	case Replace:
		return "-/+"
	case Reorder:
		return "↕"
	}
	return "?"
}

// Change is one changed field. Paths join object keys with dots
// ("attributes.pkce.code.challenge.method"). A sensitive change carries no
// values at all, so a plan can never leak a secret.
type Change struct {
	Path      string   `json:"path"`
	Before    any      `json:"before,omitempty"`
	After     any      `json:"after,omitempty"`
	Added     []string `json:"added,omitempty"`
	Removed   []string `json:"removed,omitempty"`
	Sensitive bool     `json:"sensitive,omitempty"`
	// Unset: the field or map key is removed (Before is what goes).
	Unset bool `json:"unset,omitempty"`
	// Moved: an ordered list keeps its items in another order.
	Moved bool `json:"moved,omitempty"`

	// For relation fields: the references apply adds and removes.
	AddRefs    []model.Ref `json:"-"`
	RemoveRefs []model.Ref `json:"-"`
}

// IsRelation reports whether the change is made through add/remove calls.
func (c Change) IsRelation() bool { return len(c.AddRefs)+len(c.RemoveRefs) > 0 }

// Action is one create, update or delete of one object.
type Action struct {
	Realm   string   `json:"realm"`
	Kind    string   `json:"kind"`
	Key     string   `json:"key"`
	Verb    Verb     `json:"verb"`
	Note    string   `json:"note,omitempty"`
	Changes []Change `json:"changes,omitempty"`
	// Cascade is how many objects the server deletes with this one (the
	// users imported from a user federation provider).
	Cascade int `json:"cascade,omitempty"`
	// Adopts: the update (or replace) also records the object as managed
	// by this owner. One object, one action.
	Adopts bool `json:"adopts,omitempty"`
	// Reason says why the action is planned.
	Reason Reason `json:"reason,omitempty"`

	// Desired and Live are the objects apply works from (Live is nil for a
	// create, Desired for a delete). Not serialised: they hold secrets.
	Desired *model.Entity `json:"-"`
	Live    *model.Entity `json:"-"`
}

// Owns reports whether the action makes the object this owner's:
// creates, adoptions, and updates that adopt.
func (a *Action) Owns() bool { return a.Verb == Create || a.Verb == Adopt || a.Adopts }

// Notes is what views print beside the action's object: its note, and
// that an update adopts.
func (a *Action) Notes() string {
	switch {
	case a.Adopts && a.Note != "":
		return "adopted, " + a.Note
	case a.Adopts:
		return "adopted"
	}
	return a.Note
}

// Entity is the action's object, desired or live.
func (a *Action) Entity() *model.Entity {
	if a.Desired != nil {
		return a.Desired
	}
	return a.Live
}

// Plan is an ordered list of actions.
type Plan struct {
	Actions []Action `json:"actions"`
	// Warnings are things the user should know that change nothing.
	Warnings []string `json:"warnings,omitempty"`
	// Strict is what strict drift found (plan --strict): what is on the
	// server outside Git's control, which the actions leave alone.
	Strict []Finding `json:"strict,omitempty"`
}

// Add appends actions and restores the plan's order.
func (p *Plan) Add(actions ...Action) {
	p.Actions = append(p.Actions, actions...)
	p.sort()
}

// sort puts the plan in execution order: creates and updates by realm,
// then kind (the table's dependency order), then depth (parents before
// children), then key; deletes after them, in the reverse order (children
// before parents, dependants before what they depend on).
func (p *Plan) sort() {
	sort.SliceStable(p.Actions, func(i, j int) bool {
		a, b := &p.Actions[i], &p.Actions[j]
		ad, bd := a.Verb == Delete, b.Verb == Delete
		if ad != bd {
			return bd
		}
		if a.Realm != b.Realm {
			return a.Realm < b.Realm
		}
		ak, bk := model.KindIndex(a.Kind), model.KindIndex(b.Kind)
		if ak != bk {
			return (ak < bk) != ad
		}
		if da, db := depth(a.Key), depth(b.Key); da != db && model.KindByName(a.Kind).Recursive() {
			return (da < db) != ad
		}
		return a.Key < b.Key
	})
}

func depth(key string) int { return strings.Count(key, "/") }

// Counts returns how many actions of each verb the plan holds.
func (p *Plan) Counts() (create, update, remove int) {
	for _, a := range p.Actions {
		switch a.Verb {
		case Create:
			create++
		case Update, Reorder:
			update++
		case Delete:
			remove++
		}
	}
	return
}

// Adoptions counts the objects the plan adopts, changed or not.
func (p *Plan) Adoptions() int {
	n := 0
	for _, a := range p.Actions {
		if a.Verb == Adopt || a.Adopts {
			n++
		}
	}
	return n
}

// Replacements counts the objects the plan deletes and creates again.
func (p *Plan) Replacements() int { return p.count(Replace) }

func (p *Plan) count(v Verb) int {
	n := 0
	for _, a := range p.Actions {
		if a.Verb == v {
			n++
		}
	}
	return n
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Actions) == 0 }
