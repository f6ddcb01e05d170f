// Package federation asks Keycloak to act on user federation providers,
// beside the configuration the engine applies: test a provider's
// connection and bind before a sync writes anything, and sync its users
// after. It is its own package because neither belongs to a stage of the
// data flow: the plan says which providers change, this acts on them.
package federation

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// API is what the package needs of the admin client.
type API interface {
	Get(ctx context.Context, path string, query url.Values, out any) error
	Action(ctx context.Context, path string, query url.Values, body, out any) error
}

// Mode is a user sync's scope.
type Mode string

const (
	// Full imports every user of the directory (triggerFullSync).
	Full Mode = "full"
	// Changed imports the users changed since the last sync.
	Changed Mode = "changed"
	// AllFull is a full sync of every provider the files declare, changed
	// or not.
	AllFull Mode = "all-full"
)

// ParseMode reads --sync-user-federation's value ("" is none).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "", Full, Changed, AllFull:
		return m, nil
	}
	return "", fmt.Errorf("--sync-user-federation %q: want full, changed or all-full", s)
}

// Provider is one user storage provider of one realm.
type Provider struct {
	Realm, Name string
	// Fields are the provider's settings in the files' flat shape: the
	// desired ones over the live ones.
	Fields model.Object
	// ID is the server's id, "" when not known yet.
	ID string
	// NewRealm: the realm does not exist yet (the sync creates it).
	NewRealm bool
}

// Changing lists the providers a plan creates or updates (or whose
// mappers it changes), in plan order: those a connection test checks and
// a changed-providers sync syncs.
func Changing(p *plan.Plan, live map[string]*model.Realm) []Provider {
	seen := map[[2]string]bool{}
	var out []Provider
	for _, a := range p.Actions {
		if a.Verb == plan.Delete {
			continue
		}
		name := ""
		switch a.Kind {
		case model.KindFederation:
			name = a.Key
		case model.KindFederationMapper:
			name = model.ParentKey(a.Key)
		default:
			continue
		}
		if seen[[2]string{a.Realm, name}] {
			continue
		}
		seen[[2]string{a.Realm, name}] = true
		fields := model.Object{}
		var id string
		lr := live[a.Realm]
		if lr != nil {
			if l := lr.Get(model.KindFederation, name); l != nil {
				fields, id = model.DeepCopy(l.Fields).(map[string]any), l.ID
			}
		}
		if a.Kind == model.KindFederation && a.Desired != nil {
			for f, v := range a.Desired.Fields {
				fields[f] = model.DeepCopy(v)
			}
		}
		out = append(out, Provider{Realm: a.Realm, Name: name, Fields: fields, ID: id, NewRealm: lr == nil})
	}
	return out
}

// Declared lists every provider the desired realms declare, by realm and
// name.
func Declared(desired map[string]*model.Realm) []Provider {
	var out []Provider
	for _, realm := range model.SortedKeys(desired) {
		for _, e := range desired[realm].Sorted(model.KindFederation) {
			out = append(out, Provider{Realm: realm, Name: e.Key, Fields: e.Fields})
		}
	}
	return out
}

// TestConnections asks Keycloak to connect to and bind at each LDAP
// provider's directory with the settings the sync would write
// (testLDAPConnection), and reports every one that fails, by name.
func TestConnections(ctx context.Context, api API, providers []Provider) error {
	var failed []string
	for _, p := range providers {
		if p.Fields["providerId"] != "ldap" {
			continue // Kerberos has no such test
		}
		if err := testLDAP(ctx, api, p); err != nil {
			failed = append(failed, fmt.Sprintf("user federation provider %q of realm %s: %v", p.Name, p.Realm, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the connection test failed, nothing was written:\n  %s", strings.Join(failed, "\n  "))
	}
	return nil
}

func testLDAP(ctx context.Context, api API, p Provider) error {
	body := map[string]any{"action": "testAuthentication"}
	for _, f := range []string{"connectionUrl", "bindDn", "bindCredential", "useTruststoreSpi", "connectionTimeout", "startTls", "authType"} {
		if v, ok := p.Fields[f]; ok && v != nil {
			body[f] = model.ScalarString(v)
		}
	}
	if body["authType"] == "none" {
		body["action"] = "testConnection"
	}
	if p.ID != "" {
		// With the mask, Keycloak binds with the credential it stores.
		body["componentId"] = p.ID
	}
	if _, ok := body["bindCredential"]; !ok || model.Masked(body["bindCredential"]) {
		body["bindCredential"] = model.MaskedSecret
	}
	at := p.Realm
	if p.NewRealm {
		at = "master" // the test needs a realm, and this one is not made yet
	}
	err := api.Action(ctx, url.PathEscape(at)+"/testLDAPConnection", nil, body, nil)
	if err != nil {
		return fmt.Errorf("binding as %v at %v: %w", body["bindDn"], body["connectionUrl"], err)
	}
	return nil
}

// Result is what one provider's user sync did.
type Result struct {
	Realm, Provider string
	Mode            Mode
	Added           int
	Updated         int
	Removed         int
	Failed          int
	Ignored         bool
	Status          string
	Err             error
}

func (r Result) String() string {
	if r.Err != nil {
		return fmt.Sprintf("realm %s, user federation provider %q (%s sync): %v", r.Realm, r.Provider, r.Mode, r.Err)
	}
	if r.Ignored {
		return fmt.Sprintf("realm %s, user federation provider %q (%s sync): ignored by Keycloak (the provider is disabled or does not import users, or a sync is running)", r.Realm, r.Provider, r.Mode)
	}
	return fmt.Sprintf("realm %s, user federation provider %q (%s sync): %d imported, %d updated, %d removed, %d failed",
		r.Realm, r.Provider, r.Mode, r.Added, r.Updated, r.Removed, r.Failed)
}

// Sync triggers a user sync of each provider, one at a time (a sync
// holds the directory and the database), and returns each one's result;
// the error lists the providers whose sync failed or had failures.
func Sync(ctx context.Context, api API, providers []Provider, mode Mode) ([]Result, error) {
	action := "triggerFullSync"
	if mode == Changed {
		action = "triggerChangedUsersSync"
	}
	if mode == AllFull {
		mode = Full
	}
	sort.SliceStable(providers, func(i, j int) bool {
		return providers[i].Realm < providers[j].Realm || (providers[i].Realm == providers[j].Realm && providers[i].Name < providers[j].Name)
	})
	var results []Result
	var failed []string
	for _, p := range providers {
		res := Result{Realm: p.Realm, Provider: p.Name, Mode: mode}
		id, err := providerID(ctx, api, p)
		if err == nil {
			var answer struct {
				Ignored bool   `json:"ignored"`
				Added   int    `json:"added"`
				Updated int    `json:"updated"`
				Removed int    `json:"removed"`
				Failed  int    `json:"failed"`
				Status  string `json:"status"`
			}
			err = api.Action(ctx, url.PathEscape(p.Realm)+"/user-storage/"+url.PathEscape(id)+"/sync", url.Values{"action": {action}}, nil, &answer)
			res.Added, res.Updated, res.Removed, res.Failed, res.Ignored, res.Status = answer.Added, answer.Updated, answer.Removed, answer.Failed, answer.Ignored, answer.Status
			if err == nil && res.empty() {
				err = confirmEmptySync(ctx, api, p.Realm, id)
			}
		}
		res.Err = err
		if err != nil || res.Failed > 0 {
			failed = append(failed, res.String())
		}
		results = append(results, res)
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("user federation sync failed:\n  %s", strings.Join(failed, "\n  "))
	}
	return results, nil
}

func (r Result) empty() bool {
	return !r.Ignored && r.Added == 0 && r.Updated == 0 && r.Removed == 0 && r.Failed == 0
}

// confirmEmptySync tells a sync that found nothing to do from one that
// could not reach the directory: Keycloak 26 answers both alike (200,
// all counts zero) and only logs the failure, so an empty answer from an
// LDAP provider is checked with a bind, with the settings and the
// credential Keycloak stores.
func confirmEmptySync(ctx context.Context, api API, realm, id string) error {
	var stored struct {
		Name       string              `json:"name"`
		ProviderID string              `json:"providerId"`
		Config     map[string][]string `json:"config"`
	}
	if err := api.Get(ctx, url.PathEscape(realm)+"/components/"+url.PathEscape(id), nil, &stored); err != nil {
		return fmt.Errorf("reading the provider after its sync: %w", err)
	}
	if stored.ProviderID != "ldap" {
		return nil
	}
	fields := model.Object{"providerId": stored.ProviderID}
	for k, v := range stored.Config {
		if len(v) > 0 && k != "bindCredential" {
			fields[k] = v[0]
		}
	}
	if err := testLDAP(ctx, api, Provider{Realm: realm, Name: stored.Name, ID: id, Fields: fields}); err != nil {
		return fmt.Errorf("Keycloak reported an empty sync, and it cannot bind to the directory: %w", err)
	}
	return nil
}

// providerID is the provider's server id, looked up by name when the
// plan's read did not have it (a provider created by this sync).
func providerID(ctx context.Context, api API, p Provider) (string, error) {
	if p.ID != "" {
		return p.ID, nil
	}
	var found []map[string]any
	q := url.Values{"type": {model.UserStorageType}, "name": {p.Name}}
	if err := api.Get(ctx, url.PathEscape(p.Realm)+"/components", q, &found); err != nil {
		return "", fmt.Errorf("looking up the provider: %w", err)
	}
	for _, c := range found {
		if c["name"] == p.Name {
			if id, _ := c["id"].(string); id != "" {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("no such provider on the server")
}
