package live

import (
	"github.com/realmsync/realmsync/internal/model"
)

// Holdings are the parts of users' memberships and role mappings that a
// plan compares. A plan compares only the relation fields a file writes
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
}

// HoldingsOf are the holdings the desired realm's users write down.
func HoldingsOf(desired *model.Realm) *Holdings {
	h := &Holdings{Clients: map[string]bool{}}
	if desired == nil {
		return h
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

// A nil *Holdings wants everything.
func (h *Holdings) groups() bool           { return h == nil || h.Groups }
func (h *Holdings) realmRoles() bool       { return h == nil || h.RealmRoles }
func (h *Holdings) client(cid string) bool { return h == nil || h.Clients[cid] }
