package model

// The read side of the kind table: how the live reader (internal/live)
// finds each kind's objects on the server. The paths are the kind's own
// Endpoints, so an endpoint is written down once.

// ReadMode is how a kind's objects are found.
type ReadMode int

const (
	// ReadList pages through the kind's collection (Endpoints.Create;
	// CreateRoot for the top of a recursive kind), once per parent object
	// for a child kind.
	ReadList ReadMode = iota
	// ReadEmbedded: the parent's representation carries the objects
	// (protocol mappers in client and client scope lists).
	ReadEmbedded
	// ReadItem: one GET of Endpoints.Item (the realm, a singleton).
	ReadItem
	// ReadHook: a named reader in the live package, for the few kinds no
	// listing finds.
	ReadHook
)

// ReadSpec says how the live reader finds a kind's objects.
type ReadSpec struct {
	Mode ReadMode
	// Unpaged collections answer everything at once and ignore first and
	// max (client scopes, with their mappers).
	Unpaged bool
	// When is the realm's field that must be true for the realm to have
	// objects of the kind at all (organizationsEnabled): otherwise the
	// kind is not read, and its endpoints would answer 404.
	When string
	// Field: the collection answers one object holding the list in this
	// field (client profiles in "profiles"), not the list itself.
	Field string
	// Full asks for the full representation (briefRepresentation=false):
	// role attributes, group role mappings.
	Full bool
	// Brief lists the fields of the brief representation, for a kind
	// whose full one costs the server much more: a read for a plan whose
	// files write down no other field of the kind (relations and
	// create-only fields aside) asks for the brief one (live.Holdings).
	// A full user costs Keycloak its credential types and required
	// actions: the large benchmark preset's 10,000 users took it 3.6 to
	// 4.1 CPU-s full and 2.3 to 2.6 brief; a full role, its attributes.
	Brief []string
	// ChildCount is, for a recursive kind, the field counting an object's
	// children: children are listed per parent that has any, a level at a
	// time (Keycloak 23+ lists no subgroups with their parent).
	ChildCount string
	// Optional: a 404 means the server has none (the user profile before
	// Keycloak 24).
	Optional bool
	// Count is the endpoint that answers how many objects the collection
	// holds ({realm}/users/count): its pages are then asked for at once,
	// not one after the other (a page of 100 full users takes Keycloak
	// about 0.1 s: 10,000 users one page at a time were half of a large
	// realm's plan).
	Count string
	// InExport: Keycloak's partial export carries the kind's objects
	// where a realm file writes them (realm roles, the group tree), so a
	// read that has the export takes them from it instead of listing them
	// (live/partialexport.go).
	InExport bool
	// Hook names the reader of a ReadHook kind, or the reader that
	// completes a listed kind (users: service accounts and memberships).
	Hook string
}

// Probe is the body of the object of this kind that export's baseline
// realm creates to learn a new object's defaults (its key is added):
// nil for kinds not probed.
type Probe = Object

// Endpoints the live reader's hooks read beyond the kinds' own.
const (
	// MembersPath follows a group's item path: the group's members.
	MembersPath = "members"
	// HoldersPath follows a role's Find path: the users holding it
	// directly.
	HoldersPath = "users"
)
