package admin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff is the wait before retry number n (0-based): 200 ms doubling up to
// 5 s, minus up to a quarter of random jitter so that parallel workers hit
// by the same outage do not come back in lockstep.
func (c *Client) backoff(n int) time.Duration {
	d := c.backoffBase
	for i := 0; i < n && d < c.backoffCap; i++ {
		d *= 2
	}
	d = min(d, c.backoffCap)
	if q := int64(d / 4); q > 0 {
		d -= time.Duration(rand.Int64N(q + 1))
	}
	return d
}

// retryableStatus says whether an answer is worth another attempt. 429
// means the request was turned away before it was processed (a rate
// limit), so every method retries it. Otherwise only idempotent methods
// are retried: a POST that got 502/504 from a proxy may well have created
// the object behind it. 500 is retried for GET only, where it is typically
// a transient database hiccup; for a write it is more often a
// deterministic rejection that would fail again.
func retryableStatus(method string, status int) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	if !idempotent(method) {
		return false
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusInternalServerError:
		return method == http.MethodGet || method == ReadPost
	}
	return false
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead, ReadPost:
		return true
	}
	return false
}

// retryableTransport says whether a transport error is worth another
// attempt. Idempotent methods are retried on any network failure except
// certificate problems, which do not heal. POST is retried only when the
// connection could not even be established (a dial error): only then is it
// certain that the server never saw the request.
func retryableTransport(method string, err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) {
		return false
	}
	// A TLS alert from the server (it wants a client certificate, or
	// refused ours) will be the same next time. crypto/tls reports one
	// as a net.OpError "remote error".
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return false
	}
	if idempotent(method) {
		return true
	}
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
