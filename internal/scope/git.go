package scope

// The Git side: which realm files changed since a revision, and what each
// declared before and after. Git is run as a program (it is on every
// machine that has the repository), never reimplemented.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

// Result is the scope of each realm of a run: a realm in Full gets a
// full read, for the reason given.
type Result struct {
	Realms map[string]*Realm
	Full   map[string]string
}

// Since scopes each of realms to the files changed since rev (committed,
// staged, in the working tree, or new and not ignored) under its
// directory.
func Since(ctx context.Context, desired *load.Desired, realms []string, rev string, opts load.Options) *Result {
	out := &Result{Realms: map[string]*Realm{}, Full: map[string]string{}}
	for _, name := range realms {
		s, why := sinceOne(ctx, desired, name, rev, opts)
		if why != "" {
			out.Full[name] = why
			continue
		}
		out.Realms[name] = s
	}
	return out
}

// ChangedFiles are the realm files under the directories of paths (load
// paths: directories, or patterns of them) changed since rev, as Since
// finds them, by load.PartKey: the files whose parts a load keeps
// (load.Options.KeepParts) for Since, so that it does not parse them
// again. What cannot be worked out here is left to Since: a file missed
// here is parsed there.
func ChangedFiles(ctx context.Context, paths []string, rev string) map[string]bool {
	out := map[string]bool{}
	for _, p := range paths {
		dir := filepath.Clean(p)
		for strings.ContainsAny(dir, "*?[") {
			dir = filepath.Dir(dir)
		}
		top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
		if err != nil {
			continue
		}
		top = strings.TrimSpace(top)
		changed, err := git(ctx, dir, "diff", "--name-only", "--no-renames", "-z", rev, "--", ".")
		if err != nil {
			continue
		}
		untracked, err := git(ctx, dir, "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", ".")
		if err != nil {
			continue
		}
		for _, file := range uniqueNames(changed + untracked) {
			if ext := strings.ToLower(filepath.Ext(file)); ext == ".yaml" || ext == ".yml" {
				out[load.PartKey(filepath.Join(top, filepath.FromSlash(file)))] = true
			}
		}
	}
	return out
}

func sinceOne(ctx context.Context, desired *load.Desired, name, rev string, opts load.Options) (*Realm, string) {
	dir, err := filepath.Abs(desired.Dirs[name])
	if err != nil || desired.Dirs[name] == "" {
		return nil, "its directory is not known"
	}
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Sprintf("%s is not in a Git work tree (%v)", dir, err)
	}
	top = strings.TrimSpace(top)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	rel, err := filepath.Rel(top, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Sprintf("%s is outside its Git work tree %s", dir, top)
	}
	rel = filepath.ToSlash(rel)
	if _, err := git(ctx, top, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Sprintf("%s is not a commit of this repository (a shallow clone needs the history: fetch it, or deepen the clone)", rev)
	}
	if _, err := git(ctx, top, "cat-file", "-e", rev+":"+rel); err != nil {
		return nil, fmt.Sprintf("its directory %s is new since %s", rel, rev)
	}
	changed, err := git(ctx, top, "diff", "--name-only", "--no-renames", "-z", rev, "--", rel)
	if err != nil {
		return nil, fmt.Sprintf("git diff failed: %v", err)
	}
	untracked, err := git(ctx, top, "ls-files", "--others", "--exclude-standard", "-z", "--", rel)
	if err != nil {
		return nil, fmt.Sprintf("git ls-files failed: %v", err)
	}
	var changes []FileChange
	inBefore := map[model.Ref]bool{}
	for _, file := range uniqueNames(changed + untracked) {
		inRealm := strings.TrimPrefix(file, rel+"/")
		if hidden(inRealm) {
			continue // the loader skips dot-directories
		}
		if ext := strings.ToLower(filepath.Ext(file)); ext != ".yaml" && ext != ".yml" {
			return nil, fmt.Sprintf("%s changed and is not a realm file: a realm file may substitute it (${file:...})", file)
		}
		c := FileChange{Path: inRealm}
		abs := filepath.Join(top, filepath.FromSlash(file))
		now, err := os.ReadFile(abs)
		switch {
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return nil, err.Error()
		case err != nil:
			// Removed: After stays nil.
		case desired.Parts[load.PartKey(abs)] != nil:
			c.After = desired.Parts[load.PartKey(abs)] // parsed as it was loaded (ChangedFiles)
		default:
			if c.After, err = load.FilePart(name, abs, now, opts); err != nil {
				return nil, fmt.Sprintf("%s does not load on its own: %v", file, firstLine(err))
			}
		}
		if old, err := git(ctx, top, "show", rev+":"+file); err == nil {
			// What did not change in a big file is taken from After.
			if c.Before, err = load.FilePartSince(name, abs, []byte(old), now, c.After, opts); err != nil {
				return nil, fmt.Sprintf("%s as of %s does not load: %v", file, rev, firstLine(err))
			}
			for _, k := range model.Kinds() {
				for key := range c.Before.Entities[k.Name] {
					inBefore[model.Ref{Kind: k.Name, Key: key}] = true
				}
			}
		}
		changes = append(changes, c)
	}
	r := desired.Realms[name]
	s, why := Compare(r, changes)
	if why != "" {
		return nil, why
	}
	// The revision's counts, from now's and what changed.
	s.Counts = Count(r)
	for ref := range s.Changed {
		k := model.KindByName(ref.Kind)
		if k.BuiltIn(name, ref.Key) {
			continue
		}
		switch now := r.Get(ref.Kind, ref.Key) != nil; {
		case inBefore[ref] && !now:
			s.Counts[ref.Kind]++
		case !inBefore[ref] && now:
			s.Counts[ref.Kind]--
		}
	}
	return s, ""
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], firstLine(errors.New(msg)))
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

func uniqueNames(nulSeparated string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range strings.Split(nulSeparated, "\x00") {
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func hidden(path string) bool {
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
