package apply

// The write hook of client authorization (model/authorization.go):
// Keycloak's import endpoint matches scopes, resources and policies by
// name, updates one in place (keeping its id and what points at it) and
// leaves what it is not given alone, so every create and update is one
// import of one object: the live object as the resource server's
// settings export shows it, the desired fields over it (never a sparse
// write: an import clears what its object leaves out), with the resource
// server's settings as they are. A new aggregate policy or permission
// brings along the new policies it applies, which the import needs to
// exist; policies are written one at a time (WriteSpec.Serial), so none
// is made twice. Deletes go by id, looked up by name.

import (
	"context"
	"fmt"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// resourceServer is the path of the authorization services of the
// client an object belongs to.
func (r *run) resourceServer(ctx context.Context, realm, client string) (string, error) {
	item, err := r.itemPath(ctx, realm, stub(model.KindByName(model.KindClient), client))
	if err != nil {
		return "", err
	}
	return item + "/" + model.AuthorizationPath, nil
}

func (r *run) writeAuthorization(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	d := a.Desired
	base, err := r.resourceServer(ctx, a.Realm, d.Parent)
	if err != nil {
		return true, err
	}
	var live map[string]any
	if err := r.api.Get(ctx, base+"/settings", nil, &live); err != nil {
		return true, err
	}
	list := model.AuthzListOf(d.Kind.Name)
	existing := byName(live[list])
	objs := []any{authzBody(d.Kind.Name, existing[model.ChildName(d.Key)], body)}
	if d.Kind.Name == model.KindAuthzPolicy {
		objs = append(r.newPoliciesApplied(a, existing, map[string]bool{model.ChildName(d.Key): true}), objs...)
	}
	imp := map[string]any{list: objs}
	for _, f := range []string{"policyEnforcementMode", "decisionStrategy", "allowRemoteResourceManagement"} {
		if v, ok := live[f]; ok {
			imp[f] = v
		}
	}
	_, err = r.api.Post(ctx, base+"/import", imp)
	return true, err
}

// authzBody is one object of an import: the live one (nil when new) with
// the desired fields over it, a policy's config as Keycloak takes it.
func authzBody(kind string, live map[string]any, desired map[string]any) map[string]any {
	obj := map[string]any{}
	if live != nil {
		obj = model.DeepCopy(live).(map[string]any)
		model.NormaliseAuthz(kind, obj)
	}
	obj = overlay(obj, model.DeepCopy(desired)).(map[string]any)
	if cfg, ok := obj["config"].(map[string]any); ok && kind == model.KindAuthzPolicy {
		obj["config"] = model.PolicyConfigForWire(cfg)
	}
	return obj
}

// newPoliciesApplied are the desired policies that a policy applies,
// directly or through others, which the server does not have yet and
// this plan creates: the import of the policy needs them.
func (r *run) newPoliciesApplied(a *plan.Action, existing map[string]map[string]any, seen map[string]bool) []any {
	var out []any
	for _, name := range model.PolicyRefs(a.Desired.Fields) {
		if seen[name] || existing[name] != nil {
			continue
		}
		seen[name] = true
		dep := r.plannedCreate(a.Realm, model.KindAuthzPolicy, model.ChildKey(a.Desired.Parent, name))
		if dep == nil {
			continue // the import names it, and Keycloak says what is missing
		}
		out = append(out, r.newPoliciesApplied(dep, existing, seen)...)
		out = append(out, authzBody(model.KindAuthzPolicy, nil, plainFields(dep.Desired)))
	}
	return out
}

func (r *run) plannedCreate(realm, kind, key string) *plan.Action {
	for i := range r.plan.Actions {
		if a := &r.plan.Actions[i]; a.Realm == realm && a.Kind == kind && a.Key == key && a.Verb == plan.Create {
			return a
		}
	}
	return nil
}

func byName(v any) map[string]map[string]any {
	out := map[string]map[string]any{}
	items, _ := v.([]any)
	for _, x := range items {
		if m, ok := x.(map[string]any); ok {
			out[fmt.Sprint(m["name"])] = m
		}
	}
	return out
}

// removeAuthorization deletes a scope, resource or policy by the id its
// name has now, found by the exact-name search of its collection (the
// resource server's own resource, not a user's of the same name); one
// already gone is done.
func (r *run) removeAuthorization(ctx context.Context, a *plan.Action) error {
	l := a.Live
	base, err := r.resourceServer(ctx, a.Realm, l.Parent)
	if err != nil {
		return err
	}
	segment := map[string]string{model.KindAuthzScope: "scope", model.KindAuthzResource: "resource", model.KindAuthzPolicy: "policy"}[l.Kind.Name]
	name := model.ChildName(l.Key)
	var found map[string]any
	if err := r.api.Get(ctx, base+"/"+segment+"/search", url.Values{"name": {name}}, &found); err != nil {
		if notFound(err) {
			return nil
		}
		return err
	}
	if found == nil || found["name"] != name {
		return nil // no such object: an answer without content
	}
	id, _ := found["id"].(string)
	if id == "" {
		id, _ = found["_id"].(string) // resources answer _id
	}
	if id == "" {
		return fmt.Errorf("%s %q: the server's answer has no id", l.Kind.Title, name)
	}
	if err := r.api.Delete(ctx, base+"/"+segment+"/"+url.PathEscape(id), nil); err != nil && !notFound(err) {
		return err
	}
	return nil
}
