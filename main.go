// Command realmsync is a GitOps reconciler for Keycloak. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/realmsync/realmsync/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
