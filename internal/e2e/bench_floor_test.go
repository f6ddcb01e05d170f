package e2e

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// requiredFloor times only the reads that no full plan of a realm with
// users can do without, the way realmsync asks them: the users' pages
// (250 a page, brief, as for files that write down no user's attributes
// or required actions: the presets') and who is in each group and holds
// each role, realm and client (one list each; the Admin API has nothing
// coarser), as many at once as a plan asks by default, in this process,
// nothing else read and nothing compared. Which groups and roles there
// are is looked up first, untimed. Against the baseline
// build's whole plan, it says how far any reader could get on this
// machine: both processes share its cores, and these lists alone cost the
// server most of its CPU in a plan.
func requiredFloor(t *testing.T, realm string) run {
	t.Helper()
	ctx := context.Background()
	api := adminClient(t)
	r := admin.Seg(realm)
	brief := url.Values{"briefRepresentation": {"true"}}
	var paths []string
	groups, err := api.List(ctx, r+"/groups", url.Values{"briefRepresentation": {"true"}, "populateHierarchy": {"true"}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for len(groups) > 0 {
		var next []admin.Object
		for _, g := range groups {
			id := fmt.Sprint(g["id"])
			paths = append(paths, r+"/groups/"+admin.Seg(id)+"/members")
			if n, _ := g["subGroupCount"].(float64); n > 0 {
				children, err := api.List(ctx, r+"/groups/"+admin.Seg(id)+"/children", brief, 1000)
				if err != nil {
					t.Fatal(err)
				}
				next = append(next, children...)
			}
		}
		groups = next
	}
	roles, err := api.List(ctx, r+"/roles", brief, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles {
		if name := fmt.Sprint(role["name"]); name != model.DefaultRoleName(realm) {
			paths = append(paths, r+"/roles/"+admin.Seg(name)+"/users")
		}
	}
	clients, err := api.List(ctx, r+"/clients", nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		id := admin.Seg(fmt.Sprint(c["id"]))
		croles, err := api.List(ctx, r+"/clients/"+id+"/roles", brief, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range croles {
			paths = append(paths, r+"/clients/"+id+"/roles/"+admin.Seg(fmt.Sprint(role["name"]))+"/users")
		}
	}
	var count int
	if err := api.Get(ctx, r+"/users/count", nil, &count); err != nil {
		t.Fatal(err)
	}
	pages := count/live.CountedPageSize + 1

	api.ResetCounts()
	serverBefore := serverCPU()
	start := time.Now()
	err = parallel.ForEach(ctx, live.DefaultConcurrency, pages+len(paths), func(ctx context.Context, i int) error {
		if i < pages {
			var page []map[string]any
			q := url.Values{"briefRepresentation": {"true"}, "first": {fmt.Sprint(i * live.CountedPageSize)}, "max": {fmt.Sprint(live.CountedPageSize)}}
			return api.Get(ctx, r+"/users", q, &page)
		}
		_, err := api.List(ctx, paths[i-pages], brief, live.PageSize)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := run{wall: time.Since(start), serverCPU: -1}
	if serverBefore >= 0 {
		out.serverCPU = serverCPU() - serverBefore
	}
	out.requests[0] = int(api.Counts()["GET"])
	return out
}
