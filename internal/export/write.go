package export

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/model"
)

// File is one file of an export, relative to the realm's directory.
type File struct {
	Path string
	Doc  model.Object
}

// Files splits a pruned realm into the files users keep in Git, as the
// kind table's ExportTo says: realm.yaml for settings, one file per client
// and per client scope (so that a pull request touches the file of what
// it changes), roles.yaml, groups.yaml, ...
func Files(r *model.Realm) ([]File, error) {
	doc, err := model.Compose(r)
	if err != nil {
		return nil, err
	}
	targets := layout()
	settings := model.Object{}
	for field, v := range doc {
		if _, elsewhere := targets[field]; !elsewhere {
			settings[field] = v
		}
	}
	files := []File{{Path: realmFile, Doc: settings}}
	shared := map[string]int{} // file → its index in files: kinds may share one
	for _, t := range sortedTargets(targets) {
		v, ok := doc[t.field]
		if !ok || isEmpty(v) {
			continue
		}
		switch i, seen := shared[t.file]; {
		case t.dir != "":
			files = append(files, perObject(doc, t.field, t.keyField, t.dir)...)
		case seen:
			files[i].Doc[t.field] = v
		default:
			shared[t.file] = len(files)
			files = append(files, File{Path: t.file, Doc: model.Object{t.field: v}})
		}
	}
	return files, nil
}

// RealmFile holds the realm's settings and whatever no kind exports
// elsewhere.
const RealmFile = "realm.yaml"

const realmFile = RealmFile

// target is where one document field goes.
type target struct {
	field, file, dir, keyField string
	order                      int
}

// layout maps document fields to their file or directory, from the kind
// table.
func layout() map[string]target {
	out := map[string]target{}
	for i, k := range model.Kinds() {
		f := k.DocumentField()
		if k.ExportTo == "" || f == "" {
			continue
		}
		if _, seen := out[f]; seen {
			continue // realm and client roles share the roles field
		}
		t := target{field: f, keyField: k.KeyField, order: i}
		if dir, ok := strings.CutSuffix(k.ExportTo, "/"); ok {
			t.dir = dir
		} else {
			t.file = k.ExportTo
		}
		out[f] = t
	}
	return out
}

func sortedTargets(m map[string]target) []target {
	var out []target
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// perObject writes one file per object of a collection, named after its
// key; keys that only differ in unsafe characters get a numeric suffix.
func perObject(doc model.Object, field, keyField, dir string) []File {
	list, _ := doc[field].([]any)
	var files []File
	used := map[string]bool{}
	for _, item := range list {
		obj := item.(map[string]any)
		base := strings.Trim(unsafeFileChars.ReplaceAllString(fmt.Sprint(obj[keyField]), "_"), "_.")
		if base == "" {
			base = "object"
		}
		name := base
		for i := 2; used[strings.ToLower(name)]; i++ {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		used[strings.ToLower(name)] = true
		files = append(files, File{Path: filepath.Join(dir, name+".yaml"), Doc: model.Object{field: []any{obj}}})
	}
	return files
}

// Write writes the files under dir/<realm>/, replacing what an earlier
// export wrote there.
func Write(dir, realm string, files []File) error {
	root := filepath.Join(dir, realm)
	old := []string{realmFile}
	for _, t := range sortedTargets(layout()) {
		if t.dir != "" {
			if err := os.RemoveAll(filepath.Join(root, t.dir)); err != nil {
				return err
			}
		} else {
			old = append(old, t.file)
		}
	}
	for _, f := range old {
		if err := os.Remove(filepath.Join(root, f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	for _, f := range files {
		data, err := Marshal(f.Doc)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		path := filepath.Join(root, f.Path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// leadingKeys come first in every object, in this order, so that a
// reader sees what an object is before its settings.
var leadingKeys = []string{"realm", "clientId", "name", "alias", "authenticator", "flowAlias", "requirement", "username", "protocol", "protocolMapper", "description", "enabled"}

// trailingKeys come last: a sub-flow's steps read best after what the
// sub-flow is.
var trailingKeys = []string{model.ExecutionsField}

// Marshal renders a document as YAML with a stable key order.
func Marshal(doc model.Object) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node(doc)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func node(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range orderedKeys(t) {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, node(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, x := range t {
			n.Content = append(n.Content, node(x))
		}
		return n
	case float64:
		// Integral numbers as integers: 2592000, not 2.592e+06.
		if t == float64(int64(t)) {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprintf("%d", int64(t))}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: fmt.Sprintf("%g", t)}
	default:
		var n yaml.Node
		_ = n.Encode(t)
		return &n
	}
}

func orderedKeys(m map[string]any) []string {
	keys := model.SortedKeys(m)
	rank := func(k string) int {
		for i, l := range leadingKeys {
			if k == l {
				return i
			}
		}
		for i, l := range trailingKeys {
			if k == l {
				return len(leadingKeys) + 1 + i
			}
		}
		return len(leadingKeys)
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}

// RealmFiles lists the YAML files under a realm's directory that an
// export would replace or leave stale (hidden directories skipped); none
// when the directory does not exist.
func RealmFiles(dir, realm string) ([]string, error) {
	root := filepath.Join(dir, realm)
	var out []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if ext := strings.ToLower(filepath.Ext(d.Name())); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

// Clear removes the YAML files under a realm's directory, so that a
// forced export leaves no definition behind in a file the user moved.
// Other files (a README, .gitkeep) stay.
func Clear(dir, realm string) error {
	files, err := RealmFiles(dir, realm)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}
