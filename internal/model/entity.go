package model

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/realmsync/realmsync/internal/schema"
)

// Entity is one Keycloak object: the unit that diff compares and apply
// creates, updates or deletes.
type Entity struct {
	Kind *Kind
	// Key is the natural key, unique within the kind and realm.
	Key string
	// Parent is the parent object's key ("" for realm-level objects).
	Parent string
	// Fields are the object's own fields in canonical form, without child
	// collections and server-managed fields.
	Fields Object
	// ID is the server id of a live object ("" in desired state).
	ID string
	// Source and FieldPos locate a desired object in its file.
	Source   Pos
	FieldPos Positions
	// stub: the object is written down only for its scope mappings.
	stub bool
	// DropPrefixes: keys of its whole maps with these prefixes (another
	// tool's bookkeeping, ForeignState) are removed from the live object,
	// though a whole map never removes them otherwise.
	DropPrefixes []string
}

// Name is the object's local key (the value of its key field).
func (e *Entity) Name() string {
	if e.Kind.RealmObject != "" {
		return e.Kind.SingletonKey()
	}
	if e.Kind.TypeField != "" {
		name, _ := e.Kind.LocalName(e.Fields) // "<type>:<name>"
		return name
	}
	s, _ := e.Fields[e.Kind.KeyField].(string)
	return s
}

// Scope names one collection: the objects of Kind directly under Parent.
// A collection the desired state writes down is authoritative for its
// members: a live member it does not list may be deleted.
type Scope struct {
	Kind   string
	Parent string
}

// Realm is the decomposed state of one realm.
type Realm struct {
	Name     string
	Entities map[string]map[string]*Entity
	// Declared are the collections the document writes down, with where.
	Declared map[Scope]Pos
	// Unmanaged lists document fields left alone by this version, with where.
	Unmanaged map[string]Pos
	// Ignored lists document fields the server ignores, with where and why.
	Ignored map[string]IgnoredAt
	// Policies are the deletion policies the desired state sets, by kind.
	Policies map[string]Policy
	// PolicyPos says where each policy was set.
	PolicyPos map[string]Pos
	// Owners are the ownership records of a live realm, by owner.
	Owners map[string]Owned
	// Flows are the aliases of a live realm's top-level authentication
	// flows, which its flow bindings name.
	Flows []string
	// Authenticators are the ids of the authenticators, form actions and
	// forms a live server offers to flows' executions (nil: unknown).
	Authenticators []string
	// Digests are what realmsync last wrote into write-only fields, as
	// digests by DigestKey (a live realm's, from its attributes).
	Digests map[string]string
	// Extensions are the extensions the realm's files declare (a section
	// under extensions:): only theirs are read from the server.
	Extensions map[string]bool
	// FlowIDs maps those aliases to the flows' ids, for the references
	// request bodies carry by id (BodyRefs).
	FlowIDs map[string]string
	// ImportedUsers counts a live realm's users by the user federation
	// provider (its id) they were imported from.
	ImportedUsers map[string]int
	// ManagedMembers names a live realm's organizations' managed members
	// (users the organization's identity providers made), by alias:
	// Keycloak deletes them with the organization.
	ManagedMembers map[string][]string
	// Imported are the keys of a live realm's users imported from user
	// federation: the directory's, not the files'.
	Imported map[string]bool
	// Unreadable are the kinds of a live realm the server could not list,
	// with why (users, while an LDAP provider cannot bind): a plan leaves
	// them alone, and one that needs them is refused.
	Unreadable map[string]string
	// Counts, when set, are how many objects of each kind the live realm
	// has (built-ins left out), where Entities holds only some of them (a
	// plan scoped to a change): --max-delete-ratio counts these.
	Counts map[string]int
	// UserProfile is the document's declarative user profile (Keycloak
	// 24+), nil when it has none; diff reads a live realm's.
	UserProfile *UserProfile
}

// IgnoredAt is where a field the server ignores was written, and why.
type IgnoredAt struct {
	Pos Pos
	Why string
}

// UserProfile is what realmsync needs to know of the user profile: which
// user attributes Keycloak keeps.
type UserProfile struct {
	// Attributes are the attributes the profile declares.
	Attributes map[string]bool
	// UnmanagedPolicy is unmanagedAttributePolicy: "" (disabled: other
	// attributes are dropped without an error), ENABLED, ADMIN_EDIT or
	// ADMIN_VIEW (kept but read-only for admins).
	UnmanagedPolicy string
	// Locale: the realm has internationalization on, and Keycloak then
	// keeps a user's locale attribute whatever the profile says.
	Locale bool
}

// ProfileOf reads the parts of a user profile configuration realmsync
// needs.
func ProfileOf(cfg Object) *UserProfile {
	p := &UserProfile{Attributes: map[string]bool{}}
	p.UnmanagedPolicy, _ = cfg["unmanagedAttributePolicy"].(string)
	for name := range KeyedItems(cfg["attributes"], "name") {
		p.Attributes[name] = true
	}
	return p
}

// LocaleAttribute is the user attribute holding the user's chosen locale.
const LocaleAttribute = "locale"

// Keeps reports whether Keycloak stores a user attribute an admin writes.
func (p *UserProfile) Keeps(attribute string) bool {
	if p == nil || p.Attributes[attribute] || (attribute == LocaleAttribute && p.Locale) {
		return true
	}
	return p.UnmanagedPolicy == "ENABLED" || p.UnmanagedPolicy == "ADMIN_EDIT"
}

// Policy says which live objects absent from the desired state a sync
// deletes.
type Policy string

const (
	// PolicyOwned deletes objects realmsync created or adopted (the default).
	PolicyOwned Policy = "owned"
	// PolicyFull deletes everything not declared and not built-in.
	PolicyFull Policy = "full"
	// PolicyNone never deletes.
	PolicyNone Policy = "none"
)

// Policy returns the deletion policy for a kind.
func (r *Realm) Policy(kind string) Policy {
	if p, ok := r.Policies[kind]; ok {
		return p
	}
	if k := KindByName(kind); k != nil && k.DefaultPolicy != "" {
		return k.DefaultPolicy
	}
	return PolicyOwned
}

// NewRealm returns an empty realm state.
func NewRealm(name string) *Realm {
	return &Realm{
		Name:       name,
		Entities:   map[string]map[string]*Entity{},
		Declared:   map[Scope]Pos{},
		Unmanaged:  map[string]Pos{},
		Ignored:    map[string]IgnoredAt{},
		Policies:   map[string]Policy{},
		PolicyPos:  map[string]Pos{},
		Owners:     map[string]Owned{},
		Extensions: map[string]bool{},
		Digests:    map[string]string{},
	}
}

// Get returns the entity of kind with key, or nil.
func (r *Realm) Get(kind, key string) *Entity { return r.Entities[kind][key] }

// Settings returns the realm's own entity.
func (r *Realm) Settings() *Entity { return r.Get(KindRealm, r.Name) }

// Sorted returns the entities of a kind ordered by key.
func (r *Realm) Sorted(kind string) []*Entity {
	m := r.Entities[kind]
	out := make([]*Entity, 0, len(m))
	for _, k := range SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// Add inserts an entity; a second object with the same key is an error
// that names both places.
func (r *Realm) Add(e *Entity) error {
	m := r.Entities[e.Kind.Name]
	if m == nil {
		m = map[string]*Entity{}
		r.Entities[e.Kind.Name] = m
	}
	if prev, dup := m[e.Key]; dup {
		if merged, ok := mergeStub(prev, e); ok {
			m[e.Key] = merged
			return nil
		}
		return fmt.Errorf("%s: %s %q is defined twice (first at %s)", e.Source, e.Kind.Title, e.Key, prev.Source)
	}
	m[e.Key] = e
	return nil
}

// EmailAsUsername reports whether the realm's settings make a user's
// email its username (registrationEmailAsUsername).
func (r *Realm) EmailAsUsername() bool {
	s := r.Settings()
	return s != nil && s.Fields["registrationEmailAsUsername"] == true
}

// UsersKeyedByEmail lists the users whose key KeyUsersByEmail would
// change: those with an email other than their key (service accounts
// keep their names).
func (r *Realm) UsersKeyedByEmail() []string {
	var out []string
	users := r.Entities[KindUser]
	for _, key := range SortedKeys(users) {
		if r.EmailKey(users[key]) != key {
			out = append(out, key)
		}
	}
	return out
}

// EmailKey is the key a user has when the email is the username: its
// email, lower-cased as Keycloak stores it (service accounts, and users
// without an email, keep their key).
func (r *Realm) EmailKey(u *Entity) string {
	email, _ := u.Fields["email"].(string)
	if email == "" || u.Kind.BuiltIn(r.Name, u.Key) {
		return u.Key
	}
	return strings.ToLower(email)
}

// KeyUsersByEmail re-keys users (and what they hold) by their email, as
// Keycloak stores them when the email is the username. It returns the old
// keys of the users it re-keyed.
func (r *Realm) KeyUsersByEmail() []string {
	renamed := r.UsersKeyedByEmail()
	users := r.Entities[KindUser]
	for _, key := range renamed {
		u := users[key]
		email := r.EmailKey(u)
		delete(users, key)
		u.Key = email
		u.Fields[u.Kind.KeyField] = email
		users[email] = u
		for _, c := range children(KindUser) {
			for ckey, child := range r.Entities[c.Name] {
				if child.Parent == key {
					delete(r.Entities[c.Name], ckey)
					child.Parent = email
					child.Key = c.KeyOf(email, child.Name())
					r.Entities[c.Name][child.Key] = child
				}
			}
		}
	}
	return renamed
}

// SecretValues lists every secret value the realm's objects hold (their
// Secrets fields: client secrets, the SMTP password, and in credential
// objects the value, not its type), so that messages can be scrubbed of
// them.
func (r *Realm) SecretValues() []string {
	var out []string
	var leaves func(v any)
	leaves = func(v any) {
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case []any:
			for _, x := range t {
				leaves(x)
			}
		case map[string]any:
			// A credential: {type: password, value: ..., temporary: ...}.
			for _, k := range []string{"value", "secretData"} {
				leaves(t[k])
			}
		}
	}
	for _, kind := range SortedKeys(r.Entities) {
		for _, e := range r.Sorted(kind) {
			for _, path := range e.Kind.Secrets {
				if v, ok := Lookup(e.Fields, path); ok {
					leaves(v)
				}
			}
		}
	}
	return out
}

// Stub reports whether the object is written down only for its scope
// mappings: realmsync manages those, not the object (it is not adopted).
func (e *Entity) Stub() bool { return e.stub }

// mergeStub joins an owner written down only for its scope mappings with
// the owner's object from another file.
func mergeStub(a, b *Entity) (*Entity, bool) {
	stub, real := a, b
	if !stub.stub {
		stub, real = b, a
	}
	if !stub.stub {
		return nil, false
	}
	if _, both := real.Fields[ScopeMappingsField]; both {
		return nil, false
	}
	real.Fields[ScopeMappingsField] = stub.Fields[ScopeMappingsField]
	if pos, ok := stub.FieldPos.Lookup(ScopeMappingsField); ok {
		real.FieldPos.Set(ScopeMappingsField, pos)
	}
	return real, true
}

// PosFunc returns where the value at a document path was written. Paths are
// object keys and array indices as strings. Live documents have no positions.
// A PosFunc must not keep path: its callers reuse it.
type PosFunc func(path []string) Pos

// NoPos is the PosFunc of documents that come from the server.
func NoPos([]string) Pos { return Pos{} }

// StandAloneItems reports whether Decompose reads each item of a
// top-level list field on its own, without looking at the rest of the
// document: a document holding some of its items decomposes into what
// the whole list gives for them. The loader parses big files' such
// lists in batches. Users and groups are (no lift of Decompose reads or
// writes them); clients are not (scope mappings are lifted into them).
func StandAloneItems(field string) bool {
	return field == KindByName(KindUser).RealmPath || field == KindByName(KindGroup).RealmPath
}

// Decompose splits one realm document (Keycloak's realm representation
// shape, or any part of it) into entities. Every problem found is returned,
// so a user sees all mistakes of a file at once.
func Decompose(realm string, doc Object, pos PosFunc) (*Realm, []error) {
	d := decomposer{r: NewRealm(realm), pos: pos, shapeReported: map[string]bool{}}
	if origin := liftScopeMappings(doc, d.fail); len(origin) > 0 {
		d.pos = liftedPos(doc, origin, pos)
	}
	liftComponents(doc)
	if remap := dropHiddenFlows(doc, func(alias, why string, i int) {
		d.r.Ignored["authentication flow "+strconv.Quote(alias)] = IgnoredAt{d.pos([]string{"authenticationFlows", strconv.Itoa(i)}), why}
	}); len(remap) > 0 {
		d.pos = remappedPos(remap, d.pos)
	}
	liftFlowIDs(doc)
	if remap := liftAuthorization(doc); len(remap) > 0 {
		d.pos = remappedPos(remap, d.pos)
	}
	if remap := liftSubFlows(doc, d.fail); len(remap) > 0 {
		d.pos = remappedPos(remap, d.pos)
	}
	pos = d.pos
	d.realmSettings(doc)
	for _, k := range kinds {
		if k.RealmPath == "" {
			continue
		}
		if v, ok := d.lookup(doc, k.RealmPath); ok {
			path := strings.Split(k.RealmPath, ".")
			d.r.Declared[Scope{k.Name, ""}] = pos(path)
			d.collection(k, v, "", path)
		}
	}
	for _, k := range kinds {
		if k.RealmObject == "" {
			continue
		}
		if v, ok := d.lookup(doc, k.RealmObject); ok {
			d.object(k, v)
		}
	}
	for _, k := range kinds {
		if k.ParentMap == "" {
			continue
		}
		v, ok := d.lookup(doc, k.ParentMap)
		if !ok {
			continue
		}
		path := strings.Split(k.ParentMap, ".")
		m, ok := v.(map[string]any)
		if !ok {
			d.fail(path, "%s must be a map of %s key to a list", k.ParentMap, KindByName(k.Parent).Title)
			continue
		}
		for _, parent := range SortedKeys(m) {
			p := append(append([]string{}, path...), parent)
			d.r.Declared[Scope{k.Name, parent}] = pos(p)
			d.list(k, m[parent], parent, p)
		}
	}
	if p := d.r.Get(KindUserProfile, KindUserProfile); p != nil {
		d.r.UserProfile = ProfileOf(p.Fields)
	}
	return d.r, d.errs
}

// lookup finds a dotted document path; an object on the way that is not
// one is an error (roles: [a] where roles: {realm: [...]} belongs), said
// once per field.
func (d *decomposer) lookup(doc Object, path string) (any, bool) {
	first, _, nested := strings.Cut(path, ".")
	if v, present := doc[first]; nested && present {
		if _, isMap := v.(map[string]any); !isMap {
			if !d.shapeReported[first] {
				d.shapeReported[first] = true
				var parts []string
				for _, k := range kinds {
					for _, p := range []string{k.RealmPath, k.ParentMap} {
						if f, rest, ok := strings.Cut(p, "."); ok && f == first && !contains(parts, rest) {
							parts = append(parts, rest)
						}
					}
				}
				d.fail([]string{first}, "%s must be an object with %s", first, strings.Join(parts, " and "))
			}
			return nil, false
		}
	}
	return Lookup(doc, path)
}

type decomposer struct {
	// shapeReported: fields already reported as not an object.
	shapeReported map[string]bool
	r             *Realm
	pos           PosFunc
	errs          []error
}

func (d *decomposer) fail(path []string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p := d.pos(path); !p.IsZero() {
		msg = p.String() + ": " + msg
	}
	d.errs = append(d.errs, fmt.Errorf("%s", msg))
}

// realmSettings takes the document's top-level fields that belong to the
// realm itself: everything but the collections of other kinds.
func (d *decomposer) realmSettings(doc Object) {
	k := KindByName(KindRealm)
	collections := map[string]bool{}
	for _, other := range kinds {
		for _, p := range []string{other.RealmPath, other.ParentMap, other.RealmObject} {
			if p != "" {
				collections[strings.SplitN(p, ".", 2)[0]] = true
			}
		}
	}
	fields := Object{}
	var fieldPos Positions
	for _, f := range SortedKeys(doc) {
		switch {
		case f == "realmsync":
			d.toolSettings(doc[f])
		case f == "extensions":
			d.extensionSections(doc[f])
		case collections[f]:
		case contains(k.NotManaged, f):
			d.r.Unmanaged[f] = d.pos([]string{f})
		case k.ignored(doc, f) != "":
			d.r.Ignored["realm settings: "+f] = IgnoredAt{d.pos([]string{f}), k.ignored(doc, f)}
		default:
			fields[f] = doc[f]
			fieldPos.Set(f, d.pos([]string{f}))
		}
	}
	if name, ok := fields["realm"]; ok && name != d.r.Name {
		d.fail([]string{"realm"}, "realm %q does not match its directory %q", name, d.r.Name)
	}
	fields["realm"] = d.r.Name
	d.takeOwnership(fields)
	e := &Entity{Kind: k, Key: d.r.Name, Fields: fields, Source: d.pos(nil), FieldPos: fieldPos}
	d.normalise(e)
	_ = d.r.Add(e)
}

// takeOwnership moves the ownership record out of the realm's attributes:
// it is realmsync's bookkeeping, never part of a plan or an export.
func (d *decomposer) takeOwnership(fields Object) {
	attrs, ok := fields["attributes"].(map[string]any)
	if !ok {
		return
	}
	owners, err := DecodeOwnership(attrs)
	if err != nil {
		d.fail([]string{"attributes"}, "%v", err)
	}
	for _, k := range SortedKeys(attrs) {
		if digestOf, ok := strings.CutPrefix(k, digestPrefix); ok {
			d.r.Digests[digestOf], _ = attrs[k].(string)
		}
		if strings.HasPrefix(k, ToolPrefix) {
			delete(attrs, k)
		}
	}
	for owner, set := range owners {
		d.r.Owners[owner] = set
	}
}

// extensionSections checks the names under extensions: a misspelt
// extension or part would otherwise be left out silently.
func (d *decomposer) extensionSections(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail([]string{"extensions"}, "extensions must be an object of extension names")
		return
	}
	var names []string
	for _, x := range Extensions() {
		names = append(names, x.Name)
	}
	for _, name := range SortedKeys(m) {
		var x *Extension
		for _, known := range Extensions() {
			if known.Name == name {
				x = known
			}
		}
		if x == nil {
			d.fail([]string{"extensions", name}, "extensions: unknown extension %q%s (known: %s)", name, suggestName(name, names), strings.Join(names, ", "))
			continue
		}
		d.r.Extensions[name] = true
		parts, ok := m[name].(map[string]any)
		if !ok {
			d.fail([]string{"extensions", name}, "extensions.%s must be an object", name)
			continue
		}
		var known []string
		for _, k := range kinds {
			for _, p := range []string{k.RealmObject, k.RealmPath} {
				if rest, ok := strings.CutPrefix(p, x.Section()+"."); ok && k.Extension == x {
					known = append(known, rest)
				}
			}
		}
		for _, part := range SortedKeys(parts) {
			if !contains(known, part) {
				d.fail([]string{"extensions", name, part}, "extensions.%s: unknown part %q%s (known: %s)", name, part, suggestName(part, known), strings.Join(known, ", "))
			}
		}
	}
}

// toolSettings reads the realm file's realmsync: section, realmsync's own
// settings (Keycloak has no such field).
func (d *decomposer) toolSettings(v any) {
	path := []string{"realmsync"}
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "realmsync must be an object with deletionPolicy")
		return
	}
	for _, f := range SortedKeys(m) {
		if f != "deletionPolicy" {
			d.fail(append(path, f), "realmsync: unknown setting %q (known: deletionPolicy)", f)
		}
	}
	policies, ok := m["deletionPolicy"].(map[string]any)
	if !ok {
		if _, present := m["deletionPolicy"]; present {
			d.fail(append(path, "deletionPolicy"), "deletionPolicy must map kinds to owned, full or none")
		}
		return
	}
	var plurals []string
	for _, k := range kinds {
		if !k.Root {
			plurals = append(plurals, k.Plural)
		}
	}
	for _, name := range SortedKeys(policies) {
		p := []string{"realmsync", "deletionPolicy", name}
		k := KindByPlural(name)
		if k == nil || k.Root {
			d.fail(p, "deletionPolicy: unknown kind %q%s (kinds: %s)", name, suggestName(name, plurals), strings.Join(plurals, ", "))
			continue
		}
		policy := Policy(ScalarString(policies[name]))
		switch policy {
		case PolicyOwned, PolicyFull, PolicyNone:
			d.r.Policies[k.Name] = policy
			d.r.PolicyPos[k.Name] = d.pos(p)
		default:
			d.fail(p, "deletionPolicy of %s: %q is not owned, full or none", name, policy)
		}
	}
}

// recordPos records where an entity's field (or a name in it) was
// written. A live document has no positions: none is kept, which on the
// large benchmark preset spared a fifth of a plan's live heap.
func (d *decomposer) recordPos(e *Entity, key string, path []string) {
	if p := d.pos(path); !p.IsZero() {
		e.FieldPos.Set(key, p)
	}
}

// withSlot copies path with one more segment, which the caller rewrites
// for each child instead of copying the path per child.
func withSlot(path []string) []string {
	return append(append(make([]string, 0, len(path)+1), path...), "")
}

// referencePositions records where each name of a relation field is
// written (composites.realm[1]), under RefPosKey, so that a reference to
// nothing is reported at the name rather than at the field.
func (d *decomposer) referencePositions(e *Entity, field string, v any, path []string) {
	switch t := v.(type) {
	case string:
		p := d.pos(path)
		if p.IsZero() {
			return // a live document's: no key to make
		}
		key := RefPosKey(field, t)
		if _, seen := e.FieldPos.Lookup(key); !seen {
			e.FieldPos.Set(key, p)
		}
	case []any:
		ipath := withSlot(path)
		for i, item := range t {
			ipath[len(path)] = strconv.Itoa(i)
			d.referencePositions(e, field, item, ipath)
		}
	case map[string]any:
		kpath := withSlot(path)
		for _, k := range SortedKeys(t) {
			kpath[len(path)] = k
			d.referencePositions(e, field, t[k], kpath)
		}
	}
}

// positionsOf counts the positions recordPos and referencePositions
// record for obj's fields, at most: one per field and one per name in a
// relation field.
func positionsOf(k *Kind, obj map[string]any) int {
	n := len(obj)
	var names func(v any)
	names = func(v any) {
		switch t := v.(type) {
		case string:
			n++
		case []any:
			for _, x := range t {
				names(x)
			}
		case map[string]any:
			for _, x := range t {
				names(x)
			}
		}
	}
	for f, v := range obj {
		if k.Relation(f) != nil {
			names(v)
		}
	}
	return n
}

// RefPosKey is the FieldPos key of a name written in a relation field.
func RefPosKey(field, name string) string { return field + "\x00" + name }

// object decomposes the one object of a singleton kind.
func (d *decomposer) object(k *Kind, v any) {
	path := strings.Split(k.RealmObject, ".")
	obj, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "%s must be an object", k.RealmObject)
		return
	}
	e := &Entity{Kind: k, Key: k.SingletonKey(), Fields: Object{}, Source: d.pos(path)}
	for _, f := range SortedKeys(obj) {
		e.Fields[f] = obj[f]
		e.FieldPos.Set(f, d.pos(append(append([]string{}, path...), f)))
	}
	d.normalise(e)
	if err := d.r.Add(e); err != nil {
		d.errs = append(d.errs, err)
	}
}

// collection decomposes the objects of kind k under the parent key: a
// list, or for a type-keyed kind a map of type to list, each item given
// its type from the map key.
func (d *decomposer) collection(k *Kind, v any, parentKey string, path []string) {
	if k.MapValue != "" {
		d.valueMap(k, v, parentKey, path)
		return
	}
	if k.TypeField == "" {
		d.list(k, v, parentKey, path)
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "%s must be a map of %s to a list of %ss", path[len(path)-1], k.TypeField, k.Title)
		return
	}
	for _, typ := range SortedKeys(m) {
		tpath := append(append([]string{}, path...), typ)
		if items, ok := m[typ].([]any); ok {
			for _, item := range items {
				if obj, ok := item.(map[string]any); ok {
					obj[k.TypeField] = typ
				}
			}
		}
		d.list(k, m[typ], parentKey, tpath)
	}
}

// valueMap decomposes a map of key to value (a MapValue kind) as the list
// of objects it stands for, with positions read from the map.
func (d *decomposer) valueMap(k *Kind, v any, parentKey string, path []string) {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "%s must be a map of %s to %s", path[len(path)-1], k.KeyField, k.MapValue)
		return
	}
	keys := SortedKeys(m)
	items := make([]any, len(keys))
	for i, key := range keys {
		items[i] = map[string]any{k.KeyField: key, k.MapValue: m[key]}
	}
	outer, n := d.pos, len(path)
	d.pos = func(p []string) Pos {
		if len(p) > n && slices.Equal(p[:n], path) {
			if i, err := strconv.Atoi(p[n]); err == nil && i < len(keys) {
				rest := p[n+1:]
				if len(rest) > 0 && rest[0] == k.MapValue {
					rest = rest[1:]
				} else {
					rest = nil // the key: the map entry's line
				}
				return outer(append(append(append([]string{}, path...), keys[i]), rest...))
			}
		}
		return outer(p)
	}
	d.list(k, items, parentKey, path)
	d.pos = outer
}

// list decomposes an array of objects of kind k under the parent key.
func (d *decomposer) list(k *Kind, v any, parentKey string, path []string) {
	items, ok := v.([]any)
	if !ok {
		d.fail(path, "%s must be a list of %ss", path[len(path)-1], k.Title)
		return
	}
	for i, item := range items {
		ipath := append(append([]string{}, path...), strconv.Itoa(i))
		obj, ok := item.(map[string]any)
		if !ok {
			d.fail(ipath, "a %s must be an object", k.Title)
			continue
		}
		name, ok := k.LocalName(obj)
		if !ok {
			d.fail(ipath, "%s has no %q (its key)", k.Title, k.KeyField)
			continue
		}
		parentKey := parentKey
		if k.ParentKeyField != "" && parentKey == "" {
			// A flat list: each item names its parent.
			if parentKey, _ = obj[k.ParentKeyField].(string); parentKey == "" {
				d.fail(ipath, "%s %q has no %q (its %s)", k.Title, name, k.ParentKeyField, KindByName(k.Parent).Title)
				continue
			}
		}
		if k.LowerKey {
			if lower := strings.ToLower(name); lower != name {
				name = lower
				obj[k.KeyField] = name
			}
		}
		e := &Entity{
			Kind: k, Key: k.KeyOf(parentKey, name), Parent: parentKey,
			Source: d.pos(ipath),
		}
		if _, stub := obj[stubMarker]; stub {
			e.stub = true
			delete(obj, stubMarker)
		}
		childFields := map[string]*Kind{}
		for _, c := range children(k.Name) {
			childFields[c.ParentField] = c
		}
		if !e.Source.IsZero() {
			e.FieldPos.Grow(positionsOf(k, obj))
		}
		// The fields kept are counted first, so that the entity's map is
		// made at its size: grown one field at a time it leaves its
		// smaller tables behind, and a live user's server fields
		// (normalise would delete them) would keep it a table of
		// sixteen.
		keys := SortedKeys(obj)
		kept := keys[:0]
		for _, f := range keys {
			if childFields[f] != nil {
				continue
			}
			if contains(k.NotManaged, f) {
				d.r.Unmanaged[k.Title+" "+strconv.Quote(e.Key)+": "+f] = d.pos(append(append([]string{}, ipath...), f))
				continue
			}
			if why := k.ignored(obj, f); why != "" {
				d.r.Ignored[k.Title+" "+strconv.Quote(e.Key)+": "+f] = IgnoredAt{d.pos(append(append([]string{}, ipath...), f)), why}
				continue
			}
			if k.isServerManaged(f) {
				if id, ok := obj[f].(string); ok && f == "id" {
					e.ID = id
				}
				continue
			}
			kept = append(kept, f)
		}
		e.Fields = make(Object, len(kept))
		// One path for every field of the item, its last segment
		// rewritten: a path made per field was a tenth of what a large
		// realm's plan allocated, and no PosFunc keeps the path it is
		// given.
		fpath := withSlot(ipath)
		for _, f := range kept {
			e.Fields[f] = obj[f]
			fpath[len(ipath)] = f
			d.recordPos(e, f, fpath)
			if k.Relation(f) != nil {
				d.referencePositions(e, f, obj[f], fpath)
			}
		}
		d.normalise(e)
		if k.Steps != nil {
			k.Steps.stepPositions(e, e.Fields[k.Steps.Field], "", ipath, d.pos)
		}
		if err := d.r.Add(e); err != nil {
			d.errs = append(d.errs, err)
			continue
		}
		for _, f := range SortedKeys(childFields) {
			if cv, ok := obj[f]; ok {
				c := childFields[f]
				cpath := append(append([]string{}, ipath...), f)
				d.r.Declared[Scope{c.Name, e.Key}] = d.pos(cpath)
				d.collection(c, cv, e.Key, cpath)
			}
		}
	}
}

// normalise brings fields into the form the server stores, so that a
// desired value and the live value it produces compare equal: server
// fields out (keeping the id), string maps stringified, list maps as
// lists, lists of names sorted (Keycloak stores them as sets).
func (d *decomposer) normalise(e *Entity) {
	if id, ok := e.Fields["id"].(string); ok {
		e.ID = id
	}
	for _, f := range e.Kind.ServerManaged {
		if field, key, nested := strings.Cut(f, "."); nested {
			if m, ok := e.Fields[field].(map[string]any); ok {
				delete(m, key)
			}
			continue
		}
		delete(e.Fields, f)
		e.FieldPos.Delete(f)
	}
	// Values are stored again only when they change: storing into a
	// full small map, even under a key it has, grows it to a table
	// (users of eight fields: 530 bytes each, a fifth of a 50 MB users
	// file's heap), and storing a string boxes it anew.
	for _, f := range e.Kind.Strings {
		if v, ok := stringified(e.Fields[f]); ok && e.Fields[f] != nil {
			e.Fields[f] = v
		}
	}
	for _, f := range e.Kind.LowerFields {
		if s, ok := e.Fields[f].(string); ok && strings.ToLower(s) != s {
			e.Fields[f] = strings.ToLower(s)
		}
	}
	for _, f := range e.Kind.StringMaps {
		if m, ok := e.Fields[f].(map[string]any); ok {
			for k, v := range m {
				if s, ok := stringified(v); ok {
					m[k] = s
				}
			}
		}
	}
	for _, f := range e.Kind.ListMaps {
		if m, ok := e.Fields[f].(map[string]any); ok {
			for k, v := range m {
				if IsScalar(v) {
					m[k] = []any{ScalarString(v)}
					continue
				}
				if list, ok := v.([]any); ok {
					for i, x := range list {
						if s, ok := stringified(x); ok {
							list[i] = s
						}
					}
				}
			}
		}
	}
	for f, v := range e.Fields {
		sortScalarLists(e.Kind, f, v)
	}
}

// stringified is a scalar that is not a string (null too) as the string
// the server stores; false for strings, maps and lists.
func stringified(v any) (any, bool) {
	if _, isString := v.(string); isString || !IsScalar(v) {
		return nil, false
	}
	return ScalarString(v), true
}

// sortScalarLists sorts every list of scalars inside v, the value at
// path, in place, except the kind's sequences (lists whose order means
// something). Map keys extend the path with a dot; list items share
// their list's.
func sortScalarLists(k *Kind, path string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for key, x := range t {
			sortScalarLists(k, path+"."+key, x)
		}
	case []any:
		allScalar := true
		for _, x := range t {
			sortScalarLists(k, path, x)
			if !IsScalar(x) {
				allScalar = false
			}
		}
		if allScalar && !k.IsSequence(path) {
			sort.SliceStable(t, func(i, j int) bool { return scalarLess(t[i], t[j]) })
		}
	}
}

func scalarLess(a, b any) bool {
	return ScalarString(a) < ScalarString(b)
}

// Merge adds every entity and declared collection of part into r: the
// loader builds a realm from many files this way. Realm settings from
// several files merge field by field; a field set twice is an error.
func (r *Realm) Merge(part *Realm) []error {
	var errs []error
	for _, k := range kinds {
		for _, e := range part.Sorted(k.Name) {
			if k.Root {
				errs = append(errs, r.mergeSettings(e)...)
				continue
			}
			if err := r.Add(e); err != nil {
				errs = append(errs, err)
			}
		}
	}
	r.mergeNotes(part)
	for _, k := range SortedKeys(part.Policies) {
		if _, dup := r.Policies[k]; dup {
			errs = append(errs, fmt.Errorf("%s: deletion policy of %s is set twice (first at %s)", part.PolicyPos[k], KindByName(k).Plural, r.PolicyPos[k]))
			continue
		}
		r.Policies[k] = part.Policies[k]
		r.PolicyPos[k] = part.PolicyPos[k]
	}
	return errs
}

// mergeNotes adds what part says besides its objects: the collections it
// declares (first place kept), the extensions it uses, the fields left
// unmanaged or ignored.
func (r *Realm) mergeNotes(part *Realm) {
	for s, p := range part.Declared {
		if _, ok := r.Declared[s]; !ok {
			r.Declared[s] = p
		}
	}
	for x := range part.Extensions {
		r.Extensions[x] = true
	}
	for f, p := range part.Unmanaged {
		r.Unmanaged[f] = p
	}
	for f, ig := range part.Ignored {
		r.Ignored[f] = ig
	}
}

func (r *Realm) mergeSettings(e *Entity) []error {
	cur := r.Settings()
	if cur == nil {
		_ = r.Add(e)
		return nil
	}
	var errs []error
	for _, f := range SortedKeys(e.Fields) {
		if f == RootKind().KeyField {
			continue
		}
		if _, dup := cur.Fields[f]; dup {
			errs = append(errs, fmt.Errorf("%s: realm field %q is set twice (first at %s)", e.FieldPos.Get(f), f, cur.FieldPos.Get(f)))
			continue
		}
		cur.Fields[f] = e.Fields[f]
		cur.FieldPos.Set(f, e.FieldPos.Get(f))
	}
	return errs
}

func suggestName(name string, candidates []string) string {
	if s := schema.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Keys are the keys of a kind's objects, sorted.
func (r *Realm) Keys(kind string) []string { return SortedKeys(r.Entities[kind]) }
