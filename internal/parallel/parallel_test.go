package parallel

import (
	"context"
	"errors"
	"strings"
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
