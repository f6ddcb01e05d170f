// Package progress reports how far a long apply or export has come, on
// stderr so that stdout stays clean for the plan: a bar redrawn in place on
// a terminal, a plain line every few seconds in CI logs.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Reporter counts steps of one job. The zero value and nil report nothing.
type Reporter struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	what     string
	total    int
	done     int
	last     time.Time
	every    time.Duration
	now      func() time.Time
	drawn    bool
}

// New starts reporting a job of total steps to w. On a terminal the bar is
// redrawn at most ten times a second; elsewhere a line is written at most
// every five seconds, so logs stay short.
func New(w io.Writer, terminal bool, what string, total int) *Reporter {
	every := 5 * time.Second
	if terminal {
		every = 100 * time.Millisecond
	}
	return &Reporter{w: w, terminal: terminal, what: what, total: total, every: every, now: time.Now}
}

// Step records n finished steps.
func (r *Reporter) Step(n int) {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	now := r.now()
	if r.last.IsZero() && !r.terminal {
		r.last = now // in logs, the first line comes after one interval
		return
	}
	if now.Sub(r.last) < r.every {
		return
	}
	r.last = now
	r.draw()
}

// Finish writes the final state (terminal: replaces the bar with it).
func (r *Reporter) Finish() {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.terminal {
		if r.drawn {
			fmt.Fprint(r.w, "\r\x1b[K")
		}
		return
	}
	if r.drawn {
		r.draw()
	}
}

func (r *Reporter) draw() {
	r.drawn = true
	if !r.terminal {
		fmt.Fprintf(r.w, "%s: %d/%d\n", r.what, r.done, r.total)
		return
	}
	const width = 30
	filled := 0
	if r.total > 0 {
		filled = min(width, r.done*width/r.total)
	}
	fmt.Fprintf(r.w, "\r\x1b[K%s [%s%s] %d/%d", r.what, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), r.done, r.total)
}
