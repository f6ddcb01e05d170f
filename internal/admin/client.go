// Package admin is the Keycloak Admin REST API client that every stage of
// realmsync talks through.
//
// It exists as one place to get the transport right: admin tokens that expire
// after 60 seconds, realms that answer 403 until the token is renewed,
// endpoints with different default page sizes, and retries that must never
// repeat a non-idempotent POST. The client is deliberately untyped (JSON
// objects as maps) because a reconciler must round-trip fields it does not
// know about: a typed struct would silently drop them on the next PUT.
//
// Paths passed to every method are relative to {BaseURL}/admin/realms/, for
// example "acme/clients". The empty path means {BaseURL}/admin/realms itself
// (list or create realms). A path that starts with "/realms/" or "/admin/"
// is taken from the server's root instead: extensions serve their admin
// APIs there (/realms/{realm}/agm/admin/...), and /admin/serverinfo says
// the server's version. Callers must escape every path segment that comes
// from data (realm names, role names, aliases, group paths, ids) with Seg:
// the client does not escape paths, because it cannot tell a separator from a
// slash inside a role name.
package admin

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
)

// Object is a JSON object as decoded into Go (map[string]any, []any, float64,
// string, bool, nil). Keeping the server's representation untyped lets a
// caller GET, overlay and PUT back an object without losing fields that
// realmsync has never heard of.
type Object = map[string]any

// Config describes how to reach and authenticate against a Keycloak server.
type Config struct {
	// BaseURL is the server root, e.g. http://127.0.0.1:8089 or
	// https://sso.example.com/auth for servers with a legacy context path.
	// Without a trailing /admin.
	BaseURL string
	// AuthRealm is the realm whose token endpoint is used; default "master".
	AuthRealm string
	// Username and Password select the password grant, with client
	// "admin-cli" unless ClientID overrides it.
	Username, Password string
	// ClientID and ClientSecret select the client-credentials grant (a
	// confidential client with a service account) when ClientSecret != "".
	ClientID, ClientSecret string
	// CAFile is an extra PEM bundle trusted in addition to the system pool.
	CAFile string
	// InsecureSkipTLSVerify disables certificate verification (unsafe).
	InsecureSkipTLSVerify bool
	// ClientCertFile and ClientKeyFile are a PEM certificate and its key
	// presented to the server, for a proxy in front of the admin API that
	// requires client certificates (mTLS). Both or neither.
	ClientCertFile, ClientKeyFile string
	// Timeout bounds one HTTP request, body included; default 60s.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt; 0 means
	// the default (4), a negative value disables retries.
	MaxRetries int
	// Logger, when set, receives one debug record per HTTP attempt: method,
	// path, status, duration. Never tokens, never bodies (GET /clients
	// returns client secrets in clear text up to KC 26.7).
	Logger *slog.Logger
}

const (
	defaultTimeout    = 60 * time.Second
	defaultMaxRetries = 4
	defaultPageSize   = 100
	// Master-realm access tokens live 60 s; renewing 15 s ahead leaves room
	// for a slow request (or a retry backoff) to finish with a valid token.
	defaultRefreshMargin = 15 * time.Second
	defaultBackoffBase   = 200 * time.Millisecond
	defaultBackoffCap    = 5 * time.Second
	// A Retry-After longer than this is not waited for in full: a
	// reconciler that sleeps for an hour is indistinguishable from a hung one.
	defaultRetryAfterCap = 60 * time.Second
	errorSnippetMax      = 300
	userAgent            = "realmsync"
)

// Client is a Keycloak Admin REST API client. It is safe for concurrent use
// by multiple goroutines: they share one keep-alive connection pool and one
// cached admin token.
type Client struct {
	cfg      Config
	base     string // BaseURL without trailing slash
	tokenURL string
	rc       *resty.Client
	log      *slog.Logger

	maxRetries    int
	backoffBase   time.Duration
	backoffCap    time.Duration
	retryAfterCap time.Duration
	refreshMargin time.Duration
	// sleep and now are replaceable so that tests neither wait for backoffs
	// nor for tokens to age.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time

	mu  sync.Mutex // guards tok; held across token requests so only one goroutine authenticates
	tok tokenState

	// secrets are values the run knows to be secret (desired client
	// secrets, initial passwords): scrubbed from every error message.
	secrets atomic.Pointer[[]string]

	nGet, nPost, nPut, nDelete, nToken, nReadPost atomic.Int64
}

// New validates cfg and builds a client. It does not contact the server: the
// first request authenticates.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		return nil, errors.New("admin: no base URL")
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("admin: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("admin: base URL %q: want http(s)://host[:port][/path]", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("admin: base URL %q must not have a query or fragment", u.Redacted())
	}
	if p := strings.TrimRight(u.Path, "/"); strings.HasSuffix(p, "/admin") || strings.Contains(p, "/admin/") {
		return nil, fmt.Errorf("admin: base URL %q names the admin console or API: give the server's root, without /admin (https://sso.example.com, or https://sso.example.com/auth for a server with that context path)", u.Redacted())
	}
	if cfg.AuthRealm == "" {
		cfg.AuthRealm = "master"
	}
	if cfg.ClientSecret != "" {
		if cfg.ClientID == "" {
			return nil, errors.New("admin: a client secret needs a client id")
		}
	} else if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("admin: no credentials: need a username and password, or a client id and secret")
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "admin-cli"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	maxRetries := cfg.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = defaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}

	tr, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	} else {
		tr = tr.Clone()
	}
	// Several goroutines read in parallel; the default of 2 idle connections
	// per host would make most of them reconnect.
	tr.MaxIdleConns = 64
	tr.MaxIdleConnsPerHost = 32
	if (cfg.ClientCertFile == "") != (cfg.ClientKeyFile == "") {
		return nil, errors.New("admin: a client certificate needs its key, and a key its certificate")
	}
	if cfg.CAFile != "" || cfg.InsecureSkipTLSVerify || cfg.ClientCertFile != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipTLSVerify} //nolint:gosec // explicit opt-in
		if cfg.ClientCertFile != "" {
			pair, err := tls.LoadX509KeyPair(cfg.ClientCertFile, cfg.ClientKeyFile)
			if err != nil {
				return nil, fmt.Errorf("admin: client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("admin: CA file: %w", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("admin: CA file %s: no PEM certificates found", cfg.CAFile)
			}
			tc.RootCAs = pool
		}
		tr.TLSClientConfig = tc
	}
	// The transport adds "Accept-Encoding: gzip" itself and decompresses
	// transparently, as long as nobody sets that header by hand.
	tr.DisableCompression = false

	hc := &http.Client{Transport: tr, Timeout: cfg.Timeout}
	rc := resty.NewWithClient(hc).
		SetLogger(quietLogger{}).
		SetDebug(false).
		SetCookieJar(nil).
		SetHeader("User-Agent", userAgent)

	c := &Client{
		cfg:           cfg,
		base:          base,
		tokenURL:      base + "/realms/" + url.PathEscape(cfg.AuthRealm) + "/protocol/openid-connect/token",
		rc:            rc,
		log:           cfg.Logger,
		maxRetries:    maxRetries,
		backoffBase:   defaultBackoffBase,
		backoffCap:    defaultBackoffCap,
		retryAfterCap: defaultRetryAfterCap,
		refreshMargin: defaultRefreshMargin,
		sleep:         sleepCtx,
		now:           time.Now,
	}
	return c, nil
}

// Seg escapes one path segment (url.PathEscape). Every piece of a path that
// comes from data must go through it: role names may contain "/", group
// paths always do, and Keycloak decodes %2F back into the segment.
func Seg(s string) string { return url.PathEscape(s) }

// Get reads path and decodes the JSON answer into out (a pointer, as for
// json.Unmarshal; *[]byte receives the raw body). out may be nil. An empty
// answer leaves out untouched.
func (c *Client) Get(ctx context.Context, path string, query url.Values, out any) error {
	resp, err := c.do(ctx, http.MethodGet, path, query, nil)
	if err != nil {
		return err
	}
	return decode(http.MethodGet, path, resp.Body(), out)
}

// List reads every page of a collection. Default page sizes differ by
// endpoint (10 for group children, 100 elsewhere) and some endpoints have no
// default cap at all, so List always sends first and max and keeps asking
// until a page comes back shorter than max. pageSize <= 0 means 100.
//
// Endpoints that ignore first/max (they answer the whole collection every
// time) are detected when a page is longer than max or the next page starts
// with the first page's first object (the same id; the same object whole
// where there are no ids, as with identity providers); List then returns
// what it has instead of looping.
func (c *Client) List(ctx context.Context, path string, query url.Values, pageSize int) ([]Object, error) {
	return listPages(ctx, c, path, query, pageSize, func(a, b Object) bool {
		ida, _ := a["id"].(string)
		idb, _ := b["id"].(string)
		if ida != "" || idb != "" {
			return ida == idb
		}
		return reflect.DeepEqual(a, b)
	})
}

// IDs lists a collection as List does and returns only its objects' ids.
// A membership list is read for who is in it, not for what they are:
// decoding the ids alone, not every member's whole representation into
// maps, took a fifth of what the large benchmark preset's no-op plan
// allocates, and 0.2-0.5 s of client CPU (2.9-3.3 s before), on a machine
// where that CPU is taken from the server.
func (c *Client) IDs(ctx context.Context, path string, query url.Values, pageSize int) ([]string, error) {
	objs, err := listPages(ctx, c, path, query, pageSize, func(a, b idOnly) bool { return a.ID != "" && a.ID == b.ID })
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	return ids, nil
}

type idOnly struct {
	ID string `json:"id"`
}

// listPages is List's paging, for pages decoded into T; same tells a page
// that begins with the first page's first object (a server ignoring
// first) from the next one.
func listPages[T any](ctx context.Context, c *Client, path string, query url.Values, pageSize int, same func(a, b T) bool) ([]T, error) {
	if pageSize <= 0 {
		pageSize = defaultPageSize
	}
	all := make([]T, 0)
	for first := 0; ; {
		q := url.Values{}
		for k, v := range query {
			q[k] = append([]string(nil), v...)
		}
		q.Set("first", strconv.Itoa(first))
		q.Set("max", strconv.Itoa(pageSize))
		var page []T
		if err := c.Get(ctx, path, q, &page); err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return all, nil
		}
		if first > 0 && same(page[0], all[0]) {
			// The server ignored first: this page is the first page again.
			return all, nil
		}
		all = append(all, page...)
		if len(page) != pageSize {
			return all, nil
		}
		first += len(page)
	}
}

// Post creates something and returns the id Keycloak puts as the last
// segment of the Location header (unescaped), or "" when there is none.
// POST is never retried once the request may have reached the server: a
// replayed create either duplicates the object or fails with 409 although
// the first attempt succeeded.
func (c *Client) Post(ctx context.Context, path string, body any) (string, error) {
	resp, err := c.do(ctx, http.MethodPost, path, nil, body)
	if err != nil {
		return "", err
	}
	return idFromLocation(resp.Header().Get("Location")), nil
}

// Action POSTs a request for the server to do something (test an LDAP
// connection, sync users) and decodes its JSON answer into out (nil: the
// answer is not read). Like Post, it is never retried once it may have
// reached the server.
func (c *Client) Action(ctx context.Context, path string, query url.Values, body, out any) error {
	resp, err := c.do(ctx, http.MethodPost, path, query, body)
	if err != nil || out == nil || len(resp.Body()) == 0 {
		return err
	}
	if err := json.Unmarshal(resp.Body(), out); err != nil {
		return fmt.Errorf("POST %s: decoding the answer: %w", showPath(path), err)
	}
	return nil
}

// ReadPost is the counter of POSTs that only read (Counts, Export).
const ReadPost = "READ-POST"

// Export POSTs a request that reads and changes nothing (Keycloak's
// partial export is a POST) and decodes its JSON answer into out. It is
// counted apart from the writes (Counts()[ReadPost], not in Writes), so a
// dry run may make it, and it is retried like a GET.
func (c *Client) Export(ctx context.Context, path string, query url.Values, out any) error {
	resp, err := c.do(ctx, ReadPost, path, query, nil)
	if err != nil {
		return err
	}
	return decode(http.MethodPost, path, resp.Body(), out)
}

// Put replaces or updates path with body. Many Keycloak PUTs are full
// replacements (clients, users): send the merged live object, never a
// sparse one.
func (c *Client) Put(ctx context.Context, path string, body any) error {
	_, err := c.do(ctx, http.MethodPut, path, nil, body)
	return err
}

// Delete deletes path. body may be nil; role-mapping and composite
// endpoints take the roles to remove as a JSON body on DELETE.
func (c *Client) Delete(ctx context.Context, path string, body any) error {
	_, err := c.do(ctx, http.MethodDelete, path, nil, body)
	return err
}

// Counts returns the number of HTTP attempts made so far by method ("GET",
// "POST", "PUT", "DELETE"); every retry counts as an attempt. Token requests
// are counted under "TOKEN" only.
func (c *Client) Counts() map[string]int64 {
	return map[string]int64{
		http.MethodGet:    c.nGet.Load(),
		http.MethodPost:   c.nPost.Load(),
		http.MethodPut:    c.nPut.Load(),
		http.MethodDelete: c.nDelete.Load(),
		ReadPost:          c.nReadPost.Load(),
		"TOKEN":           c.nToken.Load(),
	}
}

// ResetCounts sets every counter back to zero.
func (c *Client) ResetCounts() {
	for _, n := range []*atomic.Int64{&c.nGet, &c.nPost, &c.nPut, &c.nDelete, &c.nToken, &c.nReadPost} {
		n.Store(0)
	}
}

// Writes is the number of POST, PUT and DELETE attempts (tokens excluded):
// the figure a dry run or an idempotent second apply must keep at zero.
func (c *Client) Writes() int64 {
	return c.nPost.Load() + c.nPut.Load() + c.nDelete.Load()
}

func (c *Client) count(method string) {
	switch method {
	case http.MethodGet:
		c.nGet.Add(1)
	case http.MethodPost:
		c.nPost.Add(1)
	case http.MethodPut:
		c.nPut.Add(1)
	case http.MethodDelete:
		c.nDelete.Add(1)
	case ReadPost:
		c.nReadPost.Add(1)
	case "TOKEN":
		c.nToken.Add(1)
	}
}

// endpoint builds the absolute URL of an admin path and checks that the
// caller's escaping parses, so that a bad path fails before any retry loop.
func (c *Client) endpoint(path string) (string, error) {
	var u string
	if strings.HasPrefix(path, "/realms/") || strings.HasPrefix(path, "/admin/") {
		u = c.base + path // an extension's API beside the realm's pages, or /admin/serverinfo
	} else if p := strings.TrimPrefix(path, "/"); p != "" {
		u = c.base + "/admin/realms/" + p
	} else {
		u = c.base + "/admin/realms"
	}
	if _, err := url.Parse(u); err != nil {
		return "", err
	}
	return u, nil
}

// do runs one API call: token, attempts, retries, one re-authentication on
// 401. It returns the successful response or an error that never contains
// credentials or request bodies.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any) (*resty.Response, error) {
	u, err := c.endpoint(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: bad path: %w", method, showPath(path), err)
	}
	payload, err := encodeBody(body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encode body: %w", method, showPath(path), err)
	}
	reauthed := false
	for retries := 0; ; {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, showPath(path), err)
		}
		c.count(method)
		start := time.Now()
		req := c.rc.R().
			SetContext(ctx).
			SetHeader("Authorization", "Bearer "+tok).
			SetHeader("Accept", "application/json")
		if len(query) > 0 {
			req.SetQueryParamsFromValues(query)
		}
		if payload != nil {
			req.SetHeader("Content-Type", "application/json").SetBody(payload)
		}
		resp, err := req.Execute(verb(method), u)
		if err != nil {
			c.debug(ctx, method, path, query, 0, time.Since(start), retries, err)
			if ctx.Err() == nil && retries < c.maxRetries && retryableTransport(method, err) {
				if serr := c.sleep(ctx, c.backoff(retries)); serr != nil {
					return nil, fmt.Errorf("%s %s: %w", method, showPath(path), serr)
				}
				retries++
				continue
			}
			return nil, fmt.Errorf("%s %s: %w", method, showPath(path), err)
		}
		status := resp.StatusCode()
		c.debug(ctx, method, path, query, status, time.Since(start), retries, nil)
		switch {
		case status >= 200 && status < 300:
			return resp, nil
		case status == http.StatusUnauthorized && !reauthed:
			// The token expired early, was revoked, or the server restarted
			// with new keys: authenticate from scratch and try once more.
			reauthed = true
			c.invalidate(tok)
			continue
		case retries < c.maxRetries && retryableStatus(method, status):
			d := c.backoff(retries)
			if ra, ok := retryAfter(resp.Header().Get("Retry-After"), time.Now()); ok && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
				d = min(ra, c.retryAfterCap)
			}
			if serr := c.sleep(ctx, d); serr != nil {
				return nil, fmt.Errorf("%s %s: %w", method, showPath(path), serr)
			}
			retries++
			continue
		}
		return nil, c.apiError(method, path, status, resp.Body(), tok)
	}
}

// verb is the HTTP method of a counted method: a ReadPost is a POST.
func verb(method string) string {
	if method == ReadPost {
		return http.MethodPost
	}
	return method
}

func (c *Client) debug(ctx context.Context, method, path string, query url.Values, status int, d time.Duration, retry int, err error) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"method", method, "path", path, "status", status, "duration", d}
	if len(query) > 0 {
		// Which page, and brief or full: what a request costs the server
		// depends on it. Secrets never travel in a query.
		attrs = append(attrs, "query", query.Encode())
	}
	if retry > 0 {
		attrs = append(attrs, "retry", retry)
	}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	c.log.DebugContext(ctx, "keycloak request", attrs...)
}

// encodeBody marshals a request body once so that retries resend identical
// bytes. []byte and json.RawMessage are taken as already-encoded JSON.
func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	}
	return json.Marshal(body)
}

func decode(method, path string, data []byte, out any) error {
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = append((*raw)[:0], data...)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, showPath(path), err)
	}
	return nil
}

// idFromLocation returns the unescaped last path segment of a Location
// header: Keycloak answers a create with 201 and the new object's URL, and
// for most objects that is the only way to learn the generated id.
func idFromLocation(loc string) string {
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	seg := p[strings.LastIndex(p, "/")+1:]
	if s, err := url.PathUnescape(seg); err == nil {
		return s
	}
	return seg
}

// quietLogger keeps resty from writing to stderr on its own.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Warnf(string, ...interface{})  {}
func (quietLogger) Debugf(string, ...interface{}) {}
