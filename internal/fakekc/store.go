package fakekc

// The store: realms holding objects by id, each with its stored
// representation and its references, and the handlers the routes call.

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

type object struct {
	kind   *model.Kind
	id     string
	parent string         // the parent object's id; "" at realm level
	rep    map[string]any // what the server stores, without derived fields
	// refs are the ids each relation collection holds ("composites",
	// "role-mappings", "groups", "default-client-scopes", ...).
	refs map[string][]string
}

type realm struct {
	obj     *object // the realm's own representation and references
	objects map[string]*object
	order   []string // ids in creation order: lists answer in it
	// singletons are the documents of one-object kinds, by kind.
	singletons map[string]map[string]any
	// executions are each flow's steps, by the flow's id (flows.go).
	executions map[string][]*execution
	// components are the realm's components, in creation order
	// (components.go).
	components []map[string]any
}

func (rl *realm) name() string { return rl.obj.rep["realm"].(string) }

func (rl *realm) add(o *object) {
	rl.objects[o.id] = o
	rl.order = append(rl.order, o.id)
}

func (rl *realm) remove(id string) {
	delete(rl.objects, id)
	for _, o := range append([]*object{rl.obj}, rl.all()...) {
		for c, ids := range o.refs {
			o.refs[c] = without(ids, id)
		}
	}
}

// all returns every object in creation order.
func (rl *realm) all() []*object {
	var out []*object
	for _, id := range rl.order {
		if o := rl.objects[id]; o != nil {
			out = append(out, o)
		}
	}
	return out
}

// ofKind returns the objects of kind k under parent, in creation order.
func (rl *realm) ofKind(k *model.Kind, parent string) []*object {
	var out []*object
	for _, o := range rl.all() {
		if o.kind == k && o.parent == parent {
			out = append(out, o)
		}
	}
	return out
}

// byKey finds an object of kind k by its key field under parent.
func (rl *realm) byKey(k *model.Kind, parent, name string) *object {
	for _, o := range rl.ofKind(k, parent) {
		if fmt.Sprint(o.rep[k.KeyField]) == name {
			return o
		}
	}
	return nil
}

func without(ids []string, id string) []string {
	out := ids[:0:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) realmByName(name string) *realm { return s.realms[name] }

// createRealm makes a realm with what Keycloak puts into every new one.
func (s *Server) createRealm(body map[string]any) *realm {
	rep := copyObject(body)
	rep["id"] = s.newID()
	attrs, _ := rep["attributes"].(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
	}
	rep["attributes"] = attrs
	serverRealmAttributes(attrs)
	mirrorRealmSettings(rep, body, false)
	rl := &realm{obj: &object{kind: model.RootKind(), id: rep["id"].(string), rep: rep, refs: map[string][]string{}},
		objects: map[string]*object{}, singletons: map[string]map[string]any{model.KindUserProfile: defaultProfile()},
		executions: map[string][]*execution{}}
	s.realms[rep["realm"].(string)] = rl
	s.builtIns(rl)
	return rl
}

func (s *Server) updateRealm(rl *realm, r *request) (answer, error) {
	body := r.bodyObject()
	_, attributesSent := body["attributes"].(map[string]any)
	defer mirrorRealmSettings(rl.obj.rep, body, attributesSent)
	if name, ok := body["realm"].(string); ok && name != rl.name() {
		return answer{}, badRequest("renaming a realm is not supported here")
	}
	for f, v := range body {
		switch {
		case f == "id" || f == "realm":
		case f == "attributes":
			// The map is replaced whole; a null value removes its key.
			attrs := map[string]any{}
			if m, ok := v.(map[string]any); ok {
				for k, x := range m {
					if x != nil {
						attrs[k] = fmt.Sprint(x)
					}
				}
			}
			serverRealmAttributes(attrs)
			rl.obj.rep["attributes"] = attrs
		case v == nil: // partial: null leaves the field as it is
		default:
			rl.obj.rep[f] = v
		}
	}
	return answer{}, nil
}

func (s *Server) deleteRealm(rl *realm, _ *request) (answer, error) {
	delete(s.realms, rl.name())
	return answer{}, nil
}

// representation is the realm as GET answers it.
func (rl *realm) representation() map[string]any {
	rep := copyObject(rl.obj.rep)
	for _, f := range mirroredRealmSettings {
		if _, ok := rep[f]; !ok {
			rep[f] = float64(0) // Keycloak answers every one, 0 when unset
		}
	}
	if role := rl.byKey(model.KindByName(model.KindRealmRole), "", model.DefaultRoleName(rl.name())); role != nil {
		rep["defaultRole"] = map[string]any{"id": role.id, "name": role.rep["name"]}
	}
	return rep
}

// parentOf resolves the {parent} of a request for kind k ("" for
// realm-level objects and the top of a recursive kind).
func (rl *realm) parentOf(k *model.Kind, r *request) (string, error) {
	id, ok := r.vars["parent"]
	if !ok {
		return "", nil
	}
	p := rl.objects[id]
	if p == nil || p.kind.Name != k.Parent {
		return "", notFound("Could not find parent")
	}
	return id, nil
}

func (s *Server) create(rl *realm, k *model.Kind, r *request) (answer, error) {
	parent, err := rl.parentOf(k, r)
	if err != nil {
		return answer{}, err
	}
	o, err := s.createObject(rl, k, parent, r.bodyObject())
	if err != nil {
		return answer{}, err
	}
	loc := url.PathEscape(rl.name()) + "/" + k.Name + "/" + o.id
	if k.Representation == "RoleRepresentation" {
		// As Keycloak: a role's location names it.
		loc = strings.NewReplacer("{realm}", url.PathEscape(rl.name()), "{parent}", url.PathEscape(o.parent),
			"{name}", url.PathEscape(fmt.Sprint(o.rep["name"]))).Replace(k.Endpoints.Find)
	}
	return answer{location: loc}, nil
}

// createObject stores a new object of kind k, with Keycloak's behaviour
// for the kind.
func (s *Server) createObject(rl *realm, k *model.Kind, parent string, body map[string]any) (*object, error) {
	name, _ := body[k.KeyField].(string)
	if name == "" {
		return nil, badRequest("%s is required", k.KeyField)
	}
	if k.LowerKey {
		name = strings.ToLower(name)
	}
	if rl.byKey(k, parent, name) != nil {
		return nil, conflict("%s %s already exists", k.Title, name)
	}
	o := &object{kind: k, id: s.newID(), parent: parent, rep: copyObject(body), refs: map[string][]string{}}
	if k.KeyIsID {
		o.id = name // the endpoints name it by its key
	}
	o.rep[k.KeyField] = name
	for _, f := range k.ServerManaged {
		if !strings.Contains(f, ".") {
			delete(o.rep, f)
		}
	}
	for _, rel := range k.Relations {
		delete(o.rep, rel.Field)
	}
	rl.add(o)
	if err := s.onCreate(rl, o, body); err != nil {
		rl.remove(o.id)
		return nil, err
	}
	return o, nil
}

func (s *Server) list(rl *realm, k *model.Kind, r *request) (answer, error) {
	parent, err := rl.parentOf(k, r)
	if err != nil {
		return answer{}, err
	}
	// As Keycloak: users are listed full unless asked brief, the rest
	// brief unless asked full.
	full := r.query.Get("briefRepresentation") == "false" || k.Name == model.KindUser && r.query.Get("briefRepresentation") == ""
	var out []any
	for _, o := range rl.ofKind(k, parent) {
		if !listed(rl, o, r.query) {
			continue
		}
		out = append(out, rl.represent(o, full))
	}
	return answer{value: page(out, r.query)}, nil
}

func (s *Server) get(rl *realm, _ *model.Kind, r *request) (answer, error) {
	o := rl.objects[r.vars["id"]]
	if o == nil {
		return answer{}, notFound("Could not find object")
	}
	return answer{value: rl.represent(o, true)}, nil
}

func (s *Server) update(rl *realm, _ *model.Kind, r *request) (answer, error) {
	o := rl.objects[r.vars["id"]]
	if o == nil {
		return answer{}, notFound("Could not find object")
	}
	return answer{}, s.onUpdate(rl, o, r.bodyObject())
}

func (s *Server) delete(rl *realm, _ *model.Kind, r *request) (answer, error) {
	o := rl.objects[r.vars["id"]]
	if o == nil {
		return answer{}, notFound("Could not find object")
	}
	s.deleteObject(rl, o)
	return answer{}, nil
}

// deleteObject removes an object with everything inside it.
func (s *Server) deleteObject(rl *realm, o *object) {
	for _, child := range rl.all() {
		if child.parent == o.id {
			s.deleteObject(rl, child)
		}
	}
	if o.kind.Name == model.KindClient {
		if sa := serviceAccountOf(rl, o); sa != nil {
			s.deleteObject(rl, sa)
		}
	}
	if o.kind.Name == model.KindFlow {
		s.removeFlowSteps(rl, o.id)
	}
	rl.remove(o.id)
}

// find answers a kind's Find endpoint: by name under a parent, or by path.
func (s *Server) find(rl *realm, k *model.Kind, r *request) (answer, error) {
	var o *object
	if path, ok := r.vars["key"]; ok {
		for _, g := range rl.ofKindAll(k) {
			if groupPath(rl, g) == path {
				o = g
			}
		}
	} else {
		parent, err := rl.parentOf(k, r)
		if err != nil {
			return answer{}, err
		}
		o = rl.byKey(k, parent, r.vars["name"])
	}
	if o == nil {
		return answer{}, notFound("Could not find %s", k.Title)
	}
	return answer{value: rl.represent(o, true)}, nil
}

func (rl *realm) ofKindAll(k *model.Kind) []*object {
	var out []*object
	for _, o := range rl.all() {
		if o.kind == k {
			out = append(out, o)
		}
	}
	return out
}

// createNamed and deleteNamed serve kinds keyed by their path
// (federated identities: users/{id}/federated-identity/{alias}).
func (s *Server) createNamed(rl *realm, k *model.Kind, r *request) (answer, error) {
	body := r.bodyObject()
	body[k.KeyField] = r.vars["name"]
	if _, err := s.createObject(rl, k, r.vars["parent"], body); err != nil {
		return answer{}, err
	}
	return answer{}, nil
}

func (s *Server) deleteNamed(rl *realm, k *model.Kind, r *request) (answer, error) {
	o := rl.byKey(k, r.vars["parent"], r.vars["name"])
	if o == nil {
		return answer{}, notFound("Could not find link")
	}
	rl.remove(o.id)
	return answer{}, nil
}

// owner is the object a relation request is about: the realm itself, or
// the object its {id} names.
func (rl *realm) owner(r *request) (*object, error) {
	id, ok := r.vars["id"]
	if !ok {
		return rl.obj, nil
	}
	o := rl.objects[id]
	if o == nil {
		return nil, notFound("Could not find object")
	}
	return o, nil
}

func (s *Server) readRefs(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	ids := o.refs[rel.Collection]
	switch rel.Wire {
	case model.WireMappings:
		return answer{value: mappingsOf(rl, ids)}, nil
	default:
		var out []any
		for _, id := range ids {
			if t := rl.objects[id]; t != nil {
				out = append(out, rl.represent(t, false))
			}
		}
		return answer{value: page(out, r.query)}, nil
	}
}

func (s *Server) addRef(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	id := r.vars["ref"]
	if rel.Wire == model.WireIDBody {
		id, _ = r.body.(string) // the id as a JSON string
	}
	if rl.objects[id] == nil {
		return answer{}, notFound("Could not find referenced object")
	}
	if rel.Wire == model.WireIDBody && contains(o.refs[rel.Collection], id) {
		return answer{}, conflict("User is already a member of the organization.")
	}
	if !contains(o.refs[rel.Collection], id) {
		o.refs[rel.Collection] = append(o.refs[rel.Collection], id)
	}
	return answer{}, nil
}

func (s *Server) removeRef(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	if !contains(o.refs[rel.Collection], r.vars["ref"]) {
		return answer{}, notFound("Reference not found")
	}
	o.refs[rel.Collection] = without(o.refs[rel.Collection], r.vars["ref"])
	return answer{}, nil
}

// readMapped answers one part of a mappings collection: the realm roles
// ({collection}/realm) or one client's ({collection}/clients/{id}).
func (s *Server) readMapped(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	client, wantClient := r.vars["refParent"]
	out := []any{}
	for _, role := range rl.objectsOf(o.refs[rel.Collection]) {
		if wantClient && role.parent == client || !wantClient && role.parent == "" {
			out = append(out, rl.represent(role, false))
		}
	}
	return answer{value: out}, nil
}

func (s *Server) clientSecret(rl *realm, _ *model.Kind, r *request) (answer, error) {
	c := rl.objects[r.vars["id"]]
	if c == nil {
		return answer{}, notFound("Could not find client")
	}
	return answer{value: map[string]any{"type": "secret", "value": c.rep["secret"]}}, nil
}

// addRoles and removeRoles take role representations (with ids) as the
// body, as composites, role mappings and scope mappings do.
func (s *Server) addRoles(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	for _, role := range r.bodyList() {
		id := fmt.Sprint(role["id"])
		if t := rl.objects[id]; t == nil || t.kind.Representation != "RoleRepresentation" {
			return answer{}, notFound("Could not find role %v", role["name"])
		}
		if !contains(o.refs[rel.Collection], id) {
			o.refs[rel.Collection] = append(o.refs[rel.Collection], id)
		}
	}
	return answer{}, nil
}

func (s *Server) removeRoles(rl *realm, _ *model.Kind, rel *model.Relation, r *request) (answer, error) {
	o, err := rl.owner(r)
	if err != nil {
		return answer{}, err
	}
	for _, role := range r.bodyList() {
		o.refs[rel.Collection] = without(o.refs[rel.Collection], fmt.Sprint(role["id"]))
	}
	return answer{}, nil
}

// mappingsOf shapes role ids as Keycloak's role-mappings answer.
func mappingsOf(rl *realm, ids []string) map[string]any {
	out := map[string]any{}
	var realmRoles []any
	clients := map[string]any{}
	for _, id := range ids {
		role := rl.objects[id]
		if role == nil {
			continue
		}
		if role.parent == "" {
			realmRoles = append(realmRoles, rl.represent(role, false))
			continue
		}
		client := rl.objects[role.parent]
		cid := fmt.Sprint(client.rep["clientId"])
		entry, _ := clients[cid].(map[string]any)
		if entry == nil {
			entry = map[string]any{"id": client.id, "client": cid, "mappings": []any{}}
			clients[cid] = entry
		}
		entry["mappings"] = append(entry["mappings"].([]any), rl.represent(role, false))
	}
	if len(realmRoles) > 0 {
		out["realmMappings"] = realmRoles
	}
	if len(clients) > 0 {
		out["clientMappings"] = clients
	}
	return out
}

// members answers who is in a group; roleUsers who holds a role directly.
func (s *Server) members(rl *realm, _ *model.Kind, r *request) (answer, error) {
	return answer{value: page(usersHolding(rl, "groups", r.vars["id"]), r.query)}, nil
}

func (s *Server) roleUsers(rl *realm, k *model.Kind, r *request) (answer, error) {
	parent, err := rl.parentOf(k, r)
	if err != nil {
		return answer{}, err
	}
	role := rl.byKey(k, parent, r.vars["name"])
	if role == nil {
		return answer{}, notFound("Could not find role")
	}
	return answer{value: page(usersHolding(rl, "role-mappings", role.id), r.query)}, nil
}

func usersHolding(rl *realm, collection, id string) []any {
	users := model.KindByName(model.KindUser)
	var out []any
	for _, u := range rl.ofKind(users, "") {
		if contains(u.refs[collection], id) {
			out = append(out, rl.represent(u, false))
		}
	}
	return out
}

func (s *Server) serviceAccount(rl *realm, _ *model.Kind, r *request) (answer, error) {
	c := rl.objects[r.vars["id"]]
	if c == nil {
		return answer{}, notFound("Could not find client")
	}
	sa := serviceAccountOf(rl, c)
	if sa == nil {
		return answer{}, badRequest("Service account not enabled for the client")
	}
	return answer{value: rl.represent(sa, true)}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return model.DeepCopy(m).(map[string]any)
}

func sortedNames(objs []*object, field string) []any {
	var names []string
	for _, o := range objs {
		names = append(names, fmt.Sprint(o.rep[field]))
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}
