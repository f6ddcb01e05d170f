package live

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// exportOnly answers partial exports (and nothing else): the halves as
// Keycloak cuts them, or both at once with the clients' roles; it
// records what it was asked.
type exportOnly struct {
	listOnly
	asked []string
}

func (f *exportOnly) Export(_ context.Context, _ string, q url.Values, out any) error {
	f.asked = append(f.asked, q.Encode())
	doc := map[string]any{}
	if q.Get("exportGroupsAndRoles") == "true" {
		roles := map[string]any{"realm": []any{map[string]any{"id": "r1", "name": "reader"}}}
		if q.Get("exportClients") == "true" {
			roles["client"] = map[string]any{
				"app-0": []any{map[string]any{"id": "c1", "name": "edit", "composite": true,
					"composites": map[string]any{"realm": []any{"reader"}}}},
			}
		}
		doc["roles"] = roles
	}
	*(out.(*model.Object)) = doc
	return nil
}

// readerWithClients is a reader that has listed n clients (app-0 ...).
func readerWithClients(api API, n int, split bool) *reader {
	rd := &reader{api: api, realm: "r", workers: 1, nodes: map[string][]*node{}, exported: map[string]bool{}, splitExport: split}
	rd.nodes[model.KindRealm] = []*node{{obj: model.Object{"realm": "r"}}}
	clients := model.KindByName(model.KindClient)
	for i := 0; i < n; i++ {
		rd.nodes[clients.Name] = append(rd.nodes[clients.Name], &node{kind: clients, obj: map[string]any{"id": fmt.Sprintf("id-%d", i), "clientId": fmt.Sprintf("app-%d", i)}})
	}
	return rd
}

// TestExportHalvesOrBoth: a realm of few clients is read with one export
// of both halves, which carries the client roles (placed under their
// clients, composites included); a realm of many clients, or a read told
// to split, asks for the halves and lists the client roles.
func TestExportHalvesOrBoth(t *testing.T) {
	roles := model.KindByName(model.KindClientRole)
	composites := roles.Relation("composites")
	for _, c := range []struct {
		name           string
		clients        int
		split          bool
		wantAsks       int
		wantFromExport bool
	}{
		{"few clients", 3, false, 1, true},
		{"as many as the bound", combinedExportMaxClients, false, 1, true},
		{"more than the bound", combinedExportMaxClients + 1, false, 2, false},
		{"told to split", 3, true, 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			api := &exportOnly{}
			rd := readerWithClients(api, c.clients, c.split)
			doc, err := rd.partialExport(context.Background())
			if err != nil || doc == nil {
				t.Fatalf("export: %v, %v", doc, err)
			}
			if len(api.asked) != c.wantAsks {
				t.Fatalf("asked %v, want %d exports", api.asked, c.wantAsks)
			}
			if got := rd.carries(roles); got != c.wantFromExport {
				t.Fatalf("carries(client roles) = %v, want %v", got, c.wantFromExport)
			}
			if !c.wantFromExport {
				if rd.exportedRelation(roles, composites) {
					t.Error("client role composites taken from an export that does not carry the roles")
				}
				return
			}
			rd.fromExport(roles, doc)
			placed := rd.nodes[roles.Name]
			if len(placed) != 1 || placed[0].parent != rd.nodes[model.KindClient][0] || placed[0].obj["name"] != "edit" {
				t.Fatalf("placed %+v, want app-0's role edit under app-0", placed)
			}
			byClient, _ := model.Lookup(rd.doc(), roles.ParentMap)
			if m, _ := byClient.(map[string]any); len(m) != 1 || m["app-0"] == nil {
				t.Errorf("realm document's %s = %v, want app-0's roles only", roles.ParentMap, byClient)
			}
			if !rd.exportedRelation(roles, composites) {
				t.Error("client role composites would be read again although the export carried them")
			}
		})
	}
}
