package diff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/diff"
	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// env is what the golden cases see as the environment.
var env = map[string]string{"SMTP_PASSWORD": "smtp-pass-123", "API_SECRET": "new-secret-value", "LDAP_BIND_PASSWORD": "new-bind-secret"}

// TestGoldenPlans plans each case under testdata/plan: desired/ is a
// desired-state directory, live.yaml the live realm document as the
// reader builds it (empty: the realm does not exist), plan.txt and
// plan.json the expected plan in the text and JSON views.
func TestGoldenPlans(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/plan/*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases found: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p := planCase(t, dir)
			for _, view := range []struct {
				file  string
				write func(*bytes.Buffer, *plan.Plan) error
			}{
				{"plan.txt", func(b *bytes.Buffer, p *plan.Plan) error { return plan.WriteText(b, p) }},
				{"plan.json", func(b *bytes.Buffer, p *plan.Plan) error { return plan.WriteJSON(b, p) }},
			} {
				var got bytes.Buffer
				if err := view.write(&got, p); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join(dir, view.file)
				if *update {
					if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("plan differs from %s (go test ./internal/diff -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", golden, got.String(), want)
				}
				for _, secret := range env {
					if bytes.Contains(got.Bytes(), []byte(secret)) {
						t.Errorf("%s shows secret value %q", view.file, secret)
					}
				}
			}
			var got bytes.Buffer
			_ = plan.WriteText(&got, p)
			for _, secret := range env {
				if bytes.Contains(got.Bytes(), []byte(secret)) {
					t.Errorf("plan text shows secret value %q", secret)
				}
				js, _ := json.Marshal(p)
				if bytes.Contains(js, []byte(secret)) {
					t.Errorf("plan JSON holds secret value %q", secret)
				}
			}
		})
	}
}

func planCase(t *testing.T, dir string) *plan.Plan {
	t.Helper()
	desired, err := load.Dir(filepath.Join(dir, "desired"), load.Options{Lookup: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatalf("loading desired state: %v", err)
	}
	p := &plan.Plan{Warnings: desired.Warnings}
	for _, name := range desired.Names() {
		actions, err := diff.Realm(desired.Realms[name], readLive(t, filepath.Join(dir, "live.yaml"), name), diff.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p.Add(actions...)
	}
	return p
}

func readLive(t *testing.T, file, realm string) *model.Realm {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw == nil {
		return nil
	}
	// "owned:" lists "kind key" lines the default owner has recorded; the
	// server keeps them encoded in realm attributes.
	if lines, ok := raw["owned"].([]any); ok {
		delete(raw, "owned")
		set := model.Owned{}
		for _, l := range lines {
			kind, key, _ := strings.Cut(l.(string), " ")
			set[model.Ref{Kind: kind, Key: key}] = true
		}
		attrs := map[string]any{}
		for k, v := range model.EncodeOwnership(model.DefaultOwner, set) {
			attrs[k] = v
		}
		raw["attributes"] = attrs
	}
	doc, err := model.Canonical(raw)
	if err != nil {
		t.Fatal(err)
	}
	r, errs := model.Decompose(realm, doc.(map[string]any), model.NoPos)
	if len(errs) > 0 {
		t.Fatalf("live document: %v", errs)
	}
	return r
}

// TestPlanAgainstItselfIsEmpty checks the engine's first promise on every
// golden case: desired state compared with itself changes nothing.
func TestPlanAgainstItselfIsEmpty(t *testing.T) {
	cases, _ := filepath.Glob("../../testdata/plan/*")
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			desired, err := load.Dir(filepath.Join(dir, "desired"), load.Options{Lookup: func(k string) (string, bool) {
				v, ok := env[k]
				return v, ok
			}})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range desired.Names() {
				self := desired.Realms[name]
				self.Owners = map[string]model.Owned{model.DefaultOwner: everything(self)}
				// As a sync leaves it: the write-only values recorded.
				for _, k := range model.Kinds() {
					for _, e := range self.Sorted(k.Name) {
						for _, f := range k.WriteOnly {
							if v, ok := model.ValueAt(e.Fields, f); ok {
								self.Digests[model.DigestKey(k.Name, e.Key, f)] = model.Digest(name, v)
							}
						}
					}
				}
				if actions, err := diff.Realm(self, self, diff.Options{}); err != nil || len(actions) != 0 {
					t.Errorf("%d actions against itself: %+v", len(actions), actions)
				}
			}
		})
	}
}

// everything is the set of all of a realm's objects but the realm itself.
func everything(r *model.Realm) model.Owned {
	set := model.Owned{}
	for _, k := range model.Kinds() {
		if k.Name == model.KindRealm {
			continue
		}
		for _, e := range r.Sorted(k.Name) {
			set[model.Ref{Kind: k.Name, Key: e.Key}] = true
		}
	}
	return set
}
