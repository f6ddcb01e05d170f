// Package faultproxy is a reverse proxy for the end-to-end tests that
// stands between realmsync and Keycloak and injects faults: answers the
// server never saw (5xx, 429 with Retry-After, a dropped connection),
// answers lost after the server acted (5xx, a dropped connection, a body
// cut short) and slow answers. It counts what passes, so that a test can
// assert that an invalid input made no request, or that a re-run after
// faults wrote nothing twice. It is a package, not a test file, so that
// every test package (and a benchmark) can use the one implementation.
package faultproxy

import (
	"bytes"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one class of injected failure.
type Fault string

const (
	// Refused5xx: 503 before forwarding; the server never saw it.
	Refused5xx Fault = "5xx-before"
	// Lost5xx: forwarded, the server acted, then 502 instead of its answer.
	Lost5xx Fault = "5xx-after"
	// TooMany: 429 with Retry-After: 1 before forwarding.
	TooMany Fault = "429"
	// Dropped: the connection is closed before forwarding.
	Dropped Fault = "reset-before"
	// DroppedAfter: forwarded, the server acted, then the connection is
	// closed without an answer.
	DroppedAfter Fault = "reset-after"
	// Truncated: forwarded, then the answer's body is cut short.
	Truncated Fault = "truncated"
	// Slow: forwarded, the answer held back for Config.Delay.
	Slow Fault = "slow"
)

// All is every fault class.
var All = []Fault{Refused5xx, Lost5xx, TooMany, Dropped, DroppedAfter, Truncated, Slow}

// Config steers a proxy.
type Config struct {
	// Target is Keycloak's base URL.
	Target string
	// Rate is the probability, per request and per fault class in
	// Faults, that the request meets that fault.
	Rate   float64
	Faults []Fault
	// Seed makes a run repeatable.
	Seed uint64
	// Delay is how long a Slow answer waits (default 2 s).
	Delay time.Duration
	// Eligible says which requests may meet a fault (default: Admin API
	// requests; the token endpoint is left alone).
	Eligible func(*http.Request) bool
	// OnWrite, if set, hears of every write (POST, PUT, DELETE) the server
	// answered, with their running count: a test can kill the client at
	// the n-th write.
	OnWrite func(n int)
}

// Proxy is a running fault-injecting proxy; its URL is the base URL to
// give realmsync.
type Proxy struct {
	*httptest.Server
	cfg     Config
	forward *httputil.ReverseProxy

	mu       sync.Mutex
	rng      *rand.Rand
	requests map[string]int // "METHOD" → count of requests received
	admin    map[string]int // the same, Admin API requests only
	injected map[Fault]int
	writes   int // Admin API writes the server answered
	attempts int // Admin API writes that reached the proxy
	bodies   []string
}

// Start runs a proxy in front of cfg.Target.
func Start(cfg Config) (*Proxy, error) {
	target, err := url.Parse(cfg.Target)
	if err != nil {
		return nil, err
	}
	if cfg.Delay == 0 {
		cfg.Delay = 2 * time.Second
	}
	if cfg.Eligible == nil {
		cfg.Eligible = func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/admin/") }
	}
	p := &Proxy{cfg: cfg, forward: httputil.NewSingleHostReverseProxy(target),
		rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), requests: map[string]int{}, admin: map[string]int{}, injected: map[Fault]int{}}
	// A client killed mid-request is what some tests do on purpose.
	p.forward.ErrorLog = log.New(io.Discard, "", 0)
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p, nil
}

// Requests returns how many requests of each method reached the proxy.
func (p *Proxy) Requests() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.requests)
}

// AdminRequests is Requests without the token endpoint's: what a
// benchmark compares between tools, whose logins differ.
func (p *Proxy) AdminRequests() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.admin)
}

// Writes is how many Admin API writes (POST, PUT, DELETE) reached the
// proxy, whether or not a fault then kept them from the server. The
// token endpoint's POSTs are not writes.
func (p *Proxy) Writes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attempts
}

// Injected returns how many faults of each class were injected.
func (p *Proxy) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.injected)
}

// Summary describes the injected faults, for test logs.
func (p *Proxy) Summary() string {
	inj := p.Injected()
	var parts []string
	for f, n := range inj {
		parts = append(parts, string(f)+"="+strconv.Itoa(n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Reset forgets the counts (faults keep being injected).
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests, p.admin, p.injected, p.writes, p.attempts, p.bodies = map[string]int{}, map[string]int{}, map[Fault]int{}, 0, 0, nil
}

// SetRate changes the fault rate (0 turns faults off).
func (p *Proxy) SetRate(rate float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.Rate = rate
}

// pick draws the fault a request meets, if any.
func (p *Proxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[r.Method]++
	if strings.Contains(r.URL.Path, "/admin/") {
		p.admin[r.Method]++
	}
	if isWrite(r) {
		p.attempts++
	}
	if !p.cfg.Eligible(r) || p.cfg.Rate <= 0 {
		return ""
	}
	for _, f := range p.cfg.Faults {
		if p.rng.Float64() < p.cfg.Rate {
			p.injected[f]++
			return f
		}
	}
	return ""
}

// WriteBodies are the Admin API writes that reached the proxy, each as
// "METHOD PATH BODY", in order: a test reads what was sent (a secret must
// not be re-sent).
func (p *Proxy) WriteBodies() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies...)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if isWrite(r) && r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(data))
		p.mu.Lock()
		p.bodies = append(p.bodies, r.Method+" "+r.URL.Path+" "+string(data))
		p.mu.Unlock()
	}
	fault := p.pick(r)
	switch fault {
	case Refused5xx:
		http.Error(w, `{"error":"injected: service unavailable"}`, http.StatusServiceUnavailable)
		return
	case TooMany:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":"injected: too many requests"}`, http.StatusTooManyRequests)
		return
	case Dropped:
		panic(http.ErrAbortHandler) // the connection closes, no answer
	}
	rec := httptest.NewRecorder()
	p.forward.ServeHTTP(rec, r)
	p.wrote(r, rec.Code)
	switch fault {
	case Lost5xx:
		http.Error(w, `{"error":"injected: bad gateway"}`, http.StatusBadGateway)
		return
	case DroppedAfter:
		panic(http.ErrAbortHandler)
	case Slow:
		time.Sleep(p.cfg.Delay)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	body := rec.Body.Bytes()
	if fault == Truncated && len(body) > 1 {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = io.Copy(w, bytes.NewReader(body[:len(body)/2]))
		if f, ok := w.(http.Flusher); ok {
			f.Flush() // the status and half the body reach the client
		}
		panic(http.ErrAbortHandler) // the rest never comes
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// wrote counts a write the server answered and tells OnWrite.
func (p *Proxy) wrote(r *http.Request, code int) {
	if !isWrite(r) || code >= 500 {
		return
	}
	p.mu.Lock()
	p.writes++
	n := p.writes
	hook := p.cfg.OnWrite
	p.mu.Unlock()
	if hook != nil {
		hook(n)
	}
}

func isWrite(r *http.Request) bool {
	return (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodDelete) &&
		strings.Contains(r.URL.Path, "/admin/") &&
		// Keycloak's partial export is a POST that only reads.
		!strings.HasSuffix(r.URL.Path, "/partial-export")
}
