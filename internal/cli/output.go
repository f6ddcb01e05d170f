package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/realmsync/realmsync/internal/plan"
)

// outputFlags choose the plan's view.
type outputFlags struct {
	format  string
	noColor bool
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.format, "output", "o", "text", "plan format: text, json or markdown")
	fs.BoolVar(&o.noColor, "no-color", false, "no colour in text output (also: NO_COLOR set in the environment)")
}

// renderer returns the function that prints a plan in the chosen view.
func (o *outputFlags) renderer(a *app, drift bool) (func(io.Writer, *plan.Plan) error, error) {
	switch o.format {
	case "text", "":
		opts := plan.TextOptions{Color: a.colorful(o.noColor, a.stdout), Drift: drift, CalloutDeletes: true}
		return func(w io.Writer, p *plan.Plan) error { return plan.WriteTextWith(w, p, opts) }, nil
	case "json":
		return plan.WriteJSON, nil
	case "markdown", "md":
		opts := plan.MarkdownOptions{Drift: drift}
		return func(w io.Writer, p *plan.Plan) error { return plan.WriteMarkdown(w, p, opts) }, nil
	}
	return nil, fmt.Errorf("--output: want text, json or markdown, got %q", o.format)
}

// colorful reports whether w gets terminal output (colour, a redrawn
// progress bar): only on a terminal, and never when NO_COLOR is set
// (https://no-color.org) or --no-color given.
func (a *app) colorful(noColor bool, w io.Writer) bool {
	if noColor {
		return false
	}
	if v, ok := a.env("NO_COLOR"); ok && v != "" {
		return false
	}
	return isTerminal(w)
}

// isTerminalReader reports whether input is a terminal. A character
// device is not enough (/dev/null is one, and a job started without input
// has it): x/term asks the terminal driver.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
