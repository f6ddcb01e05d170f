package plan

import (
	"fmt"
	"html"
	"io"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// DefaultMarkdownMaxBytes is the size WriteMarkdown keeps to unless told
// otherwise: GitHub refuses comments over 65,536 characters, and the
// margin leaves room for a wrapper the CI job may add.
const DefaultMarkdownMaxBytes = 60000

// MarkdownOptions change how WriteMarkdown renders a plan.
type MarkdownOptions struct {
	// MaxBytes bounds the output's size. 0 means DefaultMarkdownMaxBytes,
	// a negative value no bound. The title, summary and table are always
	// written, so a bound smaller than they are is exceeded.
	MaxBytes int
	// Drift words the plan as drift: changes made outside Git.
	Drift bool
	// Title is the heading's text, "realmsync plan" when empty; a job
	// that comments per environment names it here.
	Title string
}

// WriteMarkdown renders the plan as a pull-request comment: a title, the
// counts, the deletions first (they are what a reviewer must not miss),
// a table of counts by realm and kind, then per realm a collapsed section
// with the realm's actions as a diff block, which GitHub colours.
//
// Sections follow realm order and each realm's actions keep plan order.
// Past opts.MaxBytes whole actions are left out, never a part of one, the
// open fence and section are closed, and a note says how many actions
// are shown and where to get the rest.
func WriteMarkdown(w io.Writer, p *Plan, opts MarkdownOptions) error {
	limit := opts.MaxBytes
	if limit == 0 {
		limit = DefaultMarkdownMaxBytes
	}
	doc := renderMarkdown(p, opts, -1)
	if limit > 0 && len(doc) > limit {
		doc = renderMarkdown(p, opts, limit)
	}
	_, err := io.WriteString(w, doc)
	return err
}

// mdDoc builds a comment within a byte budget. reserve is kept back for
// what must follow whatever is left out: closing the open section and the
// truncation note.
type mdDoc struct {
	b       strings.Builder
	limit   int // < 0: no limit
	reserve int
	cut     bool // something was left out
}

func (m *mdDoc) line(s string) { m.b.WriteString(s); m.b.WriteByte('\n') }

// String is the document, ending in exactly one newline: blocks are
// written each followed by a blank line.
func (m *mdDoc) String() string { return strings.TrimRight(m.b.String(), "\n") + "\n" }

// fits reports whether n more bytes leave room for the reserve.
func (m *mdDoc) fits(n int) bool {
	return m.limit < 0 || m.b.Len()+n+m.reserve <= m.limit
}

// mdSlack is room for a closing fence and section, and a "... more" line.
const mdSlack = 160

func renderMarkdown(p *Plan, opts MarkdownOptions, limit int) string {
	m := &mdDoc{limit: limit}
	if limit >= 0 {
		m.reserve = len(truncationNote(len(p.Actions), len(p.Actions))) + mdSlack
	}
	heading := opts.Title
	if heading == "" {
		heading = "realmsync plan"
	}
	m.line("### " + heading)
	m.line("")
	if p.Empty() {
		m.line(noChanges(opts.Drift))
		m.warnings(p.Warnings)
		m.strict(p.Strict)
		return m.String()
	}
	if opts.Drift {
		m.line(driftHeading(len(p.Actions)))
		m.line("")
	}
	m.line("**" + summaryLine(p, opts.Drift) + "**")
	m.line("")
	// The table is always written: keep room for it while the deletions,
	// which come first, take what they need.
	table := countTable(p)
	m.reserve += len(table)
	m.deletions(deletions(p))
	m.reserve -= len(table)
	m.b.WriteString(table)
	m.warnings(p.Warnings)
	m.strict(p.Strict)
	shown := 0
	for _, r := range byRealm(p) {
		n, ok := m.realm(r)
		shown += n
		if !ok {
			break
		}
	}
	if m.cut {
		m.line(truncationNote(shown, len(p.Actions)))
	}
	return m.String()
}

func truncationNote(shown, total int) string {
	return fmt.Sprintf("Output truncated: %d of %d actions shown. Run `realmsync plan --output json` for the full plan.", shown, total)
}

// deletions lists every delete at the top, loudly: a PR comment is read
// from the top and a long plan is rarely read to its end.
func (m *mdDoc) deletions(dels []*Action) {
	if len(dels) == 0 {
		return
	}
	m.line(fmt.Sprintf("#### ⚠️ Deletions (%d)", len(dels)))
	m.line("")
	for i, a := range dels {
		item := fmt.Sprintf("- %s %s in realm %s", title(a.Kind), mdCode(a.Key), mdCode(a.Realm))
		switch {
		case a.Reason == Rebuild:
			item += " (rebuilt: made anew beside it, its bindings moved over, then deleted)"
		case a.Verb == Replace:
			item += " (replaced: deleted and created again)"
		}
		if a.Cascade > 0 {
			item += " (" + a.Note + ")"
		}
		if !m.fits(len(item) + 1) {
			m.cut = true
			m.line(fmt.Sprintf("- … and %d more deletions", len(dels)-i))
			break
		}
		m.line(item)
	}
	m.line("")
}

// countTable counts actions by realm and kind, in realm then kind-table
// order: the size of the change at a glance, however long the plan.
func countTable(p *Plan) string {
	type row struct {
		realm, kind                            string
		create, update, replace, delete, adopt int
	}
	var rows []*row
	index := map[[2]string]*row{} // lookup only; output follows rows
	for _, a := range p.Actions {
		k := [2]string{a.Realm, a.Kind}
		r := index[k]
		if r == nil {
			r = &row{realm: a.Realm, kind: a.Kind}
			index[k] = r
			rows = append(rows, r)
		}
		switch a.Verb {
		case Create:
			r.create++
		case Update, Reorder:
			r.update++
		case Delete:
			r.delete++
		case Adopt:
			r.adopt++
		case Replace:
			r.replace++
		}
		if a.Adopts {
			r.adopt++
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.realm != b.realm {
			return a.realm < b.realm
		}
		if ai, bi := model.KindIndex(a.kind), model.KindIndex(b.kind); ai != bi {
			return ai < bi
		}
		return a.kind < b.kind
	})
	var b strings.Builder
	b.WriteString("| realm | kind | create | update | replace | delete | adopt |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d |\n", mdText(r.realm), mdText(title(r.kind)), r.create, r.update, r.replace, r.delete, r.adopt)
	}
	b.WriteString("\n")
	return b.String()
}

func (m *mdDoc) warnings(ws []string) {
	items := make([]string, len(ws))
	for i, w := range ws {
		items[i] = mdText(w)
	}
	m.bullets("**Warnings**", items, " warnings")
}

// strict lists strict drift's findings.
func (m *mdDoc) strict(fs []Finding) {
	items := make([]string, len(fs))
	for i, f := range fs {
		items[i] = fmt.Sprintf("%s: %s", mdCode(f.Realm), mdText(f.Line()))
	}
	m.bullets(fmt.Sprintf("**Outside Git** (%d, strict; a sync leaves these alone)", len(fs)), items, "")
}

// bullets writes a headed list within the budget, ending in "… and N
// more<noun>" when it does not fit.
func (m *mdDoc) bullets(heading string, items []string, noun string) {
	if len(items) == 0 {
		return
	}
	if m.b.Len() > 0 && !strings.HasSuffix(m.b.String(), "\n\n") {
		m.line("")
	}
	m.line(heading)
	m.line("")
	for i, it := range items {
		item := "- " + it
		if !m.fits(len(item) + 1) {
			m.cut = true
			m.line(fmt.Sprintf("- … and %d more%s", len(items)-i, noun))
			break
		}
		m.line(item)
	}
	m.line("")
}

// realmActions are one realm's actions, in plan order.
type realmActions struct {
	name    string
	actions []*Action
}

// byRealm groups actions by realm. Plan order puts all deletes after all
// creates and updates, so a realm's actions need not be adjacent.
func byRealm(p *Plan) []realmActions {
	var out []realmActions
	at := map[string]int{} // lookup only; output follows out
	for i := range p.Actions {
		a := &p.Actions[i]
		j, ok := at[a.Realm]
		if !ok {
			j = len(out)
			at[a.Realm] = j
			out = append(out, realmActions{name: a.Realm})
		}
		out[j].actions = append(out[j].actions, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// realm writes one realm's collapsed section with as many of its actions
// as fit; it reports how many it wrote and whether all of them fitted.
func (m *mdDoc) realm(r realmActions) (shown int, complete bool) {
	blocks := make([]string, len(r.actions))
	for i, a := range r.actions {
		blocks[i] = diffBlock(a)
	}
	fence := strings.Repeat("`", max(3, longestRun(strings.Join(blocks, ""), '`')+1))
	closing := fence + "\n\n</details>\n\n"
	open := func(summary string) string {
		return "<details><summary>" + html.EscapeString(summary) + "</summary>\n\n" + fence + "diff\n"
	}
	summary := fmt.Sprintf("realm %s: %s", r.name, plural(len(r.actions), "change"))
	// Decide first how many fit, so the summary can say so; the size
	// counts the longest "(N shown)" the summary may get.
	size := len(open(summary+fmt.Sprintf(" (%d shown)", len(blocks)))) + len(closing)
	for shown < len(blocks) && m.fits(size+len(blocks[shown])) {
		size += len(blocks[shown])
		shown++
	}
	if shown == 0 {
		m.cut = true
		return 0, false
	}
	if shown < len(blocks) {
		m.cut = true
		summary += fmt.Sprintf(" (%d shown)", shown)
	}
	m.b.WriteString(open(summary))
	for _, b := range blocks[:shown] {
		m.b.WriteString(b)
	}
	m.b.WriteString(closing)
	return shown, shown == len(blocks)
}

// diffBlock is an action as the text view renders it, with the verb's
// mark at the start of every line: diff highlighting colours "+" lines
// green, "-" lines red and "!" lines orange, so updates are marked "!"
// where the text view writes "~".
func diffBlock(a *Action) string {
	mark := a.Verb.Symbol()
	if a.Verb == Update || a.Verb == Reorder {
		mark = "!"
	}
	var b strings.Builder
	b.WriteString(actionLabel(mark, a))
	if note := a.Notes(); note != "" {
		b.WriteString("  (" + note + ")")
	}
	b.WriteByte('\n')
	for _, c := range a.Changes {
		b.WriteString(mark + "   " + changeLine(a.Verb, c, false) + "\n")
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// mdText escapes text for inline Markdown (table cells, list items): names
// come from users' files and must not turn into markup or break a table.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_[]<>|~#!&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode renders s as a code span, with a backtick fence longer than any
// run in s so that a name cannot end the span early.
func mdCode(s string) string {
	s = oneLine(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
