package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// TestSequencesAndListSecrets: a list the kind calls a sequence is
// compared in order (a reorder is a change, shown whole), a set is not;
// a list-valued secret that the server masks is no change, and any other
// difference is a sensitive one.
func TestSequencesAndListSecrets(t *testing.T) {
	k := &model.Kind{Name: "test", Sequences: []string{"steps"}, Secrets: []string{"config.bindCredential"}}
	cases := []struct {
		name       string
		want, have model.Object
		changes    []plan.Change
	}{
		{"a sequence reordered", model.Object{"steps": []any{"b", "a"}}, model.Object{"steps": []any{"a", "b"}},
			[]plan.Change{{Path: "steps", Before: []any{"a", "b"}, After: []any{"b", "a"}, Moved: true}}},
		{"a sequence that gains an item", model.Object{"steps": []any{"b", "a", "c"}}, model.Object{"steps": []any{"a", "b"}},
			[]plan.Change{{Path: "steps", Before: []any{"a", "b"}, After: []any{"b", "a", "c"}}}},
		{"a set reordered", model.Object{"tags": []any{"b", "a"}}, model.Object{"tags": []any{"a", "b"}}, nil},
		{"a masked list secret", model.Object{"config": map[string]any{"bindCredential": []any{"s3cret"}}},
			model.Object{"config": map[string]any{"bindCredential": []any{model.MaskedSecret}}}, nil},
		{"a list secret that differs", model.Object{"config": map[string]any{"bindCredential": []any{"new"}}},
			model.Object{"config": map[string]any{"bindCredential": []any{"old"}}},
			[]plan.Change{{Path: "config.bindCredential", Sensitive: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := compare("acme", k, &model.Entity{Kind: k, Key: "x", Fields: c.want}, &model.Entity{Kind: k, Key: "x", Fields: c.have})
			if d := cmp.Diff(c.changes, got); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
		})
	}
	// Decompose keeps a sequence's order and sorts a set.
	realm, errs := model.Decompose("acme", model.Object{"realm": "acme",
		"webAuthnPolicySignatureAlgorithms": []any{"RS256", "ES256"}, "eventsListeners": []any{"jboss-logging", "email"}}, model.NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := realm.Settings().Fields
	if d := cmp.Diff([]any{"RS256", "ES256"}, s["webAuthnPolicySignatureAlgorithms"]); d != "" {
		t.Errorf("a sequence was reordered (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]any{"email", "jboss-logging"}, s["eventsListeners"]); d != "" {
		t.Errorf("a set was not sorted (-want +got):\n%s", d)
	}
}

// TestReorderVerb: an update that only moves items of ordered lists is a
// reorder, in the plan's model and its text.
func TestReorderVerb(t *testing.T) {
	realm := func(algs ...any) *model.Realm {
		r, errs := model.Decompose("acme", model.Object{"realm": "acme", "webAuthnPolicySignatureAlgorithms": algs}, model.NoPos)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return r
	}
	actions, err := Realm(realm("ES256", "RS256"), realm("RS256", "ES256"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0].Verb != plan.Reorder {
		t.Fatalf("actions %+v: want one reorder", actions)
	}
	var b strings.Builder
	p := &plan.Plan{}
	p.Add(actions...)
	if err := plan.WriteText(&b, p); err != nil {
		t.Fatal(err)
	}
	want := `↕ realm "acme"
      webAuthnPolicySignatureAlgorithms: ["RS256","ES256"] → ["ES256","RS256"] (reordered)`
	if !strings.Contains(b.String(), want) || !strings.Contains(b.String(), "1 to update") {
		t.Errorf("text plan:\n%s\nwant it to hold:\n%s", b.String(), want)
	}
}
