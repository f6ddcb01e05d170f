package export

import (
	"context"
	"sync"
)

// DefaultConcurrency is how many independent reads run at once unless told
// otherwise: enough to hide request latency, few enough not to load the
// server (measured in BENCHMARKS.md).
const DefaultConcurrency = 4

// forEach calls fn for 0..n-1 with at most workers calls at once, and
// returns the first error (the others' context is cancelled). Callers
// must not nest it: nested calls could wait on each other's workers.
func forEach(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		slots = make(chan struct{}, workers)
	)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-slots; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}(i)
	}
	wg.Wait()
	return first
}
