// Command gen writes package schema's fields.go from the plain-text Keycloak
// Admin REST API reference:
//
//	go run ./gen [-o fields.go] path/to/reference.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/realmsync/realmsync/internal/schema/internal/refdoc"
)

func main() {
	out := flag.String("o", "fields.go", "output file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gen [-o fields.go] reference.txt\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(seed, out string) error {
	text, err := os.ReadFile(seed)
	if err != nil {
		return err
	}
	src, err := refdoc.Generate(text, filepath.Base(seed))
	if err != nil {
		return fmt.Errorf("%s: %w", seed, err)
	}
	return os.WriteFile(out, src, 0o644)
}
