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
	// Actions is what became of each action, in plan order.
	Actions []ActionResult
}

// ActionResult is one action's outcome: "done", "failed" (Detail is the
// error) or "skipped" (Detail says why).
type ActionResult struct {
	Realm, Kind, Key string
	Verb             plan.Verb
	Outcome          string
	Detail           string
}

// Apply executes the plan. live holds the state the plan was made from,
// by realm name; its ids save lookups. The error aggregates every failure.
func Apply(ctx context.Context, api API, p *plan.Plan, live map[string]*model.Realm, opts Options) (_ Result, err error) {
	if opts.Owner == "" {
		opts.Owner = model.DefaultOwner
	}
	r := &run{api: api, live: live, opts: opts, ids: map[ref]string{}, flowIDs: map[string]map[string]string{}, failed: map[ref]bool{}, succeeded: map[ref]bool{},
		recorded: map[string]model.Owned{}, runID: newRunID(), leaseTaken: map[string]time.Time{}, outcome: map[ref]actionOutcome{}, detail: map[ref]string{}}
	r.plan = p
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
				merr := multierror.Append(err, fmt.Errorf("releasing realm %s: %w", realm, rerr))
				merr.ErrorFormat = errorList
				err = merr.ErrorOrNil()
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
				r.recordWhy(a, skipped, "no deletes after a failure")
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
		self := ref{a.Realm, a.Kind, a.Key}
		res := ActionResult{Realm: a.Realm, Kind: a.Kind, Key: a.Key, Verb: a.Verb, Detail: r.detail[self]}
		switch r.outcome[self] {
		case done:
			r.result.Done++
			res.Outcome = "done"
		case failedOutcome:
			r.result.Failed++
			res.Outcome = "failed"
		default:
			r.result.Skipped++
			res.Outcome = "skipped"
			if res.Detail == "" {
				res.Detail = "not started"
			}
		}
		r.result.Actions = append(r.result.Actions, res)
	}
	if r.errs != nil {
		r.errs.ErrorFormat = errorList
	}
	return r.result, r.errs.ErrorOrNil()
}

// errorList prints a run's errors one per line, without the library's
// "1 error occurred:" header and blank lines: one error reads as itself.
func errorList(errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = "  - " + strings.ReplaceAll(e.Error(), "\n", "\n    ")
	}
	return fmt.Sprintf("%d errors:\n%s", len(errs), strings.Join(lines, "\n"))
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
	mu sync.Mutex // guards ids while a wave runs
	// attrMu makes each read-modify-write of a realm's attributes (the
	// digests of write-only values) go alone.
	attrMu sync.Mutex
	// createdDigests: by realm, digests of secrets set only on create (a
	// user's initial password), written with the final ownership record.
	createdDigests map[string]map[string]string
	api            API
	plan           *plan.Plan
	live           map[string]*model.Realm
	opts           Options
	ids            map[ref]string
	flowIDs        map[string]map[string]string // realm → flow alias → id, for body references
	failed         map[ref]bool
	succeeded      map[ref]bool
	errs           *multierror.Error
	result         Result
	stopped        bool // interrupted: no action starts any more
	// recorded is the ownership record this run last wrote, by realm.
	recorded   map[string]model.Owned
	outcome    map[ref]actionOutcome // by action, the worst of its steps
	detail     map[ref]string        // by action, why it failed or was skipped
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
		if w := model.KindByName(wave[0].Kind).Write; w != nil && w.Serial {
			// One at a time, in plan order: a write that puts back a
			// whole list would undo another's, and one that brings along
			// other objects of its kind would race with theirs.
			for i := range serial {
				serial[i] = true
			}
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
		if model.KindByName(a.Kind).Root {
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
	r.recordWhy(a, skipped, "interrupted before it started")
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
	r.recordWhy(a, o, "")
}

// recordWhy records an outcome with what explains it (the error, the
// reason for a skip); the first explanation of the worst outcome stays.
func (r *run) recordWhy(a *plan.Action, o actionOutcome, why string) {
	self := ref{a.Realm, a.Kind, a.Key}
	if o > r.outcome[self] {
		r.outcome[self] = o
		r.detail[self] = why
	} else if o == r.outcome[self] && r.detail[self] == "" {
		r.detail[self] = why
	}
}

// finish records and reports one action's outcome.
func (r *run) finish(a *plan.Action, what, blocker string, err error) {
	if r.opts.Steps != nil && what == "" {
		defer r.opts.Steps.Step(1)
	}
	self := ref{a.Realm, a.Kind, a.Key}
	if blocker != "" {
		r.recordWhy(a, skipped, blocker+" failed")
		r.failed[self] = true
		r.report("skipped %s %s %q%s: %s failed", a.Verb, title(a.Kind), a.Key, what, blocker)
		return
	}
	if err != nil {
		r.recordWhy(a, failedOutcome, err.Error())
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
	if root := model.RootKind(); a.Kind != root.Name && r.failed[ref{a.Realm, root.Name, a.Realm}] {
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
	case plan.Reorder:
		return "reordered"
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
