package peers

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/realmsync/realmsync/internal/gen"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/peers")

// tiny has one of everything a preset holds, nested groups and a
// composite included.
var tiny = gen.Preset{Name: "tiny", Users: 3, Groups: 3, GroupDepth: 2, Clients: 2, MappersPerClient: 1, RolesPerClient: 1, RealmRoles: 6}

// TestPresetConverts writes a preset in realmsync's layout, reads it back
// and converts it for both peers; the outputs are golden files.
func TestPresetConverts(t *testing.T) {
	dir := t.TempDir()
	if err := gen.WriteDir(dir, tiny, "tiny", 1); err != nil {
		t.Fatal(err)
	}
	realm, err := ReadRealm(filepath.Join(dir, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := realm["realmsync"]; ok {
		t.Error("realmsync's own settings reached the peers' input")
	}
	kcc, err := KCCImport(realm)
	if err != nil {
		t.Fatal(err)
	}
	// The import file is the generator's realm document, less realmsync's
	// settings: nothing was lost or added on the way through YAML.
	want := gen.Realm(tiny, "tiny", 1)
	delete(want, "realmsync")
	var got, wantJSON any
	wb, _ := json.Marshal(want)
	_ = json.Unmarshal(wb, &wantJSON)
	_ = json.Unmarshal(kcc, &got)
	if d := cmp.Diff(wantJSON, got); d != "" {
		t.Errorf("import file differs from the preset (-want +got):\n%s", d)
	}
	hcl, err := HCL(realm)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"tiny.json": kcc, "tiny.tf": hcl} {
		golden := filepath.Join("..", "..", "testdata", "peers", name)
		if *update {
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(old), string(data)); d != "" {
			t.Errorf("%s (go test ./internal/peers -update rewrites it):\n%s", name, d)
		}
	}
}

func TestHCLRefusesWhatItCannotCarry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		realm map[string]any
		want  string
	}{
		{"realm field", map[string]any{"realm": "r", "smtpServer": map[string]any{}}, "realm: no HCL for field(s) smtpServer"},
		{"user field", map[string]any{"realm": "r", "users": []any{map[string]any{"username": "u", "attributes": map[string]any{}}}}, "user: no HCL for field(s) attributes"},
		{"mapper type", map[string]any{"realm": "r", "clients": []any{map[string]any{"clientId": "c", "protocolMappers": []any{map[string]any{"name": "m", "protocolMapper": "oidc-audience-mapper"}}}}}, "no HCL for protocolMapper oidc-audience-mapper"},
		{"missing group", map[string]any{"realm": "r", "users": []any{map[string]any{"username": "u", "groups": []any{"/nope"}}}}, "user u: no group /nope"},
		{"forward composite", map[string]any{"realm": "r", "roles": map[string]any{"realm": []any{map[string]any{"name": "a", "composites": map[string]any{"realm": []any{"b"}}}, map[string]any{"name": "b"}}}}, "composite b is not a role written before it"},
		{"client role of no client", map[string]any{"realm": "r", "roles": map[string]any{"client": map[string]any{"c": []any{map[string]any{"name": "x"}}}}}, "roles.client.c: no such client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := HCL(tc.realm)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestHCLStringsStayLiteral(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:        `"plain"`,
		`say "hi"`:     `"say \"hi\""`,
		`back\slash`:   `"back\\slash"`,
		"${var.x}":     `"$${var.x}"`,
		"%{ if x }":    `"%%{ if x }"`,
		"two\nlines":   `"two\nlines"`,
		"$ and % only": `"$ and % only"`,
	} {
		if got := str(in); got != want {
			t.Errorf("str(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestReadRealmJoinsFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"realm.yaml":       "realm: r\nenabled: true\nrealmsync:\n  deletionPolicy: {}\n",
		"a/roles.yaml":     "roles:\n  realm:\n    - name: a\n",
		"b/roles.yaml":     "roles:\n  realm:\n    - name: b\n  client:\n    c: [{name: x}]\n",
		"clients.yml":      "clients:\n  - clientId: c\n",
		"not-yaml.txt":     "ignored: true\n",
		"more/realm2.yaml": "enabled: true\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadRealm(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"realm": "r", "enabled": true,
		"roles":   map[string]any{"realm": []any{map[string]any{"name": "a"}, map[string]any{"name": "b"}}, "client": map[string]any{"c": []any{map[string]any{"name": "x"}}}},
		"clients": []any{map[string]any{"clientId": "c"}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if err := os.WriteFile(filepath.Join(dir, "z.yaml"), []byte("enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRealm(dir); err == nil || !strings.Contains(err.Error(), "field enabled") {
		t.Errorf("a scalar set twice differently: got %v", err)
	}
}
