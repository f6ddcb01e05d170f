package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/faultproxy"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

var limitsOff = []string{"--max-deletes", "-1", "--max-delete-ratio", "1"}

// TestFaultsConverge injects 1% of every fault class into a cold sync of
// the medium preset (2,000 users, 300 groups, 200 clients): the sync
// exits 0 or 1, and a second run without faults converges; then the
// server, read directly, holds each object once and the ownership record
// holds every object the files declare.
func TestFaultsConverge(t *testing.T) {
	needServer(t) // real server only: the medium preset is minutes in-process against the fake's locks
	realm := uniqueRealm(t, "faults")
	dir := t.TempDir()
	if err := gen.WriteDir(dir, gen.Medium, realm, 7); err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.Start(faultproxy.Config{Target: server.url, Rate: 0.01, Faults: faultproxy.All, Seed: 11, Delay: 300e6})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	env := map[string]string{"KEYCLOAK_URL": proxy.URL}
	r := realmsync(t, env, append([]string{"sync"}, append(limitsOff, dir)...)...)
	t.Logf("faulty sync: exit %d, %d requests, faults %s", r.code, totalRequests(proxy), proxy.Summary())
	if r.code != 0 && r.code != 1 {
		t.Fatalf("a sync under faults exits %d, want 0 or 1:\n%s", r.code, r)
	}
	proxy.SetRate(0)
	r = realmsync(t, env, append([]string{"sync"}, append(limitsOff, dir)...)...)
	expectCode(t, r, 0, "sync without faults")
	expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after convergence")
	checkOnceAndOwned(t, dir, realm)
}

func totalRequests(p *faultproxy.Proxy) int {
	n := 0
	for _, c := range p.Requests() {
		n += c
	}
	return n
}

// checkOnceAndOwned reads the realm behind realmsync's back: every
// declared client, client mapper, role, group and user exists exactly
// once, and the ownership record holds each of them.
func checkOnceAndOwned(t *testing.T, dir, realm string) {
	t.Helper()
	desired, err := load.Dir(dir, load.Options{Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	want := desired.Realms[realm]
	ctx := context.Background()
	api := adminClient(t)
	rp := admin.Seg(realm)
	count := map[string]int{}
	clients, err := api.List(ctx, rp+"/clients", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		cid := fmt.Sprint(c["clientId"])
		count[model.KindClient+" "+cid]++
		mappers, _ := c["protocolMappers"].([]any)
		for _, m := range mappers {
			count[model.KindClientMap+" "+model.ChildKey(cid, fmt.Sprint(m.(map[string]any)["name"]))]++
		}
		roles, err := api.List(ctx, rp+"/clients/"+admin.Seg(fmt.Sprint(c["id"]))+"/roles", nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range roles {
			count[model.KindClientRole+" "+model.ChildKey(cid, fmt.Sprint(role["name"]))]++
		}
	}
	roles, err := api.List(ctx, rp+"/roles", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles {
		count[model.KindRealmRole+" "+fmt.Sprint(role["name"])]++
	}
	users, err := api.List(ctx, rp+"/users", query("briefRepresentation", "true"), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		count[model.KindUser+" "+fmt.Sprint(u["username"])]++
	}
	var groups func(path string) error
	groups = func(path string) error {
		list, err := api.List(ctx, path, query("briefRepresentation", "true"), 100)
		for _, g := range list {
			count[model.KindGroup+" "+fmt.Sprint(g["path"])]++
			if n, _ := g["subGroupCount"].(float64); n > 0 {
				if err := groups(rp + "/groups/" + admin.Seg(fmt.Sprint(g["id"])) + "/children"); err != nil {
					return err
				}
			}
		}
		return err
	}
	if err := groups(rp + "/groups"); err != nil {
		t.Fatal(err)
	}
	var live map[string]any
	if err := api.Get(ctx, rp, nil, &live); err != nil {
		t.Fatal(err)
	}
	attrs, _ := live["attributes"].(map[string]any)
	owners, err := model.DecodeOwnership(attrs)
	if err != nil {
		t.Fatal(err)
	}
	record := owners[model.DefaultOwner]
	missing, twice := 0, 0
	for _, kind := range []string{model.KindClient, model.KindClientMap, model.KindRealmRole, model.KindClientRole, model.KindGroup, model.KindUser} {
		for _, e := range want.Sorted(kind) {
			n := count[kind+" "+e.Key]
			switch {
			case n == 0:
				t.Errorf("%s %q is not on the server", kind, e.Key)
			case n > 1:
				twice++
				t.Errorf("%s %q is on the server %d times", kind, e.Key, n)
			}
			if !e.Kind.BuiltIn(realm, e.Key) && !record[model.Ref{Kind: kind, Key: e.Key}] {
				missing++
				if missing <= 5 {
					t.Errorf("%s %q is not in the ownership record", kind, e.Key)
				}
			}
		}
	}
	if missing > 5 {
		t.Errorf("%d objects in all are missing from the ownership record", missing)
	}
	t.Logf("%d objects checked: %d twice, %d not owned", len(count), twice, missing)
}

// killRealmFile is a small realm of the identity kinds, for kill points:
// clients with mappers and a client role, a chain of composite roles,
// nested groups with role mappings, users in them.
func killRealmFile() string {
	var b strings.Builder
	b.WriteString("enabled: true\nrealmsync:\n  deletionPolicy: {users: full}\nclientScopes:\n  - name: reports\n    protocol: openid-connect\nclients:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - clientId: app-%d\n    description: app %d\n    protocolMappers:\n      - name: aud\n        protocol: openid-connect\n        protocolMapper: oidc-audience-mapper\n        config: {included.client.audience: app-%d}\n", i, i, i)
	}
	b.WriteString("roles:\n  client:\n    app-0:\n      - name: run\n  realm:\n")
	for i := range 8 {
		fmt.Fprintf(&b, "    - name: role-%d\n", i)
		if i > 0 {
			fmt.Fprintf(&b, "      composites: {realm: [role-%d]}\n", i-1)
		}
	}
	b.WriteString("groups:\n  - name: staff\n    realmRoles: [role-0]\n    subGroups:\n      - name: ops\n        clientRoles: {app-0: [run]}\nusers:\n")
	for i := range 8 {
		fmt.Fprintf(&b, "  - username: user-%d\n    email: user-%d@example.com\n    firstName: U\n    lastName: L%d\n    groups: [/staff/ops]\n    realmRoles: [role-%d]\n", i, i, i, i)
	}
	return b.String()
}

// TestKillPoints kills a cold sync with SIGKILL at 20 points spread over
// its writes. At every point the next sync converges with nothing twice
// and everything owned, and once the files are emptied every object the
// killed run made is deleted.
func TestKillPoints(t *testing.T) {
	needKeycloak(t)
	bin := buildBinary(t)
	var mu sync.Mutex
	var victim *exec.Cmd
	killAt := 0
	proxy, err := faultproxy.Start(faultproxy.Config{Target: server.url, OnWrite: func(n int) {
		mu.Lock()
		defer mu.Unlock()
		if victim != nil && n == killAt {
			_ = victim.Process.Signal(syscall.SIGKILL)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	env := map[string]string{"KEYCLOAK_URL": proxy.URL}
	file := killRealmFile()

	// How many writes a whole cold sync makes.
	probe := uniqueRealm(t, "killcount")
	createRealm(t, adminClient(t), probe)
	probeDir := t.TempDir()
	writeFiles(t, probeDir, map[string]string{filepath.Join(probe, "realm.yaml"): file})
	proxy.Reset()
	expectCode(t, realmsync(t, env, "sync", probeDir), 0, "a whole cold sync")
	writes := proxy.Writes()
	if writes < 40 {
		t.Fatalf("a cold sync made %d writes: too few to kill at 20 points", writes)
	}

	for point := range 20 {
		at := 1 + point*(writes-2)/19
		t.Run(fmt.Sprintf("write-%d-of-%d", at, writes), func(t *testing.T) {
			realm := uniqueRealm(t, "kill")
			createRealm(t, adminClient(t), realm)
			dir := t.TempDir()
			path := filepath.Join(realm, "realm.yaml")
			writeFiles(t, dir, map[string]string{path: file})
			cmd := exec.Command(bin, "sync", "--concurrency", "2", dir)
			cmd.Env = append(os.Environ(), "KEYCLOAK_URL="+proxy.URL, "KEYCLOAK_USER="+server.user, "KEYCLOAK_PASSWORD="+server.password)
			proxy.Reset()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			victim, killAt = cmd, at // its first write comes after a token and a read
			mu.Unlock()
			err := cmd.Wait()
			mu.Lock()
			victim = nil
			mu.Unlock()
			if err == nil {
				t.Logf("the sync finished before write %d", at)
			}
			// The killed run holds the realm's lease: the next one is told
			// the holder is dead.
			r := realmsync(t, env, "sync", "--force-unlock", dir)
			expectCode(t, r, 0, "sync after the kill")
			expectCode(t, realmsync(t, env, "plan", dir), 0, "plan after convergence")
			checkOnceAndOwned(t, dir, realm)

			writeFiles(t, dir, map[string]string{path: "enabled: true\nrealmsync:\n  deletionPolicy: {users: full}\n"})
			expectCode(t, realmsync(t, env, append([]string{"sync"}, append(limitsOff, dir)...)...), 0, "sync of the emptied files")
			if left := customClients(t, realm, "app-"); left != 0 {
				t.Errorf("%d clients are left after the files were emptied", left)
			}
			var users []map[string]any
			if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/users", query("search", "user-"), &users); err != nil || len(users) != 0 {
				t.Errorf("users left after the files were emptied: %d (%v)", len(users), err)
			}
		})
	}
}
