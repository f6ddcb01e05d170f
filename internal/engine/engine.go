// Package engine runs the stages for a set of realms: live read
// (internal/live), diff, plan and apply, including realms that must be
// created before their contents can be planned against what Keycloak
// made, and a selection of kinds (--only, --skip). The CLI parses flags,
// renders views and sets exit codes; everything between the desired state
// and the server is here, behind the API interface.
package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/realmsync/realmsync/internal/apply"
	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
	"github.com/realmsync/realmsync/internal/plan"
	"github.com/realmsync/realmsync/internal/scope"
)

// API is the server as the engine needs it: the live reader's reads and
// apply's reads and writes.
type API interface {
	live.API
	apply.API
}

// Options steer planning.
type Options struct {
	// Owner and TakeOver are diff's.
	Owner    string
	TakeOver bool
	// Concurrency is how many independent reads run at once.
	Concurrency int
	// Kinds selects what the plan holds; the zero value is every kind.
	Kinds Selection
	// Strict also reports what is on the server outside Git's control
	// (Plan.Strict): objects no file declares and no owner recorded, and
	// fields the files leave out that differ from a new object's, learnt
	// from a throwaway baseline realm (it needs the create-realm role).
	Strict bool
	// ReadProgress, if set, is told of each realm's read, stage by stage
	// (a large realm's read takes minutes); done is called when it ends.
	ReadProgress func(realm string) (steps live.Steps, done func())
	// DropForeignState names other tools whose bookkeeping in the realms'
	// attributes the plan removes (model.ForeignState: "kcc").
	DropForeignState []string
	// ServerVersion waits for the server's Keycloak version (AskVersion),
	// which is asked while the realms are read: a desired state that needs
	// a newer one is refused once they are read, before anything is
	// compared or written, and in place of a read's error (an endpoint the
	// older server lacks). Nil or unknown: nothing is checked.
	ServerVersion func() model.Version
	// Scopes narrow realms' plans to a change (--changed-since,
	// internal/scope): a realm named here is read and compared only for
	// the objects its scope names. Others are read whole.
	Scopes map[string]*scope.Realm
	// ScopeRevision names the revision the scopes are changes since.
	ScopeRevision string
}

// Planned is a plan with the live state it was made against.
type Planned struct {
	Plan *plan.Plan
	// Live holds each realm's live state (nil: the realm does not exist).
	Live map[string]*model.Realm
}

// Plan reads every realm of desired that realms names and plans it. On
// an error the plan so far (its warnings) is returned with it, for the
// reports a failed run still writes.
func Plan(ctx context.Context, api API, desired *load.Desired, realms []string, opts Options) (*Planned, error) {
	out := &Planned{Plan: &plan.Plan{Warnings: desired.Warnings}, Live: map[string]*model.Realm{}}
	var baseline *export.Baseline
	for _, tool := range opts.DropForeignState {
		prefix, ok := model.ForeignState[tool]
		if !ok {
			return out, fmt.Errorf("--drop-foreign-state %q: the tools whose state realmsync knows are %s", tool, strings.Join(model.SortedKeys(model.ForeignState), ", "))
		}
		for _, name := range realms {
			if s := desired.Realms[name].Settings(); s != nil {
				s.DropPrefixes = append(s.DropPrefixes, prefix)
			}
		}
	}
	lives, err := readRealms(ctx, api, desired, realms, opts)
	if opts.ServerVersion != nil {
		v := opts.ServerVersion()
		for _, name := range realms {
			if err := unsupported(v, desired.Realms[name]); err != nil {
				return out, err
			}
		}
	}
	if err != nil {
		return out, err
	}
	for i, name := range realms {
		lr := lives[i]
		out.Live[name] = lr
		want := desired.Realms[name]
		if s := opts.Scopes[name]; s != nil {
			if lr == nil {
				// Gone from the server though the revision had it: the
				// whole realm is planned, which a read of nothing costs.
				out.Plan.Warnings = append(out.Plan.Warnings, fmt.Sprintf("realm %s: not scoped to the change: the realm does not exist on the server.", name))
			} else {
				// Apply keeps the whole read (parents' ids address
				// their children); the diff sees the scope alone.
				lr.Counts = s.Counts
				want, lr = want.Restrict(s.Refs()), lr.Restrict(s.Refs())
				out.Plan.Warnings = append(out.Plan.Warnings, fmt.Sprintf("realm %s: %s.", name, s.Summary(opts.ScopeRevision)))
			}
		}
		if err := opts.Kinds.checkTargets(want, lr); err != nil {
			return out, err
		}
		out.Plan.Warnings = append(out.Plan.Warnings, diff.Warnings(want, lr)...)
		if lr != nil {
			for _, kind := range model.SortedKeys(lr.Unreadable) {
				out.Plan.Warnings = append(out.Plan.Warnings, lr.Unreadable[kind]+".")
			}
		}
		actions, err := diff.Realm(want, lr, diff.Options{Owner: opts.Owner, TakeOver: opts.TakeOver})
		if err != nil {
			return out, err
		}
		kept, err := opts.Kinds.filter(actions)
		if err != nil {
			return out, fmt.Errorf("realm %s: %w", name, err)
		}
		out.Plan.Add(kept...)
		if opts.Strict && lr != nil {
			if baseline == nil {
				if baseline, err = export.ReadBaseline(ctx, api); err != nil {
					return out, fmt.Errorf("strict drift: learning the server's defaults: %w", err)
				}
			}
			pruned, _ := baseline.Prune(lr)
			out.Plan.Strict = append(out.Plan.Strict, diff.Strict(desired.Realms[name], lr, pruned, baseline.NewRealm(name), kept)...)
		}
	}
	if w := opts.Kinds.partial(); w != "" {
		out.Plan.Warnings = append(out.Plan.Warnings, w)
	}
	return out, nil
}

// readRealms reads the live state of each realm. Several realms are read
// at once, the request budget (opts.Concurrency) shared between them: a
// tree of many small realms is mostly waiting on round trips, which one
// realm's read alone cannot fill. One realm at a time reports its
// progress (ReadProgress); concurrent reads report none, as their bars
// would overwrite each other. The first error in realm order is returned.
func readRealms(ctx context.Context, api API, desired *load.Desired, realms []string, opts Options) ([]*model.Realm, error) {
	budget := opts.Concurrency
	if budget <= 0 {
		budget = live.DefaultConcurrency
	}
	atOnce := min(len(realms), budget)
	perRealm := opts.Concurrency
	if atOnce > 1 {
		perRealm = max(1, budget/atOnce)
	}
	lives := make([]*model.Realm, len(realms))
	errs := make([]error, len(realms))
	_ = parallel.ForEach(ctx, atOnce, len(realms), func(ctx context.Context, i int) error {
		name := realms[i]
		readOpts := live.Options{Concurrency: perRealm, Extensions: desired.Realms[name].Extensions,
			Authenticators: len(desired.Realms[name].Sorted(model.KindFlow)) > 0}
		if s := opts.Scopes[name]; s != nil {
			readOpts.Only = s.Refs()
		}
		if !opts.Strict {
			// A strict plan reports memberships set by hand: it reads them all.
			readOpts.Holdings = live.HoldingsOf(desired.Realms[name])
		}
		finish := func() {}
		if opts.ReadProgress != nil && atOnce == 1 {
			readOpts.Steps, finish = opts.ReadProgress(name)
		}
		lives[i], errs[i] = live.Read(ctx, api, name, readOpts)
		finish()
		return nil
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return lives, ctx.Err()
}

// Apply applies a plan. Realms the plan creates are created first, alone;
// their contents are then planned again against what the server made (a
// new realm comes with built-in clients, roles and scopes whose real
// state the first plan could only guess), and the rest applied.
func Apply(ctx context.Context, api API, desired *load.Desired, p *Planned, planOpts Options, opts apply.Options) (apply.Result, error) {
	rest, pre, err := createRealmsFirst(ctx, api, desired, p, planOpts, opts)
	if err != nil {
		return pre, err
	}
	res, err := apply.Apply(ctx, api, rest, p.Live, opts)
	res.Done += pre.Done
	res.Actions = append(pre.Actions, res.Actions...)
	return res, err
}

func createRealmsFirst(ctx context.Context, api API, desired *load.Desired, p *Planned, planOpts Options, opts apply.Options) (*plan.Plan, apply.Result, error) {
	first := &plan.Plan{}
	created := map[string]bool{}
	for _, action := range p.Plan.Actions {
		if model.KindByName(action.Kind).Root && action.Verb == plan.Create {
			// The realm alone: its references (default groups, scopes)
			// and flow bindings need objects created later, and are
			// planned again below.
			bare := action
			bare.Changes = nil
			k := model.KindByName(action.Kind)
			for _, c := range action.Changes {
				if field, _, _ := strings.Cut(c.Path, "."); !c.IsRelation() && !k.IsLate(field) {
					bare.Changes = append(bare.Changes, c)
				}
			}
			first.Add(bare)
			created[action.Realm] = true
		}
	}
	if len(created) == 0 {
		return p.Plan, apply.Result{}, nil
	}
	res, err := apply.Apply(ctx, api, first, p.Live, opts)
	if err != nil {
		return nil, res, err
	}
	rest := &plan.Plan{Warnings: p.Plan.Warnings}
	for _, action := range p.Plan.Actions {
		if !created[action.Realm] {
			rest.Add(action)
		}
	}
	for _, name := range model.SortedKeys(created) {
		whole := planOpts
		whole.Scopes = nil // a realm just made has nothing to scope against
		again, err := Plan(ctx, api, &load.Desired{Realms: desired.Realms}, []string{name}, whole)
		if err != nil {
			return nil, res, err
		}
		p.Live[name] = again.Live[name]
		rest.Add(again.Plan.Actions...)
	}
	return rest, res, nil
}
