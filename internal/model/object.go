// Package model holds the data every stage shares: a realm as Keycloak's own
// JSON document shape (what users write in YAML and what the server returns),
// the table of entity kinds that says where each kind lives in that document,
// and the flat set of entities (kind, natural key, fields) that diff and apply
// work on. Loading, live reading, diffing and applying all meet here, so this
// package depends on nothing but the standard library.
package model

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Object is one JSON object as Go decodes it: values are map[string]any,
// []any, string, float64, bool or nil. Both the YAML loader and the live
// reader canonicalise to exactly these types, so cmp.Equal can compare them.
type Object = map[string]any

// Pos is a place in a desired-state file, for error messages.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	if p.File == "" {
		return ""
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsZero reports whether the position is unknown (live objects have none).
func (p Pos) IsZero() bool { return p.File == "" }

// Canonical converts any JSON-able value into the canonical decoded form
// (maps, slices, float64, string, bool, nil) by a JSON round trip. YAML
// yields ints and typed maps; JSON yields float64: without this step the
// same desired and live value would compare unequal.
func Canonical(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeepCopy copies a canonical value so that later edits of the copy never
// reach the original (plans and live snapshots are shared between stages).
func DeepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = DeepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = DeepCopy(x)
		}
		return s
	default:
		return v
	}
}

// SortedKeys returns the keys of m in order: never range over a map where
// output or request order depends on it.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MaskedSecret is what Keycloak returns in place of a stored secret.
const MaskedSecret = "**********"

// Masked reports a secret the server answered with its mask: the string,
// or a one-element list of it (component config, such as an LDAP
// bindCredential, is a list of strings).
func Masked(v any) bool {
	if list, ok := v.([]any); ok && len(list) == 1 {
		v = list[0]
	}
	return v == MaskedSecret
}

// SecretText is a secret value's text: the string, or the one string of a
// one-element list; ok is false for anything else.
func SecretText(v any) (text string, list, ok bool) {
	if l, isList := v.([]any); isList {
		if len(l) != 1 {
			return "", true, false
		}
		s, isString := l[0].(string)
		return s, true, isString
	}
	s, isString := v.(string)
	return s, false, isString
}

// IsScalar reports whether v is a JSON scalar (or null).
func IsScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// ScalarString renders a scalar the way Keycloak stores it in string maps.
func ScalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	case float64:
		if t == float64(int64(t)) {
			return fmt.Sprintf("%d", int64(t))
		}
		return fmt.Sprintf("%g", t)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

// Lookup follows a dotted path of object keys ("roles.realm").
func Lookup(obj Object, path string) (any, bool) {
	var cur any = obj
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[seg]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// Ensure returns the object at a dotted path, creating empty objects on the way.
func Ensure(obj Object, path string) Object {
	cur := obj
	for _, seg := range strings.Split(path, ".") {
		next, ok := cur[seg].(map[string]any)
		if !ok {
			next = Object{}
			cur[seg] = next
		}
		cur = next
	}
	return cur
}

// KeyedItems indexes a list of objects by the value of their key field.
func KeyedItems(list any, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	items, _ := list.([]any)
	for _, item := range items {
		if obj, ok := item.(map[string]any); ok {
			out[ScalarString(obj[key])] = obj
		}
	}
	return out
}
