package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/realmsync/realmsync/internal/admin"
)

// connFlags are the connection settings shared by every command that talks
// to a server. Flags win over environment variables.
type connFlags struct {
	url, authRealm, user, password, clientID, clientSecret, caFile string
	insecure, verbose                                              bool
	timeout                                                        time.Duration
}

func (c *connFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "Keycloak base URL, e.g. https://sso.example.com (env KEYCLOAK_URL)")
	fs.StringVar(&c.authRealm, "auth-realm", "", "realm to authenticate against (env KEYCLOAK_AUTH_REALM, default master)")
	fs.StringVar(&c.user, "user", "", "admin user for the password grant (env KEYCLOAK_USER)")
	fs.StringVar(&c.password, "password", "", "admin password; prefer the environment (env KEYCLOAK_PASSWORD)")
	fs.StringVar(&c.clientID, "client-id", "", "client for the client-credentials grant (env KEYCLOAK_CLIENT_ID)")
	fs.StringVar(&c.clientSecret, "client-secret", "", "its secret; prefer the environment (env KEYCLOAK_CLIENT_SECRET)")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM file of CA certificates to trust (env KEYCLOAK_CA_FILE)")
	fs.BoolVar(&c.insecure, "insecure-skip-tls-verify", false, "do not verify the server's TLS certificate (unsafe)")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "timeout of one HTTP request")
	fs.BoolVarP(&c.verbose, "verbose", "V", false, "report the requests made, by method, on stderr")
}

func (c *connFlags) resolve(env Env) admin.Config {
	pick := func(flag, name, def string) string {
		if flag != "" {
			return flag
		}
		if v, ok := env(name); ok && v != "" {
			return v
		}
		return def
	}
	return admin.Config{
		BaseURL:               pick(c.url, "KEYCLOAK_URL", ""),
		AuthRealm:             pick(c.authRealm, "KEYCLOAK_AUTH_REALM", "master"),
		Username:              pick(c.user, "KEYCLOAK_USER", ""),
		Password:              pick(c.password, "KEYCLOAK_PASSWORD", ""),
		ClientID:              pick(c.clientID, "KEYCLOAK_CLIENT_ID", ""),
		ClientSecret:          pick(c.clientSecret, "KEYCLOAK_CLIENT_SECRET", ""),
		CAFile:                pick(c.caFile, "KEYCLOAK_CA_FILE", ""),
		InsecureSkipTLSVerify: c.insecure,
		Timeout:               c.timeout,
	}
}

func (c *connFlags) connect(env Env) (*admin.Client, error) {
	cfg := c.resolve(env)
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("no server: set --url or KEYCLOAK_URL")
	}
	if cfg.ClientSecret == "" && (cfg.Username == "" || cfg.Password == "") {
		return nil, fmt.Errorf("no credentials: set KEYCLOAK_USER and KEYCLOAK_PASSWORD, or KEYCLOAK_CLIENT_ID and KEYCLOAK_CLIENT_SECRET")
	}
	return admin.New(cfg)
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
	fmt.Fprintln(w)
}
