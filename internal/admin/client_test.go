package admin

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	testUser     = "admin"
	testPassword = "pa55-w0rd-never-shown"
	tokenPrefix  = "SECRET-TOKEN-"
	tokenPath    = "/realms/master/protocol/openid-connect/token"
)

// fakeKC is a minimal Keycloak: a token endpoint that issues numbered tokens
// and an admin API guarded by them, whose behaviour each test plugs in.
type fakeKC struct {
	t   *testing.T
	srv *httptest.Server

	mu               sync.Mutex
	seq              int
	valid            map[string]bool
	grants           []string // grant_type of every token request, in order
	expiresIn        int
	refreshExpiresIn int
	noRefreshToken   bool
	rejectRefresh    bool
	tokenStatus      int    // when != 0, the token endpoint answers this status
	tokenBody        string // ... with this body
	api              http.HandlerFunc
}

func newFakeKC(t *testing.T) *fakeKC {
	t.Helper()
	f := &fakeKC{t: t, valid: map[string]bool{}, expiresIn: 60, refreshExpiresIn: 1800}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKC) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == tokenPath {
		f.token(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/admin/realms") {
		http.NotFound(w, r)
		return
	}
	auth := r.Header.Get("Authorization")
	f.mu.Lock()
	ok := strings.HasPrefix(auth, "Bearer ") && f.valid[strings.TrimPrefix(auth, "Bearer ")]
	api := f.api
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if api == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
		return
	}
	api(w, r)
}

func (f *fakeKC) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("token form: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	gt := r.PostForm.Get("grant_type")
	f.grants = append(f.grants, gt)
	w.Header().Set("Content-Type", "application/json")
	if f.tokenStatus != 0 {
		w.WriteHeader(f.tokenStatus)
		_, _ = io.WriteString(w, f.tokenBody)
		return
	}
	fail := func(desc string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": desc})
	}
	switch gt {
	case "password":
		if r.PostForm.Get("client_id") != "admin-cli" || r.PostForm.Get("username") != testUser || r.PostForm.Get("password") != testPassword {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`)
			return
		}
	case "client_credentials":
		if r.PostForm.Get("client_id") != "robot" || r.PostForm.Get("client_secret") != "robot-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`)
			return
		}
	case "refresh_token":
		if f.rejectRefresh || !strings.HasPrefix(r.PostForm.Get("refresh_token"), "REFRESH-") {
			fail("Token is not active")
			return
		}
	default:
		fail("unsupported grant")
		return
	}
	f.seq++
	tok := tokenPrefix + strconv.Itoa(f.seq)
	f.valid[tok] = true
	resp := map[string]any{"access_token": tok, "expires_in": f.expiresIn, "token_type": "Bearer"}
	if gt != "client_credentials" && !f.noRefreshToken {
		resp["refresh_token"] = "REFRESH-" + strconv.Itoa(f.seq)
		resp["refresh_expires_in"] = f.refreshExpiresIn
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeKC) setAPI(h http.HandlerFunc) {
	f.mu.Lock()
	f.api = h
	f.mu.Unlock()
}

func (f *fakeKC) revokeAll() {
	f.mu.Lock()
	f.valid = map[string]bool{}
	f.mu.Unlock()
}

func (f *fakeKC) grantLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.grants...)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type sleepLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient builds a client against f whose waits are recorded instead
// of slept and whose clock only moves when the test says so.
func newTestClient(t *testing.T, f *fakeKC, mod func(*Config)) (*Client, *fakeClock, *sleepLog) {
	t.Helper()
	cfg := Config{BaseURL: f.srv.URL + "/", Username: testUser, Password: testPassword}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	sl := &sleepLog{}
	c.now = clock.Now
	c.sleep = sl.sleep
	return c, clock, sl
}

func jsonHandler(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no url", Config{Username: "a", Password: "b"}, "no base URL"},
		{"bad scheme", Config{BaseURL: "ftp://x", Username: "a", Password: "b"}, "want http(s)"},
		{"no credentials", Config{BaseURL: "http://x"}, "no credentials"},
		{"password missing", Config{BaseURL: "http://x", Username: "a"}, "no credentials"},
		{"secret without client", Config{BaseURL: "http://x", ClientSecret: "s"}, "needs a client id"},
		{"missing CA file", Config{BaseURL: "https://x", Username: "a", Password: "b", CAFile: "/nonexistent/ca.pem"}, "CA file"},
		{"the admin API's URL", Config{BaseURL: "https://sso.example.com/admin", Username: "a", Password: "b"}, "without /admin"},
		{"the admin console's URL", Config{BaseURL: "https://sso.example.com/admin/master/console/", Username: "a", Password: "b"}, "without /admin"},
		{"a certificate without its key", Config{BaseURL: "https://x", Username: "a", Password: "b", ClientCertFile: "c.pem"}, "needs its key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	c, err := New(Config{BaseURL: "http://x/", Username: "a", Password: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.AuthRealm != "master" || c.cfg.ClientID != "admin-cli" || c.cfg.Timeout != 60*time.Second || c.maxRetries != 4 {
		t.Errorf("defaults: realm %q client %q timeout %v retries %d", c.cfg.AuthRealm, c.cfg.ClientID, c.cfg.Timeout, c.maxRetries)
	}
	if c.tokenURL != "http://x"+tokenPath {
		t.Errorf("tokenURL = %q", c.tokenURL)
	}
}

func TestTokenAcquiredOnceAndReused(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*Config)
		wantGrant  string
		concurrent int
	}{
		{"password grant", nil, "password", 1},
		{"client credentials", func(c *Config) {
			c.Username, c.Password, c.ClientID, c.ClientSecret = "", "", "robot", "robot-secret"
		}, "client_credentials", 1},
		{"concurrent callers share one token", nil, "password", 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			var seen sync.Map
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				seen.Store(r.Header.Get("Authorization"), true)
				jsonHandler(200, `{"realm":"acme"}`)(w, r)
			})
			c, _, _ := newTestClient(t, f, tt.mod)
			var wg sync.WaitGroup
			errs := make(chan error, tt.concurrent*3)
			for g := 0; g < tt.concurrent; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 3; i++ {
						var out Object
						if err := c.Get(context.Background(), "acme", nil, &out); err != nil {
							errs <- err
							return
						}
						if out["realm"] != "acme" {
							errs <- fmt.Errorf("decoded %v", out)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.wantGrant}, f.grantLog()); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			n := 0
			seen.Range(func(k, _ any) bool { n++; return k == "Bearer "+tokenPrefix+"1" })
			if n != 1 {
				t.Errorf("%d distinct Authorization headers, want 1", n)
			}
			want := map[string]int64{"GET": int64(3 * tt.concurrent), "POST": 0, "PUT": 0, "DELETE": 0, ReadPost: 0, "TOKEN": 1}
			if diff := cmp.Diff(want, c.Counts()); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenRenewal(t *testing.T) {
	tests := []struct {
		name       string
		expiresIn  int
		refreshExp int
		noRefresh  bool
		rejectRef  bool
		clientCred bool
		advance    time.Duration
		wantGrants []string
	}{
		{"still fresh 16s before expiry", 60, 1800, false, false, false, 44 * time.Second, []string{"password"}},
		{"refreshed 14s before expiry with refresh token", 60, 1800, false, false, false, 46 * time.Second, []string{"password", "refresh_token"}},
		{"short lifetime renewed at half life", 10, 1800, false, false, false, 6 * time.Second, []string{"password", "refresh_token"}},
		{"short lifetime reused before half life", 10, 1800, false, false, false, 4 * time.Second, []string{"password"}},
		{"refresh token expired: log in again", 60, 50, false, false, false, 46 * time.Second, []string{"password", "password"}},
		{"refresh rejected: log in again", 60, 1800, false, true, false, 46 * time.Second, []string{"password", "refresh_token", "password"}},
		{"no refresh token: log in again", 60, 0, true, false, false, 46 * time.Second, []string{"password", "password"}},
		{"client credentials: new grant", 60, 0, false, false, true, 46 * time.Second, []string{"client_credentials", "client_credentials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			f.expiresIn, f.refreshExpiresIn, f.noRefreshToken, f.rejectRefresh = tt.expiresIn, tt.refreshExp, tt.noRefresh, tt.rejectRef
			var mod func(*Config)
			if tt.clientCred {
				mod = func(c *Config) { c.Username, c.Password, c.ClientID, c.ClientSecret = "", "", "robot", "robot-secret" }
			}
			c, clock, _ := newTestClient(t, f, mod)
			ctx := context.Background()
			if err := c.Get(ctx, "acme", nil, nil); err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.advance)
			if err := c.Get(ctx, "acme", nil, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantGrants, f.grantLog()); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if got := c.Counts()["TOKEN"]; got != int64(len(tt.wantGrants)) {
				t.Errorf("TOKEN count = %d, want %d", got, len(tt.wantGrants))
			}
		})
	}
}

func TestRefreshTokenForcesLogin(t *testing.T) {
	f := newFakeKC(t)
	c, _, _ := newTestClient(t, f, nil)
	ctx := context.Background()
	if err := c.Get(ctx, "acme", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.RefreshToken(ctx); err != nil {
		t.Fatal(err)
	}
	var auth string
	f.setAPI(func(w http.ResponseWriter, r *http.Request) { auth = r.Header.Get("Authorization") })
	if err := c.Get(ctx, "acme", nil, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"password", "password"}, f.grantLog()); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
	if auth != "Bearer "+tokenPrefix+"2" {
		t.Errorf("request after RefreshToken used %q", auth)
	}
}

func TestUnauthorizedReauthenticatesOnce(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		always401  bool
		wantErr    int
		wantGrants []string
	}{
		{"GET recovers", http.MethodGet, false, 0, []string{"password", "password"}},
		{"POST recovers", http.MethodPost, false, 0, []string{"password", "password"}},
		{"second 401 is final", http.MethodGet, true, 401, []string{"password", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			c, _, sl := newTestClient(t, f, nil)
			ctx := context.Background()
			if err := c.Get(ctx, "acme", nil, nil); err != nil {
				t.Fatal(err)
			}
			c.ResetCounts()
			f.revokeAll() // e.g. the server restarted
			if tt.always401 {
				f.setAPI(jsonHandler(401, `{"error":"HTTP 401 Unauthorized"}`))
			} else {
				f.setAPI(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
			}
			var err error
			if tt.method == http.MethodPost {
				_, err = c.Post(ctx, "acme/clients", Object{"clientId": "web"})
			} else {
				err = c.Get(ctx, "acme", nil, nil)
			}
			var ae *APIError
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != 0 && (!errors.As(err, &ae) || ae.Status != tt.wantErr):
				t.Fatalf("err = %v, want status %d", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantGrants, f.grantLog()); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if got := c.Counts()[tt.method]; got != 2 {
				t.Errorf("%s attempts = %d, want 2", tt.method, got)
			}
			if len(sl.waits()) != 0 {
				t.Errorf("401 must not back off: waits %v", sl.waits())
			}
		})
	}
}

func TestRetriesOnStatus(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		statuses     []int // answers in order; the last repeats
		wantAttempts int64
		wantStatus   int // 0 = success
	}{
		{"GET 503 then ok", http.MethodGet, []int{503, 503, 200}, 3, 0},
		{"PUT 503 then ok", http.MethodPut, []int{503, 204}, 2, 0},
		{"DELETE 502 then ok", http.MethodDelete, []int{502, 504, 204}, 3, 0},
		{"POST 503 not retried", http.MethodPost, []int{503, 201}, 1, 503},
		{"POST 429 retried", http.MethodPost, []int{429, 201}, 2, 0},
		{"GET 500 retried", http.MethodGet, []int{500, 200}, 2, 0},
		{"PUT 500 not retried", http.MethodPut, []int{500, 204}, 1, 500},
		{"GET 404 not retried", http.MethodGet, []int{404, 200}, 1, 404},
		{"GET gives up after MaxRetries", http.MethodGet, []int{503}, 5, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			var n atomic.Int64
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tt.method {
					t.Errorf("method %s", r.Method)
				}
				i := int(n.Add(1)) - 1
				st := tt.statuses[min(i, len(tt.statuses)-1)]
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(st)
				if st == 200 {
					_, _ = io.WriteString(w, `{}`)
				}
			})
			c, _, sl := newTestClient(t, f, nil)
			ctx := context.Background()
			var err error
			switch tt.method {
			case http.MethodGet:
				err = c.Get(ctx, "acme/clients/1", nil, nil)
			case http.MethodPut:
				err = c.Put(ctx, "acme/clients/1", Object{"a": 1})
			case http.MethodDelete:
				err = c.Delete(ctx, "acme/clients/1", nil)
			case http.MethodPost:
				_, err = c.Post(ctx, "acme/clients", Object{"a": 1})
			}
			if tt.wantStatus == 0 && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantStatus != 0 {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Status != tt.wantStatus {
					t.Fatalf("err = %v, want status %d", err, tt.wantStatus)
				}
			}
			if got := n.Load(); got != tt.wantAttempts {
				t.Errorf("server saw %d attempts, want %d", got, tt.wantAttempts)
			}
			if got := c.Counts()[tt.method]; got != tt.wantAttempts {
				t.Errorf("Counts[%s] = %d, want %d", tt.method, got, tt.wantAttempts)
			}
			waits := sl.waits()
			if int64(len(waits)) != tt.wantAttempts-1 {
				t.Errorf("waits %v, want %d", waits, tt.wantAttempts-1)
			}
			for i, d := range waits {
				hi := min(200*time.Millisecond<<i, 5*time.Second)
				if d > hi || d < hi*3/4 {
					t.Errorf("wait %d = %v, want in [%v, %v]", i, d, hi*3/4, hi)
				}
			}
		})
	}
}

func TestBackoffGrowsToCap(t *testing.T) {
	c := &Client{backoffBase: 200 * time.Millisecond, backoffCap: 5 * time.Second}
	for n, hi := range []time.Duration{200, 400, 800, 1600, 3200, 5000, 5000, 5000} {
		hi *= time.Millisecond
		for i := 0; i < 50; i++ {
			if d := c.backoff(n); d > hi || d < hi*3/4 {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, hi*3/4, hi)
			}
		}
	}
	if d := c.backoff(1000); d > 5*time.Second {
		t.Fatalf("backoff(1000) = %v", d)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	tests := []struct {
		name   string
		header func() string
		lo, hi time.Duration
	}{
		{"seconds", func() string { return "2" }, 2 * time.Second, 2 * time.Second},
		{"http date", func() string { return time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat) }, 2 * time.Second, 4 * time.Second},
		{"capped", func() string { return "3600" }, 60 * time.Second, 60 * time.Second},
		{"absent: backoff", func() string { return "" }, 150 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			var n atomic.Int64
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					if h := tt.header(); h != "" {
						w.Header().Set("Retry-After", h)
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				jsonHandler(200, `[]`)(w, r)
			})
			c, _, sl := newTestClient(t, f, nil)
			if err := c.Get(context.Background(), "acme/users", nil, nil); err != nil {
				t.Fatal(err)
			}
			waits := sl.waits()
			if len(waits) != 1 || waits[0] < tt.lo || waits[0] > tt.hi {
				t.Fatalf("waits %v, want one in [%v, %v]", waits, tt.lo, tt.hi)
			}
			if got := c.Counts()["GET"]; got != 2 {
				t.Errorf("GET = %d, want 2", got)
			}
		})
	}
}

// failingTransport fails the first n admin requests with err before they
// reach the server, then delegates.
type failingTransport struct {
	next  http.RoundTripper
	err   error
	n     atomic.Int64
	calls atomic.Int64
}

func (ft *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		ft.calls.Add(1)
		if ft.n.Add(-1) >= 0 {
			return nil, ft.err
		}
	}
	return ft.next.RoundTrip(r)
}

func TestRetriesOnTransportErrors(t *testing.T) {
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	readReset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name      string
		method    string
		err       error
		failures  int64
		wantCalls int64
		wantOK    bool
	}{
		{"POST retried when connection refused", http.MethodPost, dialRefused, 2, 3, true},
		{"POST not retried after the request may have been sent", http.MethodPost, readReset, 1, 1, false},
		{"PUT retried on reset", http.MethodPut, readReset, 2, 3, true},
		{"GET retried on reset", http.MethodGet, readReset, 1, 2, true},
		{"GET gives up", http.MethodGet, readReset, 100, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", f.srv.URL+"/admin/realms/acme/clients/new-id")
				w.WriteHeader(http.StatusCreated)
			})
			c, _, _ := newTestClient(t, f, nil)
			ft := &failingTransport{next: c.rc.GetClient().Transport, err: tt.err}
			ft.n.Store(tt.failures)
			c.rc.SetTransport(ft)
			ctx := context.Background()
			var err error
			switch tt.method {
			case http.MethodPost:
				var id string
				id, err = c.Post(ctx, "acme/clients", Object{"clientId": "web"})
				if err == nil && id != "new-id" {
					t.Errorf("id = %q", id)
				}
			case http.MethodPut:
				err = c.Put(ctx, "acme/clients/x", Object{"clientId": "web"})
			case http.MethodGet:
				err = c.Get(ctx, "acme/clients/x", nil, nil)
			}
			if tt.wantOK != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.wantOK)
			}
			if err != nil {
				if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.ECONNREFUSED) {
					t.Errorf("transport error not wrapped with %%w: %v", err)
				}
				if want := tt.method + " acme/clients"; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("err %q does not start with %q", err, want)
				}
			}
			if got := ft.calls.Load(); got != tt.wantCalls {
				t.Errorf("attempts = %d, want %d", got, tt.wantCalls)
			}
			if got := c.Counts()[tt.method]; got != tt.wantCalls {
				t.Errorf("Counts[%s] = %d, want %d", tt.method, got, tt.wantCalls)
			}
		})
	}
}

func TestPostNotRetriedWhenServerDropsConnection(t *testing.T) {
	f := newFakeKC(t)
	var n atomic.Int64
	f.setAPI(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	})
	c, _, _ := newTestClient(t, f, nil)
	_, err := c.Post(context.Background(), "acme/clients", Object{"clientId": "web"})
	if err == nil {
		t.Fatal("want an error")
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d POSTs, want 1", got)
	}
}

func TestList(t *testing.T) {
	items := func(n int) []Object {
		out := make([]Object, n)
		for i := range out {
			out[i] = Object{"id": fmt.Sprintf("id-%03d", i), "name": fmt.Sprintf("n%d", i)}
		}
		return out
	}
	type page struct{ first, max string }
	tests := []struct {
		name       string
		total      int
		pageSize   int
		ignorePage bool
		wantPages  []page
		wantLen    int
	}{
		{"three pages", 250, 100, false, []page{{"0", "100"}, {"100", "100"}, {"200", "100"}}, 250},
		{"exact multiple needs an empty page", 20, 10, false, []page{{"0", "10"}, {"10", "10"}, {"20", "10"}}, 20},
		{"default page size", 5, 0, false, []page{{"0", "100"}}, 5},
		{"empty", 0, 10, false, []page{{"0", "10"}}, 0},
		{"server ignores max", 15, 10, true, []page{{"0", "10"}}, 15},
		{"server ignores first", 10, 10, true, []page{{"0", "10"}, {"10", "10"}}, 10},
	}
	// IDs pages as List does; it only decodes less.
	lists := map[string]func(c *Client, query url.Values, pageSize int) ([]string, error){
		"List": func(c *Client, query url.Values, pageSize int) ([]string, error) {
			objs, err := c.List(context.Background(), "acme/groups", query, pageSize)
			ids := make([]string, len(objs))
			for i, o := range objs {
				ids[i], _ = o["id"].(string)
			}
			return ids, err
		},
		"IDs": func(c *Client, query url.Values, pageSize int) ([]string, error) {
			return c.IDs(context.Background(), "acme/groups", query, pageSize)
		},
	}
	for _, tt := range tests {
		for _, via := range []string{"List", "IDs"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				f := newFakeKC(t)
				all := items(tt.total)
				var mu sync.Mutex
				var pages []page
				f.setAPI(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/admin/realms/acme/groups" {
						t.Errorf("path %q", r.URL.Path)
					}
					q := r.URL.Query()
					if q.Get("briefRepresentation") != "false" || q.Get("search") != "a b" {
						t.Errorf("caller query lost: %v", q)
					}
					mu.Lock()
					pages = append(pages, page{q.Get("first"), q.Get("max")})
					mu.Unlock()
					first, _ := strconv.Atoi(q.Get("first"))
					max, _ := strconv.Atoi(q.Get("max"))
					out := all
					if !tt.ignorePage {
						out = all[min(first, len(all)):min(first+max, len(all))]
					}
					w.Header().Set("Content-Type", "application/json")
					_ = json.NewEncoder(w).Encode(out)
				})
				c, _, _ := newTestClient(t, f, nil)
				query := url.Values{"briefRepresentation": {"false"}, "search": {"a b"}}
				got, err := lists[via](c, query, tt.pageSize)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.wantPages, pages, cmp.AllowUnexported(page{})); diff != "" {
					t.Errorf("pages requested (-want +got):\n%s", diff)
				}
				want := all
				if len(want) > tt.wantLen {
					want = want[:tt.wantLen]
				}
				if len(got) != tt.wantLen {
					t.Fatalf("len = %d, want %d", len(got), tt.wantLen)
				}
				for i := range got {
					if got[i] != want[i]["id"] {
						t.Fatalf("item %d = %v, want %v", i, got[i], want[i]["id"])
					}
				}
				if len(query) != 2 || query.Get("first") != "" {
					t.Errorf("caller's query was modified: %v", query)
				}
			})
		}
	}
}

// TestListWithoutIDsIgnoringFirst: a collection whose objects have no id
// (identity providers by alias), on a server that answers the whole of it
// for every page, is read once: the second page begins with the first
// page's first object, compared whole, and List stops instead of looping.
// Objects without ids that differ are paged on as usual.
func TestListWithoutIDsIgnoringFirst(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ignoreFirst bool
		wantPages   int
	}{
		{"server ignores first", true, 2},
		{"server pages", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := make([]Object, 4)
			for i := range all {
				all[i] = Object{"alias": fmt.Sprintf("idp-%d", i)}
			}
			f := newFakeKC(t)
			var mu sync.Mutex
			pages := 0
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				pages++
				asked := pages
				mu.Unlock()
				if asked > 5 {
					t.Error("List keeps asking")
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				first, _ := strconv.Atoi(r.URL.Query().Get("first"))
				out := all[:2]
				if !tc.ignoreFirst {
					out = all[min(first, len(all)):min(first+2, len(all))]
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(out)
			})
			c, _, _ := newTestClient(t, f, nil)
			got, err := c.List(context.Background(), "acme/identity-provider/instances", nil, 2)
			if err != nil {
				t.Fatal(err)
			}
			want := all
			if tc.ignoreFirst {
				want = all[:2]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("listed (-want +got):\n%s", diff)
			}
			if pages != tc.wantPages {
				t.Errorf("%d pages asked, want %d", pages, tc.wantPages)
			}
		})
	}
}

func TestPostReturnsLocationID(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		location string
		wantID   string
		wantURL  string
	}{
		{"client uuid", "acme/clients", "/admin/realms/acme/clients/8f0c-11", "8f0c-11", "/admin/realms/acme/clients"},
		{"absolute location, trailing slash", "acme/groups", "http://kc.example/admin/realms/acme/groups/g-1/", "g-1", "/admin/realms/acme/groups"},
		{"escaped name", "acme/roles", "http://kc.example/admin/realms/acme/roles/a%2Fb%20c", "a/b c", "/admin/realms/acme/roles"},
		{"realm create: empty path", "", "http://kc.example/admin/realms/newrealm", "newrealm", "/admin/realms"},
		{"no location", "acme/roles/r/composites", "", "", "/admin/realms/acme/roles/r/composites"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			f.setAPI(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.wantURL {
					t.Errorf("path %q, want %q", r.URL.Path, tt.wantURL)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				var body Object
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["name"] != "x<y" {
					t.Errorf("body %v, %v", body, err)
				}
				if tt.location != "" {
					w.Header().Set("Location", tt.location)
				}
				w.WriteHeader(http.StatusCreated)
			})
			c, _, _ := newTestClient(t, f, nil)
			id, err := c.Post(context.Background(), tt.path, Object{"name": "x<y"})
			if err != nil {
				t.Fatal(err)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
		})
	}
}

func TestRequestShapes(t *testing.T) {
	f := newFakeKC(t)
	type seen struct {
		method, rawPath, body, ct string
	}
	var got []seen
	var mu sync.Mutex
	f.setAPI(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.EscapedPath(), string(b), r.Header.Get("Content-Type")})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	c, _, _ := newTestClient(t, f, nil)
	ctx := context.Background()
	roles := []Object{{"id": "r1", "name": "a"}}
	if err := c.Delete(ctx, "acme/users/u1/role-mappings/realm", roles); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "acme/roles/"+Seg("a/b c"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, "/acme", json.RawMessage(`{"enabled":true}`)); err != nil {
		t.Fatal(err)
	}
	var out Object
	if err := c.Get(ctx, "acme/no-content", nil, &out); err != nil || out != nil {
		t.Fatalf("Get on 204: %v, %v", out, err)
	}
	want := []seen{
		{"DELETE", "/admin/realms/acme/users/u1/role-mappings/realm", `[{"id":"r1","name":"a"}]`, "application/json"},
		{"DELETE", "/admin/realms/acme/roles/a%2Fb%20c", "", ""},
		{"PUT", "/admin/realms/acme", `{"enabled":true}`, "application/json"},
		{"GET", "/admin/realms/acme/no-content", "", ""},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(seen{})); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestGzipTransparent(t *testing.T) {
	f := newFakeKC(t)
	f.setAPI(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = io.WriteString(zw, `[{"clientId":"web"}]`)
		_ = zw.Close()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	})
	c, _, _ := newTestClient(t, f, nil)
	var out []Object
	if err := c.Get(context.Background(), "acme/clients", nil, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0]["clientId"] != "web" {
		t.Fatalf("out = %v", out)
	}
}

func TestAPIErrorMessage(t *testing.T) {
	long := strings.Repeat("x", 400)
	tests := []struct {
		name     string
		status   int
		body     string
		wantMsg  string
		wantText string
	}{
		{"errorMessage", 409, `{"errorMessage":"Client web already exists"}`, "Client web already exists",
			"PUT acme/clients/123: 409 Conflict: Client web already exists"},
		{"error_description wins over error", 400, `{"error":"invalid_request","error_description":"Missing parameter"}`, "Missing parameter",
			"PUT acme/clients/123: 400 Bad Request: Missing parameter"},
		{"error only", 404, `{"error":"Could not find client"}`, "Could not find client",
			"PUT acme/clients/123: 404 Not Found: Could not find client"},
		{"user profile field", 400, `{"field":"email","errorMessage":"invalidEmailMessage","params":["email"]}`, "email: invalidEmailMessage", ""},
		{"error list", 400, `{"errors":[{"field":"a","errorMessage":"m1"},{"errorMessage":"m2"}]}`, "a: m1; m2", ""},
		{"plain text", 502, "  Bad\n gateway  \n", "Bad gateway", ""},
		{"long body truncated", 400, long, strings.Repeat("x", 300) + "…", ""},
		{"empty body", 403, "", "", "PUT acme/clients/123: 403 Forbidden"},
		{"unknown json", 400, `{"foo":"bar"}`, `{"foo":"bar"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			f.setAPI(jsonHandler(tt.status, tt.body))
			c, _, _ := newTestClient(t, f, func(c *Config) { c.MaxRetries = -1 })
			err := c.Put(context.Background(), "acme/clients/123", Object{"clientId": "web"})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %#v, want *APIError", err)
			}
			if ae.Method != "PUT" || ae.Path != "acme/clients/123" || ae.Status != tt.status || ae.Message != tt.wantMsg {
				t.Errorf("got %+v, want status %d message %q", *ae, tt.status, tt.wantMsg)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.wantText)
			}
		})
	}
}

func TestIsNotFoundIsConflict(t *testing.T) {
	nf := fmt.Errorf("lookup: %w", &APIError{Method: "GET", Path: "acme/groups/x", Status: 404})
	cf := &APIError{Method: "POST", Path: "acme/clients", Status: 409}
	if !IsNotFound(nf) || IsConflict(nf) || !IsConflict(cf) || IsNotFound(cf) || IsNotFound(errors.New("404")) || IsNotFound(nil) {
		t.Fatal("IsNotFound/IsConflict misclassify")
	}
	if got := (&APIError{Method: "POST", Status: 409, Message: "Conflict detected"}).Error(); got != "POST (realms): 409 Conflict: Conflict detected" {
		t.Errorf("Error() = %q", got)
	}
}

func TestCounts(t *testing.T) {
	f := newFakeKC(t)
	f.setAPI(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c, _, _ := newTestClient(t, f, nil)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_ = c.Get(ctx, "acme", nil, nil)
	}
	_, _ = c.Post(ctx, "acme/clients", Object{})
	_ = c.Put(ctx, "acme", Object{})
	_ = c.Put(ctx, "acme", Object{})
	_ = c.Delete(ctx, "acme/clients/1", nil)
	_ = c.Export(ctx, "acme/partial-export", nil, nil) // reads: no write
	want := map[string]int64{"GET": 3, "POST": 1, "PUT": 2, "DELETE": 1, ReadPost: 1, "TOKEN": 1}
	if diff := cmp.Diff(want, c.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if c.Writes() != 4 {
		t.Errorf("Writes = %d, want 4", c.Writes())
	}
	c.ResetCounts()
	if diff := cmp.Diff(map[string]int64{"GET": 0, "POST": 0, "PUT": 0, "DELETE": 0, ReadPost: 0, "TOKEN": 0}, c.Counts()); diff != "" {
		t.Errorf("after reset (-want +got):\n%s", diff)
	}
	if c.Writes() != 0 {
		t.Errorf("Writes after reset = %d", c.Writes())
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name        string
		password    string
		status      int
		body        string
		wantStatus  int
		wantMessage string
		wantTokens  int
	}{
		{"bad credentials not retried", "wrong-password-xyz", 0, "", 401, "Invalid user credentials", 1},
		{"token endpoint 503 retried", testPassword, 503, "busy", 503, "busy", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKC(t)
			f.tokenStatus, f.tokenBody = tt.status, tt.body
			c, _, _ := newTestClient(t, f, func(c *Config) { c.Password = tt.password })
			err := c.Get(context.Background(), "acme", nil, nil)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tt.wantStatus || ae.Message != tt.wantMessage || ae.Path != tokenPath {
				t.Fatalf("err = %v (%+v)", err, ae)
			}
			var login *LoginError
			if !errors.As(err, &login) || !strings.Contains(err.Error(), "logging in to "+f.srv.URL+" (realm master, user admin): POST "+tokenPath) {
				t.Errorf("err = %q, want a LoginError naming the server, realm and user", err)
			}
			if strings.Contains(err.Error(), tt.password) {
				t.Errorf("password in error: %q", err)
			}
			want := map[string]int64{"GET": 0, "POST": 0, "PUT": 0, "DELETE": 0, ReadPost: 0, "TOKEN": int64(tt.wantTokens)}
			if diff := cmp.Diff(want, c.Counts()); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	f := newFakeKC(t)
	// A misbehaving proxy that reflects the request headers and body into
	// its error page.
	f.setAPI(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "rejected: Authorization=%s body=%s", r.Header.Get("Authorization"), b)
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := newTestClient(t, f, func(c *Config) { c.Logger = logger })
	ctx := context.Background()
	err := c.Put(ctx, "acme/users/u1", Object{"credentials": []Object{{"value": testPassword}}})
	if err == nil {
		t.Fatal("want an error")
	}
	// Transport failure after authentication.
	ft := &failingTransport{next: c.rc.GetClient().Transport, err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	ft.n.Store(100)
	c.rc.SetTransport(ft)
	_, err2 := c.Post(ctx, "acme/users", Object{"password": testPassword})
	if err2 == nil {
		t.Fatal("want an error")
	}
	for _, s := range []string{err.Error(), err2.Error(), logs.String()} {
		for _, secret := range []string{tokenPrefix, "REFRESH-", testPassword} {
			if strings.Contains(s, secret) {
				t.Errorf("%q leaks %q", s, secret)
			}
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("expected the echoed token to be redacted: %q", err)
	}
	for _, want := range []string{"method=PUT", "path=acme/users/u1", "status=400", "grant=password", "duration="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("debug log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	f := newFakeKC(t)
	f.setAPI(jsonHandler(503, ""))
	c, _, _ := newTestClient(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return sleepCtx(ctx, d) }
	err := c.Get(ctx, "acme", nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := c.Counts()["GET"]; got != 1 {
		t.Errorf("GET = %d, want 1", got)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
		{now.Add(-10 * time.Second).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
}

// TestEchoedSecretsAreRedacted: a server or proxy that echoes the request
// body in its error must not make realmsync print a desired secret, in any
// encoding the echo may use.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	const secret = `s3cr+t/"value"`
	for _, echo := range []func([]byte) string{
		func(b []byte) string { return string(b) },                                 // JSON-escaped, as sent
		func([]byte) string { return secret },                                      // raw
		func([]byte) string { return "secret=" + url.QueryEscape(secret) },         // form-encoded
		func([]byte) string { return "/clients/" + url.PathEscape(secret) + "/x" }, // in a path
	} {
		f := newFakeKC(t)
		f.setAPI(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "rejected: %s", echo(b))
		})
		c, _, _ := newTestClient(t, f, nil)
		c.AddSecrets(secret)
		_, err := c.Post(context.Background(), "acme/clients", Object{"clientId": "web", "secret": secret})
		if err == nil {
			t.Fatal("want an error")
		}
		js, _ := json.Marshal(secret)
		for _, form := range []string{secret, string(js[1 : len(js)-1]), url.QueryEscape(secret), url.PathEscape(secret)} {
			if strings.Contains(err.Error(), form) {
				t.Errorf("%q leaks the secret as %q", err, form)
			}
		}
	}
}
