package plan

import (
	_ "embed" // for JSONSchema
	"encoding/json"
	"io"
	"sort"

	"github.com/realmsync/realmsync/internal/model"
)

// JSONFormatVersion is the format_version WriteJSON writes. Its minor
// number grows when optional fields are added; its major number when a
// field changes meaning or goes away, so a consumer checks the major
// number and ignores fields it does not know.
const JSONFormatVersion = "1.6"

// JSONSchema is the JSON Schema (draft 2020-12) of WriteJSON's output,
// the format's documentation: CI pipelines can validate against it, and
// the tests hold the writer to it.
//
//go:embed plan.schema.json
var JSONSchema []byte

// The JSON view has types of its own, apart from Plan's struct tags, so
// that the published format changes only on purpose. Structs rather than
// maps keep the key order fixed.
type jsonPlan struct {
	FormatVersion string       `json:"format_version"`
	Summary       jsonSummary  `json:"summary"`
	Warnings      []string     `json:"warnings"`
	Actions       []jsonAction `json:"actions"`
	Strict        []Finding    `json:"strict,omitempty"`
	Apply         *ApplyReport `json:"apply,omitempty"`
}

// ApplyReport is what a sync did, for sync --report-file: the counts, each
// action's outcome in the order run, and the requests made by method.
type ApplyReport struct {
	Done     int              `json:"done"`
	Failed   int              `json:"failed"`
	Skipped  int              `json:"skipped"`
	Actions  []ActionOutcome  `json:"actions"`
	Requests map[string]int64 `json:"requests"`
}

// ActionOutcome is one action's outcome: done, failed (detail: the error)
// or skipped (detail: why).
type ActionOutcome struct {
	Realm   string `json:"realm"`
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Verb    Verb   `json:"verb"`
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

type jsonSummary struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
	Adopt   int `json:"adopt"`
}

type jsonAction struct {
	Realm   string       `json:"realm"`
	Kind    string       `json:"kind"`
	Key     string       `json:"key"`
	Verb    Verb         `json:"verb"`
	Note    string       `json:"note,omitempty"`
	Cascade int          `json:"cascade,omitempty"`
	Adopts  bool         `json:"adopts,omitempty"`
	Reason  Reason       `json:"reason,omitempty"`
	Changes []jsonChange `json:"changes"`
}

type jsonChange struct {
	Path       string    `json:"path"`
	Before     any       `json:"before,omitempty"`
	After      any       `json:"after,omitempty"`
	Added      []string  `json:"added,omitempty"`
	Removed    []string  `json:"removed,omitempty"`
	Sensitive  bool      `json:"sensitive,omitempty"`
	Unset      bool      `json:"unset,omitempty"`
	Moved      bool      `json:"moved,omitempty"`
	AddRefs    []jsonRef `json:"added_refs,omitempty"`
	RemoveRefs []jsonRef `json:"removed_refs,omitempty"`
}

type jsonRef struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
}

func jsonRefs(refs []model.Ref) []jsonRef {
	var out []jsonRef
	for _, r := range refs {
		out = append(out, jsonRef{Kind: r.Kind, Key: r.Key})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// WriteJSON renders the plan for programs, in the format JSONSchema
// describes: actions in plan order, two-space indentation, a trailing
// newline. Warnings and changes are arrays even when empty, so consumers
// need no null checks.
func WriteJSON(w io.Writer, p *Plan) error {
	return WriteJSONReport(w, p, nil)
}

// WriteJSONReport is WriteJSON with what the sync did (rep nil: a plan).
func WriteJSONReport(w io.Writer, p *Plan, rep *ApplyReport) error {
	out := jsonPlan{
		Apply:         rep,
		Strict:        p.Strict,
		FormatVersion: JSONFormatVersion,
		Warnings:      append([]string{}, p.Warnings...),
		Actions:       make([]jsonAction, 0, len(p.Actions)),
	}
	out.Summary.Create, out.Summary.Update, out.Summary.Delete = p.Counts()
	out.Summary.Adopt = p.Adoptions()
	out.Summary.Replace = p.Replacements()
	for _, a := range p.Actions {
		ja := jsonAction{Realm: a.Realm, Kind: a.Kind, Key: a.Key, Verb: a.Verb, Note: a.Note, Cascade: a.Cascade, Adopts: a.Adopts, Reason: a.Reason,
			Changes: make([]jsonChange, 0, len(a.Changes))}
		for _, c := range a.Changes {
			ja.Changes = append(ja.Changes, toJSONChange(c))
		}
		out.Actions = append(out.Actions, ja)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Values are URLs and text for people; "&" reads better than "\u0026".
	enc.SetEscapeHTML(false)
	return enc.Encode(out) // Encode ends with the newline
}

// toJSONChange copies a change. A sensitive change keeps its path alone,
// whatever it carries: the plan model holds no secret values, and this
// makes sure a mistake there cannot reach a CI log.
func toJSONChange(c Change) jsonChange {
	if c.Sensitive {
		return jsonChange{Path: c.Path, Sensitive: true, Unset: c.Unset}
	}
	return jsonChange{Path: c.Path, Before: c.Before, After: c.After, Added: c.Added, Removed: c.Removed, Unset: c.Unset, Moved: c.Moved,
		AddRefs: jsonRefs(c.AddRefs), RemoveRefs: jsonRefs(c.RemoveRefs)}
}
