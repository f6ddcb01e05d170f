package load

// Positions for YAML syntax errors. The YAML library reports some errors
// with no line (invalid UTF-8, control characters, unknown aliases), and
// others at the line where it noticed rather than where the mistake is
// (an unclosed flow sequence is reported a line or more early), never with
// a column. syntaxError finds the place itself for the errors it can
// recognise, and keeps the library's line otherwise.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	libraryLine   = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)
)

// syntaxError words a YAML library error as file:line:col: message.
func syntaxError(file string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 0, 0
	if m := libraryLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	switch {
	case strings.Contains(msg, "invalid leading UTF-8") || strings.Contains(msg, "invalid trailing UTF-8") || strings.Contains(msg, "incomplete UTF-8"):
		if off := firstInvalidUTF8(data); off >= 0 {
			line, col = lineCol(data, off)
			msg = "invalid UTF-8: realm files must be UTF-8 text"
		}
	case strings.Contains(msg, "control characters are not allowed"):
		if off := firstControl(data); off >= 0 {
			line, col = lineCol(data, off)
			msg = fmt.Sprintf("control character %q is not allowed in YAML", data[off])
		}
	case strings.Contains(msg, "found character that cannot start any token"):
		if off := firstIndentingTab(data); off >= 0 {
			line, col = lineCol(data, off)
			msg = "a tab indents this line; YAML indents with spaces"
		}
	case strings.Contains(msg, "did not find expected ',' or ']'") || strings.Contains(msg, "did not find expected ',' or '}'") ||
		strings.Contains(msg, "did not find expected node content"):
		if off := unclosedFlow(data); off >= 0 {
			line, col = lineCol(data, off)
			what := "sequence [ ... ]"
			if data[off] == '{' {
				what = "mapping { ... }"
			}
			msg = "this flow " + what + " is not closed"
		}
	case strings.Contains(msg, "did not find expected '-' indicator") || strings.Contains(msg, "did not find expected key") ||
		strings.Contains(msg, "mapping values are not allowed in this context") ||
		strings.Contains(msg, "block sequence entries are not allowed in this context"):
		if off := misindented(data); off >= 0 {
			line, col = lineCol(data, off)
			msg = "this line's indentation matches no enclosing level (" + msg + ")"
		}
	default:
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			if off := strings.Index(string(data), "*"+m[1]); off >= 0 {
				line, col = lineCol(data, off)
				msg = fmt.Sprintf("alias *%s refers to no anchor &%s", m[1], m[1])
			}
		}
	}
	switch {
	case col > 0:
		return fmt.Errorf("%s:%d:%d: %s", file, line, col, msg)
	case line > 0:
		return fmt.Errorf("%s:%d: %s (the line the YAML parser names; the mistake can be on a nearby line)", file, line, msg)
	}
	return fmt.Errorf("%s: %s", file, msg)
}

// lineCol turns a byte offset into a 1-based line and column (in
// characters).
func lineCol(data []byte, off int) (line, col int) {
	line = 1 + strings.Count(string(data[:off]), "\n")
	start := strings.LastIndexByte(string(data[:off]), '\n') + 1
	return line, 1 + utf8.RuneCount(data[start:off])
}

func firstInvalidUTF8(data []byte) int {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return -1
}

func firstControl(data []byte) int {
	for off, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f {
			return off
		}
	}
	return -1
}

// firstIndentingTab is the first tab among a line's leading whitespace.
func firstIndentingTab(data []byte) int {
	lineStart := true
	for off, b := range data {
		switch {
		case b == '\n':
			lineStart = true
		case lineStart && b == '\t':
			return off
		case b != ' ':
			lineStart = false
		}
	}
	return -1
}

// unclosedFlow finds the opening bracket of the first flow collection
// ([ or {) still open where a new block line starts (a line at or left of
// the bracket's line's indentation) or at the end of the file. Quoted
// text and comments are skipped.
func unclosedFlow(data []byte) int {
	type open struct{ off, indent int }
	var stack []open
	indent, lineStart, inSpaces := 0, true, true
	var quote byte
	for off := 0; off < len(data); off++ {
		b := data[off]
		if quote != 0 {
			switch {
			case b == '\\' && quote == '"':
				off++
			case b == quote:
				quote = 0
			}
			continue
		}
		if b == '\n' {
			lineStart, inSpaces, indent = true, true, 0
			continue
		}
		if inSpaces && b == ' ' {
			indent++
			continue
		}
		if inSpaces {
			inSpaces = false
			if lineStart && len(stack) > 0 && indent <= stack[len(stack)-1].indent && b != ']' && b != '}' && b != '#' {
				return stack[0].off // a block line inside an open flow collection
			}
			lineStart = false
		}
		switch b {
		case '"', '\'':
			quote = b
		case '#':
			for off < len(data) && data[off] != '\n' {
				off++
			}
			off-- // let the newline be seen
		case '[', '{':
			stack = append(stack, open{off, indent})
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) > 0 {
		return stack[0].off
	}
	return -1
}

// misindented finds the first line indented to no level of the block
// structure around it: deeper than its parent's content yet shallower than
// its siblings, such as a field of a list item indented by three spaces
// where the item's fields start at four. Lines inside block scalars and
// flow collections, comments and blank lines are skipped. It returns the
// offset of the line's first character, or -1.
func misindented(data []byte) int {
	levels := []int{0}
	scalarIndent := -1 // inside a block scalar: lines deeper than this
	depth := 0         // open flow brackets
	off := 0
	for _, line := range strings.SplitAfter(string(data), "\n") {
		start := off
		off += len(line)
		text := strings.TrimRight(line, "\r\n")
		content := strings.TrimLeft(text, " ")
		indent := len(text) - len(content)
		if content == "" || strings.HasPrefix(content, "#") || content == "---" || content == "..." {
			continue
		}
		if scalarIndent >= 0 {
			if indent > scalarIndent {
				continue
			}
			scalarIndent = -1
		}
		if depth > 0 {
			depth += strings.Count(content, "[") + strings.Count(content, "{") - strings.Count(content, "]") - strings.Count(content, "}")
			continue
		}
		popped := false
		for len(levels) > 1 && indent < levels[len(levels)-1] {
			levels, popped = levels[:len(levels)-1], true
		}
		switch top := levels[len(levels)-1]; {
		case indent > top && popped:
			return start + indent // between a parent's level and its children's
		case indent > top:
			levels = append(levels, indent)
		case indent < top:
			return start + indent
		}
		// A list item's mapping starts after "- ": its fields are a level.
		for rest := content; strings.HasPrefix(rest, "- "); {
			rest = strings.TrimLeft(rest[2:], " ")
			levels = append(levels, len(text)-len(rest))
		}
		if trimmed := strings.TrimSpace(strings.SplitN(content, " #", 2)[0]); strings.HasSuffix(trimmed, "|") || strings.HasSuffix(trimmed, ">") ||
			strings.HasSuffix(trimmed, "|-") || strings.HasSuffix(trimmed, ">-") || strings.HasSuffix(trimmed, "|+") || strings.HasSuffix(trimmed, ">+") {
			scalarIndent = indent
		}
		depth = strings.Count(content, "[") + strings.Count(content, "{") - strings.Count(content, "]") - strings.Count(content, "}")
		if depth < 0 {
			depth = 0
		}
	}
	return -1
}
