package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/realmsync/realmsync/internal/plan"
)

// interactive reports whether a person is at the keyboard: input and
// output are a terminal. CI, cron and pipes never are, so a sync there
// never waits for an answer. A test's input may say it is a terminal.
func (a *app) interactive() bool {
	if a.stdin == nil {
		return false
	}
	if t, ok := a.stdin.(interface{ Terminal() bool }); ok {
		return t.Terminal()
	}
	return isTerminalReader(a.stdin) && isTerminal(a.stdout)
}

// confirm asks, after the plan is shown, whether to write it; only "yes"
// is an approval, as in terraform apply.
func (a *app) confirm(p *plan.Plan) bool {
	create, update, remove := p.Counts()
	fmt.Fprintf(a.stderr, "\nApply %d create(s), %d update(s), %d delete(s)", create, update, remove)
	if n := p.Replacements(); n > 0 {
		fmt.Fprintf(a.stderr, ", %d replace(s)", n)
	}
	fmt.Fprintf(a.stderr, " to the server? Only 'yes' is accepted: ")
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}
