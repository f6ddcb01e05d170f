package plan_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/plan"
)

var (
	truncatedNote = regexp.MustCompile("(?m)^Output truncated: (\\d+) of (\\d+) actions shown\\. Run `realmsync plan --output json` for the full plan\\.$")
	actionHead    = regexp.MustCompile(`^[-+!] \S`)
)

// TestMarkdownTruncation renders a plan far over the limit at several
// limits: the comment stays within it, every fence and section opened is
// closed, only whole actions are shown, and the note counts them.
func TestMarkdownTruncation(t *testing.T) {
	p := hugePlan()
	for _, limit := range []int{2500, 4000, 10000, 30000, 0, 1 << 20, -1} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var b bytes.Buffer
			if err := plan.WriteMarkdown(&b, p, plan.MarkdownOptions{MaxBytes: limit}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			max := limit
			if max == 0 {
				max = plan.DefaultMarkdownMaxBytes
			}
			if max > 0 && len(out) > max {
				t.Errorf("%d bytes, over the limit of %d", len(out), max)
			}
			if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
				t.Errorf("%d <details> but %d </details>", o, c)
			}
			shown, inFence := 0, false
			for _, line := range strings.Split(out, "\n") {
				switch {
				case strings.HasPrefix(line, "```"):
					inFence = !inFence
				case inFence && actionHead.MatchString(line):
					shown++
				}
			}
			if inFence {
				t.Error("a code fence is left open")
			}
			m := truncatedNote.FindStringSubmatch(out)
			full := max < 0 || max > 200000
			switch {
			case full && m != nil:
				t.Errorf("truncated under a limit the plan fits in")
			case full && shown != len(p.Actions):
				t.Errorf("%d actions shown, want all %d", shown, len(p.Actions))
			case !full && m == nil:
				t.Fatalf("no truncation note:\n%s", out)
			case !full && (m[1] != fmt.Sprint(shown) || m[2] != fmt.Sprint(len(p.Actions))):
				t.Errorf("note says %s of %s, the output shows %d of %d", m[1], m[2], shown, len(p.Actions))
			case !full && !strings.HasSuffix(out, m[0]+"\n"):
				t.Errorf("the truncation note is not the last line")
			}
			if !strings.Contains(out, "Deletions (60)") {
				t.Error("the deletions callout is missing")
			}
		})
	}
}

// TestMarkdownKeepsWholeActions checks, action by action, that a truncated
// comment shows each action it shows with all its change lines.
func TestMarkdownKeepsWholeActions(t *testing.T) {
	var b bytes.Buffer
	if err := plan.WriteMarkdown(&b, hugePlan(), plan.MarkdownOptions{MaxBytes: 3000}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "! client ") {
			if i+2 >= len(lines) || !strings.HasPrefix(lines[i+1], "!   description:") || !strings.HasPrefix(lines[i+2], "!   redirectUris:") {
				t.Errorf("action at line %d is cut:\n%s", i+1, strings.Join(lines[i:min(i+3, len(lines))], "\n"))
			}
		}
	}
}
