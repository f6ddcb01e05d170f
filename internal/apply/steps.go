package apply

// The steps of a run: creating, updating and deleting one object, and
// setting its references. apply.go orders them into passes and waves.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// upsert creates an object, or merges the desired fields into the live
// object and writes the whole of it back.
func (r *run) upsert(ctx context.Context, a *plan.Action) error {
	d := a.Desired
	body := plainFields(d)
	if err := r.referenceIDs(ctx, a.Realm, d.Kind, body); err != nil {
		return err
	}
	for _, f := range d.Kind.LateFields {
		delete(body, f) // written by the references pass
	}
	if w := d.Kind.Write; w != nil && w.Hook != "" {
		if done, err := writeHooks[w.Hook](r, ctx, a, body); done {
			return err
		}
	}
	if w := d.Kind.Write; w != nil && w.NoRead {
		return r.writeWhole(ctx, a, body)
	}
	if a.Verb == plan.Update {
		r.dropUnchangedWriteOnly(a.Realm, d, body)
	}
	body = d.Kind.ToWire(body)
	if a.Verb == plan.Create {
		if err := r.create(ctx, a.Realm, d, body); err != nil {
			return err
		}
		r.noteCreatedSecrets(a.Realm, d)
		return r.recordDigests(ctx, a.Realm, d)
	}
	for _, f := range d.Kind.CreateOnly {
		delete(body, f) // never again after the create
	}
	if a.Verb == plan.Replace {
		path, err := r.itemPath(ctx, a.Realm, a.Live)
		if err != nil {
			return err
		}
		if err := r.api.Delete(ctx, path, nil); err != nil {
			return err
		}
		return r.create(ctx, a.Realm, d, body)
	}
	if !hasPlainChanges(a) {
		return nil // only references change: pass 2 does that
	}
	path, err := r.itemPath(ctx, a.Realm, d)
	if err != nil {
		return err
	}
	var current map[string]any
	if err := r.api.Get(ctx, path, nil, &current); err != nil {
		return err
	}
	if err := r.mergeAndPut(ctx, a.Realm, path, d, current, body); err != nil {
		return err
	}
	return r.recordDigests(ctx, a.Realm, d)
}

// mergeAndPut writes the desired fields over the live object (keyed lists
// by key, maps key by key) and PUTs the whole of it back: never a sparse
// PUT, which would reset what the desired state does not mention. Keys of
// a whole map that the desired state leaves out are removed, judged
// against this fresh read rather than the plan's.
func (r *run) mergeAndPut(ctx context.Context, realm, path string, d *model.Entity, current, body map[string]any) error {
	for field, key := range d.Kind.KeyedLists {
		if want, ok := body[field]; ok {
			body[field] = mergeKeyed(current[field], want, key)
		}
	}
	removals := d.Kind.MapRemovals(realm, d, current)
	merged := overlay(current, body).(map[string]any)
	if d.Kind.WireType != "" || d.Kind.TypeField != "" {
		dropMaskedConfig(merged)
	}
	for _, field := range model.SortedKeys(removals) {
		for _, key := range removals[field] {
			d.Kind.RemoveMapKey(merged, field, key)
		}
	}
	return r.api.Put(ctx, path, merged)
}

func (r *run) create(ctx context.Context, realm string, d *model.Entity, body map[string]any) error {
	k := d.Kind
	if k.Root {
		// The realm is made bare, then written as an update: a realm's
		// POST imports it, and an import gives every field of a policy
		// written in part its zero value (otpPolicyType alone leaves an
		// OTP period of 0 seconds), where a PUT over the new realm keeps
		// Keycloak's defaults for what the files leave out.
		bare := map[string]any{k.KeyField: body[k.KeyField]}
		if _, err := r.api.Post(ctx, k.Endpoints.Create, bare); err != nil && !mayExist(err) {
			return err
		}
		// A token issued before the realm existed carries no roles for it:
		// Keycloak answers 403 until the token is renewed. (A 409 or a
		// lost answer: an earlier, killed run may have made it.)
		if err := r.api.RefreshToken(ctx); err != nil {
			return err
		}
		path, err := r.itemPath(ctx, realm, d)
		if err != nil {
			return err
		}
		var current map[string]any
		if err := r.api.Get(ctx, path, nil, &current); err != nil {
			return fmt.Errorf("realm %s exists, bare, but cannot be read back to be written (the next sync writes it): %w", realm, err)
		}
		return r.mergeAndPut(ctx, realm, path, d, current, body)
	}
	tmpl := k.Endpoints.Create
	if d.Parent == "" && k.Endpoints.CreateRoot != "" {
		tmpl = k.Endpoints.CreateRoot
	}
	path, err := r.expand(ctx, realm, d, tmpl)
	if err != nil {
		return err
	}
	if k.WireType != "" {
		body["providerType"] = k.WireType
	}
	if k.ParentIDField != "" && d.Parent != "" {
		pid, err := r.resolve(ctx, realm, r.parentEntity(realm, d))
		if err != nil {
			return fmt.Errorf("parent %s: %w", d.Parent, err)
		}
		body[k.ParentIDField] = pid
	}
	if k.AdoptOnCreate {
		// Made by the server with its parent: this create is an update.
		if id, err := r.find(ctx, realm, d); err == nil {
			r.mu.Lock()
			r.ids[ref{realm, k.Name, d.Key}] = id
			r.mu.Unlock()
			return r.updateExisting(ctx, realm, d, body, fmt.Errorf("%s %q exists, but could not be read", k.Title, d.Key))
		}
	}
	id, err := r.api.Post(ctx, path, body)
	if err != nil {
		if !mayExist(err) {
			return err
		}
		return r.updateExisting(ctx, realm, d, body, err)
	}
	// Roles answer with their name in Location, not their id: look those
	// up when needed instead.
	if id != "" && id != d.Name() {
		r.mu.Lock()
		r.ids[ref{realm, k.Name, d.Key}] = id
		r.mu.Unlock()
	}
	return nil
}

// mayExist reports whether a failed create may have left its object on the
// server: Keycloak answered 409 (the key is taken), or Keycloak's answer
// never came (a timeout, a lost connection, a gateway's 502 or 504) after
// the request may have gone out.
func mayExist(err error) bool {
	var conflict interface{ Conflict() bool }
	if errors.As(err, &conflict) && conflict.Conflict() {
		return true
	}
	var answered interface{ Answered() bool }
	return !errors.As(err, &answered) || !answered.Answered()
}

// updateExisting finishes a create whose object turned out to exist (made
// by an earlier run that was killed, or by this one before its answer was
// lost): it is found by its natural key and updated to the desired state
// by GET, merge and PUT. If it is not there, the create's error stands.
func (r *run) updateExisting(ctx context.Context, realm string, d *model.Entity, body map[string]any, createErr error) error {
	path, err := r.itemPath(ctx, realm, d)
	if err != nil {
		return createErr
	}
	var current map[string]any
	if err := r.api.Get(ctx, path, nil, &current); err != nil {
		return createErr
	}
	for _, f := range d.Kind.CreateOnly {
		delete(body, f) // a password is set only by the create that made the object
	}
	return r.mergeAndPut(ctx, realm, path, d, current, body)
}

// remove deletes an object. The goal is that the object is gone: a DELETE
// answered 404 (a retry after the first attempt worked) has reached it,
// and so has one that failed (a 500 while another delete held a lock, a
// lost response) when the object is gone afterwards.
func (r *run) remove(ctx context.Context, a *plan.Action) error {
	if w := a.Live.Kind.Write; w != nil {
		if remove, ok := removeHooks[w.Hook]; ok {
			return remove(r, ctx, a)
		}
	}
	path, err := r.itemPath(ctx, a.Realm, a.Live)
	if err != nil {
		return err
	}
	if a.Live.Kind.DeleteChecks {
		// Its API fails on deleting what is gone (a 500): look first.
		var still map[string]any
		if gerr := r.api.Get(ctx, path, nil, &still); notFound(gerr) {
			return nil
		}
	}
	err = r.api.Delete(ctx, path, nil)
	if err == nil || notFound(err) {
		return nil
	}
	var still map[string]any
	if gerr := r.api.Get(ctx, path, nil, &still); notFound(gerr) {
		return nil
	}
	return err
}

// notFound reports whether err means the server has no such object. The
// admin client's errors implement it; the interface keeps this package
// free of the client.
func notFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.As(err, &nf) && nf.NotFound()
}

// relations adds and removes the references an action changes, one call
// per endpoint and direction. Every removal of the action goes before any
// addition: a scope moving from a client's optional list to its default
// list must leave the one before it joins the other (Keycloak answers 409,
// or drops it from both).
func (r *run) relations(ctx context.Context, a *plan.Action) error {
	if err := r.writeLate(ctx, a); err != nil {
		return err
	}
	if len(relationChanges(a)) == 0 {
		return nil
	}
	owner, err := r.itemPath(ctx, a.Realm, a.Desired)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	var created map[string]any // read back once, for defaulted relations
	var changes []plan.Change
	for _, c := range relationChanges(a) {
		rel := a.Desired.Kind.Relation(c.Path)
		if rel.DefaultedOnCreate && a.Verb == plan.Create {
			// The plan compared with nothing; Keycloak has since filled in
			// its defaults. Reconcile with what it made.
			if created == nil {
				if err := r.api.Get(ctx, owner, nil, &created); err != nil {
					errs = multierror.Append(errs, err)
					continue
				}
			}
			c.AddRefs, c.RemoveRefs = rel.Delta(a.Desired.Fields[rel.Field], created[rel.Field])
		}
		changes = append(changes, c)
	}
	for _, adding := range []bool{false, true} {
		for _, c := range changes {
			rel := a.Desired.Kind.Relation(c.Path)
			refs := c.RemoveRefs
			if adding {
				refs = c.AddRefs
			}
			errs = multierror.Append(errs, r.setRefs(ctx, a.Realm, owner, rel, refs, adding))
		}
	}
	return errs.ErrorOrNil()
}

// relationChanges are the reference changes pass 2 makes for an action:
// the plan's, and on a create an empty change for every relation the
// server fills in that the desired state declares, so that a declared
// empty list (optionalClientScopes: []) removes what Keycloak added.
func relationChanges(a *plan.Action) []plan.Change {
	var out []plan.Change
	planned := map[string]bool{}
	for _, c := range a.Changes {
		if a.Desired.Kind.Relation(c.Path) != nil {
			out = append(out, c)
			planned[c.Path] = true
		}
	}
	if a.Verb != plan.Create {
		return out
	}
	for _, rel := range a.Desired.Kind.Relations {
		if _, declared := a.Desired.Fields[rel.Field]; declared && rel.DefaultedOnCreate && !planned[rel.Field] {
			out = append(out, plan.Change{Path: rel.Field})
		}
	}
	return out
}

// setRefs adds or removes references: one call per reference for PerRef
// relations (PUT or DELETE, no body), otherwise one call per endpoint
// with the role representations as the body (POST or DELETE).
func (r *run) setRefs(ctx context.Context, realm, owner string, rel *model.Relation, refs []model.Ref, adding bool) error {
	if len(refs) == 0 {
		return nil
	}
	var errs *multierror.Error
	if rel.PerRef() {
		call := r.api.Delete
		if adding {
			call = r.api.Put
		}
		for _, target := range refs {
			id, err := r.resolve(ctx, realm, stub(model.KindByName(target.Kind), target.Key))
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", target, err))
				continue
			}
			path := strings.NewReplacer("{owner}", owner, "{ref}", url.PathEscape(id)).Replace(rel.Path(target))
			switch {
			case rel.Wire == model.WireIDBody && adding:
				_, err = r.api.Post(ctx, strings.TrimSuffix(path, "/"+url.PathEscape(id)), id)
			case rel.Wire == model.WireIDBody:
				err = r.api.Delete(ctx, path, nil)
			default:
				err = call(ctx, path, nil)
			}
			if err != nil {
				errs = multierror.Append(errs, err)
			}
		}
		return errs.ErrorOrNil()
	}
	call := r.api.Delete
	if adding {
		call = func(ctx context.Context, p string, body any) error { _, err := r.api.Post(ctx, p, body); return err }
	}
	batches, err := r.batch(ctx, realm, owner, rel, refs)
	if err != nil {
		return err
	}
	for _, path := range model.SortedKeys(batches) {
		if err := call(ctx, path, batches[path]); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}

// batch groups references by the endpoint that takes them, with the role
// representations (id and name) Keycloak wants in the body.
func (r *run) batch(ctx context.Context, realm, owner string, rel *model.Relation, refs []model.Ref) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	for _, target := range refs {
		e := stub(model.KindByName(target.Kind), target.Key)
		id, err := r.resolve(ctx, realm, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", target, err)
		}
		path := strings.ReplaceAll(rel.Path(target), "{owner}", owner)
		if strings.Contains(path, "{refParent}") {
			parentID, err := r.resolve(ctx, realm, r.parentEntity(realm, e))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", target, err)
			}
			path = strings.ReplaceAll(path, "{refParent}", url.PathEscape(parentID))
		}
		out[path] = append(out[path], map[string]any{"id": id, "name": e.Kind.NameOf(target.Key)})
	}
	return out, nil
}

func hasPlainChanges(a *plan.Action) bool {
	for _, c := range a.Changes {
		if !c.IsRelation() && !a.Desired.Kind.IsLate(topField(c.Path)) {
			return true
		}
	}
	return false
}

func hasRelations(a *plan.Action) bool { return len(relationChanges(a)) > 0 || len(lateChanges(a)) > 0 }

// lateChanges are the action's changed fields the references pass
// writes.
func lateChanges(a *plan.Action) []string {
	var out []string
	for _, c := range a.Changes {
		if f := topField(c.Path); a.Desired.Kind.IsLate(f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func topField(path string) string {
	f, _, _ := strings.Cut(path, ".")
	return f
}

// writeLate writes the fields an object's own write left out, once every
// object they name exists: GET, set, PUT of the whole object.
func (r *run) writeLate(ctx context.Context, a *plan.Action) error {
	fields := lateChanges(a)
	if len(fields) == 0 {
		return nil
	}
	var own []string // written through the item's PUT
	for _, f := range fields {
		ep, separate := a.Desired.Kind.LateEndpoints[f]
		if !separate {
			own = append(own, f)
			continue
		}
		item, err := r.itemPath(ctx, a.Realm, a.Desired)
		if err != nil {
			return err
		}
		var current map[string]any
		if err := r.api.Get(ctx, item+"/"+ep, nil, &current); err != nil {
			return err
		}
		if err := r.api.Put(ctx, item+"/"+ep, overlay(current, model.DeepCopy(a.Desired.Fields[f]))); err != nil {
			return err
		}
	}
	if len(own) == 0 {
		return nil
	}
	path, current, err := r.readItem(ctx, a.Realm, a.Desired)
	if err != nil {
		return err
	}
	for _, f := range own {
		current[f] = model.DeepCopy(a.Desired.Fields[f])
	}
	return r.api.Put(ctx, path, current)
}

// plainFields are the fields an object's own POST or PUT carries:
// everything but references.
func plainFields(e *model.Entity) map[string]any {
	body := map[string]any{}
	for f, v := range e.Fields {
		if !e.Kind.IsRelation(f) {
			body[f] = model.DeepCopy(v)
		}
	}
	return body
}

// mergeKeyed merges desired list items into the live list by key: a
// desired item overlays the live item of the same key, new items are
// appended in desired order, and live items not listed are kept.
func mergeKeyed(current, desired any, key string) []any {
	live, _ := current.([]any)
	out := make([]any, 0, len(live))
	wanted := model.KeyedItems(desired, key)
	seen := map[string]bool{}
	for _, item := range live {
		obj, ok := item.(map[string]any)
		if !ok {
			out = append(out, item)
			continue
		}
		name := model.ScalarString(obj[key])
		if w, ok := wanted[name]; ok {
			item = overlay(obj, model.DeepCopy(w))
			seen[name] = true
		}
		out = append(out, item)
	}
	list, _ := desired.([]any)
	for _, item := range list {
		if obj, ok := item.(map[string]any); ok && !seen[model.ScalarString(obj[key])] {
			out = append(out, model.DeepCopy(obj))
		}
	}
	return out
}

// overlay writes desired over current: objects merge key by key (desired
// state is sparse), everything else is replaced.
func overlay(current, desired any) any {
	cm, ok1 := current.(map[string]any)
	dm, ok2 := desired.(map[string]any)
	if !ok1 || !ok2 {
		return desired
	}
	for k, v := range dm {
		cm[k] = overlay(cm[k], v)
	}
	return cm
}

// referenceIDs rewrites the names a body's references carry (flow
// aliases) to the ids the server takes, from the live read or, for a
// realm this run created, from the server.
func (r *run) referenceIDs(ctx context.Context, realm string, k *model.Kind, body map[string]any) error {
	carries := false
	for _, ref := range k.BodyRefs {
		m, _ := body[ref.Field].(map[string]any)
		carries = carries || len(m) > 0
	}
	if !carries {
		return nil
	}
	r.mu.Lock()
	ids := r.flowIDs[realm]
	r.mu.Unlock()
	if ids == nil {
		if lr := r.live[realm]; lr != nil && lr.FlowIDs != nil && !namesNewFlows(k, body, lr.FlowIDs) {
			ids = lr.FlowIDs
		} else {
			var err error
			if ids, err = r.topLevelFlowIDs(ctx, realm); err != nil {
				return err
			}
		}
		r.mu.Lock()
		r.flowIDs[realm] = ids
		r.mu.Unlock()
	}
	if unknown := k.RefsToIDs(body, ids); len(unknown) > 0 {
		return fmt.Errorf("flows %s do not exist in realm %s", strings.Join(unknown, ", "), realm)
	}
	return nil
}

// namesNewFlows reports whether a body names flows the live read did not
// see (made by this run): the server's ids are read again.
func namesNewFlows(k *model.Kind, body map[string]any, ids map[string]string) bool {
	probe := model.DeepCopy(body).(map[string]any)
	return len(k.RefsToIDs(probe, ids)) > 0
}

// writeWhole writes an object whose API has no GET and clears what a body
// leaves out (an extension's singletons): the body is the live object as
// the plan read it with the desired fields over it, in the wire's shape,
// created or replaced by one call.
func (r *run) writeWhole(ctx context.Context, a *plan.Action, desired map[string]any) error {
	k := a.Desired.Kind
	body := map[string]any{}
	if a.Live != nil {
		body = plainFields(a.Live)
	}
	body = overlay(body, desired).(map[string]any)
	if k.Write.Body != nil {
		body = k.Write.Body(body)
	}
	path, err := r.itemPath(ctx, a.Realm, a.Desired)
	if err != nil {
		return err
	}
	if k.Write.Method == "POST" {
		_, err = r.api.Post(ctx, path, body)
	} else {
		err = r.api.Put(ctx, path, body)
	}
	if err != nil {
		return err
	}
	return r.recordDigests(ctx, a.Realm, a.Desired)
}

// dropMaskedConfig leaves out of a component's PUT the settings Keycloak
// answered masked (a bind credential): a component's update keeps every
// config key its body leaves out, so the stored secret stays without the
// mask ever being sent back.
func dropMaskedConfig(component map[string]any) {
	config, _ := component["config"].(map[string]any)
	for key, v := range config {
		if model.Masked(v) {
			delete(config, key)
		}
	}
}

// dropUnchangedWriteOnly leaves out of an update's body the write-only
// values the files have not changed since realmsync last wrote them (by
// digest): a directory password is sent once, not with every change of
// a timeout.
func (r *run) dropUnchangedWriteOnly(realm string, d *model.Entity, body map[string]any) {
	lr := r.live[realm]
	if lr == nil {
		return
	}
	for _, f := range d.Kind.WriteOnly {
		v, ok := model.ValueAt(body, f)
		if !ok || lr.Digests[model.DigestKey(d.Kind.Name, d.Key, f)] != model.Digest(realm, v) {
			continue
		}
		if _, top := body[f]; top {
			delete(body, f)
		} else if field, key, nested := strings.Cut(f, "."); nested {
			if m, ok := body[field].(map[string]any); ok {
				delete(m, key)
			}
		}
	}
}

// noteCreatedSecrets keeps the digests of the secrets only a create sets
// (a user's initial password), for the final record: a plan then knows
// whether the files changed them since, and warns only then.
func (r *run) noteCreatedSecrets(realm string, d *model.Entity) {
	for _, f := range d.Kind.CreateOnly {
		v, ok := d.Fields[f]
		if !ok || !d.Kind.IsSecret(f) {
			continue
		}
		r.mu.Lock()
		if r.createdDigests == nil {
			r.createdDigests = map[string]map[string]string{}
		}
		if r.createdDigests[realm] == nil {
			r.createdDigests[realm] = map[string]string{}
		}
		r.createdDigests[realm][model.DigestAttribute(d.Kind.Name, d.Key, f)] = model.Digest(realm, v)
		r.mu.Unlock()
	}
}

// recordDigests keeps, in the realm's attributes, the digests of the
// write-only values just written, so that the next plan sees whether the
// files changed them.
func (r *run) recordDigests(ctx context.Context, realm string, d *model.Entity) error {
	written := map[string]any{}
	for _, f := range d.Kind.WriteOnly {
		if v, ok := model.ValueAt(d.Fields, f); ok && v != nil {
			written[f] = v
		}
	}
	if len(written) == 0 {
		return nil
	}
	// Objects of one wave record theirs at once: each read and write of
	// the realm's attributes goes alone, or one would put back the
	// attributes without another's digest (or Keycloak answers 409 to
	// two inserts of one attribute).
	r.attrMu.Lock()
	defer r.attrMu.Unlock()
	rep, attrs, err := r.realmAttributes(ctx, realm)
	if err != nil {
		return fmt.Errorf("recording what was written: %w", err)
	}
	for f, v := range written {
		attrs[model.DigestAttribute(d.Kind.Name, d.Key, f)] = model.Digest(realm, v)
	}
	if err := r.api.Put(ctx, realmPath(realm), rep); err != nil {
		return fmt.Errorf("recording what was written: %w", err)
	}
	return nil
}
