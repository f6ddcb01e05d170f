// Package peers converts realmsync's desired state into the inputs of the
// tools the benchmarks compare it with: the realm representation
// keycloak-config-cli imports, and HCL for the Keycloak provider of
// OpenTofu/Terraform. It exists for make bench only (so that every tool
// is given the same content from the same files) and is not part of the
// reconciler's data flow.
package peers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadRealm reads the YAML files of one realm directory (realmsync's
// layout: any number of files, each holding top-level fields of the realm)
// and joins them into one realm representation. Lists of the same field
// in several files are concatenated, objects joined field by field; the
// same scalar set twice to different values is an error. realmsync's own
// settings (the "realmsync" field) are dropped: no peer knows them.
func ReadRealm(dir string) (map[string]any, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	sort.Strings(files)
	realm := map[string]any{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if err := join(realm, doc, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	delete(realm, "realmsync")
	if _, ok := realm["realm"].(string); !ok {
		realm["realm"] = filepath.Base(dir)
	}
	return realm, nil
}

func join(into, from map[string]any, path string) error {
	for k, v := range from {
		old, seen := into[k]
		if !seen {
			into[k] = v
			continue
		}
		switch o := old.(type) {
		case []any:
			n, ok := v.([]any)
			if !ok {
				return fmt.Errorf("field %s%s: a list here, not elsewhere", path, k)
			}
			into[k] = append(o, n...)
		case map[string]any:
			n, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("field %s%s: an object here, not elsewhere", path, k)
			}
			if err := join(o, n, path+k+"."); err != nil {
				return err
			}
		default:
			if fmt.Sprint(old) != fmt.Sprint(v) {
				return fmt.Errorf("field %s%s: %v here, %v elsewhere", path, k, v, old)
			}
		}
	}
	return nil
}

// KCCImport is the realm as keycloak-config-cli's import file: Keycloak's
// realm representation in JSON, which realmsync's field names already are.
func KCCImport(realm map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(realm); err != nil { // encoding/json sorts keys
		return nil, err
	}
	return b.Bytes(), nil
}
