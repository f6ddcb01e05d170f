package model

// Extensions: Keycloak plugins with admin APIs of their own, managed
// through the same table. A realm file declares one under extensions:
// <name>: and realmsync reads its kinds only then (no request reaches a
// plugin a realm does not use). Each extension is rows here plus the
// hooks its API needs; the first is rciam/keycloak-group-management
// (seed 003), whose contract ../shared/notes/group-management-extension.md
// records.

import "fmt"

// Extension describes a plugin the table manages kinds of.
type Extension struct {
	// Name is its key under extensions: in realm files.
	Name string
	// Title names the plugin to people.
	Title string
}

// Section is the realm-document path holding the extension's parts.
func (x *Extension) Section() string { return "extensions." + x.Name }

// groupManagement is rciam/keycloak-group-management: group enrolment
// and membership expiry, configured under /realms/{realm}/agm/admin.
var groupManagement = &Extension{Name: "groupManagement", Title: "the group-management plugin (rciam/keycloak-group-management)"}

// Extensions lists the extensions the table knows.
func Extensions() []*Extension { return []*Extension{groupManagement} }

// Kind names of the group-management extension.
const (
	KindGMConfiguration   = "groupManagementConfiguration"
	KindGMMemberAttribute = "groupManagementMemberUserAttribute"
	KindGMRule            = "groupManagementRule"
)

// agmAdmin is the plugin's admin API: beside the realm's pages, not
// under the Admin REST API.
const agmAdmin = "/realms/{realm}/agm/admin"

// gmConfigKeys maps the realm configuration's fields in realm files to
// the plugin's keys, which it stores as realm attributes of those names.
var gmConfigKeys = map[string]string{
	"invitationExpirationPeriod":   "invitation-expiration-period",
	"expirationNotificationPeriod": "expiration-notification-period",
}

// gmRuleFields are the rule fields the plugin uses.
var gmRuleFields = []string{"active", "aup", "aupEntity", "commentsDescription", "commentsLabel", "commentsNeeded",
	"membershipExpirationDays", "multiselectRole", "requireApproval", "requireApprovalForExtension", "validFrom", "visibleToNotMembers"}

func groupManagementKinds() []*Kind {
	return []*Kind{
		{
			Name: KindGMConfiguration, Title: "group-management configuration", Plural: "groupManagementConfiguration",
			Representation: "GroupManagementConfiguration", RealmObject: groupManagement.Section() + ".configuration",
			Extension: groupManagement,
			// No GET: the values are the realm's attributes; a PUT of the
			// plugin's keys sets them (null removes one).
			Endpoints: Endpoints{Item: agmAdmin + "/configuration"},
			Read:      ReadSpec{Mode: ReadHook, Hook: "groupManagementConfiguration"},
			Write:     &WriteSpec{Method: "PUT", NoRead: true, Body: gmConfigBody},
			// What the plugin assumes when the attributes are absent.
			Defaults: Object{"invitationExpirationPeriod": float64(72), "expirationNotificationPeriod": float64(21)},
			ExportTo: "extensions.yaml",
			NoDelete: true,
			builtIn:  func(string, string) bool { return true },
		},
		{
			Name: KindGMMemberAttribute, Title: "group-management member user attribute", Plural: "groupManagementMemberUserAttribute",
			Representation: "GroupManagementMemberUserAttribute", RealmObject: groupManagement.Section() + ".memberUserAttribute",
			Extension: groupManagement,
			// One per realm: a POST creates or replaces it, clearing what
			// the body leaves out; it cannot be deleted.
			Endpoints:     Endpoints{Item: agmAdmin + "/member-user-attribute/configuration"},
			Read:          ReadSpec{Mode: ReadItem},
			Write:         &WriteSpec{Method: "POST", NoRead: true},
			ServerManaged: []string{"id"},
			// Stored, never returned.
			Secrets:   []string{"authority"},
			WriteOnly: []string{"authority"},
			ExportTo:  "extensions.yaml",
			NoDelete:  true,
			builtIn:   func(string, string) bool { return true },
			warnings:  gmMemberAttributeStays,
		},
		{
			Name: KindGMRule, Title: "group-management rule", Plural: "groupManagementRules",
			Representation: "GroupManagementConfigurationRule", KeyField: "field", KeyFields: []string{"type", "field"},
			RealmPath: groupManagement.Section() + ".configurationRules",
			Extension: groupManagement,
			// A POST answers 204 with no Location: the rule is found again
			// by (type, field). DELETE of a missing id is a 500: look first.
			Endpoints:     Endpoints{Create: agmAdmin + "/configuration-rules", Item: agmAdmin + "/configuration-rules/{id}"},
			Read:          ReadSpec{Unpaged: true},
			DeleteChecks:  true,
			ServerManaged: []string{"id"},
			// A rule without one of these is a 409, as a duplicate is.
			Required:  []string{"type", "field", "required"},
			Enums:     map[string][]string{"type": {"SUBGROUP", "TOP_LEVEL"}, "field": gmRuleFields},
			MaxLength: map[string]int{"defaultValue": 36, "max": 36}, // longer: a 500
			Strings:   []string{"defaultValue", "max"},
			ExportTo:  "extensions.yaml",
		},
	}
}

// gmConfigBody is the configuration's PUT body: the plugin's keys, the
// numbers as text.
func gmConfigBody(fields Object) Object {
	out := Object{}
	for f, key := range gmConfigKeys {
		if v, ok := fields[f]; ok && v != nil {
			out[key] = ScalarString(v)
		}
	}
	return out
}

// GroupManagementConfigFromAttributes reads the plugin's realm
// configuration out of the realm's attributes, as files write it.
func GroupManagementConfigFromAttributes(attrs map[string]any) Object {
	out := Object{}
	for f, key := range gmConfigKeys {
		if s, ok := attrs[key].(string); ok {
			var n float64
			if _, err := fmt.Sscan(s, &n); err == nil {
				out[f] = n
			} else {
				out[f] = s
			}
		}
	}
	return out
}

// pluginRealmAttribute reports the realm attributes a plugin's section
// owns: the realm's own row neither plans nor exports them.
func pluginRealmAttribute(key string) bool {
	for _, k := range gmConfigKeys {
		if k == key {
			return true
		}
	}
	return false
}

// WriteSpec describes a kind whose API writes differently from the usual
// GET, merge and PUT of an item.
type WriteSpec struct {
	// Method writes the item ("PUT", or "POST" for create-or-replace).
	Method string
	// NoRead: the item cannot be read back before a write (no GET); the
	// body is the live object from the live read with the desired fields
	// over it, whole (the plugin clears what a body leaves out).
	NoRead bool
	// Body, if set, turns the merged fields into the wire's shape.
	Body func(Object) Object
	// Hook names a writer in the apply package for kinds whose objects
	// are made or changed through other objects' endpoints (a flow's
	// executions, a config through its execution).
	Hook string
	// Serial: the kind's writes run one at a time, in plan order (each
	// puts back a whole list, or may write another object of the kind).
	Serial bool
}

// gmMemberAttributeStays says, for a realm whose files declare the
// extension without its member user attribute while the server has one,
// that it stays: the plugin has no way to delete it.
func gmMemberAttributeStays(desired, live *Realm) []string {
	k := KindByName(KindGMMemberAttribute)
	if live == nil || !desired.Extensions[groupManagement.Name] || desired.Get(k.Name, k.SingletonKey()) != nil || live.Get(k.Name, k.SingletonKey()) == nil {
		return nil
	}
	return []string{fmt.Sprintf("realm %s: the files declare extensions.%s without memberUserAttribute, but %s cannot delete it: it stays as the server has it.",
		desired.Name, groupManagement.Name, groupManagement.Title)}
}
