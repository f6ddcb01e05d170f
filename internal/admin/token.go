package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// tokenState is the cached admin token. Zero expiry times mean "unknown":
// the token is used until the server rejects it.
type tokenState struct {
	access          string
	expires         time.Time
	lifetime        time.Duration
	refresh         string
	refreshExpires  time.Time
	refreshLifetime time.Duration
}

type tokenResponse struct {
	AccessToken      string  `json:"access_token"`
	ExpiresIn        float64 `json:"expires_in"`
	RefreshToken     string  `json:"refresh_token"`
	RefreshExpiresIn float64 `json:"refresh_expires_in"`
}

// margin is how long before expiry a token stops being used. Master tokens
// live 60 s, so 15 s ahead; a token issued with a lifetime shorter than twice
// the margin is renewed at half its life instead of on every request.
func (c *Client) margin(lifetime time.Duration) time.Duration {
	if lifetime > 0 && lifetime/2 < c.refreshMargin {
		return lifetime / 2
	}
	return c.refreshMargin
}

func (c *Client) usable(now, expires time.Time, lifetime time.Duration) bool {
	return expires.IsZero() || now.Before(expires.Add(-c.margin(lifetime)))
}

// token returns an access token valid for at least the refresh margin,
// renewing it when needed. The mutex is held across the token request so that
// concurrent callers wait for one renewal instead of each starting their own
// (every password grant opens a new session in the auth realm).
func (c *Client) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.tok.access != "" && c.usable(now, c.tok.expires, c.tok.lifetime) {
		return c.tok.access, nil
	}
	if c.tok.refresh != "" && c.usable(now, c.tok.refreshExpires, c.tok.refreshLifetime) {
		form := url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {c.tok.refresh},
			"client_id":     {c.cfg.ClientID},
		}
		if c.cfg.ClientSecret != "" {
			form.Set("client_secret", c.cfg.ClientSecret)
		}
		err := c.grant(ctx, form)
		if err == nil {
			return c.tok.access, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
		// The session may have ended (idle timeout, logout, restart): a
		// fresh login is the fallback, not a failure.
	}
	if err := c.authenticate(ctx); err != nil {
		return "", err
	}
	return c.tok.access, nil
}

// RefreshToken discards the cached token and logs in again. Needed right
// after creating a realm: the roles granting access to it are added to the
// admin when the realm is created, but a token issued before carries the
// old role set and gets 403 for the new realm.
func (c *Client) RefreshToken(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tok = tokenState{}
	return c.authenticate(ctx)
}

// invalidate drops the cached token after a 401, unless another goroutine
// has already replaced it. The refresh token goes too: a 401 usually means
// the session behind it is gone.
func (c *Client) invalidate(used string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.access == used {
		c.tok = tokenState{}
	}
}

// authenticate performs the configured grant from scratch. c.mu must be held.
func (c *Client) authenticate(ctx context.Context) error {
	if err := c.login(ctx); err != nil {
		who := "user " + c.cfg.Username
		if c.cfg.ClientSecret != "" {
			who = "client " + c.cfg.ClientID
		}
		return &LoginError{Server: c.base, Realm: c.cfg.AuthRealm, Who: who, Err: err}
	}
	return nil
}

// LoginError is a failed login: the command can do nothing, and the error
// says so first, whichever request needed the token.
type LoginError struct {
	Server, Realm, Who string
	Err                error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("logging in to %s (realm %s, %s): %v", e.Server, e.Realm, e.Who, e.Err)
}

func (e *LoginError) Unwrap() error { return e.Err }

func (c *Client) login(ctx context.Context) error {
	form := url.Values{"client_id": {c.cfg.ClientID}}
	if c.cfg.ClientSecret != "" {
		form.Set("grant_type", "client_credentials")
		form.Set("client_secret", c.cfg.ClientSecret)
	} else {
		form.Set("grant_type", "password")
		form.Set("username", c.cfg.Username)
		form.Set("password", c.cfg.Password)
	}
	return c.grant(ctx, form)
}

// grant posts form to the token endpoint and stores the result. Token
// requests have no side effect worth protecting, so they are retried like a
// GET. c.mu must be held.
func (c *Client) grant(ctx context.Context, form url.Values) error {
	grantType := form.Get("grant_type")
	path := "/realms/" + url.PathEscape(c.cfg.AuthRealm) + "/protocol/openid-connect/token"
	const method = http.MethodPost
	for retries := 0; ; {
		c.count("TOKEN")
		issued := c.now()
		start := time.Now()
		resp, err := c.rc.R().
			SetContext(ctx).
			SetHeader("Accept", "application/json").
			SetFormDataFromValues(form).
			Post(c.tokenURL)
		if err != nil {
			c.debugToken(ctx, grantType, 0, time.Since(start), err)
			if ctx.Err() == nil && retries < c.maxRetries && retryableTransport(http.MethodGet, err) {
				if serr := c.sleep(ctx, c.backoff(retries)); serr != nil {
					return fmt.Errorf("token (%s grant): %w", grantType, serr)
				}
				retries++
				continue
			}
			return fmt.Errorf("token (%s grant): %w", grantType, err)
		}
		status := resp.StatusCode()
		c.debugToken(ctx, grantType, status, time.Since(start), nil)
		if status >= 200 && status < 300 {
			var tr tokenResponse
			if err := json.Unmarshal(resp.Body(), &tr); err != nil {
				return fmt.Errorf("token (%s grant): decode response: %w", grantType, err)
			}
			if tr.AccessToken == "" {
				return errors.New("token (" + grantType + " grant): response has no access_token")
			}
			c.tok = tokenState{access: tr.AccessToken, refresh: tr.RefreshToken}
			// Expiry is measured from before the request was sent, so the
			// local estimate errs on the early side.
			if tr.ExpiresIn > 0 {
				c.tok.lifetime = time.Duration(tr.ExpiresIn * float64(time.Second))
				c.tok.expires = issued.Add(c.tok.lifetime)
			}
			if tr.RefreshToken != "" && tr.RefreshExpiresIn > 0 {
				c.tok.refreshLifetime = time.Duration(tr.RefreshExpiresIn * float64(time.Second))
				c.tok.refreshExpires = issued.Add(c.tok.refreshLifetime)
			}
			return nil
		}
		if retries < c.maxRetries && retryableStatus(http.MethodGet, status) {
			d := c.backoff(retries)
			if ra, ok := retryAfter(resp.Header().Get("Retry-After"), time.Now()); ok && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
				d = min(ra, c.retryAfterCap)
			}
			if serr := c.sleep(ctx, d); serr != nil {
				return fmt.Errorf("token (%s grant): %w", grantType, serr)
			}
			retries++
			continue
		}
		return c.apiError(method, path, status, resp.Body(), form.Get("refresh_token"))
	}
}

func (c *Client) debugToken(ctx context.Context, grantType string, status int, d time.Duration, err error) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"grant", grantType, "status", status, "duration", d}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	c.log.DebugContext(ctx, "keycloak token request", attrs...)
}
