package live

import (
	"slices"

	"github.com/realmsync/realmsync/internal/model"
)

// Holdings are the references a plan compares: the parts of users'
// memberships and role mappings, and the relations other objects' files
// write down. A plan compares only the relation fields a file writes
// down, and of a user's client roles only the clients it names
// (model.Relation.Delta): holders of any other role cannot change the
// plan, and a medium realm's client roles alone cost a thousand reads.
type Holdings struct {
	// Groups: some user's groups are written down (every group's
	// members are then read: the list is authoritative).
	Groups bool
	// RealmRoles: some user's realm roles are written down.
	RealmRoles bool
	// Clients are the clientIds whose roles some user is given.
	Clients map[string]bool
	// written are, for each declared object of a kind whose relations are
	// read from the owner's side, the relation fields its file writes
	// down. Its other relations are not read: the large benchmark preset's
	// thousand clients, none of which write scope mappings, cost a
	// thousand reads for nothing. An object no file declares has all its
	// relations read: it may be deleted, and deletes within a wave are
	// ordered by the references between them (apply's entangled).
	written map[model.Ref]map[string]bool
	// full are the kinds with a brief representation (ReadSpec.Brief)
	// some file of which writes down a field the brief one leaves out
	// (a user's attributes or required actions, a role's attributes):
	// they are read full.
	full map[string]bool
}

// HoldingsOf are the holdings the desired realm's files write down.
func HoldingsOf(desired *model.Realm) *Holdings {
	h := &Holdings{Clients: map[string]bool{}, written: map[model.Ref]map[string]bool{}, full: map[string]bool{}}
	if desired == nil {
		return h
	}
	for _, k := range model.Kinds() {
		if len(k.Read.Brief) > 0 && writesPastBrief(k, desired) {
			h.full[k.Name] = true
		}
	}
	for _, k := range model.Kinds() {
		if !readsFromOwner(k) {
			continue
		}
		for _, e := range desired.Sorted(k.Name) {
			fields := map[string]bool{}
			for _, rel := range k.Relations {
				if _, ok := e.Fields[rel.Field]; ok {
					fields[rel.Field] = true
				}
			}
			h.written[model.Ref{Kind: k.Name, Key: e.Key}] = fields
		}
	}
	users := model.KindByName(model.KindUser)
	groups, realmRoles, clientRoles := users.Relation("groups"), users.Relation("realmRoles"), users.Relation("clientRoles")
	for _, u := range desired.Sorted(users.Name) {
		if _, ok := u.Fields[groups.Field]; ok {
			h.Groups = true
		}
		if _, ok := u.Fields[realmRoles.Field]; ok {
			h.RealmRoles = true
		}
		byClient, _ := u.Fields[clientRoles.Field].(map[string]any)
		for cid := range byClient {
			h.Clients[cid] = true
		}
	}
	return h
}

// writesPastBrief: some desired object of kind k writes down a field its
// brief representation does not carry. Relations are read on their own,
// and a create-only field is never compared with the server's.
func writesPastBrief(k *model.Kind, desired *model.Realm) bool {
	for _, e := range desired.Sorted(k.Name) {
		for f := range e.Fields {
			if !slices.Contains(k.Read.Brief, f) && k.Relation(f) == nil && !slices.Contains(k.CreateOnly, f) {
				return true
			}
		}
	}
	return false
}

// A nil *Holdings wants everything.
func (h *Holdings) groups() bool           { return h == nil || h.Groups }
func (h *Holdings) realmRoles() bool       { return h == nil || h.RealmRoles }
func (h *Holdings) client(cid string) bool { return h == nil || h.Clients[cid] }

// brief reports whether objects of kind k may be read brief: the kind has
// a brief representation, and no file writes down more than it carries.
func (h *Holdings) brief(k *model.Kind) bool {
	return h != nil && len(k.Read.Brief) > 0 && !h.full[k.Name]
}

// relation reports whether the relation field of the object of kind k and
// key is read: all are when Holdings is nil, and those of an object the
// files do not declare.
func (h *Holdings) relation(k *model.Kind, key, field string) bool {
	if h == nil {
		return true
	}
	fields, declared := h.written[model.Ref{Kind: k.Name, Key: key}]
	return !declared || fields[field]
}

func readsFromOwner(k *model.Kind) bool {
	for _, rel := range k.Relations {
		if rel.ReadFrom == model.ReadOwner {
			return true
		}
	}
	return false
}
