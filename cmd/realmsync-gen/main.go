// Command realmsync-gen writes a generated desired state of benchmark
// scale, so that a large realm can be planned, synced or inspected by hand
// without keeping megabytes of YAML in Git:
//
//	realmsync-gen --preset medium --realm bench --seed 1 OUTDIR
//
// writes OUTDIR/bench/*.yaml. The same preset and seed always give the
// same files.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/gen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run returns the exit code: 0 on success, 1 on usage or write errors (as
// realmsync itself).
func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("realmsync-gen", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("preset", gen.Small.Name, "size of the realm: small, medium or large")
	realm := fs.String("realm", "bench", "realm name (and the directory under OUTDIR)")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same files")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: realmsync-gen [--preset small|medium|large] [--realm NAME] [--seed N] OUTDIR\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return 0
		}
		return 1
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 1
	}
	p, ok := gen.PresetByName(*preset)
	if !ok {
		fmt.Fprintf(stderr, "realmsync-gen: unknown preset %q (small, medium or large)\n", *preset)
		return 1
	}
	out := fs.Arg(0)
	if err := gen.WriteDir(out, p, *realm, *seed); err != nil {
		fmt.Fprintf(stderr, "realmsync-gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s/%s/ (preset %s, seed %d): %d users, %d groups, %d clients, %d realm roles\n",
		out, *realm, p.Name, *seed, p.Users, p.Groups, p.Clients, p.RealmRoles)
	return 0
}
