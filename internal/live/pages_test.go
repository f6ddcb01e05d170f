package live

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// pagedUsers answers a users collection page by page and its count; it
// can say a stale count, or shift the collection after the first page (an
// object removed meanwhile), and counts the requests.
type pagedUsers struct {
	users     int
	count     int  // what users/count answers; -1: fails
	shiftOnce bool // after the first page, the first user is gone
	// ignoreFirst answers the first page whatever first asks; noIDs lists
	// objects without an id (as identity providers are listed).
	ignoreFirst, noIDs bool
	mu                 sync.Mutex
	pages              int
	counts             int
	shifted            bool
}

func (f *pagedUsers) Get(_ context.Context, path string, q url.Values, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if path == "r/users/count" {
		f.counts++
		if f.count < 0 {
			return notFound(path)
		}
		*(out.(*int)) = f.count
		return nil
	}
	f.pages++
	first, _ := strconv.Atoi(q.Get("first"))
	max, _ := strconv.Atoi(q.Get("max"))
	if f.ignoreFirst {
		first = 0
	}
	start := 0
	if f.shifted {
		start = 1
	}
	var page []map[string]any
	for i := start + first; i < f.users && len(page) < max; i++ {
		o := map[string]any{"id": fmt.Sprintf("u%05d", i)}
		if f.noIDs {
			o = map[string]any{"alias": fmt.Sprintf("u%05d", i)}
		}
		page = append(page, o)
	}
	if f.shiftOnce && !f.shifted {
		f.shifted = true
	}
	*(out.(*[]map[string]any)) = page
	return nil
}

func (f *pagedUsers) List(ctx context.Context, path string, q url.Values, size int) ([]map[string]any, error) {
	var all []map[string]any
	for first := 0; ; first += size {
		var page []map[string]any
		qq := url.Values{"first": {strconv.Itoa(first)}, "max": {strconv.Itoa(size)}}
		if err := f.Get(ctx, path, qq, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < size {
			return all, nil
		}
	}
}

func (f *pagedUsers) IDs(ctx context.Context, path string, q url.Values, size int) ([]string, error) {
	objs, err := f.List(ctx, path, q, size)
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = fmt.Sprint(o["id"])
	}
	return ids, err
}

func TestPages(t *testing.T) {
	tests := []struct {
		name      string
		api       *pagedUsers
		wantUsers int
		maxPages  int
		workers   int // 0: 4
	}{
		{"count right", &pagedUsers{users: 1050, count: 1050}, 1050, 11, 0},
		{"count an exact number of pages", &pagedUsers{users: 1000, count: 1000}, 1000, 11, 0},
		{"users added after the count", &pagedUsers{users: 1234, count: 1000}, 1234, 13, 0},
		// A count that fills its last page exactly asks one page more at
		// once (for users added meanwhile), not after the others.
		{"count too high", &pagedUsers{users: 250, count: 900}, 250, 10, 0},
		{"no count: paged in turn", &pagedUsers{users: 350, count: -1}, 350, 4, 0},
		{"one page", &pagedUsers{users: 40, count: 40}, 40, 1, 0},
		// The first object went after the first page was read: the one
		// that moved across the page boundary is missed, as by pages read
		// in turn, and none is read twice.
		{"a collection that shifted", &pagedUsers{users: 500, count: 500, shiftOnce: true}, 499, 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workers := tt.workers
			if workers == 0 {
				workers = 4
			}
			rd := &reader{api: tt.api, realm: "r", workers: workers}
			got, err := rd.pages(context.Background(), "r/users", nil, "r/users/count", 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[any]bool{}
			for _, u := range got {
				if seen[u["id"]] {
					t.Errorf("%v twice", u["id"])
				}
				seen[u["id"]] = true
			}
			if len(got) != tt.wantUsers {
				t.Errorf("%d users, want %d", len(got), tt.wantUsers)
			}
			if tt.api.pages > tt.maxPages {
				t.Errorf("%d page requests, want at most %d", tt.api.pages, tt.maxPages)
			}
		})
	}
}

// TestPagesAhead: a realm-level collection Keycloak cannot count is asked
// one page, then four at a time while the last came back full.
func TestPagesAhead(t *testing.T) {
	tests := []struct {
		name      string
		api       *pagedUsers
		wantObjs  int
		wantPages int
	}{
		{"one page", &pagedUsers{users: 40}, 40, 1},
		{"empty", &pagedUsers{users: 0}, 0, 1},
		{"a full first page and a short one", &pagedUsers{users: 150}, 150, 5},
		// 21 pages: the first, then five windows of four.
		{"large realm's realm roles", &pagedUsers{users: 2003}, 2003, 21},
		{"an exact number of pages", &pagedUsers{users: 400}, 400, 5},
		{"a server that ignores first", &pagedUsers{users: 500, ignoreFirst: true}, 100, 5},
		{"objects without ids are all kept", &pagedUsers{users: 250, noIDs: true}, 250, 5},
		{"a server that ignores first, objects without ids", &pagedUsers{users: 500, ignoreFirst: true, noIDs: true}, 100, 5},
		{"a collection that shifted", &pagedUsers{users: 500, shiftOnce: true}, 499, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := &reader{api: tt.api, realm: "r", workers: 4}
			got, err := rd.pagesAhead(context.Background(), "r/roles", nil, 100, 1, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantObjs {
				t.Errorf("%d objects, want %d", len(got), tt.wantObjs)
			}
			if tt.api.pages != tt.wantPages {
				t.Errorf("%d page requests, want %d", tt.api.pages, tt.wantPages)
			}
			keys := map[string]bool{}
			for _, o := range got {
				k := fmt.Sprint(o["id"], o["alias"])
				if keys[k] {
					t.Errorf("%s twice", k)
				}
				keys[k] = true
			}
		})
	}
}

// TestUsersOfAFederatedRealmPagedInTurn: where every page asks an LDAP
// directory, the pages are not asked at once (no count is asked for them),
// so none is left binding on the server when one fails.
func TestUsersOfAFederatedRealmPagedInTurn(t *testing.T) {
	users := model.KindByName(model.KindUser)
	for _, federated := range []bool{false, true} {
		realm := map[string]any{"realm": "r"}
		if federated {
			realm["components"] = map[string]any{model.UserStorageType: []any{map[string]any{"name": "corp", "providerId": "ldap"}}}
		}
		api := &pagedUsers{users: 700, count: 700}
		root := &node{kind: model.RootKind(), obj: realm}
		rd := &reader{api: api, realm: "r", workers: 4, nodes: map[string][]*node{model.RootKind().Name: {root}}}
		got, err := rd.fetch(context.Background(), users, "r/users", root)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 700 {
			t.Errorf("federated %v: %d users, want 700", federated, len(got))
		}
		if wantCounts := map[bool]int{false: 1, true: 0}[federated]; api.counts != wantCounts {
			t.Errorf("federated %v: %d count requests, want %d", federated, api.counts, wantCounts)
		}
	}
}
