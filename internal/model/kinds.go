package model

import (
	"fmt"
	"strings"
)

// Kind describes one kind of Keycloak object: where it lives in the realm
// document, how it is keyed, which fields need care, and which Admin API
// endpoints manage it. Diff, apply and export are generic over this table;
// adding a kind means adding a row here (plus its live read), not copying
// engine code.
type Kind struct {
	// Name identifies the kind in plans, JSON output and flags.
	Name string
	// Title is how plans name the kind to people.
	Title string
	// Plural names the kind in the realmsync: section of realm files
	// (deletionPolicy) and in --only/--skip.
	Plural string
	// Representation is Keycloak's schema name, for field validation.
	Representation string
	// KeyField holds the object's natural key within its parent.
	KeyField string
	// Parent is the kind of the containing object ("" for realm-level
	// objects). A kind that is its own parent (groups) nests recursively
	// and is keyed by its full path.
	Parent string

	// Root marks the realm itself: every other object lives in it. It is
	// created by the server-level POST, never deleted by a sync, holds the
	// ownership record, and when it fails nothing in it is attempted.
	Root bool
	// DefaultPolicy is the deletion policy when the realm's files set none
	// ("": owned).
	DefaultPolicy Policy
	// DependsOn are kinds whose objects must exist before this kind's
	// are created (besides the realm and the parent kind, implied).
	// Relations need none: references are set once every object exists.
	DependsOn []string
	// Extension is the plugin whose API serves the kind (nil: Keycloak's
	// own). Its kinds are read only for realms whose files declare it.
	Extension *Extension
	// KeyFields key objects by several fields together, joined by ":"
	// (a group-management rule by type and field); KeyField is the last.
	KeyFields []string
	// Write, if set, is how the kind's API takes a write (extensions.go).
	Write *WriteSpec
	// Defaults are the values the server assumes for absent fields:
	// export leaves out a value equal to its default.
	Defaults Object
	// WriteOnly fields are stored and never returned: they are sent with
	// every write and never compared.
	WriteOnly []string
	// NoDelete: the server cannot delete the kind's objects (an
	// extension's singletons): a sync never plans it.
	NoDelete bool
	// DeleteChecks: a DELETE of a missing object is not a 404 but an
	// error (a 500), so a delete first looks the object up.
	DeleteChecks bool
	// MaxLength bounds string fields the server fails on when longer.
	MaxLength map[string]int
	// Strings are fields the server stores as text whatever YAML type
	// they are written in: desired values are stringified.
	Strings []string
	// Via locates built-in objects no search finds, through an object of
	// another kind (a client's service-account user).
	Via *Via

	// RealmPath is the dotted path of the realm document's array that holds
	// realm-level objects of this kind ("clients", "roles.realm").
	RealmPath string
	// ParentField is the parent object's array field holding this kind.
	ParentField string
	// ParentMap is the dotted path of a realm-document map, keyed by the
	// parent's key, whose values are arrays of this kind ("roles.client").
	ParentMap string
	// RealmObject is the dotted path of the realm-document field holding
	// the one object of a singleton kind ("userProfile",
	// "extensions.groupManagement.configuration"); its key is the last
	// segment.
	RealmObject string
	// MapValue: the kind's objects sit in a realm-document map at
	// RealmPath keyed by their key, each value being the object's field
	// of this name (localizationTexts: {<locale>: {<key>: <text>}}, the
	// texts field of the locale's object).
	MapValue string
	// ParentKeyField: the kind's RealmPath is a flat realm-level list
	// whose items name their parent in this field
	// (identityProviderMappers: identityProviderAlias).
	ParentKeyField string
	// KeyIsID: the kind's endpoints take the natural key where other
	// kinds take a server id (identity providers, by alias).
	KeyIsID bool
	// TypeField: the kind's objects sit in a map keyed by this field's
	// value, as a realm export writes components ({providerType: [...]}),
	// at RealmPath or in the parent's ParentField. The object is keyed by
	// type and name together ("<type>:<name>"), and the field is left out
	// of the map's items, as the map key says it.
	TypeField string
	// SubTypeField: objects of a type-keyed kind may also differ by this
	// field (client registration policies come in anonymous and
	// authenticated pairs): the key is "<type>/<subType>:<name>".
	SubTypeField string
	// WireType is the component provider type of a kind whose objects are
	// components in a shape of their own (user federation): sent with a
	// create, and the type a search asks for.
	WireType string
	// ParentIDField is the body field a create names the parent in, by id
	// (a component's parentId), where the path does not.
	ParentIDField string
	// AdoptOnCreate: the server may have made the object itself with its
	// parent (the mappers Keycloak adds to a new LDAP provider): a create
	// first looks for it by key and updates it when it is there.
	AdoptOnCreate bool
	// Sequences are list fields (dotted paths) whose order means
	// something: never sorted, compared in order, shown whole when the
	// order changes. Every other list of scalars is a set, as Keycloak
	// stores most.
	Sequences []string
	// Steps is an ordered list of keyed objects that nest (a flow's
	// executions and its sub-flows' executions).
	Steps *Steps
	// MaskedMaps are string maps in which the server may answer any value
	// with the mask (an authenticator config's keys it does not describe):
	// a masked value cannot be compared, and writing the mask back keeps
	// it.
	MaskedMaps []string
	// FlowFields are string fields naming an authentication flow by alias
	// (the realm's bindings, an identity provider's login flows).
	FlowFields []string
	// LateFields are fields naming objects of kinds applied after this
	// one (the realm's flow bindings): the object's own write leaves them
	// out, and the references pass writes them once every object exists.
	LateFields []string
	// LateEndpoints are late fields written through an endpoint of their
	// own under the object's item (a client's authorizationSettings, the
	// resource server): GET it, overlay the field's map, PUT it back.
	LateEndpoints map[string]string
	// KeyedLists are list fields whose items are objects identified by a
	// key field: items merge by key (desired items are compared field by
	// field with the live item of the same key; live items the desired
	// state does not list are kept).
	KeyedLists map[string]string

	// Relations are fields whose values are references to other objects,
	// managed through their own endpoints once every object exists.
	Relations []Relation
	// BodyRefs are fields that name other objects in the files and carry
	// their ids in request bodies (a client's flow overrides).
	BodyRefs []BodyRef
	// Secrets are fields whose values are never printed or exported.
	Secrets []string
	// StringMaps are map[string]string on the wire: YAML scalars in them
	// are stored as strings, so desired values are stringified before
	// comparison.
	StringMaps []string
	// ListMaps are map[string][]string on the wire: a scalar is a
	// one-element list.
	ListMaps []string
	// WholeMaps are map fields the desired state writes down whole: keys
	// it omits are removed from the server (maps.go).
	WholeMaps []WholeMap
	// Immutable objects have no update endpoint: a change deletes and
	// creates them again.
	Immutable bool
	// CreateOnly fields are sent when an object is created and never
	// compared or sent again: an initial password must not be reset by
	// every sync.
	CreateOnly []string
	// LowerKey: the server stores the key lower-cased (usernames).
	LowerKey bool
	// LowerFields are string fields the server stores lower-cased (emails).
	LowerFields []string
	// ServerManaged are fields the server generates or derives. They are
	// dropped on read and ignored in desired state (a Keycloak export
	// converted to YAML carries ids everywhere). "field.key" names one key
	// of a map field.
	ServerManaged []string
	// Enums are string fields that take one of a few values.
	Enums map[string][]string
	// KnownKeys are map fields whose keys Keycloak defines: any other key
	// is a typo it would store and ignore.
	KnownKeys map[string][]string
	// AbsentMeans are fields the server leaves out of its answers when
	// they hold the given value (a client without authorization services
	// has no authorizationServicesEnabled): absent compares equal to it.
	AbsentMeans map[string]any
	// Required are fields a create needs even where they equal a default:
	// exports always keep them.
	Required []string
	// NotManaged are document fields this version of realmsync does not
	// manage yet; they are reported and left alone.
	NotManaged []string
	// Ignored are fields Keycloak accepts and then ignores, always or in
	// some objects: planning them would show a change on every run, so
	// they are reported with the reason and left out.
	Ignored []IgnoredField

	Endpoints Endpoints
	// Read says how the live reader finds the kind's objects (read.go).
	Read ReadSpec
	// Probe is the body of the object export's baseline realm creates to
	// learn a new object's defaults; nil: not probed.
	Probe Probe
	// ExportTo is where export writes the document field holding the
	// kind: a file ("roles.yaml"), or a directory of one file per object
	// ("clients/"). "" : realm.yaml, or inside the parent's file.
	ExportTo string

	// builtIn reports objects every new realm has. They are never created
	// or deleted, only merged into.
	builtIn func(realm, key string) bool
	// frozen reports built-in objects Keycloak refuses to change at all
	// (403 to every write): a plan that changes one is an error.
	frozen func(realm, key string) bool
	// check is the kind's own offline validation of a desired object, for
	// rules the generic checks (fields, types, references) cannot state.
	check func(r *Realm, e *Entity) []Problem
	// checkRef is the kind's rule on references to its objects: a
	// message when ref must not be written so, "" when it may.
	checkRef func(realm string, ref Ref) string
	// desiredFor is the desired object as the server will keep it, when
	// that depends on other objects (a user's attributes on the user
	// profile): diff compares that instead.
	desiredFor func(d *Entity, desired, live *Realm) *Entity
	// warnings explains what a plan cannot do for the kind's desired
	// objects.
	warnings func(desired, live *Realm) []string
	// refuse explains changes to a live object Keycloak would refuse (a
	// built-in flow's steps), found by comparing with it.
	refuse func(realm string, d, l *Entity) []Problem
	// blocked explains why a live object the plan would delete must stay
	// (a flow still bound), "" when it may go.
	blocked func(desired, live *Realm, l *Entity) string
	// rebuild says why a change to live object l cannot be made in place
	// ("" when it can): apply then builds the object anew beside the old
	// one, moves what binds it over, deletes the old one and gives the
	// new one its key. with names objects made again with it (a flow's
	// configs), which must be declared.
	rebuild func(d, l *Entity) (why string, with []Ref)
	// wire turns the fields of a write in the files' shape into the
	// body the endpoints take (a flat user federation provider into a
	// component); nil: the same shape.
	wire func(fields Object) Object
	// cascade is what the server deletes with live object l: how many
	// objects, and a note saying what they are.
	cascade func(live *Realm, l *Entity) (int, string)
}

// Cascade is what the server deletes with l, and a note saying so.
func (k *Kind) Cascade(live *Realm, l *Entity) (int, string) {
	if k.cascade == nil {
		return 0, ""
	}
	return k.cascade(live, l)
}

// ToWire is the body of a write of fields, in the endpoints' shape.
func (k *Kind) ToWire(fields Object) Object {
	if k.wire == nil {
		return fields
	}
	return k.wire(fields)
}

// Rebuild says why the change from l to d cannot be made in place, and
// what is made again with it; "" when it can.
func (k *Kind) Rebuild(d, l *Entity) (string, []Ref) {
	if k.rebuild == nil || l == nil {
		return "", nil
	}
	return k.rebuild(d, l)
}

// Refuse explains changes Keycloak would refuse to make to l.
func (k *Kind) Refuse(realm string, d, l *Entity) []Problem {
	if k.refuse == nil || l == nil {
		return nil
	}
	return k.refuse(realm, d, l)
}

// DeleteBlocked explains why a live object must not be deleted, or "".
func (k *Kind) DeleteBlocked(desired, live *Realm, l *Entity) string {
	if k.blocked == nil {
		return ""
	}
	return k.blocked(desired, live, l)
}

// IsLate reports whether field is written in the references pass.
func (k *Kind) IsLate(field string) bool { return contains(k.LateFields, field) }

// MaybeMasked reports whether the value at a dotted path may be answered
// masked.
func (k *Kind) MaybeMasked(path string) bool {
	for _, m := range k.MaskedMaps {
		if strings.HasPrefix(path, m+".") {
			return true
		}
	}
	return false
}

// BodyRef is a field whose values name objects in the files and hold
// their ids on the wire. Today every one names top-level flows by alias:
// flows are not a kind yet, so Realm.FlowIDs is the lookup table.
type BodyRef struct {
	// Field is a map field whose values are the references
	// (authenticationFlowBindingOverrides: {browser: <flow>}).
	Field string
}

// RefsToNames rewrites the ids in fields' body references to names,
// leaving an id it does not know as it is.
func (k *Kind) RefsToNames(fields Object, idsByName map[string]string) {
	names := map[string]string{}
	for name, id := range idsByName {
		names[id] = name
	}
	k.rewriteRefs(fields, names)
}

// RefsToIDs rewrites the names in fields' body references to ids. It
// returns the names it does not know.
func (k *Kind) RefsToIDs(fields Object, idsByName map[string]string) (unknown []string) {
	for _, r := range k.BodyRefs {
		if m, ok := fields[r.Field].(map[string]any); ok {
			for _, key := range SortedKeys(m) {
				if s, ok := m[key].(string); ok && s != "" && idsByName[s] == "" {
					unknown = append(unknown, s)
				}
			}
		}
	}
	k.rewriteRefs(fields, idsByName)
	return unknown
}

func (k *Kind) rewriteRefs(fields Object, mapping map[string]string) {
	for _, r := range k.BodyRefs {
		m, ok := fields[r.Field].(map[string]any)
		if !ok {
			continue
		}
		for key, v := range m {
			if s, ok := v.(string); ok {
				if to, known := mapping[s]; known {
					m[key] = to
				}
			}
		}
	}
}

// Via says how to find a built-in object through another kind's object.
type Via struct {
	// Kind is the kind of the object it is found through.
	Kind string
	// Key derives that object's key from this one's.
	Key func(key string) string
	// Path is appended to that object's item path.
	Path string
	// Note tells a plan when the object comes to exist.
	Note string
}

// Warnings explains what a plan cannot do for the kind's desired objects.
func (k *Kind) Warnings(desired, live *Realm) []string {
	if k.warnings == nil {
		return nil
	}
	return k.warnings(desired, live)
}

// DesiredFor returns the desired object as the server will keep it.
func (k *Kind) DesiredFor(d *Entity, desired, live *Realm) *Entity {
	if k.desiredFor == nil {
		return d
	}
	return k.desiredFor(d, desired, live)
}

// Endpoints are Admin API path templates relative to /admin/realms/.
// Placeholders: {realm}, {id} (the object's server id), {parent} (the
// parent's server id), {name} (the local key).
type Endpoints struct {
	Create     string // POST target for a new object under a parent
	CreateRoot string // POST target for a recursive kind at the top level
	Item       string // GET, PUT and DELETE target
	// Find locates an object by key when the live read has not given its
	// id (objects created in this run, built-ins of a realm created in this
	// run). A template ending in a key placeholder is a direct GET;
	// otherwise the Create collection is listed, narrowed by FindQuery.
	Find      string
	FindQuery string
	// List is the collection the live reader lists, where it is not Create.
	List string
}

// KeyOf builds an object's full key from its parent's key and local name.
// Keys are unique within a kind and realm. A child's name is escaped ("/"
// as %2F, "%" as %25), so that a client role named "orders/read" or a
// mapper named "x/y" is not mistaken for a deeper key; the parent's key
// may hold "/" (SAML client ids are URLs), as the name never does.
// Groups are keyed by their path, as Keycloak names them.
func (k *Kind) KeyOf(parentKey, name string) string {
	switch {
	case k.Recursive():
		return parentKey + "/" + name
	case k.Parent == "":
		return name
	default:
		return ChildKey(parentKey, name)
	}
}

// LocalName is the name that keys obj within its parent: its key field,
// prefixed "<type>:" for a type-keyed kind. ok is false when a part is
// missing.
func (k *Kind) LocalName(obj map[string]any) (string, bool) {
	if len(k.KeyFields) > 0 {
		parts := make([]string, len(k.KeyFields))
		for i, f := range k.KeyFields {
			if parts[i], _ = obj[f].(string); parts[i] == "" {
				return "", false
			}
		}
		return strings.Join(parts, ":"), true
	}
	name, _ := obj[k.KeyField].(string)
	if name == "" {
		return "", false
	}
	if k.TypeField == "" {
		return name, true
	}
	typ, _ := obj[k.TypeField].(string)
	if typ == "" {
		return "", false
	}
	if sub, _ := obj[k.SubTypeField].(string); k.SubTypeField != "" && sub != "" {
		typ += "/" + sub
	}
	return typ + ":" + name, true
}

// SplitLocalName undoes LocalName: the fields a local name stands for.
func (k *Kind) SplitLocalName(local string) Object {
	if len(k.KeyFields) > 0 {
		parts := strings.SplitN(local, ":", len(k.KeyFields))
		out := Object{}
		for i, f := range k.KeyFields {
			if i < len(parts) {
				out[f] = parts[i]
			}
		}
		return out
	}
	if k.TypeField == "" {
		return Object{k.KeyField: local}
	}
	typ, name, _ := strings.Cut(local, ":")
	out := Object{k.KeyField: name, k.TypeField: typ}
	if k.SubTypeField != "" {
		if t, sub := splitComponentType(typ); sub != "" {
			out[k.TypeField], out[k.SubTypeField] = t, sub
		}
	}
	return out
}

// ChildKey is the key of a (non-group) child object: its parent's key and
// its escaped name.
func ChildKey(parentKey, name string) string { return parentKey + "/" + nameEscaper.Replace(name) }

// ChildName is the name in a ChildKey ("read" of "web/read").
func ChildName(key string) string { return childName(key) }

// childName is the name in a ChildKey.
func childName(key string) string {
	return nameUnescaper.Replace(key[strings.LastIndex(key, "/")+1:])
}

// NameOf returns the local name in a key of this kind: the key itself
// for realm-level objects, what follows the last "/" otherwise.
func (k *Kind) NameOf(key string) string {
	switch {
	case k.Parent == "":
		return key
	case k.Recursive():
		return key[strings.LastIndex(key, "/")+1:]
	default:
		return childName(key)
	}
}

var (
	nameEscaper   = strings.NewReplacer("%", "%25", "/", "%2F")
	nameUnescaper = strings.NewReplacer("%2F", "/", "%25", "%")
)

// Recursive reports whether objects of this kind nest inside each other.
func (k *Kind) Recursive() bool { return k.Parent == k.Name }

// BuiltIn reports whether key names an object every new realm has.
func (k *Kind) BuiltIn(realm, key string) bool {
	return k.builtIn != nil && k.builtIn(realm, key)
}

// Frozen reports whether key names an object Keycloak refuses to change.
func (k *Kind) Frozen(realm, key string) bool {
	return k.frozen != nil && k.frozen(realm, key)
}

// IsRelation reports whether field is managed as a relation.
func (k *Kind) IsRelation(field string) bool {
	return k.Relation(field) != nil
}

// Relation returns the relation stored in field, or nil.
func (k *Kind) Relation(field string) *Relation {
	for i := range k.Relations {
		if k.Relations[i].Field == field {
			return &k.Relations[i]
		}
	}
	return nil
}

// IsSequence reports whether the list at path keeps its order.
func (k *Kind) IsSequence(path string) bool { return contains(k.Sequences, path) }

// IsSecret reports whether field must never be shown.
func (k *Kind) IsSecret(field string) bool { return contains(k.Secrets, field) }

// IsCreateOnly reports whether field is sent on create only.
func (k *Kind) IsCreateOnly(field string) bool { return contains(k.CreateOnly, field) }

// IsWriteOnly reports whether field is stored and never returned.
func (k *Kind) IsWriteOnly(field string) bool { return contains(k.WriteOnly, field) }

// ValueAt is the value at a field path of the kind's own: "secret", or
// "smtpServer.password" (a key inside a map field; the key may hold dots).
func ValueAt(fields Object, path string) (any, bool) {
	if v, ok := fields[path]; ok {
		return v, true
	}
	field, key, nested := strings.Cut(path, ".")
	m, ok := fields[field].(map[string]any)
	if !nested || !ok {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}

// IsRequired reports whether a create needs field even at its default.
func (k *Kind) IsRequired(field string) bool { return contains(k.Required, field) }

// Endpoints shared by two kinds or two operations.
const (
	// roleByID is every role's item, realm or client role alike.
	roleByID = "{realm}/roles-by-id/{id}"
	// federatedIdentities are a user's links; one is added by a POST to
	// the link's own path.
	federatedIdentities = "{realm}/users/{parent}/federated-identity"
	// identityProviders are keyed by alias: {id} and {parent} are aliases.
	identityProviders = "{realm}/identity-provider/instances"
)

// Kind names, used across packages.
const (
	KindRealm       = "realm"
	KindClientScope = "clientScope"
	KindScopeMapper = "clientScopeMapper"
	KindClient      = "client"
	KindClientMap   = "clientMapper"
	KindRealmRole   = "realmRole"
	KindClientRole  = "clientRole"
	KindGroup       = "group"
	KindUser        = "user"
	KindUserProfile = "userProfile"
	KindFederatedID = "federatedIdentity"
	KindIdP         = "identityProvider"
	KindIdPMapper   = "identityProviderMapper"
)

// rows are the table as written. Apply order is derived from what each
// kind depends on (order.go), the written order breaking ties; deletes
// run in the reverse order.
func rows() []*Kind {
	return []*Kind{
		{
			Name: KindRealm, Title: "realm", Plural: "realms", Representation: "RealmRepresentation", KeyField: "realm",
			Root:    true,
			Secrets: []string{"smtpServer.password"},
			// Keycloak answers the SMTP password masked, always: a digest
			// of what was last written tells whether the files changed it.
			WriteOnly: []string{"smtpServer.password"},
			KnownKeys: map[string][]string{"smtpServer": smtpKeys},
			// WebAuthn's algorithms are in order of preference.
			Sequences:     []string{"webAuthnPolicySignatureAlgorithms", "webAuthnPolicyPasswordlessSignatureAlgorithms"},
			StringMaps:    []string{"attributes", "smtpServer", "browserSecurityHeaders"},
			WholeMaps:     []WholeMap{{Field: "attributes", ServerKeys: realmServerKey}},
			ServerManaged: []string{"id", "notBefore", "defaultRole", "keycloakVersion"},
			// Bindings name flows, which are written after the realm.
			FlowFields: FlowBindings, LateFields: FlowBindings,
			Relations: []Relation{
				perRef("defaultGroups", groupPaths, "default-groups", "path", ReadOwner),
				perRef("defaultDefaultClientScopes", scopeNames, "default-default-client-scopes", "name", ReadOwner),
				perRef("defaultOptionalClientScopes", scopeNames, "default-optional-client-scopes", "name", ReadOwner),
			},
			// Collections of kinds this version does not manage yet, and
			// reference lists that need their own endpoints (later issues).
			NotManaged: []string{
				"federatedUsers",
				"defaultRoles",
				"userFederationProviders",
				"userFederationMappers", "protocolMappers", "applications", "oauthClients",
				"clientTemplates", "applicationScopeMappings", "socialProviders",
				// Deprecated key material: keys are components now.
				"privateKey", "publicKey", "certificate", "codeSecret",
			},
			Ignored: []IgnoredField{
				{Field: "otpSupportedApplications", Why: "Keycloak derives it from the OTP policy (otpPolicyType, otpPolicyAlgorithm, ...); set those instead"},
			},
			Endpoints: Endpoints{Create: "", Item: "{realm}"},
			Read:      ReadSpec{Mode: ReadItem},
		},
		flowKind(), authenticatorConfigKind(), requiredActionKind(),
		{
			Name: KindClientScope, Title: "client scope", Plural: "clientScopes", Representation: "ClientScopeRepresentation", KeyField: "name",
			RealmPath:     "clientScopes",
			Required:      []string{"protocol"},
			Enums:         map[string][]string{"protocol": scopeProtocols},
			StringMaps:    []string{"attributes"},
			WholeMaps:     []WholeMap{{Field: "attributes"}},
			ServerManaged: []string{"id"},
			Relations:     []Relation{scopeMappingsRelation},
			Endpoints:     Endpoints{Create: "{realm}/client-scopes", Item: "{realm}/client-scopes/{id}"},
			// The list carries every scope with its mappers.
			Read:     ReadSpec{Unpaged: true},
			Probe:    Probe{"protocol": "openid-connect"},
			ExportTo: "client-scopes/",
			builtIn:  func(_, key string) bool { return contains(builtInClientScopes, key) },
		},
		{
			Name: KindScopeMapper, Title: "client scope mapper", Plural: "clientScopeMappers", Representation: "ProtocolMapperRepresentation", KeyField: "name",
			Parent: KindClientScope, ParentField: "protocolMappers",
			Required:   []string{"protocol", "protocolMapper"},
			Enums:      map[string][]string{"protocol": clientProtocols},
			StringMaps: []string{"config"},
			// Keycloak 24 and 25 still return it; no mapper asks for consent.
			Defaults:      Object{"consentRequired": false},
			ServerManaged: []string{"id"},
			Endpoints: Endpoints{
				Create: "{realm}/client-scopes/{parent}/protocol-mappers/models",
				Item:   "{realm}/client-scopes/{parent}/protocol-mappers/models/{id}",
			},
			Read:    ReadSpec{Mode: ReadEmbedded},
			builtIn: func(_, key string) bool { return contains(builtInClientScopes, ParentKey(key)) },
		},
		{
			Name: KindClient, Title: "client", Plural: "clients", Representation: "ClientRepresentation", KeyField: "clientId",
			RealmPath: "clients",
			Secrets: []string{"secret", "registrationAccessToken",
				// SAML clients keep private keys in attributes.
				"attributes.saml.signing.private.key", "attributes.saml.encryption.private.key"},
			StringMaps:  []string{"attributes", "authenticationFlowBindingOverrides"},
			Enums:       map[string][]string{"protocol": clientProtocols},
			WholeMaps:   []WholeMap{{Field: "attributes", ServerKeys: clientServerKey}, {Field: "authenticationFlowBindingOverrides"}},
			AbsentMeans: map[string]any{"authorizationServicesEnabled": false},
			ServerManaged: []string{
				"id", "access", "registeredNodes",
				"attributes.client.secret.creation.time",
			},
			// Flow overrides name flows by alias; the wire holds their ids.
			BodyRefs: []BodyRef{{Field: "authenticationFlowBindingOverrides"}},
			// The resource server's settings (authorization.go) have an
			// endpoint of their own, written once the client exists.
			LateFields:    []string{AuthorizationField},
			LateEndpoints: map[string]string{AuthorizationField: AuthorizationPath},
			DependsOn:     []string{KindFlow},
			Ignored: []IgnoredField{
				{Field: "defaultRoles", Why: "clients have had no default roles since Keycloak 13; add the roles to the composites of the realm's default role (default-roles-<realm>)"},
				{Field: "secret", When: func(c Object) bool { return c["publicClient"] == true },
					Why: "a public client has no secret"},
			},
			Relations: []Relation{
				scopeMappingsRelation,
				defaultedOnCreate(perRef("defaultClientScopes", scopeNames, "default-client-scopes", "name", ReadInOwner)),
				defaultedOnCreate(perRef("optionalClientScopes", scopeNames, "optional-client-scopes", "name", ReadInOwner)),
			},
			Endpoints: Endpoints{
				Create: "{realm}/clients", Item: "{realm}/clients/{id}",
				FindQuery: "clientId",
			},
			// The list carries each client's protocol mappers.
			Probe:    Probe{},
			ExportTo: "clients/",
			builtIn:  builtInClient,
			frozen:   AdminClient,
			check:    checkScopeProtocols,
		},
		{
			Name: KindClientMap, Title: "client mapper", Plural: "clientMappers", Representation: "ProtocolMapperRepresentation", KeyField: "name",
			Parent: KindClient, ParentField: "protocolMappers",
			Required:   []string{"protocol", "protocolMapper"},
			Enums:      map[string][]string{"protocol": clientProtocols},
			StringMaps: []string{"config"},
			// Keycloak 24 and 25 still return it; no mapper asks for consent.
			Defaults:      Object{"consentRequired": false},
			ServerManaged: []string{"id"},
			Endpoints: Endpoints{
				Create: "{realm}/clients/{parent}/protocol-mappers/models",
				Item:   "{realm}/clients/{parent}/protocol-mappers/models/{id}",
			},
			Read: ReadSpec{Mode: ReadEmbedded},
			builtIn: func(realm, key string) bool {
				return builtInClient(realm, ParentKey(key)) || serviceAccountMapper(childName(key))
			},
			frozen: func(realm, key string) bool { return AdminClient(realm, ParentKey(key)) },
		},
		{
			Name: KindRealmRole, Title: "realm role", Plural: "realmRoles", Representation: "RoleRepresentation", KeyField: "name",
			RealmPath:     "roles.realm",
			ListMaps:      []string{"attributes"},
			WholeMaps:     []WholeMap{{Field: "attributes"}},
			ServerManaged: []string{"id", "containerId", "clientRole", "composite"},
			Relations:     []Relation{compositesRelation},
			Endpoints: Endpoints{
				Create: "{realm}/roles", Item: roleByID,
				Find: "{realm}/roles/{name}",
			},
			Read:     ReadSpec{Full: true, InExport: true, Brief: roleBrief},
			ExportTo: "roles.yaml",
			Probe:    Probe{},
			builtIn:  builtInRealmRole,
			check: func(r *Realm, e *Entity) []Problem {
				if MisspeltDefaultRole(r.Name, e.Key) {
					return []Problem{{Message: fmt.Sprintf("realm %s's default role is %q (Keycloak lower-cases the realm name in it); declaring %q would make a second, ordinary role",
						r.Name, DefaultRoleName(r.Name), e.Key)}}
				}
				return nil
			},
			checkRef: func(realm string, ref Ref) string {
				if MisspeltDefaultRole(realm, ref.Key) {
					return fmt.Sprintf("realm %s's default role is %q (Keycloak lower-cases the realm name in it)", realm, DefaultRoleName(realm))
				}
				return ""
			},
		},
		{
			Name: KindClientRole, Title: "client role", Plural: "clientRoles", Representation: "RoleRepresentation", KeyField: "name",
			Parent: KindClient, ParentMap: "roles.client",
			ListMaps:      []string{"attributes"},
			WholeMaps:     []WholeMap{{Field: "attributes"}},
			ServerManaged: []string{"id", "containerId", "clientRole", "composite"},
			Relations:     []Relation{compositesRelation},
			Endpoints: Endpoints{
				Create: "{realm}/clients/{parent}/roles", Item: roleByID,
				Find: "{realm}/clients/{parent}/roles/{name}",
			},
			Read:     ReadSpec{Full: true, Brief: roleBrief},
			ExportTo: "roles.yaml",
			Probe:    Probe{},
			builtIn: func(realm, key string) bool {
				return KnownBuiltInRole(realm, Ref{Kind: KindClientRole, Key: key}) ||
					(realm == "master" && strings.HasSuffix(ParentKey(key), "-realm")) ||
					// Keycloak makes it with a client's authorization services.
					ChildName(key) == "uma_protection"
			},
			frozen: func(realm, key string) bool { return AdminClient(realm, ParentKey(key)) },
		},
		{
			Name: KindGroup, Title: "group", Plural: "groups", Representation: "GroupRepresentation", KeyField: "name",
			Parent: KindGroup, RealmPath: "groups", ParentField: "subGroups",
			ListMaps:      []string{"attributes"},
			WholeMaps:     []WholeMap{{Field: "attributes", ServerKeys: groupServerKey}},
			ServerManaged: []string{"id", "path", "parentId", "subGroupCount", "access"},
			Relations: []Relation{
				roleMappings("realmRoles", ReadInOwner),
				roleMappings("clientRoles", ReadInOwner),
			},
			Endpoints: Endpoints{
				Create: "{realm}/groups/{parent}/children", CreateRoot: "{realm}/groups",
				Item: "{realm}/groups/{id}", Find: "{realm}/group-by-path{key}",
			},
			Read:     ReadSpec{Full: true, ChildCount: "subGroupCount", InExport: true},
			ExportTo: "groups.yaml",
			Probe:    Probe{},
		},
		identityProviderKind(), identityProviderMapperKind(),
		componentKind(), federationKind(), federationMapperKind(),
		clientProfileKind(), clientPolicyKind(), localizationKind(),
		organizationKind(), authzScopeKind(), authzResourceKind(), authzPolicyKind(),
		groupManagementKinds()[0], groupManagementKinds()[1], groupManagementKinds()[2],
		userProfileKind(), usersKind(), federatedIdentityKind(),
	}
}

// identityProviderKind: identity brokering, keyed by alias, which the
// endpoints take in place of an id. The client secret is masked on read;
// writing the mask back keeps the stored one.
func identityProviderKind() *Kind {
	return &Kind{
		Name: KindIdP, Title: "identity provider", Plural: "identityProviders",
		Representation: "IdentityProviderRepresentation", KeyField: "alias", KeyIsID: true,
		RealmPath:  "identityProviders",
		Required:   []string{"providerId"},
		StringMaps: []string{"config"},
		Secrets:    []string{"config.clientSecret"},
		// Keycloak answers it masked: a digest of what realmsync wrote
		// tells whether the files changed it.
		WriteOnly: []string{"config.clientSecret"},
		// An organization's link names it by id; the organization's
		// identityProviders say it by alias.
		ServerManaged: []string{"internalId", "organizationId"},
		FlowFields:    []string{"firstBrokerLoginFlowAlias", "postBrokerLoginFlowAlias"},
		DependsOn:     []string{KindFlow},
		Endpoints: Endpoints{
			Create: identityProviders, Item: identityProviders + "/{id}",
		},
		Read: ReadSpec{Full: true},
		Probe: Probe{"providerId": "oidc", "config": map[string]any{"clientId": "realmsync-probe",
			"authorizationUrl": "https://probe.invalid/auth", "tokenUrl": "https://probe.invalid/token", "clientAuthMethod": "client_secret_post"}},
		ExportTo: "identity-providers.yaml",
	}
}

// identityProviderMapperKind: a realm export lists every provider's
// mappers in one realm-level list, each naming its provider.
func identityProviderMapperKind() *Kind {
	return &Kind{
		Name: KindIdPMapper, Title: "identity provider mapper", Plural: "identityProviderMappers",
		Representation: "IdentityProviderMapperRepresentation", KeyField: "name",
		Parent: KindIdP, RealmPath: "identityProviderMappers", ParentKeyField: "identityProviderAlias",
		Required:      []string{"identityProviderMapper"},
		StringMaps:    []string{"config"},
		ServerManaged: []string{"id"},
		Endpoints: Endpoints{
			Create: identityProviders + "/{parent}/mappers", Item: identityProviders + "/{parent}/mappers/{id}",
		},
		Read:     ReadSpec{Unpaged: true},
		ExportTo: "identity-providers.yaml",
	}
}

// userProfileKind is the realm's declarative user profile (Keycloak 24+):
// which user attributes exist. It comes before users, whose attributes it
// decides. It always exists, so it is only ever updated.
func userProfileKind() *Kind {
	return &Kind{
		Name: KindUserProfile, Title: "user profile", Plural: "userProfile", Representation: "UPConfig",
		RealmObject: "userProfile",
		KeyedLists:  map[string]string{"attributes": "name", "groups": "name"},
		Endpoints:   Endpoints{Item: "{realm}/users/profile"},
		Read:        ReadSpec{Mode: ReadItem, Optional: true},
		ExportTo:    "user-profile.yaml",
		builtIn:     func(string, string) bool { return true },
	}
}

// roleBrief are the fields of Keycloak's brief role representation
// (ModelToRepresentation.toBriefRepresentation): all but the attributes.
// A role's full one costs the server its attributes: the medium benchmark
// preset's 206 lists of client roles took Keycloak 26.7.3 0.28-0.31 CPU-s
// full and 0.19-0.23 brief, eight at once.
var roleBrief = []string{"id", "name", "description", "composite", "clientRole", "containerId"}

// usersKind: users refer to groups and roles of every kind, and their
// attributes are the user profile's to decide.
func usersKind() *Kind {
	return &Kind{
		Name: KindUser, Title: "user", Plural: "users", Representation: "UserRepresentation", KeyField: "username",
		RealmPath: "users", LowerKey: true, LowerFields: []string{"email"},
		DependsOn: []string{KindUserProfile, KindGroup, KindRealmRole, KindClientRole},
		// Users are the most dangerous kind to delete.
		DefaultPolicy: PolicyNone,
		ListMaps:      []string{"attributes"},
		Secrets:       []string{"credentials"},
		WholeMaps:     []WholeMap{{Field: "attributes", ServerKeys: userServerKey}},
		CreateOnly:    []string{"credentials"},
		ServerManaged: []string{"id", "createdTimestamp", "access", "totp", "notBefore", "disableableCredentialTypes",
			"userProfileMetadata", "origin", "self", "federationLink", "serviceAccountClientId",
			// Keycloak 26 marks the bootstrap admin as temporary itself.
			"attributes.is_temporary_admin"},
		NotManaged: []string{"clientConsents", "socialLinks", "applicationRoles", "clientRolesList"},
		Relations: []Relation{
			perRef("groups", groupPaths, "groups", "path", ReadByHook),
			roleMappings("realmRoles", ReadByHook),
			roleMappings("clientRoles", ReadByHook),
		},
		Endpoints: Endpoints{Create: "{realm}/users", Item: "{realm}/users/{id}", FindQuery: "username"},
		// User searches leave service accounts out, and memberships are read
		// from the group and role side: a hook completes the list.
		Read: ReadSpec{Full: true, Hook: "users", Count: "{realm}/users/count",
			// Keycloak's toBriefRepresentation; not every version has
			// federationLink in it, so a realm with user federation is read
			// full (live.reader.fetch).
			Brief: []string{"id", "username", "createdTimestamp", "firstName", "lastName", "email", "enabled", "emailVerified",
				"federationLink", "access"}},
		ExportTo: "users.yaml",
		Probe:    Probe{},
		// A client's service account is a user Keycloak makes and removes with
		// the client; its role mappings and groups can still be declared.
		builtIn: func(_, key string) bool { return strings.HasPrefix(key, serviceAccountPrefix) },
		Via: &Via{Kind: KindClient, Path: "service-account-user",
			Key:  func(key string) string { return strings.TrimPrefix(key, serviceAccountPrefix) },
			Note: "service account: exists once its client has serviceAccountsEnabled"},
		check:      checkUser,
		desiredFor: usersAsDesired,
		warnings:   usersWarnings,
	}
}

const serviceAccountPrefix = "service-account-"

// federatedIdentityKind links a user to an account at an identity
// provider (the provider itself must exist). Keycloak cannot change a
// link: a change removes and adds it again.
func federatedIdentityKind() *Kind {
	return &Kind{
		Name: KindFederatedID, Title: "federated identity", Plural: "federatedIdentities",
		Representation: "FederatedIdentityRepresentation", KeyField: "identityProvider",
		Parent: KindUser, ParentField: "federatedIdentities", Immutable: true,
		DependsOn: []string{KindIdP},
		Endpoints: Endpoints{
			Create: federatedIdentities + "/{name}",
			Item:   federatedIdentities + "/{name}",
			List:   federatedIdentities,
		},
		// Found through a search per identity provider, not a call per user.
		Read: ReadSpec{Mode: ReadHook, Hook: "federatedIdentities"},
	}
}

// kinds is the table in apply order. It is built in init, not in its
// declaration: the rows' hooks look kinds up, and Go forbids a variable
// whose initialiser refers back to it.
var kinds []*Kind

var kindIndex = map[string]int{}

func init() {
	ordered, err := applyOrder(rows())
	if err != nil {
		panic(err) // a table that cannot be ordered is a programming error; TestKindTable says which
	}
	kinds = ordered
	for i, k := range kinds {
		kindIndex[k.Name] = i
	}
}

// Kinds returns the kind table in apply order.
func Kinds() []*Kind { return kinds }

// SingletonKey is the key of a singleton kind's one object: the last
// segment of its RealmObject.
func (k *Kind) SingletonKey() string { return k.RealmObject[strings.LastIndex(k.RealmObject, ".")+1:] }

// DocumentField is the top-level realm-document field holding the kind
// ("roles" for realm and client roles), or "" for kinds inside a parent.
func (k *Kind) DocumentField() string {
	for _, p := range []string{k.RealmPath, k.RealmObject, k.ParentMap} {
		if p != "" {
			f, _, _ := strings.Cut(p, ".")
			return f
		}
	}
	return ""
}

// RootKind is the realm's row.
func RootKind() *Kind { return kinds[0] }

// KindByName returns the kind called name, or nil.
func KindByName(name string) *Kind {
	for _, k := range kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// KindByPlural returns the kind whose plural name is name, or nil.
func KindByPlural(name string) *Kind {
	for _, k := range kinds {
		if k.Plural == name {
			return k
		}
	}
	return nil
}

// KindIndex is the kind's position in apply order. Plans sort by it on
// every comparison, so it is a map lookup.
func KindIndex(name string) int {
	if i, ok := kindIndex[name]; ok {
		return i
	}
	return len(kinds)
}

// children returns the kinds stored inside objects of kind parent.
func children(parent string) []*Kind {
	var out []*Kind
	for _, k := range kinds {
		if k.Parent == parent && k.ParentField != "" {
			out = append(out, k)
		}
	}
	return out
}

// ParentKey returns the parent key of a child key "parent/name". Parent
// keys may themselves contain slashes (SAML client ids are URLs), and
// names never do (KeyOf escapes them), so the name is what follows the
// last slash.
func ParentKey(key string) string {
	if i := strings.LastIndex(key, "/"); i >= 0 {
		return key[:i]
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
