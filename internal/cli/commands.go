package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/apply"
	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

var validateCmd = &command{
	name: "validate", usage: "validate DIR", summary: "Check the desired state offline: YAML, fields, types, keys and references.",
	help: `Exit codes: 0 valid, 1 invalid (every problem is listed with file and line).

Examples:
  realmsync validate realms/`,
	run: func(_ context.Context, a *app, c *command, args []string) int {
		rest, code, ok := a.parse(c, c.flags(a), args, 1)
		if !ok {
			return code
		}
		d, err := a.load(rest[0])
		if err != nil {
			return a.loadFailed(err)
		}
		for _, w := range d.Warnings {
			fmt.Fprintf(a.stderr, "warning: %s\n", w)
		}
		fmt.Fprintf(a.stdout, "%s: %d realm(s) valid: %s\n", rest[0], len(d.Realms), strings.Join(d.Names(), ", "))
		return ExitOK
	},
}

var planCmd = &command{
	name: "plan", usage: "plan [flags] DIR", summary: "Show the changes a sync would make (same as sync --dry-run).",
	help: `Exit codes: 0 no changes, 2 changes planned, 1 error.

Examples:
  export KEYCLOAK_URL=https://sso.example.com KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=...
  realmsync plan realms/
  realmsync plan realms/ || [ $? -eq 2 ]   # changes are not a failure`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		return a.reconcile(ctx, c, args, true)
	},
}

var syncCmd = &command{
	name: "sync", usage: "sync [flags] DIR", summary: "Apply the changes that make the server match DIR.",
	help: `With --dry-run it only plans (exit 0 no changes, 2 changes, 1 error).
Without it: exit 0 when every change was applied, 1 on any failure. Deletes are
skipped once anything has failed.

Examples:
  realmsync sync --dry-run realms/
  realmsync sync realms/`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		return a.reconcile(ctx, c, args, false)
	},
}

var exportCmd = &command{
	name: "export", usage: "export --realm NAME [flags] OUTDIR", summary: "Write a live realm as YAML files under OUTDIR/NAME/.",
	help: `The files hold no ids, no server defaults and no secrets (those become
${env:...} placeholders, listed on stderr); built-in objects appear only where
changed. 'realmsync sync OUTDIR' takes the files back with zero changes.
Learning the server's defaults creates and deletes a temporary realm, so the
account needs the create-realm role.

Examples:
  realmsync export --realm acme realms/`,
	run: runExport,
}

func (a *app) load(dir string) (*load.Desired, error) {
	return load.Dir(dir, load.Options{Lookup: a.env})
}

func (a *app) loadFailed(err error) int {
	fmt.Fprintf(a.stderr, "error: invalid desired state:\n")
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(a.stderr, "  %s\n", line)
	}
	return ExitError
}

// reconcile is plan and sync: one code path, one dry-run gate (in apply).
func (a *app) reconcile(ctx context.Context, c *command, args []string, alwaysDry bool) int {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	dryRun := alwaysDry
	if !alwaysDry {
		fs.BoolVar(&dryRun, "dry-run", false, "only show the plan; change nothing")
	}
	rest, code, ok := a.parse(c, fs, args, 1)
	if !ok {
		return code
	}
	desired, err := a.load(rest[0])
	if err != nil {
		return a.loadFailed(err)
	}
	api, err := conn.connect(a.env)
	if err != nil {
		return a.fail("%v", err)
	}
	defer conn.reportRequests(a.stderr, api)

	p := &plan.Plan{Warnings: desired.Warnings}
	live := map[string]*model.Realm{}
	for _, name := range desired.Names() {
		lr, err := export.ReadRealm(ctx, api, name)
		if err != nil {
			return a.fail("%v", err)
		}
		live[name] = lr
		p.Add(diff.Realm(desired.Realms[name], lr)...)
	}
	if err := plan.WriteText(a.stdout, p); err != nil {
		return a.fail("%v", err)
	}
	if dryRun {
		if _, err := apply.Apply(ctx, api, p, live, apply.Options{DryRun: true}); err != nil {
			return a.fail("%v", err)
		}
		if p.Empty() {
			return ExitOK
		}
		return ExitChanges
	}
	if p.Empty() {
		return ExitOK
	}
	fmt.Fprintf(a.stdout, "\nApplying:\n")
	res, err := apply.Apply(ctx, api, p, live, apply.Options{Progress: indent{a.stdout}})
	fmt.Fprintf(a.stdout, "\nApplied: %d done, %d failed, %d skipped.\n", res.Done, res.Failed, res.Skipped)
	if err != nil {
		return a.fail("%v", err)
	}
	return ExitOK
}

func runExport(ctx context.Context, a *app, c *command, args []string) int {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	realm := fs.String("realm", "", "realm to export (required)")
	rest, code, ok := a.parse(c, fs, args, 1)
	if !ok {
		return code
	}
	if *realm == "" {
		fmt.Fprintf(a.stderr, "realmsync export: --realm is required\nUsage: realmsync %s\n", c.usage)
		return ExitError
	}
	api, err := conn.connect(a.env)
	if err != nil {
		return a.fail("%v", err)
	}
	defer conn.reportRequests(a.stderr, api)
	live, err := export.ReadRealm(ctx, api, *realm)
	if err != nil {
		return a.fail("%v", err)
	}
	if live == nil {
		return a.fail("realm %q does not exist on %s", *realm, conn.resolve(a.env).BaseURL)
	}
	base, err := export.ReadBaseline(ctx, api)
	if err != nil {
		return a.fail("learning the server's defaults: %v", err)
	}
	pruned, placeholders := base.Prune(live)
	files, err := export.Files(pruned)
	if err != nil {
		return a.fail("%v", err)
	}
	if err := os.MkdirAll(rest[0], 0o755); err != nil {
		return a.fail("%v", err)
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
