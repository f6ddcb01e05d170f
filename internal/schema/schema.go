// Package schema knows which fields each Keycloak representation has, so that
// the loader can report unknown fields in realm files, with a suggestion.
//
// The field lists come from the Definitions section of the Keycloak Admin
// REST API reference (fields.go, generated), completed by hand-written
// extraFields for what Keycloak 26.x sends but the reference predates, and
// by typeFixes for types the reference gets wrong.
package schema

//go:generate go run ./gen -o fields.go ../../../shared/seeds/001_deec6799c3a1605e.txt

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one field of a representation: its JSON name and the reference's
// type text, such as "String", "Boolean", "List of [string]",
// "Map of [string]", "ProtocolMapperRepresentation" or
// "List of ProtocolMapperRepresentation".
type Field struct {
	Name string
	Type string
}

// extraFields are fields that Keycloak 26.x reads and returns but the
// reference in fields.go lacks, per representation (which may itself be
// missing from the reference). Types use the reference's vocabulary. Add to
// this list when a live server shows more; a test fails if an entry
// duplicates a generated field.
var extraFields = map[string][]Field{
	// realmsync's flat user federation (federation.go).
	FederationProvider: federationProviderFields,
	FederationMapper:   federationMapperFields,
	"ComponentExportRepresentation": {
		{Name: "parentId", Type: "String"},
		{Name: "providerType", Type: "String"}, // the map key, as a field once read
	},
	// The group-management extension's parts, as realm files write them
	// (not Keycloak representations: ../shared/notes/group-management-extension.md).
	"GroupManagementConfiguration": {
		{Name: "expirationNotificationPeriod", Type: "Integer"}, // days
		{Name: "invitationExpirationPeriod", Type: "Integer"},   // hours
	},
	"GroupManagementMemberUserAttribute": {
		{Name: "authority", Type: "String"},
		{Name: "id", Type: "String"},
		{Name: "signatureMessage", Type: "String"},
		{Name: "urnNamespace", Type: "String"},
		{Name: "userAttribute", Type: "String"},
	},
	"GroupManagementConfigurationRule": {
		{Name: "defaultValue", Type: "String"},
		{Name: "field", Type: "String"},
		{Name: "id", Type: "String"},
		{Name: "max", Type: "String"},
		{Name: "required", Type: "Boolean"},
		{Name: "type", Type: "String"},
	},
	// One locale of a realm's localizationTexts, as realmsync holds it
	// (model/localization.go): the map key and the map value.
	"RealmLocalizationTexts": {
		{Name: "locale", Type: "String"},
		{Name: "texts", Type: "Map of [string]"},
	},
	"RealmRepresentation": {
		{Name: "adminPermissionsEnabled", Type: "Boolean"},  // 26.2, fine-grained admin permissions v2
		{Name: "bruteForceStrategy", Type: "String"},        // enum LINEAR | MULTIPLE
		{Name: "firstBrokerLoginFlow", Type: "String"},      // 24, realm-level binding
		{Name: "localizationTexts", Type: "Map of [map]"},   // locale -> key -> text
		{Name: "maxTemporaryLockouts", Type: "Integer"},     // 24
		{Name: "maxSecondaryAuthFailures", Type: "Integer"}, // 26.x, brute force of second factors
		{Name: "webAuthnPolicyResidentKey", Type: "String"}, // 26.x, beside webAuthnPolicyRequireResidentKey
		{Name: "webAuthnPolicyPasswordlessResidentKey", Type: "String"},
		{Name: "organizations", Type: "List of OrganizationRepresentation"},
		{Name: "organizationsEnabled", Type: "Boolean"},
		{Name: "scimApiEnabled", Type: "Boolean"},
		{Name: "verifiableCredentialsEnabled", Type: "Boolean"}, // OID4VCI
		{Name: "webAuthnPolicyExtraOrigins", Type: "List of [string]"},
		{Name: "webAuthnPolicyPasswordlessExtraOrigins", Type: "List of [string]"},
	},
	"ClientRepresentation": {
		{Name: "type", Type: "String"}, // client types
	},
	"GroupRepresentation": {
		{Name: "description", Type: "String"},
		{Name: "parentId", Type: "String"},
		{Name: "subGroupCount", Type: "Long"},
	},
	"IdentityProviderRepresentation": {
		{Name: "hideOnLogin", Type: "Boolean"}, // was config.hideOnLoginPage
		{Name: "organizationId", Type: "String"},
		{Name: "types", Type: "List of [string]"},
	},
	"OrganizationRepresentation": {
		{Name: "alias", Type: "String"},
		{Name: "attributes", Type: "Map of [array]"},
		{Name: "description", Type: "String"},
		{Name: "domains", Type: "Set of OrganizationDomainRepresentation"},
		{Name: "enabled", Type: "Boolean"},
		{Name: "id", Type: "String"},
		// Aliases, or a realm export's IdentityProviderRepresentations
		// (a list of anything to the checks; model/organizations.go).
		{Name: "identityProviders", Type: "List"},
		{Name: "members", Type: "List of MemberRepresentation"}, // usernames, or a UserRepresentation plus membershipType; not listed here
		{Name: "name", Type: "String"},
		{Name: "redirectUrl", Type: "String"},
	},
	"OrganizationDomainRepresentation": {
		{Name: "name", Type: "String"},
		{Name: "verified", Type: "Boolean"},
	},
	// The declarative user profile's configuration (Keycloak 24+,
	// GET/PUT /users/profile), which the reference does not describe.
	"UPConfig": {
		{Name: "attributes", Type: "List of UPAttribute"},
		{Name: "groups", Type: "List of UPGroup"},
		{Name: "unmanagedAttributePolicy", Type: "String"},
	},
	"UPAttribute": {
		{Name: "annotations", Type: "Map of [object]"},
		{Name: "displayName", Type: "String"},
		{Name: "group", Type: "String"},
		{Name: "multivalued", Type: "Boolean"},
		{Name: "name", Type: "String"},
		{Name: "permissions", Type: "Object"},
		{Name: "required", Type: "Object"},
		{Name: "selector", Type: "Object"},
		{Name: "validations", Type: "Map of [object]"},
	},
	"UPGroup": {
		{Name: "annotations", Type: "Map of [object]"},
		{Name: "displayDescription", Type: "String"},
		{Name: "displayHeader", Type: "String"},
		{Name: "name", Type: "String"},
	},
	// The reference names these three without listing their fields.
	"UserProfileMetadata": {
		{Name: "attributes", Type: "List of UserProfileAttributeMetadata"},
		{Name: "groups", Type: "List of UserProfileAttributeGroupMetadata"},
	},
	"UserProfileAttributeMetadata": {
		{Name: "annotations", Type: "Map of [object]"},
		{Name: "defaultValue", Type: "String"},
		{Name: "displayName", Type: "String"},
		{Name: "group", Type: "String"},
		{Name: "multivalued", Type: "Boolean"},
		{Name: "name", Type: "String"},
		{Name: "readOnly", Type: "Boolean"},
		{Name: "required", Type: "Boolean"},
		{Name: "validators", Type: "Map of [map]"},
	},
	"UserProfileAttributeGroupMetadata": {
		{Name: "annotations", Type: "Map of [object]"},
		{Name: "displayDescription", Type: "String"},
		{Name: "displayHeader", Type: "String"},
		{Name: "name", Type: "String"},
	},
}

// typeFixes replace type texts the reference gets wrong: these fields are
// Jackson JsonNodes, documented as a bare "List", but they are objects on the
// wire ({"profiles": [...]}, {"policies": [...]}, a configuration object).
var typeFixes = map[string]map[string]string{
	"RealmRepresentation": {
		"clientPolicies": "ClientPoliciesRepresentation",
		"clientProfiles": "ClientProfilesRepresentation",
	},
	"ClientPolicyConditionRepresentation": {"configuration": "Object"},
	"ClientPolicyExecutorRepresentation":  {"configuration": "Object"},
}

// enumTypes are the field-less entries of the reference that are Java enums,
// strings on the wire. They are not representations a field can hold.
var enumTypes = map[string]bool{
	"DecisionStrategy":      true,
	"EnforcementMode":       true,
	"KeyUse":                true,
	"Logic":                 true,
	"PolicyEnforcementMode": true,
	"ScopeEnforcementMode":  true,
}

// representations is the merged table: generated fields, extras and fixes,
// each list sorted by name.
var representations = merge(representationFields, extraFields, typeFixes)

func merge(generated, extra map[string][]Field, fixes map[string]map[string]string) map[string][]Field {
	out := make(map[string][]Field, len(generated)+len(extra))
	for name, fields := range generated {
		out[name] = slices.Clone(fields)
	}
	for name, fields := range extra {
		for _, f := range fields {
			if !slices.ContainsFunc(out[name], func(g Field) bool { return g.Name == f.Name }) {
				out[name] = append(out[name], f)
			}
		}
	}
	for name, fields := range out {
		for i := range fields {
			if t, ok := fixes[name][fields[i].Name]; ok {
				fields[i].Type = t
			} else {
				fields[i].Type = normalizeType(fields[i].Type)
			}
		}
		slices.SortFunc(fields, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// normalizeType maps the reference's names for inline objects
// ("ResourceRepresentation_owner") to the names it defines them under
// ("ResourceRepresentationOwner").
func normalizeType(t string) string {
	prefix, name := splitCollection(t)
	if strings.HasPrefix(name, "[") || !strings.Contains(name, "_") {
		return t
	}
	var b strings.Builder
	upper := false
	for _, r := range name {
		switch {
		case r == '_':
			upper = true
		case upper:
			b.WriteRune(unicode.ToUpper(r))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return prefix + b.String()
}

// splitCollection splits "List of X" and "Set of X" into the prefix and X.
func splitCollection(t string) (prefix, elem string) {
	for _, p := range []string{"List of ", "Set of "} {
		if strings.HasPrefix(t, p) {
			return p, strings.TrimPrefix(t, p)
		}
	}
	return "", t
}

// Fields returns the fields of a representation, such as
// "ClientRepresentation", sorted by name, and whether the representation is
// known. The slice is the caller's to keep.
func Fields(representation string) ([]Field, bool) {
	fields, ok := representations[representation]
	return slices.Clone(fields), ok
}

// HasField reports whether representation has a field with this exact
// (case-sensitive) JSON name.
func HasField(representation, field string) bool {
	_, ok := lookup(representation, field)
	return ok
}

func lookup(representation, field string) (Field, bool) {
	fields := representations[representation]
	i, ok := slices.BinarySearchFunc(fields, field, func(f Field, name string) int {
		return strings.Compare(f.Name, name)
	})
	if !ok {
		return Field{}, false
	}
	return fields[i], true
}

// FieldType is the reference's type text of a field ("Boolean").
func FieldType(representation, field string) (string, bool) {
	f, ok := lookup(representation, field)
	return f.Type, ok
}

// ElementType returns the representation a field holds, directly or as a
// list or set of them: ("ClientRepresentation", "protocolMappers") gives
// "ProtocolMapperRepresentation". It reports false for scalars, enums, maps,
// lists of scalars, unknown fields, and representations this package does
// not know (so Fields always succeeds on the result).
func ElementType(representation, field string) (string, bool) {
	f, ok := lookup(representation, field)
	if !ok {
		return "", false
	}
	_, elem := splitCollection(f.Type)
	if enumTypes[elem] {
		return "", false
	}
	if _, known := representations[elem]; !known {
		return "", false
	}
	return elem, true
}

// Suggest returns the candidate closest to unknown by case-insensitive
// Levenshtein distance, or "" when none is close enough. Close enough means a
// distance of at most max(2, len(unknown)/3), counted in characters, and
// less than the length of unknown (so that "xy" does not suggest "id"); a
// candidate differing only in case is always close enough. Ties go to the
// alphabetically first candidate.
func Suggest(unknown string, candidates []string) string {
	n := utf8.RuneCountInString(unknown)
	limit := max(2, n/3)
	u := []rune(strings.ToLower(unknown))
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein(u, []rune(strings.ToLower(c)))
		if d > limit || (d > 0 && d >= n) {
			continue
		}
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
