package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/model"
)

// TestPartialExportReadsTheSame: reading a realm with Keycloak's partial
// export (roles, composites, the group tree, scope mappings in one
// request) finds exactly the objects, fields and ids that the table
// reader finds by listing them, on the example realm, the feature-rich
// realm (every kind) and the small benchmark preset; and it makes
// fewer requests.
func TestPartialExportReadsTheSame(t *testing.T) {
	needServer(t)
	api := adminClient(t)
	ctx := context.Background()

	realms := map[string]string{}
	_, acme := syncExample(t, "pxacme")
	realms["example"] = acme

	small := uniqueRealm(t, "pxsmall")
	p, _ := gen.PresetByName("small")
	dir := t.TempDir()
	if err := gen.WriteDir(dir, p, small, 1); err != nil {
		t.Fatal(err)
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync of the small preset")
	realms["small preset"] = small

	if !server.version.Known() || server.version.AtLeast(model.Version{Major: 26}) { // organizations
		rich := uniqueRealm(t, "pxrich")
		dir = t.TempDir()
		copyRealm(t, filepath.Join(repoRoot(), "testdata", "realms", "feature-rich"), dir, "feature-rich", rich)
		expectCode(t, realmsync(t, featureRichSecrets, "sync", dir), 0, "sync of the feature-rich realm")
		realms["feature-rich"] = rich
	}

	for _, what := range model.SortedKeys(realms) {
		realm := realms[what]
		read := func(opts live.Options) (*model.Realm, map[string]int64) {
			api.ResetCounts()
			opts.AnyExtension = true
			r, err := live.Read(ctx, api, realm, opts)
			if err != nil || r == nil {
				t.Fatalf("%s: reading realm %s (%+v): %v", what, realm, opts, err)
			}
			return r, api.Counts()
		}
		table, tableCounts := read(live.Options{NoExport: true})
		exported, exportCounts := read(live.Options{})
		if d := cmp.Diff(entities(table), entities(exported)); d != "" {
			t.Errorf("%s: the read with the partial export differs from the table read (-table +export):\n%s", what, d)
		}
		if exportCounts[admin.ReadPost] != 2 || tableCounts[admin.ReadPost] != 0 {
			t.Errorf("%s: %d partial exports with it, %d without, want 2 (its halves) and 0", what, exportCounts[admin.ReadPost], tableCounts[admin.ReadPost])
		}
		if exportCounts["GET"] >= tableCounts["GET"] {
			t.Errorf("%s: the read with the partial export made %d GETs, the table read %d", what, exportCounts["GET"], tableCounts["GET"])
		}
		t.Logf("%s: %d GETs read by tables, %d GETs and the partial export with it", what, tableCounts["GET"], exportCounts["GET"])
	}

	// A realm past the export's limits (live.ExportLimits, lowered here
	// below the small preset's groups) is read the table way, the
	// same objects without a partial export.
	saved := live.ExportLimits
	defer func() { live.ExportLimits = saved }()
	live.ExportLimits.Groups = p.Groups - 1
	api.ResetCounts()
	past, err := live.Read(ctx, api, small, live.Options{AnyExtension: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := api.Counts()[admin.ReadPost]; n != 0 {
		t.Errorf("a realm past the export's limits was read with %d partial exports, want none", n)
	}
	table, err := live.Read(ctx, api, small, live.Options{AnyExtension: true, NoExport: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(entities(table), entities(past)); d != "" {
		t.Errorf("the read of a realm past the export's limits differs from the table read (-table +read):\n%s", d)
	}
}

// entities are a realm's objects as the diff sees them: kind, key,
// parent, fields and server id.
func entities(r *model.Realm) map[string]map[string]readObject {
	out := map[string]map[string]readObject{}
	for kind, byKey := range r.Entities {
		out[kind] = map[string]readObject{}
		for key, e := range byKey {
			out[kind][key] = readObject{Parent: e.Parent, Fields: e.Fields, ID: e.ID}
		}
	}
	return out
}

type readObject struct {
	Parent, ID string
	Fields     model.Object
}

// TestPlanWithoutExportRights: a planner with view rights only (no
// manage-realm, which Keycloak's partial export asks for) has the export
// refused, and gets the same zero plan from the table reader.
func TestPlanWithoutExportRights(t *testing.T) {
	needServer(t)
	api := adminClient(t)
	ctx := context.Background()
	dir, realm := syncExample(t, "pxview")
	rp := admin.Seg(realm)
	const password = "planner-Pw-7Qx"
	id, err := api.Post(ctx, rp+"/users", map[string]any{"username": "planner", "enabled": true, "firstName": "Plan", "lastName": "Ner",
		"email": "planner@example.com", "emailVerified": true,
		"credentials": []any{map[string]any{"type": "password", "value": password, "temporary": false}}})
	if err != nil {
		t.Fatal(err)
	}
	var mgmt []map[string]any
	if err := api.Get(ctx, rp+"/clients", query("clientId", "realm-management"), &mgmt); err != nil || len(mgmt) != 1 {
		t.Fatalf("realm-management client: %v %v", mgmt, err)
	}
	cid := mgmt[0]["id"].(string)
	var roles []any
	for _, name := range []string{"view-realm", "view-clients", "view-users", "query-groups", "view-identity-providers", "view-authorization", "view-events"} {
		var role map[string]any
		if err := api.Get(ctx, rp+"/clients/"+cid+"/roles/"+name, nil, &role); err != nil {
			t.Fatal(err)
		}
		roles = append(roles, role)
	}
	if _, err := api.Post(ctx, rp+"/users/"+id+"/role-mappings/clients/"+cid, roles); err != nil {
		t.Fatal(err)
	}
	planner := map[string]string{"KEYCLOAK_AUTH_REALM": realm, "KEYCLOAK_USER": "planner", "KEYCLOAK_PASSWORD": password}
	for k, v := range exampleEnv {
		planner[k] = v
	}
	r := realmsync(t, planner, "plan", "-V", dir)
	expectCode(t, r, 0, "plan by a planner with view rights")
	if !strings.Contains(r.stderr, "(and 2 read-only POSTs") {
		t.Errorf("the plan did not ask for the partial export (its two halves):\n%s", r)
	}
	admins := realmsync(t, exampleEnv, "plan", "-V", dir)
	expectCode(t, admins, 0, "plan by the admin")
	planned, _ := strconv.Atoi(requestReport.FindStringSubmatch(r.stderr)[1])
	adminGETs, _ := strconv.Atoi(requestReport.FindStringSubmatch(admins.stderr)[1])
	t.Logf("no-op plan: %d GETs for the planner (export refused), %d for the admin (with it)", planned, adminGETs)
	if planned <= adminGETs {
		t.Errorf("the planner's plan made %d GETs, the admin's %d: the export was not refused", planned, adminGETs)
	}
}
