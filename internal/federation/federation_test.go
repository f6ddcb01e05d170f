package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// fakeAPI answers the few calls the package makes, as Keycloak 26 does:
// a sync answers counts, and an unreachable directory only shows in a
// connection test.
type fakeAPI struct {
	providerID string         // the stored provider's providerId
	answer     map[string]any // the sync's answer
	syncErr    error
	bindErr    error
	calls      []string
}

func (f *fakeAPI) Get(_ context.Context, path string, _ url.Values, out any) error {
	f.calls = append(f.calls, "GET "+path)
	return roundTrip(map[string]any{
		"name": "corp", "providerId": f.providerID,
		"config": map[string][]string{"connectionUrl": {"ldap://dir"}, "bindDn": {"cn=kc"}, "bindCredential": {"**********"}, "authType": {"simple"}},
	}, out)
}

func (f *fakeAPI) Action(_ context.Context, path string, q url.Values, body, out any) error {
	f.calls = append(f.calls, "POST "+path+" "+q.Encode())
	if strings.HasSuffix(path, "/testLDAPConnection") {
		b := body.(map[string]any)
		if b["componentId"] != "c1" || b["bindCredential"] != "**********" || b["connectionUrl"] != "ldap://dir" {
			return errors.New("the test should bind with the stored settings and credential")
		}
		return f.bindErr
	}
	if f.syncErr != nil {
		return f.syncErr
	}
	return roundTrip(f.answer, out)
}

func roundTrip(v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func TestSyncReportsFailures(t *testing.T) {
	zero := map[string]any{"added": 0, "updated": 0, "removed": 0, "failed": 0}
	for _, tc := range []struct {
		name       string
		api        fakeAPI
		wantErr    string // "" is success
		wantResult string
		wantBind   bool
	}{
		{name: "counts", api: fakeAPI{providerID: "ldap", answer: map[string]any{"added": 500, "updated": 2, "removed": 0, "failed": 0}},
			wantResult: "500 imported, 2 updated, 0 removed, 0 failed"},
		{name: "failed users", api: fakeAPI{providerID: "ldap", answer: map[string]any{"added": 3, "failed": 4}},
			wantErr: "3 imported, 0 updated, 0 removed, 4 failed"},
		{name: "error answer", api: fakeAPI{providerID: "ldap", syncErr: errors.New("500 Internal Server Error")},
			wantErr: "500 Internal Server Error"},
		{name: "empty and the directory binds", api: fakeAPI{providerID: "ldap", answer: zero},
			wantResult: "0 imported", wantBind: true},
		{name: "empty and the directory refuses the bind", api: fakeAPI{providerID: "ldap", answer: zero, bindErr: errors.New("AuthenticationFailure")},
			wantErr: "Keycloak reported an empty sync, and it cannot bind to the directory: binding as cn=kc at ldap://dir: AuthenticationFailure", wantBind: true},
		{name: "empty Kerberos: no bind to test", api: fakeAPI{providerID: "kerberos", answer: zero},
			wantResult: "0 imported"},
		{name: "ignored", api: fakeAPI{providerID: "ldap", answer: map[string]any{"ignored": true}},
			wantResult: "ignored by Keycloak"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := tc.api
			results, err := Sync(context.Background(), &api, []Provider{{Realm: "acme", Name: "corp", ID: "c1"}}, Changed)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `provider "corp"`)) {
				t.Fatalf("error %v, want one naming the provider and %q", err, tc.wantErr)
			}
			if len(results) != 1 || !strings.Contains(results[0].String(), tc.wantResult) {
				t.Errorf("results %v, want %q", results, tc.wantResult)
			}
			bound := strings.Contains(strings.Join(api.calls, "\n"), "testLDAPConnection")
			if bound != tc.wantBind {
				t.Errorf("connection tested: %v, want %v (calls %v)", bound, tc.wantBind, api.calls)
			}
		})
	}
}
