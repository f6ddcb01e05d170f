package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// NotReady is why Ready failed. Final: waiting longer cannot help (the
// server answered, and refused the credentials).
type NotReady struct {
	Err   error
	Final bool
}

func (e *NotReady) Error() string { return e.Err.Error() }
func (e *NotReady) Unwrap() error { return e.Err }

// Ready reports whether the server can be used now: its auth realm's
// OpenID discovery document is served (Keycloak answers it once the realm
// is loaded; a starting server or a proxy before it answers 503 or not at
// all) and a login succeeds. The error says which failed. It makes no
// retries of its own: a caller that waits (--wait) retries it.
func (c *Client) Ready(ctx context.Context) error {
	discovery := c.base + "/realms/" + url.PathEscape(c.cfg.AuthRealm) + "/.well-known/openid-configuration"
	resp, err := c.rc.R().SetContext(ctx).Get(discovery)
	if err != nil {
		return &NotReady{Err: fmt.Errorf("discovery document: %w", err)}
	}
	if resp.StatusCode() != http.StatusOK {
		return &NotReady{Err: fmt.Errorf("discovery document: %s", resp.Status())}
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.Unmarshal(resp.Body(), &doc); err != nil || doc.Issuer == "" {
		return &NotReady{Err: fmt.Errorf("discovery document: not an OpenID configuration (is %s a Keycloak?)", c.base)}
	}
	if err := c.RefreshToken(ctx); err != nil {
		var refused *APIError
		final := errors.As(err, &refused) && (refused.Status == http.StatusUnauthorized || refused.Status == http.StatusBadRequest || refused.Status == http.StatusForbidden)
		return &NotReady{Err: fmt.Errorf("login: %w", err), Final: final}
	}
	return nil
}
