package plan

// palette styles text views with ANSI SGR sequences. Whether to colour is
// the caller's decision (a terminal, NO_COLOR, --no-color): the renderers
// only obey it, so files, pipes and CI logs get plain text by default.
//
// Every styled piece is reset on its own, so a line never carries colour
// into the next one: CI log viewers show lines out of context, and a cut
// output must not leave the terminal red.
type palette bool

const (
	sgrBold   = "1"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrCyan   = "36"
	sgrReset  = "\x1b[0m"
)

func (p palette) wrap(code, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + sgrReset
}

// bold marks headings: realm names, summaries.
func (p palette) bold(s string) string { return p.wrap(sgrBold, s) }

// warn marks the word "warning".
func (p palette) warn(s string) string { return p.wrap(sgrYellow, s) }

// danger marks what destroys something: the deletions callout.
func (p palette) danger(s string) string { return p.wrap(sgrBold+";"+sgrRed, s) }

// added and removed mark the items of a list change.
func (p palette) added(s string) string   { return p.wrap(sgrGreen, s) }
func (p palette) removed(s string) string { return p.wrap(sgrRed, s) }

// verb gives each verb its colour: green creates, yellow updates, red
// deletes, the colours people know from diffs and Terraform.
func (p palette) verb(v Verb, s string) string {
	switch v {
	case Create:
		return p.wrap(sgrGreen, s)
	case Update, Reorder:
		return p.wrap(sgrYellow, s)
	case Delete:
		return p.wrap(sgrRed, s)
	case Adopt:
		return p.wrap(sgrCyan, s)
	}
	return s
}
