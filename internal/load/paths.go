package load

// Several places for the desired state, for monorepos: a command may name
// several desired-state directories, realm directories themselves, or glob
// patterns matching either (realms/*/, teams/*/realms), less what
// --exclude patterns name. The realms they hold are loaded as if they sat
// side by side in one directory.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Paths loads the desired state from paths. One plain path is a
// desired-state directory (Dir). Otherwise each path, or each match of a
// glob pattern, is a realm's directory (it holds realm files) or a
// desired-state directory (it holds realm directories). A realm directory
// whose path or name matches an Exclude pattern is left out; a realm found
// twice is an error naming both places.
func Paths(paths []string, opts Options) (*Desired, error) {
	if len(paths) == 1 && !hasGlob(paths[0]) && len(opts.Exclude) == 0 {
		return Dir(paths[0], opts)
	}
	for _, p := range opts.Exclude {
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, fmt.Errorf("--exclude %q: %w", p, err)
		}
	}
	dirs := map[string]string{} // realm → its directory
	var errs []error
	add := func(realm, dir string) {
		if excluded(dir, opts.Exclude) {
			return
		}
		if other, dup := dirs[realm]; dup && filepath.Clean(other) != filepath.Clean(dir) {
			errs = append(errs, fmt.Errorf("realm %s is in two places: %s and %s", realm, other, dir))
			return
		}
		dirs[realm] = dir
	}
	for _, arg := range paths {
		matches := []string{arg}
		if hasGlob(arg) {
			var err error
			if matches, err = filepath.Glob(arg); err != nil {
				return nil, fmt.Errorf("pattern %q: %w", arg, err)
			}
			if len(matches) == 0 {
				errs = append(errs, fmt.Errorf("pattern %q matches nothing", arg))
			}
		}
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				errs = append(errs, fmt.Errorf("reading desired state: %w", err))
				continue
			}
			if !info.IsDir() {
				continue // a glob's file matches (realms/*) are not realms
			}
			entries, err := os.ReadDir(m)
			if err != nil {
				errs = append(errs, fmt.Errorf("reading desired state: %w", err))
				continue
			}
			if oneRealmsDirectory(entries) {
				add(filepath.Base(filepath.Clean(m)), m)
				continue
			}
			for _, e := range entries {
				if isRealmDir(m, e) {
					add(e.Name(), filepath.Join(m, e.Name()))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: no realm directories found (every one excluded?)", strings.Join(paths, ", "))
	}
	names := make([]string, 0, len(dirs))
	for n := range dirs {
		names = append(names, n)
	}
	sort.Strings(names)
	realms := make([]realmDir, len(names))
	for i, n := range names {
		realms[i] = realmDir{name: n, dir: dirs[n]}
	}
	return loadRealms(realms, opts)
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// excluded reports whether a realm directory matches a pattern, by its
// path (realms/legacy-*) or its name (legacy-*).
func excluded(dir string, patterns []string) bool {
	clean := filepath.ToSlash(filepath.Clean(dir))
	for _, p := range patterns {
		p = filepath.ToSlash(filepath.Clean(p))
		if ok, _ := filepath.Match(p, clean); ok {
			return true
		}
		if ok, _ := filepath.Match(p, filepath.Base(clean)); ok && !strings.Contains(p, "/") {
			return true
		}
	}
	return false
}

// isRealmDir reports whether entry e of a desired-state directory is a
// realm's directory (symlinks followed, hidden directories skipped).
func isRealmDir(parent string, e os.DirEntry) bool {
	if strings.HasPrefix(e.Name(), ".") {
		return false
	}
	if e.Type()&os.ModeSymlink != 0 {
		info, err := os.Stat(filepath.Join(parent, e.Name()))
		return err == nil && info.IsDir()
	}
	return e.IsDir()
}
