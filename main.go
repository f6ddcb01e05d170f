// Command realmsync is a GitOps reconciler for Keycloak. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/realmsync/realmsync/internal/cli"
)

func main() {
	// SIGTERM is how Kubernetes and CI runners stop a job: the same as
	// Ctrl-C, no new writes start and the ownership record is written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.RunWithInput(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
