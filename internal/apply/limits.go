package apply

import (
	"fmt"
	"math"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// Limits guard against the delete nobody meant: a YAML file lost in a
// refactoring, a wrong --realm. They are checked before the first write.
type Limits struct {
	// MaxDeletes is the most deletes one run may make (negative: no limit).
	MaxDeletes int
	// MaxDeleteRatio is the largest share of a kind's live objects one run
	// may delete (>= 1: no limit). Kinds with fewer than
	// RatioMinimumObjects live objects are exempt: the count limit covers
	// them, and deleting the only custom role is rarely a mistake.
	MaxDeleteRatio float64
}

// RatioMinimumObjects is the size below which a kind is not ratio-guarded.
const RatioMinimumObjects = 5

// Validate rejects limits that would switch the guard off by accident.
func (l Limits) Validate() error {
	if math.IsNaN(l.MaxDeleteRatio) || l.MaxDeleteRatio < 0 || l.MaxDeleteRatio > 1 {
		return fmt.Errorf("--max-delete-ratio %v: want a number from 0 to 1 (1: no limit)", l.MaxDeleteRatio)
	}
	if l.MaxDeletes < -1 {
		return fmt.Errorf("--max-deletes %d: want 0 or more, or -1 for no limit", l.MaxDeletes)
	}
	return nil
}

// CheckLimits returns an error naming the count and the override flag
// when the plan deletes more than the limits allow.
func CheckLimits(p *plan.Plan, live map[string]*model.Realm, l Limits) error {
	total := 0
	perKind := map[[2]string]int{}
	for _, a := range p.Actions {
		if a.Verb.Removes() {
			total += 1 + a.Cascade
			perKind[[2]string{a.Realm, a.Kind}]++
		}
	}
	var problems []string
	if l.MaxDeletes >= 0 && total > l.MaxDeletes {
		problems = append(problems, fmt.Sprintf("the plan deletes %d objects, more than --max-deletes=%d allows", total, l.MaxDeletes))
	}
	if l.MaxDeleteRatio < 1 {
		for _, realm := range model.SortedKeys(live) {
			lr := live[realm]
			if lr == nil {
				continue
			}
			for _, k := range model.Kinds() {
				n := perKind[[2]string{realm, k.Name}]
				// Built-ins are never deleted: counting them would let a
				// run delete every object a team made in a small realm.
				have := 0
				for _, e := range lr.Entities[k.Name] {
					if !k.BuiltIn(realm, e.Key) {
						have++
					}
				}
				if lr.Counts != nil {
					have = lr.Counts[k.Name] // a scoped read holds only some
				}
				if n == 0 || have < RatioMinimumObjects {
					continue
				}
				if ratio := float64(n) / float64(have); ratio > l.MaxDeleteRatio {
					problems = append(problems, fmt.Sprintf("the plan deletes %d of %d %s in realm %s (%.0f%%), more than --max-delete-ratio=%g allows",
						n, have, k.Plural, realm, ratio*100, l.MaxDeleteRatio))
				}
			}
		}
	}
	if len(problems) > 0 {
		return &LimitError{Problems: problems}
	}
	return nil
}

// LimitError says which limits a plan exceeds.
type LimitError struct{ Problems []string }

func (e *LimitError) Error() string {
	return "refusing to sync, nothing was changed: " + e.Reason()
}

// Reason is the error without the refusal, for a plan that only warns.
func (e *LimitError) Reason() string {
	return strings.Join(e.Problems, "; ") + ". If these deletes are intended, raise the limit"
}
