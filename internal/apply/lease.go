package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/realmsync/realmsync/internal/model"
)

// LeaseTerm is how long a sync's hold on a realm lasts unless renewed or
// released: a crashed run (kill -9, OOM) blocks the realm this long at
// most. A run renews its leases between waves once a third of the term
// has passed, so a long sync keeps its hold.
const LeaseTerm = 10 * time.Minute

// lease is the hold a sync takes on a realm before its first write, kept
// in the realm's attributes: two syncs of one realm at once would lose
// each other's ownership records and overwrite each other's changes.
// Keycloak has no compare-and-set, so the lease is written, read back and
// honoured only if it is still this run's.
type lease struct {
	Owner   string    `json:"owner"`
	Run     string    `json:"run"`
	Host    string    `json:"host"`
	Expires time.Time `json:"expires"`
}

func newRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func realmPath(realm string) string {
	return strings.ReplaceAll(model.KindByName(model.KindRealm).Endpoints.Item, "{realm}", url.PathEscape(realm))
}

// realmAttributes reads the whole realm, for a GET, merge and PUT of its
// attributes (the realm's PUT drops attributes it is not sent), and the
// attribute map inside it (created if the realm has none).
func (r *run) realmAttributes(ctx context.Context, realm string) (rep, attrs map[string]any, err error) {
	if err := r.api.Get(ctx, realmPath(realm), nil, &rep); err != nil {
		return nil, nil, err
	}
	attrs, _ = rep["attributes"].(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
		rep["attributes"] = attrs
	}
	return rep, attrs, nil
}

// acquire takes the realm's lease for this run, or says who holds it.
func (r *run) acquire(ctx context.Context, realm string) error {
	current, attrs, err := r.realmAttributes(ctx, realm)
	if err != nil {
		return err
	}
	if held, ok := parseLease(attrs[model.LockAttribute]); ok && held.Run != r.runID && time.Now().Before(held.Expires) && !r.opts.ForceUnlock {
		return fmt.Errorf("realm %s is being synced by owner %q (run %s on %s) until %s: wait for it, or pass --force-unlock if that run is dead",
			realm, held.Owner, held.Run, held.Host, held.Expires.UTC().Format(time.RFC3339))
	}
	host, _ := os.Hostname()
	mine := lease{Owner: r.opts.Owner, Run: r.runID, Host: host, Expires: time.Now().Add(LeaseTerm)}
	encoded, _ := json.Marshal(mine)
	attrs[model.LockAttribute] = string(encoded)
	if err := r.api.Put(ctx, realmPath(realm), current); err != nil {
		if raced(err) {
			return fmt.Errorf("realm %s: another sync took the realm at the same moment (%w); this one writes nothing", realm, err)
		}
		return err
	}
	// Another run may have written its lease between our GET and PUT:
	// the last writer holds it, the other gives way.
	_, checked, err := r.realmAttributes(ctx, realm)
	if err != nil {
		return err
	}
	if held, ok := parseLease(checked[model.LockAttribute]); !ok || held.Run != r.runID {
		return fmt.Errorf("realm %s: another sync (owner %q, run %s) took the realm at the same moment; this one writes nothing", realm, held.Owner, held.Run)
	}
	if _, renewing := r.leaseTaken[realm]; !renewing {
		r.leased = append(r.leased, realm)
	}
	r.leaseTaken[realm] = time.Now()
	return nil
}

// renewLeases extends the leases this run holds that are a third through
// their term. It runs between waves, never beside a write of the realm.
func (r *run) renewLeases(ctx context.Context) {
	if ctx.Err() != nil {
		return // interrupted: nothing more is written but the record
	}
	for _, realm := range r.leased {
		if time.Since(r.leaseTaken[realm]) < LeaseTerm/3 {
			continue
		}
		if err := r.acquire(ctx, realm); err != nil {
			r.errs = multierror.Append(r.errs, fmt.Errorf("renewing the lease of realm %s: %w", realm, err))
		}
	}
}

// release gives the realm's lease back, if it is still this run's.
func (r *run) release(ctx context.Context, realm string) error {
	return r.editRealmAttributes(ctx, realm, func(attrs map[string]any) bool {
		if held, ok := parseLease(attrs[model.LockAttribute]); !ok || held.Run != r.runID {
			return false
		}
		delete(attrs, model.LockAttribute)
		return true
	})
}

// editRealmAttributes changes the realm's attributes by a GET, edit and
// PUT of the whole realm (edit false: nothing to write). A PUT that races
// another writer (a second sync trying to take the lease) is tried again
// from a fresh read: this run's record and its lease's release must not
// be lost to that.
func (r *run) editRealmAttributes(ctx context.Context, realm string, edit func(attrs map[string]any) bool) error {
	for attempt := 1; ; attempt++ {
		current, attrs, err := r.realmAttributes(ctx, realm)
		if err != nil {
			return err
		}
		if !edit(attrs) {
			return nil
		}
		err = r.api.Put(ctx, realmPath(realm), current)
		if err == nil || !raced(err) || attempt == 5 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// raced reports whether a realm PUT failed because another transaction
// wrote the realm at the same moment: Keycloak 26 answers 409, Keycloak
// 24 a 400 naming the optimistic lock.
func raced(err error) bool {
	var conflict interface{ Conflict() bool }
	return errors.As(err, &conflict) && conflict.Conflict() || err != nil && strings.Contains(err.Error(), "OptimisticLockException")
}

// Unlock removes the lease a dead run left on the realm (sync
// --force-unlock with nothing to apply: the user said the holder is
// dead, and a later sync must not be refused for it). It returns the
// lease's holder, "" when there was none.
func Unlock(ctx context.Context, api API, realm string) (string, error) {
	r := &run{api: api}
	current, attrs, err := r.realmAttributes(ctx, realm)
	if err != nil {
		return "", err
	}
	held, ok := parseLease(attrs[model.LockAttribute])
	if !ok {
		return "", nil
	}
	delete(attrs, model.LockAttribute)
	if err := api.Put(ctx, realmPath(realm), current); err != nil {
		return "", err
	}
	return fmt.Sprintf("owner %q (run %s on %s)", held.Owner, held.Run, held.Host), nil
}

func parseLease(v any) (lease, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return lease{}, false
	}
	var l lease
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return lease{}, false
	}
	return l, true
}
