package load

// keycloak-config-cli projects as input. Its import files are realm
// representations (JSON or YAML, the realm named inside, one realm in
// several files), so the parser, Decompose and validation are this
// package's own; what differs is read here: the files are found by path,
// directory or pattern, "$(...)" substitutions become realmsync's "${...}"
// references, and the files of one realm are applied in order, a later
// file's fields winning, as keycloak-config-cli imports them one after the
// other.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
)

// KCCProject is a keycloak-config-cli project read as desired state.
type KCCProject struct {
	*Desired
	// Files are the import files read, in the order applied.
	Files []string
	// Report lists, with file and line, what keycloak-config-cli does
	// that realmsync does differently or not at all.
	Report []string
}

// KCC reads keycloak-config-cli import files: paths are files,
// directories (their .json, .yaml and .yml files, in name order, as
// keycloak-config-cli sorts them) or glob patterns. With opts.Keep the
// substitutions stay references in the result (convert writes them out);
// otherwise they are resolved, and one without an equivalent is an error.
func KCC(paths []string, opts Options, keep bool) (*KCCProject, error) {
	files, err := kccFiles(paths)
	if err != nil {
		return nil, err
	}
	p := &KCCProject{Desired: &Desired{Realms: map[string]*model.Realm{}}, Files: files}
	digest := sha256.New()
	var errs []error
	notes := map[string]bool{}
	note := func(s string) {
		if !notes[s] {
			notes[s] = true
			p.Report = append(p.Report, s)
		}
	}
	for _, file := range files {
		data, err := readFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(digest, "%s\x00%d\x00", filepath.ToSlash(file), len(data))
		digest.Write(data)
		text, unsupported := kccSubstitutions(file, string(data), note)
		if len(unsupported) > 0 && !keep {
			errs = append(errs, unsupported...)
			continue
		}
		for _, u := range unsupported {
			note(u.Error() + "; left as written: replace it by hand")
		}
		src := Sources{Env: opts.Lookup, Dir: filepath.Dir(file), Keep: keep, Retype: true}
		docs, err := parseWith(file, []byte(text), src)
		if err != nil {
			errs = append(errs, err)
		}
		for _, doc := range docs {
			name, _ := doc.root["realm"].(string)
			if name == "" {
				errs = append(errs, fmt.Errorf("%s: a keycloak-config-cli import file names its realm (realm: <name>)", doc.posOf([]string{})))
				continue
			}
			part, perrs := model.Decompose(name, doc.root, doc.posOf)
			errs = append(errs, perrs...)
			r := p.Realms[name]
			if r == nil {
				r = model.NewRealm(name)
				p.Realms[name] = r
			}
			for _, o := range r.MergeOver(part) {
				note(fmt.Sprintf("%s: %s (first at %s): the later file's fields win, as keycloak-config-cli imports the files in order (realmsync's own layout has each object in one place)", o.At, o.What, o.First))
			}
		}
	}
	if len(errs) == 0 && len(p.Realms) == 0 {
		errs = append(errs, fmt.Errorf("%s: no realm in these files", strings.Join(paths, ", ")))
	}
	for _, name := range p.Names() {
		if len(errs) > 0 || keep {
			// Kept references are not values yet: the converted files
			// are validated when they are read.
			break
		}
		errs = append(errs, validate(p.Realms[name], nil)...)
		errs = append(errs, cycles(p.Realms[name])...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.Digest = "sha256:" + hex.EncodeToString(digest.Sum(nil))
	p.warn()
	note("keycloak-config-cli's bookkeeping (the realm attributes de.adorsys.keycloak.config.*: import checksums and the state of what it created) has no equivalent: realmsync records what it owns in its own attributes; a first sync adopts what matches, and --drop-foreign-state kcc removes those attributes")
	note("keycloak-config-cli's import.managed.<kind> settings are not in the files: its default (full) deletes what it created and the files no longer list, as realmsync's deletion policy owned does (the default); no-delete corresponds to realmsync's policy none (deletionPolicy in a realm file)")
	sort.Strings(p.Report)
	return p, nil
}

// kccFiles lists the import files paths name, each once, in order.
func kccFiles(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, arg := range paths {
		matches := []string{arg}
		if hasGlob(arg) {
			var err error
			if matches, err = filepath.Glob(arg); err != nil || len(matches) == 0 {
				return nil, fmt.Errorf("pattern %q matches no file", arg)
			}
		}
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("keycloak-config-cli files: %w", err)
			}
			if !info.IsDir() {
				add(m)
				continue
			}
			var found []string
			err = filepath.WalkDir(m, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != m {
					return filepath.SkipDir
				}
				if !d.IsDir() && (isYAML(d.Name()) || strings.EqualFold(filepath.Ext(d.Name()), ".json")) {
					found = append(found, path)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("keycloak-config-cli files: %w", err)
			}
			sort.Strings(found)
			for _, f := range found {
				add(f)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no import files (.json, .yaml, .yml)", strings.Join(paths, ", "))
	}
	return out, nil
}

// kccSubstitutions rewrites keycloak-config-cli's "$(...)" substitutions
// as realmsync references: $(env:NAME) and $(NAME) (with ":-default")
// as ${env:...}, $(file:UTF-8:/path) as ${file:/path}; "$$(" is a literal
// "$(". The others (javascript:, sys:, base64Decoder: and the rest of
// Apache Commons Text's lookups) have no equivalent and are returned, each
// with its file and line.
func kccSubstitutions(file, text string, note func(string)) (string, []error) {
	if !strings.Contains(text, "$(") {
		return text, nil
	}
	var b strings.Builder
	var unsupported []error
	line := func(i int) int { return strings.Count(text[:i], "\n") + 1 }
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "$$(") {
			b.WriteString("$(")
			i += 3
			continue
		}
		if !strings.HasPrefix(text[i:], "$(") {
			b.WriteByte(text[i])
			i++
			continue
		}
		end := strings.IndexByte(text[i:], ')')
		if end < 0 {
			unsupported = append(unsupported, fmt.Errorf("%s:%d: unterminated %q", file, line(i), firstLine(text[i:])))
			b.WriteString(text[i:])
			break
		}
		expr := text[i+2 : i+end]
		ref, ok := kccReference(expr, filepath.Dir(file))
		switch {
		case !ok:
			unsupported = append(unsupported, fmt.Errorf("%s:%d: substitution $(%s) has no equivalent in realmsync (it resolves ${env:NAME} and ${file:PATH})", file, line(i), expr))
			b.WriteString(text[i : i+end+1])
		default:
			if !strings.HasPrefix(expr, "env:") && !strings.HasPrefix(expr, "file:") {
				note(fmt.Sprintf("%s:%d: $(%s) is read from the environment, as ${env:%s}", file, line(i), expr, expr))
			}
			b.WriteString(ref)
		}
		i += end + 1
	}
	return b.String(), unsupported
}

// kccReference maps one substitution's inside onto a realmsync reference.
// A relative file path is made absolute from dir (the import file's), so
// that it still names the file from wherever a converted file is.
func kccReference(expr, dir string) (string, bool) {
	if name, ok := strings.CutPrefix(expr, "env:"); ok {
		expr = name
	} else if path, ok := strings.CutPrefix(expr, "file:"); ok {
		// Commons Text's file lookup is "file:<charset>:<path>".
		if charset, rest, found := strings.Cut(path, ":"); found && !strings.ContainsAny(charset, `/\.`) {
			path = rest
		}
		if path == "" {
			return "", false
		}
		if !filepath.IsAbs(path) {
			if abs, err := filepath.Abs(filepath.Join(dir, path)); err == nil {
				path = abs
			}
		}
		return "${file:" + path + "}", true
	}
	name, _, _ := strings.Cut(expr, ":-")
	if !validEnvName(name) {
		return "", false
	}
	return "${env:" + expr + "}", true
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// kccManaged maps keycloak-config-cli's import.managed.<key> settings onto
// the kinds whose deletion policy corresponds; nil: no equivalent.
var kccManaged = map[string][]string{
	"authentication-flow": {model.KindFlow}, "client": {model.KindClient}, "client-scope": {model.KindClientScope},
	"group": {model.KindGroup}, "identity-provider": {model.KindIdP}, "identity-provider-mapper": {model.KindIdPMapper},
	"required-action": {model.KindRequiredAction}, "role": {model.KindRealmRole, model.KindClientRole},
	"component": nil, "sub-component": nil, "scope-mapping": nil, "client-scope-mapping": nil, "message-bundles": nil,
	"client-authorization-resources": nil, "client-authorization-policies": nil, "client-authorization-scopes": nil,
}

// KCCPolicies maps keycloak-config-cli's import.managed settings onto
// realmsync's deletion policies, by kind plural: no-delete is none; full
// (its default: delete what it created) is owned, realmsync's default,
// and is not written. settings are given by property name
// (import.managed.client=no-delete); those not given are read from its
// environment variables (IMPORT_MANAGED_CLIENT) through lookup. It
// returns notes for settings without an equivalent.
func KCCPolicies(settings []string, lookup func(string) (string, bool)) (map[string]any, []string, error) {
	values := map[string]string{}
	for _, s := range settings {
		key, value, ok := strings.Cut(s, "=")
		name, isManaged := strings.CutPrefix(strings.TrimSpace(key), "import.managed.")
		if !ok || !isManaged {
			return nil, nil, fmt.Errorf("--kcc-setting %q: want import.managed.<kind>=full|no-delete", s)
		}
		if _, known := kccManaged[name]; !known {
			return nil, nil, fmt.Errorf("--kcc-setting %q: keycloak-config-cli has no import.managed.%s (it has %s)", s, name, strings.Join(model.SortedKeys(kccManaged), ", "))
		}
		values[name] = strings.TrimSpace(value)
	}
	if lookup != nil {
		for name := range kccManaged {
			if _, given := values[name]; given {
				continue
			}
			if v, ok := lookup("IMPORT_MANAGED_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok && v != "" {
				values[name] = v
			}
		}
	}
	policies := map[string]any{}
	var notes []string
	for _, name := range model.SortedKeys(values) {
		v := values[name]
		if v != "full" && v != "no-delete" {
			return nil, nil, fmt.Errorf("import.managed.%s=%s: keycloak-config-cli takes full or no-delete", name, v)
		}
		kinds := kccManaged[name]
		if kinds == nil {
			notes = append(notes, fmt.Sprintf("import.managed.%s=%s has no equivalent: realmsync does not manage those objects, or not by deletion policy", name, v))
			continue
		}
		if v == "no-delete" {
			for _, k := range kinds {
				policies[model.KindByName(k).Plural] = string(model.PolicyNone)
			}
			notes = append(notes, fmt.Sprintf("import.managed.%s=no-delete became deletionPolicy none for %s", name, strings.Join(pluralsOf(kinds), " and ")))
		}
	}
	return policies, notes, nil
}

func pluralsOf(kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = model.KindByName(k).Plural
	}
	return out
}
