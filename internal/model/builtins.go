package model

// Built-in objects every realm has (Keycloak 24–26), and the names
// Keycloak derives from a realm's.

import (
	"strings"
)

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
			"view-realm", "view-users",
			// Keycloak 26, made with the realm's organizations.
			"manage-organizations", "query-organizations", "view-organizations"},
	}
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

// smtpKeys are the keys of a realm's smtpServer that Keycloak 24–26 read.
var smtpKeys = []string{"allowutf8", "auth", "authTokenClientId", "authTokenClientSecret", "authTokenScope", "authTokenUrl",
	"authType", "connectionTimeout", "debug", "envelopeFrom", "from", "fromDisplayName", "host", "password", "port",
	"replyTo", "replyToDisplayName", "ssl", "starttls", "timeout", "user"}

// serviceAccountMapper reports the mappers Keycloak 24 and 25 add to a
// client when its service account is enabled (26 puts them in the
// service_account client scope instead): Keycloak's, never realmsync's to
// create or delete.
func serviceAccountMapper(name string) bool {
	return name == "Client Host" || name == "Client ID" || name == "Client IP Address"
}
