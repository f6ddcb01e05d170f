// Command realmsync is a GitOps reconciler for Keycloak. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/realmsync/realmsync/internal/cli"
)

// gcPercent is the collector's target unless GOGC says otherwise. A run
// holds two realms (desired and live) from start to end and mostly waits
// on the server: collecting when the heap has grown by half instead of
// doubled costs a little CPU that waiting leaves idle, and lowers the
// peak memory by a fifth (BENCHMARKS.md: the large preset's 1% change,
// 160 -> 135-142 MiB, wall time within the noise).
const gcPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	// SIGTERM is how Kubernetes and CI runners stop a job: the same as
	// Ctrl-C, no new writes start and the ownership record is written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.RunWithInput(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
