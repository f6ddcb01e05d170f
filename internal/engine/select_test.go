package engine

import (
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

func entity(kind, key, parent string) *model.Entity {
	return &model.Entity{Kind: model.KindByName(kind), Key: key, Parent: parent, Fields: model.Object{}}
}

func TestSelection(t *testing.T) {
	clientCreate := plan.Action{Realm: "acme", Kind: model.KindClient, Key: "app", Verb: plan.Create, Desired: entity(model.KindClient, "app", "")}
	roleCreate := plan.Action{Realm: "acme", Kind: model.KindClientRole, Key: "app/read", Verb: plan.Create, Desired: entity(model.KindClientRole, "app/read", "app")}
	groupUpdate := plan.Action{Realm: "acme", Kind: model.KindGroup, Key: "/staff", Verb: plan.Update, Desired: entity(model.KindGroup, "/staff", ""),
		Changes: []plan.Change{{Path: "clientRoles", AddRefs: []model.Ref{{Kind: model.KindClientRole, Key: "app/read"}}}}}
	realmCreate := plan.Action{Realm: "acme", Kind: model.KindRealm, Key: "acme", Verb: plan.Create, Desired: entity(model.KindRealm, "acme", "")}
	cases := []struct {
		name       string
		only, skip []string
		actions    []plan.Action
		kept       int
		err        string // "" : no error
		partial    bool
	}{
		{"everything", nil, nil, []plan.Action{clientCreate, roleCreate, groupUpdate}, 3, "", false},
		{"only clients: partial", []string{"clients"}, nil, []plan.Action{clientCreate, roleCreate}, 1, "", true},
		{"a role of a client left out", []string{"clientRole"}, nil, []plan.Action{clientCreate, roleCreate}, 0,
			`client role "app/read" needs client "app", which only a left-out client create makes`, true},
		{"a reference to a role left out", nil, []string{"clientRole"}, []plan.Action{clientCreate, roleCreate, groupUpdate}, 0,
			`group "/staff" needs client role "app/read"`, true},
		{"a realm to create left out", []string{"client"}, nil, []plan.Action{realmCreate, clientCreate}, 0,
			`client "app" needs realm "acme", which only a left-out realm create makes`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sel, err := Select(c.only, c.skip)
			if err != nil {
				t.Fatal(err)
			}
			kept, err := sel.filter(c.actions)
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error %v, want one containing %q", err, c.err)
			case c.err == "" && len(kept) != c.kept:
				t.Errorf("kept %d actions, want %d", len(kept), c.kept)
			}
			if got := sel.partial() != ""; got != c.partial {
				t.Errorf("partial warning %q, want one: %v", sel.partial(), c.partial)
			}
		})
	}
	if _, err := Select([]string{"clinet"}, nil); err == nil || !strings.Contains(err.Error(), `did you mean "client"`) {
		t.Errorf("a misspelt kind: %v", err)
	}
}

// TestTargets: --target keeps the object, what is inside it, and the
// creates of what it needs; the rest stays out, and the plan says so.
func TestTargets(t *testing.T) {
	act := func(kind, key, parent string, verb plan.Verb, refs ...model.Ref) plan.Action {
		a := plan.Action{Realm: "acme", Kind: kind, Key: key, Verb: verb, Desired: entity(kind, key, parent)}
		if len(refs) > 0 {
			a.Changes = []plan.Change{{Path: "composites", AddRefs: refs}}
		}
		return a
	}
	actions := []plan.Action{
		act(model.KindRealm, "acme", "", plan.Update),
		act(model.KindClient, "app", "", plan.Create),
		act(model.KindClient, "other", "", plan.Update),
		act(model.KindClientMap, "app/aud", "app", plan.Create),
		act(model.KindClientRole, "app/read", "app", plan.Create),
		act(model.KindRealmRole, "reader", "", plan.Create),
		act(model.KindRealmRole, "admin", "", plan.Update, model.Ref{Kind: model.KindRealmRole, Key: "reader"}),
		act(model.KindGroup, "/staff", "", plan.Update),
		act(model.KindGroup, "/staff/ops", "/staff", plan.Create),
		act(model.KindGroup, "/staffing", "", plan.Create),
	}
	keys := func(list []plan.Action) string {
		var out []string
		for _, a := range list {
			out = append(out, a.Key)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		targets []string
		want    string
	}{
		{[]string{"client:app"}, "app app/aud app/read"},
		{[]string{"clients:other"}, "other"},
		{[]string{"realmRole:admin"}, "reader admin"}, // the role it adds is pulled in
		{[]string{"group:/staff"}, "/staff /staff/ops"},
		{[]string{"clientMapper:app/aud"}, "app app/aud"}, // its client, which the plan creates
		{[]string{"realm:acme", "group:/staffing"}, "acme /staffing"},
	} {
		sel, err := Select(nil, nil)
		if err == nil {
			sel, err = sel.Target(c.targets)
		}
		if err != nil {
			t.Fatal(err)
		}
		kept, err := sel.filter(actions)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(kept); got != c.want {
			t.Errorf("%v: kept %q, want %q", c.targets, got, c.want)
		}
		if !strings.Contains(sel.partial(), "partial plan (--target "+c.targets[0]) {
			t.Errorf("%v: partial warning %q", c.targets, sel.partial())
		}
	}
	for _, bad := range []string{"client", "clinet:app", ":app", "client:"} {
		sel, _ := Select(nil, nil)
		if _, err := sel.Target([]string{bad}); err == nil {
			t.Errorf("--target %q: no error", bad)
		}
	}
	desired := model.NewRealm("acme")
	_ = desired.Add(entity(model.KindClient, "webapp", ""))
	sel, _ := Select(nil, nil)
	sel, _ = sel.Target([]string{"client:webap"})
	if err := sel.checkTargets(desired, nil); err == nil || !strings.Contains(err.Error(), `did you mean "webapp"`) {
		t.Errorf("a target naming nothing: %v", err)
	}
}
