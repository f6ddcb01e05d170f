package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// TextOptions change how WriteTextWith words and styles a plan. The zero
// value is the plain plan WriteText prints, which golden files and
// scripts depend on byte for byte.
type TextOptions struct {
	// Color adds ANSI colours (green creates, yellow updates, red deletes,
	// bold headings). The caller decides: a terminal, no NO_COLOR, no
	// --no-color. Output to files and pipes should stay plain.
	Color bool
	// Drift words the plan as drift, for scheduled checks: the differences
	// were made outside Git, not proposed by a change under review.
	Drift bool
	// CalloutDeletes lists the plan's deletions in a block before
	// everything else, so the one irreversible kind of change cannot
	// scroll by unnoticed in a long plan.
	CalloutDeletes bool
}

// WriteText renders the plan for people: grouped by realm, one line per
// action with only the changed fields under it, and a closing summary.
func WriteText(w io.Writer, p *Plan) error {
	return WriteTextWith(w, p, TextOptions{})
}

// WriteTextWith is WriteText with options. Actions come in plan order,
// the order apply runs them in, so what people read is what happens.
func WriteTextWith(w io.Writer, p *Plan, opts TextOptions) error {
	tw := &errWriter{w: w}
	pal := palette(opts.Color)
	if opts.CalloutDeletes {
		if dels := deletions(p); len(dels) > 0 {
			tw.printf("%s\n", pal.danger(fmt.Sprintf("Deletions (%d):", len(dels))))
			for _, a := range dels {
				tw.printf("  %s\n", pal.verb(Delete, deletionLine(a)))
			}
			tw.printf("\n")
		}
	}
	for _, warning := range p.Warnings {
		tw.printf("%s %s\n", pal.warn("warning:"), warning)
	}
	if len(p.Warnings) > 0 {
		tw.printf("\n")
	}
	strictSection(tw, p, pal)
	if p.Empty() {
		tw.printf("%s\n", noChanges(opts.Drift))
		return tw.err
	}
	if opts.Drift {
		tw.printf("%s\n\n", pal.bold(driftHeading(len(p.Actions))))
	}
	realm := ""
	for i := range p.Actions {
		a := &p.Actions[i]
		if a.Realm != realm {
			if realm != "" {
				tw.printf("\n")
			}
			realm = a.Realm
			tw.printf("%s\n", pal.bold("realm "+realm))
		}
		tw.printf("  %s", pal.verb(a.Verb, actionLabel(a.Verb.Symbol(), a)))
		if note := a.Notes(); note != "" {
			tw.printf("  (%s)", note)
		}
		tw.printf("\n")
		for _, c := range a.Changes {
			tw.printf("      %s\n", changeLine(a.Verb, c, pal))
		}
	}
	tw.printf("\n%s\n", pal.bold(summaryLine(p, opts.Drift)))
	return tw.err
}

// strictSection lists strict drift's findings, before the plan: what no
// sync changes comes first, as the deletions do.
func strictSection(tw *errWriter, p *Plan, pal palette) {
	if len(p.Strict) == 0 {
		return
	}
	tw.printf("%s\n", pal.warn(fmt.Sprintf("Outside Git (%d, strict; a sync leaves these alone):", len(p.Strict))))
	realm := ""
	for _, f := range p.Strict {
		if f.Realm != realm {
			realm = f.Realm
			tw.printf("  realm %s\n", realm)
		}
		tw.printf("    %s\n", f.Line())
	}
	tw.printf("\n")
}

// actionLabel names an action's object after its mark: `+ client "web"`.
func actionLabel(symbol string, a *Action) string {
	return symbol + " " + title(a.Kind) + " " + quote(a.Key)
}

// deletions returns the plan's deletes and replaces, in plan order.
func deletions(p *Plan) []*Action {
	var out []*Action
	for i := range p.Actions {
		if p.Actions[i].Verb.Removes() {
			out = append(out, &p.Actions[i])
		}
	}
	return out
}

// deletionLine names a deleted object with its realm, since the callout
// stands apart from the realm grouping.
func deletionLine(a *Action) string {
	line := a.Verb.Symbol() + " " + title(a.Kind) + " " + quote(a.Key) + " in realm " + a.Realm
	switch {
	case a.Reason == Rebuild:
		line += " (rebuilt: made anew beside it, its bindings moved over, then deleted)"
	case a.Verb == Replace:
		line += " (deleted and created again)"
	}
	if a.Cascade > 0 {
		line += " (" + a.Note + ")"
	}
	return line
}

// summaryLine is the closing count; drift words it as drift.
func summaryLine(p *Plan, drift bool) string {
	c, u, d := p.Counts()
	word := "Plan"
	if drift {
		word = "Drift"
	}
	line := fmt.Sprintf("%s: %d to create, %d to update", word, c, u)
	if n := p.Replacements(); n > 0 {
		line += fmt.Sprintf(", %d to replace", n)
	}
	line += fmt.Sprintf(", %d to delete", d)
	if n := p.Adoptions(); n > 0 {
		line += fmt.Sprintf(", %d to adopt", n)
	}
	return line + "."
}

func driftHeading(n int) string {
	if n == 1 {
		return "Drift detected: 1 object differs from the desired state."
	}
	return fmt.Sprintf("Drift detected: %d objects differ from the desired state.", n)
}

func noChanges(drift bool) string {
	if drift {
		return "No drift detected. The server matches the desired state."
	}
	return "No changes. The server matches the desired state."
}

// changeLine renders one changed field. A sensitive change is shown by
// its path alone, whatever the change carries: the plan model never
// holds secret values, and this keeps a mistake there from printing one.
func changeLine(verb Verb, c Change, pal palette) string {
	switch {
	case c.Sensitive && c.Unset:
		return c.Path + ": (sensitive value removed)"
	case c.Unset:
		return c.Path + ": " + value(c.Before) + " → (removed)"
	case c.Moved:
		return c.Path + ": " + value(c.Before) + " → " + value(c.After) + " (reordered)"
	case c.Sensitive && verb == Create:
		return c.Path + ": (sensitive)"
	case c.Sensitive:
		return c.Path + ": (sensitive value changed)"
	case len(c.Added)+len(c.Removed) > 0 && (verb == Update || c.IsRelation()):
		var parts []string
		for _, s := range c.Added {
			parts = append(parts, pal.added("+ "+quoteItem(s, c.IsRelation())))
		}
		for _, s := range c.Removed {
			parts = append(parts, pal.removed("- "+quoteItem(s, c.IsRelation())))
		}
		return c.Path + ": " + strings.Join(parts, ", ")
	case verb == Create:
		return c.Path + ": " + value(c.After)
	case c.Before == nil:
		return c.Path + ": (unset) → " + value(c.After)
	default:
		return c.Path + ": " + value(c.Before) + " → " + value(c.After)
	}
}

func quoteItem(s string, relation bool) string {
	if relation {
		return s // already "realm role admin"
	}
	return quote(s)
}

func title(kind string) string {
	if k := model.KindByName(kind); k != nil {
		return k.Title
	}
	return kind
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// value renders a field value as compact JSON.
func value(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
