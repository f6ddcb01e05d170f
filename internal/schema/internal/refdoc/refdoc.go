// Package refdoc reads the "Definitions" section of the Keycloak Admin REST
// API reference in its plain-text form and renders it as Go source for
// package schema. It is shared by the generator (schema/gen) and by the test
// that checks the generated file is up to date.
//
// The section's layout, one item per line with blank lines in between:
//
//	Definitions
//	ClientRepresentation          a representation's name
//	Name Type Format              its table header
//	clientId                      a field's JSON name
//	optional                      always "optional" (or "required")
//	String                        the field's type text
//	int32                         a format, only for some types
//
// Irregularities seen in the reference and handled here:
//   - A representation without fields (enums such as DecisionStrategy) is a
//     name followed directly by its header.
//   - A few names appear without any header at all (UserProfileMetadata and
//     friends): a bare name line that is neither a field nor a format.
//   - A JSON name starting with an underscore loses it to the next line:
//     ResourceRepresentation's "_id" reads "id" then "_optional".
package refdoc

import (
	"bufio"
	"bytes"
	"fmt"
	"go/format"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Field is one field of a representation.
type Field struct {
	Name string
	Type string
}

// Representation is one entry of the Definitions section.
type Representation struct {
	Name string
	// Header is false for names listed without a "Name Type Format" line.
	Header bool
	Fields []Field // sorted by name
}

const (
	sectionTitle = "Definitions"
	tableHeader  = "Name Type Format"
)

// formats are the values of the Format column.
var formats = map[string]bool{
	"int32": true, "int64": true, "float": true, "double": true,
	"byte": true, "binary": true, "date": true, "date-time": true, "password": true,
}

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// presence recognises the line after a field name. A leading underscore
// belongs to the field name (see the package comment).
func presence(line string) (underscore, ok bool) {
	switch line {
	case "optional", "required":
		return false, true
	case "_optional", "_required":
		return true, true
	}
	return false, false
}

// Parse reads the reference and returns its representations sorted by name.
func Parse(text []byte) ([]Representation, error) {
	var lines []string
	started := false
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !started {
			started = line == sectionTitle
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !started {
		return nil, fmt.Errorf("no %q section", sectionTitle)
	}

	at := func(i int) string {
		if i < len(lines) {
			return lines[i]
		}
		return ""
	}
	reps := map[string]*Representation{}
	var cur *Representation
	newRep := func(name string, header bool) error {
		if !identifier.MatchString(name) {
			return fmt.Errorf("representation name %q is not an identifier", name)
		}
		if reps[name] != nil {
			return fmt.Errorf("representation %s is defined twice", name)
		}
		cur = &Representation{Name: name, Header: header}
		reps[name] = cur
		return nil
	}
	for i := 0; i < len(lines); {
		line := lines[i]
		if at(i+1) == tableHeader {
			if err := newRep(line, true); err != nil {
				return nil, err
			}
			i += 2
			continue
		}
		if underscore, ok := presence(at(i + 1)); ok {
			if cur == nil {
				return nil, fmt.Errorf("field %q before any representation", line)
			}
			name := line
			if underscore {
				name = "_" + name
			}
			typ := at(i + 2)
			if typ == "" || typ == tableHeader {
				return nil, fmt.Errorf("%s.%s has no type", cur.Name, name)
			}
			for _, f := range cur.Fields {
				if f.Name == name {
					return nil, fmt.Errorf("%s.%s is listed twice", cur.Name, name)
				}
			}
			cur.Fields = append(cur.Fields, Field{Name: name, Type: typ})
			i += 3
			if formats[at(i)] {
				i++
			}
			continue
		}
		// Neither a field nor a representation with a header: a name listed
		// on its own.
		if err := newRep(line, false); err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		cur = nil // a field right after it would be ambiguous
		i++
	}

	out := make([]Representation, 0, len(reps))
	for _, r := range reps {
		sort.Slice(r.Fields, func(a, b int) bool { return r.Fields[a].Name < r.Fields[b].Name })
		out = append(out, *r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// Generate parses the reference and returns the gofmt-ed source of
// fields.go. source names the reference in the header comment; pass a base
// name so that the output does not depend on where the file lives.
func Generate(text []byte, source string) ([]byte, error) {
	reps, err := Parse(text)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by schema/gen from %s. DO NOT EDIT.\n\n", source)
	b.WriteString("package schema\n\n")
	b.WriteString("// representationFields holds, for every representation in the Definitions\n")
	b.WriteString("// section of the Keycloak Admin REST API reference, its fields sorted by\n")
	b.WriteString("// JSON name, with the reference's type text. Representations without\n")
	b.WriteString("// fields are enums or were listed without a table.\n")
	b.WriteString("var representationFields = map[string][]Field{\n")
	for _, r := range reps {
		if len(r.Fields) == 0 {
			comment := "no fields"
			if !r.Header {
				comment = "listed without a field table"
			}
			fmt.Fprintf(&b, "\t%s: {}, // %s\n", strconv.Quote(r.Name), comment)
			continue
		}
		fmt.Fprintf(&b, "\t%s: {\n", strconv.Quote(r.Name))
		for _, f := range r.Fields {
			fmt.Fprintf(&b, "\t\t{Name: %s, Type: %s},\n", strconv.Quote(f.Name), strconv.Quote(f.Type))
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting generated source: %w", err)
	}
	return src, nil
}
