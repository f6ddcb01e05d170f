package schema

// The flat shapes of user federation (realmsync's own, not Keycloak
// representations): a provider's and a mapper's settings are the keys of
// the component's config, written as named, typed fields. The names are
// Keycloak's own config keys, the ones the admin console and a realm
// export use, so documentation and exports read the same. Types are what
// the values mean (Keycloak sends every one as a list of strings).

// FederationProvider is a user storage provider (LDAP, Kerberos).
const FederationProvider = "UserFederationProvider"

// FederationMapper is an LDAP mapper.
const FederationMapper = "UserFederationMapper"

var federationProviderFields = []Field{
	{Name: "name", Type: "String"},
	{Name: "providerId", Type: "String"}, // ldap | kerberos
	{Name: "id", Type: "String"},
	{Name: "parentId", Type: "String"},
	{Name: "providerType", Type: "String"},
	{Name: "mappers", Type: "List of " + FederationMapper},
	// Keys no field below names, as Keycloak stores them.
	{Name: "config", Type: "Map of [array]"},

	{Name: "enabled", Type: "Boolean"},
	{Name: "priority", Type: "Integer"},
	{Name: "importEnabled", Type: "Boolean"},
	{Name: "syncRegistrations", Type: "Boolean"},
	{Name: "editMode", Type: "String"},
	{Name: "vendor", Type: "String"},
	{Name: "usernameLDAPAttribute", Type: "String"},
	{Name: "rdnLDAPAttribute", Type: "String"},
	{Name: "uuidLDAPAttribute", Type: "String"},
	{Name: "userObjectClasses", Type: "String"},
	{Name: "connectionUrl", Type: "String"},
	{Name: "usersDn", Type: "String"},
	{Name: "customUserSearchFilter", Type: "String"},
	{Name: "searchScope", Type: "Integer"},
	{Name: "authType", Type: "String"},
	{Name: "bindDn", Type: "String"},
	{Name: "bindCredential", Type: "String"},
	{Name: "startTls", Type: "Boolean"},
	{Name: "useTruststoreSpi", Type: "String"},
	{Name: "connectionPooling", Type: "Boolean"},
	{Name: "connectionTimeout", Type: "Integer"},
	{Name: "readTimeout", Type: "Integer"},
	{Name: "pagination", Type: "Boolean"},
	{Name: "referral", Type: "String"},
	{Name: "connectionPoolingAuthentication", Type: "String"},
	{Name: "connectionPoolingDebug", Type: "String"},
	{Name: "connectionPoolingInitSize", Type: "String"},
	{Name: "connectionPoolingMaxSize", Type: "String"},
	{Name: "connectionPoolingPrefSize", Type: "String"},
	{Name: "connectionPoolingProtocol", Type: "String"},
	{Name: "connectionPoolingTimeout", Type: "String"},
	{Name: "usePasswordModifyExtendedOp", Type: "Boolean"},
	{Name: "validatePasswordPolicy", Type: "Boolean"},
	{Name: "trustEmail", Type: "Boolean"},
	{Name: "allowKerberosAuthentication", Type: "Boolean"},
	{Name: "useKerberosForPasswordAuthentication", Type: "Boolean"},
	{Name: "kerberosRealm", Type: "String"},
	{Name: "serverPrincipal", Type: "String"},
	{Name: "keyTab", Type: "String"},
	{Name: "krbPrincipalAttribute", Type: "String"},
	{Name: "debug", Type: "Boolean"},
	{Name: "allowPasswordAuthentication", Type: "Boolean"}, // kerberos
	{Name: "updateProfileFirstLogin", Type: "Boolean"},     // kerberos
	{Name: "batchSizeForSync", Type: "Integer"},
	{Name: "fullSyncPeriod", Type: "Integer"},    // seconds, -1: off
	{Name: "changedSyncPeriod", Type: "Integer"}, // seconds, -1: off
	{Name: "cachePolicy", Type: "String"},
	{Name: "evictionDay", Type: "Integer"},
	{Name: "evictionHour", Type: "Integer"},
	{Name: "evictionMinute", Type: "Integer"},
	{Name: "maxLifespan", Type: "Integer"}, // milliseconds
	{Name: "lastSync", Type: "Integer"},    // written by Keycloak: server-managed
	{Name: "cacheInvalidBefore", Type: "Integer"},
}

var federationMapperFields = []Field{
	{Name: "name", Type: "String"},
	{Name: "providerId", Type: "String"},
	{Name: "id", Type: "String"},
	{Name: "parentId", Type: "String"},
	{Name: "providerType", Type: "String"},
	{Name: "config", Type: "Map of [array]"},

	// user-attribute-ldap-mapper
	{Name: "user.model.attribute", Type: "String"},
	{Name: "ldap.attribute", Type: "String"},
	{Name: "read.only", Type: "Boolean"},
	{Name: "always.read.value.from.ldap", Type: "Boolean"},
	{Name: "is.mandatory.in.ldap", Type: "Boolean"},
	{Name: "is.binary.attribute", Type: "Boolean"},
	{Name: "attribute.default.value", Type: "String"},
	{Name: "attribute.force.default", Type: "Boolean"},
	// full-name-ldap-mapper
	{Name: "ldap.full.name.attribute", Type: "String"},
	{Name: "write.only", Type: "Boolean"},
	// group-ldap-mapper and role-ldap-mapper
	{Name: "groups.dn", Type: "String"},
	{Name: "group.name.ldap.attribute", Type: "String"},
	{Name: "group.object.classes", Type: "String"},
	{Name: "groups.ldap.filter", Type: "String"},
	{Name: "groups.path", Type: "String"},
	{Name: "preserve.group.inheritance", Type: "Boolean"},
	{Name: "ignore.missing.groups", Type: "Boolean"},
	{Name: "mapped.group.attributes", Type: "String"},
	{Name: "drop.non.existing.groups.during.sync", Type: "Boolean"},
	{Name: "roles.dn", Type: "String"},
	{Name: "role.name.ldap.attribute", Type: "String"},
	{Name: "role.object.classes", Type: "String"},
	{Name: "roles.ldap.filter", Type: "String"},
	{Name: "use.realm.roles.mapping", Type: "Boolean"},
	{Name: "client.id", Type: "String"},
	{Name: "membership.ldap.attribute", Type: "String"},
	{Name: "membership.attribute.type", Type: "String"},
	{Name: "membership.user.ldap.attribute", Type: "String"},
	{Name: "memberof.ldap.attribute", Type: "String"},
	{Name: "mode", Type: "String"},
	{Name: "user.roles.retrieve.strategy", Type: "String"},
	// hardcoded-*-mapper
	{Name: "ldap.attribute.name", Type: "String"},
	{Name: "ldap.attribute.value", Type: "String"},
	{Name: "attribute.value", Type: "String"},
	{Name: "role", Type: "String"},
	{Name: "group", Type: "String"},
	// certificate-ldap-mapper, msad-user-account-control-mapper
	{Name: "is.der.formatted", Type: "Boolean"},
	{Name: "ldap.password.policy.hints.enabled", Type: "Boolean"},
	{Name: "always.read.enabled.value.from.ldap", Type: "Boolean"},
}
