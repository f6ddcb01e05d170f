package plan

import (
	"fmt"
	"sort"

	"github.com/realmsync/realmsync/internal/model"
)

// FindingKind is what strict drift found.
type FindingKind string

const (
	// Unmanaged: an object on the server that no file declares and no
	// owner has recorded. A sync leaves it alone.
	Unmanaged FindingKind = "unmanaged"
	// UnmanagedField: a field of a declared object that no file writes,
	// whose value differs from what a new object has (a description, a
	// composite, a group membership set by hand). A sync leaves it alone.
	UnmanagedField FindingKind = "unmanaged-field"
)

// Finding is one thing strict drift reports (plan --strict, drift
// --strict): what is on the server outside Git's control, which no sync
// would change. It carries no secret (secret fields are never findings).
type Finding struct {
	Realm string      `json:"realm"`
	Kind  string      `json:"kind"`
	Key   string      `json:"key"`
	What  FindingKind `json:"finding"`
	// Path and Value: the field and its value on the server (fields).
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// Line is how text views show a finding.
func (f Finding) Line() string {
	if f.What == Unmanaged {
		return fmt.Sprintf("? %s %s: on the server, in no file, owned by no one", title(f.Kind), quote(f.Key))
	}
	return fmt.Sprintf("? %s %s %s: %s on the server, not in Git (a new one has another value)", title(f.Kind), quote(f.Key), f.Path, value(f.Value))
}

// SortFindings puts findings in plan order: realm, kind-table order, key,
// path.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Realm != b.Realm {
			return a.Realm < b.Realm
		}
		if ka, kb := model.KindIndex(a.Kind), model.KindIndex(b.Kind); ka != kb {
			return ka < kb
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Path < b.Path
	})
}
