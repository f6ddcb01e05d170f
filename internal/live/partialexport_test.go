package live

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// sizedRealm answers the probes of a realm's size and counts the exports
// asked of it.
type sizedRealm struct {
	size    RealmSize
	mu      sync.Mutex
	exports int
}

func (f *sizedRealm) Get(_ context.Context, path string, q url.Values, out any) error {
	first, _ := strconv.Atoi(q.Get("first"))
	past := func(n int) []map[string]any {
		if first < n {
			return []map[string]any{{"name": "x"}}
		}
		return nil
	}
	switch {
	case strings.HasSuffix(path, "/groups/count"):
		out.(*struct {
			Count int `json:"count"`
		}).Count = f.size.Groups
	case strings.HasSuffix(path, "/roles"):
		*(out.(*[]map[string]any)) = past(f.size.RealmRoles)
	case strings.HasSuffix(path, "/clients"):
		*(out.(*[]map[string]any)) = past(f.size.Clients)
	default:
		return notFound(path)
	}
	return nil
}

func (f *sizedRealm) List(context.Context, string, url.Values, int) ([]map[string]any, error) {
	return nil, nil
}

func (f *sizedRealm) IDs(context.Context, string, url.Values, int) ([]string, error) {
	return nil, nil
}

func (f *sizedRealm) Export(_ context.Context, _ string, _ url.Values, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exports++
	*(out.(*model.Object)) = model.Object{"realm": "r"}
	return nil
}

// TestExportOnlyWithinLimits: a realm past any of ExportLimits is read the
// table way (its export on cold caches grows with the square of its size).
func TestExportOnlyWithinLimits(t *testing.T) {
	l := ExportLimits
	tests := []struct {
		name string
		size RealmSize
		want int // exports asked
	}{
		{"small", RealmSize{Groups: 10, RealmRoles: 10, Clients: 10}, 2},
		{"at the limits", l, 2},
		{"a group too many", RealmSize{Groups: l.Groups + 1, RealmRoles: 1, Clients: 1}, 0},
		{"a realm role too many", RealmSize{Groups: 1, RealmRoles: l.RealmRoles + 1, Clients: 1}, 0},
		{"a client too many", RealmSize{Groups: 1, RealmRoles: 1, Clients: l.Clients + 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &sizedRealm{size: tt.size}
			rd := &reader{api: api, realm: "r", workers: 4}
			doc, err := rd.askExport(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if api.exports != tt.want || (doc != nil) != (tt.want > 0) {
				t.Errorf("%d exports asked (export read: %v), want %d", api.exports, doc != nil, tt.want)
			}
		})
	}
}
