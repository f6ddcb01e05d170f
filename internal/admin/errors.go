package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// APIError is a non-2xx answer from Keycloak. Path is the admin path as the
// caller gave it (relative to /admin/realms/); for token requests it is the
// token endpoint's path from the base URL, starting with "/".
type APIError struct {
	Method, Path string
	Status       int
	// Message is Keycloak's own explanation (errorMessage, error_description
	// or error from the JSON body), else a trimmed snippet of the body. It
	// never contains the token or the request body.
	Message string
}

// Error reads like `PUT acme/clients/123: 409 Conflict: Client web already exists`.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(showPath(e.Path))
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Status))
	if t := http.StatusText(e.Status); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// NotFound lets packages that only see an interface (the live reader)
// recognise a missing object without depending on this package.
func (e *APIError) NotFound() bool { return e.Status == http.StatusNotFound }

// Answered reports that Keycloak itself answered, so the request was
// carried out or refused as the status says. A gateway's 502 or 504 (like
// a lost connection or a timeout, which are no APIError) leaves open
// whether the server behind it acted.
func (e *APIError) Answered() bool {
	return e.Status != http.StatusBadGateway && e.Status != http.StatusGatewayTimeout
}

// Conflict reports Keycloak's answer to creating an object whose natural
// key is taken, for packages that only see an interface.
func (e *APIError) Conflict() bool { return e.Status == http.StatusConflict }

// BadRequest reports a 400: Keycloak refused the request as it was.
func (e *APIError) BadRequest() bool { return e.Status == http.StatusBadRequest }

// Forbidden reports a 403: the account lacks a role the call needs.
func (e *APIError) Forbidden() bool { return e.Status == http.StatusForbidden }

// IsNotFound reports whether err is (or wraps) an API answer 404: the usual
// way to learn that an object does not exist yet.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports whether err is (or wraps) an API answer 409: Keycloak's
// answer to creating an object whose natural key is taken.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// showPath names a path in messages; the empty path (the realm collection)
// would otherwise read as a missing word.
func showPath(p string) string {
	if p == "" {
		return "(realms)"
	}
	return p
}

func hasStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}

// apiError builds the error for a failed answer and scrubs the credentials
// in play (the configured secrets plus the tokens the caller used) in case
// the server echoed them back: proxies and debug pages sometimes reflect
// request headers into their error bodies. It does not take c.mu, because
// the token path calls it with c.mu held.
func (c *Client) apiError(method, path string, status int, body []byte, usedTokens ...string) *APIError {
	secrets := append([]string{c.cfg.Password, c.cfg.ClientSecret}, usedTokens...)
	if known := c.secrets.Load(); known != nil {
		secrets = append(secrets, *known...)
	}
	msg := redact(errorMessage(body), secrets)
	return &APIError{Method: method, Path: path, Status: status, Message: msg}
}

// AddSecrets names values to scrub from every error message, in case a
// server or proxy echoes a request body back (a desired client secret in
// a 400's body, a password in a form).
func (c *Client) AddSecrets(values ...string) {
	for {
		old := c.secrets.Load()
		next := append([]string(nil), values...)
		if old != nil {
			next = append(next, *old...)
		}
		if c.secrets.CompareAndSwap(old, &next) {
			return
		}
	}
}

// redact replaces each secret in msg, in every form a body or a URL may
// carry it: raw, JSON-escaped, URL-encoded (query and path).
func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		// Short values (a 1-character test password) would shred the
		// message without protecting anything.
		if len(s) < 4 {
			continue
		}
		js, _ := json.Marshal(s)
		for _, form := range []string{s, string(js[1 : len(js)-1]), url.QueryEscape(s), url.PathEscape(s)} {
			if strings.Contains(msg, form) {
				msg = strings.ReplaceAll(msg, form, "[redacted]")
			}
		}
	}
	return msg
}

// errorMessage extracts Keycloak's explanation from an error body. Keycloak
// answers admin errors with {"errorMessage": ...} (plus "field" for user
// profile validation, or a list under "errors"), OAuth errors with
// {"error": ..., "error_description": ...}, and some failures (proxies,
// Quarkus error pages) with HTML or plain text.
func errorMessage(body []byte) string {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return ""
	}
	var m map[string]any
	if json.Unmarshal([]byte(trimmed), &m) == nil {
		if msg := messageOf(m); msg != "" {
			return snippet(msg)
		}
		if list, ok := m["errors"].([]any); ok {
			var parts []string
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					if msg := messageOf(em); msg != "" {
						parts = append(parts, msg)
					}
				}
			}
			if len(parts) > 0 {
				return snippet(strings.Join(parts, "; "))
			}
		}
	}
	return snippet(strings.Join(strings.Fields(trimmed), " "))
}

func messageOf(m map[string]any) string {
	for _, k := range []string{"errorMessage", "error_description", "error"} {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			s = strings.TrimSpace(s)
			if f, ok := m["field"].(string); ok && f != "" && k == "errorMessage" {
				s = f + ": " + s
			}
			return s
		}
	}
	return ""
}

func snippet(s string) string {
	if utf8.RuneCountInString(s) <= errorSnippetMax {
		return s
	}
	r := []rune(s)
	return string(r[:errorSnippetMax]) + "…"
}
