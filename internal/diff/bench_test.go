package diff_test

import (
	"io"
	"testing"

	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// benchState loads a preset as desired state, and the same document as a
// live realm that records every object as owned (so nothing is adopted).
// mutate, if set, edits the live document first.
func benchState(b *testing.B, p gen.Preset, mutate func(model.Object) int) (desired, live *model.Realm, changed int) {
	b.Helper()
	dir := b.TempDir()
	if err := gen.WriteDir(dir, p, "bench", 1); err != nil {
		b.Fatal(err)
	}
	d, err := load.Dir(dir, load.Options{})
	if err != nil {
		b.Fatal(err)
	}
	doc := gen.Realm(p, "bench", 1)
	if mutate != nil {
		changed = mutate(doc)
	}
	c, err := model.Canonical(doc)
	if err != nil {
		b.Fatal(err)
	}
	l, errs := model.Decompose("bench", c.(map[string]any), model.NoPos)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	owned := model.Owned{}
	for _, k := range model.Kinds() {
		for _, e := range l.Sorted(k.Name) {
			if k.Name != model.KindRealm {
				owned[model.Ref{Kind: k.Name, Key: e.Key}] = true
			}
		}
	}
	l.Owners = map[string]model.Owned{model.DefaultOwner: owned}
	return d.Realms["bench"], l, changed
}

// onePercent changes every hundredth client's and user's live state.
func onePercent(doc model.Object) int {
	n := 0
	for _, c := range []struct{ collection, field string }{{"clients", "name"}, {"users", "firstName"}} {
		list, _ := doc[c.collection].([]any)
		for i, item := range list {
			if i%100 == 0 {
				item.(map[string]any)[c.field] = "changed outside Git"
				n++
			}
		}
	}
	return n
}

func benchmarkPresets(b *testing.B, run func(b *testing.B, p gen.Preset)) {
	for _, p := range []gen.Preset{gen.Small, gen.Medium, gen.Large} {
		b.Run(p.Name, func(b *testing.B) {
			if p.Name == "large" && testing.Short() {
				b.Skip("large preset skipped in -short")
			}
			run(b, p)
		})
	}
}

// BenchmarkDiffNoChange: the engine's cost of a no-op plan.
func BenchmarkDiffNoChange(b *testing.B) {
	benchmarkPresets(b, func(b *testing.B, p gen.Preset) {
		desired, live, _ := benchState(b, p, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			actions, err := diff.Realm(desired, live, diff.Options{})
			if err != nil || len(actions) != 0 {
				b.Fatalf("%d actions, err %v: want none", len(actions), err)
			}
		}
	})
}

// BenchmarkDiffOnePercent: a 1% change yields exactly one update per
// changed object; the plan is built, sorted and rendered as JSON.
func BenchmarkDiffOnePercent(b *testing.B) {
	benchmarkPresets(b, func(b *testing.B, p gen.Preset) {
		desired, live, changed := benchState(b, p, onePercent)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			actions, err := diff.Realm(desired, live, diff.Options{})
			if err != nil || len(actions) != changed {
				b.Fatalf("%d actions, err %v: want %d", len(actions), err, changed)
			}
			pl := &plan.Plan{}
			pl.Add(actions...)
			if err := plan.WriteJSON(io.Discard, pl); err != nil {
				b.Fatal(err)
			}
		}
	})
}
