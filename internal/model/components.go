package model

// Components: Keycloak keeps key providers, client registration policies,
// user storage (LDAP, Kerberos) and their mappers as "components", one
// generic representation whose settings are all lists of strings under
// config. A realm export writes them as a map keyed by provider type
// (components: {<providerType>: [...]}) with sub-components likewise.
//
// Two shapes are kinds here. User federation, the part people edit by
// hand, has a flat shape of its own (userFederation: a list of providers
// with named, typed fields and their mappers, federation.go), compiled to
// the component form on the wire; every other component type is the
// generic component kind, keyed by type, sub-type and name. A realm
// export's user storage components are lifted into the flat shape when a
// document is read (liftComponents), so an export stays valid input and
// desired and live state compare in one shape.

import (
	"encoding/json"
	"sort"
	"strings"
)

// Component provider types realmsync knows by name.
const (
	UserStorageType = "org.keycloak.storage.UserStorageProvider"
	LDAPMapperType  = "org.keycloak.storage.ldap.mappers.LDAPStorageMapper"
	// The declarative user profile is stored as a component; the
	// userProfile kind manages it through its own endpoint.
	UserProfileType = "org.keycloak.userprofile.UserProfileProvider"
	KeyProviderType = "org.keycloak.keys.KeyProvider"
	// ClientRegistrationPolicyType components come in pairs by subType
	// (anonymous, authenticated).
	ClientRegistrationPolicyType = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy"
)

// ComponentsPath is the one collection every component lives in: the
// whole realm's, each naming its parent by id.
const ComponentsPath = "{realm}/components"

// KindComponent is the generic component kind.
const KindComponent = "component"

// builtInComponents are the components every new realm has (Keycloak
// 24–26), by "<type>[/<subType>]:<name>".
var builtInComponents = func() map[string]bool {
	out := map[string]bool{}
	for _, n := range []string{"rsa-generated", "rsa-enc-generated", "hmac-generated-hs512", "hmac-generated", "aes-generated"} {
		out[KeyProviderType+":"+n] = true
	}
	for _, sub := range []string{"anonymous", "authenticated"} {
		for _, n := range []string{"Trusted Hosts", "Consent Required", "Allowed Client Scopes", "Full Scope Disabled",
			"Allowed Registration Web Origins", "Allowed Protocol Mapper Types", "Max Clients Limit"} {
			out[ClientRegistrationPolicyType+"/"+sub+":"+n] = true
		}
	}
	return out
}()

// componentKind is every component type without a kind of its own: key
// providers, client registration policies, and any other a realm export
// lists. Keycloak masks secret settings (a key's private key or secret)
// in what it answers: they are write-only, tracked by digest.
func componentKind() *Kind {
	return &Kind{
		Name: KindComponent, Title: "component", Plural: "components", Representation: "ComponentExportRepresentation",
		KeyField: "name", TypeField: "providerType", SubTypeField: "subType",
		RealmPath: "components",
		Required:  []string{"providerId"},
		ListMaps:  []string{"config"},
		Secrets: []string{"config.privateKey", "config.secret", "config.keystorePassword", "config.keyPassword",
			"config.clientSecret", "config.bindCredential"},
		WriteOnly:     []string{"config.privateKey", "config.secret", "config.keystorePassword", "config.keyPassword"},
		MaskedMaps:    []string{"config"},
		ServerManaged: []string{"id", "parentId"},
		NotManaged:    []string{"subComponents"},
		Endpoints:     Endpoints{Create: ComponentsPath, Item: ComponentsPath + "/{id}", FindQuery: "name"},
		Read:          ReadSpec{Mode: ReadHook, Hook: "components"},
		ExportTo:      "components.yaml",
		builtIn:       func(_, key string) bool { return builtInComponents[key] },
	}
}

// generatedKeyMaterial are the config keys of a generated key provider
// (rsa-generated, hmac-generated, ...) that Keycloak makes itself when the
// provider is made: a realm export carries them, but they are the
// server's, and written to a new realm they would be made anew anyway.
var generatedKeyMaterial = []string{"privateKey", "certificate", "secret", "kid",
	"ecdsaPrivateKey", "ecdsaPublicKey", "eddsaPrivateKey", "eddsaPublicKey", "ecdhPrivateKey", "ecdhPublicKey",
	// The use Keycloak gives a generated RSA key (SIG, or ENC for
	// rsa-enc-generated): a create that sends it is answered without it.
	"keyUse"}

func dropGeneratedKeys(obj map[string]any) {
	id, _ := obj["providerId"].(string)
	cfg, _ := obj["config"].(map[string]any)
	if !strings.HasSuffix(id, "-generated") || cfg == nil {
		return
	}
	for _, k := range generatedKeyMaterial {
		delete(cfg, k)
	}
}

// liftComponents brings a document's components map into the shapes the
// kinds read, in place: user storage providers (with their mappers) join
// the flat userFederation list, the user profile component becomes the
// userProfile object when the document has none, and empty sub-component
// maps go.
func liftComponents(doc Object) {
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		return
	}
	if list, ok := comps[UserStorageType].([]any); ok {
		fed, _ := doc[FederationField].([]any)
		for _, item := range list {
			if obj, ok := item.(map[string]any); ok {
				fed = append(fed, federationFromComponent(obj))
			}
		}
		doc[FederationField] = fed
		delete(comps, UserStorageType)
	}
	if list, ok := comps[UserProfileType].([]any); ok {
		if _, has := doc["userProfile"]; !has && len(list) == 1 {
			if obj, ok := list[0].(map[string]any); ok {
				if profile := profileFromComponent(obj); profile != nil {
					doc["userProfile"] = profile
				}
			}
		}
		delete(comps, UserProfileType)
	}
	for _, typ := range SortedKeys(comps) {
		list, _ := comps[typ].([]any)
		for _, item := range list {
			if obj, ok := item.(map[string]any); ok {
				if typ == KeyProviderType {
					dropGeneratedKeys(obj)
				}
				if sub, ok := obj["subComponents"].(map[string]any); ok && len(sub) == 0 {
					delete(obj, "subComponents")
				}
				if st, ok := obj["subType"].(string); ok && st == "" {
					delete(obj, "subType")
				}
			}
		}
	}
	if len(comps) == 0 {
		delete(doc, "components")
	}
}

// profileFromComponent reads the user profile a realm export keeps in its
// component's config (one JSON text).
func profileFromComponent(obj map[string]any) Object {
	config, _ := obj["config"].(map[string]any)
	list, _ := config["kc.user.profile.config"].([]any)
	if len(list) != 1 {
		return nil
	}
	text, _ := list[0].(string)
	var profile map[string]any
	if json.Unmarshal([]byte(text), &profile) != nil {
		return nil
	}
	c, err := Canonical(profile)
	if err != nil {
		return nil
	}
	out, _ := c.(map[string]any)
	return out
}

// ComponentTree arranges a realm's components as a realm export writes
// them: the realm's own (parentId: the realm's id) in a map by provider
// type, each with its sub-components likewise, everything sorted by
// type, name, sub-type and id so the document does not depend on the
// server's order. The user profile component is left out: its kind reads
// it through its own endpoint.
func ComponentTree(all []map[string]any, realmID string) map[string]any {
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		for _, f := range []string{"providerType", "name", "subType", "id"} {
			if x, y := ScalarString(a[f]), ScalarString(b[f]); x != y {
				return x < y
			}
		}
		return false
	})
	children := map[string][]map[string]any{}
	for _, c := range all {
		p := ScalarString(c["parentId"])
		children[p] = append(children[p], c)
	}
	var build func(parent string, depth int) map[string]any
	build = func(parent string, depth int) map[string]any {
		out := map[string]any{}
		for _, c := range children[parent] {
			typ := ScalarString(c["providerType"])
			if typ == UserProfileType || depth > 8 {
				continue
			}
			obj := Object{}
			for k, v := range c {
				if k != "providerType" && k != "parentId" {
					obj[k] = v
				}
			}
			if id := ScalarString(c["id"]); id != "" && id != parent {
				if sub := build(id, depth+1); len(sub) > 0 {
					obj["subComponents"] = sub
				}
			}
			list, _ := out[typ].([]any)
			out[typ] = append(list, obj)
		}
		return out
	}
	return build(realmID, 0)
}

// subTypeOf is the sub-type part of a component's local name.
func splitComponentType(typePart string) (typ, sub string) {
	typ, sub, _ = strings.Cut(typePart, "/")
	return typ, sub
}
