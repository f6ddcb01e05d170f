package apply

// The rebuild of a flow Keycloak cannot change in place (its kind). No
// binding ever points at a half-built flow: the new flow is built whole
// beside the old one under a temporary alias (its sub-flows and configs
// too, since the old flow's hold their aliases), every binding of the old
// flow moves to it, the old flow is deleted, and the new one takes the
// old aliases. Keycloak keeps bindings by id, so the renames move nothing.
//
// A run killed half-way leaves the temporary flow behind; the next run
// picks it up where it stands: it is built on, not made twice, and when
// the old flow is already gone, only the renames are left.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// rebuildFlow carries out the replace of a top-level flow.
func (r *run) rebuildFlow(ctx context.Context, a *plan.Action, body map[string]any) error {
	realm, alias := a.Realm, a.Desired.Key
	temp := alias + model.RebuildSuffix
	flows := model.KindByName(model.KindFlow)
	ids, err := r.topLevelFlowIDs(ctx, realm)
	if err != nil {
		return err
	}
	newID := ids[temp]
	if newID == "" {
		create := map[string]any{"alias": temp, "providerId": body["providerId"], "topLevel": true, "builtIn": false, "description": body["description"]}
		if newID, err = r.api.Post(ctx, fill(flows.Endpoints.Create, realm), create); err != nil {
			return fmt.Errorf("making the new flow %q: %w", temp, err)
		}
		if newID == "" {
			if ids, err = r.topLevelFlowIDs(ctx, realm); err != nil {
				return err
			}
			newID = ids[temp]
		}
	}
	steps := withSuffix(body[model.ExecutionsField])
	if err := r.syncSteps(ctx, realm, temp, steps); err != nil {
		return fmt.Errorf("building the new flow %q: %w", temp, err)
	}
	configs := r.rebuiltConfigs(a.Realm)
	if err := r.configureSteps(ctx, realm, temp, steps, configs); err != nil {
		return fmt.Errorf("building the new flow %q: %w", temp, err)
	}
	if oldID := ids[alias]; oldID != "" {
		if err := r.moveBindings(ctx, realm, alias, oldID, temp, newID); err != nil {
			return fmt.Errorf("moving the bindings of flow %q to the new one: %w", alias, err)
		}
		if err := r.api.Delete(ctx, fill(flows.Endpoints.Item, realm, "{id}", oldID), nil); err != nil && !notFound(err) {
			return fmt.Errorf("deleting the old flow %q (every binding is on the new one, %q): %w", alias, temp, err)
		}
	}
	if err := r.renameFlow(ctx, realm, newID, alias); err != nil {
		return err
	}
	if err := r.renameSteps(ctx, realm, alias, configs); err != nil {
		return err
	}
	r.mu.Lock()
	r.ids[ref{realm, model.KindFlow, alias}] = newID
	if known := r.flowIDs[realm]; known != nil {
		known[alias] = newID
		delete(known, temp)
	} else if lr := r.live[realm]; lr != nil && lr.FlowIDs != nil {
		known = map[string]string{}
		for k, v := range lr.FlowIDs {
			known[k] = v
		}
		known[alias] = newID
		r.flowIDs[realm] = known
	}
	r.mu.Unlock()
	return nil
}

// finishRebuild completes the rebuild an earlier run left with the old
// flow deleted and the new one not yet renamed (the plan then creates the
// flow): true when it found one to finish.
func (r *run) finishRebuild(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	lr := r.live[a.Realm]
	if lr == nil || lr.Get(model.KindFlow, a.Desired.Key+model.RebuildSuffix) == nil {
		return false, nil
	}
	return true, r.rebuildFlow(ctx, a, body)
}

// topLevelFlowIDs reads the realm's top-level flows: alias → id.
func (r *run) topLevelFlowIDs(ctx context.Context, realm string) (map[string]string, error) {
	var list []map[string]any
	if err := r.api.Get(ctx, fill(model.KindByName(model.KindFlow).Endpoints.Create, realm), nil, &list); err != nil {
		return nil, fmt.Errorf("reading the realm's flows: %w", err)
	}
	ids := map[string]string{}
	for _, f := range list {
		ids[fmt.Sprint(f["alias"])] = fmt.Sprint(f["id"])
	}
	return ids, nil
}

// withSuffix is a copy of steps with every sub-flow and config alias
// given the rebuild's suffix.
func withSuffix(steps any) []any {
	list, _ := steps.([]any)
	out := make([]any, len(list))
	for i, item := range list {
		step, _ := item.(map[string]any)
		c := map[string]any{}
		for k, v := range step {
			c[k] = v
		}
		for _, f := range []string{"flowAlias", "authenticatorConfig"} {
			if s, _ := c[f].(string); s != "" {
				c[f] = s + model.RebuildSuffix
			}
		}
		if sub, ok := c[model.ExecutionsField]; ok {
			c[model.ExecutionsField] = withSuffix(sub)
		}
		out[i] = c
	}
	return out
}

// rebuiltConfigs are the desired configs made again with rebuilt flows,
// by alias: the plan's actions for them carry what the files say.
func (r *run) rebuiltConfigs(realm string) map[string]*model.Entity {
	out := map[string]*model.Entity{}
	for i := range r.plan.Actions {
		a := &r.plan.Actions[i]
		if a.Realm == realm && a.Kind == model.KindAuthConfig && a.Desired != nil && (a.Reason == plan.Rebuild || a.Verb == plan.Create) {
			out[a.Key] = a.Desired
		}
	}
	return out
}

// configureSteps gives the steps of flow alias (and of its sub-flows)
// the configs they name and do not have yet, from the files.
func (r *run) configureSteps(ctx context.Context, realm, alias string, want []any, configs map[string]*model.Entity) error {
	live, err := r.levelZero(ctx, fill(model.FlowExecutionsPath, realm, "{alias}", alias))
	if err != nil {
		return err
	}
	lk := infoKeys(live)
	wk := model.KindByName(model.KindFlow).Steps.StepKeys(want)
	for i, key := range wk {
		w, _ := want[i].(map[string]any)
		if sub, _ := w["flowAlias"].(string); sub != "" {
			inner, _ := w[model.ExecutionsField].([]any)
			if err := r.configureSteps(ctx, realm, sub, inner, configs); err != nil {
				return err
			}
			continue
		}
		name, _ := w["authenticatorConfig"].(string)
		if name == "" {
			continue
		}
		j := slices.Index(lk, key)
		if j < 0 {
			return fmt.Errorf("flow %q has no step %s to configure", alias, key)
		}
		if id, _ := live[j]["authenticationConfig"].(string); id != "" {
			continue // made by an earlier run
		}
		desired := configs[strings.TrimSuffix(name, model.RebuildSuffix)]
		if desired == nil {
			return fmt.Errorf("step %s names config %q, which the plan does not make", key, strings.TrimSuffix(name, model.RebuildSuffix))
		}
		config := map[string]any{"alias": name, "config": desired.Fields["config"]}
		path := fill(model.ExecutionPath, realm, "{id}", fmt.Sprint(live[j]["id"])) + "/config"
		if _, err := r.api.Post(ctx, path, config); err != nil {
			return fmt.Errorf("configuring step %s: %w", key, err)
		}
	}
	return nil
}

// moveBindings points every binding of the old flow at the new one: the
// kinds whose flow fields name it by alias (the realm's bindings,
// identity providers' login flows) and whose body references name it by
// id (clients' overrides). They are read from the server, not from the
// files: a binding the files do not manage moves too.
func (r *run) moveBindings(ctx context.Context, realm, oldAlias, oldID, newAlias, newID string) error {
	for _, k := range model.Kinds() {
		if len(k.FlowFields) == 0 && len(k.BodyRefs) == 0 {
			continue
		}
		var objects []map[string]any
		if k.Root {
			var rep map[string]any
			if err := r.api.Get(ctx, fill(k.Endpoints.Item, realm), nil, &rep); err != nil {
				return err
			}
			objects = []map[string]any{rep}
		} else {
			list := k.Endpoints.List
			if list == "" {
				list = k.Endpoints.Create
			}
			var err error
			if k.Read.Unpaged {
				err = r.api.Get(ctx, fill(list, realm), nil, &objects)
			} else {
				objects, err = r.api.List(ctx, fill(list, realm), nil, 100)
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", k.Plural, err)
			}
		}
		for _, obj := range objects {
			if !bindsFlow(k, obj, oldAlias, oldID) {
				continue
			}
			path := fill(k.Endpoints.Item, realm)
			if !k.Root {
				id := fmt.Sprint(obj["id"])
				if k.KeyIsID {
					id = fmt.Sprint(obj[k.KeyField])
				}
				path = fill(k.Endpoints.Item, realm, "{id}", id)
			}
			// The whole object as it is now, never a listed or sparse one.
			var current map[string]any
			if !k.Root {
				if err := r.api.Get(ctx, path, nil, &current); err != nil {
					return err
				}
			} else {
				current = obj
			}
			for _, f := range k.FlowFields {
				if current[f] == oldAlias {
					current[f] = newAlias
				}
			}
			for _, b := range k.BodyRefs {
				m, _ := current[b.Field].(map[string]any)
				for name, v := range m {
					if v == oldID {
						m[name] = newID
					}
				}
			}
			if err := r.api.Put(ctx, path, current); err != nil {
				return fmt.Errorf("%s %v: %w", k.Title, obj[k.KeyField], err)
			}
		}
	}
	return nil
}

// bindsFlow reports whether obj binds the flow (by alias or by id).
func bindsFlow(k *model.Kind, obj map[string]any, alias, id string) bool {
	for _, f := range k.FlowFields {
		if obj[f] == alias {
			return true
		}
	}
	for _, b := range k.BodyRefs {
		m, _ := obj[b.Field].(map[string]any)
		for _, v := range m {
			if v == id {
				return true
			}
		}
	}
	return false
}

// renameFlow gives a flow (top-level or sub-flow) its alias.
func (r *run) renameFlow(ctx context.Context, realm, id, alias string) error {
	path := fill(model.KindByName(model.KindFlow).Endpoints.Item, realm, "{id}", id)
	var rep map[string]any
	if err := r.api.Get(ctx, path, nil, &rep); err != nil {
		return err
	}
	if rep["alias"] == alias {
		return nil
	}
	from := rep["alias"]
	rep["alias"] = alias
	delete(rep, model.ExecutionsField)
	if err := r.api.Put(ctx, path, rep); err != nil {
		return fmt.Errorf("renaming flow %q to %q: %w", from, alias, err)
	}
	return nil
}

// renameSteps drops the rebuild's suffix from the sub-flows and configs
// of flow alias, level by level.
func (r *run) renameSteps(ctx context.Context, realm, alias string, configs map[string]*model.Entity) error {
	live, err := r.levelZero(ctx, fill(model.FlowExecutionsPath, realm, "{alias}", alias))
	if err != nil {
		return err
	}
	for _, info := range live {
		name, _ := info["alias"].(string)
		if id, _ := info["authenticationConfig"].(string); id != "" && strings.HasSuffix(name, model.RebuildSuffix) {
			final := strings.TrimSuffix(name, model.RebuildSuffix)
			d := configs[final]
			if d == nil {
				return fmt.Errorf("config %q: the plan does not make %q, so its settings are not known", name, final)
			}
			// The settings from the files, never the read ones: Keycloak
			// masks some values it answers.
			config := map[string]any{"id": id, "alias": final, "config": d.Fields["config"]}
			if err := r.api.Put(ctx, fill(model.KindByName(model.KindAuthConfig).Endpoints.Item, realm, "{id}", id), config); err != nil {
				return fmt.Errorf("renaming config %q: %w", name, err)
			}
		}
		if info["authenticationFlow"] != true {
			continue
		}
		sub, _ := info["displayName"].(string)
		final := strings.TrimSuffix(sub, model.RebuildSuffix)
		if final != sub {
			if err := r.renameFlow(ctx, realm, fmt.Sprint(info["flowId"]), final); err != nil {
				return err
			}
		}
		if err := r.renameSteps(ctx, realm, final, configs); err != nil {
			return err
		}
	}
	return nil
}
