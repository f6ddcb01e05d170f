package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/model"
)

// document is one YAML document of a file, converted to the canonical JSON
// form with the position of every value kept beside it.
type document struct {
	root model.Object
	pos  map[string]model.Pos // joined path → position
	file string
}

func (d *document) posOf(path []string) model.Pos {
	if p, ok := d.pos[strings.Join(path, "\x00")]; ok {
		return p
	}
	return model.Pos{File: d.file, Line: 1, Col: 1}
}

// parseFile reads every YAML document of a file.
func parseFile(file string, data []byte, lookup func(string) (string, bool)) ([]*document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, syntaxError(file, data, err)
		}
		c := converter{file: file, lookup: lookup, pos: map[string]model.Pos{}}
		v := c.value(&n, nil)
		if len(c.errs) > 0 {
			return nil, errors.Join(c.errs...)
		}
		if v == nil {
			continue // an empty document
		}
		root, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s:%d:%d: a realm file must be a mapping of realm fields", file, n.Line, n.Column)
		}
		docs = append(docs, &document{root: root, pos: c.pos, file: file})
	}
}

// maxNodes bounds the values one document may expand to: aliases can
// multiply a small file into a huge one ("billion laughs").
const maxNodes = 1 << 20

type converter struct {
	nodes  int
	file   string
	lookup func(string) (string, bool)
	pos    map[string]model.Pos
	errs   []error
}

// plainTags are the YAML tags whose values JSON has.
var plainTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!map": true, "!!seq": true}

func (c *converter) failf(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s:%d:%d: %s", c.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (c *converter) value(n *yaml.Node, path []string) any {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], path)
	}
	c.nodes++
	if c.nodes > maxNodes || len(path) > 100 {
		if c.nodes == maxNodes+1 || len(path) == 101 {
			c.failf(n, "document too large or too deeply nested (aliases expanding?)")
		}
		return nil
	}
	c.pos[strings.Join(path, "\x00")] = model.Pos{File: c.file, Line: n.Line, Col: n.Column}
	if n.Style&yaml.TaggedStyle != 0 && !plainTags[n.Tag] {
		// !vault, !!binary, ...: another tool's meaning, which realmsync
		// would otherwise drop silently and use the bare text.
		c.failf(n, "YAML tag %s is not supported (realm files hold plain JSON values)", n.Tag)
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		return c.value(n.Alias, path)
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
			p := append(append([]string{}, path...), key)
			m[key] = c.value(vn, p)
			// Errors about a field point at its name.
			c.pos[strings.Join(p, "\x00")] = model.Pos{File: c.file, Line: kn.Line, Col: kn.Column}
		}
		return m
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			list = append(list, c.value(item, append(append([]string{}, path...), strconv.Itoa(i))))
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
	if explicitString || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		s, err := Expand(n.Value, c.lookup)
		if err != nil {
			c.failf(n, "%v", err)
		}
		return s
	}
	node := n
	if strings.Contains(n.Value, "${") {
		s, err := Expand(n.Value, c.lookup)
		if err != nil {
			c.failf(n, "%v", err)
			return n.Value
		}
		node = &yaml.Node{Kind: yaml.ScalarNode, Value: s, Line: n.Line, Column: n.Column}
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
