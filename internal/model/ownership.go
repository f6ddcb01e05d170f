package model

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Ownership: realmsync records which objects it manages in the server
// itself, as realm attributes, so that CI runners need no state files and
// several repositories can manage disjoint parts of one realm, each under
// its own owner name. An object is recorded when realmsync creates it or
// adopts it (finds it declared in the desired state); deletes under the
// "owned" policy touch only recorded objects.
//
// Encoding: the sorted lines "kind\tkey" of one owner, gzip-compressed and
// base64-encoded, split into chunks under realmsync.owned.<owner>.<n>.
// Realm attribute values hold well over 20,000 characters on Keycloak 26;
// chunks keep each far below that.

// OwnershipPrefix starts every attribute realmsync keeps in a realm.
const OwnershipPrefix = "realmsync.owned."

// ToolPrefix starts every realm attribute that is realmsync's own
// bookkeeping (ownership records, the sync lease): never planned,
// exported or shown.
const ToolPrefix = "realmsync."

// LockAttribute holds the lease of the sync working on the realm.
const LockAttribute = "realmsync.lock"

const ownershipChunk = 16000

// DefaultOwner is the owner name when --owner is not given.
const DefaultOwner = "realmsync"

// Owned is a set of objects one owner manages.
type Owned map[Ref]bool

// Sorted returns the set's members in a stable order.
func (o Owned) Sorted() []Ref {
	out := make([]Ref, 0, len(o))
	for r := range o {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Equal reports whether two sets have the same members.
// Clone copies the set.
func (o Owned) Clone() Owned {
	c := make(Owned, len(o))
	for k := range o {
		c[k] = true
	}
	return c
}

// Equal reports whether both sets hold the same objects.
func (o Owned) Equal(other Owned) bool {
	if len(o) != len(other) {
		return false
	}
	for r := range o {
		if !other[r] {
			return false
		}
	}
	return true
}

// ValidOwner reports whether name can label an owner: it becomes part of
// attribute names.
func ValidOwner(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// EncodeOwnership renders one owner's set as realm attributes.
func EncodeOwnership(owner string, set Owned) map[string]string {
	var lines bytes.Buffer
	for _, r := range set.Sorted() {
		lines.WriteString(r.Kind + "\t" + r.Key + "\n")
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz) // no name or time in the header: same set, same bytes
	_, _ = w.Write(lines.Bytes())
	_ = w.Close()
	encoded := base64.StdEncoding.EncodeToString(gz.Bytes())
	attrs := map[string]string{}
	for i := 0; len(encoded) > 0 || i == 0; i++ {
		n := min(ownershipChunk, len(encoded))
		attrs[OwnershipPrefix+owner+"."+strconv.Itoa(i)] = encoded[:n]
		encoded = encoded[n:]
	}
	return attrs
}

// DecodeOwnership reads every owner's set from realm attributes.
func DecodeOwnership(attrs map[string]any) (map[string]Owned, error) {
	chunks := map[string]map[int]string{}
	for name, v := range attrs {
		rest, ok := strings.CutPrefix(name, OwnershipPrefix)
		if !ok {
			continue
		}
		owner, idx, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil {
			return nil, fmt.Errorf("realm attribute %s: not a realmsync ownership chunk", name)
		}
		if chunks[owner] == nil {
			chunks[owner] = map[int]string{}
		}
		chunks[owner][n] = ScalarString(v)
	}
	out := map[string]Owned{}
	for _, owner := range SortedKeys(chunks) {
		var encoded strings.Builder
		for i := 0; i < len(chunks[owner]); i++ {
			part, ok := chunks[owner][i]
			if !ok {
				return nil, fmt.Errorf("ownership record of %s: chunk %d missing", owner, i)
			}
			encoded.WriteString(part)
		}
		set, err := decodeSet(encoded.String())
		if err != nil {
			return nil, fmt.Errorf("ownership record of %s: %w", owner, err)
		}
		out[owner] = set
	}
	return out, nil
}

func decodeSet(encoded string) (Owned, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	lines, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, err
	}
	set := Owned{}
	for _, line := range strings.Split(string(lines), "\n") {
		if kind, key, ok := strings.Cut(line, "\t"); ok {
			set[Ref{Kind: kind, Key: key}] = true
		}
	}
	return set, nil
}

// digestPrefix starts the realm attributes that hold digests of what
// realmsync wrote into write-only fields (a value the server never
// returns): a changed value in the files is then seen and applied.
const digestPrefix = ToolPrefix + "digest."

// DigestKey names the digest of one write-only field of one object.
func DigestKey(kind, key, field string) string { return kind + "." + key + "." + field }

// DigestAttribute is the realm attribute holding that digest.
func DigestAttribute(kind, key, field string) string {
	return digestPrefix + DigestKey(kind, key, field)
}

// Digest is a write-only value's digest, salted with the realm's name so
// that equal values in two realms do not look alike.
func Digest(realm string, v any) string {
	sum := sha256.Sum256([]byte(realm + "\x00" + ScalarString(v)))
	return "sha256:" + hex.EncodeToString(sum[:])
}
