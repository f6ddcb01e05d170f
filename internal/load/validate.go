package load

import (
	"fmt"
	"math"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/schema"
)

// validate checks a merged realm offline: known fields with the right
// types, parents that exist, and references that resolve within the
// desired state or to objects every realm has.
//
// Users held by key alone (Options.CheckOnly) were checked already:
// checked has their errors, reported here in their place.
func validate(r *model.Realm, checked map[string][]error) []error {
	var errs []error
	for _, k := range model.Kinds() {
		for _, e := range r.Sorted(k.Name) {
			if k.Name == model.KindUser && e.Fields == nil {
				errs = append(errs, checked[e.Key]...)
				continue
			}
			errs = append(errs, validateEntity(r, k, e)...)
		}
	}
	return errs
}

// validateEntity checks one object of r.
func validateEntity(r *model.Realm, k *model.Kind, e *model.Entity) []error {
	var errs []error
	fail := func(pos model.Pos, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", pos, fmt.Sprintf(format, args...)))
	}
	what := fmt.Sprintf("%s %q", k.Title, e.Key)
	if k.Root {
		what = "realm " + r.Name
	}
	for _, f := range model.SortedKeys(e.Fields) {
		pos := e.FieldPos.Get(f)
		if pos.IsZero() {
			pos = e.Source
		}
		if !schema.HasField(k.Representation, f) && k.Relation(f) == nil {
			fail(pos, "%s: unknown field %q%s", what, f, suggestion(k.Representation, f))
			continue
		}
		if rel := k.Relation(f); rel != nil {
			refs, err := rel.Refs(e.Fields[f])
			if err != nil {
				fail(pos, "%s: %s: %v", what, f, err)
				continue
			}
			for _, ref := range refs {
				if msg := model.KindByName(ref.Kind).CheckRef(r.Name, ref); msg != "" {
					fail(pos, "%s: %s: %s", what, f, msg)
					continue
				}
				if r.Get(ref.Kind, ref.Key) == nil && !model.KnownBuiltInRole(r.Name, ref) && !model.KindByName(ref.Kind).BuiltIn(r.Name, ref.Key) {
					at := pos
					for _, name := range []string{ref.Key, model.ChildName(ref.Key)} {
						if p, ok := e.FieldPos.Lookup(model.RefPosKey(f, name)); ok && !p.IsZero() {
							at = p // the name itself, not the list it is in
							break
						}
					}
					fail(at, "%s: %s refers to %s, which is not defined%s", what, f, ref, refSuggestion(r, ref))
				}
			}
			continue
		}
		if msg := checkType(k.Representation, f, e.Fields[f]); msg != "" {
			fail(pos, "%s: field %q %s", what, f, msg)
			continue
		}
		if msg := k.CheckValue(f, e.Fields[f]); msg != "" {
			fail(pos, "%s: field %q %s", what, f, msg)
		}
	}
	for _, p := range k.Check(r, e) {
		pos := e.Source
		if fp := e.FieldPos.Get(p.Field); p.Field != "" && !fp.IsZero() {
			pos = fp
		}
		if p.Field == "" {
			fail(pos, "%s: %s", what, p.Message)
		} else {
			fail(pos, "%s: %s: %s", what, p.Field, p.Message)
		}
	}
	if e.Parent != "" && (k.ParentMap != "" || k.ParentKeyField != "") {
		pk := model.KindByName(k.Parent)
		if r.Get(pk.Name, e.Parent) == nil && !pk.BuiltIn(r.Name, e.Parent) {
			fail(e.Source, "%s: %s %q is not defined%s", what, pk.Title, e.Parent,
				nameSuggestion(e.Parent, model.SortedKeys(r.Entities[pk.Name])))
		}
	}
	return errs
}

func suggestion(representation, field string) string {
	fields, _ := schema.Fields(representation)
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		names = append(names, f.Name)
	}
	return nameSuggestion(field, names)
}

func refSuggestion(r *model.Realm, ref model.Ref) string {
	return nameSuggestion(ref.Key, model.SortedKeys(r.Entities[ref.Kind]))
}

func nameSuggestion(name string, candidates []string) string {
	if s := schema.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// checkType compares a value with the field's type in Keycloak's schema,
// so that a mistake is reported here rather than by the server halfway
// through a sync. It returns "" when the value fits.
func checkType(representation, field string, v any) string {
	typ, _ := schema.FieldType(representation, field)
	if v == nil || typ == "" {
		return ""
	}
	want := kindOfType(typ)
	got := kindOfValue(v)
	if n, ok := v.(float64); ok && want == "number" {
		return checkInteger(typ, n)
	}
	if want == "" || want == got || (want == "string" && got != "list" && got != "object") {
		return ""
	}
	return fmt.Sprintf("must be %s (Keycloak type %s), found %s", article(want), typ, article(got))
}

// checkInteger: Keycloak's Integer is 32 bits and its Long 64 bits; a
// fraction would be cut off (300.5 stored as 300, never converging) and a
// value out of range refused with a 400 halfway through a sync.
func checkInteger(typ string, n float64) string {
	var limit float64
	switch strings.ToLower(typ) {
	case "integer", "int32":
		limit = math.MaxInt32
	case "long", "int64":
		limit = 1 << 53 // the largest a JSON number keeps exactly
	default:
		return ""
	}
	if n != math.Trunc(n) {
		return fmt.Sprintf("must be a whole number (Keycloak type %s), found %v", typ, n)
	}
	if n > limit || n < -limit-1 {
		return fmt.Sprintf("is out of range for Keycloak type %s (at most %.0f)", typ, limit)
	}
	return ""
}

// kindOfType maps the reference's type text onto a JSON kind.
func kindOfType(typ string) string {
	t := strings.ToLower(typ)
	switch {
	case strings.HasPrefix(t, "list of"), strings.HasPrefix(t, "set of"), strings.HasPrefix(t, "array"):
		return "list"
	case strings.HasPrefix(t, "map of"), strings.HasSuffix(t, "representation"), t == "object":
		return "object"
	case t == "boolean":
		return "boolean"
	case t == "integer", t == "long", t == "number", t == "int32", t == "int64", t == "double", t == "float":
		return "number"
	case t == "string":
		return "string"
	}
	return ""
}

func kindOfValue(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case map[string]any:
		return "object"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	}
	return "null"
}

func article(kind string) string {
	switch kind {
	case "list", "number", "string", "boolean":
		return "a " + kind
	case "object":
		return "an object"
	}
	return kind
}
