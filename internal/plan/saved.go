package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// SavedFormat names the file `plan --out` writes.
const SavedFormat = "realmsync-saved-plan/1"

// Saved is a plan written for a later `sync --plan`: the plan in its JSON
// view and the digest of the desired files it was made from. What a pull
// request showed is then what runs after the merge, or nothing runs.
type Saved struct {
	Format  string          `json:"format"`
	Desired string          `json:"desired_digest"`
	Plan    json.RawMessage `json:"plan"`
}

// NewSaved records p, made from desired files with the given digest.
func NewSaved(p *Plan, desiredDigest string) (*Saved, error) {
	var b bytes.Buffer
	if err := WriteJSON(&b, p); err != nil {
		return nil, err
	}
	return &Saved{Format: SavedFormat, Desired: desiredDigest, Plan: b.Bytes()}, nil
}

// ReadSaved reads a file NewSaved's plan was written to.
func ReadSaved(path string) (*Saved, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Saved
	if err := json.Unmarshal(data, &s); err != nil || s.Format != SavedFormat {
		return nil, fmt.Errorf("%s: not a plan saved by realmsync plan --out (%v)", path, err)
	}
	return &s, nil
}

// Matches reports whether p makes the same changes as the saved plan:
// the same actions with the same changes, in the same order. Warnings are
// not compared (a plan's warnings may say what a sync would refuse).
func (s *Saved) Matches(p *Plan) (bool, error) {
	type changesOnly struct {
		Summary json.RawMessage `json:"summary"`
		Actions json.RawMessage `json:"actions"`
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, p); err != nil {
		return false, err
	}
	var now, then changesOnly
	if err := json.Unmarshal(b.Bytes(), &now); err != nil {
		return false, err
	}
	if err := json.Unmarshal(s.Plan, &then); err != nil {
		return false, fmt.Errorf("the saved plan: %w", err)
	}
	compact := func(raw json.RawMessage) string {
		var c bytes.Buffer
		_ = json.Compact(&c, raw)
		return c.String()
	}
	return compact(now.Summary) == compact(then.Summary) && compact(now.Actions) == compact(then.Actions), nil
}
