package parallel

import (
	"fmt"
	"runtime/debug"
)

// Ordered calls produce for 0..n-1, at most workers calls at once, and
// consume with each result in index order on the caller's goroutine,
// until consume returns false. Production runs at most workers results
// ahead of consumption, so what is held at once is bounded (a big file's
// parsed pieces), while the caller keeps the order its output depends on.
// A panic in produce is raised again in the caller, with its stack.
func Ordered[T any](workers, n int, produce func(i int) T, consume func(i int, v T) bool) {
	if workers < 2 || n < 2 {
		for i := 0; i < n; i++ {
			if !consume(i, produce(i)) {
				return
			}
		}
		return
	}
	type result struct {
		v        T
		panicked any
		stack    []byte
	}
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1) // a producer never waits for its consumer
	}
	slots := make(chan struct{}, workers)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < n; i++ {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			go func(i int) {
				defer func() {
					if p := recover(); p != nil {
						results[i] <- result{panicked: p, stack: debug.Stack()}
					}
				}()
				results[i] <- result{v: produce(i)}
			}(i)
		}
	}()
	for i := 0; i < n; i++ {
		r := <-results[i]
		<-slots
		if r.panicked != nil {
			panic(fmt.Sprintf("%v\n%s", r.panicked, r.stack))
		}
		if !consume(i, r.v) {
			return
		}
	}
}
