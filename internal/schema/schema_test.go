package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/schema/internal/refdoc"
)

// seedPath is the Admin REST API reference fields.go is generated from,
// relative to this package's directory.
const seedPath = "../../../shared/seeds/001_deec6799c3a1605e.txt"

func TestGeneratedFileUpToDate(t *testing.T) {
	text, err := os.ReadFile(seedPath)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent", seedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := refdoc.Generate(text, filepath.Base(seedPath))
	if err != nil {
		t.Fatal(err)
	}
	// Round-trip through a file, as go generate would.
	tmp := filepath.Join(t.TempDir(), "fields.go")
	if err := os.WriteFile(tmp, want, 0o644); err != nil {
		t.Fatal(err)
	}
	regenerated, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("fields.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, regenerated) {
		t.Errorf("fields.go is stale: run go generate ./internal/schema")
	}
	// Generating twice gives the same bytes.
	again, err := refdoc.Generate(text, filepath.Base(seedPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("generation is not deterministic")
	}
}

func TestFieldsIncludes(t *testing.T) {
	tests := []struct {
		rep  string
		want []string
	}{
		{"RealmRepresentation", []string{
			"realm", "enabled", "displayName", "displayNameHtml", "clients", "roles", "groups",
			"clientScopes", "users", "attributes", "smtpServer", "defaultRole", "defaultGroups",
			"defaultDefaultClientScopes", "defaultOptionalClientScopes", "identityProviders",
			"authenticationFlows", "requiredActions", "components", "browserFlow",
			"clientPolicies", "clientProfiles", "passwordPolicy", "sslRequired",
			// extras
			"organizationsEnabled", "verifiableCredentialsEnabled", "adminPermissionsEnabled",
			"firstBrokerLoginFlow", "maxTemporaryLockouts", "localizationTexts",
		}},
		{"ClientRepresentation", []string{
			"clientId", "name", "description", "redirectUris", "webOrigins", "protocolMappers",
			"attributes", "secret", "publicClient", "bearerOnly", "serviceAccountsEnabled",
			"standardFlowEnabled", "directAccessGrantsEnabled", "authorizationServicesEnabled",
			"authorizationSettings", "defaultClientScopes", "optionalClientScopes",
			"authenticationFlowBindingOverrides", "rootUrl", "baseUrl", "adminUrl", "protocol",
			"fullScopeAllowed", "alwaysDisplayInConsole", "clientAuthenticatorType",
		}},
		{"ClientScopeRepresentation", []string{
			"id", "name", "description", "protocol", "attributes", "protocolMappers",
		}},
		{"ProtocolMapperRepresentation", []string{
			"id", "name", "protocol", "protocolMapper", "config", "consentRequired",
		}},
		{"RoleRepresentation", []string{
			"id", "name", "description", "composite", "composites", "clientRole", "containerId", "attributes",
		}},
		{"RolesRepresentation", []string{"realm", "client"}},
		{"GroupRepresentation", []string{
			"id", "name", "path", "subGroups", "attributes", "realmRoles", "clientRoles", "access",
			"subGroupCount", "description", "parentId",
		}},
		{"UserRepresentation", []string{
			"username", "email", "firstName", "lastName", "enabled", "emailVerified", "attributes",
			"credentials", "requiredActions", "groups", "realmRoles", "clientRoles", "userProfileMetadata",
		}},
		{"ResourceRepresentation", []string{"_id", "name", "uris", "scopes", "owner", "icon_uri"}},
		{"UserProfileMetadata", []string{"attributes", "groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.rep, func(t *testing.T) {
			fields, ok := Fields(tt.rep)
			if !ok {
				t.Fatalf("Fields(%q): unknown representation", tt.rep)
			}
			names := make([]string, len(fields))
			for i, f := range fields {
				names[i] = f.Name
				if f.Type == "" {
					t.Errorf("%s.%s has no type", tt.rep, f.Name)
				}
			}
			if !slices.IsSorted(names) {
				t.Errorf("Fields(%q) not sorted: %v", tt.rep, names)
			}
			if c := slices.Compact(slices.Clone(names)); len(c) != len(names) {
				t.Errorf("Fields(%q) has duplicates: %v", tt.rep, names)
			}
			for _, w := range tt.want {
				if !slices.Contains(names, w) {
					t.Errorf("Fields(%q) lacks %q", tt.rep, w)
				}
				if !HasField(tt.rep, w) {
					t.Errorf("HasField(%q, %q) = false", tt.rep, w)
				}
			}
		})
	}
}

func TestFieldsExact(t *testing.T) {
	tests := []struct {
		rep  string
		want []Field
	}{
		{"RolesRepresentation", []Field{
			{"application", "Map of [array]"},
			{"client", "Map of [array]"},
			{"realm", "List of RoleRepresentation"},
		}},
		{"RoleRepresentation", []Field{
			{"attributes", "Map of [array]"},
			{"clientRole", "Boolean"},
			{"composite", "Boolean"},
			{"composites", "Composites"},
			{"containerId", "String"},
			{"description", "String"},
			{"id", "String"},
			{"name", "String"},
			{"scopeParamRequired", "Boolean"},
		}},
		{"ProtocolMapperRepresentation", []Field{
			{"config", "Map of [string]"},
			{"consentRequired", "Boolean"},
			{"consentText", "String"},
			{"id", "String"},
			{"name", "String"},
			{"protocol", "String"},
			{"protocolMapper", "String"},
		}},
		{"ClientScopeRepresentation", []Field{
			{"attributes", "Map of [string]"},
			{"description", "String"},
			{"id", "String"},
			{"name", "String"},
			{"protocol", "String"},
			{"protocolMappers", "List of ProtocolMapperRepresentation"},
		}},
	}
	for _, tt := range tests {
		got, ok := Fields(tt.rep)
		if !ok || !slices.Equal(got, tt.want) {
			t.Errorf("Fields(%q) = %v, %v; want %v", tt.rep, got, ok, tt.want)
		}
	}
}

func TestFieldTypes(t *testing.T) {
	tests := []struct{ rep, field, typ string }{
		{"RealmRepresentation", "realm", "String"},
		{"RealmRepresentation", "enabled", "Boolean"},
		{"RealmRepresentation", "accessTokenLifespan", "Integer"},
		{"RealmRepresentation", "eventsExpiration", "Long"},
		{"RealmRepresentation", "smtpServer", "Map of [string]"},
		{"RealmRepresentation", "attributes", "Map of [string]"},
		{"RealmRepresentation", "roles", "RolesRepresentation"},
		{"RealmRepresentation", "defaultRole", "RoleRepresentation"},
		{"RealmRepresentation", "supportedLocales", "Set of [string]"},
		{"RealmRepresentation", "clientPolicies", "ClientPoliciesRepresentation"}, // fixed from "List"
		{"ClientRepresentation", "redirectUris", "List of [string]"},
		{"ClientRepresentation", "attributes", "Map of [string]"},
		{"ClientRepresentation", "protocolMappers", "List of ProtocolMapperRepresentation"},
		{"GroupRepresentation", "attributes", "Map of [array]"},
		{"GroupRepresentation", "subGroups", "List of GroupRepresentation"},
		{"GroupRepresentation", "clientRoles", "Map of [array]"},
		{"ResourceRepresentation", "owner", "ResourceRepresentationOwner"}, // was ResourceRepresentation_owner
	}
	for _, tt := range tests {
		fields, _ := Fields(tt.rep)
		i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == tt.field })
		if i < 0 {
			t.Errorf("%s.%s missing", tt.rep, tt.field)
			continue
		}
		if got := fields[i].Type; got != tt.typ {
			t.Errorf("%s.%s type = %q, want %q", tt.rep, tt.field, got, tt.typ)
		}
	}
}

func TestHasField(t *testing.T) {
	tests := []struct {
		rep, field string
		want       bool
	}{
		{"ClientRepresentation", "clientId", true},
		{"ClientRepresentation", "clientID", false}, // case-sensitive
		{"ClientRepresentation", "redirectUri", false},
		{"ClientRepresentation", "", false},
		{"RealmRepresentation", "realm", true},
		{"RealmRepresentation", "organizationsEnabled", true},
		{"RealmRepresentation", "clientId", false},
		{"GroupRepresentation", "subGroupCount", true},
		{"RoleRepresentation", "composites", true},
		{"NoSuchRepresentation", "id", false},
		{"DecisionStrategy", "name", false},
	}
	for _, tt := range tests {
		if got := HasField(tt.rep, tt.field); got != tt.want {
			t.Errorf("HasField(%q, %q) = %v, want %v", tt.rep, tt.field, got, tt.want)
		}
	}
}

func TestFieldsUnknown(t *testing.T) {
	if f, ok := Fields("NoSuchRepresentation"); ok || f != nil {
		t.Errorf("Fields(unknown) = %v, %v", f, ok)
	}
	if f, ok := Fields("DecisionStrategy"); !ok || len(f) != 0 {
		t.Errorf("Fields(DecisionStrategy) = %v, %v; want no fields, known", f, ok)
	}
}

func TestFieldsReturnsCopy(t *testing.T) {
	f, _ := Fields("RolesRepresentation")
	f[0].Name = "changed"
	if !HasField("RolesRepresentation", "application") {
		t.Fatal("mutating the result of Fields changed the table")
	}
}

func TestElementType(t *testing.T) {
	tests := []struct {
		rep, field string
		want       string
		ok         bool
	}{
		{"ClientRepresentation", "protocolMappers", "ProtocolMapperRepresentation", true},
		{"ClientRepresentation", "authorizationSettings", "ResourceServerRepresentation", true},
		{"ClientScopeRepresentation", "protocolMappers", "ProtocolMapperRepresentation", true},
		{"RealmRepresentation", "clients", "ClientRepresentation", true},
		{"RealmRepresentation", "clientScopes", "ClientScopeRepresentation", true},
		{"RealmRepresentation", "groups", "GroupRepresentation", true},
		{"RealmRepresentation", "users", "UserRepresentation", true},
		{"RealmRepresentation", "roles", "RolesRepresentation", true},
		{"RealmRepresentation", "defaultRole", "RoleRepresentation", true},
		{"RealmRepresentation", "clientPolicies", "ClientPoliciesRepresentation", true},
		{"RealmRepresentation", "organizations", "OrganizationRepresentation", true},
		{"RolesRepresentation", "realm", "RoleRepresentation", true},
		{"GroupRepresentation", "subGroups", "GroupRepresentation", true},
		{"RoleRepresentation", "composites", "Composites", true},
		{"UserRepresentation", "userProfileMetadata", "UserProfileMetadata", true},
		{"ResourceRepresentation", "owner", "ResourceRepresentationOwner", true},
		{"ResourceRepresentation", "scopes", "ScopeRepresentation", true}, // Set of
		// scalars, maps, lists of scalars, enums, unknowns
		{"ClientRepresentation", "clientId", "", false},
		{"ClientRepresentation", "publicClient", "", false},
		{"ClientRepresentation", "redirectUris", "", false},
		{"ClientRepresentation", "attributes", "", false},
		{"RealmRepresentation", "smtpServer", "", false},
		{"RealmRepresentation", "components", "", false},
		{"RolesRepresentation", "client", "", false},
		{"MappingsRepresentation", "clientMappings", "", false}, // Map of ClientMappingsRepresentation
		{"PolicyRepresentation", "decisionStrategy", "", false}, // enum
		{"OrganizationRepresentation", "members", "", false},    // MemberRepresentation unknown
		{"ClientRepresentation", "nope", "", false},
		{"NoSuchRepresentation", "id", "", false},
	}
	for _, tt := range tests {
		got, ok := ElementType(tt.rep, tt.field)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ElementType(%q, %q) = %q, %v; want %q, %v", tt.rep, tt.field, got, ok, tt.want, tt.ok)
		}
	}
}

// Every representation a field refers to is known, apart from the few
// listed here; enums are exactly the field-less entries.
func TestTableConsistency(t *testing.T) {
	unknownOK := map[string]bool{"MemberRepresentation": true}
	for rep, fields := range representations {
		if len(fields) == 0 && !enumTypes[rep] {
			t.Errorf("%s has no fields and is not an enum: add it to extraFields", rep)
		}
		if len(fields) > 0 && enumTypes[rep] {
			t.Errorf("enum %s has fields", rep)
		}
		for _, f := range fields {
			_, elem := splitCollection(f.Type)
			if strings.HasPrefix(elem, "[") || strings.HasPrefix(elem, "Map") {
				continue
			}
			switch elem {
			case "String", "Boolean", "Integer", "Long", "Object", "List":
				continue
			}
			if _, ok := representations[elem]; !ok && !unknownOK[elem] {
				t.Errorf("%s.%s: type %q names no known representation", rep, f.Name, f.Type)
			}
		}
	}
	for rep := range enumTypes {
		if _, ok := representationFields[rep]; !ok {
			t.Errorf("enum %s is not in the reference", rep)
		}
	}
}

// extraFields must only add: a field the reference already has belongs to
// the generated table, and typeFixes must point at existing fields.
func TestExtrasDoNotDuplicate(t *testing.T) {
	for rep, fields := range extraFields {
		seen := map[string]bool{}
		for _, f := range fields {
			if seen[f.Name] {
				t.Errorf("extraFields[%s] lists %s twice", rep, f.Name)
			}
			seen[f.Name] = true
			for _, g := range representationFields[rep] {
				if g.Name == f.Name {
					t.Errorf("extraFields[%s].%s is already generated", rep, f.Name)
				}
			}
		}
	}
	for rep, fixes := range typeFixes {
		for field := range fixes {
			if !slices.ContainsFunc(representationFields[rep], func(f Field) bool { return f.Name == field }) {
				t.Errorf("typeFixes[%s].%s: no such generated field", rep, field)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	clientFields := names(t, "ClientRepresentation")
	realmFields := names(t, "RealmRepresentation")
	tests := []struct {
		unknown    string
		candidates []string
		want       string
	}{
		{"redirectUri", clientFields, "redirectUris"},
		{"clientID", clientFields, "clientId"},
		{"CLIENTID", clientFields, "clientId"},
		{"publicClinet", clientFields, "publicClient"},
		{"webOrigin", clientFields, "webOrigins"},
		{"protocolMapper", clientFields, "protocolMappers"},
		{"zzzz", clientFields, ""},
		{"displayname", realmFields, "displayName"},
		{"smtpServers", realmFields, "smtpServer"},
		{"clientScope", realmFields, "clientScopes"},
		{"loginTheem", realmFields, "loginTheme"},
		{"", clientFields, ""},
		{"xy", []string{"id"}, ""}, // a complete rewrite is no suggestion
		{"x", []string{"id"}, ""},
		{"ID", []string{"id"}, "id"}, // case alone always matches
		{"abcd", nil, ""},
		// ties break alphabetically, whatever the order of candidates
		{"cat", []string{"cbt", "cas", "bat"}, "bat"},
		{"cat", []string{"bat", "cas", "cbt"}, "bat"},
		// the closer candidate wins over the alphabetically first
		{"roles", []string{"rolls", "role"}, "role"},
		// limit grows with length: 12 runes allow 4 edits
		{"abcdefghijkl", []string{"abcdefghWXYZ"}, "abcdefghWXYZ"},
		{"abcdefghijkl", []string{"abcdefgVWXYZ"}, ""},
		// non-ASCII counts characters, not bytes
		{"grüße", []string{"grüsse"}, "grüsse"},
	}
	for _, tt := range tests {
		if got := Suggest(tt.unknown, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.unknown, got, tt.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"publicclinet", "publicclient", 2},
	}
	for _, tt := range tests {
		if got := levenshtein([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func names(t *testing.T, rep string) []string {
	t.Helper()
	fields, ok := Fields(rep)
	if !ok {
		t.Fatalf("unknown representation %s", rep)
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}
