package plan_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(plan.JSONSchema))
	if err != nil {
		t.Fatalf("plan.schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatalf("plan.schema.json does not compile: %v", err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, data)
	}
	return s.Validate(inst)
}

// TestJSONMatchesSchema holds WriteJSON to its published schema on every
// case, including the leaky one.
func TestJSONMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	plans := map[string]*plan.Plan{"leaky": leakyPlan()}
	for _, c := range renderCases {
		plans[c.name] = c.plan()
	}
	for name, p := range plans {
		var out bytes.Buffer
		if err := plan.WriteJSON(&out, p); err != nil {
			t.Fatal(err)
		}
		if err := validate(t, s, out.Bytes()); err != nil {
			t.Errorf("%s: JSON output does not match plan.schema.json: %v\n%s", name, err, out.Bytes())
		}
		if !strings.HasSuffix(out.String(), "}\n") || strings.HasSuffix(out.String(), "\n\n") {
			t.Errorf("%s: JSON output must end in one newline", name)
		}
		var got struct {
			FormatVersion string `json:"format_version"`
			Summary       struct{ Create, Update, Delete int }
			Actions       []struct {
				Key     string
				Changes []map[string]any
			}
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		c, u, d := p.Counts()
		if got.FormatVersion != plan.JSONFormatVersion || got.Summary.Create != c || got.Summary.Update != u || got.Summary.Delete != d {
			t.Errorf("%s: header %+v, want version %s and counts %d/%d/%d", name, got, plan.JSONFormatVersion, c, u, d)
		}
		if len(got.Actions) != len(p.Actions) {
			t.Fatalf("%s: %d actions, want %d", name, len(got.Actions), len(p.Actions))
		}
		for i, a := range p.Actions { // plan order, and no values for secrets
			if got.Actions[i].Key != a.Key {
				t.Errorf("%s: action %d is %q, want %q (plan order)", name, i, got.Actions[i].Key, a.Key)
			}
			for j, ch := range a.Changes {
				if !ch.Sensitive {
					continue
				}
				if keys := len(got.Actions[i].Changes[j]); keys != 2 {
					t.Errorf("%s: sensitive change %s has %d fields, want path and sensitive only", name, ch.Path, keys)
				}
			}
		}
	}
}

// TestSchemaRejects makes sure the schema is strict where it promises to
// be: a sensitive change with a value, an unknown verb, a missing field.
func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	bad := map[string]string{
		"sensitive with value": `{"format_version":"1.0","summary":{"create":0,"update":1,"delete":0},"warnings":[],"actions":[{"realm":"a","kind":"client","key":"c","verb":"update","changes":[{"path":"secret","sensitive":true,"after":"x"}]}]}`,
		"unknown verb":         `{"format_version":"1.0","summary":{"create":0,"update":1,"delete":0},"warnings":[],"actions":[{"realm":"a","kind":"client","key":"c","verb":"replace","changes":[]}]}`,
		"no warnings":          `{"format_version":"1.0","summary":{"create":0,"update":0,"delete":0},"actions":[]}`,
		"other version":        `{"format_version":"2.0","summary":{"create":0,"update":0,"delete":0},"warnings":[],"actions":[]}`,
		"unknown field":        `{"format_version":"1.0","summary":{"create":0,"update":0,"delete":0},"warnings":[],"actions":[],"extra":1}`,
	}
	for name, doc := range bad {
		if validate(t, s, []byte(doc)) == nil {
			t.Errorf("%s: schema accepts %s", name, doc)
		}
	}
}

// TestSchemaKindsAreTheKindTable keeps the schema's kind enum in step with
// the kind table: a new kind is a documented change of the format.
func TestSchemaKindsAreTheKindTable(t *testing.T) {
	var schema struct {
		Defs struct {
			Action struct {
				Properties struct {
					Kind struct {
						Enum []string `json:"enum"`
					} `json:"kind"`
				} `json:"properties"`
			} `json:"action"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(plan.JSONSchema, &schema); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range model.Kinds() {
		names = append(names, k.Name)
	}
	if got, want := strings.Join(schema.Defs.Action.Properties.Kind.Enum, ","), strings.Join(names, ","); got != want {
		t.Errorf("plan.schema.json kinds %s, kind table %s", got, want)
	}
}

// TestEmbeddedSchemaIsTheFile guards the go:embed.
func TestEmbeddedSchemaIsTheFile(t *testing.T) {
	file, err := os.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, plan.JSONSchema) || len(file) == 0 {
		t.Error("plan.JSONSchema is not plan.schema.json")
	}
}

// TestApplyReportMatchesSchema: a sync's report file (the plan with what
// became of each action) is held to the schema too.
func TestApplyReportMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	p := mixedPlan()
	rep := &plan.ApplyReport{Done: 1, Failed: 1, Skipped: 1, Requests: map[string]int64{"GET": 12, "POST": 2},
		Actions: []plan.ActionOutcome{
			{Realm: "acme", Kind: "client", Key: "web", Verb: plan.Create, Outcome: "done"},
			{Realm: "acme", Kind: "client", Key: "api", Verb: plan.Update, Outcome: "failed", Detail: "PUT acme/clients/1: 400 Bad Request"},
			{Realm: "acme", Kind: "group", Key: "/old", Verb: plan.Delete, Outcome: "skipped", Detail: "no deletes after a failure"},
		}}
	var out bytes.Buffer
	if err := plan.WriteJSONReport(&out, p, rep); err != nil {
		t.Fatal(err)
	}
	if err := validate(t, s, out.Bytes()); err != nil {
		t.Errorf("the report does not match plan.schema.json: %v\n%s", err, out.Bytes())
	}
	bad := strings.Replace(out.String(), `"outcome": "done"`, `"outcome": "maybe"`, 1)
	if err := validate(t, s, []byte(bad)); err == nil {
		t.Error("the schema takes an unknown outcome")
	}
}
