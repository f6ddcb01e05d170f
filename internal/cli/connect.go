package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/admin"
)

// connFlags are the settings shared by every command that talks to a
// server. Precedence: flags, then environment variables, then the config
// file (realmsync.yaml in the working directory, or --config).
type connFlags struct {
	fs                                                             *pflag.FlagSet // to tell a flag given as 0 from one not given
	url, authRealm, user, password, clientID, clientSecret, caFile string
	clientCert, clientKey                                          string
	config, logFormat, logLevel                                    string
	insecure, verbose                                              bool
	// logSink is the stream under stderr's JSON lines, where the admin
	// client's own JSON records go (nil: stderr itself).
	logSink io.Writer
	timeout time.Duration
	// wait is how long the first connection is retried (0: not at all).
	wait time.Duration
}

func (c *connFlags) register(fs *pflag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.url, "url", "", "Keycloak base URL, e.g. https://sso.example.com (env KEYCLOAK_URL)")
	fs.StringVar(&c.authRealm, "auth-realm", "", "realm to authenticate against (env KEYCLOAK_AUTH_REALM, default master)")
	fs.StringVar(&c.user, "user", "", "admin user for the password grant (env KEYCLOAK_USER)")
	fs.StringVar(&c.password, "password", "", "admin password; prefer the environment (env KEYCLOAK_PASSWORD)")
	fs.StringVar(&c.clientID, "client-id", "", "client for the client-credentials grant (env KEYCLOAK_CLIENT_ID)")
	fs.StringVar(&c.clientSecret, "client-secret", "", "its secret; prefer the environment (env KEYCLOAK_CLIENT_SECRET)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates to trust (env KEYCLOAK_CA_FILE)")
	fs.StringVar(&c.clientCert, "client-cert", "", "PEM client certificate for mTLS in front of the admin API (env KEYCLOAK_CLIENT_CERT)")
	fs.StringVar(&c.clientKey, "client-key", "", "PEM key of --client-cert (env KEYCLOAK_CLIENT_KEY)")
	fs.BoolVar(&c.insecure, "insecure-skip-tls-verify", false, "do not verify the server's TLS certificate (unsafe)")
	fs.DurationVar(&c.wait, "wait", 0, "wait up to this long for the server to be ready (discovery document served, login accepted), retrying with backoff")
	fs.DurationVar(&c.timeout, "timeout", 0, "timeout of one HTTP request (default 60s)")
	fs.StringVar(&c.config, "config", "", "config file with connection settings (default ./"+DefaultConfigFile+" when present)")
	fs.BoolVarP(&c.verbose, "verbose", "V", false, "report the requests made, by method, on stderr")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&c.logLevel, "log-level", "warn", "log level: debug, info, warn or error (debug logs every request, never tokens or bodies)")
}

func (c *connFlags) resolve(env Env) (admin.Config, error) {
	path, named := c.config, c.config != ""
	if !named {
		path = DefaultConfigFile
	}
	file, err := readConfig(path, named)
	if err != nil {
		return admin.Config{}, err
	}
	pick := func(flag, name, fromFile, def string) string {
		if flag != "" {
			return flag
		}
		if v, ok := env(name); ok && v != "" {
			return v
		}
		if fromFile != "" {
			return fromFile
		}
		return def
	}
	timeout := c.timeout
	if timeout == 0 {
		timeout = file.Timeout
	}
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	return admin.Config{
		BaseURL:               pick(c.url, "KEYCLOAK_URL", file.URL, ""),
		AuthRealm:             pick(c.authRealm, "KEYCLOAK_AUTH_REALM", file.AuthRealm, "master"),
		Username:              pick(c.user, "KEYCLOAK_USER", file.User, ""),
		Password:              pick(c.password, "KEYCLOAK_PASSWORD", file.Password, ""),
		ClientID:              pick(c.clientID, "KEYCLOAK_CLIENT_ID", file.ClientID, ""),
		ClientSecret:          pick(c.clientSecret, "KEYCLOAK_CLIENT_SECRET", file.ClientSecret, ""),
		CAFile:                pick(c.caFile, "KEYCLOAK_CA_FILE", file.CAFile, ""),
		ClientCertFile:        pick(c.clientCert, "KEYCLOAK_CLIENT_CERT", file.ClientCert, ""),
		ClientKeyFile:         pick(c.clientKey, "KEYCLOAK_CLIENT_KEY", file.ClientKey, ""),
		InsecureSkipTLSVerify: c.insecure || file.InsecureSkipTLSVerify,
		Timeout:               timeout,
	}, nil
}

// logger builds the structured logger every stage logs to (stderr).
func (c *connFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: want debug, info, warn or error, got %q", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: want text or json, got %q", c.logFormat)
}

func (c *connFlags) connect(ctx context.Context, env Env, stderr io.Writer) (*admin.Client, error) {
	if c.timeout < 0 || (c.timeout == 0 && c.fs != nil && c.fs.Changed("timeout")) {
		return nil, fmt.Errorf("--timeout %v: want a duration above zero (default 60s)", c.timeout)
	}
	cfg, err := c.resolve(env)
	if err != nil {
		return nil, err
	}
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("no server: set --url or KEYCLOAK_URL")
	}
	if cfg.ClientSecret == "" && (cfg.Username == "" || cfg.Password == "") {
		return nil, fmt.Errorf("no credentials: set KEYCLOAK_USER and KEYCLOAK_PASSWORD, or KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET")
	}
	if c.logSink != nil {
		stderr = c.logSink
	}
	if cfg.Logger, err = c.logger(stderr); err != nil {
		return nil, err
	}
	if c.wait < 0 {
		return nil, fmt.Errorf("--wait %v: want a duration of zero or more", c.wait)
	}
	api, err := admin.New(cfg)
	if err != nil || c.wait == 0 {
		return api, err
	}
	return api, waitReady(ctx, api, cfg.BaseURL, c.wait, cfg.Logger)
}

// waitReady retries the server's readiness (admin.Ready) until it holds
// or the wait is over, doubling the pause from one second up to ten, and
// logs a line per failed attempt, for jobs that start beside Keycloak
// (a Kubernetes Job next to its Deployment, a compose service).
func waitReady(ctx context.Context, api *admin.Client, url string, wait time.Duration, log *slog.Logger) error {
	start := time.Now()
	deadline := start.Add(wait)
	pause := time.Second
	for attempt := 1; ; attempt++ {
		err := api.Ready(ctx)
		if err == nil {
			if attempt > 1 {
				log.Warn("Keycloak is ready", "url", url, "attempts", attempt, "waited", time.Since(start).Round(time.Second).String())
			}
			return nil
		}
		var nr *admin.NotReady
		if errors.As(err, &nr) && nr.Final {
			return fmt.Errorf("%s is up, but: %w", url, err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%s was not ready after waiting %v (--wait): %w", url, wait, err)
		}
		log.Warn("waiting for Keycloak", "url", url, "attempt", attempt, "waited", time.Since(start).Round(time.Second).String(), "of", wait.String(), "reason", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(pause, left)):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

// reportRequests prints the request counts that --verbose promises.
func (c *connFlags) reportRequests(w io.Writer, api *admin.Client) {
	if !c.verbose || api == nil {
		return
	}
	counts := api.Counts()
	fmt.Fprintf(w, "requests:")
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "TOKEN"} {
		fmt.Fprintf(w, " %s %d", m, counts[m])
	}
	if n := counts[admin.ReadPost]; n > 0 {
		fmt.Fprintf(w, " (and %d read-only POSTs: the partial export)", n)
	}
	fmt.Fprintln(w)
	if kb, ok := peakMemoryKiB(); ok {
		fmt.Fprintf(w, "peak memory: %d KiB\n", kb)
	}
}

// noProgress reports whether terminal effects are switched off by NO_COLOR.
func (c *connFlags) noProgress(env Env) bool {
	v, ok := env("NO_COLOR")
	return ok && v != ""
}
