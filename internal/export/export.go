package export

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/model"
)

// WriteAPI is what export needs beyond reads: it creates a short-lived
// baseline realm to learn this server's defaults.
type WriteAPI interface {
	live.API
	Post(ctx context.Context, path string, body any) (string, error)
	Delete(ctx context.Context, path string, body any) error
	RefreshToken(ctx context.Context) error
}

// probeName names the objects created in the baseline realm to learn what
// the server fills into a new object of each kind.
const probeName = "realmsync-probe"

// Baseline is what a fresh realm on this server looks like: built-in
// objects and the defaults of new objects.
type Baseline struct {
	realm *model.Realm
	name  string
}

// ReadBaseline creates a throwaway realm with one probe object per kind,
// reads it back and deletes it. Defaults differ between Keycloak versions,
// so they are read from the server rather than written into realmsync.
func ReadBaseline(ctx context.Context, api WriteAPI) (b *Baseline, err error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "realmsync-baseline-" + hex.EncodeToString(suffix)
	if _, err := api.Post(ctx, "", map[string]any{"realm": name}); err != nil {
		if live.Forbidden(err) {
			// An account that may manage only the exported realm (README
			// recommends one for plan and sync) cannot make the scratch
			// realm: say what it lacks rather than only "403".
			return nil, fmt.Errorf("creating baseline realm: export learns this server's defaults from a scratch realm it creates and deletes, "+
				"so the account needs master's create-realm role (or log in as an administrator for export): %w", err)
		}
		return nil, fmt.Errorf("creating baseline realm: %w", err)
	}
	defer func() {
		// Clean up even when the caller gave up (Ctrl-C): a leftover
		// baseline realm would be a surprise on the server.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if derr := api.Delete(cleanup, url.PathEscape(name), nil); derr != nil && err == nil {
			err = fmt.Errorf("deleting baseline realm %s: %w", name, derr)
		}
	}()
	if err := api.RefreshToken(ctx); err != nil {
		return nil, err
	}
	if err := probe(ctx, api, name); err != nil {
		return nil, err
	}
	realm, err := live.Read(ctx, api, name, live.Options{})
	if err != nil {
		return nil, err
	}
	if realm == nil {
		return nil, fmt.Errorf("baseline realm %s vanished", name)
	}
	return &Baseline{realm: realm, name: name}, nil
}

// probe creates one object of every kind the table probes, in table
// order, each child under its parent's probe, through the kind's own
// create endpoint.
func probe(ctx context.Context, api WriteAPI, realm string) error {
	ids := map[string]string{} // kind → the probe's server id
	for _, k := range model.Kinds() {
		if k.Probe == nil {
			continue
		}
		tmpl := k.Endpoints.Create
		if k.Recursive() {
			tmpl = k.Endpoints.CreateRoot
		}
		path := strings.NewReplacer("{realm}", url.PathEscape(realm), "{parent}", url.PathEscape(ids[k.Parent])).Replace(tmpl)
		body := model.DeepCopy(map[string]any(k.Probe)).(map[string]any)
		body[k.KeyField] = probeName
		id, err := api.Post(ctx, path, body)
		if err != nil {
			return fmt.Errorf("baseline probe %s: %w", k.Title, err)
		}
		ids[k.Name] = id
	}
	return nil
}

// Prune reduces a live realm to what a desired-state file should say:
// built-in objects only where changed and only their changed fields; other
// objects with the fields that differ from a new object's defaults;
// secrets replaced by environment placeholders. It returns the pruned
// realm and the placeholders it wrote.
func (b *Baseline) Prune(live *model.Realm) (*model.Realm, []string) {
	base := b.renamed(live.Name)
	out := model.NewRealm(live.Name)
	var placeholders []string
	for _, k := range model.Kinds() {
		var probe *model.Entity
		if p := base.Sorted(k.Name); len(p) > 0 {
			for _, e := range p {
				if e.Name() == probeName {
					probe = e
				}
			}
		}
		for _, e := range live.Sorted(k.Name) {
			if k.Frozen(live.Name, e.Key) {
				continue // Keycloak's own, and no file can change it
			}
			if (k.Name == model.KindUser && live.Imported[e.Key]) || (k.Parent == model.KindUser && live.Imported[e.Parent]) {
				continue // the directory's: user federation imports it
			}
			kept := &model.Entity{Kind: k, Key: e.Key, Parent: e.Parent, Fields: model.Object{}}
			ref := base.Get(k.Name, e.Key)
			if ref == nil && k.Parent != "" && k.BuiltIn(live.Name, e.Key) && !holdsReferences(e) {
				// Keycloak makes it with its parent (a service account's
				// mappers on Keycloak 24 and 25), and nothing in it is the
				// user's: no file should say it.
				continue
			}
			builtIn := ref != nil && e.Name() != probeName
			if !builtIn {
				ref = probe
			}
			for _, f := range model.SortedKeys(e.Fields) {
				if def, ok := k.Defaults[f]; ok && cmp.Equal(e.Fields[f], def) {
					continue // what the server assumes anyway
				}
				if w := k.WholeMapFor(live.Name, e.Key, f); w != nil {
					// The file will be the whole truth about this map: it
					// is written whole, the server's own keys left out.
					if m, ok := e.Fields[f].(map[string]any); ok {
						if owned := w.OwnedPart(k, m); len(owned) > 0 {
							kept.Fields[f] = owned
						}
						continue
					}
				}
				var baseValue any
				if ref != nil {
					baseValue = ref.Fields[f]
				}
				if v, ok := delta(e.Fields[f], baseValue); ok {
					kept.Fields[f] = v
				} else if !builtIn && k.IsRequired(f) {
					kept.Fields[f] = model.DeepCopy(e.Fields[f])
				}
			}
			placeholders = append(placeholders, hideSecrets(live.Name, kept, e, builtIn)...)
			for _, f := range k.MaskedMaps {
				// What the server hides cannot be exported, and a sparse
				// file leaves it as it is.
				if m, ok := kept.Fields[f].(map[string]any); ok {
					for key, v := range m {
						if model.Masked(v) {
							delete(m, key)
						}
					}
					if len(m) == 0 {
						delete(kept.Fields, f)
					}
				}
			}
			if k.Steps != nil {
				pruneStepDefaults(k, kept.Fields[k.Steps.Field])
			}
			if builtIn && len(kept.Fields) == 0 {
				continue
			}
			if k.KeyField != "" { // a singleton (the user profile) has none
				kept.Fields[k.KeyField] = e.Fields[k.KeyField]
			}
			_ = out.Add(kept)
		}
	}
	addMissingParents(out, live)
	return out, placeholders
}

// pruneStepDefaults leaves out of nested steps (sub-flows) the values
// the server assumes, as export does for the object's own fields.
func pruneStepDefaults(k *model.Kind, list any) {
	items, _ := list.([]any)
	for _, item := range items {
		step, ok := item.(map[string]any)
		if !ok {
			continue
		}
		for f, def := range k.Defaults {
			if cmp.Equal(step[f], def) {
				delete(step, f)
			}
		}
		pruneStepDefaults(k, step[k.Steps.Field])
	}
}

// delta returns the part of v that differs from the baseline value: for
// objects, the differing keys; otherwise v itself when it differs.
func delta(v, base any) (any, bool) {
	vm, ok1 := v.(map[string]any)
	bm, ok2 := base.(map[string]any)
	if ok1 && ok2 {
		out := map[string]any{}
		for _, k := range model.SortedKeys(vm) {
			if d, ok := delta(vm[k], bm[k]); ok {
				out[k] = d
			}
		}
		return out, len(out) > 0
	}
	if base == nil && isEmpty(v) {
		return nil, false
	}
	if cmp.Equal(v, base) {
		return nil, false
	}
	return model.DeepCopy(v), true
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

// hideSecrets replaces secret values with ${env:...} placeholders. A
// public or bearer-only client's secret is meaningless, and a built-in's
// was generated by the server for this realm: both are dropped.
func hideSecrets(realm string, e, live *model.Entity, builtIn bool) []string {
	var names []string
	for _, path := range e.Kind.Secrets {
		container, field, ok := secretSlot(e.Fields, path)
		if !ok {
			continue
		}
		v, ok := container[field]
		if !ok {
			continue
		}
		s, list, _ := model.SecretText(v)
		if s == "" || (builtIn && !e.Kind.Root) || live.Fields["publicClient"] == true || live.Fields["bearerOnly"] == true {
			delete(container, field)
			continue
		}
		parts := []string{"REALMSYNC", realm, e.Key, path}
		if e.Kind.Root {
			parts = []string{"REALMSYNC", realm, path}
		}
		name := envName(parts...)
		container[field] = "${env:" + name + "}"
		if list { // a list-valued secret (component config) keeps its shape
			container[field] = []any{"${env:" + name + "}"}
		}
		names = append(names, name)
	}
	return names
}

// secretSlot is the map holding a secret path's value ("secret", or
// "attributes.saml.signing.private.key" inside attributes) and the key in
// it; false when the enclosing map is absent.
func secretSlot(fields map[string]any, path string) (map[string]any, string, bool) {
	field, sub, nested := strings.Cut(path, ".")
	if !nested {
		return fields, field, true
	}
	m, ok := fields[field].(map[string]any)
	return m, sub, ok
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

func envName(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.Trim(nonWord.ReplaceAllString(strings.ToUpper(p), "_"), "_")
	}
	return strings.Join(parts, "_")
}

// addMissingParents keeps the parent (key only) of every kept child, so
// that a changed mapper of an unchanged built-in scope can be written.
func addMissingParents(out, live *model.Realm) {
	kinds := model.Kinds()
	for i := len(kinds) - 1; i >= 0; i-- {
		k := kinds[i]
		for _, e := range out.Sorted(k.Name) {
			for child := e; child.Parent != ""; {
				pk := model.KindByName(child.Kind.Parent)
				if p := out.Get(pk.Name, child.Parent); p != nil {
					break
				}
				lp := live.Get(pk.Name, child.Parent)
				if lp == nil {
					break
				}
				stub := &model.Entity{Kind: pk, Key: lp.Key, Parent: lp.Parent,
					Fields: model.Object{pk.KeyField: lp.Fields[pk.KeyField]}}
				_ = out.Add(stub)
				child = stub
			}
		}
	}
}

// renamed returns the baseline as if its realm were called name, so that
// built-ins named after the realm (default-roles-<realm>, account URLs)
// compare with the live realm's.
func (b *Baseline) renamed(name string) *model.Realm {
	out := model.NewRealm(name)
	// The default role's name is lower-cased; it goes first so that the
	// realm's own name does not replace its part of it.
	rename := strings.NewReplacer(model.DefaultRoleName(b.name), model.DefaultRoleName(name), b.name, name)
	for _, k := range model.Kinds() {
		for _, e := range b.realm.Sorted(k.Name) {
			c := &model.Entity{
				Kind: k, Key: rename.Replace(e.Key),
				Parent: rename.Replace(e.Parent),
				Fields: replaceStrings(model.DeepCopy(e.Fields), rename).(map[string]any),
			}
			_ = out.Add(c)
		}
	}
	return out
}

func replaceStrings(v any, rename *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		return rename.Replace(t)
	case []any:
		for i := range t {
			t[i] = replaceStrings(t[i], rename)
		}
	case map[string]any:
		for k, x := range t {
			nk := rename.Replace(k)
			if nk != k {
				delete(t, k)
			}
			t[nk] = replaceStrings(x, rename)
		}
	}
	return v
}

// holdsReferences reports whether an object sets any relation (a
// service account's roles): those are the user's, built-in object or not.
func holdsReferences(e *model.Entity) bool {
	for _, rel := range e.Kind.Relations {
		if v, ok := e.Fields[rel.Field]; ok && !isEmpty(v) {
			return true
		}
	}
	return false
}

// NewRealm is what the server makes in every new realm, as realm name
// would hold it (its own default role, its admin client's name): the
// objects strict drift does not call unmanaged.
func (b *Baseline) NewRealm(name string) *model.Realm { return b.renamed(name) }

// HideLiteralSecrets replaces the secrets r holds as values by ${env:...}
// placeholders, leaving those written as references (${env:...},
// ${file:...}) as they are: a converted project must not write a secret
// into files that go to Git. It returns the placeholders written.
func HideLiteralSecrets(r *model.Realm) []string {
	var names []string
	for _, k := range model.Kinds() {
		for _, e := range r.Sorted(k.Name) {
			kept := map[string]any{}
			for _, path := range k.Secrets {
				container, field, ok := secretSlot(e.Fields, path)
				if s, _, _ := model.SecretText(container[field]); ok && strings.Contains(s, "${") {
					kept[path] = container[field]
					delete(container, field)
				}
			}
			names = append(names, hideSecrets(r.Name, e, e, false)...)
			for path, v := range kept {
				container, field, _ := secretSlot(e.Fields, path)
				container[field] = v
			}
		}
	}
	return names
}
