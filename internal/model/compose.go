package model

import (
	"fmt"
	"strings"
)

// Compose builds the realm document from entities: the inverse of
// Decompose, used to write exports. Every non-realm entity's parent must be
// present.
func Compose(r *Realm) (Object, error) {
	doc := Object{}
	if s := r.Settings(); s != nil {
		for f, v := range s.Fields {
			doc[f] = DeepCopy(v)
		}
	}
	doc["realm"] = r.Name
	placed := map[Scope]Object{} // (kind, key) → the object in doc
	for _, k := range kinds {
		if k.Root {
			continue
		}
		for _, e := range r.Sorted(k.Name) {
			obj := DeepCopy(e.Fields).(map[string]any)
			placed[Scope{k.Name, e.Key}] = obj
			switch {
			case k.RealmObject != "":
				container := doc
				if pp := parentPath(k.RealmObject); pp != "" {
					container = Ensure(doc, pp)
				}
				container[k.SingletonKey()] = obj
			case k.MapValue != "":
				Ensure(doc, k.RealmPath)[e.Key] = obj[k.MapValue]
			case k.TypeField != "":
				// A map of type to list: the map key says the type.
				typ := fmt.Sprint(obj[k.TypeField])
				delete(obj, k.TypeField)
				container := doc
				path := k.RealmPath
				if e.Parent != "" {
					if container = placed[Scope{k.Parent, e.Parent}]; container == nil {
						return nil, fmt.Errorf("%s %q: parent %q is missing", k.Title, e.Key, e.Parent)
					}
					path = k.ParentField
				}
				m := Ensure(container, path)
				list, _ := m[typ].([]any) // types hold dots: not a path
				m[typ] = append(list, obj)
			case e.Parent == "" && k.RealmPath != "":
				appendAt(doc, k.RealmPath, obj)
			case k.ParentKeyField != "":
				if placed[Scope{k.Parent, e.Parent}] == nil {
					return nil, fmt.Errorf("%s %q: parent %q is missing", k.Title, e.Key, e.Parent)
				}
				obj[k.ParentKeyField] = e.Parent
				appendAt(doc, k.RealmPath, obj)
			case k.ParentField != "":
				parent := placed[Scope{k.Parent, e.Parent}]
				if parent == nil {
					return nil, fmt.Errorf("%s %q: parent %q is missing", k.Title, e.Key, e.Parent)
				}
				list, _ := parent[k.ParentField].([]any)
				parent[k.ParentField] = append(list, obj)
			case k.ParentMap != "":
				if placed[Scope{k.Parent, e.Parent}] == nil {
					return nil, fmt.Errorf("%s %q: parent %q is missing", k.Title, e.Key, e.Parent)
				}
				m := Ensure(doc, k.ParentMap)
				list, _ := m[e.Parent].([]any)
				m[e.Parent] = append(list, obj)
			}
		}
	}
	lowerScopeMappings(doc)
	lowerAuthorization(doc)
	return doc, nil
}

func appendAt(doc Object, path string, obj Object) {
	parentPath, last := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parentPath, last = path[:i], path[i+1:]
	}
	container := doc
	if parentPath != "" {
		container = Ensure(doc, parentPath)
	}
	list, _ := container[last].([]any)
	container[last] = append(list, obj)
}

// parentPath is a dotted path without its last segment, or "" .
func parentPath(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}
