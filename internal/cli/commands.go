package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/yamlschema"
)

var validateCmd = &command{
	name: "validate", usage: "validate DIR...", summary: "Check the desired state offline: YAML, fields, types, keys and references.",
	help: `Exit codes: 0 valid, 1 invalid (every problem is listed with file and line).

Examples:
  realmsync validate realms/`,
	run: func(_ context.Context, a *app, c *command, args []string) int {
		fs := c.flags(a)
		rest, code, ok := a.parse(c, fs, args, atLeastOne)
		if !ok {
			return code
		}
		exclude, _ := fs.GetStringArray("exclude")
		// Only errors are asked for: big users files are checked batch by batch.
		d, err := load.Paths(rest, load.Options{Lookup: a.env, Exclude: exclude, CheckOnly: true})
		if err != nil {
			return a.loadFailed(err)
		}
		for _, w := range d.Warnings {
			fmt.Fprintf(a.stderr, "warning: %s\n", w)
		}
		fmt.Fprintf(a.stdout, "%s: %d realm(s) valid: %s\n", strings.Join(rest, " "), len(d.Realms), strings.Join(d.Names(), ", "))
		return ExitOK
	},
}

var planCmd = &command{
	name: "plan", usage: "plan [flags] DIR...", summary: "Show the changes a sync would make (same as sync --dry-run).",
	help: `Exit codes: 0 no changes, 2 changes planned, 1 error.

Examples:
  export KEYCLOAK_URL=https://sso.example.com KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=...
  realmsync plan realms/
  realmsync plan --output markdown realms/ > plan.md   # for a pull-request comment
  realmsync plan --output json realms/ | jq '.actions[] | select(.verb == "delete")'
  realmsync plan --realm acme --only client,clientMapper realms/
  realmsync plan 'teams/*/realms' --exclude 'legacy-*'   # a monorepo`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		return a.reconcile(ctx, c, args, modePlan)
	},
}

var syncCmd = &command{
	name: "sync", usage: "sync [flags] DIR...", summary: "Apply the changes that make the server match DIR.",
	help: `With --dry-run it only plans (exit 0 no changes, 2 changes, 1 error).
Without it: exit 0 when every change was applied, 1 on any failure. Deletes are
skipped once anything has failed.

Examples:
  realmsync sync --dry-run realms/
  realmsync sync realms/`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		return a.reconcile(ctx, c, args, modeSync)
	},
}

var driftCmd = &command{
	name: "drift", usage: "drift [flags] DIR...", summary: "Report objects changed outside Git (the plan, worded as drift).",
	help: `For scheduled checks (cron, a Kubernetes CronJob). Exit codes: 0 no drift,
2 drift found, 1 error. --metrics-file writes Prometheus text-format metrics
(for node_exporter's textfile collector); --report-file the JSON report.

Examples:
  realmsync drift realms/
  realmsync drift --metrics-file /var/lib/node_exporter/realmsync.prom --report-file drift.json realms/`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		return a.reconcile(ctx, c, args, modeDrift)
	},
}

var schemaCmd = &command{
	name: "schema", usage: "schema", summary: "Print the JSON Schema of realm files, for editors.",
	help: `Editors with the YAML language server validate and complete realm files
against it. Save it once and point a modeline at it:

Examples:
  realmsync schema > realm.schema.json
  # first line of a realm file:
  # yaml-language-server: $schema=../../realm.schema.json`,
	run: func(_ context.Context, a *app, c *command, args []string) int {
		if _, code, ok := a.parse(c, c.flags(a), args, 0); !ok {
			return code
		}
		out, err := yamlschema.Generate()
		if err != nil {
			return a.fail("%v", err)
		}
		if _, err := a.stdout.Write(out); err != nil {
			return a.fail("%v", err)
		}
		return ExitOK
	},
}

var exportCmd = &command{
	name: "export", usage: "export --realm NAME [--force] [flags] OUTDIR", summary: "Write a live realm as YAML files under OUTDIR/NAME/.",
	help: `The files hold no ids, no server defaults and no secrets (those become
${env:...} placeholders, listed on stderr); built-in objects appear only where
changed. 'realmsync sync OUTDIR' takes the files back with zero changes.
Learning the server's defaults creates and deletes a temporary realm, so the
account needs the create-realm role.

Examples:
  realmsync export --realm acme realms/`,
	run: runExport,
}
