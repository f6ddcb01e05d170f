// Package cli is realmsync's command line: it parses flags and wires the
// stages together (load → read live → diff → plan → apply, or read live →
// export). main.go only calls Run, so tests drive the real command in
// process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/live"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

// Exit codes, as terraform plan -detailed-exitcode.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// Env reads an environment variable; tests pass their own.
type Env func(string) (string, bool)

type app struct {
	stdin          io.Reader // nil: no input (a sync never asks)
	stdout, stderr io.Writer
	env            Env
}

type command struct {
	name    string
	usage   string
	summary string
	help    string
	run     func(ctx context.Context, a *app, c *command, args []string) int
}

var commands []*command

func init() {
	commands = []*command{validateCmd, planCmd, syncCmd, driftCmd, exportCmd, convertCmd, federationCmd, schemaCmd, versionCmd}
}

// Run executes realmsync with args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) (code int) {
	return RunWithInput(ctx, args, nil, stdout, stderr, env)
}

// RunWithInput is Run with the user's input: on a terminal, sync asks
// before it writes (--auto-approve does not).
func RunWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env Env) (code int) {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	// A bug must not exit 2, which tells CI "changes" or "drift".
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "error: internal error (a bug in realmsync, please report it): %v\n%s", p, debug.Stack())
			code = ExitError
		}
	}()
	if len(args) == 0 {
		a.usage(stderr)
		return ExitError
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				c.printHelp(stdout, c.flags(a))
				return ExitOK
			}
		}
		a.usage(stdout)
		return ExitOK
	case "--version", "-v":
		fmt.Fprintf(stdout, "realmsync %s\n", versionString())
		return ExitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "realmsync: unknown command %q\n\n", args[0])
		a.usage(stderr)
		return ExitError
	}
	return c.run(ctx, a, c, args[1:])
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "realmsync keeps Keycloak realms in Git: it plans and applies the changes that make\na server match a directory of realm YAML files, and exports live realms to such files.\n\nUsage:\n  realmsync <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'realmsync <command> --help' for a command's flags and examples.\n")
}

// flags returns a command's flag set; each command adds its own flags in
// its parse function, so this is only used for help without parsing.
func (c *command) flags(a *app) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	switch c.name {
	case "validate":
		fs.StringArray("exclude", nil, excludeUsage)
	case "plan":
		(&runFlags{}).register(fs, modePlan)
	case "sync":
		(&runFlags{}).register(fs, modeSync)
	case "drift":
		(&runFlags{}).register(fs, modeDrift)
	case "export":
		(&connFlags{}).register(fs)
		fs.String("realm", "", "realm to export (required)")
		fs.Int("concurrency", live.DefaultConcurrency, "independent reads at once")
		fs.Bool("force", false, "replace the realm's files in OUTDIR/NAME: every YAML file under it is removed first")
	}
	return fs
}

func (c *command) printHelp(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  realmsync %s\n", c.summary, c.usage)
	if usage := fs.FlagUsages(); usage != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", usage)
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
}

// parse parses a command's flags. pflag's own error handling would exit
// with code 2, which here means "changes": usage errors exit 1.
// atLeastOne is parse's nargs for commands that take one or more
// desired-state paths.
const atLeastOne = -1

func (a *app) parse(c *command, fs *pflag.FlagSet, args []string, nargs int) ([]string, int, bool) {
	fs.SetOutput(io.Discard)
	fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			c.printHelp(a.stdout, fs)
			return nil, ExitOK, false
		}
		fmt.Fprintf(a.stderr, "realmsync %s: %v\nUsage: realmsync %s\n", c.name, err, c.usage)
		return nil, ExitError, false
	}
	if help, _ := fs.GetBool("help"); help {
		c.printHelp(a.stdout, fs)
		return nil, ExitOK, false
	}
	switch {
	case nargs == atLeastOne && fs.NArg() == 0:
		fmt.Fprintf(a.stderr, "realmsync %s: expected one or more directories, got none\nUsage: realmsync %s\n", c.name, c.usage)
		return nil, ExitError, false
	case nargs != atLeastOne && fs.NArg() != nargs:
		fmt.Fprintf(a.stderr, "realmsync %s: expected %d argument(s), got %d\nUsage: realmsync %s\n", c.name, nargs, fs.NArg(), c.usage)
		return nil, ExitError, false
	}
	return fs.Args(), 0, true
}

func (a *app) fail(format string, args ...any) int {
	for _, arg := range args {
		// A failed login is the whole story, whichever read needed it:
		// not "reading realm acme: GET acme: POST …/token: 401".
		var login *admin.LoginError
		if err, ok := arg.(error); ok && errors.As(err, &login) {
			fmt.Fprintf(a.stderr, "error: %v\n", login)
			return ExitError
		}
	}
	fmt.Fprintf(a.stderr, "error: "+format+"\n", args...)
	return ExitError
}

var versionCmd = &command{
	name: "version", usage: "version", summary: "Print realmsync's version.",
	run: func(_ context.Context, a *app, c *command, args []string) int {
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		if _, code, ok := a.parse(c, fs, args, 0); !ok {
			return code // --help prints help, not the version
		}
		fmt.Fprintf(a.stdout, "realmsync %s\n", versionString())
		return ExitOK
	},
}

// versionString is the -ldflags version of a release build, else what
// the Go toolchain recorded: the module version of `go install ...@v1.2.3`,
// and the VCS revision (with "+dirty" for uncommitted changes) of a build
// in a checkout.
func versionString() string {
	if Version != "dev" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	v := Version
	if mv := info.Main.Version; mv != "" && mv != "(devel)" {
		v = mv
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return v
}
