package yamlschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite testdata/yamlschema/realm.schema.json")

const golden = "../../testdata/yamlschema/realm.schema.json"

func generate(t *testing.T) []byte {
	t.Helper()
	out, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(generate(t)))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("realm.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("realm.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// yamlDocs converts every document of a YAML file to the JSON value an
// editor validates: yaml-language-server sees the text before the loader
// substitutes ${env:...}.
func yamlDocs(t *testing.T, name string, data []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v == nil {
			continue
		}
		b, err := json.Marshal(jsonKeys(v))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs = append(docs, inst)
	}
}

// jsonKeys turns YAML maps with non-string keys into JSON objects.
func jsonKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = jsonKeys(x)
		}
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonKeys(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = jsonKeys(x)
		}
	}
	return v
}

func TestGenerateIsDeterministicJSON(t *testing.T) {
	a, b := generate(t), generate(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs differ")
	}
	var v map[string]any
	if err := json.Unmarshal(a, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.HasSuffix(string(a), "}\n") || strings.HasSuffix(string(a), "\n\n") || !strings.HasPrefix(string(a), "{\n  \"") {
		t.Error("want JSON indented by two spaces, ending in one newline")
	}
	if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" || v["title"] != "realmsync realm file" {
		t.Errorf("$schema %v, title %v", v["$schema"], v["title"])
	}
	if _, ok := v["$id"]; ok {
		t.Error("$id names a host that does not exist")
	}
	if _, ok := v["required"]; ok {
		t.Error("a realm file is a part: nothing is required at the root")
	}
}

func TestGolden(t *testing.T) {
	got := generate(t)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/yamlschema/ -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schema differs from %s; run go test ./internal/yamlschema/ -update and review the diff", golden)
	}
}

// TestRealmFilesValidate holds the schema to the realm files the project
// ships and tests with: the schema must never flag what realmsync accepts.
func TestRealmFilesValidate(t *testing.T) {
	s := compile(t)
	var files []string
	for _, dir := range []string{"../../examples/realms", "../../testdata/export"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	desired, err := filepath.Glob("../../testdata/plan/*/desired/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, desired...)
	if len(files) < 10 {
		t.Fatalf("found only %d realm files: %v", len(files), files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range yamlDocs(t, f, data) {
			if err := s.Validate(doc); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

func TestDocuments(t *testing.T) {
	s := compile(t)
	cases := []struct {
		name, yaml string
		valid      bool
	}{
		{"empty part", `{}`, true},
		{"placeholders in non-string fields", `
enabled: ${env:REALM_ENABLED}
accessTokenLifespan: ${env:TOKEN_LIFESPAN:-300}
clients:
  - clientId: web
    publicClient: ${env:PUBLIC}
    secret: ${env:WEB_SECRET}
`, true},
		{"scalars in string and list maps", `
attributes: {frontendUrl: https://a.example, userProfileEnabled: true}
smtpServer: {port: 587, ssl: false}
clients:
  - clientId: web
    attributes: {access.token.lifespan: 600}
    protocolMappers:
      - name: m
        config: {access.token.claim: true}
roles:
  realm:
    - name: r
      attributes: {tier: 1, tags: [a, 2]}
groups:
  - name: g
    attributes: {floor: 3}
`, true},
		{"deletion policies", `
realmsync:
  deletionPolicy: {clients: full, groups: none, realmRoles: owned, clientMappers: full}
`, true},
		{"fields realmsync leaves alone", `
users: [{username: alice, enabled: true}]
components:
  org.keycloak.keys.KeyProvider:
    - name: rsa
      providerId: rsa-generated
      config: {priority: ["100"]}
clientScopeMappings:
  account: [{client: account-console, roles: [manage-account]}]
`, true},

		{"typo in a client field", `
clients:
  - clientId: web
    redirectUri: ["https://a.example/*"]
`, false},
		{"a string for a boolean", `enabled: "yes"`, false},
		{"a malformed placeholder for a boolean", `enabled: ${env:1BAD}`, false},
		{"a string for an integer", `accessTokenLifespan: five minutes`, false},
		{"unknown deletion policy", `realmsync: {deletionPolicy: {clients: some}}`, false},
		{"deletion policy of the realm", `realmsync: {deletionPolicy: {realms: none}}`, false},
		{"unknown realmsync setting", `realmsync: {dryRun: true}`, false},
		{"unknown top-level field", `realmName: acme`, false},
		{"object without its key", `clients: [{name: Web}]`, false},
		{"unknown composites scope", `
roles:
  realm:
    - name: r
      composites: {application: {x: [y]}}
`, false},
		{"client roles not in a list", `roles: {client: {api: {name: read}}}`, false},
		{"typo in a nested group", `
groups:
  - name: a
    subGroups:
      - name: b
        realmRole: [x]
`, false},
		{"a list in a string map", `clients: [{clientId: web, attributes: {a: [b]}}]`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, doc := range yamlDocs(t, c.name, []byte(c.yaml)) {
				err := s.Validate(doc)
				if c.valid && err != nil {
					t.Errorf("rejected: %v", err)
				}
				if !c.valid {
					if err == nil {
						t.Error("accepted")
					} else {
						t.Logf("rejected as expected: %v", err)
					}
				}
			}
		})
	}
}
