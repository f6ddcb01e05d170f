package model

import (
	"fmt"
	"strconv"
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

	// RealmPath is the dotted path of the realm document's array that holds
	// realm-level objects of this kind ("clients", "roles.realm").
	RealmPath string
	// ParentField is the parent object's array field holding this kind.
	ParentField string
	// ParentMap is the dotted path of a realm-document map, keyed by the
	// parent's key, whose values are arrays of this kind ("roles.client").
	ParentMap string
	// RealmObject is the realm-document field holding the one object of a
	// singleton kind ("userProfile"); its key is the field name.
	RealmObject string
	// KeyedLists are list fields whose items are objects identified by a
	// key field: items merge by key (desired items are compared field by
	// field with the live item of the same key; live items the desired
	// state does not list are kept).
	KeyedLists map[string]string

	// Relations are fields whose values are references to other objects,
	// managed through their own endpoints once every object exists.
	Relations []Relation
	// Secrets are fields whose values are never printed or exported.
	Secrets []string
	// StringMaps are map[string]string on the wire: YAML scalars in them
	// are stored as strings, so desired values are stringified before
	// comparison.
	StringMaps []string
	// ListMaps are map[string][]string on the wire: a scalar is a
	// one-element list.
	ListMaps []string
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
}

// Problem is one finding of a kind's own check: the field it concerns
// ("" for the object as a whole) and what is wrong.
type Problem struct {
	Field, Message string
}

// CheckValue checks a field's value against what the table knows of it
// beyond its schema type: the values of an enum, and maps stored as
// string maps (values are scalars) or list maps (scalars or lists of
// scalars). It returns "" when the value fits.
func (k *Kind) CheckValue(field string, v any) string {
	if allowed, ok := k.Enums[field]; ok {
		if s, isString := v.(string); isString && !contains(allowed, s) {
			return fmt.Sprintf("is %q; Keycloak knows %s", s, strings.Join(allowed, ", "))
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	for _, key := range SortedKeys(m) {
		switch x := m[key].(type) {
		case map[string]any:
			if contains(k.StringMaps, field) || contains(k.ListMaps, field) {
				return fmt.Sprintf("key %q must be a string, found an object", key)
			}
		case []any:
			if contains(k.StringMaps, field) {
				return fmt.Sprintf("key %q must be a string, found a list", key)
			}
			if contains(k.ListMaps, field) {
				for _, item := range x {
					if !IsScalar(item) {
						return fmt.Sprintf("key %q must be a list of strings", key)
					}
				}
			}
		}
	}
	return ""
}

// Check runs the kind's own validation of a desired object.
func (k *Kind) Check(r *Realm, e *Entity) []Problem {
	if k.check == nil {
		return nil
	}
	return k.check(r, e)
}

// CheckRef runs the kind's rule on a reference to one of its objects.
func (k *Kind) CheckRef(realm string, ref Ref) string {
	if k.checkRef == nil {
		return ""
	}
	return k.checkRef(realm, ref)
}

// IgnoredField is a field the server ignores.
type IgnoredField struct {
	Field string
	// When says whether the server ignores it in this object (nil: always).
	When func(obj Object) bool
	// Why tells the user what to do instead.
	Why string
}

// ignored returns why the server ignores field f of obj, or "".
func (k *Kind) ignored(obj Object, f string) string {
	for _, ig := range k.Ignored {
		if ig.Field == f && (ig.When == nil || ig.When(obj)) {
			return ig.Why
		}
	}
	return ""
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
}

// Relation is a field holding references, e.g. a role's composites or a
// group's role mappings. Keycloak changes these only through add/remove
// endpoints, never through the owner's PUT.
type Relation struct {
	Field string
	// Refs decodes the field's document value into references.
	Refs func(v any) ([]Ref, error)
	// Scopes names the parts of the value the document writes down: a
	// role's composites may list realm roles only, or one client's roles.
	// Only written-down parts are authoritative; members of other parts
	// are left alone.
	Scopes func(v any) map[string]bool
	// Path is the add/remove endpoint for one reference, relative to the
	// owner's item path: "{owner}/composites".
	Path func(ref Ref) string
	// PerRef relations take one call per reference, with no body: PUT to
	// add, DELETE to remove, the path naming the reference as {ref} (its
	// server id). Others take lists of role representations: POST to add,
	// DELETE to remove.
	PerRef bool
	// DefaultedOnCreate relations are filled in by Keycloak when it
	// creates the object (a new client gets the realm's default scopes):
	// after a create, apply reads them back and reconciles against them.
	DefaultedOnCreate bool
}

// Delta returns the references to add and to remove to turn have into
// want. Only the parts want writes down are authoritative: a reference of
// another part is never removed.
func (rel *Relation) Delta(want, have any) (add, remove []Ref) {
	w, _ := rel.Refs(want) // desired references were validated on load
	var h []Ref
	if have != nil {
		h, _ = rel.Refs(have)
	}
	in := func(set []Ref, r Ref) bool {
		for _, x := range set {
			if x == r {
				return true
			}
		}
		return false
	}
	declared := rel.Scopes(want)
	for _, r := range w {
		if !in(h, r) {
			add = append(add, r)
		}
	}
	for _, r := range h {
		if !in(w, r) && declared[RefScope(r)] {
			remove = append(remove, r)
		}
	}
	return add, remove
}

// Ref names another object by kind and key.
type Ref struct {
	Kind string
	Key  string
}

func (r Ref) String() string {
	if k := KindByName(r.Kind); k != nil {
		return k.Title + " " + strconv.Quote(r.Key)
	}
	return r.Kind + " " + strconv.Quote(r.Key)
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

// ChildKey is the key of a (non-group) child object: its parent's key and
// its escaped name.
func ChildKey(parentKey, name string) string { return parentKey + "/" + nameEscaper.Replace(name) }

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

// IsSecret reports whether field must never be shown.
func (k *Kind) IsSecret(field string) bool { return contains(k.Secrets, field) }

// IsCreateOnly reports whether field is sent on create only.
func (k *Kind) IsCreateOnly(field string) bool { return contains(k.CreateOnly, field) }

// IsRequired reports whether a create needs field even at its default.
func (k *Kind) IsRequired(field string) bool { return contains(k.Required, field) }

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
)

// kinds is the table, in apply order: an object's kind comes after the
// kinds it depends on. Deletes run in the reverse order.
var kinds = []*Kind{
	{
		Name: KindRealm, Title: "realm", Plural: "realms", Representation: "RealmRepresentation", KeyField: "realm",
		Secrets:       []string{"smtpServer.password"},
		StringMaps:    []string{"attributes", "smtpServer", "browserSecurityHeaders"},
		ServerManaged: []string{"id", "notBefore", "defaultRole", "keycloakVersion"},
		Relations: []Relation{
			perRef("defaultGroups", groupPaths, "{owner}/default-groups/{ref}"),
			perRef("defaultDefaultClientScopes", scopeNames, "{owner}/default-default-client-scopes/{ref}"),
			perRef("defaultOptionalClientScopes", scopeNames, "{owner}/default-optional-client-scopes/{ref}"),
		},
		// Collections of kinds this version does not manage yet, and
		// reference lists that need their own endpoints (later issues).
		NotManaged: []string{
			"federatedUsers", "identityProviders", "identityProviderMappers",
			"components", "authenticationFlows", "authenticatorConfig", "requiredActions",
			"defaultRoles",
			"clientPolicies", "clientProfiles", "organizations", "userFederationProviders",
			"userFederationMappers", "protocolMappers", "applications", "oauthClients",
			"clientTemplates", "applicationScopeMappings", "socialProviders",
			// The realm's PUT ignores it: it has endpoints of its own
			// (realm localization, a later issue).
			"localizationTexts",
			// Deprecated key material: keys are components now.
			"privateKey", "publicKey", "certificate", "codeSecret",
		},
		Ignored: []IgnoredField{
			{Field: "otpSupportedApplications", Why: "Keycloak derives it from the OTP policy (otpPolicyType, otpPolicyAlgorithm, ...); set those instead"},
		},
		Endpoints: Endpoints{Create: "", Item: "{realm}"},
	},
	{
		Name: KindClientScope, Title: "client scope", Plural: "clientScopes", Representation: "ClientScopeRepresentation", KeyField: "name",
		RealmPath:     "clientScopes",
		Required:      []string{"protocol"},
		Enums:         map[string][]string{"protocol": scopeProtocols},
		StringMaps:    []string{"attributes"},
		ServerManaged: []string{"id"},
		Relations:     []Relation{scopeMappingsRelation},
		Endpoints:     Endpoints{Create: "{realm}/client-scopes", Item: "{realm}/client-scopes/{id}"},
		builtIn:       func(_, key string) bool { return contains(builtInClientScopes, key) },
	},
	{
		Name: KindScopeMapper, Title: "client scope mapper", Plural: "clientScopeMappers", Representation: "ProtocolMapperRepresentation", KeyField: "name",
		Parent: KindClientScope, ParentField: "protocolMappers",
		Required:      []string{"protocol", "protocolMapper"},
		Enums:         map[string][]string{"protocol": clientProtocols},
		StringMaps:    []string{"config"},
		ServerManaged: []string{"id"},
		Endpoints: Endpoints{
			Create: "{realm}/client-scopes/{parent}/protocol-mappers/models",
			Item:   "{realm}/client-scopes/{parent}/protocol-mappers/models/{id}",
		},
		builtIn: func(_, key string) bool { return contains(builtInClientScopes, ParentKey(key)) },
	},
	{
		Name: KindClient, Title: "client", Plural: "clients", Representation: "ClientRepresentation", KeyField: "clientId",
		RealmPath: "clients",
		Secrets: []string{"secret", "registrationAccessToken",
			// SAML clients keep private keys in attributes.
			"attributes.saml.signing.private.key", "attributes.saml.encryption.private.key"},
		StringMaps:  []string{"attributes"},
		Enums:       map[string][]string{"protocol": clientProtocols},
		AbsentMeans: map[string]any{"authorizationServicesEnabled": false},
		ServerManaged: []string{
			"id", "access", "registeredNodes",
			"attributes.client.secret.creation.time",
		},
		NotManaged: []string{
			// Holding flow ids, or a world of their own: later issues.
			"authorizationSettings", "authenticationFlowBindingOverrides",
		},
		Ignored: []IgnoredField{
			{Field: "defaultRoles", Why: "clients have had no default roles since Keycloak 13; add the roles to the composites of the realm's default role (default-roles-<realm>)"},
			{Field: "secret", When: func(c Object) bool { return c["publicClient"] == true },
				Why: "a public client has no secret"},
		},
		Relations: []Relation{
			scopeMappingsRelation,
			defaultedOnCreate(perRef("defaultClientScopes", scopeNames, "{owner}/default-client-scopes/{ref}")),
			defaultedOnCreate(perRef("optionalClientScopes", scopeNames, "{owner}/optional-client-scopes/{ref}")),
		},
		Endpoints: Endpoints{
			Create: "{realm}/clients", Item: "{realm}/clients/{id}",
			FindQuery: "clientId",
		},
		builtIn: builtInClient,
		frozen:  AdminClient,
		check:   checkScopeProtocols,
	},
	{
		Name: KindClientMap, Title: "client mapper", Plural: "clientMappers", Representation: "ProtocolMapperRepresentation", KeyField: "name",
		Parent: KindClient, ParentField: "protocolMappers",
		Required:      []string{"protocol", "protocolMapper"},
		Enums:         map[string][]string{"protocol": clientProtocols},
		StringMaps:    []string{"config"},
		ServerManaged: []string{"id"},
		Endpoints: Endpoints{
			Create: "{realm}/clients/{parent}/protocol-mappers/models",
			Item:   "{realm}/clients/{parent}/protocol-mappers/models/{id}",
		},
		builtIn: func(realm, key string) bool { return builtInClient(realm, ParentKey(key)) },
		frozen:  func(realm, key string) bool { return AdminClient(realm, ParentKey(key)) },
	},
	{
		Name: KindRealmRole, Title: "realm role", Plural: "realmRoles", Representation: "RoleRepresentation", KeyField: "name",
		RealmPath:     "roles.realm",
		ListMaps:      []string{"attributes"},
		ServerManaged: []string{"id", "containerId", "clientRole", "composite"},
		Relations:     []Relation{compositesRelation},
		Endpoints: Endpoints{
			Create: "{realm}/roles", Item: "{realm}/roles-by-id/{id}",
			Find: "{realm}/roles/{name}",
		},
		builtIn: builtInRealmRole,
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
		ServerManaged: []string{"id", "containerId", "clientRole", "composite"},
		Relations:     []Relation{compositesRelation},
		Endpoints: Endpoints{
			Create: "{realm}/clients/{parent}/roles", Item: "{realm}/roles-by-id/{id}",
			Find: "{realm}/clients/{parent}/roles/{name}",
		},
		builtIn: func(realm, key string) bool {
			return KnownBuiltInRole(realm, Ref{Kind: KindClientRole, Key: key}) ||
				(realm == "master" && strings.HasSuffix(ParentKey(key), "-realm"))
		},
		frozen: func(realm, key string) bool { return AdminClient(realm, ParentKey(key)) },
	},
	{
		Name: KindGroup, Title: "group", Plural: "groups", Representation: "GroupRepresentation", KeyField: "name",
		Parent: KindGroup, RealmPath: "groups", ParentField: "subGroups",
		ListMaps:      []string{"attributes"},
		ServerManaged: []string{"id", "path", "parentId", "subGroupCount", "access"},
		Relations: []Relation{
			{Field: "realmRoles", Refs: realmRoleNames, Scopes: realmScope, Path: func(Ref) string { return "{owner}/role-mappings/realm" }},
			{Field: "clientRoles", Refs: clientRoleNames, Scopes: clientScopes, Path: func(Ref) string { return "{owner}/role-mappings/clients/{refParent}" }},
		},
		Endpoints: Endpoints{
			Create: "{realm}/groups/{parent}/children", CreateRoot: "{realm}/groups",
			Item: "{realm}/groups/{id}", Find: "{realm}/group-by-path{key}",
		},
	},
}

// userProfileKind is the realm's declarative user profile (Keycloak 24+):
// which user attributes exist. It comes before users, whose attributes it
// decides. It always exists, so it is only ever updated.
var userProfileKind = &Kind{
	Name: KindUserProfile, Title: "user profile", Plural: "userProfile", Representation: "UPConfig",
	RealmObject: "userProfile",
	KeyedLists:  map[string]string{"attributes": "name", "groups": "name"},
	Endpoints:   Endpoints{Item: "{realm}/users/profile"},
	builtIn:     func(string, string) bool { return true },
}

// usersKind is the last row: users refer to groups and roles of every kind.
var usersKind = &Kind{
	Name: KindUser, Title: "user", Plural: "users", Representation: "UserRepresentation", KeyField: "username",
	RealmPath: "users", LowerKey: true, LowerFields: []string{"email"},
	ListMaps:   []string{"attributes"},
	Secrets:    []string{"credentials"},
	CreateOnly: []string{"credentials"},
	ServerManaged: []string{"id", "createdTimestamp", "access", "totp", "notBefore", "disableableCredentialTypes",
		"userProfileMetadata", "origin", "self", "federationLink", "serviceAccountClientId",
		// Keycloak 26 marks the bootstrap admin as temporary itself.
		"attributes.is_temporary_admin"},
	NotManaged: []string{"clientConsents", "socialLinks", "applicationRoles", "clientRolesList"},
	Relations: []Relation{
		perRef("groups", groupPaths, "{owner}/groups/{ref}"),
		{Field: "realmRoles", Refs: realmRoleNames, Scopes: realmScope, Path: func(Ref) string { return "{owner}/role-mappings/realm" }},
		{Field: "clientRoles", Refs: clientRoleNames, Scopes: clientScopes, Path: func(Ref) string { return "{owner}/role-mappings/clients/{refParent}" }},
	},
	Endpoints: Endpoints{Create: "{realm}/users", Item: "{realm}/users/{id}", FindQuery: "username"},
	// A client's service account is a user Keycloak makes and removes with
	// the client; its role mappings and groups can still be declared.
	builtIn: func(_, key string) bool { return strings.HasPrefix(key, "service-account-") },
	check:   checkUser,
}

// checkUser: with the email as username every user needs one, and no user
// lists the default role, which every user has.
func checkUser(r *Realm, e *Entity) []Problem {
	var out []Problem
	if on, _ := r.EmailAsUsername(); on && !e.Kind.BuiltIn(r.Name, e.Key) {
		if _, ok := e.Fields["email"]; !ok {
			out = append(out, Problem{Message: "no email, and the realm sets registrationEmailAsUsername, so Keycloak makes the email the username"})
		}
	}
	if refs, err := realmRoleNames(e.Fields["realmRoles"]); err == nil {
		for _, ref := range refs {
			if ref.Key == DefaultRoleName(r.Name) {
				out = append(out, Problem{Field: "realmRoles", Message: "every user has the realm's default role; manage what it grants through the composites of " + ref.Key})
			}
		}
	}
	return out
}

// checkScopeProtocols: a client's scope lists name scopes of its own
// protocol; Keycloak drops the others silently.
func checkScopeProtocols(r *Realm, c *Entity) []Problem {
	var out []Problem
	for _, field := range []string{"defaultClientScopes", "optionalClientScopes"} {
		refs, err := scopeNames(c.Fields[field])
		if err != nil {
			continue
		}
		for _, ref := range refs {
			if want, got := ClientProtocol(c), ScopeProtocol(r, ref.Key); got != "" && got != want {
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("client scope %q is a %s scope and the client's protocol is %s; Keycloak would drop it silently", ref.Key, got, want)})
			}
		}
	}
	return out
}

// perRef describes a relation managed one reference at a time, with a
// single scope (the whole list is authoritative).
func perRef(field string, refs func(any) ([]Ref, error), path string) Relation {
	return Relation{Field: field, Refs: refs, PerRef: true,
		Scopes: func(any) map[string]bool { return map[string]bool{"": true} },
		Path:   func(Ref) string { return path }}
}

func defaultedOnCreate(r Relation) Relation { r.DefaultedOnCreate = true; return r }

// scopeNames decodes a list of client scope names.
func scopeNames(v any) ([]Ref, error) {
	names, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(names))
	for _, n := range names {
		refs = append(refs, Ref{Kind: KindClientScope, Key: n})
	}
	return refs, nil
}

// federatedIdentityKind links a user to an account at an identity
// provider (the provider itself must exist). Keycloak cannot change a
// link: a change removes and adds it again.
var federatedIdentityKind = &Kind{
	Name: KindFederatedID, Title: "federated identity", Plural: "federatedIdentities",
	Representation: "FederatedIdentityRepresentation", KeyField: "identityProvider",
	Parent: KindUser, ParentField: "federatedIdentities", Immutable: true,
	Endpoints: Endpoints{
		Create: "{realm}/users/{parent}/federated-identity/{name}",
		Item:   "{realm}/users/{parent}/federated-identity/{name}",
	},
}

func init() { kinds = append(kinds, userProfileKind, usersKind, federatedIdentityKind) }

// groupPaths decodes a list of group paths.
func groupPaths(v any) ([]Ref, error) {
	paths, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(paths))
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		refs = append(refs, Ref{Kind: KindGroup, Key: p})
	}
	return refs, nil
}

var compositesRelation = Relation{
	Field: "composites",
	Refs:  compositeRefs,
	Scopes: func(v any) map[string]bool {
		m, _ := v.(map[string]any)
		scopes := map[string]bool{}
		if _, ok := m["realm"]; ok {
			scopes["realm"] = true
		}
		for s := range clientScopes(m["client"]) {
			scopes[s] = true
		}
		return scopes
	},
	Path: func(Ref) string { return "{owner}/composites" },
}

// Kinds returns the kind table in apply order.
func Kinds() []*Kind { return kinds }

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

var kindIndex = map[string]int{}

// The index is built after every row is in the table: the init that
// appends the last rows comes earlier in this file, so it runs first.
func init() {
	for i, k := range kinds {
		kindIndex[k.Name] = i
	}
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

// Built-in objects of every realm (Keycloak 24–26). Lists, not a baseline
// read, so that validate and plan work offline and never risk a delete.
var (
	builtInClientNames  = []string{"account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console"}
	builtInClientScopes = []string{
		"AuthnContextClassRef", "acr", "address", "basic", "email", "microprofile-jwt", "offline_access", "organization",
		"phone", "profile", "role_list", "roles", "saml_organization", "service_account", "web-origins",
	}
	builtInClientRoles = map[string][]string{
		"account": {"delete-account", "manage-account", "manage-account-links", "manage-consent",
			"view-applications", "view-consent", "view-groups", "view-profile"},
		"broker": {"read-token"},
		"realm-management": {"create-client", "impersonation", "manage-authorization", "manage-clients",
			"manage-events", "manage-identity-providers", "manage-realm", "manage-users",
			"query-clients", "query-groups", "query-realms", "query-users", "realm-admin",
			"view-authorization", "view-clients", "view-events", "view-identity-providers",
			"view-realm", "view-users"},
	}
)

// ScopeProtocol is the protocol of a client scope the desired state
// declares or every realm has ("" when unknown). Keycloak silently drops
// a scope of another protocol from a client's scope lists.
func ScopeProtocol(r *Realm, scope string) string {
	if e := r.Get(KindClientScope, scope); e != nil {
		if p, ok := e.Fields["protocol"].(string); ok {
			return p
		}
		return ""
	}
	switch scope {
	case "role_list", "saml_organization", "AuthnContextClassRef":
		return "saml"
	}
	if contains(builtInClientScopes, scope) {
		return "openid-connect"
	}
	return ""
}

// ClientProtocol is a client's protocol (Keycloak's default: openid-connect).
func ClientProtocol(c *Entity) string {
	if p, ok := c.Fields["protocol"].(string); ok && p != "" {
		return p
	}
	return "openid-connect"
}

// Protocols Keycloak knows: client scopes are OpenID Connect or SAML;
// clients and mappers may also speak the Docker registry protocol (when
// that feature is on).
var (
	scopeProtocols  = []string{"openid-connect", "saml"}
	clientProtocols = []string{"docker-v2", "openid-connect", "saml"}
)

// FlowBindings are the realm fields that name an authentication flow by
// alias.
var FlowBindings = []string{"browserFlow", "registrationFlow", "directGrantFlow", "resetCredentialsFlow",
	"clientAuthenticationFlow", "dockerAuthenticationFlow", "firstBrokerLoginFlow"}

// BuiltInFlows are the top-level flows Keycloak 24–26 make in a new realm.
var BuiltInFlows = []string{"browser", "clients", "direct grant", "docker auth", "first broker login", "registration", "reset credentials"}

// AdminClient reports the clients that hold a realm's admin roles:
// realm-management, and in master one <realm>-realm client per realm.
// Keycloak answers 403 to every change of them, their roles and mappers,
// even one that sends what they already hold.
func AdminClient(realm, clientID string) bool {
	return clientID == "realm-management" || (realm == "master" && strings.HasSuffix(clientID, "-realm"))
}

func builtInClient(realm, clientID string) bool {
	if contains(builtInClientNames, clientID) {
		return true
	}
	// The master realm holds one admin client per realm.
	return realm == "master" && strings.HasSuffix(clientID, "-realm")
}

// DefaultRoleName is the name of the role every user of a realm has.
// Keycloak lower-cases the realm's name in it.
func DefaultRoleName(realm string) string { return "default-roles-" + strings.ToLower(realm) }

// MisspeltDefaultRole reports a role name that looks like the realm's
// default role but is not it (files written for a mixed-case realm name
// say default-roles-MyRealm; Keycloak's role is default-roles-myrealm).
func MisspeltDefaultRole(realm, name string) bool {
	return name != DefaultRoleName(realm) && strings.EqualFold(name, DefaultRoleName(realm))
}

func builtInRealmRole(realm, name string) bool {
	switch name {
	case "offline_access", "uma_authorization", DefaultRoleName(realm):
		return true
	case "admin", "create-realm":
		return realm == "master"
	}
	return false
}

// KnownBuiltInRole reports whether a role reference names a role every
// realm has, so that validation accepts references to it offline.
func KnownBuiltInRole(realm string, ref Ref) bool {
	switch ref.Kind {
	case KindRealmRole:
		return builtInRealmRole(realm, ref.Key)
	case KindClientRole:
		return contains(builtInClientRoles[ParentKey(ref.Key)], childName(ref.Key))
	}
	return false
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

// RefScope is the part of a relation a reference belongs to: "realm" for
// realm roles, "client:<clientId>" for a client's roles, "" for references
// to other kinds (their relations are one part).
func RefScope(r Ref) string {
	switch r.Kind {
	case KindClientRole:
		return "client:" + ParentKey(r.Key)
	case KindRealmRole:
		return "realm"
	}
	return ""
}

func realmScope(any) map[string]bool { return map[string]bool{"realm": true} }

// clientScopes names the clients a {clientId: [roles]} map writes down.
func clientScopes(v any) map[string]bool {
	m, _ := v.(map[string]any)
	scopes := map[string]bool{}
	for client := range m {
		scopes["client:"+client] = true
	}
	return scopes
}

// compositeRefs decodes a role's composites: {realm: [names], client: {clientId: [names]}}.
func compositeRefs(v any) ([]Ref, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want an object with \"realm\" and \"client\" lists")
	}
	var refs []Ref
	for _, k := range SortedKeys(m) {
		switch k {
		case "realm":
			r, err := realmRoleNames(m[k])
			if err != nil {
				return nil, fmt.Errorf("realm: %w", err)
			}
			refs = append(refs, r...)
		case "client":
			r, err := clientRoleNames(m[k])
			if err != nil {
				return nil, fmt.Errorf("client: %w", err)
			}
			refs = append(refs, r...)
		default:
			return nil, fmt.Errorf("unknown field %q (want \"realm\" or \"client\")", k)
		}
	}
	return refs, nil
}

// realmRoleNames decodes a list of realm role names.
func realmRoleNames(v any) ([]Ref, error) {
	names, err := stringList(v)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(names))
	for _, n := range names {
		refs = append(refs, Ref{Kind: KindRealmRole, Key: n})
	}
	return refs, nil
}

// clientRoleNames decodes {clientId: [role names]}.
func clientRoleNames(v any) ([]Ref, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a map of client id to role names")
	}
	var refs []Ref
	for _, client := range SortedKeys(m) {
		names, err := stringList(m[client])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", client, err)
		}
		for _, n := range names {
			refs = append(refs, Ref{Kind: KindClientRole, Key: ChildKey(client, n)})
		}
	}
	return refs, nil
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of names")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("want a list of names, found %v", x)
		}
		out = append(out, s)
	}
	return out, nil
}
