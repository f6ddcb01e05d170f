package live

// The partial export. Two POSTs to {realm}/partial-export answer, in a
// realm file's own shape, the realm's roles with their composites, its
// group tree with the groups' role mappings, and the scope mappings of
// its clients and client scopes. The table reader would list these once
// per composite role, per group level and per owner (measured in
// BENCHMARKS.md). Kinds and relations the table marks InExport are taken
// from it.
//
// What the export leaves out or hides is still read the table way:
// clients (it masks their secrets, and a plan compares declared secrets),
// identity providers and components (masked too), users and who holds
// which role (not exported), flows (exported in a shape of their own).
//
// A server that refuses the export (a reader without the rights it
// asks, an older or in-memory server that does not have it), and a realm
// past ExportLimits, are read the table way: the same objects, more
// requests.

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// exporter is the admin client's read-only POST.
type exporter interface {
	Export(ctx context.Context, path string, query url.Values, out any) error
}

// exportPath is the export; exportParts are the two halves a read asks
// for, at once. One export of both (exportClients and exportGroupsAndRoles)
// would add the clients' roles, but it grows faster than the realm: on the
// large benchmark preset (1,000 clients) it took 4.6 s warm against 0.3 s
// and 0.2 s for the halves, so the client roles are listed per client.
const exportPath = "{realm}/partial-export"

var exportParts = []url.Values{
	// Realm roles with their composites, and the group tree.
	{"exportClients": {"false"}, "exportGroupsAndRoles": {"true"}},
	// The clients, and with them the realm-level scope mappings.
	{"exportClients": {"true"}, "exportGroupsAndRoles": {"false"}},
}

// scopeMappingFields are the export's realm-level scope mappings, which
// model.Decompose lifts onto their owners as it does a file's.
var scopeMappingFields = []string{"scopeMappings", "clientScopeMappings"}

// partialExport asks for the export once per read and keeps it, its
// halves merged; nil when the read does not use it (a scoped read,
// Options.NoExport) or the server refused it. A read that started it
// ahead (startExport) waits for that answer.
func (rd *reader) partialExport(ctx context.Context) (model.Object, error) {
	if rd.exportAsked {
		return rd.export, nil
	}
	rd.exportAsked = true
	if !rd.usesExport() {
		return nil, nil
	}
	var doc model.Object
	var err error
	if a := rd.exportAhead; a != nil {
		<-a.done
		doc, err = a.doc, a.err
	} else {
		doc, err = rd.askExport(ctx)
	}
	if err != nil {
		if refused(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the partial export of realm %s: %w", rd.realm, err)
	}
	rd.export = doc
	return doc, nil
}

// usesExport: the read takes what it can from the export.
func (rd *reader) usesExport() bool {
	_, ok := rd.api.(exporter)
	return ok && rd.only == nil && !rd.noExport
}

// ExportLimits are the largest realm whose partial export a read asks
// for; a bigger one is read the table way. Keycloak builds the export in
// one transaction, and on cold caches it loads each group's subgroups and
// role mappings and each role's composites and attributes one query at a
// time, in a session that grows as it goes: its time grows with the
// square of the realm. Measured on Keycloak 26.7.3 (H2) right after
// clear-realm-cache, the two halves took 1.1 s and 0.6 s on the medium
// benchmark preset (300 groups, 300 realm roles, 200 clients) and 21.6 s
// and 10.4 s on the large one (2,000, 2,000, 1,000), where the same
// objects listed the table way took 2.8 s: large's cold no-op plan took 24
// to 26 s with the export and 11 to 14 s without. Warm, the export saves
// about a tenth of a plan (medium 1.7 s against 1.9 s, large 7.0–8.2 s
// against 8.4–9.5 s), which at medium's size is what it costs cold. A
// test may lower them.
var ExportLimits = RealmSize{Groups: 500, RealmRoles: 500, Clients: 250}

// RealmSize counts what the export's cost grows with.
type RealmSize struct{ Groups, RealmRoles, Clients int }

// withinExportLimits asks the realm's size of the server, three cheap
// requests at once: the groups' count, and whether a realm role and a
// client exist past the limits (Keycloak counts neither).
func (rd *reader) withinExportLimits(ctx context.Context) (bool, error) {
	limits := ExportLimits
	var groups struct {
		Count int `json:"count"`
	}
	var roles, clients []map[string]any
	past := func(n int) url.Values {
		return url.Values{"first": {fmt.Sprint(n)}, "max": {"1"}, "briefRepresentation": {"true"}}
	}
	probes := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			return rd.api.Get(ctx, rd.path("{realm}/groups/count", nil, nil), nil, &groups)
		},
		func(ctx context.Context) error {
			k := model.KindByName(model.KindRealmRole)
			return rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil), past(limits.RealmRoles), &roles)
		},
		func(ctx context.Context) error {
			k := model.KindByName(model.KindClient)
			return rd.api.Get(ctx, rd.path(k.Endpoints.Create, k, nil), past(limits.Clients), &clients)
		},
	}
	err := parallel.ForEach(ctx, len(probes), len(probes), func(ctx context.Context, i int) error { return probes[i](ctx) })
	if err != nil {
		return false, err
	}
	return groups.Count <= limits.Groups && len(roles) == 0 && len(clients) == 0, nil
}

// askExport asks for the export's halves at once and merges them (nil if
// either is empty, or the realm is past ExportLimits).
func (rd *reader) askExport(ctx context.Context) (model.Object, error) {
	if within, err := rd.withinExportLimits(ctx); err != nil || !within {
		return nil, err
	}
	ex := rd.api.(exporter)
	parts := make([]model.Object, len(exportParts))
	err := parallel.ForEach(ctx, len(exportParts), len(exportParts), func(ctx context.Context, i int) error {
		return ex.Export(ctx, rd.path(exportPath, nil, nil), exportParts[i], &parts[i])
	})
	if err != nil {
		return nil, err
	}
	groupsAndRoles, clients := parts[0], parts[1]
	if groupsAndRoles == nil || clients == nil {
		return nil, nil
	}
	for _, f := range scopeMappingFields {
		if v, ok := clients[f]; ok {
			groupsAndRoles[f] = v
		}
	}
	return groupsAndRoles, nil
}

// exportAhead is the export asked for as the read starts. It waits on
// nothing the read lists before the first kind that takes it (the realm,
// flows, scopes, clients), and a server with cold caches takes longer to
// answer it than those lists: the medium benchmark preset, caches cleared,
// 0.6 s for the export after 0.5 s of clients' pages.
type exportAhead struct {
	doc    model.Object
	err    error
	done   chan struct{}
	cancel context.CancelFunc
}

// startExport asks for the export in the background, where the read uses it.
func (rd *reader) startExport(ctx context.Context) {
	if !rd.usesExport() {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &exportAhead{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(a.done)
		a.doc, a.err = rd.askExport(ctx)
	}()
	rd.exportAhead = a
}

// stop abandons the export (the read ended without it) and waits for its
// requests to end. A nil *exportAhead is none.
func (a *exportAhead) stop() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
}

// refused: Keycloak itself answered no (403 without the rights, 404 or
// 405 without the endpoint, or a failure of its own), as opposed to a
// lost connection, which the whole read should report.
func refused(err error) bool {
	var answered interface{ Answered() bool }
	return errors.As(err, &answered) && answered.Answered()
}

// fromExport places the objects of kind k that the export carries, as
// list and levels would have placed the listed ones.
func (rd *reader) fromExport(k *model.Kind, doc model.Object) {
	switch {
	case k.Recursive():
		list, _ := model.Lookup(doc, k.RealmPath)
		level := rd.place(k, nil, objects(list))
		for len(level) > 0 {
			var next []*node
			for _, n := range level {
				children := objects(n.obj[k.ParentField])
				delete(n.obj, k.ParentField)
				if len(children) > 0 {
					next = append(next, rd.place(k, n, children)...)
				}
			}
			level = next
		}
	default:
		list, _ := model.Lookup(doc, k.RealmPath)
		rd.place(k, nil, objects(list))
	}
}

// exportedRelation reports that rel of kind k's objects comes with the
// export, so that no owner is asked for it: a role's composites come in
// the role's object, scope mappings at the realm level (moveScopeMappings).
func (rd *reader) exportedRelation(k *model.Kind, rel *model.Relation) bool {
	if !rel.InExport || rd.export == nil {
		return false
	}
	if rel.Field == model.ScopeMappingsField {
		return true
	}
	return k.Read.InExport
}

// moveScopeMappings hands the export's realm-level scope mappings to the
// realm document, where model.Decompose lifts them onto their owners.
func (rd *reader) moveScopeMappings() {
	if rd.export == nil {
		return
	}
	for _, f := range scopeMappingFields {
		if v, ok := rd.export[f]; ok {
			rd.doc()[f] = v
		}
	}
}

// objects are a decoded JSON list's objects.
func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
