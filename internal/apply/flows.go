package apply

// The write hooks of authentication. A flow is changed in place, never
// deleted and made again: its executions are added, removed, given their
// requirement and moved one by one through the flow's own endpoints, so
// bindings and logins in progress keep pointing at the same flow (the one
// change Keycloak cannot make so, a flow's kind, is rebuild.go's). Configs
// are made through the execution they configure, required actions by
// registering their provider.

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// writeHook writes an action for a kind whose API is not one collection
// with items; false: the generic write does it.
type writeHook func(r *run, ctx context.Context, a *plan.Action, body map[string]any) (bool, error)

var writeHooks = map[string]writeHook{
	"flow":                (*run).writeFlow,
	"authenticatorConfig": (*run).createConfig,
	"requiredAction":      (*run).registerRequiredAction,
	"wholeList":           (*run).writeListItem,
	"localization":        (*run).writeLocalization,
	"authorization":       (*run).writeAuthorization,
}

// removeHooks delete an object of a kind whose write hook also owns its
// delete (an item of a whole-list document, an authorization object found
// by name); kinds without one go by the generic DELETE of their item.
var removeHooks = map[string]func(r *run, ctx context.Context, a *plan.Action) error{
	"wholeList":     (*run).removeListItem,
	"authorization": (*run).removeAuthorization,
}

func fill(tmpl, realm string, vars ...string) string {
	out := strings.ReplaceAll(tmpl, "{realm}", url.PathEscape(realm))
	for i := 0; i+1 < len(vars); i += 2 {
		out = strings.ReplaceAll(out, vars[i], url.PathEscape(vars[i+1]))
	}
	return out
}

// writeFlow creates a top-level flow or changes its description, then
// brings its steps to the desired ones.
func (r *run) writeFlow(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	d := a.Desired
	if a.Verb == plan.Replace {
		return true, r.rebuildFlow(ctx, a, body)
	}
	switch {
	case a.Verb == plan.Create:
		if done, err := r.finishRebuild(ctx, a, body); done {
			return true, err
		}
		create := map[string]any{"alias": d.Key, "providerId": "basic-flow", "topLevel": true, "builtIn": false}
		for _, f := range []string{"description", "providerId"} {
			if v, ok := body[f]; ok {
				create[f] = v
			}
		}
		path, err := r.expand(ctx, a.Realm, d, d.Kind.Endpoints.Create)
		if err != nil {
			return true, err
		}
		id, err := r.api.Post(ctx, path, create)
		switch {
		case err != nil && !mayExist(err):
			return true, err
		case err == nil && id != "":
			r.mu.Lock()
			r.ids[ref{a.Realm, d.Kind.Name, d.Key}] = id
			r.mu.Unlock()
		}
		// An earlier run that was killed made it: the steps below finish it.
	case changes(a, "description"):
		path, current, err := r.readItem(ctx, a.Realm, d)
		if err != nil {
			return true, err
		}
		current["description"] = body["description"]
		delete(current, model.ExecutionsField)
		if err := r.api.Put(ctx, path, current); err != nil {
			return true, err
		}
	}
	if want, ok := body[model.ExecutionsField]; ok {
		return true, r.syncSteps(ctx, a.Realm, d.Key, want)
	}
	return true, nil
}

// changes reports whether the action changes field (or inside it).
func changes(a *plan.Action, field string) bool {
	for _, c := range a.Changes {
		if c.Path == field || strings.HasPrefix(c.Path, field+".") {
			return true
		}
	}
	return false
}

// syncSteps makes the steps of flow alias (top-level or sub-flow) the
// desired ones, from a fresh read of the flow: removals first, then
// additions, requirements, order, and each sub-flow's own steps. Steps
// that are as desired get no call.
func (r *run) syncSteps(ctx context.Context, realm, alias string, want any) error {
	wl, _ := want.([]any)
	steps := model.KindByName(model.KindFlow).Steps
	base := fill(model.FlowExecutionsPath, realm, "{alias}", alias)
	live, err := r.levelZero(ctx, base)
	if err != nil {
		return err
	}
	wk := steps.StepKeys(wl)
	lk := infoKeys(live)
	rekind, err := r.subFlowsOfOtherKind(ctx, realm, wl, wk, lk, live)
	if err != nil {
		return err
	}
	changed := false
	for j, key := range lk {
		if !slices.Contains(wk, key) || rekind[key] {
			if err := r.api.Delete(ctx, fill(model.ExecutionPath, realm, "{id}", fmt.Sprint(live[j]["id"])), nil); err != nil && !notFound(err) {
				return fmt.Errorf("removing step %s of flow %q: %w", key, alias, err)
			}
			changed = true
		}
	}
	for i, key := range wk {
		if slices.Contains(lk, key) && !rekind[key] {
			continue
		}
		if err := r.addStep(ctx, base, wl[i]); err != nil {
			return fmt.Errorf("adding step %s to flow %q: %w", key, alias, err)
		}
		changed = true
	}
	if changed {
		if live, err = r.levelZero(ctx, base); err != nil {
			return err
		}
		lk = infoKeys(live)
	}
	index := map[string]map[string]any{}
	for j, key := range lk {
		index[key] = live[j]
	}
	for i, key := range wk {
		w, _ := wl[i].(map[string]any)
		info := index[key]
		if info == nil {
			return fmt.Errorf("flow %q: step %s is not there after adding it", alias, key)
		}
		if req, ok := w["requirement"]; ok && req != info["requirement"] {
			info["requirement"] = req
			if err := r.api.Put(ctx, base, info); err != nil {
				return fmt.Errorf("setting the requirement of step %s in flow %q: %w", key, alias, err)
			}
		}
	}
	if err := r.orderSteps(ctx, realm, base, alias, wk, lk, index); err != nil {
		return err
	}
	for i, key := range wk {
		w, _ := wl[i].(map[string]any)
		sub, _ := w["flowAlias"].(string)
		if sub == "" {
			continue
		}
		info := index[key]
		if desc, ok := w["description"]; ok && desc != "" && desc != info["description"] {
			path := fill(model.KindByName(model.KindFlow).Endpoints.Item, realm, "{id}", fmt.Sprint(info["flowId"]))
			var rep map[string]any
			if err := r.api.Get(ctx, path, nil, &rep); err != nil {
				return err
			}
			rep["description"] = desc
			delete(rep, model.ExecutionsField)
			if err := r.api.Put(ctx, path, rep); err != nil {
				return fmt.Errorf("describing sub-flow %q: %w", sub, err)
			}
		}
		if sw, ok := w[model.ExecutionsField]; ok {
			if err := r.syncSteps(ctx, realm, sub, sw); err != nil {
				return err
			}
		}
	}
	return nil
}

// subFlowsOfOtherKind finds the sub-flows whose kind (providerId) the
// files change: Keycloak cannot change it, so the step is removed and
// added again inside its flow. Nothing binds a sub-flow, so no binding
// is ever left dangling.
func (r *run) subFlowsOfOtherKind(ctx context.Context, realm string, wl []any, wk, lk []string, live []map[string]any) (map[string]bool, error) {
	out := map[string]bool{}
	for i, key := range wk {
		w, _ := wl[i].(map[string]any)
		want, _ := w["providerId"].(string)
		j := slices.Index(lk, key)
		if want == "" || w["flowAlias"] == nil || j < 0 {
			continue
		}
		var rep map[string]any
		if err := r.api.Get(ctx, fill(model.KindByName(model.KindFlow).Endpoints.Item, realm, "{id}", fmt.Sprint(live[j]["flowId"])), nil, &rep); err != nil {
			return nil, err
		}
		if have, _ := rep["providerId"].(string); have != want {
			out[key] = true
		}
	}
	return out, nil
}

// levelZero reads a flow's own executions (not its sub-flows' steps).
func (r *run) levelZero(ctx context.Context, base string) ([]map[string]any, error) {
	var tree []map[string]any
	if err := r.api.Get(ctx, base, nil, &tree); err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, info := range tree {
		if l, _ := info["level"].(float64); l == 0 {
			out = append(out, info)
		}
	}
	return out, nil
}

// infoKeys keys a flow's executions as the files key steps.
func infoKeys(live []map[string]any) []string {
	items := make([]any, len(live))
	for i, info := range live {
		if info["authenticationFlow"] == true {
			items[i] = map[string]any{"flowAlias": info["displayName"]}
		} else {
			items[i] = map[string]any{"authenticator": info["providerId"]}
		}
	}
	return model.KindByName(model.KindFlow).Steps.StepKeys(items)
}

// addStep adds an execution or a sub-flow at the end of a flow.
func (r *run) addStep(ctx context.Context, base string, step any) error {
	w, _ := step.(map[string]any)
	if sub, _ := w["flowAlias"].(string); sub != "" {
		kind, _ := w["providerId"].(string)
		if kind == "" {
			kind = "basic-flow"
		}
		body := map[string]any{"alias": sub, "type": kind, "description": w["description"]}
		if kind == "form-flow" {
			body["provider"] = "registration-page-form" // the one form Keycloak has
		}
		_, err := r.api.Post(ctx, base+"/flow", body)
		return err
	}
	_, err := r.api.Post(ctx, base+"/execution", map[string]any{"provider": w["authenticator"]})
	return err
}

// orderSteps moves a flow's executions into the desired order: by their
// priority where the server has one (Keycloak 25+), changing as few as
// keeps the rest in order; by raising one step at a time otherwise.
func (r *run) orderSteps(ctx context.Context, realm, base, alias string, want, have []string, index map[string]map[string]any) error {
	if slices.Equal(want, have) {
		return nil
	}
	prio := make([]int, len(want))
	for i, key := range want {
		p, ok := index[key]["priority"].(float64)
		if !ok {
			return r.raiseSteps(ctx, realm, alias, want, have, index)
		}
		prio[i] = int(p)
	}
	next := placePriorities(prio)
	for i, key := range want {
		if next[i] != prio[i] {
			info := index[key]
			info["priority"] = next[i]
			if err := r.api.Put(ctx, base, info); err != nil {
				return fmt.Errorf("moving step %s in flow %q: %w", key, alias, err)
			}
		}
	}
	return nil
}

// placePriorities returns priorities in the desired order that keep the
// longest run of steps already in order where they are, and fit the
// others between them; when they do not fit, every step is numbered
// anew, ten apart.
func placePriorities(prio []int) []int {
	keep := longestIncreasing(prio)
	out := slices.Clone(prio)
	for i := 0; i < len(out); {
		if keep[i] {
			i++
			continue
		}
		j := i
		for j < len(out) && !keep[j] {
			j++
		}
		// Steps i..j-1 go between out[i-1] and out[j].
		n := j - i
		lo, hi := 0, 0
		switch {
		case i == 0 && j == len(out):
			lo, hi = 0, (n+1)*10
		case i == 0:
			hi = out[j]
			lo = hi - (n+1)*10
		case j == len(out):
			lo = out[i-1]
			hi = lo + (n+1)*10
		default:
			lo, hi = out[i-1], out[j]
		}
		if hi-lo <= n {
			renumbered := make([]int, len(prio))
			for k := range renumbered {
				renumbered[k] = (k + 1) * 10
			}
			return renumbered
		}
		for t := 0; t < n; t++ {
			out[i+t] = lo + (hi-lo)*(t+1)/(n+1)
		}
		i = j
	}
	return out
}

// longestIncreasing marks a longest strictly increasing subsequence.
func longestIncreasing(a []int) []bool {
	n := len(a)
	length := make([]int, n)
	prev := make([]int, n)
	best := -1
	for i := range a {
		length[i], prev[i] = 1, -1
		for j := 0; j < i; j++ {
			if a[j] < a[i] && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	keep := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		keep[i] = true
	}
	return keep
}

// raiseSteps orders steps on a server without priorities: each step in
// turn is raised until it stands in its place.
func (r *run) raiseSteps(ctx context.Context, realm, alias string, want, have []string, index map[string]map[string]any) error {
	current := slices.Clone(have)
	for i, key := range want {
		j := slices.Index(current, key)
		for ; j > i; j-- {
			path := fill(model.ExecutionPath, realm, "{id}", fmt.Sprint(index[key]["id"])) + "/raise-priority"
			if _, err := r.api.Post(ctx, path, nil); err != nil {
				return fmt.Errorf("moving step %s in flow %q: %w", key, alias, err)
			}
			current[j], current[j-1] = current[j-1], current[j]
		}
	}
	return nil
}

// createConfig makes an authenticator config through the execution that
// names it, which this plan's flow actions declare.
func (r *run) createConfig(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	if a.Reason == plan.Rebuild {
		return true, nil // made again by its flow's rebuild, which this action follows
	}
	if a.Verb != plan.Create {
		return false, nil
	}
	owner, step := "", ""
	for i := range r.plan.Actions {
		fa := &r.plan.Actions[i]
		if fa.Realm != a.Realm || fa.Kind != model.KindFlow || fa.Desired == nil {
			continue
		}
		one := model.NewRealm(a.Realm)
		_ = one.Add(fa.Desired)
		if uses := model.FlowConfigUses(one)[a.Key]; len(uses) > 0 {
			owner, step = uses[0][0], uses[0][1]
		}
	}
	if owner == "" {
		return true, fmt.Errorf("no execution in the files' flows names it (authenticatorConfig: %s), and Keycloak makes a config only through its execution", a.Key)
	}
	live, err := r.levelZero(ctx, fill(model.FlowExecutionsPath, a.Realm, "{alias}", owner))
	if err != nil {
		return true, err
	}
	for j, key := range infoKeys(live) {
		if key == step {
			if id, _ := live[j]["authenticationConfig"].(string); id != "" && live[j]["alias"] == a.Key {
				return true, nil // made already (by a rebuild of its flow, by a run killed before it recorded it)
			}
			path := fill(model.ExecutionPath, a.Realm, "{id}", fmt.Sprint(live[j]["id"])) + "/config"
			_, err := r.api.Post(ctx, path, body)
			return true, err
		}
	}
	return true, fmt.Errorf("flow %q has no step %s to configure", owner, step)
}

// registerRequiredAction registers a required action's provider, then
// writes its settings over what registering made.
func (r *run) registerRequiredAction(ctx context.Context, a *plan.Action, body map[string]any) (bool, error) {
	if a.Verb != plan.Create {
		return false, nil
	}
	d := a.Desired
	reg := map[string]any{"providerId": d.Key, "name": d.Key}
	for _, f := range []string{"providerId", "name"} {
		if v, ok := body[f]; ok {
			reg[f] = v
		}
	}
	if _, err := r.api.Post(ctx, fill(model.RegisterRequiredActionPath, a.Realm), reg); err != nil && !mayExist(err) {
		return true, err
	}
	path, current, err := r.readItem(ctx, a.Realm, d)
	if err != nil {
		return true, err
	}
	return true, r.mergeAndPut(ctx, a.Realm, path, d, current, body)
}

// readItem reads an object as the server has it, for a GET, change and
// PUT of the whole of it.
func (r *run) readItem(ctx context.Context, realm string, e *model.Entity) (string, map[string]any, error) {
	path, err := r.itemPath(ctx, realm, e)
	if err != nil {
		return "", nil, err
	}
	var current map[string]any
	if err := r.api.Get(ctx, path, nil, &current); err != nil {
		return "", nil, err
	}
	return path, current, nil
}
