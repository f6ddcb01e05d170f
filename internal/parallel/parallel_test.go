package parallel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForEach(t *testing.T) {
	var running, most, done atomic.Int32
	err := ForEach(context.Background(), 3, 20, func(context.Context, int) error {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		done.Add(1)
		return nil
	})
	if err != nil || done.Load() != 20 || most.Load() > 3 {
		t.Errorf("err %v, done %d, at most %d at once (want ≤ 3)", err, done.Load(), most.Load())
	}
	boom := errors.New("boom")
	var calls atomic.Int32
	err = ForEach(context.Background(), 2, 100, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 1 {
			return boom
		}
		time.Sleep(time.Millisecond)
		return nil
	})
	if !errors.Is(err, boom) || calls.Load() > 10 {
		t.Errorf("err %v after %d calls: want the first error, and the rest not started", err, calls.Load())
	}
}

func TestForEachTurnsPanicsIntoErrors(t *testing.T) {
	err := ForEach(context.Background(), 2, 4, func(_ context.Context, i int) error {
		if i == 2 {
			panic("index out of range")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("error %v: want the panic as an internal error", err)
	}
}

func TestOrderedConsumesInOrderWithBoundedLead(t *testing.T) {
	for _, tc := range []struct {
		name       string
		workers, n int
		stopAt     int // consume returns false at this index (-1: never)
	}{
		{"sequential", 1, 10, -1},
		{"two workers", 2, 50, -1},
		{"more workers than items", 8, 3, -1},
		{"none", 4, 0, -1},
		{"stopped early", 3, 40, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			produced, consumed, maxLead := 0, 0, 0
			var got []int
			Ordered(tc.workers, tc.n, func(i int) int {
				mu.Lock()
				produced++
				if lead := produced - consumed; lead > maxLead {
					maxLead = lead
				}
				mu.Unlock()
				time.Sleep(time.Duration(i%3) * time.Millisecond) // finish out of order
				return i * i
			}, func(i, v int) bool {
				mu.Lock()
				consumed++
				mu.Unlock()
				if v != i*i {
					t.Errorf("item %d: got %d", i, v)
				}
				got = append(got, i)
				return i != tc.stopAt
			})
			want := tc.n
			if tc.stopAt >= 0 {
				want = tc.stopAt + 1
			}
			if len(got) != want {
				t.Fatalf("consumed %d items, want %d", len(got), want)
			}
			for i, g := range got {
				if g != i {
					t.Fatalf("consumed out of order: %v", got)
				}
			}
			if limit := max(tc.workers, 1) + 1; maxLead > limit {
				t.Errorf("production ran %d ahead of consumption, want at most %d", maxLead, limit)
			}
		})
	}
}

func TestOrderedRaisesAProducersPanic(t *testing.T) {
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), "boom 3") {
			t.Fatalf("want the producer's panic, got %v", p)
		}
	}()
	Ordered(2, 10, func(i int) int {
		if i == 3 {
			panic(fmt.Sprintf("boom %d", i))
		}
		return i
	}, func(int, int) bool { return true })
	t.Fatal("Ordered returned after a producer panicked")
}
