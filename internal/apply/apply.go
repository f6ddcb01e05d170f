// Package apply executes a plan against the Keycloak Admin API.
//
// It resolves server ids at run time (objects created earlier in the same
// run, built-ins of a realm created in this run), updates by GET, merge and
// PUT of the whole object (a sparse PUT can wipe settings, see the notes on
// authorizationServicesEnabled), continues past independent failures, and
// runs no delete once anything has failed.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
	"github.com/realmsync/realmsync/internal/plan"
)

// API is the part of the admin client apply needs. Paths are relative to
// /admin/realms/.
type API interface {
	Get(ctx context.Context, path string, query url.Values, out any) error
	List(ctx context.Context, path string, query url.Values, pageSize int) ([]map[string]any, error)
	Post(ctx context.Context, path string, body any) (string, error)
	Put(ctx context.Context, path string, body any) error
	Delete(ctx context.Context, path string, body any) error
	RefreshToken(ctx context.Context) error
}

// Options steer a run.
type Options struct {
	// DryRun is the one gate between planning and writing: with it, the
	// plan goes through the same run and nothing is sent.
	DryRun bool
	// Progress receives one line per action done (nil: silent).
	Progress io.Writer
	// Owner names the ownership record this run updates.
	Owner string
	// Steps is told of every finished action (progress reporting).
	Steps interface{ Step(n int) }
	// Concurrency is how many independent actions run at once: those of
	// one kind at one depth, never a child with its parent (0: 1).
	Concurrency int
	// ForceUnlock takes a realm's lease even from a run that still holds
	// it (one that died without releasing it).
	ForceUnlock bool
}

// Result tells what a run did.
type Result struct {
	Done    int
	Failed  int
	Skipped int
}

// Apply executes the plan. live holds the state the plan was made from,
// by realm name; its ids save lookups. The error aggregates every failure.
func Apply(ctx context.Context, api API, p *plan.Plan, live map[string]*model.Realm, opts Options) (_ Result, err error) {
	if opts.Owner == "" {
		opts.Owner = model.DefaultOwner
	}
	r := &run{api: api, live: live, opts: opts, ids: map[ref]string{}, failed: map[ref]bool{}, succeeded: map[ref]bool{},
		recorded: map[string]model.Owned{}, runID: newRunID(), leaseTaken: map[string]time.Time{}, outcome: map[ref]actionOutcome{}}
	if opts.DryRun {
		return Result{Skipped: len(p.Actions)}, nil
	}
	// One sync per realm at a time. Realms this plan creates have nowhere
	// to hold a lease yet.
	defer func() {
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, realm := range r.leased {
			if rerr := r.release(releaseCtx, realm); rerr != nil {
				err = multierror.Append(err, fmt.Errorf("releasing realm %s: %w", realm, rerr)).ErrorOrNil()
			}
		}
	}()
	for _, realm := range realmsOf(p) {
		if live[realm] == nil {
			continue
		}
		if err := r.acquire(ctx, realm); err != nil {
			return Result{Skipped: len(p.Actions)}, err
		}
	}
	// Intent first: whatever happens to this process from here on, what
	// it creates is owned. Realms this plan creates have nowhere to hold
	// a record yet; a run that cannot record intent writes nothing.
	for _, realm := range realmsOf(p) {
		if live[realm] == nil {
			continue
		}
		if err := r.recordIntent(ctx, realm, p); err != nil {
			return Result{Skipped: len(p.Actions)}, fmt.Errorf("recording ownership in realm %s before writing: %w", realm, err)
		}
	}
	// Pass 1: objects, parents before children. Adopting changes nothing
	// on the object: the ownership record says it.
	r.inWaves(ctx, p, func(a *plan.Action) bool { return a.Verb != plan.Delete }, "", func(ctx context.Context, a *plan.Action) error {
		if a.Verb == plan.Adopt {
			return nil
		}
		return r.upsert(ctx, a)
	})
	// Pass 2: references between objects, once every object exists.
	r.inWaves(ctx, p, func(a *plan.Action) bool { return a.Verb != plan.Delete && hasRelations(a) }, " (references)", r.relations)
	// Pass 3: deletes, children before parents; none after any failure.
	if r.errs != nil {
		for i := range p.Actions {
			if a := &p.Actions[i]; a.Verb == plan.Delete {
				r.record(a, skipped)
				r.report("skipped %s %s %q: no deletes after a failure", a.Verb, title(a.Kind), a.Key)
			}
		}
	} else {
		r.inWaves(ctx, p, func(a *plan.Action) bool { return a.Verb == plan.Delete }, "", r.remove)
	}
	// The record is written even after an interrupt: what this run made
	// must be owned on the next.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, realm := range realmsOf(p) {
		if err := r.recordOwnership(recordCtx, realm, p); err != nil {
			r.errs = multierror.Append(r.errs, fmt.Errorf("recording ownership in realm %s: %w", realm, err))
		}
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		switch r.outcome[ref{a.Realm, a.Kind, a.Key}] {
		case done:
			r.result.Done++
		case failedOutcome:
			r.result.Failed++
		default:
			r.result.Skipped++
		}
	}
	return r.result, r.errs.ErrorOrNil()
}

func realmsOf(p *plan.Plan) []string {
	seen := map[string]bool{}
	for _, a := range p.Actions {
		seen[a.Realm] = true
	}
	return model.SortedKeys(seen)
}

type ref struct{ realm, kind, key string }

type run struct {
	mu        sync.Mutex // guards ids while a wave runs
	api       API
	live      map[string]*model.Realm
	opts      Options
	ids       map[ref]string
	failed    map[ref]bool
	succeeded map[ref]bool
	errs      *multierror.Error
	result    Result
	stopped   bool // interrupted: no action starts any more
	// recorded is the ownership record this run last wrote, by realm.
	recorded   map[string]model.Owned
	outcome    map[ref]actionOutcome // by action, the worst of its steps
	runID      string                // this run, in the leases it takes
	leased     []string              // realms whose lease this run holds
	leaseTaken map[string]time.Time  // when each was last written
}

// inWaves runs the selected actions wave by wave: a wave is a run of
// actions of one realm, kind and depth in plan order, which depend on
// earlier waves only, so its actions run at once. Outcomes are recorded
// and reported in plan order, so output stays deterministic.
func (r *run) inWaves(ctx context.Context, p *plan.Plan, selected func(*plan.Action) bool, what string, step func(context.Context, *plan.Action) error) {
	var wave []*plan.Action
	flush := func() {
		r.renewLeases(ctx)
		blocked := make([]string, len(wave))
		errs := make([]error, len(wave))
		for i, a := range wave {
			blocked[i] = r.blockedBy(a)
			if blocked[i] == "" && what != "" {
				blocked[i] = r.referenceBlockedBy(a)
			}
		}
		// Objects that refer to each other go one at a time, after the
		// rest: Keycloak answers 500 to concurrent deletes of clients
		// whose scope mappings name each other's roles.
		serial := make([]bool, len(wave))
		if wave[0].Verb == plan.Delete {
			serial = entangled(wave)
		}
		// Once interrupted (Ctrl-C, SIGTERM), no action starts, and one
		// that has started finishes: its requests do not see the signal
		// (each is bounded by the client's timeout).
		started := make([]bool, len(wave))
		run := func(i int) {
			if ctx.Err() != nil {
				return
			}
			started[i] = true
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("internal error (a bug in realmsync, please report it): %v", p)
				}
			}()
			errs[i] = step(context.WithoutCancel(ctx), wave[i])
		}
		_ = parallel.ForEach(ctx, r.opts.Concurrency, len(wave), func(_ context.Context, i int) error {
			if blocked[i] == "" && !serial[i] {
				run(i)
			}
			return nil
		})
		for i := range wave {
			if blocked[i] == "" && serial[i] {
				run(i)
			}
		}
		for i, a := range wave {
			if !started[i] && ctx.Err() != nil {
				r.interrupted(a, what, ctx.Err())
				continue
			}
			r.finish(a, what, blocked[i], errs[i])
		}
		wave = nil
	}
	waveOf := func(a *plan.Action) [3]string {
		depth := ""
		if model.KindByName(a.Kind).Recursive() {
			depth = fmt.Sprint(strings.Count(a.Key, "/"))
		}
		if a.Kind == model.KindRealm {
			depth = a.Key // realms one at a time: a token refresh follows each create
		}
		return [3]string{a.Realm, a.Kind, depth}
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		if !selected(a) {
			continue
		}
		if len(wave) > 0 && waveOf(wave[0]) != waveOf(a) {
			flush()
		}
		wave = append(wave, a)
	}
	if len(wave) > 0 {
		flush()
	}
}

// entangled marks the actions of a wave whose objects refer to another
// object of the same wave (or to an object inside it: a client role names
// its client), or are referred to by one.
func entangled(wave []*plan.Action) []bool {
	index := map[model.Ref]int{}
	for i, a := range wave {
		e := a.Entity()
		index[model.Ref{Kind: e.Kind.Name, Key: e.Key}] = i
	}
	out := make([]bool, len(wave))
	for i, a := range wave {
		for _, ref := range referenced(a.Entity()) {
			if j, ok := index[ref]; ok && j != i {
				out[i], out[j] = true, true
			}
		}
	}
	return out
}

// referenced lists the objects an entity's references name, and the
// parents of those objects.
func referenced(e *model.Entity) []model.Ref {
	var out []model.Ref
	for _, rel := range e.Kind.Relations {
		v, ok := e.Fields[rel.Field]
		if !ok {
			continue
		}
		refs, err := rel.Refs(v)
		if err != nil {
			continue
		}
		for _, ref := range refs {
			out = append(out, ref)
			if k := model.KindByName(ref.Kind); k != nil && k.Parent != "" && !k.Recursive() {
				out = append(out, model.Ref{Kind: k.Parent, Key: model.ParentKey(ref.Key)})
			}
		}
	}
	return out
}

// interrupted records an action the run never started because it was
// interrupted: skipped, never done; the run's error says why, once.
func (r *run) interrupted(a *plan.Action, what string, cause error) {
	if r.opts.Steps != nil && what == "" {
		defer r.opts.Steps.Step(1)
	}
	r.record(a, skipped)
	r.failed[ref{a.Realm, a.Kind, a.Key}] = true
	if !r.stopped {
		r.stopped = true
		r.errs = multierror.Append(r.errs, fmt.Errorf("interrupted (%w): actions not yet started were skipped", cause))
	}
	r.report("skipped %s %s %q%s: interrupted before it started", a.Verb, title(a.Kind), a.Key, what)
}

// outcome is what became of an action, over all its steps (the object,
// then its references): the worst of them counts, so that a result counts
// plan actions, the unit the plan's summary counts.
type actionOutcome int

const (
	unknown actionOutcome = iota // no step finished (counted as skipped)
	done
	skipped
	failedOutcome
)

func (r *run) record(a *plan.Action, o actionOutcome) {
	self := ref{a.Realm, a.Kind, a.Key}
	if o > r.outcome[self] {
		r.outcome[self] = o
	}
}

// finish records and reports one action's outcome.
func (r *run) finish(a *plan.Action, what, blocker string, err error) {
	if r.opts.Steps != nil && what == "" {
		defer r.opts.Steps.Step(1)
	}
	self := ref{a.Realm, a.Kind, a.Key}
	if blocker != "" {
		r.record(a, skipped)
		r.failed[self] = true
		r.report("skipped %s %s %q%s: %s failed", a.Verb, title(a.Kind), a.Key, what, blocker)
		return
	}
	if err != nil {
		r.record(a, failedOutcome)
		r.failed[self] = true
		r.errs = multierror.Append(r.errs, fmt.Errorf("%s %s %q%s in realm %s: %w", a.Verb, title(a.Kind), a.Key, what, a.Realm, err))
		r.report("failed %s %s %q%s", a.Verb, title(a.Kind), a.Key, what)
		return
	}
	r.record(a, done)
	if what == "" {
		r.succeeded[self] = true
	}
	if what != "" {
		r.report("set references of %s %q", title(a.Kind), a.Key)
		return
	}
	r.report("%s %s %q", past(a.Verb), title(a.Kind), a.Key)
}

// referenceBlockedBy names a failed object that an action's references
// would add: setting them would only fail again, one lookup per reference.
func (r *run) referenceBlockedBy(a *plan.Action) string {
	for _, c := range relationChanges(a) {
		for _, target := range c.AddRefs {
			refs := []model.Ref{target}
			if k := model.KindByName(target.Kind); k != nil && k.Parent != "" && !k.Recursive() {
				refs = append(refs, model.Ref{Kind: k.Parent, Key: model.ParentKey(target.Key)})
			}
			for _, t := range refs {
				if r.failed[ref{a.Realm, t.Kind, t.Key}] {
					return t.String()
				}
			}
		}
	}
	return ""
}

// blockedBy names a failed object this action depends on: its realm or
// its parent chain.
func (r *run) blockedBy(a *plan.Action) string {
	if r.failed[ref{a.Realm, a.Kind, a.Key}] {
		return "its own create or update" // references of an object that failed
	}
	if a.Verb == plan.Replace && r.errs != nil {
		return "an earlier action (a replace deletes, and no delete runs after a failure)"
	}
	if a.Kind != model.KindRealm && r.failed[ref{a.Realm, model.KindRealm, a.Realm}] {
		return "realm " + a.Realm
	}
	e := a.Entity()
	k := e.Kind
	for parentKey := e.Parent; parentKey != ""; {
		pk := model.KindByName(k.Parent)
		if r.failed[ref{a.Realm, pk.Name, parentKey}] {
			return pk.Title + " " + parentKey
		}
		if !pk.Recursive() {
			break
		}
		parentKey = model.ParentKey(parentKey)
	}
	return ""
}

func (r *run) report(format string, args ...any) {
	if r.opts.Progress != nil {
		fmt.Fprintf(r.opts.Progress, format+"\n", args...)
	}
}

// upsert creates an object, or merges the desired fields into the live
// object and writes the whole of it back.
func (r *run) upsert(ctx context.Context, a *plan.Action) error {
	d := a.Desired
	body := plainFields(d)
	if a.Verb == plan.Create {
		return r.create(ctx, a.Realm, d, body)
	}
	for _, f := range d.Kind.CreateOnly {
		delete(body, f) // never again after the create
	}
	if a.Verb == plan.Replace {
		path, err := r.itemPath(ctx, a.Realm, a.Live)
		if err != nil {
			return err
		}
		if err := r.api.Delete(ctx, path, nil); err != nil {
			return err
		}
		return r.create(ctx, a.Realm, d, plainFields(d))
	}
	if !hasPlainChanges(a) {
		return nil // only references change: pass 2 does that
	}
	path, err := r.itemPath(ctx, a.Realm, d)
	if err != nil {
		return err
	}
	var current map[string]any
	if err := r.api.Get(ctx, path, nil, &current); err != nil {
		return err
	}
	for field, key := range d.Kind.KeyedLists {
		if want, ok := body[field]; ok {
			body[field] = mergeKeyed(current[field], want, key)
		}
	}
	merged := overlay(current, body).(map[string]any)
	return r.api.Put(ctx, path, merged)
}

func (r *run) create(ctx context.Context, realm string, d *model.Entity, body map[string]any) error {
	k := d.Kind
	if k.Name == model.KindRealm {
		if _, err := r.api.Post(ctx, k.Endpoints.Create, body); err != nil {
			if !mayExist(err) {
				return err
			}
			// An earlier, killed run or a lost answer may have made it.
			if rerr := r.api.RefreshToken(ctx); rerr != nil {
				return err
			}
			return r.updateExisting(ctx, realm, d, body, err)
		}
		// A token issued before the realm existed carries no roles for it:
		// Keycloak answers 403 until the token is renewed.
		return r.api.RefreshToken(ctx)
	}
	tmpl := k.Endpoints.Create
	if d.Parent == "" && k.Endpoints.CreateRoot != "" {
		tmpl = k.Endpoints.CreateRoot
	}
	path, err := r.expand(ctx, realm, d, tmpl)
	if err != nil {
		return err
	}
	id, err := r.api.Post(ctx, path, body)
	if err != nil {
		if !mayExist(err) {
			return err
		}
		return r.updateExisting(ctx, realm, d, body, err)
	}
	// Roles answer with their name in Location, not their id: look those
	// up when needed instead.
	if id != "" && id != d.Name() {
		r.mu.Lock()
		r.ids[ref{realm, k.Name, d.Key}] = id
		r.mu.Unlock()
	}
	return nil
}

// remove deletes an object. The goal is that the object is gone: a DELETE
// answered 404 (a retry after the first attempt worked) has reached it,
// and so has one that failed (a 500 while another delete held a lock, a
// lost response) when the object is gone afterwards.
// mayExist reports whether a failed create may have left its object on the
// server: Keycloak answered 409 (the key is taken), or Keycloak's answer
// never came (a timeout, a lost connection, a gateway's 502 or 504) after
// the request may have gone out.
func mayExist(err error) bool {
	var conflict interface{ Conflict() bool }
	if errors.As(err, &conflict) && conflict.Conflict() {
		return true
	}
	var answered interface{ Answered() bool }
	return !errors.As(err, &answered) || !answered.Answered()
}

// updateExisting finishes a create whose object turned out to exist (made
// by an earlier run that was killed, or by this one before its answer was
// lost): it is found by its natural key and updated to the desired state
// by GET, merge and PUT. If it is not there, the create's error stands.
func (r *run) updateExisting(ctx context.Context, realm string, d *model.Entity, body map[string]any, createErr error) error {
	path, err := r.itemPath(ctx, realm, d)
	if err != nil {
		return createErr
	}
	var current map[string]any
	if err := r.api.Get(ctx, path, nil, &current); err != nil {
		return createErr
	}
	for _, f := range d.Kind.CreateOnly {
		delete(body, f) // a password is set only by the create that made the object
	}
	return r.api.Put(ctx, path, overlay(current, body).(map[string]any))
}

func (r *run) remove(ctx context.Context, a *plan.Action) error {
	path, err := r.itemPath(ctx, a.Realm, a.Live)
	if err != nil {
		return err
	}
	err = r.api.Delete(ctx, path, nil)
	if err == nil || notFound(err) {
		return nil
	}
	var still map[string]any
	if gerr := r.api.Get(ctx, path, nil, &still); notFound(gerr) {
		return nil
	}
	return err
}

// notFound reports whether err means the server has no such object. The
// admin client's errors implement it; the interface keeps this package
// free of the client.
func notFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// relations adds and removes the references an action changes, one call
// per endpoint and direction. Every removal of the action goes before any
// addition: a scope moving from a client's optional list to its default
// list must leave the one before it joins the other (Keycloak answers 409,
// or drops it from both).
func (r *run) relations(ctx context.Context, a *plan.Action) error {
	owner, err := r.itemPath(ctx, a.Realm, a.Desired)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	var created map[string]any // read back once, for defaulted relations
	var changes []plan.Change
	for _, c := range relationChanges(a) {
		rel := a.Desired.Kind.Relation(c.Path)
		if rel.DefaultedOnCreate && a.Verb == plan.Create {
			// The plan compared with nothing; Keycloak has since filled in
			// its defaults. Reconcile with what it made.
			if created == nil {
				if err := r.api.Get(ctx, owner, nil, &created); err != nil {
					errs = multierror.Append(errs, err)
					continue
				}
			}
			c.AddRefs, c.RemoveRefs = rel.Delta(a.Desired.Fields[rel.Field], created[rel.Field])
		}
		changes = append(changes, c)
	}
	for _, adding := range []bool{false, true} {
		for _, c := range changes {
			rel := a.Desired.Kind.Relation(c.Path)
			refs := c.RemoveRefs
			if adding {
				refs = c.AddRefs
			}
			errs = multierror.Append(errs, r.setRefs(ctx, a.Realm, owner, rel, refs, adding))
		}
	}
	return errs.ErrorOrNil()
}

// relationChanges are the reference changes pass 2 makes for an action:
// the plan's, and on a create an empty change for every relation the
// server fills in that the desired state declares, so that a declared
// empty list (optionalClientScopes: []) removes what Keycloak added.
func relationChanges(a *plan.Action) []plan.Change {
	var out []plan.Change
	planned := map[string]bool{}
	for _, c := range a.Changes {
		if a.Desired.Kind.Relation(c.Path) != nil {
			out = append(out, c)
			planned[c.Path] = true
		}
	}
	if a.Verb != plan.Create {
		return out
	}
	for _, rel := range a.Desired.Kind.Relations {
		if _, declared := a.Desired.Fields[rel.Field]; declared && rel.DefaultedOnCreate && !planned[rel.Field] {
			out = append(out, plan.Change{Path: rel.Field})
		}
	}
	return out
}

// setRefs adds or removes references: one call per reference for PerRef
// relations (PUT or DELETE, no body), otherwise one call per endpoint
// with the role representations as the body (POST or DELETE).
func (r *run) setRefs(ctx context.Context, realm, owner string, rel *model.Relation, refs []model.Ref, adding bool) error {
	if len(refs) == 0 {
		return nil
	}
	var errs *multierror.Error
	if rel.PerRef {
		call := r.api.Delete
		if adding {
			call = r.api.Put
		}
		for _, target := range refs {
			id, err := r.resolve(ctx, realm, stub(model.KindByName(target.Kind), target.Key))
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", target, err))
				continue
			}
			path := strings.NewReplacer("{owner}", owner, "{ref}", url.PathEscape(id)).Replace(rel.Path(target))
			if err := call(ctx, path, nil); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
		return errs.ErrorOrNil()
	}
	call := r.api.Delete
	if adding {
		call = func(ctx context.Context, p string, body any) error { _, err := r.api.Post(ctx, p, body); return err }
	}
	batches, err := r.batch(ctx, realm, owner, rel, refs)
	if err != nil {
		return err
	}
	for _, path := range model.SortedKeys(batches) {
		if err := call(ctx, path, batches[path]); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}

// batch groups references by the endpoint that takes them, with the role
// representations (id and name) Keycloak wants in the body.
func (r *run) batch(ctx context.Context, realm, owner string, rel *model.Relation, refs []model.Ref) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	for _, target := range refs {
		e := stub(model.KindByName(target.Kind), target.Key)
		id, err := r.resolve(ctx, realm, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", target, err)
		}
		path := strings.ReplaceAll(rel.Path(target), "{owner}", owner)
		if strings.Contains(path, "{refParent}") {
			parentID, err := r.resolve(ctx, realm, r.parentEntity(realm, e))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", target, err)
			}
			path = strings.ReplaceAll(path, "{refParent}", url.PathEscape(parentID))
		}
		out[path] = append(out[path], map[string]any{"id": id, "name": e.Kind.NameOf(target.Key)})
	}
	return out, nil
}

func hasPlainChanges(a *plan.Action) bool {
	for _, c := range a.Changes {
		if !c.IsRelation() {
			return true
		}
	}
	return false
}

func hasRelations(a *plan.Action) bool { return len(relationChanges(a)) > 0 }

// plainFields are the fields an object's own POST or PUT carries:
// everything but references.
func plainFields(e *model.Entity) map[string]any {
	body := map[string]any{}
	for f, v := range e.Fields {
		if !e.Kind.IsRelation(f) {
			body[f] = model.DeepCopy(v)
		}
	}
	return body
}

// mergeKeyed merges desired list items into the live list by key: a
// desired item overlays the live item of the same key, new items are
// appended in desired order, and live items not listed are kept.
func mergeKeyed(current, desired any, key string) []any {
	live, _ := current.([]any)
	out := make([]any, 0, len(live))
	wanted := model.KeyedItems(desired, key)
	seen := map[string]bool{}
	for _, item := range live {
		obj, ok := item.(map[string]any)
		if !ok {
			out = append(out, item)
			continue
		}
		name := model.ScalarString(obj[key])
		if w, ok := wanted[name]; ok {
			item = overlay(obj, model.DeepCopy(w))
			seen[name] = true
		}
		out = append(out, item)
	}
	list, _ := desired.([]any)
	for _, item := range list {
		if obj, ok := item.(map[string]any); ok && !seen[model.ScalarString(obj[key])] {
			out = append(out, model.DeepCopy(obj))
		}
	}
	return out
}

// overlay writes desired over current: objects merge key by key (desired
// state is sparse), everything else is replaced.
func overlay(current, desired any) any {
	cm, ok1 := current.(map[string]any)
	dm, ok2 := desired.(map[string]any)
	if !ok1 || !ok2 {
		return desired
	}
	for k, v := range dm {
		cm[k] = overlay(cm[k], v)
	}
	return cm
}

func past(v plan.Verb) string {
	switch v {
	case plan.Create:
		return "created"
	case plan.Update:
		return "updated"
	case plan.Delete:
		return "deleted"
	case plan.Replace:
		return "replaced"
	case plan.Adopt:
		return "adopted"
	}
	return string(v)
}

func title(kind string) string {
	if k := model.KindByName(kind); k != nil {
		return k.Title
	}
	return kind
}

// errNotFound is returned when an object cannot be located by its key.
var errNotFound = errors.New("not found on the server")
