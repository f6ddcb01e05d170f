package model

// Authentication: flows, authenticator configs and required actions.
//
// A flow is one object per top-level flow, holding its sub-flows inside
// the executions that run them (the nested form): a sub-flow has one
// parent in Keycloak, no binding can name it, and the executions of a
// flow and its sub-flows are changed through the top-level flow's own
// endpoints. A realm export's flat list (sub-flows as items with
// topLevel: false, named by the executions' flowAlias) is folded into
// that form when a document is decomposed, so an export converted to
// YAML is valid input as it is.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind names of the authentication kinds.
const (
	KindFlow           = "authenticationFlow"
	KindAuthConfig     = "authenticatorConfig"
	KindRequiredAction = "requiredAction"
)

// ExecutionsField holds a flow's (and a sub-flow's) executions.
const ExecutionsField = "authenticationExecutions"

// Steps describes an ordered list of objects keyed by one of a few fields
// (a flow's executions, by authenticator or sub-flow alias): items are
// compared by key, in order, and the list is the whole truth.
type Steps struct {
	// Field holds the list, in the object and in its items (sub-flows
	// nest).
	Field string
	// Keys: an item's key is the first of these it sets; a key repeated
	// in one list is numbered ("auth-otp-form#2").
	Keys []string
}

// StepKeys are the keys of a list's items, in order.
func (s *Steps) StepKeys(list []any) []string {
	seen := map[string]int{}
	out := make([]string, len(list))
	for i, item := range list {
		obj, _ := item.(map[string]any)
		key := ""
		for _, f := range s.Keys {
			if v, _ := obj[f].(string); v != "" {
				key = v
				break
			}
		}
		seen[key]++
		if n := seen[key]; n > 1 {
			key += "#" + strconv.Itoa(n)
		}
		out[i] = key
	}
	return out
}

// StepPath is how plans and positions name an item of a step list: the
// keys of the sub-flows it is in and its own, joined by " > "
// ("authenticationExecutions[forms > auth-otp-form]").
func StepPath(prefix, field, key string) string {
	if inner, ok := strings.CutSuffix(prefix, "]"); ok && strings.HasPrefix(prefix, field+"[") {
		return inner + StepSeparator + key + "]"
	}
	return fmt.Sprintf("%s[%s]", field, key)
}

// StepSeparator joins the keys of nested steps in a StepPath.
const StepSeparator = " > "

// StepsPath names the list of steps inside the step at prefix (the whole
// list when prefix is ""), for a change of their order.
func StepsPath(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return StepPath(prefix, field, "*")
}

var flowSteps = &Steps{Field: ExecutionsField, Keys: []string{"authenticator", "flowAlias"}}

// Requirements an execution can have.
var requirements = []string{"REQUIRED", "ALTERNATIVE", "DISABLED", "CONDITIONAL"}

// flowProviders are the kinds of flow Keycloak knows.
var flowProviders = []string{"basic-flow", "client-flow", "form-flow"}

// executionFields are what an execution in the nested form may say: an
// export's execution fields, and for a sub-flow its own description,
// provider and executions.
var executionFields = []string{"authenticator", "flowAlias", "requirement", "authenticatorConfig", "description", "providerId", ExecutionsField}

// executionDerived are execution fields Keycloak derives (from the list's
// order, from flowAlias) or that no endpoint changes.
var executionDerived = []string{"priority", "authenticatorFlow", "autheticatorFlow", "userSetupAllowed", "id"}

func flowKind() *Kind {
	return &Kind{
		Name: KindFlow, Title: "authentication flow", Plural: "authenticationFlows",
		Representation: "AuthenticationFlowRepresentation", KeyField: "alias",
		RealmPath:     "authenticationFlows",
		Defaults:      Object{"providerId": "basic-flow"},
		Enums:         map[string][]string{"providerId": flowProviders},
		ServerManaged: []string{"id", "builtIn", "topLevel"},
		Steps:         flowSteps,
		Endpoints:     Endpoints{Create: "{realm}/authentication/flows", Item: "{realm}/authentication/flows/{id}"},
		// The flows' list carries top-level flows only, without ids for
		// their steps: a hook reads each flow's execution tree.
		Read:     ReadSpec{Mode: ReadHook, Hook: "flows"},
		Write:    &WriteSpec{Hook: "flow"},
		ExportTo: "authentication-flows/",
		builtIn:  func(_, key string) bool { return contains(BuiltInFlows, key) },
		check:    checkFlow,
		refuse:   refuseBuiltInFlowChange,
		blocked:  flowStillBound,
		rebuild:  rebuildForKindChange,
	}
}

// authenticatorConfigKind: an execution's settings, by alias. Keycloak
// makes one only through the execution it configures.
func authenticatorConfigKind() *Kind {
	return &Kind{
		Name: KindAuthConfig, Title: "authenticator config", Plural: "authenticatorConfigs",
		Representation: "AuthenticatorConfigRepresentation", KeyField: "alias",
		RealmPath: "authenticatorConfig", DependsOn: []string{KindFlow},
		StringMaps:    []string{"config"},
		MaskedMaps:    []string{"config"},
		ServerManaged: []string{"id"},
		Endpoints:     Endpoints{Item: "{realm}/authentication/config/{id}"},
		// Found through the executions that use them (no list endpoint).
		Read:     ReadSpec{Mode: ReadHook, Hook: "authenticatorConfigs"},
		Write:    &WriteSpec{Hook: "authenticatorConfig"},
		ExportTo: "authentication-flows/configs.yaml",
		check:    checkConfigUse,
	}
}

// requiredActionKind: the actions a user can be asked to do, keyed by
// alias, which the endpoints take in place of an id. A provider not yet
// registered is registered by the create.
func requiredActionKind() *Kind {
	return &Kind{
		Name: KindRequiredAction, Title: "required action", Plural: "requiredActions",
		Representation: "RequiredActionProviderRepresentation", KeyField: "alias", KeyIsID: true,
		RealmPath:  "requiredActions",
		StringMaps: []string{"config"},
		Endpoints: Endpoints{
			Create: "{realm}/authentication/required-actions", Item: "{realm}/authentication/required-actions/{id}",
		},
		Read:     ReadSpec{Unpaged: true},
		Write:    &WriteSpec{Hook: "requiredAction"},
		ExportTo: "required-actions.yaml",
		// Keycloak registers these in every realm; unregistering one is not
		// a sync's business.
		builtIn: func(_, key string) bool { return contains(builtInRequiredActions, key) },
	}
}

// RegisterRequiredActionPath registers a required action provider.
const RegisterRequiredActionPath = "{realm}/authentication/register-required-action"

// AuthenticatorListPaths list the providers an execution can name.
var AuthenticatorListPaths = []string{
	"{realm}/authentication/authenticator-providers", "{realm}/authentication/client-authenticator-providers",
	"{realm}/authentication/form-action-providers", "{realm}/authentication/form-providers",
}

// UnknownAuthenticators explains steps of the desired flows that name an
// authenticator the server does not have (a typo, or a provider not
// deployed), where they are written.
func UnknownAuthenticators(desired, live *Realm) []string {
	if live == nil || len(live.Authenticators) == 0 {
		return nil
	}
	var out []string
	for _, f := range desired.Sorted(KindFlow) {
		var walk func(prefix string, list any)
		walk = func(prefix string, list any) {
			items, _ := list.([]any)
			for i, key := range flowSteps.StepKeys(items) {
				exec, _ := items[i].(map[string]any)
				p := StepPath(prefix, ExecutionsField, key)
				if auth, _ := exec["authenticator"].(string); auth != "" && !contains(live.Authenticators, auth) {
					pos := f.FieldPos.Get(p)
					if pos.IsZero() {
						pos = f.Source
					}
					out = append(out, fmt.Sprintf("%s: authentication flow %q: step %s names authenticator %q, which the server does not have%s",
						pos, f.Key, key, auth, suggestName(auth, live.Authenticators)))
				}
				walk(p, exec[ExecutionsField])
			}
		}
		walk("", f.Fields[ExecutionsField])
	}
	return out
}

// Execution endpoints, relative to a flow's alias or an execution's id.
const (
	FlowExecutionsPath = "{realm}/authentication/flows/{alias}/executions"
	ExecutionPath      = "{realm}/authentication/executions/{id}"
)

var builtInRequiredActions = []string{"CONFIGURE_TOTP", "TERMS_AND_CONDITIONS", "UPDATE_PASSWORD", "UPDATE_PROFILE", "VERIFY_EMAIL",
	"delete_account", "webauthn-register", "webauthn-register-passwordless", "VERIFY_PROFILE", "delete_credential",
	"update_user_locale", "UPDATE_EMAIL", "CONFIGURE_RECOVERY_AUTHN_CODES", "idp_link"}

// liftSubFlows folds a realm export's flat flows (sub-flows as items with
// topLevel: false) into the nested form, in place, sorting executions by
// priority where the document gives one. It returns how paths of the
// folded document map to paths of the document as written, for
// positions.
// HiddenFlows are built-in flows a realm export holds that the admin
// API neither lists nor lets change: a document's copy is left out, with
// the reason.
var HiddenFlows = map[string]string{
	"saml ecp": "Keycloak's SAML ECP flow: the admin API does not list it or let it be changed",
}

// dropHiddenFlows leaves out a document's built-in flows the admin API
// does not show, and says which.
// It returns where each flow kept was written, for positions.
func dropHiddenFlows(doc Object, ignored func(alias, why string, index int)) map[string][]string {
	flows, _ := doc["authenticationFlows"].([]any)
	kept := flows[:0:0]
	remap := map[string][]string{}
	for i, f := range flows {
		obj, _ := f.(map[string]any)
		alias, _ := obj["alias"].(string)
		if why, hidden := HiddenFlows[alias]; hidden && obj["builtIn"] == true {
			ignored(alias, why, i)
			continue
		}
		remap[pathKey([]string{"authenticationFlows", strconv.Itoa(len(kept))})] = []string{"authenticationFlows", strconv.Itoa(i)}
		kept = append(kept, f)
	}
	if len(kept) == len(flows) {
		return nil
	}
	doc["authenticationFlows"] = kept
	return remap
}

// liftFlowIDs names flows by alias where a realm export names them by
// id (a client's authenticationFlowBindingOverrides): the ids are the
// exported realm's, which the export's flows carry.
func liftFlowIDs(doc Object) {
	flows, _ := doc["authenticationFlows"].([]any)
	aliases := map[string]string{}
	for _, f := range flows {
		obj, _ := f.(map[string]any)
		id, _ := obj["id"].(string)
		alias, _ := obj["alias"].(string)
		if id != "" && alias != "" {
			aliases[id] = alias
		}
	}
	if len(aliases) == 0 {
		return
	}
	clients, _ := doc["clients"].([]any)
	for _, c := range clients {
		obj, _ := c.(map[string]any)
		overrides, _ := obj["authenticationFlowBindingOverrides"].(map[string]any)
		for binding, v := range overrides {
			if alias, ok := aliases[fmt.Sprint(v)]; ok {
				overrides[binding] = alias
			}
		}
	}
}

func liftSubFlows(doc Object, fail func(path []string, format string, args ...any)) map[string][]string {
	list, ok := doc["authenticationFlows"].([]any)
	if !ok {
		return nil
	}
	root := []string{"authenticationFlows"}
	byAlias := map[string]int{}
	for i, item := range list {
		obj, _ := item.(map[string]any)
		alias, _ := obj["alias"].(string)
		if alias == "" {
			continue
		}
		if first, dup := byAlias[alias]; dup {
			fail(append(root, strconv.Itoa(i), "alias"), "flow alias %q is defined twice (also item %d of authenticationFlows)", alias, first+1)
			continue
		}
		byAlias[alias] = i
	}
	isSub := func(obj map[string]any) bool { return obj["topLevel"] == false }
	remap := map[string][]string{}
	used := map[string]bool{}
	nestedAliases := map[string]bool{}
	var fold func(obj map[string]any, newPath, oldPath []string, stack []string)
	fold = func(obj map[string]any, newPath, oldPath []string, stack []string) {
		execs, ok := obj[ExecutionsField].([]any)
		if !ok {
			return
		}
		order := make([]int, len(execs))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			pa, oka := execs[order[a]].(map[string]any)["priority"].(float64)
			pb, okb := execs[order[b]].(map[string]any)["priority"].(float64)
			return oka && okb && pa < pb
		})
		sorted := make([]any, len(execs))
		for to, from := range order {
			sorted[to] = execs[from]
		}
		obj[ExecutionsField] = sorted
		for to, from := range order {
			exec, ok := sorted[to].(map[string]any)
			if !ok {
				continue
			}
			np := append(append([]string{}, newPath...), ExecutionsField, strconv.Itoa(to))
			op := append(append([]string{}, oldPath...), ExecutionsField, strconv.Itoa(from))
			remap[pathKey(np)] = op
			for _, f := range executionDerived {
				delete(exec, f)
			}
			alias, _ := exec["flowAlias"].(string)
			if alias == "" {
				continue
			}
			if contains(stack, alias) {
				fail(append(op, "flowAlias"), "sub-flow cycle: %s", strings.Join(append(stack, alias), " → "))
				continue
			}
			if _, nested := exec[ExecutionsField]; nested {
				if _, inList := byAlias[alias]; inList || nestedAliases[alias] {
					fail(append(op, "flowAlias"), "flow alias %q is defined twice", alias)
				}
				nestedAliases[alias] = true
				fold(exec, np, op, append(stack, alias))
				continue
			}
			i, defined := byAlias[alias]
			if !defined {
				fail(append(op, "flowAlias"), "execution runs sub-flow %q, which is not defined%s", alias, suggestName(alias, SortedKeys(byAlias)))
				continue
			}
			sub, _ := list[i].(map[string]any)
			if !isSub(sub) {
				fail(append(op, "flowAlias"), "execution runs %q, a top-level flow: a sub-flow has topLevel: false", alias)
				continue
			}
			if used[alias] {
				fail(append(op, "flowAlias"), "sub-flow %q is run by two executions: Keycloak gives a sub-flow one parent", alias)
				continue
			}
			used[alias] = true
			if sub["providerId"] == "form-flow" && exec["authenticator"] == "registration-page-form" {
				// A realm export names a form sub-flow's form too: the one
				// form Keycloak has, which a form-flow implies.
				delete(exec, "authenticator")
			}
			for _, f := range []string{"description", "providerId"} {
				if v, ok := sub[f]; ok {
					exec[f] = v
				}
			}
			if v, ok := sub[ExecutionsField]; ok {
				exec[ExecutionsField] = DeepCopy(v)
			} else {
				exec[ExecutionsField] = []any{}
			}
			fold(exec, np, append(append([]string{}, root...), strconv.Itoa(i)), append(stack, alias))
		}
	}
	var top []any
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if ok && isSub(obj) {
			continue
		}
		np := append(append([]string{}, root...), strconv.Itoa(len(top)))
		op := append(append([]string{}, root...), strconv.Itoa(i))
		remap[pathKey(np)] = op
		top = append(top, item)
		if ok {
			alias, _ := obj["alias"].(string)
			fold(obj, np, op, []string{alias})
		}
	}
	for _, alias := range SortedKeys(byAlias) {
		obj, _ := list[byAlias[alias]].(map[string]any)
		if isSub(obj) && !used[alias] {
			fail(append(root, strconv.Itoa(byAlias[alias])), "sub-flow %q (topLevel: false) is run by no execution of any flow", alias)
		}
	}
	if top == nil {
		top = []any{}
	}
	doc["authenticationFlows"] = top
	return remap
}

func pathKey(path []string) string { return strings.Join(path, "\x00") }

// remappedPos translates paths of a folded document to the paths as
// written, by the longest recorded prefix.
func remappedPos(remap map[string][]string, base PosFunc) PosFunc {
	return func(path []string) Pos {
		for n := len(path); n > 0; n-- {
			if to, ok := remap[pathKey(path[:n])]; ok {
				return base(append(append([]string{}, to...), path[n:]...))
			}
		}
		return base(path)
	}
}

// stepPositions records where each step of an object is written, under
// its plan path ("authenticationExecutions[forms].authenticationExecutions[auth-otp-form]").
func (s *Steps) stepPositions(e *Entity, list any, prefix string, path []string, pos PosFunc) {
	items, _ := list.([]any)
	for i, key := range s.StepKeys(items) {
		p := StepPath(prefix, s.Field, key)
		ipath := append(append([]string{}, path...), s.Field, strconv.Itoa(i))
		e.FieldPos.Set(p, pos(ipath))
		if obj, ok := items[i].(map[string]any); ok {
			s.stepPositions(e, obj[s.Field], p, ipath, pos)
		}
	}
}

// checkFlow checks a flow's steps offline: each names an authenticator
// or a sub-flow, with a known requirement and known fields.
func checkFlow(r *Realm, e *Entity) []Problem {
	out := reservedChars(e.Key, "a flow's alias")
	var walk func(list any, prefix string)
	walk = func(list any, prefix string) {
		items, ok := list.([]any)
		if list != nil && !ok {
			out = append(out, Problem{Field: firstField(prefix), Message: "authenticationExecutions must be a list of executions"})
			return
		}
		for i, key := range flowSteps.StepKeys(items) {
			p := StepPath(prefix, ExecutionsField, key)
			field := p
			if _, known := e.FieldPos.Lookup(p); !known {
				field = firstField(prefix)
			}
			exec, ok := items[i].(map[string]any)
			if !ok {
				out = append(out, Problem{Field: field, Message: "an execution must be an object"})
				continue
			}
			_, hasAuth := exec["authenticator"].(string)
			_, hasFlow := exec["flowAlias"].(string)
			switch {
			case hasAuth == hasFlow:
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("execution %d must name either an authenticator or a sub-flow (flowAlias)", i+1)})
			case hasAuth:
				for _, f := range []string{"description", "providerId", ExecutionsField} {
					if _, ok := exec[f]; ok {
						out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s: %s belongs to a sub-flow (an execution with flowAlias)", key, f)})
					}
				}
			}
			for _, f := range SortedKeys(exec) {
				if !contains(executionFields, f) {
					out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s: unknown execution field %q%s", key, f, suggestName(f, executionFields))})
				}
			}
			if req, ok := exec["requirement"]; ok && !contains(requirements, ScalarString(req)) {
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s: requirement %q is not one of %s%s", key, ScalarString(req), strings.Join(requirements, ", "), suggestName(ScalarString(req), requirements))})
			}
			if pid, ok := exec["providerId"]; ok && !contains(flowProviders, ScalarString(pid)) {
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s: providerId %q is not one of %s", key, ScalarString(pid), strings.Join(flowProviders, ", "))})
			}
			if hasFlow {
				walk(exec[ExecutionsField], p)
			}
		}
	}
	walk(e.Fields[ExecutionsField], "")
	return out
}

// aliasReserved are the characters Keycloak refuses in a top-level
// flow's alias and a config's alias (RFC 3986's reserved characters and
// the backslash).
const aliasReserved = `:/?#@!$&()*+,;=[]\`

func reservedChars(alias, what string) []Problem {
	if i := strings.IndexAny(alias, aliasReserved); i >= 0 {
		return []Problem{{Field: "alias", Message: fmt.Sprintf("%q: Keycloak refuses the character %q in %s (none of %s)", alias, alias[i:i+1], what, aliasReserved)}}
	}
	return nil
}

func firstField(prefix string) string {
	if prefix == "" {
		return ExecutionsField
	}
	return prefix
}

// FlowConfigUses lists, by config alias, the steps of the desired flows
// that name it: the flow alias holding the step and the step's key.
func FlowConfigUses(r *Realm) map[string][][2]string {
	out := map[string][][2]string{}
	for _, f := range r.Sorted(KindFlow) {
		var walk func(owner string, list any)
		walk = func(owner string, list any) {
			items, _ := list.([]any)
			for i, key := range flowSteps.StepKeys(items) {
				exec, _ := items[i].(map[string]any)
				if alias, _ := exec["authenticatorConfig"].(string); alias != "" {
					out[alias] = append(out[alias], [2]string{owner, key})
				}
				if sub, _ := exec["flowAlias"].(string); sub != "" {
					walk(sub, exec[ExecutionsField])
				}
			}
		}
		walk(f.Key, f.Fields[ExecutionsField])
	}
	return out
}

// checkConfigUse: Keycloak links a config to one execution.
func checkConfigUse(r *Realm, e *Entity) []Problem {
	if p := reservedChars(e.Key, "a config's alias"); p != nil {
		return p
	}
	if uses := FlowConfigUses(r)[e.Key]; len(uses) > 1 {
		var where []string
		for _, u := range uses {
			where = append(where, fmt.Sprintf("%q in flow %q", u[1], u[0]))
		}
		return []Problem{{Message: fmt.Sprintf("is named by %d executions (%s): Keycloak links a config to one execution; give each its own alias", len(uses), strings.Join(where, ", "))}}
	}
	return nil
}

// refuseBuiltInFlowChange: Keycloak lets a built-in flow's requirements
// and configs change, nothing else.
func refuseBuiltInFlowChange(realm string, d, l *Entity) []Problem {
	if l == nil {
		return nil
	}
	if !contains(BuiltInFlows, d.Key) {
		return nil // what cannot change in place is rebuilt
	}
	var out []Problem
	if why := kindChange(d, l); why != "" {
		out = append(out, Problem{Field: "providerId", Message: why + ", and a built-in flow cannot be made again: copy it under a new alias, change the copy and bind it instead"})
	}
	if desc, ok := d.Fields["description"]; ok && desc != l.Fields["description"] {
		out = append(out, Problem{Field: "description", Message: "Keycloak does not change a built-in flow's description"})
	}
	want, declared := d.Fields[ExecutionsField]
	if !declared {
		return out
	}
	var walk func(prefix string, want, have any)
	walk = func(prefix string, want, have any) {
		wl, _ := want.([]any)
		hl, _ := have.([]any)
		wk, hk := flowSteps.StepKeys(wl), flowSteps.StepKeys(hl)
		if strings.Join(wk, "\x00") != strings.Join(hk, "\x00") {
			field := firstField(prefix)
			out = append(out, Problem{Field: field, Message: fmt.Sprintf("built-in flow %q: Keycloak allows only requirement and config changes in a built-in flow, and the files add, remove or move its steps (%s → %s): copy the flow under a new alias, change the copy and bind it instead",
				d.Key, strings.Join(hk, ", "), strings.Join(wk, ", "))})
			return
		}
		for i, key := range wk {
			w, _ := wl[i].(map[string]any)
			h, _ := hl[i].(map[string]any)
			if _, ok := w["flowAlias"]; ok {
				walk(StepPath(prefix, ExecutionsField, key), w[ExecutionsField], h[ExecutionsField])
			}
		}
	}
	walk("", want, l.Fields[ExecutionsField])
	return out
}

// kindChange explains a change of a top-level flow's kind (providerId),
// which Keycloak cannot make in place: a flow's steps are of its kind (a
// client flow runs client authenticators), so changing it step by step
// would leave every binding on a half-built flow. "" when the kind stays.
func kindChange(d, l *Entity) string {
	kind := func(v any) string {
		if s, _ := v.(string); s != "" {
			return s
		}
		return "basic-flow"
	}
	v, ok := d.Fields["providerId"]
	if !ok || kind(v) == kind(l.Fields["providerId"]) {
		return ""
	}
	return fmt.Sprintf("Keycloak cannot change a flow's providerId (%s → %s) in place", kind(l.Fields["providerId"]), kind(v))
}

// RebuildSuffix marks the flow (and its sub-flows and configs) that a
// rebuild makes beside the one it replaces, until the old one is gone
// and the new one takes its alias. A flow, sub-flow or config alias
// ending in it is the unfinished work of an earlier run.
const RebuildSuffix = " - realmsync rebuild"

// rebuildForKindChange: a top-level flow whose kind changes is built
// anew under a temporary alias, with the configs its steps name.
func rebuildForKindChange(d, l *Entity) (string, []Ref) {
	why := kindChange(d, l)
	if why == "" || contains(BuiltInFlows, d.Key) {
		return "", nil
	}
	var with []Ref
	one := NewRealm("")
	_ = one.Add(d)
	for _, alias := range SortedKeys(FlowConfigUses(one)) {
		with = append(with, Ref{Kind: KindAuthConfig, Key: alias})
	}
	return why + ": built anew under a temporary alias, every binding moved to it, the old flow deleted and the new one renamed", with
}

// flowStillBound names where a flow the plan would delete is still bound
// (the realm's bindings, clients' overrides, identity providers' login
// flows), as the desired state leaves them, falling back on the server
// where the files do not say.
func flowStillBound(desired, live *Realm, l *Entity) string {
	var where []string
	for _, k := range Kinds() {
		for _, f := range k.FlowFields {
			for _, e := range boundCandidates(desired, live, k) {
				if v, _ := e.Fields[f].(string); v == l.Key {
					where = append(where, fmt.Sprintf("%s %q %s", k.Title, e.Key, f))
				}
			}
		}
		for _, ref := range k.BodyRefs {
			for _, e := range boundCandidates(desired, live, k) {
				m, _ := e.Fields[ref.Field].(map[string]any)
				for _, b := range SortedKeys(m) {
					if m[b] == l.Key {
						where = append(where, fmt.Sprintf("%s %q %s.%s", k.Title, e.Key, ref.Field, b))
					}
				}
			}
		}
	}
	if len(where) == 0 {
		return ""
	}
	return fmt.Sprintf("authentication flow %q would be deleted, but it is still bound: %s; bind another flow there first", l.Key, strings.Join(where, ", "))
}

// boundCandidates are the objects of kind k whose bindings hold after
// the sync: the desired object where the files declare the field, the
// live one otherwise.
func boundCandidates(desired, live *Realm, k *Kind) []*Entity {
	var out []*Entity
	seen := map[string]bool{}
	for _, e := range desired.Sorted(k.Name) {
		merged := &Entity{Kind: k, Key: e.Key, Fields: Object{}}
		if l := live.Get(k.Name, e.Key); l != nil {
			for f, v := range l.Fields {
				merged.Fields[f] = v
			}
		}
		for f, v := range e.Fields {
			merged.Fields[f] = v
		}
		out = append(out, merged)
		seen[e.Key] = true
	}
	for _, e := range live.Sorted(k.Name) {
		if !seen[e.Key] {
			out = append(out, e)
		}
	}
	return out
}
