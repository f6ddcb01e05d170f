package fakekc

// Authentication flows as Keycloak keeps them: flows (top-level and
// sub-flows) are objects of the flow kind, a flow's executions an ordered
// list beside it, each an authenticator or a sub-flow, with a requirement,
// a priority and maybe a config. Only what realmsync's reads and writes
// use is here: the execution tree, adding, changing, moving and removing
// executions, and configs made through their execution.

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/realmsync/realmsync/internal/model"
)

type execution struct {
	id          string
	provider    string // the authenticator; "" for a sub-flow
	subFlow     string // the sub-flow's object id
	requirement string
	priority    int
	config      string // the config's object id
}

func (rl *realm) flowByAlias(alias string) *object {
	for _, o := range rl.ofKindAll(model.KindByName(model.KindFlow)) {
		if o.rep["alias"] == alias {
			return o
		}
	}
	return nil
}

// stepsOf is a flow's executions in priority order.
func (rl *realm) stepsOf(flowID string) []*execution {
	steps := rl.executions[flowID]
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].priority < steps[j].priority })
	return steps
}

func (rl *realm) findExecution(id string) (flowID string, e *execution) {
	for f, steps := range rl.executions {
		for _, s := range steps {
			if s.id == id {
				return f, s
			}
		}
	}
	return "", nil
}

func flowRoutes(add func(method, tmpl string, h handler)) {
	flows := model.KindByName(model.KindFlow)
	configs := model.KindByName(model.KindAuthConfig)
	flowOf := func(rl *realm, r *request) (*object, error) {
		f := rl.flowByAlias(r.vars["alias"])
		if f == nil {
			return nil, notFound("Could not find flow %s", r.vars["alias"])
		}
		return f, nil
	}
	add(http.MethodGet, model.FlowExecutionsPath, func(_ *Server, rl *realm, r *request) (answer, error) {
		f, err := flowOf(rl, r)
		if err != nil {
			return answer{}, err
		}
		var out []any
		var walk func(flowID string, level int)
		walk = func(flowID string, level int) {
			for i, s := range rl.stepsOf(flowID) {
				info := map[string]any{"id": s.id, "requirement": s.requirement, "level": level, "index": i, "priority": s.priority}
				if s.config != "" {
					info["authenticationConfig"] = s.config
					if c := rl.objects[s.config]; c != nil {
						info["alias"] = c.rep["alias"] // as Keycloak: the config's alias
					}
				}
				if s.subFlow != "" {
					sub := rl.objects[s.subFlow]
					info["authenticationFlow"] = true
					info["flowId"] = s.subFlow
					info["displayName"] = sub.rep["alias"]
					if d, _ := sub.rep["description"].(string); d != "" {
						info["description"] = d
					}
					out = append(out, info)
					walk(s.subFlow, level+1)
					continue
				}
				info["providerId"] = s.provider
				out = append(out, info)
			}
		}
		walk(f.id, 0)
		if out == nil {
			out = []any{}
		}
		return answer{value: out}, nil
	})
	next := func(rl *realm, flowID string) int {
		p := 0
		for _, s := range rl.executions[flowID] {
			if s.priority >= p {
				p = s.priority + 1
			}
		}
		return p
	}
	add(http.MethodPost, model.FlowExecutionsPath+"/execution", func(s *Server, rl *realm, r *request) (answer, error) {
		f, err := flowOf(rl, r)
		if err != nil {
			return answer{}, err
		}
		provider, _ := r.bodyObject()["provider"].(string)
		e := &execution{id: s.newID(), provider: provider, requirement: "DISABLED", priority: next(rl, f.id)}
		rl.executions[f.id] = append(rl.executions[f.id], e)
		return answer{location: url.PathEscape(rl.name()) + "/authentication/executions/" + e.id}, nil
	})
	add(http.MethodPost, model.FlowExecutionsPath+"/flow", func(s *Server, rl *realm, r *request) (answer, error) {
		f, err := flowOf(rl, r)
		if err != nil {
			return answer{}, err
		}
		body := r.bodyObject()
		kind, _ := body["type"].(string)
		sub, err := s.createObject(rl, flows, "", map[string]any{"alias": body["alias"], "description": body["description"], "providerId": kind, "topLevel": false})
		if err != nil {
			return answer{}, err
		}
		sub.rep["topLevel"] = false
		rl.executions[f.id] = append(rl.executions[f.id], &execution{id: s.newID(), subFlow: sub.id, requirement: "DISABLED", priority: next(rl, f.id)})
		return answer{location: url.PathEscape(rl.name()) + "/authentication/flows/" + sub.id}, nil
	})
	add(http.MethodPut, model.FlowExecutionsPath, func(_ *Server, rl *realm, r *request) (answer, error) {
		body := r.bodyObject()
		_, e := rl.findExecution(fmt.Sprint(body["id"]))
		if e == nil {
			return answer{}, notFound("Could not find execution")
		}
		if req, _ := body["requirement"].(string); req != "" {
			e.requirement = req
		}
		p, _ := body["priority"].(float64)
		e.priority = int(p) // as Keycloak 26: an omitted priority is 0
		return answer{}, nil
	})
	add(http.MethodDelete, model.ExecutionPath, func(s *Server, rl *realm, r *request) (answer, error) {
		flowID, e := rl.findExecution(r.vars["id"])
		if e == nil {
			return answer{}, notFound("Could not find execution")
		}
		s.removeExecution(rl, flowID, e)
		return answer{}, nil
	})
	add(http.MethodPost, model.ExecutionPath+"/config", func(s *Server, rl *realm, r *request) (answer, error) {
		_, e := rl.findExecution(r.vars["id"])
		if e == nil {
			return answer{}, notFound("Could not find execution")
		}
		c, err := s.createObject(rl, configs, "", r.bodyObject())
		if err != nil {
			return answer{}, err
		}
		e.config = c.id
		return answer{location: url.PathEscape(rl.name()) + "/authentication/config/" + c.id}, nil
	})
}

// removeExecution removes an execution with its sub-flow (and that
// sub-flow's executions) and its config.
func (s *Server) removeExecution(rl *realm, flowID string, e *execution) {
	steps := rl.executions[flowID]
	for i, x := range steps {
		if x == e {
			rl.executions[flowID] = append(steps[:i:i], steps[i+1:]...)
		}
	}
	if e.config != "" {
		rl.remove(e.config)
	}
	if e.subFlow != "" {
		s.removeFlowSteps(rl, e.subFlow)
		rl.remove(e.subFlow)
	}
}

// removeFlowSteps removes every execution of a flow, as deleting it does.
func (s *Server) removeFlowSteps(rl *realm, flowID string) {
	for _, e := range append([]*execution{}, rl.executions[flowID]...) {
		s.removeExecution(rl, flowID, e)
	}
	delete(rl.executions, flowID)
}
