package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/model"
)

// document is one YAML document of a file, converted to the canonical JSON
// form with the position of every value kept beside it.
type document struct {
	root model.Object
	pos  *posTree
	file string
	// field: a batch of the items of this list only (pieces.go).
	field string
}

// posTree holds a value's position and its members', keyed as the value
// is (map keys, list indexes), so that positions cost memory in
// proportion to the values, whatever the length of the paths to them. A
// map member's position is its key's: errors about a field point at its
// name.
type posTree struct {
	line, col int
	keys      map[string]*posTree
	items     []*posTree
}

func (d *document) posOf(path []string) model.Pos {
	t := d.pos
	for _, seg := range path {
		var next *posTree
		if t != nil && t.keys != nil {
			next = t.keys[seg]
		} else if t != nil {
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(t.items) {
				next = t.items[i]
			}
		}
		if next == nil {
			return model.Pos{File: d.file, Line: 1, Col: 1}
		}
		t = next
	}
	if t == nil || t.line == 0 {
		return model.Pos{File: d.file, Line: 1, Col: 1}
	}
	return model.Pos{File: d.file, Line: t.line, Col: t.col}
}

// parseFile reads every YAML document of a file.
func parseFile(file string, data []byte, lookup func(string) (string, bool)) ([]*document, error) {
	return parseWith(file, data, Sources{Env: lookup, Dir: filepath.Dir(file)})
}

// parseWith is parseFile with its references resolved by src.
// A file whose references fail (a variable not set, a file missing) is
// still returned, those values absent, with the failures as the error:
// the caller checks the rest of it. A file that cannot be read returns no
// documents.
func parseWith(file string, data []byte, src Sources) ([]*document, error) {
	var docs []*document
	readable, err := parseEach(file, data, src, func() { docs = nil }, func(d *document) { docs = append(docs, d) })
	if !readable {
		return nil, err
	}
	if docs == nil {
		docs = []*document{} // readable, if empty
	}
	return docs, err
}

// parseEach calls begin, then visit with each document of a file, in
// order, and reports whether the file could be read (its error may then
// still hold substitution failures). A big file is read in pieces
// (pieces.go), each visited before the next is parsed; when they do not
// parse on their own the file is parsed whole, begin called again: what
// the earlier visits gave is to be dropped.
func parseEach(file string, data []byte, src Sources, begin func(), visit func(*document)) (readable bool, err error) {
	return parseSome(file, data, src, nil, begin, visit)
}

// parseSome is parseEach with the pieces of a big file narrowed by skip
// (nil: none skipped), the file parsed whole, not narrowed, when it is
// not read in pieces.
func parseSome(file string, data []byte, src Sources, skip func([]piece) []piece, begin func(), visit func(*document)) (readable bool, err error) {
	begin()
	if len(data) >= piecesFrom {
		if pieces := splitPieces(data, model.StandAloneItems, batchBytes); pieces != nil {
			if skip != nil {
				pieces = skip(pieces)
			}
			soft, ok := parsePieces(file, data, src, pieces, visit)
			if ok {
				return true, errors.Join(soft...)
			}
			begin()
		}
	}
	return parseWhole(file, data, src, visit)
}

// parseWhole is parseEach for a file parsed at once.
func parseWhole(file string, data []byte, src Sources, visit func(*document)) (bool, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var soft []error
	strs := newStringTable()
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return true, errors.Join(soft...)
		}
		if err != nil {
			return false, syntaxError(file, data, err)
		}
		c := converter{file: file, src: src, budget: max(minExpansion, len(data)), strs: strs}
		tree := &posTree{}
		v := c.value(&n, tree, 0)
		if len(c.errs) > 0 {
			return false, errors.Join(append(c.errs, c.soft...)...)
		}
		soft = append(soft, c.soft...)
		if v == nil {
			continue // an empty document
		}
		root, ok := v.(map[string]any)
		if !ok {
			return false, fmt.Errorf("%s:%d:%d: a realm file must be a mapping of realm fields", file, n.Line, n.Column)
		}
		visit(&document{root: root, pos: tree, file: file})
	}
}

// Aliases can multiply a small file into a huge one ("billion laughs"):
// the values reached through aliases may be at most as many as the file
// has bytes (and minExpansion for small files). Values written out are
// bounded by the file's size anyway, so big files load in proportion.
const (
	minExpansion = 100_000
	maxDepth     = 100
)

type converter struct {
	expanded int // values reached through an alias
	inAlias  int // aliases being expanded
	budget   int
	file     string
	src      Sources
	errs     []error
	// soft: substitution errors, which leave the document readable (the
	// value is taken as absent): the rest of it is still checked, so one
	// missing variable does not hide every other mistake.
	soft     []error
	reported bool
	strs     *stringTable
}

// stringTable holds one copy of each string value of a file, boxed: the
// same group path, role name or first name in ten thousand users is one
// string then, not ten thousand (a tenth of a users file's heap). The
// pieces of a big file are converted at once (pieces.go), so it locks.
type stringTable struct {
	mu sync.Mutex
	m  map[string]any
}

func newStringTable() *stringTable { return &stringTable{m: map[string]any{}} }

func (t *stringTable) of(s string) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.m[s]; ok {
		return v
	}
	var v any = s
	t.m[s] = v
	return v
}

// plainTags are the YAML tags whose values JSON has.
var plainTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!map": true, "!!seq": true}

func (c *converter) softf(n *yaml.Node, format string, args ...any) {
	c.soft = append(c.soft, fmt.Errorf("%s:%d:%d: %s", c.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (c *converter) failf(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s:%d:%d: %s", c.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (c *converter) value(n *yaml.Node, t *posTree, depth int) any {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], t, depth)
	}
	if c.inAlias > 0 {
		c.expanded++
	}
	switch {
	case c.expanded > c.budget:
		if !c.reported {
			c.reported = true
			c.failf(n, "aliases expand this file past %d values (the limit is the file's size in bytes, at least %d): refused (an alias bomb?)", c.budget, minExpansion)
		}
		return nil
	case depth > maxDepth:
		if !c.reported {
			c.reported = true
			c.failf(n, "values are nested more than %d deep", maxDepth)
		}
		return nil
	}
	t.line, t.col = n.Line, n.Column
	if n.Style&yaml.TaggedStyle != 0 && !plainTags[n.Tag] {
		// !vault, !!binary, ...: another tool's meaning, which realmsync
		// would otherwise drop silently and use the bare text.
		c.failf(n, "YAML tag %s is not supported (realm files hold plain JSON values)", n.Tag)
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		c.inAlias++
		defer func() { c.inAlias-- }()
		return c.value(n.Alias, t, depth)
	case yaml.MappingNode:
		m := map[string]any{}
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			if kn.Tag == "!!merge" {
				c.failf(kn, "merge keys (<<) are not supported")
				continue
			}
			key := kn.Value
			if prev, dup := seen[key]; dup {
				c.failf(kn, "field %q appears twice (first at line %d)", key, prev.Line)
				continue
			}
			seen[key] = kn
			if t.keys == nil {
				t.keys = make(map[string]*posTree, len(n.Content)/2)
			}
			member := &posTree{}
			t.keys[key] = member
			m[key] = c.value(vn, member, depth+1)
			// Errors about a field point at its name.
			member.line, member.col = kn.Line, kn.Column
		}
		return m
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		t.items = make([]*posTree, len(n.Content))
		for i, item := range n.Content {
			t.items[i] = &posTree{}
			list = append(list, c.value(item, t.items[i], depth+1))
		}
		return list
	default:
		return c.scalar(n)
	}
}

// scalar decodes a scalar with environment substitution. An untagged
// scalar that held a variable is resolved again after substitution, so
// `enabled: ${env:ENABLED}` yields a boolean, as `enabled: true` would.
func (c *converter) scalar(n *yaml.Node) any {
	explicitString := n.Style&yaml.TaggedStyle != 0 && n.Tag == "!!str"
	quoted := n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if c.src.Retype && !c.src.Keep && quoted && strings.Contains(n.Value, "${") {
		quoted = false
	}
	if explicitString || quoted {
		s, err := Expand(n.Value, c.src)
		if err != nil {
			c.softf(n, "%v", err)
			return nil
		}
		return c.strs.of(s)
	}
	node := n
	if strings.Contains(n.Value, "${") {
		s, err := Expand(n.Value, c.src)
		if err != nil {
			c.softf(n, "%v", err)
			return nil
		}
		node = &yaml.Node{Kind: yaml.ScalarNode, Value: s, Line: n.Line, Column: n.Column}
	}
	if node.ShortTag() == "!!str" {
		// Most values: no decoder needed (one per scalar is most of a
		// large file's garbage).
		return c.strs.of(node.Value)
	}
	var v any
	if err := node.Decode(&v); err != nil {
		c.failf(n, "%v", err)
		return nil
	}
	switch t := v.(type) {
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			c.failf(n, "%s is not a JSON number", n.Value)
			return nil
		}
		return t
	case string, bool, nil:
		return t
	default:
		// Timestamps and other YAML-only types: Keycloak wants the text.
		return node.Value
	}
}
