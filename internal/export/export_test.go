package export

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func decompose(t *testing.T, name string, doc map[string]any) *model.Realm {
	t.Helper()
	c, err := model.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, errs := model.Decompose(name, c.(map[string]any), model.NoPos)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return r
}

// baselineDoc is what a fresh realm with probe objects looks like.
func testBaseline(t *testing.T) *Baseline {
	const name = "realmsync-baseline-0000"
	return &Baseline{name: name, realm: decompose(t, name, map[string]any{
		"realm": name, "enabled": false, "sslRequired": "external", "accessTokenLifespan": 300,
		"attributes": map[string]any{"frontendUrl": "", "cibaExpiresIn": "120"},
		"clients": []any{
			map[string]any{"clientId": "account", "baseUrl": "/realms/" + name + "/account/", "publicClient": true},
			map[string]any{"clientId": probeName, "publicClient": false, "standardFlowEnabled": true,
				"secret": "probe-secret", "attributes": map[string]any{"realm_client": "false"}},
		},
		"clientScopes": []any{map[string]any{"name": probeName, "protocol": "openid-connect"}},
		"roles": map[string]any{
			"realm": []any{
				map[string]any{"name": "default-roles-" + name, "composites": map[string]any{"realm": []any{"offline_access"}}},
				map[string]any{"name": "offline_access"},
				map[string]any{"name": probeName, "attributes": map[string]any{}},
			},
		},
		"groups": []any{map[string]any{"name": probeName, "attributes": map[string]any{}}},
	})}
}

var liveAcme = map[string]any{
	"realm": "acme", "id": "uuid-1", "enabled": true, "sslRequired": "external", "accessTokenLifespan": 600,
	"attributes": map[string]any{"frontendUrl": "", "cibaExpiresIn": "120"},
	"smtpServer": map[string]any{"host": "smtp", "password": "**********"},
	"clients": []any{
		// Built-in, unchanged (the URL names the live realm): left out.
		map[string]any{"id": "c0", "clientId": "account", "baseUrl": "/realms/acme/account/", "publicClient": true},
		map[string]any{"id": "c1", "clientId": "api", "publicClient": false, "standardFlowEnabled": false,
			"secret": "very-secret", "attributes": map[string]any{"realm_client": "false", "x": "1"}},
		map[string]any{"id": "c2", "clientId": "spa", "publicClient": true, "standardFlowEnabled": true, "secret": "ignored"},
	},
	"clientScopes": []any{map[string]any{"id": "s1", "name": "orders", "protocol": "openid-connect",
		"protocolMappers": []any{map[string]any{"id": "m1", "name": "aud", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper"}}}},
	"roles": map[string]any{
		"realm": []any{
			// Built-in, changed: only the change is kept.
			map[string]any{"id": "r1", "name": "default-roles-acme", "composites": map[string]any{"realm": []any{"offline_access", "viewer"}}},
			map[string]any{"id": "r2", "name": "offline_access"},
			map[string]any{"id": "r3", "name": "viewer", "attributes": map[string]any{}},
		},
	},
	"groups": []any{map[string]any{"id": "g1", "name": "staff", "path": "/staff", "attributes": map[string]any{}, "subGroupCount": 0}},
}

func TestPrune(t *testing.T) {
	pruned, placeholders := testBaseline(t).Prune(decompose(t, "acme", liveAcme))
	got := map[string]map[string]any{}
	for _, k := range model.Kinds() {
		for _, e := range pruned.Sorted(k.Name) {
			got[k.Name+" "+e.Key] = e.Fields
		}
	}
	want := map[string]map[string]any{
		"realm acme": {"realm": "acme", "enabled": true, "accessTokenLifespan": float64(600),
			"smtpServer": map[string]any{"host": "smtp", "password": "${env:REALMSYNC_ACME_SMTPSERVER_PASSWORD}"}},
		"client api": {"clientId": "api", "secret": "${env:REALMSYNC_ACME_API_SECRET}", "standardFlowEnabled": false,
			"attributes": map[string]any{"x": "1"}},
		"client spa":                   {"clientId": "spa", "publicClient": true},
		"clientScope orders":           {"name": "orders", "protocol": "openid-connect"},
		"clientScopeMapper orders/aud": {"name": "aud", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper"},
		"realmRole default-roles-acme": {"name": "default-roles-acme", "composites": map[string]any{"realm": []any{"offline_access", "viewer"}}},
		"realmRole viewer":             {"name": "viewer"},
		"group /staff":                 {"name": "staff"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pruned realm (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"REALMSYNC_ACME_SMTPSERVER_PASSWORD", "REALMSYNC_ACME_API_SECRET"}, placeholders); d != "" {
		t.Errorf("placeholders (-want +got):\n%s", d)
	}
}

// TestExportFiles checks the files an export writes against
// testdata/export/acme (go test ./internal/export -update rewrites them).
func TestExportFiles(t *testing.T) {
	pruned, _ := testBaseline(t).Prune(decompose(t, "acme", liveAcme))
	files, err := Files(pruned)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(dir, "acme", files); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "..", "testdata", "export", "acme")
	if *update {
		_ = os.RemoveAll(golden)
		if err := Write(filepath.Dir(golden), "acme", files); err != nil {
			t.Fatal(err)
		}
	}
	got := readDir(t, filepath.Join(dir, "acme"))
	want := readDir(t, golden)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("export files differ from %s (-want +got; -update rewrites):\n%s", golden, d)
	}
	for path, content := range got {
		if strings.Contains(content, "very-secret") || strings.Contains(content, "id: ") || strings.Contains(content, "**********") {
			t.Errorf("%s holds a secret, an id or a mask:\n%s", path, content)
		}
	}
}

func readDir(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMarshalOrdersKeysAndNumbers(t *testing.T) {
	out, err := Marshal(model.Object{"b": 2592000.0, "clientId": "x", "a": []any{"z"}, "realm": "r"})
	if err != nil {
		t.Fatal(err)
	}
	want := "realm: r\nclientId: x\na:\n  - z\nb: 2592000\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}
