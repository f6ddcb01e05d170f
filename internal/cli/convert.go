package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/load"
)

var convertCmd = &command{
	name: "convert", usage: "convert kcc [--force] [--kcc-setting K=V] FILES... OUTDIR",
	summary: "Convert a keycloak-config-cli project into realmsync's layout, with a report of what differs.",
	help: `FILES are keycloak-config-cli import files (JSON or YAML), directories of them
(read in name order, as keycloak-config-cli does) or glob patterns. The files of one
realm are applied in order, a later file's fields winning. Substitutions become
realmsync references: $(env:NAME) and $(NAME:-default) as ${env:...}, $(file:UTF-8:PATH)
as ${file:PATH}. Secrets written as values become ${env:...} placeholders, listed
with the report. Each realm is written to OUTDIR/<realm>/ (a file per client and per
client scope, roles.yaml, groups.yaml, users.yaml, ...); a realm directory that
exists already is left alone unless --force.

The report (stdout) names, with file and line, what realmsync does differently or
not at all: substitutions without an equivalent (javascript:, sys:, ...; left as
written), objects set in several files, keycloak-config-cli's bookkeeping attributes
and its import.managed settings. Those settings are not in the files: pass the ones
the project ran with (--kcc-setting import.managed.group=no-delete), or they are read
from its environment variables (IMPORT_MANAGED_GROUP); no-delete becomes realmsync's
deletion policy none in realm.yaml, full is realmsync's default (owned). Run
'realmsync validate OUTDIR' after it.

Examples:
  realmsync convert kcc config/ realms/
  realmsync convert kcc 'config/*.json' realms/
  realmsync plan --from kcc config/        # without converting`,
	run: func(_ context.Context, a *app, c *command, args []string) int {
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		force := fs.Bool("force", false, "replace realm directories that exist in OUTDIR: every YAML file under them is removed first")
		settings := fs.StringArray("kcc-setting", nil, "a keycloak-config-cli setting the project ran with, import.managed.<kind>=full|no-delete (repeatable; default: its IMPORT_MANAGED_* environment variables)")
		rest, code, ok := a.parse(c, fs, args, atLeastOne)
		if !ok {
			return code
		}
		if rest[0] != "kcc" || len(rest) < 3 {
			fmt.Fprintf(a.stderr, "realmsync convert: want 'kcc', then one or more files and OUTDIR\nUsage: realmsync %s\n", c.usage)
			return ExitError
		}
		files, out := rest[1:len(rest)-1], rest[len(rest)-1]
		p, err := load.KCC(files, load.Options{Lookup: a.env}, true)
		if err != nil {
			return a.loadFailed(err)
		}
		policies, notes, err := load.KCCPolicies(*settings, a.env)
		if err != nil {
			return a.fail("%v", err)
		}
		p.Report = append(p.Report, notes...)
		for _, name := range p.Names() {
			existing, err := export.RealmFiles(out, name)
			if err != nil {
				return a.fail("%v", err)
			}
			if len(existing) > 0 && !*force {
				return a.fail("%s holds %d realm file(s) already: convert into another directory, or pass --force to replace them (every YAML file under it is removed first)", filepath.Join(out, name), len(existing))
			}
		}
		fmt.Fprintf(a.stdout, "Converted %d file(s) of keycloak-config-cli:\n", len(p.Files))
		var placeholders []string
		for _, name := range p.Names() {
			r := p.Realms[name]
			placeholders = append(placeholders, export.HideLiteralSecrets(r)...)
			files, err := export.Files(r)
			if err != nil {
				return a.fail("realm %s: %v", name, err)
			}
			if len(policies) > 0 {
				for i := range files {
					if files[i].Path == export.RealmFile {
						files[i].Doc["realmsync"] = map[string]any{"deletionPolicy": policies}
					}
				}
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return a.fail("%v", err)
			}
			if err := export.Clear(out, name); err != nil {
				return a.fail("replacing realm %s's files: %v", name, err)
			}
			if err := export.Write(out, name, files); err != nil {
				return a.fail("writing realm %s: %v", name, err)
			}
			fmt.Fprintf(a.stdout, "  realm %s → %s (%d files)\n", name, filepath.Join(out, name), len(files))
		}
		fmt.Fprintf(a.stdout, "\nReport:\n")
		for _, line := range p.Report {
			fmt.Fprintf(a.stdout, "  - %s\n", line)
		}
		if len(placeholders) > 0 {
			fmt.Fprintf(a.stdout, "  - secrets written as values in the files became placeholders; set these variables before syncing: %v\n", placeholders)
		}
		fmt.Fprintf(a.stdout, "\nNext: realmsync validate %s\n", out)
		return ExitOK
	},
}
