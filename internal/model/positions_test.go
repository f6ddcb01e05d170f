package model

import "testing"

func TestPositions(t *testing.T) {
	var p Positions
	if _, ok := p.Lookup("a"); ok || !p.Get("a").IsZero() {
		t.Fatal("an empty Positions knows a key")
	}
	steps := []struct {
		set, del string
		at       Pos
	}{
		{set: "name", at: Pos{File: "a.yaml", Line: 3, Col: 5}},
		{set: "enabled", at: Pos{File: "a.yaml", Line: 4, Col: 5}},
		{set: RefPosKey("groups", "/g"), at: Pos{File: "a.yaml", Line: 6, Col: 9}},
		{set: "theme", at: Pos{File: "b.yaml", Line: 1, Col: 1}}, // merged from another file
		{set: "name", at: Pos{File: "a.yaml", Line: 30, Col: 5}}, // set again
		{del: "enabled"},
	}
	for _, s := range steps {
		if s.del != "" {
			p.Delete(s.del)
		} else {
			p.Set(s.set, s.at)
		}
	}
	want := map[string]Pos{
		"name":                    {File: "a.yaml", Line: 30, Col: 5},
		RefPosKey("groups", "/g"): {File: "a.yaml", Line: 6, Col: 9},
		"theme":                   {File: "b.yaml", Line: 1, Col: 1},
	}
	if p.Len() != len(want) {
		t.Errorf("%d keys, want %d", p.Len(), len(want))
	}
	for k, w := range want {
		if got, ok := p.Lookup(k); !ok || got != w {
			t.Errorf("%q at %v (%v), want %v", k, got, ok, w)
		}
	}
	if _, ok := p.Lookup("enabled"); ok {
		t.Error("a deleted key is still known")
	}
}
