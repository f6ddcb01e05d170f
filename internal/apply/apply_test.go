package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// fakeAPI records calls and answers from a small in-memory table. It is
// enough to check what apply sends, in which order; the end-to-end tests
// check that Keycloak accepts it.
type fakeAPI struct {
	mu      sync.Mutex // apply may call from several goroutines
	calls   []string
	objects map[string]map[string]any // path → object for GET
	fail    map[string]bool           // "METHOD path" → answer with an error
	// failDone: "METHOD path" → act, then answer with an error
	failDone map[string]bool
	// onPost, if set, runs after every POST (to interrupt a run).
	onPost func()
	// postErr: "POST path" → the error that POST answers
	postErr map[string]error
	// putRaces: how many PUTs of a path answer as if another writer
	// raced them, before they succeed
	putRaces map[string]int
	nextID   int
}

func newFake() *fakeAPI {
	return &fakeAPI{objects: map[string]map[string]any{}, fail: map[string]bool{}, failDone: map[string]bool{}}
}

func (f *fakeAPI) record(method, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method+" "+path)
	if f.fail[method+" "+path] {
		return refusal("server said no")
	}
	return nil
}

func (f *fakeAPI) Get(_ context.Context, path string, _ url.Values, out any) error {
	if err := f.record("GET", path); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	obj, ok := f.objects[path]
	if !ok {
		return notFoundError(path)
	}
	*(out.(*map[string]any)) = model.DeepCopy(obj).(map[string]any)
	return nil
}

func (f *fakeAPI) List(_ context.Context, path string, _ url.Values, _ int) ([]map[string]any, error) {
	return nil, f.record("LIST", path)
}

func (f *fakeAPI) Post(_ context.Context, path string, body any) (string, error) {
	if err := f.record("POST", path); err != nil {
		return "", err
	}
	if f.onPost != nil {
		f.onPost()
	}
	if err := f.postErr["POST "+path]; err != nil {
		return "", err
	}
	if strings.HasSuffix(path, "/roles") {
		// As Keycloak: a new role's Location ends in its name.
		return body.(map[string]any)["name"].(string), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return fmt.Sprintf("id%d", f.nextID), nil
}

func (f *fakeAPI) Put(_ context.Context, path string, body any) error {
	if err := f.record("PUT", path); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.putRaces[path] > 0 {
		f.putRaces[path]--
		return errors.New("400 Bad Request: jakarta.persistence.OptimisticLockException: Row was updated or deleted by another transaction")
	}
	if obj, ok := body.(map[string]any); ok { // per-reference PUTs have no body
		f.objects[path] = obj
	}
	return nil
}

func (f *fakeAPI) Delete(_ context.Context, path string, _ any) error {
	err := f.record("DELETE", path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failDone["DELETE "+path] {
		// The server acted, then answered with an error.
		delete(f.objects, path)
		return errors.New("500 Internal Server Error")
	}
	if err == nil {
		delete(f.objects, path)
	}
	return err
}

// refusal is an error Keycloak answered with (a 400, say): the request
// was refused, not lost.
type refusal string

func (e refusal) Error() string  { return string(e) }
func (e refusal) Answered() bool { return true }

// notFoundError is what the admin client returns for a 404.
type notFoundError string

func (e notFoundError) Error() string                 { return "GET " + string(e) + ": 404" }
func (e notFoundError) NotFound() bool                { return true }
func (f *fakeAPI) RefreshToken(context.Context) error { return f.record("TOKEN", "") }

func realm(t *testing.T, doc map[string]any) *model.Realm {
	t.Helper()
	c, err := model.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, errs := model.Decompose("acme", c.(map[string]any), model.NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return r
}

func planFor(t *testing.T, desired, live *model.Realm) *plan.Plan {
	t.Helper()
	desired.Policies[model.KindClient] = model.PolicyFull
	actions, err := diff.Realm(desired, live, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{}
	p.Add(actions...)
	return p
}

var liveDoc = map[string]any{
	"realm": "acme", "displayName": "Old",
	"clients": []any{
		map[string]any{"id": "c1", "clientId": "web", "authorizationServicesEnabled": true},
		map[string]any{"id": "c2", "clientId": "legacy"},
	},
	"roles": map[string]any{"realm": []any{map[string]any{"id": "r1", "name": "viewer"}}},
}

var desiredDoc = map[string]any{
	"realm": "acme", "displayName": "New",
	"clients": []any{
		map[string]any{"clientId": "web", "description": "changed"},
		map[string]any{"clientId": "api"},
	},
	"roles": map[string]any{
		"realm":  []any{map[string]any{"name": "viewer"}, map[string]any{"name": "editor", "composites": map[string]any{"realm": []any{"viewer"}}}},
		"client": map[string]any{"api": []any{map[string]any{"name": "read"}}},
	},
}

func TestApplyOrderAndWholeObjectUpdates(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme", "displayName": "Old", "enabled": true}
	f.objects["acme/clients/c1"] = map[string]any{"id": "c1", "clientId": "web", "authorizationServicesEnabled": true}
	f.objects["acme/roles/editor"] = map[string]any{"id": "r9", "name": "editor"}
	live := realm(t, liveDoc)
	p := planFor(t, realm(t, desiredDoc), live)
	if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET acme", "PUT acme", "GET acme", // the lease: written and read back
		"GET acme", "PUT acme", // the ownership record, with what the run is about to create, before any write
		"GET acme", "PUT acme", // realm settings
		"POST acme/clients",                          // client api
		"GET acme/clients/c1", "PUT acme/clients/c1", // client web
		"POST acme/roles",             // realm role editor
		"POST acme/clients/id1/roles", // client role api/read, under the id the create returned
		"GET acme/roles/editor",       // editor's id: roles answer with their name
		"POST acme/roles-by-id/r9/composites",
		"DELETE acme/clients/c2", // deletes last; the record written first holds the outcome
		"GET acme", "PUT acme",   // the lease given back
	}
	if d := cmp.Diff(want, f.calls); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	// The PUT carried the whole object: nothing the desired state leaves
	// out was dropped (a sparse client PUT disables authorization).
	if got := f.objects["acme/clients/c1"]; got["authorizationServicesEnabled"] != true || got["description"] != "changed" {
		t.Errorf("client PUT body %v: want live fields kept and desired ones overlaid", got)
	}
	if got := f.objects["acme"]; got["enabled"] != true || got["displayName"] != "New" {
		t.Errorf("realm PUT body %v", got)
	}
	// The record holds what this run created or adopted, not what it deleted.
	attrs, _ := f.objects["acme"]["attributes"].(map[string]any)
	owners, err := model.DecodeOwnership(attrs)
	if err != nil {
		t.Fatal(err)
	}
	want = nil
	for _, r := range owners[model.DefaultOwner].Sorted() {
		want = append(want, r.String())
	}
	if d := cmp.Diff([]string{`client "api"`, `client "web"`, `client role "api/read"`, `realm role "editor"`, `realm role "viewer"`}, want); d != "" {
		t.Errorf("ownership record (-want +got):\n%s", d)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFake()
	live := realm(t, liveDoc)
	p := planFor(t, realm(t, desiredDoc), live)
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{DryRun: true})
	if err != nil || len(f.calls) != 0 || res.Skipped != len(p.Actions) {
		t.Errorf("dry run: calls %v, result %+v, err %v", f.calls, res, err)
	}
}

func TestNoDeletesAfterAFailure(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.objects["acme/clients/c1"] = map[string]any{"id": "c1", "clientId": "web"}
	f.objects["acme/roles/editor"] = map[string]any{"id": "r9", "name": "editor"}
	f.fail["POST acme/clients"] = true // creating client api fails
	live := realm(t, liveDoc)
	p := planFor(t, realm(t, desiredDoc), live)
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{})
	if err == nil || !strings.Contains(err.Error(), `create client "api" in realm acme: server said no`) {
		t.Fatalf("error %v: want the failed create named", err)
	}
	for _, c := range f.calls {
		if strings.HasPrefix(c, "DELETE") {
			t.Errorf("delete issued after a failure: %v", f.calls)
		}
		if strings.Contains(c, "/roles") && strings.HasPrefix(c, "POST acme/clients/") {
			t.Errorf("client role created under a client that failed: %v", f.calls)
		}
	}
	// Independent work went on: web and the realm role were still done.
	if res.Failed != 1 || res.Done < 3 || res.Skipped < 2 {
		t.Errorf("result %+v: want 1 failed, the independent actions done, the client role and the delete skipped", res)
	}
}

// TestApplyConcurrently: with several actions at once, the same calls are
// made (in an order that only varies inside a wave), and the report comes
// out in plan order.
func TestApplyConcurrently(t *testing.T) {
	var wantCalls, wantReport []string
	for _, workers := range []int{1, 4} {
		f := newFake()
		f.objects["acme"] = map[string]any{"realm": "acme"}
		f.objects["acme/clients/c1"] = map[string]any{"id": "c1", "clientId": "web"}
		f.objects["acme/roles/editor"] = map[string]any{"id": "r9", "name": "editor"}
		live := realm(t, liveDoc)
		p := planFor(t, realm(t, desiredDoc), live)
		var report strings.Builder
		if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{Concurrency: workers, Progress: &report}); err != nil {
			t.Fatal(err)
		}
		calls := append([]string(nil), f.calls...)
		sort.Strings(calls)
		if workers == 1 {
			wantCalls, wantReport = calls, strings.Split(report.String(), "\n")
			continue
		}
		if d := cmp.Diff(wantCalls, calls); d != "" {
			t.Errorf("calls with %d workers (-one +many):\n%s", workers, d)
		}
		if d := cmp.Diff(wantReport, strings.Split(report.String(), "\n")); d != "" {
			t.Errorf("report with %d workers (-one +many):\n%s", workers, d)
		}
	}
}

// TestReferenceRemovalsBeforeAdditions: a scope moving between a client's
// lists leaves the one before it joins the other, and a declared empty
// list on a new client removes what Keycloak filled in.
func TestReferenceRemovalsBeforeAdditions(t *testing.T) {
	f := newFake()
	f.objects["acme/clients/c1"] = map[string]any{"id": "c1", "clientId": "web"}
	f.objects["acme/clients/id1"] = map[string]any{"id": "id1", "clientId": "spa", "optionalClientScopes": []any{"phone"}}
	f.objects["acme"] = map[string]any{"realm": "acme"}
	scopes := []any{
		map[string]any{"id": "s-address", "name": "address"},
		map[string]any{"id": "s-email", "name": "email"},
		map[string]any{"id": "s-phone", "name": "phone"},
	}
	live := realm(t, map[string]any{"realm": "acme", "clientScopes": scopes, "clients": []any{
		map[string]any{"id": "c1", "clientId": "web", "defaultClientScopes": []any{"email"}, "optionalClientScopes": []any{"address"}},
	}})
	desired := realm(t, map[string]any{"realm": "acme", "clients": []any{
		map[string]any{"clientId": "web", "defaultClientScopes": []any{"email", "address"}, "optionalClientScopes": []any{}},
		map[string]any{"clientId": "spa", "optionalClientScopes": []any{}},
	}})
	actions, err := diff.Realm(desired, live, diff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{}
	p.Add(actions...)
	if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{}); err != nil {
		t.Fatal(err)
	}
	var refCalls []string
	for _, c := range f.calls {
		if strings.Contains(c, "-client-scopes/") {
			refCalls = append(refCalls, c)
		}
	}
	want := []string{
		"DELETE acme/clients/id1/optional-client-scopes/s-phone", // spa: what Keycloak filled in
		"DELETE acme/clients/c1/optional-client-scopes/s-address",
		"PUT acme/clients/c1/default-client-scopes/s-address",
	}
	sort.Strings(refCalls[:2]) // the two clients' waves may run in either order
	sort.Strings(want[:2])
	if d := cmp.Diff(want, refCalls); d != "" {
		t.Errorf("reference calls (-want +got):\n%s", d)
	}
}

// TestEntangledDeletesOneAtATime: clients whose scope mappings name each
// other's roles are not deleted at once; the others are.
func TestEntangledDeletesOneAtATime(t *testing.T) {
	live := realm(t, map[string]any{"realm": "acme", "clients": []any{
		map[string]any{"id": "ca", "clientId": "a", "scopeMappings": map[string]any{"client": map[string]any{"b": []any{"rb"}}}},
		map[string]any{"id": "cb", "clientId": "b"},
		map[string]any{"id": "cc", "clientId": "c"},
	}, "roles": map[string]any{"client": map[string]any{"b": []any{map[string]any{"id": "rb", "name": "rb"}}}}})
	var wave []*plan.Action
	for _, key := range []string{"a", "b", "c"} {
		wave = append(wave, &plan.Action{Realm: "acme", Kind: model.KindClient, Key: key, Verb: plan.Delete, Live: live.Get(model.KindClient, key)})
	}
	if got := entangled(wave); !cmp.Equal(got, []bool{true, true, false}) {
		t.Errorf("entangled = %v, want a and b, not c", got)
	}
}

// TestDeleteThatFailedButActed: a DELETE answered with an error whose
// object is gone afterwards succeeded; one whose object is still there
// failed.
func TestDeleteThatFailedButActed(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.objects["acme/clients/c1"] = map[string]any{"id": "c1", "clientId": "gone"}
	f.objects["acme/clients/c2"] = map[string]any{"id": "c2", "clientId": "stays"}
	f.failDone["DELETE acme/clients/c1"] = true
	f.fail["DELETE acme/clients/c2"] = true
	live := realm(t, map[string]any{"realm": "acme", "clients": []any{
		map[string]any{"id": "c1", "clientId": "gone"}, map[string]any{"id": "c2", "clientId": "stays"},
	}})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": []any{}}), live)
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{})
	if res.Done != 1 || res.Failed != 1 || err == nil || !strings.Contains(err.Error(), `delete client "stays"`) {
		t.Errorf("result %+v, error %v: want the delete of gone done and that of stays failed", res, err)
	}
}

// TestReplaceNotAfterAFailure: a replace deletes, so it does not run once
// something failed; it is counted as a delete by the limits.
func TestReplaceNotAfterAFailure(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.fail["POST acme/clients"] = true
	live := realm(t, map[string]any{"realm": "acme", "users": []any{map[string]any{"id": "u1", "username": "alice",
		"federatedIdentities": []any{map[string]any{"identityProvider": "corp", "userId": "1", "userName": "a"}}}}})
	desired := realm(t, map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "new"}},
		"users": []any{map[string]any{"username": "alice",
			"federatedIdentities": []any{map[string]any{"identityProvider": "corp", "userId": "2", "userName": "a"}}}}})
	p := planFor(t, desired, live)
	var replaces int
	for _, a := range p.Actions {
		if a.Verb == plan.Replace {
			replaces++
		}
	}
	if replaces != 1 {
		t.Fatalf("plan has %d replaces, want 1: %+v", replaces, p.Actions)
	}
	if err := CheckLimits(p, map[string]*model.Realm{"acme": live}, Limits{MaxDeletes: 0, MaxDeleteRatio: 1}); err == nil {
		t.Error("a replace passed --max-deletes 0")
	}
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{})
	if err == nil || res.Skipped == 0 {
		t.Errorf("result %+v, error %v: want the failed create and the replace skipped", res, err)
	}
	for _, c := range f.calls {
		if strings.Contains(c, "federated-identity") {
			t.Errorf("the replace ran after a failure: %v", f.calls)
		}
	}
}

// TestDeleteRatioLeavesBuiltInsOut: deleting every client a team made is
// refused even when the realm's built-in clients would halve the ratio.
func TestDeleteRatioLeavesBuiltInsOut(t *testing.T) {
	var clients []any
	for _, id := range []string{"account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console",
		"a1", "a2", "a3", "a4", "a5", "a6"} {
		clients = append(clients, map[string]any{"id": id, "clientId": id})
	}
	live := realm(t, map[string]any{"realm": "acme", "clients": clients})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": []any{}}), live)
	err := CheckLimits(p, map[string]*model.Realm{"acme": live}, Limits{MaxDeletes: -1, MaxDeleteRatio: 0.5})
	if err == nil || !strings.Contains(err.Error(), "the plan deletes 6 of 6 clients") {
		t.Errorf("error %v: want the 6 of 6 custom clients named", err)
	}
	if err := (Limits{MaxDeleteRatio: math.NaN()}).Validate(); err == nil {
		t.Error("a NaN ratio passed")
	}
}

// TestInterruptedRunIsHonest: after an interrupt no action starts, the
// ones never started are reported as skipped (not done), the run fails,
// and the ownership record still holds what was created.
func TestInterruptedRunIsHonest(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onPost = cancel // interrupted right after the first create
	var clients []any
	for i := range 5 {
		clients = append(clients, map[string]any{"clientId": fmt.Sprintf("c%d", i)})
	}
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": clients}), live)
	res, err := Apply(ctx, f, p, map[string]*model.Realm{"acme": live}, Options{Concurrency: 1})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("error %v: want the interrupt named", err)
	}
	if res.Done != 1 || res.Skipped != 4 {
		t.Errorf("result %+v: want 1 done, 4 skipped", res)
	}
	attrs, _ := f.objects["acme"]["attributes"].(map[string]any)
	owners, derr := model.DecodeOwnership(attrs)
	if derr != nil || !owners[model.DefaultOwner][model.Ref{Kind: model.KindClient, Key: "c0"}] || len(owners[model.DefaultOwner]) != 1 {
		t.Errorf("ownership record %v (%v): want exactly the created client c0", owners, derr)
	}
}

// TestOwnershipRecordedBeforeWrites: a run killed after its first create
// has already recorded everything it set out to create.
func TestOwnershipRecordedBeforeWrites(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	var atFirstCreate model.Owned
	f.onPost = func() {
		if atFirstCreate == nil {
			f.mu.Lock()
			attrs, _ := f.objects["acme"]["attributes"].(map[string]any)
			f.mu.Unlock()
			owners, _ := model.DecodeOwnership(attrs)
			atFirstCreate = owners[model.DefaultOwner]
			if atFirstCreate == nil {
				atFirstCreate = model.Owned{}
			}
		}
	}
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "a"}, map[string]any{"clientId": "b"}},
		"roles": map[string]any{"realm": []any{map[string]any{"name": "r"}}}}), live)
	if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range atFirstCreate.Sorted() {
		got = append(got, r.String())
	}
	if d := cmp.Diff([]string{`client "a"`, `client "b"`, `realm role "r"`}, got); d != "" {
		t.Errorf("record at the first create (-want +got):\n%s", d)
	}
}

// conflictError is Keycloak's 409 to a create whose key is taken.
type conflictError struct{}

func (conflictError) Error() string  { return "409 Conflict: Role with name editor already exists" }
func (conflictError) Conflict() bool { return true }
func (conflictError) Answered() bool { return true }

// TestCreateOfAnObjectThatExists: a create answered 409 (an earlier run
// was killed after making it) finds the object by its key and updates it
// to the desired state, in the same run.
func TestCreateOfAnObjectThatExists(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.objects["acme/roles/editor"] = map[string]any{"id": "r9", "name": "editor"}
	f.objects["acme/roles-by-id/r9"] = map[string]any{"id": "r9", "name": "editor", "description": "old", "attributes": map[string]any{"kept": []any{"x"}}}
	f.postErr = map[string]error{"POST acme/roles": conflictError{}}
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "roles": map[string]any{"realm": []any{
		map[string]any{"name": "editor", "description": "Edits"}}}}), live)
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{})
	if err != nil || res.Done != 1 {
		t.Fatalf("result %+v, error %v: want the create done through the existing role", res, err)
	}
	got := f.objects["acme/roles-by-id/r9"]
	if got["description"] != "Edits" || got["attributes"] == nil {
		t.Errorf("role after the run: %v, want the desired description over the live object", got)
	}
}

// TestReferencesToAFailedCreateAreSkipped: a group mapped to a role whose
// create failed is created, but its mapping is skipped with the reason
// instead of failing on a lookup.
func TestReferencesToAFailedCreateAreSkipped(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.fail["POST acme/roles"] = true
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme",
		"roles":  map[string]any{"realm": []any{map[string]any{"name": "viewer"}}},
		"groups": []any{map[string]any{"name": "staff", "realmRoles": []any{"viewer"}}}}), live)
	var report strings.Builder
	_, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{Progress: &report})
	if err == nil {
		t.Fatal("want the failed create reported")
	}
	if !strings.Contains(report.String(), `skipped create group "/staff" (references): realm role "viewer" failed`) {
		t.Errorf("report does not skip the mapping with the reason:\n%s", report.String())
	}
	for _, c := range f.calls {
		if strings.Contains(c, "role-mappings") || strings.HasPrefix(c, "GET acme/roles/viewer") {
			t.Errorf("the mapping to the failed role was attempted: %v", f.calls)
		}
	}
}

// TestLeaseRefusesASecondSync: a realm another live run holds is not
// written to, unless the lease expired or --force-unlock is given; the
// lease is given back at the end.
func TestLeaseRefusesASecondSync(t *testing.T) {
	held := func(expires time.Time) string {
		b, _ := json.Marshal(lease{Owner: "other", Run: "r-1", Host: "ci-7", Expires: expires})
		return string(b)
	}
	for _, c := range []struct {
		name    string
		lock    string
		force   bool
		refused bool
	}{
		{"free", "", false, false},
		{"held", held(time.Now().Add(time.Hour)), false, true},
		{"held, forced", held(time.Now().Add(time.Hour)), true, false},
		{"expired", held(time.Now().Add(-time.Minute)), false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			attrs := map[string]any{}
			if c.lock != "" {
				attrs[model.LockAttribute] = c.lock
			}
			f.objects["acme"] = map[string]any{"realm": "acme", "attributes": attrs}
			live := realm(t, map[string]any{"realm": "acme"})
			p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "new"}}}), live)
			_, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{ForceUnlock: c.force})
			posted := slices.Contains(f.calls, "POST acme/clients")
			if c.refused {
				if err == nil || !strings.Contains(err.Error(), `realm acme is being synced by owner "other" (run r-1 on ci-7)`) || posted {
					t.Errorf("error %v, client created %v: want the holder named and nothing written", err, posted)
				}
				return
			}
			if err != nil || !posted {
				t.Fatalf("error %v, client created %v", err, posted)
			}
			after, _ := f.objects["acme"]["attributes"].(map[string]any)
			if _, still := after[model.LockAttribute]; still {
				t.Errorf("the lease was not given back: %v", after)
			}
		})
	}
}

// TestRealmWritesOutlastARace: the ownership record and the lease's
// release are written again when their realm PUT races another writer
// (a second sync trying to take the lease; Keycloak 24 answers 400 with
// an optimistic lock error), so neither is lost.
func TestRealmWritesOutlastARace(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme", "attributes": map[string]any{}}
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme", "clients": []any{map[string]any{"clientId": "new"}}}), live)
	// The lease and the intent record are written before the client's
	// POST; the two realm PUTs after it race.
	f.putRaces = map[string]int{}
	var armed bool
	f.onPost = func() {
		if !armed {
			armed = true
			f.putRaces["acme"] = 2
		}
	}
	if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	after, _ := f.objects["acme"]["attributes"].(map[string]any)
	if _, still := after[model.LockAttribute]; still {
		t.Errorf("the lease was not given back: %v", after)
	}
	owners, err := model.DecodeOwnership(after)
	if err != nil || !owners[model.DefaultOwner][model.Ref{Kind: model.KindClient, Key: "new"}] {
		t.Errorf("the record lost the client (%v): %v", err, after)
	}
	if f.putRaces["acme"] != 0 {
		t.Errorf("the races were not met: %d left", f.putRaces["acme"])
	}
}

// TestResultCountsPlanActions: an action whose references are set in a
// second step is still one action done, so "Applied: N done" and the
// plan's summary count the same thing.
func TestResultCountsPlanActions(t *testing.T) {
	f := newFake()
	f.objects["acme"] = map[string]any{"realm": "acme"}
	f.objects["acme/roles/viewer"] = map[string]any{"id": "r1", "name": "viewer"}
	live := realm(t, map[string]any{"realm": "acme"})
	p := planFor(t, realm(t, map[string]any{"realm": "acme",
		"roles":  map[string]any{"realm": []any{map[string]any{"name": "viewer"}}},
		"groups": []any{map[string]any{"name": "staff", "realmRoles": []any{"viewer"}}}}), live)
	res, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != len(p.Actions) || res.Failed+res.Skipped != 0 {
		t.Errorf("result %+v for a plan of %d actions", res, len(p.Actions))
	}
}

// TestWholeMapRemovals: a key the desired attributes leave out is removed
// in the PUT, judged against the fresh read: as null in a string map (the
// server keeps a key a client or realm PUT omits), by leaving it out of a
// list map (a group PUT replaces the map, and a null there is a 500).
// Keycloak's own keys and realmsync's bookkeeping stay.
func TestWholeMapRemovals(t *testing.T) {
	liveAttrs := map[string]any{
		"realm": "acme", "attributes": map[string]any{"team": "a", "tier": "gold", "cibaInterval": "5", "clientSessionIdleTimeout": "900"},
		"clients": []any{map[string]any{"id": "c1", "clientId": "web",
			"attributes": map[string]any{"a": "1", "b": "2", "realm_client": "false", "client.secret.creation.time": "1"}}},
		"groups": []any{map[string]any{"id": "g1", "name": "team", "path": "/team", "attributes": map[string]any{"k": []any{"v"}, "gone": []any{"x"}}}},
	}
	desiredAttrs := map[string]any{
		"realm": "acme", "attributes": map[string]any{"team": "a"},
		"clients": []any{map[string]any{"clientId": "web", "attributes": map[string]any{"a": "1"}}},
		"groups":  []any{map[string]any{"name": "team", "attributes": map[string]any{"k": []any{"v"}}}},
	}
	f := newFake()
	f.objects["acme"] = model.DeepCopy(liveAttrs).(map[string]any)
	f.objects["acme"]["attributes"].(map[string]any)["realmsync.owner.default"] = "kept"
	delete(f.objects["acme"], "clients")
	delete(f.objects["acme"], "groups")
	f.objects["acme/clients/c1"] = model.DeepCopy(liveAttrs["clients"].([]any)[0]).(map[string]any)
	f.objects["acme/groups/g1"] = model.DeepCopy(liveAttrs["groups"].([]any)[0]).(map[string]any)
	// Drift since the plan: a key nobody wrote down, removed as well.
	f.objects["acme/groups/g1"]["attributes"].(map[string]any)["late"] = []any{"y"}
	live := realm(t, liveAttrs)
	p := planFor(t, realm(t, desiredAttrs), live)
	var changes []string
	for _, a := range p.Actions {
		for _, c := range a.Changes {
			if c.Unset {
				changes = append(changes, a.Key+" "+c.Path)
			}
		}
	}
	if d := cmp.Diff([]string{"acme attributes.tier", "web attributes.b", "/team attributes.gone"}, changes); d != "" {
		t.Errorf("planned removals (-want +got):\n%s", d)
	}
	if _, err := Apply(context.Background(), f, p, map[string]*model.Realm{"acme": live}, Options{}); err != nil {
		t.Fatal(err)
	}
	realmAttrs := f.objects["acme"]["attributes"].(map[string]any)
	if v, ok := realmAttrs["tier"]; !ok || v != nil {
		t.Errorf("realm PUT: tier should be sent as null, attributes %v", realmAttrs)
	}
	for _, kept := range []string{"team", "cibaInterval", "clientSessionIdleTimeout"} {
		if realmAttrs[kept] == nil {
			t.Errorf("realm PUT lost %s: %v", kept, realmAttrs)
		}
	}
	clientAttrs := f.objects["acme/clients/c1"]["attributes"].(map[string]any)
	if v, ok := clientAttrs["b"]; !ok || v != nil || clientAttrs["realm_client"] != "false" || clientAttrs["client.secret.creation.time"] != "1" {
		t.Errorf("client PUT attributes %v: want b null, the server's keys kept", clientAttrs)
	}
	if d := cmp.Diff(map[string]any{"k": []any{"v"}}, f.objects["acme/groups/g1"]["attributes"]); d != "" {
		t.Errorf("group PUT attributes (-want +got):\n%s", d)
	}
}

// TestErrorsReadAsAList: a run's errors print one per line, without the
// library's "1 error occurred:" header, and one error reads as itself.
func TestErrorsReadAsAList(t *testing.T) {
	if got := errorList([]error{errors.New("a failed")}); got != "a failed" {
		t.Errorf("one error: %q", got)
	}
	if got := errorList([]error{errors.New("a failed"), errors.New("b\nfailed")}); got != "2 errors:\n  - a failed\n  - b\n    failed" {
		t.Errorf("two errors: %q", got)
	}
}
