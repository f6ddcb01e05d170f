// Package live reads a realm's live state from Keycloak. It is the stage
// between load and diff: it walks the kind table, reading each kind as
// its ReadSpec says through the kind's own endpoints, and rebuilds the
// realm document in the shape users write, so that model.Decompose turns
// desired and live state into entities the same way. Export reads through
// it too; no endpoint is written down twice.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// API is the read side of the admin client. Paths are relative to
// /admin/realms/.
type API interface {
	Get(ctx context.Context, path string, query url.Values, out any) error
	List(ctx context.Context, path string, query url.Values, pageSize int) ([]map[string]any, error)
	// IDs lists as List does and returns only the objects' ids.
	IDs(ctx context.Context, path string, query url.Values, pageSize int) ([]string, error)
}

// NotFound reports whether err means the server has no such object. The
// admin client's errors implement it; the interface keeps this package
// free of the client.
func NotFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// PageSize is how many objects one list request asks for.
const PageSize = 100

// CountedPageSize is the page of a collection read by count (users): its
// pages are read at once. Warm, the server's cost is mostly per request;
// cold (a restarted server, or caches that evicted the realm's users), it
// grows faster than the page. 2,000 users of the medium preset, 4 pages at
// once, Keycloak 26.7.3: pages of 100 took 0.22-0.28 s warm and 0.58-0.76 s
// cold, of 250 0.15-0.16 s and 0.67-0.71 s, of 500 0.14-0.16 s and
// 1.03-1.08 s, of 1,000 0.11-0.21 s and 1.8-3.0 s.
const CountedPageSize = 250

// DefaultConcurrency is how many independent reads run at once.
const DefaultConcurrency = parallel.Default

// Steps hears of every finished stage of a read (progress reporting).
type Steps interface{ Step(n int) }

// Options steer a read.
type Options struct {
	// Steps hears of progress (nil: nobody).
	Steps Steps
	// Concurrency is how many independent reads run at once
	// (0: DefaultConcurrency).
	Concurrency int
	// Extensions are the extensions whose kinds are read (the realm's
	// files declare them); no request reaches any other plugin.
	Extensions map[string]bool
	// AnyExtension reads every extension the server has (export): one
	// that answers 404 is not installed, and is left out.
	AnyExtension bool
	// Authenticators lists the providers a flow's executions can name
	// (Realm.Authenticators, four requests), to check the files' flows:
	// only a plan whose files declare flows needs them.
	Authenticators bool
	// Holdings, if not nil, narrows the users' memberships and role
	// mappings read from the group and role side, and the relations read
	// from their owners' side, to those a plan compares (HoldingsOf); nil
	// reads them all (export, a strict plan).
	Holdings *Holdings
	// NoExport reads everything the table way, without Keycloak's partial
	// export (partialexport.go): the test that the two reads agree.
	NoExport bool
	// Only, if not nil, names the objects to read (a plan scoped to a
	// change, only.go): the realm and these, each by its key; nothing
	// else is listed. Their kinds must be scope.Addressable.
	Only map[model.Ref]bool
}

// Stages is how many steps a read reports to Steps: the realm, each kind
// that is not embedded in its parent, the relations, the flow aliases.
func Stages() int {
	n := 2 // relations, flow aliases
	for _, k := range model.Kinds() {
		if k.Read.Mode != model.ReadEmbedded {
			n++
		}
	}
	return n
}

// Read reads a realm's live state. It returns nil, nil when the realm
// does not exist.
func Read(ctx context.Context, api API, realm string, opts Options) (*model.Realm, error) {
	workers := opts.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	rd := &reader{api: api, realm: realm, workers: workers, steps: opts.Steps, nodes: map[string][]*node{}, extensions: map[string]bool{},
		wantAuthenticators: opts.Authenticators, unreadable: map[string]string{}, excluded: map[string][]string{}, only: opts.Only, noExport: opts.NoExport,
		holdings: opts.Holdings}
	for x, on := range opts.Extensions {
		rd.extensions[x] = on
	}
	if opts.AnyExtension {
		for _, x := range model.Extensions() {
			rd.extensions[x.Name] = true
		}
		rd.probing = true
	}
	read := rd.document
	if opts.Only != nil {
		read = rd.onlyDocument
	}
	doc, err := read(ctx)
	if err != nil || doc == nil {
		return nil, err
	}
	r, errs := model.Decompose(realm, doc, model.NoPos)
	if len(errs) > 0 {
		return nil, fmt.Errorf("reading realm %s: %w", realm, errors.Join(errs...))
	}
	r.Flows, r.FlowIDs, r.Authenticators = rd.flows, rd.flowIDs, rd.authenticatorIDs
	if len(rd.unreadable) > 0 {
		r.Unreadable = rd.unreadable
	}
	org := model.KindByName(model.KindOrganization)
	for _, n := range rd.nodes[org.Name] {
		if managed := rd.excluded[rd.path(org.Endpoints.Item, org, n)+"/members"]; len(managed) > 0 {
			if r.ManagedMembers == nil {
				r.ManagedMembers = map[string][]string{}
			}
			r.ManagedMembers[fmt.Sprint(n.obj[org.KeyField])] = managed
		}
	}
	for _, n := range rd.nodes[model.KindUser] {
		if link, _ := n.obj["federationLink"].(string); link != "" {
			if r.ImportedUsers == nil {
				r.ImportedUsers = map[string]int{}
			}
			r.ImportedUsers[link]++
			if r.Imported == nil {
				r.Imported = map[string]bool{}
			}
			r.Imported[strings.ToLower(fmt.Sprint(n.obj["username"]))] = true
		}
	}
	return r, nil
}

// node is one object read, with what its kind's endpoints need.
type node struct {
	kind     *model.Kind
	obj      map[string]any
	parent   *node
	parentID string // the parent object's server id
}

// id is the object's server id, or its key where the kind's endpoints
// take the key (identity providers, by alias).
func (n *node) id() string {
	if n.kind != nil && n.kind.KeyIsID {
		return fmt.Sprint(n.obj[n.kind.KeyField])
	}
	return fmt.Sprint(n.obj["id"])
}

type reader struct {
	api     API
	realm   string
	workers int
	steps   Steps
	// nodes are the objects read so far, per kind, in read order.
	nodes      map[string][]*node
	extensions map[string]bool
	probing    bool              // an extension answering 404 is absent, not an error
	flows      []string          // aliases of top-level flows
	flowIDs    map[string]string // their ids, by alias
	configUses []configUse       // steps of the flows that name a config
	// wantAuthenticators: list them (Options.Authenticators).
	wantAuthenticators bool
	// authenticatorIDs are the providers executions can name.
	authenticatorIDs []string
	// unreadable are kinds the server could not list, with why.
	unreadable map[string]string
	// excluded names, by relation path, the referenced objects left out
	// of a relation (Relation.Exclude).
	excluded map[string][]string
	// only names the objects to read (Options.Only); nil: all.
	only map[model.Ref]bool
	// export is the realm's partial export, asked for once (exportAsked)
	// unless noExport; nil when not used or refused.
	export      model.Object
	exportAsked bool
	noExport    bool
	exportAhead *exportAhead // the export, asked as the read starts
	// holdings narrows the users' memberships read (Options.Holdings).
	holdings *Holdings
	mu       sync.Mutex // guards objects that concurrent reads add to
}

func (rd *reader) step() {
	if rd.steps != nil {
		rd.steps.Step(1)
	}
}

// document reads the realm and everything in it, kind by kind in table
// order (parents before children), then the relations every kind's
// objects hold.
func (rd *reader) document(ctx context.Context) (model.Object, error) {
	rd.startExport(ctx)
	// A read that ended before it took the export (it failed, or the
	// realm does not exist) waits for its requests to end.
	defer func() { rd.exportAhead.stop() }()
	for _, k := range model.Kinds() {
		var err error
		if (k.Extension != nil && !rd.extensions[k.Extension.Name]) || rd.unreadable[k.Parent] != "" ||
			(k.Read.When != "" && rd.doc()[k.Read.When] != true) {
			rd.step()
			continue
		}
		switch k.Read.Mode {
		case model.ReadEmbedded:
			continue
		case model.ReadItem:
			err = rd.item(ctx, k)
		case model.ReadList:
			err = rd.listOrExport(ctx, k)
		case model.ReadHook:
			err = hooks[k.Read.Hook](rd, ctx)
		}
		if err != nil && k.Name == model.KindUser && rd.federated() && (badRequest(err) || brokenOff(err)) {
			// Every user list asks the realm's LDAP providers too, and
			// fails while one cannot connect or bind: the plan that mends
			// the provider must still be made. Users are left out of it.
			// A page that the realm's own users do not fill asks the
			// providers after its first users are sent: the failure then
			// breaks the answer off instead of making it a 400.
			rd.unreadable[k.Name] = fmt.Sprintf("the users of realm %s could not be read, so this plan leaves users alone: Keycloak answered %v (every user list also searches the realm's LDAP providers, and fails while one cannot connect or bind)", rd.realm, err)
			delete(rd.doc(), k.RealmPath)
			rd.nodes[k.Name] = nil
			rd.step()
			continue
		}
		if err == nil && k.Read.Mode == model.ReadList && k.Read.Hook != "" {
			err = hooks[k.Read.Hook](rd, ctx)
		}
		if err != nil {
			switch {
			case k.Root:
				return nil, err
			case k.Extension != nil && NotFound(err) && rd.probing:
				rd.extensions[k.Extension.Name] = false // not installed
				rd.step()
				continue
			case k.Extension != nil && NotFound(err):
				return nil, fmt.Errorf("realm %s declares extensions.%s, but the server does not have %s: its admin API answers 404 (%w)",
					rd.realm, k.Extension.Name, k.Extension.Title, err)
			}
			return nil, fmt.Errorf("reading %ss of realm %s: %w", k.Title, rd.realm, err)
		}
		if k.Root && len(rd.nodes[k.Name]) == 0 {
			return nil, nil // no such realm
		}
		rd.step()
	}
	if err := rd.finish(ctx); err != nil {
		return nil, err
	}
	rd.moveScopeMappings()
	return rd.doc(), nil
}

// listOrExport takes a kind's objects from the partial export where it
// carries them, else lists them.
func (rd *reader) listOrExport(ctx context.Context, k *model.Kind) error {
	if k.Read.InExport {
		doc, err := rd.partialExport(ctx)
		if err != nil {
			return err
		}
		if doc != nil {
			rd.fromExport(k, doc)
			return nil
		}
	}
	return rd.list(ctx, k)
}

// finish completes a read once its objects are placed: the relations
// their representations do not carry, the flow aliases bindings name
// (when the flows kind was not read: an extension-only or scoped read),
// and references the wire holds by id named as the files name them.
func (rd *reader) finish(ctx context.Context) error {
	if err := rd.relations(ctx); err != nil {
		return fmt.Errorf("reading references in realm %s: %w", rd.realm, err)
	}
	rd.step()
	if rd.flowIDs == nil {
		if err := rd.flowAliases(ctx); err != nil {
			return fmt.Errorf("reading authentication flows of realm %s: %w", rd.realm, err)
		}
	}
	for _, k := range model.Kinds() {
		for _, n := range rd.nodes[k.Name] {
			k.RefsToNames(n.obj, rd.flowIDs)
		}
	}
	rd.step()
	return nil
}

func (rd *reader) doc() model.Object { return rd.nodes[model.KindRealm][0].obj }

// federated reports whether the realm has user federation providers.
func (rd *reader) federated() bool {
	comps, _ := rd.doc()["components"].(map[string]any)
	list, _ := comps[model.UserStorageType].([]any)
	return len(list) > 0
}

// badRequest spots a 400 by its BadRequest() bool method.
// brokenOff: the answer is not the JSON it began as (the server failed
// while sending it).
func brokenOff(err error) bool {
	var syntax *json.SyntaxError
	return errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF)
}

func badRequest(err error) bool {
	var br interface{ BadRequest() bool }
	return errors.As(err, &br) && br.BadRequest()
}

// path fills an endpoint template for object n of kind k; without n it
// fills only {realm}. It scans the template once instead of building a
// strings.Replacer per call: the reader fills a path per request, and the
// replacers were 6% of what a large realm's plan allocated.
func (rd *reader) path(tmpl string, k *model.Kind, n *node) string {
	var b strings.Builder
	for {
		before, rest, found := strings.Cut(tmpl, "{")
		b.WriteString(before)
		if !found {
			return b.String()
		}
		name, after, closed := strings.Cut(rest, "}")
		value, known := rd.placeholder(name, k, n)
		if !closed || !known {
			b.WriteString("{")
			tmpl = rest
			continue
		}
		b.WriteString(url.PathEscape(value))
		tmpl = after
	}
}

// placeholder is the value of {name} in a template for object n.
func (rd *reader) placeholder(name string, k *model.Kind, n *node) (string, bool) {
	if name == "realm" {
		return rd.realm, true
	}
	if n == nil {
		return "", false
	}
	switch name {
	case "id":
		return n.id(), true
	case "parent":
		return n.parentID, true
	case "name":
		return fmt.Sprint(n.obj[k.KeyField]), true
	}
	return "", false
}

// item reads a kind that is one object: the realm, the user profile.
func (rd *reader) item(ctx context.Context, k *model.Kind) error {
	var obj map[string]any
	if err := rd.api.Get(ctx, rd.path(k.Endpoints.Item, k, nil), nil, &obj); err != nil {
		switch {
		case !NotFound(err):
			return fmt.Errorf("reading %s %s: %w", k.Title, rd.realm, err)
		case k.Root:
			return confirmMissing(ctx, rd.api, rd.realm)
		case k.Read.Optional && k.Extension == nil:
			return nil
		}
		return err
	}
	if k.Root {
		// Older servers put some collections in the realm's own
		// representation (Keycloak 24: identity providers and their
		// mappers); the reader reads every collection itself.
		for _, other := range model.Kinds() {
			if f := other.DocumentField(); f != "" && !other.Root {
				delete(obj, f)
			}
		}
		rd.nodes[k.Name] = []*node{{obj: obj}}
		return nil
	}
	if len(obj) == 0 {
		return nil // none yet (an extension answers {})
	}
	setPath(rd.doc(), k.RealmObject, obj)
	rd.nodes[k.Name] = []*node{{obj: obj}}
	return nil
}

// list reads a kind's collection: once for a realm-level kind, once per
// parent object for a child kind, and level by level for a recursive one.
func (rd *reader) list(ctx context.Context, k *model.Kind) error {
	switch {
	case k.Parent == "":
		objs, err := rd.fetch(ctx, k, rd.path(k.Endpoints.Create, k, nil), rd.nodes[model.RootKind().Name][0])
		if err != nil {
			return err
		}
		rd.place(k, nil, objs)
		return nil
	case k.Recursive():
		top, err := rd.fetch(ctx, k, rd.path(k.Endpoints.CreateRoot, k, nil), nil)
		if err != nil {
			return err
		}
		return rd.levels(ctx, k, rd.place(k, nil, top))
	}
	parents := rd.nodes[k.Parent]
	found := make([][]map[string]any, len(parents))
	err := parallel.ForEach(ctx, rd.workers, len(parents), func(ctx context.Context, i int) error {
		child := &node{obj: nil, parentID: parents[i].id()}
		objs, err := rd.fetch(ctx, k, rd.path(k.Endpoints.Create, k, child), parents[i])
		found[i] = objs
		return err
	})
	if err != nil {
		return err
	}
	for i, p := range parents {
		rd.place(k, p, found[i])
	}
	return nil
}

// levels reads a recursive kind's children, each level's parents at once.
func (rd *reader) levels(ctx context.Context, k *model.Kind, level []*node) error {
	for len(level) > 0 {
		var parents []*node
		for _, n := range level {
			delete(n.obj, k.ParentField) // Keycloak 23+ sends none, older ones a partial tree
			if c, _ := n.obj[k.Read.ChildCount].(float64); c > 0 {
				parents = append(parents, n)
			}
		}
		found := make([][]map[string]any, len(parents))
		err := parallel.ForEach(ctx, rd.workers, len(parents), func(ctx context.Context, i int) error {
			child := &node{parentID: parents[i].id()}
			objs, err := rd.fetch(ctx, k, rd.path(k.Endpoints.Create, k, child), parents[i])
			found[i] = objs
			return err
		})
		if err != nil {
			return err
		}
		level = nil
		for i, p := range parents {
			level = append(level, rd.place(k, p, found[i])...)
		}
	}
	return nil
}

// fetch lists one collection as the kind's ReadSpec says, narrowed to
// parent's objects where the collection is the whole realm's.
func (rd *reader) fetch(ctx context.Context, k *model.Kind, path string, parent *node) ([]map[string]any, error) {
	query := url.Values{}
	switch {
	// Not every Keycloak names a user's federation link in the brief user.
	case k.Read.Full && rd.holdings.brief(k) && !(k.Name == model.KindUser && rd.federated()):
		query.Set("briefRepresentation", "true")
	case k.Read.Full:
		query.Set("briefRepresentation", "false")
	}
	if k.Read.Field != "" {
		var holder map[string][]map[string]any
		err := rd.api.Get(ctx, path, query, &holder)
		return holder[k.Read.Field], err
	}
	if k.Read.Unpaged {
		var objs []map[string]any
		err := rd.api.Get(ctx, path, query, &objs)
		return objs, err
	}
	// A realm with LDAP providers is paged in turn (by the same size):
	// each page of users asks the directory, and pages at once would
	// multiply its binds. When the bind fails, the pages abandoned after
	// the first failure go on binding on the server after the read has
	// moved on to its writes (and count against a directory's lockout
	// policy).
	if k.Read.Count != "" && parent == rd.nodes[model.RootKind().Name][0] {
		if rd.federated() {
			return rd.api.List(ctx, path, query, CountedPageSize)
		}
		return rd.pages(ctx, path, query, rd.path(k.Read.Count, k, nil), CountedPageSize)
	}
	if parent == nil || parent == rd.nodes[model.RootKind().Name][0] {
		return rd.pagesAhead(ctx, path, query, PageSize, 1, rd.workers)
	}
	// A child collection (a client's roles) is read for every parent at
	// once already, and is seldom more than a page.
	return rd.api.List(ctx, path, query, PageSize)
}

// pages lists a collection whose size countPath answers, its pages at
// once. Objects added meanwhile are read by going on past the count until
// a page comes back short; a server that cannot count is paged in turn.
func (rd *reader) pages(ctx context.Context, path string, query url.Values, countPath string, size int) ([]map[string]any, error) {
	var count int
	if err := rd.api.Get(ctx, countPath, nil, &count); err != nil || count <= size {
		return rd.api.List(ctx, path, query, size)
	}
	// One page more than the count fills when it fills the last exactly:
	// that page, empty unless users were added meanwhile, is asked with
	// the others instead of after them.
	return rd.pagesAhead(ctx, path, query, size, count/size+1, 1)
}

// pagesAhead lists a collection by pages of size: the first window of
// pages at once, then more at a time for as long as the last page read
// came back full. A realm-level collection that Keycloak cannot count
// (clients, realm roles, top-level groups) is asked one page and then
// the workers' number at once: a realm whose first page is not full
// costs no request more, and a big one no longer waits for its pages in
// turn, one request on a server of several cores (the large benchmark
// preset's realm roles, 21 pages, took a twentieth of its plan so).
func (rd *reader) pagesAhead(ctx context.Context, path string, query url.Values, size, window, more int) ([]map[string]any, error) {
	page := func(ctx context.Context, i int) ([]map[string]any, error) {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("first", fmt.Sprint(i*size))
		q.Set("max", fmt.Sprint(size))
		var objs []map[string]any
		err := rd.api.Get(ctx, path, q, &objs)
		return objs, err
	}
	var found [][]map[string]any
	for n := window; ; n = more {
		from := len(found)
		found = append(found, make([][]map[string]any, n)...)
		err := parallel.ForEach(ctx, rd.workers, n, func(ctx context.Context, i int) error {
			var err error
			found[from+i], err = page(ctx, from+i)
			return err
		})
		if err != nil {
			return nil, err
		}
		if end, ok := lastPage(found, size); ok {
			found = found[:end+1]
			break
		}
	}
	// A page boundary that moved (an object removed meanwhile) may show
	// an object twice: keep the first. Objects without an id (identity
	// providers have an alias and an internalId) are all kept.
	seen := map[string]bool{}
	var out []map[string]any
	for _, objs := range found {
		for _, o := range objs {
			id := idOf(o)
			if id == "" || !seen[id] {
				seen[id] = true
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// idOf is an object's id as Keycloak lists it, or "" when it has none.
func idOf(o map[string]any) string {
	id, _ := o["id"].(string)
	return id
}

// lastPage finds the page that ends a collection among those read: the
// first one that is not full, or the one before a page that begins with
// the first page's first object (a server that ignores first answers the
// first page again, and would be paged for ever). The objects are
// compared whole: some have no id (identity providers).
func lastPage(pages [][]map[string]any, size int) (int, bool) {
	for i, objs := range pages {
		if i > 0 && len(objs) > 0 && len(pages[0]) > 0 && reflect.DeepEqual(objs[0], pages[0][0]) {
			return i - 1, true
		}
		if len(objs) != size {
			return i, true
		}
	}
	return 0, false
}

// place puts objects of kind k read under parent (nil: the realm) where
// the realm document holds them, and records them as nodes.
func (rd *reader) place(k *model.Kind, parent *node, objs []map[string]any) []*node {
	nodes := make([]*node, len(objs))
	items := make([]any, len(objs))
	for i, o := range objs {
		nodes[i] = &node{kind: k, obj: o, parent: parent}
		if parent != nil {
			nodes[i].parentID = parent.id()
		}
		items[i] = o
	}
	rd.nodes[k.Name] = append(rd.nodes[k.Name], nodes...)
	switch {
	case k.TypeField != "":
		// A map of type to list, as a realm export writes components.
		container, field := rd.doc(), k.RealmPath
		if parent != nil {
			container, field = parent.obj, k.ParentField
		}
		m := model.Ensure(container, field)
		for _, o := range objs {
			typ := fmt.Sprint(o[k.TypeField])
			list, _ := m[typ].([]any)
			m[typ] = append(list, o)
		}
	case parent == nil:
		setPath(rd.doc(), k.RealmPath, items)
	case k.ParentKeyField != "":
		// A flat realm-level list, each item naming its parent.
		parentKind := model.KindByName(k.Parent)
		for _, o := range objs {
			o[k.ParentKeyField] = parent.obj[parentKind.KeyField]
		}
		list, _ := model.Lookup(rd.doc(), k.RealmPath)
		have, _ := list.([]any)
		setPath(rd.doc(), k.RealmPath, append(have, items...))
	case k.ParentField != "":
		parent.obj[k.ParentField] = items
	case k.ParentMap != "" && len(items) > 0:
		parentKind := model.KindByName(k.Parent)
		model.Ensure(rd.doc(), k.ParentMap)[fmt.Sprint(parent.obj[parentKind.KeyField])] = items
	}
	return nodes
}

// setPath sets a dotted path of the document ("roles.realm").
func setPath(doc model.Object, path string, v any) {
	if i := strings.LastIndex(path, "."); i >= 0 {
		model.Ensure(doc, path[:i])[path[i+1:]] = v
		return
	}
	doc[path] = v
}

// confirmMissing makes sure a realm answered 404 is absent from the
// server's list of realms. A wrong base URL (a path Keycloak does not
// serve, a proxy in front of something else) answers 404 to everything:
// taken at its word, a plan would create every realm and a drift check
// would page on all of it.
func confirmMissing(ctx context.Context, api API, realm string) error {
	var realms []map[string]any
	if err := api.Get(ctx, "", url.Values{"briefRepresentation": {"true"}}, &realms); err != nil {
		return fmt.Errorf("realm %s answered 404, and the server's list of realms could not be read either (is the URL Keycloak's base URL?): %w", realm, err)
	}
	for _, r := range realms {
		if r["realm"] == realm {
			return fmt.Errorf("realm %s answered 404 although the server lists it: check the URL and the user's permissions", realm)
		}
	}
	return nil
}

// flowAliases reads the aliases of the realm's top-level flows, which the
// realm's flow bindings name, when the flows kind itself was not read.
func (rd *reader) flowAliases(ctx context.Context) error {
	var flows []map[string]any
	if err := rd.api.Get(ctx, rd.path(model.KindByName(model.KindFlow).Endpoints.Create, nil, nil), nil, &flows); err != nil {
		return err
	}
	rd.recordFlowAliases(flows)
	return nil
}
