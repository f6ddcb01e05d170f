package live

// The read hooks of authentication: flows with their sub-flows nested in
// the executions that run them, and the authenticator configs those
// executions name. The flows' list answers top-level flows only; each
// flow's execution tree (one GET) gives the steps of its sub-flows, their
// ids and the ids of the configs; a sub-flow's kind (basic or form) needs
// one GET of the sub-flow, and a config one GET of its own.

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

func init() {
	hooks["flows"] = (*reader).flowTrees
	hooks["authenticatorConfigs"] = (*reader).authenticatorConfigs
}

// flowTrees reads every top-level flow with its steps nested.
func (rd *reader) flowTrees(ctx context.Context) error {
	k := model.KindByName(model.KindFlow)
	var flows []map[string]any
	if err := rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil), nil, &flows); err != nil {
		return err
	}
	rd.recordFlowAliases(flows)
	trees := make([][]map[string]any, len(flows))
	err := parallel.ForEach(ctx, rd.workers, len(flows), func(ctx context.Context, i int) error {
		path := strings.ReplaceAll(rd.path(model.FlowExecutionsPath, k, nil), "{alias}", url.PathEscape(fmt.Sprint(flows[i]["alias"])))
		return rd.api.Get(ctx, path, nil, &trees[i])
	})
	if err != nil {
		return err
	}
	var subFlows []subFlow
	for i, f := range flows {
		delete(f, "authenticationExecutions") // the tree says it, with ids
		steps, subs, configs := nestSteps(trees[i])
		f[model.ExecutionsField] = steps
		subFlows = append(subFlows, subs...)
		rd.configUses = append(rd.configUses, configs...)
	}
	// A sub-flow's kind is only in its own representation.
	err = parallel.ForEach(ctx, rd.workers, len(subFlows), func(ctx context.Context, i int) error {
		var rep map[string]any
		path := strings.ReplaceAll(rd.path(k.Endpoints.Item, k, nil), "{id}", url.PathEscape(subFlows[i].id))
		if err := rd.api.Get(ctx, path, nil, &rep); err != nil {
			return err
		}
		if p, _ := rep["providerId"].(string); p != "" {
			rd.mu.Lock()
			subFlows[i].step["providerId"] = p
			rd.mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	rd.place(k, nil, flows)
	if !rd.wantAuthenticators {
		return nil
	}
	return rd.authenticators(ctx)
}

// authenticators lists the providers executions can name, for
// validation.
func (rd *reader) authenticators(ctx context.Context) error {
	found := make([][]map[string]any, len(model.AuthenticatorListPaths))
	err := parallel.ForEach(ctx, rd.workers, len(found), func(ctx context.Context, i int) error {
		return rd.api.Get(ctx, rd.path(model.AuthenticatorListPaths[i], nil, nil), nil, &found[i])
	})
	if err != nil {
		return err
	}
	for _, list := range found {
		for _, p := range list {
			if id, _ := p["id"].(string); id != "" {
				rd.authenticatorIDs = append(rd.authenticatorIDs, id)
			}
		}
	}
	sort.Strings(rd.authenticatorIDs)
	return nil
}

// configUse is a step that names a config, by the config's id.
type configUse struct {
	id   string
	step map[string]any
}

type subFlow struct {
	id   string
	step map[string]any
}

// nestSteps turns a flow's flattened execution tree (each entry with its
// level, in order) into nested steps in the files' shape. It returns the
// sub-flows whose kind is still to be read and the configs' ids.
func nestSteps(tree []map[string]any) (steps []any, subs []subFlow, configs []configUse) {
	root := &stepNode{}
	open := []*stepNode{root} // open[l]: the sub-flow whose steps are at level l
	for _, info := range tree {
		level := 0
		if l, ok := info["level"].(float64); ok {
			level = int(l)
		}
		if level >= len(open) {
			level = len(open) - 1 // a tree out of shape: keep what it says
		}
		open = open[:level+1]
		n := &stepNode{step: map[string]any{}}
		if r, _ := info["requirement"].(string); r != "" {
			n.step["requirement"] = r
		}
		if id, _ := info["authenticationConfig"].(string); id != "" {
			// Named by its alias once the config is read: the tree gives
			// the alias only for authenticators that describe a config.
			configs = append(configs, configUse{id: id, step: n.step})
		}
		open[level].children = append(open[level].children, n)
		if info["authenticationFlow"] == true {
			n.flow = true
			n.step["flowAlias"] = info["displayName"]
			if d, _ := info["description"].(string); d != "" {
				n.step["description"] = d
			}
			subs = append(subs, subFlow{id: fmt.Sprint(info["flowId"]), step: n.step})
			open = append(open, n)
			continue
		}
		n.step["authenticator"] = info["providerId"]
	}
	return root.list(), subs, configs
}

type stepNode struct {
	step     map[string]any
	flow     bool
	children []*stepNode
}

func (n *stepNode) list() []any {
	out := make([]any, 0, len(n.children))
	for _, c := range n.children {
		if c.flow {
			c.step[model.ExecutionsField] = c.list()
		}
		out = append(out, c.step)
	}
	return out
}

// authenticatorConfigs reads the configs the flows' executions use.
func (rd *reader) authenticatorConfigs(ctx context.Context) error {
	k := model.KindByName(model.KindAuthConfig)
	uses := map[string][]map[string]any{}
	for _, u := range rd.configUses {
		uses[u.id] = append(uses[u.id], u.step)
	}
	ids := model.SortedKeys(uses)
	configs := make([]map[string]any, len(ids))
	err := parallel.ForEach(ctx, rd.workers, len(ids), func(ctx context.Context, i int) error {
		path := rd.path(k.Endpoints.Item, k, &node{kind: k, obj: map[string]any{"id": ids[i]}})
		err := rd.api.Get(ctx, path, nil, &configs[i])
		if NotFound(err) {
			return nil // removed since the tree was read
		}
		return err
	})
	if err != nil {
		return err
	}
	var found []map[string]any
	for i, c := range configs {
		if c == nil {
			continue
		}
		found = append(found, c)
		for _, step := range uses[ids[i]] {
			step["authenticatorConfig"] = c["alias"]
		}
	}
	rd.place(k, nil, found)
	return nil
}

// recordFlowAliases keeps the top-level flows' aliases and ids, which the
// realm's bindings and clients' overrides name.
func (rd *reader) recordFlowAliases(flows []map[string]any) {
	rd.flows = nil
	rd.flowIDs = map[string]string{}
	for _, f := range flows {
		if alias, _ := f["alias"].(string); alias != "" {
			rd.flows = append(rd.flows, alias)
			rd.flowIDs[alias] = fmt.Sprint(f["id"])
		}
	}
	sort.Strings(rd.flows)
}
