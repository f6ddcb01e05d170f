// Package yamlschema generates a JSON Schema (draft 2020-12) of one realm
// file, so that editors using yaml-language-server validate and complete
// realm files as they are typed.
//
// The schema is derived, not written by hand: Keycloak's representations
// come from package schema (the fields the loader accepts), and the places
// where realmsync reads a realm file differently from Keycloak come from the
// kind table in package model. Adding a field or a kind there changes the
// schema with no edit here.
package yamlschema

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/schema"
)

// root is the representation a realm file is a part of.
const root = "RealmRepresentation"

// envPattern matches a value that is only an ${env:NAME} or
// ${env:NAME:-default} placeholder. The loader substitutes it before typing
// an unquoted scalar, so such a string is a valid boolean or number.
const envPattern = `^\$\{env:[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$`

// node is one JSON Schema. A struct rather than a map keeps the keywords in
// a readable order; maps inside it are written with sorted keys, so the
// output is deterministic.
type node struct {
	Schema               string           `json:"$schema,omitempty"`
	Ref                  string           `json:"$ref,omitempty"`
	Title                string           `json:"title,omitempty"`
	Description          string           `json:"description,omitempty"`
	Type                 any              `json:"type,omitempty"` // a name or a list of names
	Enum                 []string         `json:"enum,omitempty"`
	Pattern              string           `json:"pattern,omitempty"`
	AnyOf                []*node          `json:"anyOf,omitempty"`
	Items                *node            `json:"items,omitempty"`
	Required             []string         `json:"required,omitempty"`
	Properties           map[string]*node `json:"properties,omitempty"`
	AdditionalProperties any              `json:"additionalProperties,omitempty"` // *node or false
	Defs                 map[string]*node `json:"$defs,omitempty"`
}

// wireTypes correct type texts of the reference that would reject what
// Keycloak exports: it documents these maps as "Map of [array]", but their
// lists hold objects, not strings. realmsync leaves these fields alone, but
// a realm export converted to YAML is valid input and must validate.
var wireTypes = map[string]map[string]string{
	"RealmRepresentation": {
		"applicationScopeMappings": "Map of List of ScopeMappingRepresentation",
		"clientScopeMappings":      "Map of List of ScopeMappingRepresentation",
		"components":               "Map of List of ComponentExportRepresentation",
	},
	"ComponentExportRepresentation": {"subComponents": "Map of List of ComponentExportRepresentation"},
	"RolesRepresentation":           {"application": "Map of List of RoleRepresentation"},
}

// Generate returns the schema as indented JSON ending in a newline. The
// output depends only on the tables it is built from.
func Generate() ([]byte, error) {
	g := newGenerator()
	doc := g.representation(root)
	doc.Schema = "https://json-schema.org/draft/2020-12/schema"
	doc.Title = "realmsync realm file"
	doc.Description = "One part of a realm: Keycloak's realm representation in its JSON field names. " +
		"Parts merge, so no field is required. Any string may be an ${env:NAME} placeholder."
	doc.Properties["realmsync"] = toolSettings()
	// Singleton kinds realmsync manages beside Keycloak's realm fields.
	for _, k := range model.Kinds() {
		switch {
		case k.RealmObject != "":
			ref := g.ref(k.Representation)
			ref.Description = "realmsync: the realm's " + k.Title + ", applied through its own endpoint"
			place(doc, k.RealmObject, ref)
		case k.RealmPath != "" && !schema.HasField(root, k.DocumentField()): // an extension's, user federation's flat list
			place(doc, k.RealmPath, &node{Type: "array", Description: "realmsync: " + k.Title + "s", Items: g.ref(k.Representation)})
		}
	}
	// Only representations a realm file can reach, however deeply.
	doc.Defs = map[string]*node{}
	for len(g.pending) > 0 {
		name := g.pending[0]
		g.pending = g.pending[1:]
		if _, done := doc.Defs[name]; !done {
			doc.Defs[name] = g.representation(name)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// generator turns representations into schemas and remembers the
// representations they refer to.
type generator struct {
	// overrides are fields realmsync reads in its own shape, by
	// representation and field.
	overrides map[string]map[string]*node
	// closed are the representations realmsync manages: the loader rejects
	// their unknown fields, so the schema flags typos in them too.
	closed map[string]bool
	// required are the key fields of managed objects: an object in a
	// collection without its key is an error.
	required map[string]string
	// extra are fields the loader accepts although the reference lacks
	// them: fields it leaves alone or drops as server-managed.
	extra   map[string][]string
	pending []string
	queued  map[string]bool
}

func newGenerator() *generator {
	g := &generator{
		overrides: map[string]map[string]*node{},
		closed:    map[string]bool{},
		required:  map[string]string{},
		extra:     map[string][]string{},
		queued:    map[string]bool{root: true},
	}
	// set overrides a field; note says how realmsync reads it.
	set := func(rep, field, note string, n *node) {
		n.Description = note
		if g.overrides[rep] == nil {
			g.overrides[rep] = map[string]*node{}
		}
		g.overrides[rep][field] = n
	}
	for _, k := range model.Kinds() {
		g.closed[k.Representation] = true
		if !k.Root {
			g.required[k.Representation] = k.KeyField
		}
		// model normalises these: a string map takes any scalar (stored as
		// text), a list map a scalar or a list of scalars per key.
		for _, f := range k.StringMaps {
			set(k.Representation, f, "values may be any scalar, compared as text",
				&node{Type: "object", AdditionalProperties: scalar()})
		}
		for _, f := range k.ListMaps {
			set(k.Representation, f, "a value may be a scalar or a list of scalars", &node{Type: "object", AdditionalProperties: &node{
				AnyOf: []*node{scalar(), {Type: "array", Items: scalar()}},
			}})
		}
		for _, f := range append(append([]string{}, k.NotManaged...), k.ServerManaged...) {
			if !strings.Contains(f, ".") && !schema.HasField(k.Representation, f) {
				g.extra[k.Representation] = append(g.extra[k.Representation], f)
			}
		}
		// A parent map such as roles.client holds, per parent key, a list
		// of this kind; the reference types it as a map of string lists.
		if container, field, ok := strings.Cut(k.ParentMap, "."); ok {
			if rep, ok := schema.ElementType(root, container); ok {
				g.closed[rep] = true
				parent := model.KindByName(k.Parent)
				set(rep, field, "lists of "+k.Title+"s by "+parent.KeyField,
					&node{Type: "object", AdditionalProperties: &node{Type: "array", Items: g.ref(k.Representation)}})
			}
		}
	}
	// Relations, in the shapes model decodes them (compositeRefs,
	// realmRoleNames, clientRoleNames): names, not representations.
	names := func() *node { return &node{Type: "array", Items: &node{Type: "string"}} }
	byClient := func() *node { return &node{Type: "object", AdditionalProperties: names()} }
	set("RoleRepresentation", "composites", "realm role names, and role names per clientId", &node{
		Type:                 "object",
		Properties:           map[string]*node{"realm": names(), "client": byClient()},
		AdditionalProperties: false,
	})
	set("GroupRepresentation", "realmRoles", "realm role names", names())
	set("GroupRepresentation", "clientRoles", "role names per clientId", byClient())
	return g
}

// representation is the schema of a representation's object.
func (g *generator) representation(name string) *node {
	fields, _ := schema.Fields(name)
	n := &node{Type: "object", Properties: map[string]*node{}}
	for _, f := range fields {
		typ := f.Type
		if t, ok := wireTypes[name][f.Name]; ok {
			typ = t
		}
		p, ok := g.overrides[name][f.Name]
		if !ok {
			p = g.typeOf(typ)
		}
		q := *p // overrides are shared
		q.Description = "Keycloak type: " + typ
		if p.Description != "" {
			q.Description += "; realmsync: " + p.Description
		}
		n.Properties[f.Name] = &q
	}
	for _, f := range g.extra[name] {
		if n.Properties[f] == nil {
			n.Properties[f] = &node{Description: "not in Keycloak's reference; realmsync does not manage it"}
		}
	}
	if g.closed[name] {
		n.AdditionalProperties = false
	}
	if key := g.required[name]; key != "" {
		n.Required = []string{key}
	}
	return n
}

// typeOf maps the reference's type text to a schema. Element types are
// written "[string]"; representations become references to $defs. What it
// does not know (enums, Java Objects) may hold anything.
func (g *generator) typeOf(t string) *node {
	for _, p := range []string{"List of ", "Set of "} {
		if elem, ok := strings.CutPrefix(t, p); ok {
			return &node{Type: "array", Items: g.typeOf(elem)}
		}
	}
	if elem, ok := strings.CutPrefix(t, "Map of "); ok {
		return &node{Type: "object", AdditionalProperties: g.typeOf(elem)}
	}
	switch t {
	case "String", "[string]":
		return &node{Type: "string"}
	case "Boolean", "[boolean]":
		return placeholderOr("boolean")
	case "Integer", "Long", "[integer]":
		return placeholderOr("integer")
	case "[array]", "[set]":
		return &node{Type: "array", Items: &node{Type: "string"}}
	case "Object", "Map", "[map]":
		return &node{Type: "object"}
	case "List":
		return &node{Type: "array"}
	}
	if fields, ok := schema.Fields(t); ok && len(fields) > 0 {
		return g.ref(t)
	}
	return &node{}
}

// ref refers to a representation's schema and queues it for $defs.
func (g *generator) ref(name string) *node {
	if name == root {
		return &node{Ref: "#"}
	}
	if !g.queued[name] {
		g.queued[name] = true
		g.pending = append(g.pending, name)
	}
	return &node{Ref: "#/$defs/" + name}
}

// placeholderOr accepts a value of a non-string JSON type or an ${env:...}
// placeholder standing for one.
func placeholderOr(typ string) *node {
	return &node{AnyOf: []*node{{Type: typ}, {Type: "string", Pattern: envPattern}}}
}

// scalar is any YAML scalar the loader turns into text.
func scalar() *node { return &node{Type: []string{"string", "number", "boolean"}} }

// toolSettings is the realmsync: section, realmsync's own settings, which
// the loader checks as strictly as this.
func toolSettings() *node {
	policies := map[string]*node{}
	for _, k := range model.Kinds() {
		if !k.Root {
			policies[k.Plural] = &node{
				Description: "Deletion policy of " + k.Title + "s",
				Enum:        []string{string(model.PolicyOwned), string(model.PolicyFull), string(model.PolicyNone)},
			}
		}
	}
	return &node{
		Description: "realmsync's own settings; not sent to Keycloak",
		Type:        "object",
		Properties: map[string]*node{"deletionPolicy": {
			Description:          "Per kind, which live objects absent from the files a sync deletes: owned (the default) deletes those realmsync created or adopted, full all but built-ins, none nothing",
			Type:                 "object",
			Properties:           policies,
			AdditionalProperties: false,
		}},
		AdditionalProperties: false,
	}
}

// place sets a dotted path's schema, making the objects on the way
// (extensions.groupManagement.configuration), closed to other names.
func place(doc *node, path string, n *node) {
	parts := strings.Split(path, ".")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur.Properties[p]
		if !ok {
			next = &node{Type: "object", Properties: map[string]*node{}, AdditionalProperties: false}
			cur.Properties[p] = next
		}
		cur = next
	}
	cur.Properties[parts[len(parts)-1]] = n
}
