package model

import (
	"fmt"
	"sort"
)

// Client policies: a client profile is an ordered list of executors (what
// Keycloak enforces or configures), a client policy applies profiles to
// the clients its ordered conditions match. Keycloak keeps each realm's
// profiles and policies as one document each, with a GET and a PUT of the
// whole list and no endpoint per item; realmsync still plans them one by
// one, keyed by name, as a realm export lists them (clientProfiles.profiles,
// clientPolicies.policies), and apply writes an item by replacing it in
// the list it reads back (the "wholeList" write hook).

const (
	KindClientProfile = "clientProfile"
	KindClientPolicy  = "clientPolicy"
)

// GlobalClientProfiles are the profiles Keycloak ships in every realm
// (the FAPI and OAuth 2.1 ones, as Keycloak 24 to 26 name them). They are
// read only, listed apart from the realm's own, and a policy may name them.
var GlobalClientProfiles = []string{
	"fapi-1-baseline", "fapi-1-advanced", "fapi-ciba", "fapi-2-security-profile", "fapi-2-message-signing",
	"fapi-2-dpop-security-profile", "fapi-2-dpop-message-signing",
	"oauth-2-1-for-confidential-client", "oauth-2-1-for-public-client",
	"saml-security-profile",
}

func clientProfileKind() *Kind {
	return &Kind{
		Name: KindClientProfile, Title: "client profile", Plural: "clientProfiles",
		Representation: "ClientProfileRepresentation", KeyField: "name", KeyIsID: true,
		RealmPath: "clientProfiles.profiles",
		// Executors run in order.
		Required:  []string{"executors"},
		Endpoints: Endpoints{Create: "{realm}/client-policies/profiles"},
		Read:      ReadSpec{Unpaged: true, Field: "profiles"},
		Write:     &WriteSpec{Hook: "wholeList", Serial: true},
		ExportTo:  "client-policies.yaml",
		check:     checkExecutors,
	}
}

func clientPolicyKind() *Kind {
	return &Kind{
		Name: KindClientPolicy, Title: "client policy", Plural: "clientPolicies",
		Representation: "ClientPolicyRepresentation", KeyField: "name", KeyIsID: true,
		RealmPath: "clientPolicies.policies",
		// A policy names its profiles: they are written first, and a
		// profile still named cannot go (Keycloak answers 400).
		DependsOn: []string{KindClientProfile},
		// Keycloak applies a policy's profiles in order.
		Sequences: []string{"profiles"},
		Endpoints: Endpoints{Create: "{realm}/client-policies/policies"},
		Read:      ReadSpec{Unpaged: true, Field: "policies"},
		Write:     &WriteSpec{Hook: "wholeList", Serial: true},
		// Keycloak stores a policy without "enabled" as disabled.
		AbsentMeans: map[string]any{"enabled": false},
		ExportTo:    "client-policies.yaml",
		check:       checkPolicyProfiles,
	}
}

// checkExecutors: an executor without its provider id is stored and then
// fails every client request the profile applies to.
func checkExecutors(_ *Realm, e *Entity) []Problem {
	return checkProviderList(e, "executors", "executor")
}

// checkPolicyProfiles: a policy may name the realm's profiles the files
// declare and Keycloak's global ones; Keycloak refuses the whole list for
// any other name.
func checkPolicyProfiles(r *Realm, e *Entity) []Problem {
	out := checkProviderList(e, "conditions", "condition")
	names, ok := e.Fields["profiles"].([]any)
	if e.Fields["profiles"] != nil && !ok {
		return append(out, Problem{Field: "profiles", Message: "want a list of client profile names"})
	}
	known := append([]string(nil), GlobalClientProfiles...)
	for _, p := range r.Sorted(KindClientProfile) {
		known = append(known, p.Key)
	}
	sort.Strings(known)
	for _, n := range names {
		name, _ := n.(string)
		if contains(known, name) {
			continue
		}
		msg := fmt.Sprintf("client profile %q is neither declared in this realm's clientProfiles nor one of Keycloak's global profiles", name)
		out = append(out, Problem{Field: "profiles", Message: msg + suggestName(name, known)})
	}
	return out
}

func checkProviderList(e *Entity, field, provider string) []Problem {
	v, present := e.Fields[field]
	if !present || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return []Problem{{Field: field, Message: fmt.Sprintf("want a list of {%s, configuration}", provider)}}
	}
	var out []Problem
	for i, item := range list {
		m, _ := item.(map[string]any)
		if id, _ := m[provider].(string); id == "" {
			out = append(out, Problem{Field: fmt.Sprintf("%s[%d]", field, i), Message: fmt.Sprintf("want %s: the provider id (and configuration: its settings)", provider)})
		}
		if _, isMap := m["configuration"].(map[string]any); !isMap {
			// Keycloak fails on a missing one with a 500.
			out = append(out, Problem{Field: fmt.Sprintf("%s[%d].configuration", field, i),
				Message: "want a map of settings, {} when there are none (Keycloak fails on an " + provider + " without one)"})
		}
	}
	return out
}
