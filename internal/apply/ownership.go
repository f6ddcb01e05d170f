package apply

import (
	"context"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// recordIntent adds to the realm's ownership record, before anything is
// written, every object the plan is about to create or adopt. A run
// killed halfway (kill -9, OOM) then leaves nothing it made unowned: the
// next run owns what exists and drops from the record what does not.
func (r *run) recordIntent(ctx context.Context, realm string, p *plan.Plan) error {
	prev := r.previousRecord(realm)
	next := prev.Clone()
	for _, a := range p.Actions {
		if a.Realm == realm && !model.KindByName(a.Kind).Root && a.Owns() {
			next[model.Ref{Kind: a.Kind, Key: a.Key}] = true
		}
	}
	return r.writeRecord(ctx, realm, prev, next)
}

// recordOwnership writes the realm's ownership record for this run's
// owner: what it held, plus what this run created or adopted, minus what
// it deleted (with everything inside it) and what no longer exists. It is
// written only when it changes, so a sync with nothing to do writes
// nothing.
func (r *run) recordOwnership(ctx context.Context, realm string, p *plan.Plan) error {
	if r.failed[ref{realm, model.KindRealm, realm}] {
		return nil // the realm was not created: nothing to record in
	}
	live := r.live[realm]
	prev := r.previousRecord(realm)
	next := prev.Clone()
	created := map[model.Ref]bool{}
	for _, a := range p.Actions {
		self := ref{a.Realm, a.Kind, a.Key}
		if a.Realm != realm || model.KindByName(a.Kind).Root || !r.succeeded[self] {
			continue
		}
		obj := model.Ref{Kind: a.Kind, Key: a.Key}
		switch {
		case a.Owns():
			next[obj] = true
			created[obj] = true
		case a.Verb == plan.Delete:
			for member := range next {
				if member == obj || insideOf(member, obj) {
					delete(next, member)
				}
			}
		}
	}
	// A read of some objects only (a scoped plan: Counts set) cannot tell
	// what is gone; a whole read can.
	if live == nil || live.Counts == nil {
		for member := range next {
			if !created[member] && (live == nil || live.Get(member.Kind, member.Key) == nil) {
				delete(next, member) // deleted by hand since, or never created
			}
		}
	}
	if written, ok := r.recorded[realm]; ok {
		prev = written // the intent record is what the server holds now
	}
	return r.writeRecord(ctx, realm, prev, next)
}

// previousRecord is the owner's record as the live read found it.
func (r *run) previousRecord(realm string) model.Owned {
	prev := model.Owned{}
	if live := r.live[realm]; live != nil {
		for k := range live.Owners[r.opts.Owner] {
			prev[k] = true
		}
	}
	return prev
}

// writeRecord replaces the owner's record in the realm's attributes by
// GET, merge and PUT of the realm, when it differs from what the server
// holds.
func (r *run) writeRecord(ctx context.Context, realm string, held, next model.Owned) error {
	r.mu.Lock()
	digests := r.createdDigests[realm]
	delete(r.createdDigests, realm)
	r.mu.Unlock()
	if next.Equal(held) && len(digests) == 0 {
		return nil
	}
	mine := model.OwnershipPrefix + r.opts.Owner + "."
	err := r.editRealmAttributes(ctx, realm, func(attrs map[string]any) bool {
		for k := range attrs {
			if strings.HasPrefix(k, mine) {
				delete(attrs, k)
			}
		}
		for k, v := range model.EncodeOwnership(r.opts.Owner, next) {
			attrs[k] = v
		}
		for k, v := range digests {
			attrs[k] = v
		}
		return true
	})
	if err != nil {
		return err
	}
	r.recorded[realm] = next
	return nil
}

// insideOf reports whether member lives inside obj (a mapper or role of
// a client, a subgroup of a group): deleting obj deletes it too.
func insideOf(member, obj model.Ref) bool {
	k := model.KindByName(member.Kind)
	return k != nil && k.Parent == obj.Kind && strings.HasPrefix(member.Key, obj.Key+"/")
}
