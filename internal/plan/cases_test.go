package plan_test

import (
	"fmt"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// Secret values planted in the cases' entities. No rendering may show them.
const (
	topSecret = "TOP-SECRET-VALUE"
	oldSecret = "OLD-SECRET-VALUE"
	smtpPass  = "SMTP-PASSWORD-VALUE"
)

// renderCase is a plan the golden tests render into every view.
type renderCase struct {
	name string
	plan func() *plan.Plan
	// views limits the views rendered (nil: all of them).
	views []string
}

var renderCases = []renderCase{
	{name: "empty", plan: func() *plan.Plan { return &plan.Plan{} }},
	{name: "nochange-warnings", plan: nochangeWarnings},
	{name: "create", plan: createPlan},
	{name: "update", plan: updatePlan},
	{name: "delete", plan: deletePlan},
	{name: "mixed", plan: mixedPlan},
	{name: "escaping", plan: escapingPlan},
	{name: "replace", plan: replacePlan},
	{name: "huge", plan: hugePlan, views: []string{"small.md"}},
}

func entity(kind, key string, fields model.Object) *model.Entity {
	return &model.Entity{Kind: model.KindByName(kind), Key: key, Fields: fields}
}

func create(realm, kind, key string, fields model.Object, changes ...plan.Change) plan.Action {
	return plan.Action{Realm: realm, Kind: kind, Key: key, Verb: plan.Create, Changes: changes,
		Desired: entity(kind, key, fields)}
}

func modify(realm, kind, key string, desired, live model.Object, changes ...plan.Change) plan.Action {
	return plan.Action{Realm: realm, Kind: kind, Key: key, Verb: plan.Update, Changes: changes,
		Desired: entity(kind, key, desired), Live: entity(kind, key, live)}
}

func remove(realm, kind, key string, live model.Object) plan.Action {
	return plan.Action{Realm: realm, Kind: kind, Key: key, Verb: plan.Delete, Live: entity(kind, key, live)}
}

func ref(kind, key string) model.Ref { return model.Ref{Kind: kind, Key: key} }

// relation builds a relation change the way diff does: references for
// apply, their names for people.
func relation(field string, add, del []model.Ref) plan.Change {
	c := plan.Change{Path: field, AddRefs: add, RemoveRefs: del}
	for _, r := range add {
		c.Added = append(c.Added, r.String())
	}
	for _, r := range del {
		c.Removed = append(c.Removed, r.String())
	}
	return c
}

func nochangeWarnings() *plan.Plan {
	return &plan.Plan{Warnings: []string{
		`acme/realm.yaml:12: realm acme: field "users" is not managed by this version of realmsync and is left as it is`,
	}}
}

func createPlan() *plan.Plan {
	p := &plan.Plan{}
	p.Add(
		create("acme", model.KindRealm, "acme", model.Object{"realm": "acme", "enabled": true,
			"smtpServer": map[string]any{"host": "mail.acme.example", "password": smtpPass}},
			plan.Change{Path: "enabled", After: true},
			plan.Change{Path: "smtpServer.host", After: "mail.acme.example"},
			plan.Change{Path: "smtpServer.password", Sensitive: true}),
		plan.Action{Realm: "acme", Kind: model.KindClient, Key: "account", Verb: plan.Update,
			Note:    "built-in: exists once the realm is created",
			Desired: entity(model.KindClient, "account", model.Object{"clientId": "account", "description": "Changed"}),
			Changes: []plan.Change{{Path: "description", After: "Changed built-in client"}}},
		create("acme", model.KindClient, "reports", model.Object{"clientId": "reports", "publicClient": false,
			"secret": topSecret, "redirectUris": []any{"https://reports.acme.example/*"}},
			plan.Change{Path: "attributes.pkce.code.challenge.method", After: "S256"},
			plan.Change{Path: "publicClient", After: false},
			plan.Change{Path: "redirectUris", After: []any{"https://reports.acme.example/*", "https://reports.acme.example/cb?a=1&b=2"}},
			plan.Change{Path: "secret", Sensitive: true}),
		create("acme", model.KindClientMap, "reports/email", model.Object{"name": "email"},
			plan.Change{Path: "config.claim.name", After: "email"},
			plan.Change{Path: "protocol", After: "openid-connect"},
			plan.Change{Path: "protocolMapper", After: "oidc-usermodel-property-mapper"}),
		create("acme", model.KindClientScope, "orders", model.Object{"name": "orders"},
			plan.Change{Path: "protocol", After: "openid-connect"}),
		create("acme", model.KindRealmRole, "viewer", model.Object{"name": "viewer"}),
		create("acme", model.KindGroup, "/staff/support", model.Object{"name": "support"},
			relation("realmRoles", []model.Ref{ref(model.KindRealmRole, "viewer")}, nil)),
		create("acme", model.KindGroup, "/staff", model.Object{"name": "staff"},
			plan.Change{Path: "attributes.floor", After: []any{"3"}}),
	)
	return p
}

func updatePlan() *plan.Plan {
	p := &plan.Plan{}
	p.Add(
		modify("acme", model.KindRealm, "acme", model.Object{"displayName": "Acme Corp"}, model.Object{"displayName": "Acme"},
			plan.Change{Path: "displayName", Before: "Acme", After: "Acme Corp"},
			plan.Change{Path: "smtpServer.password", Sensitive: true}),
		modify("acme", model.KindClient, "api", model.Object{"clientId": "api", "secret": topSecret},
			model.Object{"clientId": "api", "secret": oldSecret},
			plan.Change{Path: "secret", Sensitive: true}),
		modify("acme", model.KindClient, "web", model.Object{"clientId": "web"}, model.Object{"clientId": "web"},
			plan.Change{Path: "attributes.pkce.code.challenge.method", Before: "plain", After: "S256"},
			plan.Change{Path: "redirectUris",
				Before: []any{"https://a.example/*", "https://b.example/*"}, After: []any{"https://a.example/*", "https://c.example/*"},
				Added: []string{"https://c.example/*"}, Removed: []string{"https://b.example/*"}},
			plan.Change{Path: "webOrigins", Before: []any{"+"}, After: []any{}, Removed: []string{"+"}},
			plan.Change{Path: "fullScopeAllowed", Before: true, After: false},
			plan.Change{Path: "accessTokenLifespan", Before: 300, After: 600}),
		modify("acme", model.KindRealmRole, "editor", model.Object{"name": "editor"}, model.Object{"name": "editor"},
			relation("composites", []model.Ref{ref(model.KindClientRole, "api/write")}, []model.Ref{ref(model.KindRealmRole, "offline_access")}),
			plan.Change{Path: "description", After: "Edits things"}),
		modify("acme", model.KindGroup, "/staff", model.Object{"name": "staff"}, model.Object{"name": "staff"},
			plan.Change{Path: "attributes.floor", Before: []any{"2"}, After: []any{"3"}, Added: []string{"3"}, Removed: []string{"2"}},
			relation("clientRoles", nil, []model.Ref{ref(model.KindClientRole, "api/read")})),
	)
	return p
}

func deletePlan() *plan.Plan {
	p := &plan.Plan{}
	p.Add(
		remove("acme", model.KindClient, "legacy", model.Object{"clientId": "legacy", "secret": oldSecret}),
		remove("acme", model.KindRealmRole, "temporary", nil),
		remove("acme", model.KindGroup, "/old", nil),
		remove("acme", model.KindGroup, "/old/child", nil),
		remove("acme", model.KindClientMap, "web/old-mapper", nil),
	)
	return p
}

// mixedPlan has two realms, every verb and warnings: deletes of both
// realms come after every create and update, in plan order.
func mixedPlan() *plan.Plan {
	p := &plan.Plan{Warnings: []string{
		`acme/realm.yaml:3: realm acme: field "users" is not managed by this version of realmsync and is left as it is`,
		`beta/realm.yaml:7: realm beta: field "components" is not managed by this version of realmsync and is left as it is`,
	}}
	p.Add(
		create("acme", model.KindClient, "reports", model.Object{"clientId": "reports", "secret": topSecret},
			plan.Change{Path: "publicClient", After: false},
			plan.Change{Path: "secret", Sensitive: true}),
		modify("acme", model.KindClient, "webapp", model.Object{"clientId": "webapp"}, model.Object{"clientId": "webapp"},
			plan.Change{Path: "attributes.pkce.code.challenge.method", Before: "plain", After: "S256"},
			plan.Change{Path: "redirectUris", Before: []any{"http://old.acme.example/*"}, After: []any{"https://app.acme.example/*"},
				Added: []string{"https://app.acme.example/*"}, Removed: []string{"http://old.acme.example/*"}}),
		modify("acme", model.KindRealmRole, "support", model.Object{"name": "support"}, model.Object{"name": "support"},
			relation("composites", []model.Ref{ref(model.KindRealmRole, "employee")}, nil)),
		remove("acme", model.KindRealmRole, "temporary", nil),
		create("beta", model.KindRealmRole, "auditor", model.Object{"name": "auditor"},
			plan.Change{Path: "description", After: "Reads audit logs"}),
		modify("beta", model.KindRealm, "beta", model.Object{"realm": "beta"}, model.Object{"realm": "beta"},
			plan.Change{Path: "sslRequired", Before: "none", After: "external"}),
		remove("beta", model.KindClient, "old-portal", model.Object{"clientId": "old-portal", "secret": oldSecret}),
		remove("beta", model.KindGroup, "/contractors", nil),
	)
	// An update that also adopts: one action, counted in both.
	for i := range p.Actions {
		if p.Actions[i].Key == "webapp" {
			p.Actions[i].Adopts = true
			p.Actions[i].Changes = append(p.Actions[i].Changes, plan.Change{Path: "attributes.legacy", Before: "1", Unset: true})
		}
	}
	return p
}

// escapingPlan has names that are markup in Markdown or HTML.
func escapingPlan() *plan.Plan {
	p := &plan.Plan{Warnings: []string{"field `x|y` in <b>file</b> & *more*"}}
	p.Add(
		modify("a<b>&c", model.KindClient, "```evil```", model.Object{}, model.Object{},
			plan.Change{Path: "description", Before: "a `code` span", After: "two ``` fences ````"}),
		remove("a<b>&c", model.KindClient, "x|y_*z*", nil),
	)
	return p
}

// hugePlan is far larger than a PR comment may be.
func hugePlan() *plan.Plan {
	p := &plan.Plan{}
	for r := 0; r < 3; r++ {
		realm := fmt.Sprintf("realm-%d", r)
		for i := 0; i < 200; i++ {
			key := fmt.Sprintf("client-%03d", i)
			p.Add(modify(realm, model.KindClient, key, model.Object{"clientId": key}, model.Object{"clientId": key},
				plan.Change{Path: "description", Before: "old " + key, After: "new " + key},
				plan.Change{Path: "redirectUris", Before: []any{}, After: []any{"https://" + key + ".example/*"},
					Added: []string{"https://" + key + ".example/*"}}))
		}
		for i := 0; i < 20; i++ {
			p.Add(remove(realm, model.KindRealmRole, fmt.Sprintf("role-%02d", i), nil))
		}
	}
	return p
}

// replacePlan changes an object whose kind has no update: it is deleted
// and created again, and called out with the deletions.
func replacePlan() *plan.Plan {
	p := &plan.Plan{}
	a := modify("acme", model.KindFederatedID, "alice/corp", model.Object{"identityProvider": "corp", "userId": "1002"},
		model.Object{"identityProvider": "corp", "userId": "1001"},
		plan.Change{Path: "userId", Before: "1001", After: "1002"})
	a.Verb = plan.Replace
	p.Add(a, remove("acme", model.KindRealmRole, "temporary", nil))
	return p
}
