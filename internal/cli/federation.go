package cli

import (
	"context"
	"fmt"
	"net/url"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/federation"
	"github.com/realmsync/realmsync/internal/model"
)

var federationCmd = &command{
	name: "federation", usage: "federation sync --realm NAME [--provider NAME]... [--mode full|changed]",
	summary: "Sync users from a realm's user federation providers (LDAP, Kerberos) now.",
	help: `Asks Keycloak to import the users of each provider of the realm (or only the
named ones): a full sync, or with --mode changed only the users changed since
the last sync. Prints, per provider, how many users were imported, updated,
removed and failed. Exit codes: 0 every sync succeeded, 1 any failed.

'sync --sync-user-federation=full|changed|all-full' does the same after a sync.

Examples:
  realmsync federation sync --realm acme
  realmsync federation sync --realm acme --provider corp-ldap --mode changed`,
	run: func(ctx context.Context, a *app, c *command, args []string) int {
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		var conn connFlags
		conn.register(fs)
		realm := fs.String("realm", "", "the realm (required)")
		names := fs.StringArray("provider", nil, "only this provider, by name (repeatable)")
		mode := fs.String("mode", "full", "full, or changed: the users changed since the last sync")
		rest, code, ok := a.parse(c, fs, args, atLeastOne)
		if !ok {
			return code
		}
		if len(rest) != 1 || rest[0] != "sync" {
			fmt.Fprintf(a.stderr, "realmsync federation: want 'sync'\nUsage: realmsync %s\n", c.usage)
			return ExitError
		}
		m, err := federation.ParseMode(*mode)
		if err != nil || m == federation.AllFull || m == "" {
			return a.fail("--mode %q: want full or changed", *mode)
		}
		if *realm == "" {
			return a.fail("--realm is required")
		}
		defer a.structuredStderr(&conn)()
		api, err := conn.connect(ctx, a.env, a.stderr)
		if err != nil {
			return a.fail("%v", err)
		}
		var all []map[string]any
		if err := api.Get(ctx, url.PathEscape(*realm)+"/components", url.Values{"type": {model.UserStorageType}}, &all); err != nil {
			return a.fail("reading the user federation providers of realm %s: %v", *realm, err)
		}
		want := map[string]bool{}
		for _, n := range *names {
			want[n] = true
		}
		var providers []federation.Provider
		for _, c := range all {
			name, _ := c["name"].(string)
			if len(want) == 0 || want[name] {
				id, _ := c["id"].(string)
				providers = append(providers, federation.Provider{Realm: *realm, Name: name, ID: id})
				delete(want, name)
			}
		}
		if len(want) > 0 {
			return a.fail("realm %s has no user federation provider %v", *realm, model.SortedKeys(want))
		}
		if len(providers) == 0 {
			return a.fail("realm %s has no user federation provider", *realm)
		}
		return a.syncUserFederation(ctx, api, m, providers)
	},
}
