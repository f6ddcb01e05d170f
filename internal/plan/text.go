package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// WriteText renders the plan for people: grouped by realm, one line per
// action with only the changed fields under it, and a closing summary.
func WriteText(w io.Writer, p *Plan) error {
	tw := &errWriter{w: w}
	for _, warning := range p.Warnings {
		tw.printf("warning: %s\n", warning)
	}
	if len(p.Warnings) > 0 {
		tw.printf("\n")
	}
	if p.Empty() {
		tw.printf("No changes. The server matches the desired state.\n")
		return tw.err
	}
	realm := ""
	for _, a := range p.Actions {
		if a.Realm != realm {
			if realm != "" {
				tw.printf("\n")
			}
			realm = a.Realm
			tw.printf("realm %s\n", realm)
		}
		tw.printf("  %s %s %s", a.Verb.Symbol(), title(a.Kind), quote(a.Key))
		if a.Note != "" {
			tw.printf("  (%s)", a.Note)
		}
		tw.printf("\n")
		for _, c := range a.Changes {
			tw.printf("      %s\n", changeLine(a.Verb, c))
		}
	}
	c, u, d := p.Counts()
	tw.printf("\nPlan: %d to create, %d to update, %d to delete.\n", c, u, d)
	return tw.err
}

func changeLine(verb Verb, c Change) string {
	switch {
	case c.Sensitive && verb == Create:
		return c.Path + ": (sensitive)"
	case c.Sensitive:
		return c.Path + ": (sensitive value changed)"
	case len(c.Added)+len(c.Removed) > 0 && (verb == Update || c.IsRelation()):
		var parts []string
		for _, s := range c.Added {
			parts = append(parts, "+ "+quoteItem(s, c.IsRelation()))
		}
		for _, s := range c.Removed {
			parts = append(parts, "- "+quoteItem(s, c.IsRelation()))
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
