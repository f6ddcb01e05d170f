package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/apply"
	"github.com/realmsync/realmsync/internal/engine"
	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/federation"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
	"github.com/realmsync/realmsync/internal/progress"
	"github.com/realmsync/realmsync/internal/report"
	"github.com/realmsync/realmsync/internal/scope"
)

type mode int

const (
	modePlan mode = iota
	modeSync
	modeDrift
)

// runFlags are the flags of plan, sync and drift.
type runFlags struct {
	conn            connFlags
	out             outputFlags
	dryRun          bool
	realms          []string
	only, skip      []string
	metricsFile     string
	reportFile      string
	owner           string
	adopt           bool
	concurrency     int
	limits          apply.Limits
	forceUnlock     bool
	keycloakVersion string // --keycloak-version: the server's, when it cannot say
	saveTo          string // plan --out
	savedPlan       string // sync --plan
	exclude         []string
	from            string // --from kcc: the paths are keycloak-config-cli files
	dropForeign     []string
	autoApprove     bool
	targets         []string
	strict          bool
	testConnection  bool   // --test-connection: bind at each changed LDAP provider first
	syncFederation  string // --sync-user-federation: full, changed or all-full
	changedSince    string // --changed-since REF: a plan scoped to the Git change
}

const excludeUsage = "leave out realm directories whose path or name matches this pattern (repeatable)"

func (f *runFlags) register(fs *pflag.FlagSet, m mode) {
	f.conn.register(fs)
	f.out.register(fs)
	if m == modePlan {
		fs.StringVar(&f.saveTo, "out", "", "also save the plan to FILE, for sync --plan")
	}
	if m == modeSync {
		fs.StringVar(&f.savedPlan, "plan", "", "apply the plan plan --out saved in FILE, or nothing if the desired files or the server changed since")
		fs.BoolVar(&f.dryRun, "dry-run", false, "only show the plan; change nothing")
		fs.BoolVar(&f.forceUnlock, "force-unlock", false, "sync even if another run holds the realm (only when that run is dead)")
		fs.BoolVarP(&f.autoApprove, "auto-approve", "y", false, "do not ask before writing (a sync asks only on a terminal)")
		fs.BoolVar(&f.autoApprove, "yes", false, "the same as --auto-approve")
		fs.StringVar(&f.syncFederation, "sync-user-federation", "", "after applying, sync users of the user federation providers the sync created or changed: full or changed (their changed users); all-full: a full sync of every provider the files declare")
	}
	if m != modeDrift {
		// Drift detection is a full read by definition: it looks for what
		// no file names.
		fs.StringVar(&f.changedSince, "changed-since", "", "read and compare only the objects whose files changed since this Git revision (and what they refer to); falls back to a full read where that is not safe, and says why")
		fs.BoolVar(&f.testConnection, "test-connection", false, "before anything is written, have Keycloak connect and bind to each LDAP provider the plan creates or changes, with the settings it would write; stop if one fails")
	}
	fs.StringArrayVar(&f.realms, "realm", nil, "only this realm of DIR (repeatable)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, excludeUsage)
	fs.StringSliceVar(&f.dropForeign, "drop-foreign-state", nil, "remove another tool's bookkeeping from the realms' attributes: kcc (keycloak-config-cli's de.adorsys.keycloak.config.*)")
	fs.StringVar(&f.from, "from", "", "read the paths as another tool's files: kcc (keycloak-config-cli import files, as 'realmsync convert kcc' reads them)")
	fs.StringSliceVar(&f.only, "only", nil, "only these kinds, comma-separated: "+kindNames())
	fs.StringSliceVar(&f.skip, "skip", nil, "leave these kinds alone, comma-separated")
	if m != modeSync {
		fs.BoolVar(&f.strict, "strict", false, "also report what is on the server outside Git's control: objects no file declares and no owner recorded, fields the files leave out that differ from a new object's (learnt from a throwaway realm: needs create-realm)")
	}
	fs.StringArrayVar(&f.targets, "target", nil, "only this object (KIND:KEY, as plans name it: client:webapp, group:/staff), what is inside it and what it needs that the plan creates (repeatable)")
	fs.StringVar(&f.keycloakVersion, "keycloak-version", "", "the server's Keycloak version, when /admin/serverinfo is closed to this account (default: asked)")
	fs.StringVar(&f.owner, "owner", model.DefaultOwner, "name this desired state's objects are recorded under (several repositories, one realm)")
	fs.BoolVar(&f.adopt, "adopt", false, "take over objects the desired state declares that another owner manages")
	fs.IntVar(&f.limits.MaxDeletes, "max-deletes", 10, "refuse to sync a plan with more deletes than this (-1: no limit)")
	fs.Float64Var(&f.limits.MaxDeleteRatio, "max-delete-ratio", 0.5, "refuse to delete a larger share of a kind's live objects (1: no limit)")
	fs.IntVar(&f.concurrency, "concurrency", live.DefaultConcurrency, "independent requests at once (reads, and writes of one kind at one depth)")
	fs.StringVar(&f.metricsFile, "metrics-file", "", "write Prometheus text-format metrics here (atomically)")
	fs.StringVar(&f.reportFile, "report-file", "", "write the JSON plan here too (atomically)")
}

func kindNames() string {
	var names []string
	for _, k := range model.Kinds() {
		names = append(names, k.Name)
	}
	return strings.Join(names, ", ")
}

// load reads the desired state: one desired-state directory, or several
// paths and patterns (load.Paths).
func (a *app) load(paths, exclude []string) (*load.Desired, error) {
	return load.Paths(paths, load.Options{Lookup: a.env, Exclude: exclude})
}

// loadScoped loads as load does, keeping the parts of the files changed
// since history's revision for history.Since.
func (a *app) loadScoped(ctx context.Context, paths, exclude []string, history *scope.Git) (*load.Desired, error) {
	return load.Paths(paths, load.Options{Lookup: a.env, Exclude: exclude, KeepParts: history.ChangedFiles(ctx, paths)})
}

func (a *app) loadFailed(err error) int {
	fmt.Fprintf(a.stderr, "error: invalid desired state:\n")
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(a.stderr, "  %s\n", line)
	}
	return ExitError
}

// reconcile is plan, sync and drift: one code path, one dry-run gate (in
// apply).
func (a *app) reconcile(ctx context.Context, c *command, args []string, m mode) int {
	started := time.Now()
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	var f runFlags
	f.register(fs, m)
	rest, code, ok := a.parse(c, fs, args, atLeastOne)
	if !ok {
		return code
	}
	defer a.structuredStderr(&f.conn)()
	dryRun := m != modeSync || f.dryRun
	render, err := f.out.renderer(a, m == modeDrift)
	if err != nil {
		return a.fail("%v", err)
	}
	kinds, err := engine.Select(f.only, f.skip)
	if err == nil {
		kinds, err = kinds.Target(f.targets)
	}
	if err != nil {
		return a.fail("%v", err)
	}
	if !model.ValidOwner(f.owner) {
		return a.fail("--owner %q: use letters, digits, '-' and '_' (at most 64)", f.owner)
	}
	if err := f.limits.Validate(); err != nil {
		return a.fail("%v", err)
	}
	if f.concurrency < 1 {
		return a.fail("--concurrency %d: want 1 or more", f.concurrency)
	}
	syncMode, err := federation.ParseMode(f.syncFederation)
	if err != nil {
		return a.fail("%v", err)
	}
	var desired *load.Desired
	history := scope.NewGit(f.changedSince)
	switch f.from {
	case "":
		if f.changedSince != "" {
			desired, err = a.loadScoped(ctx, rest, f.exclude, history)
		} else {
			desired, err = a.load(rest, f.exclude)
		}
	case "kcc":
		var p *load.KCCProject
		if p, err = load.KCC(rest, load.Options{Lookup: a.env}, false); err == nil {
			desired = p.Desired
			for _, line := range p.Report {
				fmt.Fprintf(a.stderr, "note: %s\n", line)
			}
		}
	default:
		return a.fail("--from %q: the one other format realmsync reads is kcc (keycloak-config-cli)", f.from)
	}
	if err != nil {
		return a.loadFailed(err)
	}
	realms, err := selectRealms(desired, f.realms)
	if err != nil {
		return a.fail("%v", err)
	}
	// The scope (old versions of the changed files, parsed) is worked out
	// while the server is logged into: both wait.
	var scoped chan *scope.Result
	if f.changedSince != "" {
		scoped = make(chan *scope.Result, 1)
		go func() { scoped <- history.Since(ctx, desired, realms, load.Options{Lookup: a.env}) }()
	}
	api, err := f.conn.connect(ctx, a.env, a.stderr)
	if err != nil {
		return a.fail("%v", err)
	}
	defer f.conn.reportRequests(a.stderr, api)
	for _, name := range realms {
		api.AddSecrets(desired.Realms[name].SecretValues()...)
	}

	version, err := engine.AskVersion(ctx, api, f.keycloakVersion)
	if err != nil {
		return a.fail("%v", err)
	}
	planOpts := engine.Options{Owner: f.owner, TakeOver: f.adopt, Concurrency: f.concurrency, Kinds: kinds, ServerVersion: version, DropForeignState: f.dropForeign, Strict: f.strict}
	if scoped != nil {
		scoped := <-scoped
		planOpts.Scopes, planOpts.ScopeRevision = scoped.Realms, f.changedSince
		for _, name := range model.SortedKeys(scoped.Full) {
			desired.Warnings = append(desired.Warnings, fmt.Sprintf("realm %s: not scoped to the change since %s, read whole: %s.", name, f.changedSince, scoped.Full[name]))
		}
	}
	planOpts.ReadProgress = func(realm string) (live.Steps, func()) {
		// A bar on a terminal, a line every few seconds in logs: reading a
		// large realm is the long silence of a plan.
		bar := progress.New(a.stderr, a.colorful(f.out.noColor, a.stderr), "reading realm "+realm, live.Stages())
		return bar, bar.Finish
	}
	planned, err := engine.Plan(ctx, api, desired, realms, planOpts)
	p, liveRealms := planned.Plan, planned.Live
	if err != nil {
		a.writeReports(f, p, realms, false, started)
		return a.fail("%v", err)
	}
	if f.savedPlan != "" {
		if err := checkSaved(f.savedPlan, desired, p); err != nil {
			return a.fail("%v", err)
		}
	}
	if f.testConnection {
		if err := federation.TestConnections(ctx, api, federation.Changing(p, liveRealms)); err != nil {
			return a.fail("%v", err)
		}
	}
	if f.saveTo != "" {
		saved, err := plan.NewSaved(p, desired.Digest)
		if err == nil {
			var data []byte
			if data, err = json.MarshalIndent(saved, "", "  "); err == nil {
				err = report.WriteFileAtomic(f.saveTo, append(data, '\n'))
			}
		}
		if err != nil {
			return a.fail("saving the plan: %v", err)
		}
	}
	if dryRun {
		// What sync would refuse is said in the plan a pull request shows,
		// before anyone merges.
		var over *apply.LimitError
		if errors.As(apply.CheckLimits(p, liveRealms, f.limits), &over) {
			p.Warnings = append(p.Warnings, "sync would refuse this plan: "+over.Reason()+".")
		}
	}
	if err := render(a.stdout, p); err != nil {
		return a.fail("%v", err)
	}
	if err := a.writeReports(f, p, realms, true, started); err != nil {
		return a.fail("%v", err)
	}
	if dryRun {
		if _, err := apply.Apply(ctx, api, p, liveRealms, apply.Options{DryRun: true, Owner: f.owner}); err != nil {
			return a.fail("%v", err)
		}
		if p.Empty() && len(p.Strict) == 0 {
			return ExitOK
		}
		return ExitChanges
	}
	if p.Empty() {
		if syncMode == federation.AllFull {
			if code := a.syncUserFederation(ctx, api, syncMode, federation.Declared(selected(desired, realms))); code != ExitOK {
				return code
			}
		}
		if f.forceUnlock {
			// Nothing to apply, but the user said the lease's holder is
			// dead: a later sync must not be refused for it.
			for _, name := range realms {
				if liveRealms[name] == nil {
					continue
				}
				holder, err := apply.Unlock(ctx, api, name)
				if err != nil {
					return a.fail("releasing the lease of realm %s: %v", name, err)
				}
				if holder != "" {
					fmt.Fprintf(a.stderr, "released the lease of realm %s held by %s\n", name, holder)
				}
			}
		}
		return ExitOK
	}
	if err := apply.CheckLimits(p, liveRealms, f.limits); err != nil {
		return a.fail("%v", err)
	}
	if !f.autoApprove && f.savedPlan == "" && a.interactive() {
		if !a.confirm(p) {
			fmt.Fprintf(a.stderr, "Nothing was written.\n")
			return ExitError
		}
	}
	// stdout holds exactly one document in the json and markdown views
	// (`sync -o json | jq` must parse): the apply log goes to stderr then.
	log := a.stdout
	if f.out.format != "text" && f.out.format != "" {
		log = a.stderr
	}
	fmt.Fprintf(log, "\nApplying:\n")
	bar := progress.New(a.stderr, a.colorful(f.out.noColor, a.stderr), "applying", len(p.Actions))
	defer bar.Finish()
	opts := apply.Options{Progress: indent{log}, Owner: f.owner, Steps: bar, Concurrency: f.concurrency, ForceUnlock: f.forceUnlock}
	res, err := engine.Apply(ctx, api, desired, planned, planOpts, opts)
	fmt.Fprintf(log, "\nApplied: %d done, %d failed, %d skipped.\n", res.Done, res.Failed, res.Skipped)
	if f.reportFile != "" {
		// Written whatever happened: a failed sync's report is the one
		// people read.
		if rerr := writeApplyReport(f.reportFile, p, res, api.Counts()); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	if err != nil {
		return a.fail("%v", err)
	}
	switch syncMode {
	case federation.AllFull:
		return a.syncUserFederation(ctx, api, syncMode, federation.Declared(selected(desired, realms)))
	case federation.Full, federation.Changed:
		return a.syncUserFederation(ctx, api, syncMode, federation.Changing(p, liveRealms))
	}
	return ExitOK
}

// selected are the desired realms a run works on.
func selected(desired *load.Desired, realms []string) map[string]*model.Realm {
	out := map[string]*model.Realm{}
	for _, name := range realms {
		out[name] = desired.Realms[name]
	}
	return out
}

// syncUserFederation syncs the providers' users and prints what each sync
// did; a failed sync fails the run.
func (a *app) syncUserFederation(ctx context.Context, api federation.API, mode federation.Mode, providers []federation.Provider) int {
	if len(providers) == 0 {
		return ExitOK
	}
	results, err := federation.Sync(ctx, api, providers, mode)
	for _, r := range results {
		if r.Err == nil {
			fmt.Fprintf(a.stderr, "user sync: %s\n", r)
		}
	}
	if err != nil {
		return a.fail("%v", err)
	}
	return ExitOK
}

// checkSaved refuses a sync whose plan is not the one saved: the desired
// files changed since, or the server did (someone changed an object the
// plan touches, or made one it would create). Nothing is written then.
func checkSaved(path string, desired *load.Desired, p *plan.Plan) error {
	saved, err := plan.ReadSaved(path)
	if err != nil {
		return err
	}
	if saved.Desired != desired.Digest {
		return fmt.Errorf("refusing to sync, nothing was changed: the desired files changed since the plan in %s was made; plan again", path)
	}
	same, err := saved.Matches(p)
	if err != nil {
		return err
	}
	if !same {
		return fmt.Errorf("refusing to sync, nothing was changed: the server changed since the plan in %s was made, and the plan it would run now differs; plan again", path)
	}
	return nil
}

// writeApplyReport writes sync --report-file: the plan with what became
// of each action and the requests made.
func writeApplyReport(path string, p *plan.Plan, res apply.Result, requests map[string]int64) error {
	rep := &plan.ApplyReport{Done: res.Done, Failed: res.Failed, Skipped: res.Skipped, Requests: requests, Actions: []plan.ActionOutcome{}}
	for _, a := range res.Actions {
		rep.Actions = append(rep.Actions, plan.ActionOutcome{Realm: a.Realm, Kind: a.Kind, Key: a.Key, Verb: a.Verb, Outcome: a.Outcome, Detail: a.Detail})
	}
	var b strings.Builder
	if err := plan.WriteJSONReport(&b, p, rep); err != nil {
		return err
	}
	if err := report.WriteFileAtomic(path, []byte(b.String())); err != nil {
		return fmt.Errorf("report file: %w", err)
	}
	return nil
}

// writeReports writes the metrics and report files a run was asked for.
func (a *app) writeReports(f runFlags, p *plan.Plan, realms []string, success bool, started time.Time) error {
	if f.metricsFile != "" {
		data := report.Metrics(p, report.Run{Realms: realms, Success: success, Strict: f.strict, Started: started, Duration: time.Since(started)})
		if err := report.WriteFileAtomic(f.metricsFile, data); err != nil {
			return fmt.Errorf("metrics file: %w", err)
		}
	}
	if f.reportFile != "" && success {
		var b strings.Builder
		if err := plan.WriteJSON(&b, p); err != nil {
			return err
		}
		if err := report.WriteFileAtomic(f.reportFile, []byte(b.String())); err != nil {
			return fmt.Errorf("report file: %w", err)
		}
	}
	return nil
}

// selectRealms applies --realm.
func selectRealms(d *load.Desired, names []string) ([]string, error) {
	if len(names) == 0 {
		return d.Names(), nil
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if d.Realms[n] == nil {
			return nil, fmt.Errorf("--realm %s: no such realm in the desired state (have: %s)", n, strings.Join(d.Names(), ", "))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

func runExport(ctx context.Context, a *app, c *command, args []string) int {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	realm := fs.String("realm", "", "realm to export (required)")
	concurrency := fs.Int("concurrency", live.DefaultConcurrency, "independent reads at once")
	force := fs.Bool("force", false, "replace the realm's files in OUTDIR/NAME: every YAML file under it is removed first")
	rest, code, ok := a.parse(c, fs, args, 1)
	if !ok {
		return code
	}
	defer a.structuredStderr(&conn)()
	if *concurrency < 1 {
		return a.fail("--concurrency %d: want 1 or more", *concurrency)
	}
	if *realm == "" {
		fmt.Fprintf(a.stderr, "realmsync export: --realm is required\nUsage: realmsync %s\n", c.usage)
		return ExitError
	}
	// Refused before anything is read: the files there may hold edits not
	// committed yet, or objects in files the user moved, which an export
	// would leave behind as duplicates.
	existing, err := export.RealmFiles(rest[0], *realm)
	if err != nil {
		return a.fail("%v", err)
	}
	if len(existing) > 0 && !*force {
		return a.fail("%s holds %d realm file(s) already (%s): export writes the whole realm, so pass --force to replace them (every YAML file under it is removed first), or export into another directory",
			filepath.Join(rest[0], *realm), len(existing), existing[0])
	}
	api, err := conn.connect(ctx, a.env, a.stderr)
	if err != nil {
		return a.fail("%v", err)
	}
	defer conn.reportRequests(a.stderr, api)
	bar := progress.New(a.stderr, isTerminal(a.stderr) && !conn.noProgress(a.env), "reading realm "+*realm, live.Stages())
	lr, err := live.Read(ctx, api, *realm, live.Options{Steps: bar, Concurrency: *concurrency, AnyExtension: true})
	bar.Finish()
	if err != nil {
		return a.fail("%v", err)
	}
	if lr == nil {
		return a.fail("realm %q does not exist on the server", *realm)
	}
	base, err := export.ReadBaseline(ctx, api)
	if err != nil {
		return a.fail("learning the server's defaults: %v", err)
	}
	pruned, placeholders := base.Prune(lr)
	files, err := export.Files(pruned)
	if err != nil {
		return a.fail("%v", err)
	}
	if err := os.MkdirAll(rest[0], 0o755); err != nil {
		return a.fail("%v", err)
	}
	if err := export.Clear(rest[0], *realm); err != nil {
		return a.fail("replacing the realm's files: %v", err)
	}
	if err := export.Write(rest[0], *realm, files); err != nil {
		return a.fail("writing export: %v", err)
	}
	fmt.Fprintf(a.stdout, "exported realm %s to %s/%s (%d files)\n", *realm, rest[0], *realm, len(files))
	if len(placeholders) > 0 {
		fmt.Fprintf(a.stderr, "secrets were written as placeholders; set these variables before syncing:\n")
		for _, p := range placeholders {
			fmt.Fprintf(a.stderr, "  %s\n", p)
		}
	}
	return ExitOK
}

// indent prefixes each progress line.
type indent struct {
	w interface{ Write([]byte) (int, error) }
}

func (i indent) Write(b []byte) (int, error) {
	if _, err := i.w.Write(append([]byte("  "), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
