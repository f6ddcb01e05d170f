package live

// The partial export. Two POSTs to {realm}/partial-export answer, in a
// realm file's own shape, the realm's roles with their composites, its
// group tree with the groups' role mappings, and the scope mappings of
// its clients and client scopes. The table reader would list these once
// per composite role, per group level and per owner (measured in
// BENCHMARKS.md). Kinds and relations the table marks InExport are taken
// from it.
//
// A realm of few clients is asked for one export of both halves instead,
// which carries the clients' roles too (exportCombined).
//
// What the export leaves out or hides is still read the table way:
// clients (it masks their secrets, and a plan compares declared secrets),
// identity providers and components (masked too), users and who holds
// which role (not exported), flows (exported in a shape of their own).
//
// A server that refuses the export (a reader without the rights it
// asks, an older or in-memory server that does not have it) is read the
// table way: the same objects, more requests.

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
// for, at once, and exportBoth the one export of both, which adds the
// clients' roles with their composites.
const exportPath = "{realm}/partial-export"

var exportParts = []url.Values{
	// Realm roles with their composites, and the group tree.
	{"exportClients": {"false"}, "exportGroupsAndRoles": {"true"}},
	// The clients, and with them the realm-level scope mappings.
	{"exportClients": {"true"}, "exportGroupsAndRoles": {"false"}},
}

var exportBoth = []url.Values{{"exportClients": {"true"}, "exportGroupsAndRoles": {"true"}}}

// combinedExportMaxClients is the most clients a realm may have for its
// read to ask exportBoth instead of the halves and a list of roles per
// client. The export of both pairs every client with every other (their
// client scope mappings), so its cost grows with the square of the
// clients, the lists only in proportion. Measured on Keycloak 26.7.3, warm
// (BENCHMARKS.md): 206 clients, 17 ms (40 ms of server CPU) against 206
// role lists, 170 ms (about 250 ms of CPU); 1,006 clients, 1.6 s (1.7 s of
// CPU) against 0.85 s (0.75 s of CPU). Both grow as measured cross near
// 450 clients; 250 keeps a margin.
const combinedExportMaxClients = 250

// scopeMappingFields are the export's realm-level scope mappings, which
// model.Decompose lifts onto their owners as it does a file's.
var scopeMappingFields = []string{"scopeMappings", "clientScopeMappings"}

// partialExport asks for the export once per read and keeps it, its
// halves merged; nil when the read does not use it (a scoped read,
// Options.NoExport) or the server refused it.
func (rd *reader) partialExport(ctx context.Context) (model.Object, error) {
	if rd.exportAsked {
		return rd.export, nil
	}
	rd.exportAsked = true
	ex, ok := rd.api.(exporter)
	if !ok || rd.only != nil || rd.noExport {
		return nil, nil
	}
	// The clients are listed before any kind the export carries (the
	// table's order), so their number is known here.
	asks := exportParts
	if n := len(rd.nodes[model.KindClient]); n > 0 && n <= combinedExportMaxClients && !rd.splitExport {
		asks = exportBoth
	}
	parts := make([]model.Object, len(asks))
	err := parallel.ForEach(ctx, len(asks), len(asks), func(ctx context.Context, i int) error {
		return ex.Export(ctx, rd.path(exportPath, nil, nil), asks[i], &parts[i])
	})
	if err != nil {
		if refused(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the partial export of realm %s: %w", rd.realm, err)
	}
	if len(parts) == 1 {
		if parts[0] == nil {
			return nil, nil
		}
		rd.export, rd.exportCombined = parts[0], true
		return parts[0], nil
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
	rd.export = groupsAndRoles
	return groupsAndRoles, nil
}

// refused: Keycloak itself answered no (403 without the rights, 404 or
// 405 without the endpoint, or a failure of its own), as opposed to a
// lost connection, which the whole read should report.
func refused(err error) bool {
	var answered interface{ Answered() bool }
	return errors.As(err, &answered) && answered.Answered()
}

// carries reports whether the export holds kind k's objects: a kind held
// per client (their roles) only when both halves were asked at once.
func (rd *reader) carries(k *model.Kind) bool {
	return k.Read.InExport && (k.ParentMap == "" || rd.exportCombined)
}

// fromExport places the objects of kind k that the export carries, as
// list and levels would have placed the listed ones.
func (rd *reader) fromExport(k *model.Kind, doc model.Object) {
	rd.exported[k.Name] = true
	switch {
	case k.ParentMap != "":
		// A map of the parent's key to its objects ("roles.client").
		byParent, _ := model.Lookup(doc, k.ParentMap)
		m, _ := byParent.(map[string]any)
		parentKind := model.KindByName(k.Parent)
		for _, p := range rd.nodes[k.Parent] {
			rd.place(k, p, objects(m[fmt.Sprint(p.obj[parentKind.KeyField])]))
		}
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
	return rd.exported[k.Name]
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
