package model

import (
	"fmt"
	"testing"
)

func TestOwnershipRoundTrip(t *testing.T) {
	big := Owned{}
	for i := 0; i < 20000; i++ {
		big[Ref{Kind: KindGroup, Key: fmt.Sprintf("/g%05d/child with spaces/%x", i, i*7919)}] = true
	}
	for name, set := range map[string]Owned{
		"empty": {},
		"small": {{KindClient, "web"}: true, {KindClientRole, "https://sp.example/saml/read"}: true},
		"big":   big,
	} {
		t.Run(name, func(t *testing.T) {
			attrs := EncodeOwnership("team-a", set)
			if name == "big" && len(attrs) < 2 {
				t.Errorf("a big set should span several chunks, got %d", len(attrs))
			}
			asAny := map[string]any{"unrelated": "x"}
			for k, v := range attrs {
				asAny[k] = v
			}
			got, err := DecodeOwnership(asAny)
			if err != nil {
				t.Fatal(err)
			}
			if !got["team-a"].Equal(set) {
				t.Errorf("decoded %d members, want %d", len(got["team-a"]), len(set))
			}
			again := EncodeOwnership("team-a", set)
			for k, v := range attrs {
				if again[k] != v {
					t.Fatalf("encoding is not deterministic at %s", k)
				}
			}
		})
	}
}

func TestDecodeOwnershipErrors(t *testing.T) {
	for _, attrs := range []map[string]any{
		{OwnershipPrefix + "a.x": "zz"},
		{OwnershipPrefix + "a.1": "zz"},
		{OwnershipPrefix + "a.0": "not base64!"},
	} {
		if _, err := DecodeOwnership(attrs); err == nil {
			t.Errorf("%v: want an error", attrs)
		}
	}
}
