package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestEveryFault: each class does what it says, seen from the client and
// from the server behind the proxy.
func TestEveryFault(t *testing.T) {
	var reached atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"answer":"a long enough body to cut in half"}`)
	}))
	defer upstream.Close()
	cases := []struct {
		fault      Fault
		status     int    // 0: the request fails
		reachedNow int32  // did the server see it
		body       string // "" : not checked
	}{
		{Refused5xx, 503, 0, ""},
		{TooMany, 429, 0, ""},
		{Dropped, 0, 0, ""},
		{Lost5xx, 502, 1, ""},
		{DroppedAfter, 0, 1, ""},
		{Truncated, -1, 1, ""}, // the status arrives, the body does not
		{Slow, 200, 1, "answer"},
	}
	for _, c := range cases {
		t.Run(string(c.fault), func(t *testing.T) {
			p, err := Start(Config{Target: upstream.URL, Rate: 1, Faults: []Fault{c.fault}, Delay: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			before := reached.Load()
			resp, err := http.Post(p.URL+"/admin/realms/acme/clients", "application/json", strings.NewReader(`{}`))
			var body []byte
			var readErr error
			if err == nil {
				body, readErr = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			switch {
			case c.status == 0 && err == nil:
				t.Errorf("want a failed request, got %d", resp.StatusCode)
			case c.status > 0 && (err != nil || resp.StatusCode != c.status):
				t.Errorf("want %d, got %v %v", c.status, resp, err)
			case c.status == -1 && (err != nil || readErr == nil):
				t.Errorf("want a cut body, got %v, read error %v", err, readErr)
			}
			if c.body != "" && !strings.Contains(string(body), c.body) {
				t.Errorf("body %q", body)
			}
			if got := reached.Load() - before; got != c.reachedNow {
				t.Errorf("the server saw %d requests, want %d", got, c.reachedNow)
			}
			if p.Injected()[c.fault] != 1 || p.Requests()["POST"] != 1 {
				t.Errorf("counts: %v %v", p.Injected(), p.Requests())
			}
		})
	}
}

// TestOnlyEligibleRequestsFail: the token endpoint is left alone, and a
// rate of 0 injects nothing; writes the server answered are counted, and
// Admin API requests apart from the token endpoint's.
func TestOnlyEligibleRequestsFail(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer upstream.Close()
	var seen []int
	p, err := Start(Config{Target: upstream.URL, Rate: 1, Faults: []Fault{Refused5xx}, OnWrite: func(n int) { seen = append(seen, n) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Post(p.URL+"/realms/master/protocol/openid-connect/token", "application/x-www-form-urlencoded", nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("token request: %v %v", resp, err)
	}
	p.SetRate(0)
	for range 3 {
		resp, err := http.Post(p.URL+"/admin/realms/acme/clients", "application/json", nil)
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("write: %v %v", resp, err)
		}
	}
	if p.Writes() != 3 || len(seen) != 3 || seen[2] != 3 || len(p.Injected()) != 0 {
		t.Errorf("writes %d, OnWrite %v, injected %v", p.Writes(), seen, p.Injected())
	}
	// The token request is a request, not an Admin API one.
	if p.Requests()["POST"] != 4 || p.AdminRequests()["POST"] != 3 {
		t.Errorf("requests %v, admin requests %v", p.Requests(), p.AdminRequests())
	}
}
