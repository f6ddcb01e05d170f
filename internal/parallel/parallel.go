// Package parallel runs independent requests a bounded number at a time:
// enough to hide a server's latency, few enough not to load it.
package parallel

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Default is how many independent requests run at once unless told
// otherwise. On 2 cores, where Keycloak's CPU is what a plan waits on, 8
// keeps the server busy while the client decodes what came back: by hand
// on 2026-12-07 (Keycloak 26.7.3, H2, medians of 6 and 5, alternating),
// the medium benchmark preset's no-op plan took 1.32 s at 8 against 1.48 s
// at 4 (1.40 s at 6, 1.34 s at 12), the large one 7.4 s against 7.9 s,
// and medium's cold sync 9.5 s against 10.6 s. The Terraform provider's
// default is 10 at once.
const Default = 8

// ForEach calls fn for 0..n-1 with at most workers calls at once, and
// returns the first error (the others' context is cancelled). Callers
// must not nest it: nested calls could wait on each other's workers.
func ForEach(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
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
			if err := call(ctx, i, fn); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}(i)
	}
	wg.Wait()
	return first
}

// call runs fn, turning a panic into an error: a worker goroutine's panic
// would otherwise end the process before the caller could say anything.
func call(ctx context.Context, i int, fn func(ctx context.Context, i int) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (a bug in realmsync, please report it): %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx, i)
}
