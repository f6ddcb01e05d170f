// Package scope works out what a plan scoped to a change must look at:
// `plan --changed-since REF`. It sits beside load, before the live read:
// from the files changed since a Git revision it names, per realm, the
// objects whose declaration changed and the objects they reference. The
// live reader then reads only those (live.Options.Only) and the engine
// diffs only those. Where a change cannot be scoped safely — a new realm,
// a changed deletion policy, a kind whose objects cannot be read one by
// one — the realm gets a full read, and the reason is reported.
//
// A scoped plan trusts the revision's files to describe the server: it
// is the pull request's question ("what does this change do?"), not
// drift detection, which stays a full read.
package scope

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/realmsync/realmsync/internal/model"
)

// Realm is one realm's scope.
type Realm struct {
	// Changed are the objects whose declaration differs between the
	// revision and now (added, removed or edited).
	Changed map[model.Ref]bool
	// Referenced are objects the changed ones refer to, read so that a
	// reference to an object missing from the server is planned too.
	Referenced map[model.Ref]bool
	// Counts are the revision's number of objects per kind: what a
	// scoped read cannot count on the server, for --max-delete-ratio.
	Counts map[string]int
	// Files are the realm's changed files, relative to the realm's
	// directory, for the plan's note.
	Files []string
}

// Refs are every object the scope reads and diffs, sorted.
func (s *Realm) Refs() map[model.Ref]bool {
	out := map[model.Ref]bool{}
	for r := range s.Changed {
		out[r] = true
	}
	for r := range s.Referenced {
		out[r] = true
	}
	return out
}

// FileChange is one realm file before and after: nil where the file did
// not exist.
type FileChange struct {
	Path          string
	Before, After *model.Realm
}

// Compare scopes one realm from its changed files' parts (load.FilePart
// of each version). reason is why the realm needs a full read instead,
// "" when the scope is safe. desired is the realm now (whole, validated).
func Compare(desired *model.Realm, changes []FileChange) (*Realm, string) {
	s := &Realm{Changed: map[model.Ref]bool{}, Referenced: map[model.Ref]bool{}}
	for _, c := range changes {
		s.Files = append(s.Files, c.Path)
		b, a := orEmpty(c.Before, desired.Name), orEmpty(c.After, desired.Name)
		if why := sameRules(b, a); why != "" {
			return nil, fmt.Sprintf("%s: %s", c.Path, why)
		}
		for _, k := range model.Kinds() {
			keys := map[string]bool{}
			for key := range b.Entities[k.Name] {
				keys[key] = true
			}
			for key := range a.Entities[k.Name] {
				keys[key] = true
			}
			for key := range keys {
				if !sameEntity(b.Get(k.Name, key), a.Get(k.Name, key)) {
					s.Changed[model.Ref{Kind: k.Name, Key: key}] = true
				}
			}
		}
	}
	if why := declaredAlike(desired, changes, s.Changed); why != "" {
		return nil, why
	}
	sort.Strings(s.Files)
	for _, ref := range sortedRefs(s.Changed) {
		if why := unscoped(desired, ref); why != "" {
			return nil, why
		}
	}
	for _, ref := range sortedRefs(s.Changed) {
		e := desired.Get(ref.Kind, ref.Key)
		if e == nil {
			continue // removed: what it referred to is no longer asked for
		}
		for _, rel := range e.Kind.Relations {
			v, ok := e.Fields[rel.Field]
			if !ok {
				continue
			}
			refs, _ := rel.Refs(v) // validated on load
			for _, r := range refs {
				if !s.Changed[r] && Addressable(r.Kind) {
					s.Referenced[r] = true
				}
			}
		}
	}
	return s, ""
}

// orEmpty is a file that does not exist: what an empty file declares
// (the realm's entity, no settings).
func orEmpty(r *model.Realm, name string) *model.Realm {
	if r == nil {
		empty, _ := model.Decompose(name, model.Object{}, model.NoPos)
		return empty
	}
	return r
}

// sameEntity: both absent, or both present with the same fields under
// the same parent.
func sameEntity(b, a *model.Entity) bool {
	if b == nil || a == nil {
		return b == nil && a == nil
	}
	// Fields hold what YAML decodes to (maps, lists, scalars), which
	// reflect.DeepEqual compares as cmp.Equal does, ten times faster: a
	// one-user change in the large preset compares 10,000 users.
	return b.Parent == a.Parent && b.Stub() == a.Stub() && reflect.DeepEqual(b.Fields, a.Fields)
}

// sameRules: what decides deletes and reads of the whole realm must not
// change in a scoped plan: a deletion policy decides over objects no file
// names, an extension section decides what is read at all.
func sameRules(b, a *model.Realm) string {
	if !cmp.Equal(b.Policies, a.Policies, cmpopts.EquateEmpty()) {
		return "the deletion policy changed, which decides over objects no changed file names"
	}
	if !cmp.Equal(b.Extensions, a.Extensions, cmpopts.EquateEmpty()) {
		return "an extension section was added or removed"
	}
	return ""
}

// declaredAlike: a collection the files start or stop writing down changes
// which live objects are deleted, objects no file names; that needs the
// whole collection read. Collections of an object new or gone are alike
// enough: there is nothing of theirs to find. Before the change, a
// collection was written down by a changed file's old version, or by a
// file that did not change (one that writes it down now, though no
// changed file's new version does).
func declaredAlike(desired *model.Realm, changes []FileChange, changed map[model.Ref]bool) string {
	before, after := map[model.Scope]string{}, map[model.Scope]bool{}
	for _, c := range changes {
		if c.Before != nil {
			for sc := range c.Before.Declared {
				before[sc] = c.Path
			}
		}
		if c.After != nil {
			for sc := range c.After.Declared {
				after[sc] = true
			}
		}
	}
	all := map[model.Scope]model.Pos{}
	for sc := range before {
		all[sc] = model.Pos{}
	}
	for sc, at := range desired.Declared {
		all[sc] = at
		if !after[sc] || !isChanged(changes, at.File) {
			before[sc] = "" // an unchanged file writes it down
		}
	}
	for _, sc := range sortedScopes(all) {
		_, was := before[sc]
		_, is := desired.Declared[sc]
		if was == is {
			continue
		}
		k := model.KindByName(sc.Kind)
		if sc.Parent != "" {
			if pk := model.KindByName(k.Parent); pk != nil && changed[model.Ref{Kind: pk.Name, Key: sc.Parent}] &&
				(desired.Get(pk.Name, sc.Parent) == nil || !inBefore(changes, model.Ref{Kind: pk.Name, Key: sc.Parent})) {
				continue // the parent is gone (its children go with it) or new (it has none yet)
			}
		}
		where := "the realm's"
		if sc.Parent != "" {
			where = fmt.Sprintf("%q's", sc.Parent)
		}
		verb, file := "stopped", before[sc]
		if is {
			verb, file = "started", desired.Declared[sc].File
		}
		return fmt.Sprintf("%s: the files %s writing down %s %s, which decides over objects no file names", filepath.Base(file), verb, where, k.Plural)
	}
	return ""
}

// isChanged reports whether file (as loaded: a path ending in the
// realm-relative one) is one of changes.
func isChanged(changes []FileChange, file string) bool {
	file = filepath.ToSlash(file)
	for _, c := range changes {
		if file == c.Path || strings.HasSuffix(file, "/"+c.Path) {
			return true
		}
	}
	return false
}

// inBefore reports whether a changed file's old version declared ref.
func inBefore(changes []FileChange, ref model.Ref) bool {
	for _, c := range changes {
		if c.Before != nil && c.Before.Get(ref.Kind, ref.Key) != nil {
			return true
		}
	}
	return false
}

// unscoped says why a changed object needs the realm read whole, "" when
// it can be read on its own.
func unscoped(desired *model.Realm, ref model.Ref) string {
	k := model.KindByName(ref.Kind)
	switch {
	case !Addressable(ref.Kind):
		return fmt.Sprintf("%s %q changed, and %ss are read with the whole realm, not one by one", k.Title, ref.Key, k.Title)
	case ref.Kind == model.KindUser && len(desired.Entities[model.KindFederation]) > 0:
		return fmt.Sprintf("a user changed (%q) in a realm with user federation: a user is looked up in the directory too", ref.Key)
	case ref.Kind == model.KindRealm:
		if e := desired.Get(ref.Kind, ref.Key); e != nil {
			for _, f := range realmWideFields {
				if _, ok := e.Fields[f]; ok {
					return fmt.Sprintf("the realm's %s is set in a changed file: it decides over every user or organization", f)
				}
			}
		}
	case ref.Kind == model.KindClient:
		if e := desired.Get(ref.Kind, ref.Key); e != nil {
			if _, ok := e.Fields[model.AuthorizationField]; ok || e.Fields["authorizationServicesEnabled"] == true {
				return fmt.Sprintf("client %q with authorization services changed: its resource server is read with the whole realm", ref.Key)
			}
		}
	}
	return ""
}

// realmWideFields are realm settings that change how other objects are
// keyed or read.
var realmWideFields = []string{"registrationEmailAsUsername", "organizationsEnabled"}

// Addressable kinds are those the live reader can read one object at a
// time (live.readOnly): by key, or through a parent read by key.
func Addressable(kind string) bool { return addressable[kind] }

var addressable = map[string]bool{
	model.KindRealm: true, model.KindClient: true, model.KindClientMap: true, model.KindClientRole: true,
	model.KindRealmRole: true, model.KindGroup: true, model.KindClientScope: true, model.KindScopeMapper: true,
	model.KindUser: true, model.KindFederatedID: true, model.KindIdP: true, model.KindIdPMapper: true,
}

// Count is the number of objects of each kind in a realm, built-ins left
// out (what --max-delete-ratio counts).
func Count(r *model.Realm) map[string]int {
	out := map[string]int{}
	for _, k := range model.Kinds() {
		for key := range r.Entities[k.Name] {
			if !k.BuiltIn(r.Name, key) {
				out[k.Name]++
			}
		}
	}
	return out
}

// sortedRefs orders a set of objects as ownership records do.
func sortedRefs(m map[model.Ref]bool) []model.Ref { return model.Owned(m).Sorted() }

func sortedScopes(m map[model.Scope]model.Pos) []model.Scope {
	out := make([]model.Scope, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Parent < out[j].Parent
	})
	return out
}

// Summary says what a scope covers, for the plan's note.
func (s *Realm) Summary(rev string) string {
	return fmt.Sprintf("scoped plan: only the %d object(s) whose declaration changed since %s (in %s) and the %d they refer to were read and compared; drift elsewhere is not looked for (a plan without --changed-since reads everything)",
		len(s.Changed), rev, strings.Join(s.Files, ", "), len(s.Referenced))
}
