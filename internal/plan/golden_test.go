package plan_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/realmsync/realmsync/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/render")

const goldenDir = "../../testdata/render"

// view is one way of rendering a plan; its name is the golden file's
// suffix: testdata/render/<case>.<view>.
type view struct {
	name   string
	render func(w io.Writer, p *plan.Plan) error
}

func textView(name string, opts plan.TextOptions) view {
	return view{name, func(w io.Writer, p *plan.Plan) error { return plan.WriteTextWith(w, p, opts) }}
}

func markdownView(name string, opts plan.MarkdownOptions) view {
	return view{name, func(w io.Writer, p *plan.Plan) error { return plan.WriteMarkdown(w, p, opts) }}
}

var views = []view{
	{"txt", plan.WriteText},
	textView("color.txt", plan.TextOptions{Color: true}),
	textView("drift.txt", plan.TextOptions{Drift: true}),
	textView("callout.txt", plan.TextOptions{CalloutDeletes: true}),
	textView("drift.color.callout.txt", plan.TextOptions{Color: true, Drift: true, CalloutDeletes: true}),
	{"json", plan.WriteJSON},
	markdownView("md", plan.MarkdownOptions{}),
	markdownView("drift.md", plan.MarkdownOptions{Drift: true, Title: "realmsync drift: production"}),
	markdownView("small.md", plan.MarkdownOptions{MaxBytes: 4000}),
}

// allViews renders every case into the views it asks for (by default all
// but small.md, which only matters for plans larger than it).
func allViews(c renderCase) []view {
	var out []view
	for _, v := range views {
		want := c.views == nil && v.name != "small.md"
		for _, name := range c.views {
			want = want || name == v.name
		}
		if want {
			out = append(out, v)
		}
	}
	return out
}

func render(t *testing.T, v view, p *plan.Plan) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := v.render(&b, p); err != nil {
		t.Fatalf("%s: %v", v.name, err)
	}
	return b.Bytes()
}

// TestGoldenRenderings compares every view of every case with its file
// under testdata/render; go test ./internal/plan -update rewrites them.
func TestGoldenRenderings(t *testing.T) {
	for _, c := range renderCases {
		for _, v := range allViews(c) {
			t.Run(c.name+"."+v.name, func(t *testing.T) {
				got := render(t, v, c.plan())
				golden := filepath.Join(goldenDir, c.name+"."+v.name)
				if *update {
					if err := os.MkdirAll(goldenDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (go test ./internal/plan -update creates it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("rendering differs from %s (go test ./internal/plan -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
				}
			})
		}
	}
}

// TestRenderingIsDeterministic renders each view twice: nothing may
// depend on map order.
func TestRenderingIsDeterministic(t *testing.T) {
	for _, c := range renderCases {
		for _, v := range allViews(c) {
			for i := 0; i < 5; i++ {
				if a, b := render(t, v, c.plan()), render(t, v, c.plan()); !bytes.Equal(a, b) {
					t.Fatalf("%s.%s: two renderings differ", c.name, v.name)
				}
			}
		}
	}
}

// TestWriteTextIsWriteTextWithZeroOptions keeps WriteText's output, which
// scripts and testdata/plan depend on, the plain rendering.
func TestWriteTextIsWriteTextWithZeroOptions(t *testing.T) {
	for _, c := range renderCases {
		var a, b bytes.Buffer
		if err := plan.WriteText(&a, c.plan()); err != nil {
			t.Fatal(err)
		}
		if err := plan.WriteTextWith(&b, c.plan(), plan.TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: WriteText and WriteTextWith(zero options) differ", c.name)
		}
		if bytes.Contains(a.Bytes(), []byte("\x1b[")) {
			t.Errorf("%s: plain text holds ANSI escapes", c.name)
		}
	}
}
