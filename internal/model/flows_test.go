package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLiftSubFlows: a realm export's flat flows fold into the nested
// form, steps in priority order, and the mistakes a flat list allows are
// reported where they are written.
func TestLiftSubFlows(t *testing.T) {
	flat := func(flows ...any) Object { return Object{"authenticationFlows": flows} }
	flow := func(alias string, top bool, steps ...any) map[string]any {
		return map[string]any{"alias": alias, "topLevel": top, ExecutionsField: steps}
	}
	step := func(field, name string, prio float64) map[string]any {
		return map[string]any{field: name, "priority": prio, "requirement": "REQUIRED", "autheticatorFlow": field == "flowAlias"}
	}
	cases := []struct {
		name string
		doc  Object
		want any    // the folded flows, when no error
		err  string // a problem's text and path
	}{
		{name: "nested", doc: flat(
			flow("top", true, step("authenticator", "b", 20), step("flowAlias", "sub", 10)),
			map[string]any{"alias": "sub", "topLevel": false, "description": "d", "providerId": "form-flow", ExecutionsField: []any{step("authenticator", "c", 1)}}),
			want: []any{map[string]any{"alias": "top", "topLevel": true, ExecutionsField: []any{
				map[string]any{"flowAlias": "sub", "requirement": "REQUIRED", "description": "d", "providerId": "form-flow",
					ExecutionsField: []any{map[string]any{"authenticator": "c", "requirement": "REQUIRED"}}},
				map[string]any{"authenticator": "b", "requirement": "REQUIRED"},
			}}}},
		{name: "cycle", doc: flat(flow("top", true, step("flowAlias", "a", 0)), flow("a", false, step("flowAlias", "b", 0)), flow("b", false, step("flowAlias", "a", 0))),
			err: "authenticationFlows.2.authenticationExecutions.0.flowAlias: sub-flow cycle: top → a → b → a"},
		{name: "undefined", doc: flat(flow("top", true, step("flowAlias", "sbu", 0)), flow("sub", false)),
			err: `authenticationFlows.0.authenticationExecutions.0.flowAlias: execution runs sub-flow "sbu", which is not defined (did you mean "sub"?)`},
		{name: "run twice", doc: flat(flow("top", true, step("flowAlias", "sub", 0), step("flowAlias", "sub", 1)), flow("sub", false)),
			err: `authenticationFlows.0.authenticationExecutions.1.flowAlias: sub-flow "sub" is run by two executions`},
		{name: "never run", doc: flat(flow("top", true), flow("sub", false)),
			err: `authenticationFlows.1: sub-flow "sub" (topLevel: false) is run by no execution`},
		{name: "twice", doc: flat(flow("f", true), flow("f", true)),
			err: `authenticationFlows.1.alias: flow alias "f" is defined twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var problems []string
			liftSubFlows(c.doc, func(path []string, format string, args ...any) {
				problems = append(problems, strings.Join(path, ".")+": "+fmt.Sprintf(format, args...))
			})
			if c.err != "" {
				if len(problems) == 0 || !strings.HasPrefix(problems[0], c.err) {
					t.Errorf("problems %q, want one starting %q", problems, c.err)
				}
				return
			}
			if len(problems) > 0 {
				t.Fatalf("problems: %q", problems)
			}
			if d := cmp.Diff(c.want, c.doc["authenticationFlows"]); d != "" {
				t.Errorf("folded flows (-want +got):\n%s", d)
			}
		})
	}
}

// TestStepKeys: a repeated authenticator is numbered.
func TestStepKeys(t *testing.T) {
	list := []any{map[string]any{"authenticator": "a"}, map[string]any{"flowAlias": "s"}, map[string]any{"authenticator": "a"}}
	if got := flowSteps.StepKeys(list); !cmp.Equal(got, []string{"a", "s", "a#2"}) {
		t.Errorf("keys %v", got)
	}
	if got := StepPath(StepPath("", ExecutionsField, "s"), ExecutionsField, "a"); got != "authenticationExecutions[s > a]" {
		t.Errorf("nested path %q", got)
	}
}

// FuzzDecomposeFlows: any authenticationFlows document decomposes without
// a panic, and a document it accepts folds into top-level flows only.
func FuzzDecomposeFlows(f *testing.F) {
	for _, s := range []string{
		`[{"alias":"a","authenticationExecutions":[{"flowAlias":"b","priority":1}]},{"alias":"b","topLevel":false}]`,
		`[{"alias":"a","authenticationExecutions":[{"flowAlias":"a"}]}]`,
		`[{"alias":"a","authenticationExecutions":[{"flowAlias":"b","authenticationExecutions":[{"authenticator":"x"},{"authenticator":"x"}]}]}]`,
		`[{"alias":"a","authenticationExecutions":"no"}]`, `[1, null, {"topLevel":false}]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var flows any
		if json.Unmarshal([]byte(s), &flows) != nil {
			return
		}
		doc := Object{"authenticationFlows": flows}
		r, errs := Decompose("fuzz", doc, NoPos)
		if len(errs) > 0 || r == nil {
			return
		}
		for _, e := range r.Sorted(KindFlow) {
			if e.Fields["topLevel"] != nil {
				t.Errorf("flow %q keeps topLevel after folding", e.Key)
			}
		}
	})
}
