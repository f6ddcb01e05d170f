package load

import (
	"bytes"
	"runtime"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// The YAML library builds a file's whole node tree before anything of it
// can be converted: 706 MiB for a 50 MB users file, on top of what the
// file becomes. A big file of the usual shape is therefore parsed in
// pieces, each converted and decomposed before the next is read: the
// long lists of stand-alone items (users, groups) in batches of items,
// and everything else at once.
//
// The pieces are found by reading lines, not YAML: a file of any shape
// this does not recognise is parsed whole, and so is one whose pieces do
// not parse on their own (an alias to an anchor in another piece, a
// syntax error, which the whole parse then reports as it always has).
// So a file parsed in pieces gives what its whole parse gives.
const (
	piecesFrom = 1 << 20   // files from this size are parsed in pieces
	batchBytes = 256 << 10 // a batch of items holds at least this much text
)

// piece is a range of a file's lines: top-level entries (field == ""),
// or a batch of the items of the list of field.
type piece struct {
	field      string
	key        model.Pos // the field's key (a batch's), 1-based
	start, end int       // byte offsets
	line       int       // line number of start, 1-based
	items      int       // a batch's items
}

// splitPieces cuts a one-document file whose root is a block mapping with
// its keys at column 1 into pieces, each stand-alone list (split says
// which fields hold one) into batches of at least batch bytes. It returns
// nil for any other shape.
func splitPieces(data []byte, split func(field string) bool, batch int) []piece {
	if !plainLines(data) {
		return nil
	}
	var (
		out     []piece
		rest    []piece // entries not split, returned first
		seen    = map[string]bool{}
		cur     *piece // the open top-level entry or batch
		listed  string // the field whose items are being batched
		indent  = -1   // its items' indentation
		keyPos  model.Pos
		keyOff  int
		lineNo  = 0
		expects bool // a key opened a block value: its first line decides
	)
	closePiece := func(end int) {
		if cur == nil {
			return
		}
		cur.end = end
		if cur.field == "" {
			rest = append(rest, *cur)
		} else {
			out = append(out, *cur)
		}
		cur = nil
	}
	for off := 0; off < len(data); {
		lineNo++
		next := bytes.IndexByte(data[off:], '\n')
		var line []byte
		if next < 0 {
			line, next = data[off:], len(data)
		} else {
			line, next = data[off:off+next], off+next+1
		}
		text := bytes.TrimRight(line, " \r")
		trimmed := bytes.TrimLeft(text, " ")
		lead := len(text) - len(trimmed)
		switch {
		case len(trimmed) == 0 || trimmed[0] == '#':
			// Blank lines and comments belong to what is open.
		case bytes.ContainsRune(line, '\t') && lead < len(line) && line[lead] == '\t':
			return nil // an indenting tab: the whole parse says what is wrong
		case lead == 0 && !(isItem(trimmed) && (expects || indent == 0)):
			// A top-level key.
			key, inline, ok := topLevelKey(text)
			if !ok || seen[key] || expects {
				return nil // expects: a list key with nothing under it
			}
			seen[key] = true
			closePiece(off)
			listed, indent, expects = "", -1, false
			keyPos, keyOff = model.Pos{Line: lineNo, Col: 1}, off
			if !inline && split(key) {
				listed, expects = key, true
				break // the items open batches
			}
			cur = &piece{start: off, line: lineNo}
		case expects:
			expects = false
			if !isItem(trimmed) {
				// A block mapping under the key after all: not a list.
				listed = ""
				cur = &piece{start: keyOff, line: keyPos.Line}
				break
			}
			indent = lead
			cur = &piece{field: listed, key: keyPos, start: off, line: lineNo, items: 1}
		case listed != "" && lead == indent && isItem(trimmed):
			if off-cur.start >= batch {
				closePiece(off)
				cur = &piece{field: listed, key: keyPos, start: off, line: lineNo}
			}
			cur.items++
		case listed != "" && lead <= indent:
			return nil // less indented than the items, yet not a key
		case cur == nil:
			return nil // indented text before any key
		}
		off = next
	}
	closePiece(len(data))
	if expects {
		// A list key with nothing under it: an entry of its own.
		return nil
	}
	return append(rest, out...)
}

// plainLines reports text the pieces' lines are the YAML library's
// lines of: valid UTF-8 of printable characters, broken by "\n" (or
// "\r\n") only. The rest (NEL, LS, PS and a lone "\r" break lines too;
// a control character is refused even in a comment no piece holds) is
// for the whole parse.
func plainLines(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f || c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r >= 0xd800 && r < 0xe000 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

func isItem(trimmed []byte) bool {
	return trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ')
}

// topLevelKey reads "name:" at the start of a line, with what follows it:
// inline is true when a value follows on the same line. Only plain
// names are taken; anything else (quotes, flow, anchors, directives,
// document markers) is left to the whole parse.
func topLevelKey(line []byte) (key string, inline, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return "", false, false
	}
	for i, c := range line[:colon] {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '.')) {
			return "", false, false
		}
	}
	after := line[colon+1:]
	if len(after) > 0 && after[0] != ' ' {
		return "", false, false
	}
	after = bytes.TrimLeft(after, " ")
	return string(line[:colon]), len(after) > 0 && after[0] != '#', true
}

// parsePieces parses a file piece by piece, calling visit with a document
// for each: one for all the top-level entries, first, then one per batch.
// It reports false when a piece does not parse on its own, and nothing of
// what was visited should be kept. Pieces are parsed and converted on
// every core, a few ahead of the visits, which stay in file order.
func parsePieces(file string, data []byte, src Sources, pieces []piece, visit func(*document)) (soft []error, ok bool) {
	// The root is where the file's first key is, as in the whole parse.
	rest := &document{root: model.Object{}, pos: &posTree{line: len(data), col: 1}, file: file}
	restPieces := 0
	for _, p := range pieces {
		if p.field == "" {
			restPieces++
			rest.pos.line = min(rest.pos.line, p.line)
		} else {
			rest.pos.line = min(rest.pos.line, p.key.Line)
		}
	}
	strs := newStringTable()
	ok = true
	parallel.Ordered(runtime.GOMAXPROCS(0), len(pieces), func(i int) convertedPiece {
		p := pieces[i]
		n, parsed := parsePiece(data[p.start:p.end], p.line)
		if !parsed {
			return convertedPiece{}
		}
		c := converter{file: file, src: src, budget: max(minExpansion, p.end-p.start), strs: strs}
		tree := &posTree{}
		v := c.value(n, tree, 0)
		return convertedPiece{value: v, tree: tree, soft: c.soft, ok: len(c.errs) == 0}
	}, func(i int, cp convertedPiece) bool {
		p := pieces[i]
		fail := func() bool { ok = false; return false }
		if !cp.ok {
			return fail()
		}
		soft = append(soft, cp.soft...)
		if p.field == "" {
			m, isMap := cp.value.(map[string]any)
			if !isMap {
				return fail()
			}
			for k, x := range m {
				rest.root[k] = x
				if rest.pos.keys == nil {
					rest.pos.keys = map[string]*posTree{}
				}
				rest.pos.keys[k] = cp.tree.keys[k]
			}
			if i == restPieces-1 && len(rest.root) > 0 {
				visit(rest)
			}
			return true
		}
		list, isList := cp.value.([]any)
		if !isList || len(list) != p.items {
			return fail()
		}
		member := &posTree{line: p.key.Line, col: p.key.Col, items: cp.tree.items}
		visit(&document{
			root:  model.Object{p.field: list},
			pos:   &posTree{line: p.key.Line, col: p.key.Col, keys: map[string]*posTree{p.field: member}},
			file:  file,
			field: p.field,
		})
		return true
	})
	if !ok {
		return nil, false
	}
	return soft, true
}

// convertedPiece is one piece parsed and converted: ok is false when it
// does not parse on its own or its values do not convert.
type convertedPiece struct {
	value any
	tree  *posTree
	soft  []error
	ok    bool
}

// parsePiece parses one piece's text as the node it holds, its lines
// numbered as in the file.
func parsePiece(text []byte, line int) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil || len(doc.Content) != 1 {
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, false // a second document: not a piece
	}
	renumber(&doc, line-1)
	return doc.Content[0], true
}

func renumber(n *yaml.Node, by int) {
	n.Line += by
	if n.Kind == yaml.AliasNode {
		return // its target is numbered where it is written
	}
	for _, c := range n.Content {
		renumber(c, by)
	}
}
