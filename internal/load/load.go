// Package load reads the desired state: a directory with one subdirectory
// per realm, every *.yaml/*.yml file under which is a part of that realm's
// representation in Keycloak's own JSON field names. It substitutes
// environment variables, merges the parts, and validates everything offline
// (fields, types, keys, references) so that bad input is reported with file
// and line before anything is sent to a server.
package load

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/parallel"
)

// Desired is the desired state of every realm in a directory.
type Desired struct {
	Realms map[string]*model.Realm
	// Digest is a SHA-256 over every file read (its path within the
	// directory and its bytes): a saved plan names the files it was made
	// from by it.
	Digest string
	// Warnings change nothing but deserve a reader: fields left alone.
	Warnings []string
	// Dirs are the realms' directories, by realm (a plan scoped to the
	// files changed since a Git revision maps files to realms by them).
	Dirs map[string]string
	// Parts are the parts of the files Options.KeepParts names, by
	// PartKey: what FilePart answers for each, from the parse made here.
	Parts map[string]*model.Realm
}

// Names returns the realm names in order.
func (d *Desired) Names() []string { return model.SortedKeys(d.Realms) }

// Options steer loading.
type Options struct {
	// Lookup resolves ${env:NAME}; nil means the process environment.
	Lookup func(string) (string, bool)
	// Exclude leaves out realm directories whose path or name matches
	// one of these patterns (Paths).
	Exclude []string

	// KeepParts names files, by PartKey, whose own part to keep in
	// Desired.Parts. A plan scoped to a Git change compares each changed
	// file's part with its earlier version's; kept here, the file is not
	// parsed again (on the large benchmark preset a one-user change
	// parses the 2.4 MB users file: 0.3 s of 1.4 s).
	KeepParts map[string]bool

	// CheckOnly is for validate, which reports errors and nothing else:
	// the users of big files (read in batches, pieces.go) are checked
	// batch by batch once the rest is loaded, and Desired keeps only
	// their keys and places (a 50 MB users file otherwise holds its
	// 210,000 users whole, to be checked at the end).
	CheckOnly bool

	digest func(file string, data []byte)       // hears every file read, in order
	keep   func(file string, part *model.Realm) // hears each part KeepParts asks for
}

// PartKey names a file as KeepParts and Desired.Parts do: its absolute
// path with symlinks resolved, as Git names the files of a work tree.
func PartKey(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.Clean(file)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// Dir loads and validates the desired state under dir. The error lists
// every problem found, each with file and line.
func Dir(dir string, opts Options) (*Desired, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading desired state: %w", err)
	}
	if oneRealmsDirectory(entries) {
		return nil, fmt.Errorf("%s holds realm files itself: it looks like the directory of one realm; give realmsync the directory above it, which holds one directory per realm (%s), or name realm directories with a pattern (%s/*/)",
			dir, filepath.Dir(filepath.Clean(dir)), filepath.Dir(filepath.Clean(dir)))
	}
	var errs []error
	var realms []realmDir
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			// A symlinked realm directory counts like a real one: left
			// out silently, its owned objects would be planned for deletion.
			info, err := os.Stat(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", path, err))
				continue
			}
			isDir = info.IsDir()
		}
		switch {
		case isDir && !strings.HasPrefix(e.Name(), "."):
			realms = append(realms, realmDir{name: e.Name(), dir: path})
		case isYAML(e.Name()):
			errs = append(errs, fmt.Errorf("%s: realm files belong in a directory named after the realm (%s/<realm>/%s)", path, dir, e.Name()))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(realms) == 0 {
		return nil, fmt.Errorf("%s: no realm directories found (expected %s/<realm>/*.yaml)", dir, dir)
	}
	return loadRealms(realms, opts)
}

// warn lists the fields the realms hold that a plan leaves alone.
func (d *Desired) warn() {
	for _, name := range d.Names() {
		r := d.Realms[name]
		for _, f := range model.SortedKeys(r.Unmanaged) {
			field := "field " + strconv.Quote(f)
			if what, name, ok := strings.Cut(f, ": "); ok {
				field = what + " field " + strconv.Quote(name)
			}
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: realm %s: %s is not managed by this version of realmsync and is left as it is", r.Unmanaged[f], name, field))
		}
		for _, f := range model.SortedKeys(r.Ignored) {
			what, field, _ := strings.Cut(f, ": ")
			ig := r.Ignored[f]
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: realm %s: %s: field %q is ignored by Keycloak, so realmsync leaves it out of the plan: %s", ig.Pos, name, what, field, ig.Why))
		}
	}
}

// realmDir is one realm's directory, named after the realm.
type realmDir struct{ name, dir string }

// loadRealms loads and validates realm directories (in name order). The
// digest names each file by its realm and its path inside the realm's
// directory, wherever that directory is.
func loadRealms(realms []realmDir, opts Options) (*Desired, error) {
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	d := &Desired{Realms: map[string]*model.Realm{}, Dirs: map[string]string{}}
	if len(opts.KeepParts) > 0 {
		d.Parts = map[string]*model.Realm{}
		opts.keep = func(file string, part *model.Realm) { d.Parts[PartKey(file)] = part }
	}
	digest := sha256.New()
	var errs []error
	for _, rd := range realms {
		rd := rd
		opts.digest = func(file string, data []byte) {
			rel, _ := filepath.Rel(rd.dir, file)
			fmt.Fprintf(digest, "%s\x00%d\x00", rd.name+"/"+filepath.ToSlash(rel), len(data))
			digest.Write(data)
		}
		r, rerrs := loadRealm(rd.name, rd.dir, opts)
		errs = append(errs, rerrs...)
		if r != nil {
			d.Realms[r.Name] = r
			d.Dirs[r.Name] = rd.dir
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d.Digest = "sha256:" + hex.EncodeToString(digest.Sum(nil))
	d.warn()
	return d, nil
}

// oneRealmsDirectory reports a directory that is one realm's rather than
// the tree of realms: it has a realm.yaml, or realm files or the folders
// an export writes (clients/, authentication-flows/) beside nothing else.
// Taken for a tree, its subfolders would become realms named "clients"
// and "client-scopes".
func oneRealmsDirectory(entries []fs.DirEntry) bool {
	var yamlFiles, realmFile, exportDirs, otherDirs bool
	for _, e := range entries {
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), "."):
		case e.IsDir() && exportFolders[e.Name()]:
			exportDirs = true
		case e.IsDir():
			otherDirs = true
		case isYAML(e.Name()):
			yamlFiles = true
			realmFile = realmFile || strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".yaml"), ".yml") == "realm"
		}
	}
	return realmFile || ((yamlFiles || exportDirs) && !otherDirs)
}

// exportFolders are the folders export writes inside a realm's
// directory, from the kind table.
var exportFolders = func() map[string]bool {
	out := map[string]bool{}
	for _, k := range model.Kinds() {
		if folder, _, nested := strings.Cut(k.ExportTo, "/"); nested {
			out[folder] = true
		}
	}
	return out
}()

func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// loadRealm reads every YAML file under a realm directory, in lexical
// order, and merges them.
func loadRealm(name, dir string, opts Options) (*model.Realm, []error) {
	files, err := realmFiles(dir)
	if err != nil {
		return nil, []error{fmt.Errorf("reading realm %s: %w", name, err)}
	}
	realm := model.NewRealm(name)
	var errs []error
	unreadable := false     // a file could not be read at all
	var checkLater []string // files whose users are kept by key alone (CheckOnly)
	// Files are read and decomposed on every core, and merged in lexical
	// order: what a realm is, and the order of its errors, do not depend
	// on which file finished first.
	parallel.Ordered(runtime.GOMAXPROCS(0), len(files), func(i int) readFileResult {
		data, err := readFile(files[i])
		if err != nil {
			return readFileResult{err: err}
		}
		keep := opts.keep != nil && opts.KeepParts[PartKey(files[i])]
		return readFileResult{data: data, f: decomposeFile(name, files[i], data, opts.Lookup, keep, opts.CheckOnly)}
	}, func(i int, r readFileResult) bool {
		file, f := files[i], r.f
		if r.err != nil {
			errs = append(errs, r.err)
			return true
		}
		if opts.digest != nil {
			opts.digest(file, r.data)
		}
		if f.parseErr != nil {
			errs = append(errs, f.parseErr)
		}
		if !f.readable {
			unreadable = true
			return true
		}
		errs = append(errs, f.errs...)
		if f.kept != nil {
			opts.keep(file, f.kept)
		}
		errs = append(errs, realm.Merge(f.part)...)
		if f.stripped {
			checkLater = append(checkLater, file)
		}
		return true
	})
	if realm.Settings() == nil {
		// A realm directory whose files hold only collections.
		_ = realm.Add(&model.Entity{Kind: model.KindByName(model.KindRealm), Key: name,
			Fields: model.Object{"realm": name}, Source: model.Pos{File: dir}})
	}
	if !unreadable {
		// Validating a realm with unreadable parts would report their
		// objects as missing: one cause, many messages. Other errors (a
		// variable not set, an object defined twice) leave the rest to
		// check, so every mistake is reported in one pass.
		checked, cerrs := checkStripped(realm, checkLater, opts.Lookup)
		errs = append(errs, cerrs...)
		errs = append(errs, append(validate(realm, checked), cycles(realm)...)...)
	}
	return realm, errs
}

// FilePart decomposes one realm file's content on its own, unvalidated
// and unmerged with the realm's other files: what that file declares.
// A plan scoped to a Git change compares a file's part before and after.
func FilePart(realm, file string, data []byte, opts Options) (*model.Realm, error) {
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	f := decomposeFile(realm, file, data, opts.Lookup, false, false)
	if f.parseErr != nil {
		return nil, f.parseErr
	}
	return f.part, errors.Join(f.errs...)
}

// readFileResult is a file read and decomposed, or why it could not be read.
type readFileResult struct {
	data []byte // for the digest
	f    decomposedFile
	err  error
}

// decomposedFile is a file decomposed on its own.
type decomposedFile struct {
	part     *model.Realm // what the file declares
	readable bool         // false: a syntax error, no part
	parseErr error        // the syntax error, or values not substituted
	errs     []error      // decomposing it: bad objects, objects defined twice
	kept     *model.Realm // the part again, from copies (nil after any error)
	stripped bool         // users in it hold their key and place alone
}

// decomposeFile parses a file and decomposes its documents, one by one as
// they are parsed, into a realm of their own. With keep it decomposes a
// copy of each document too, into kept: Decompose changes the document it
// reads (keys it lowers, markers it removes), and the part's objects
// become the realm's.
func decomposeFile(realm, file string, data []byte, lookup func(string) (string, bool), keep, strip bool) decomposedFile {
	return decomposeSome(realm, file, data, lookup, keep, strip, nil)
}

// decomposeSome is decomposeFile with a big file's pieces narrowed by skip
// (parseSome).
func decomposeSome(realm, file string, data []byte, lookup func(string) (string, bool), keep, strip bool, skip func([]piece) []piece) decomposedFile {
	var f decomposedFile
	var keptErrs bool
	begin := func() {
		f.part, f.errs = model.NewRealm(realm), nil
		if keep {
			f.kept, keptErrs = model.NewRealm(realm), false
		}
	}
	visit := func(doc *document) {
		if keep {
			p, perrs := model.Decompose(realm, model.DeepCopy(doc.root).(model.Object), doc.posOf)
			keptErrs = keptErrs || len(perrs) > 0 || len(f.kept.Merge(p)) > 0
		}
		p, perrs := model.Decompose(realm, doc.root, doc.posOf)
		if strip && doc.field == usersField {
			for _, u := range p.Entities[model.KindUser] {
				u.Fields, u.FieldPos = nil, model.Positions{}
			}
			f.stripped = true
		}
		f.errs = append(f.errs, perrs...)
		f.errs = append(f.errs, f.part.Merge(p)...)
	}
	f.readable, f.parseErr = parseSome(file, data, Sources{Env: lookup, Dir: filepath.Dir(file)}, skip, begin, visit)
	if !f.readable {
		f.part, f.stripped = nil, false
	}
	if !f.readable || keptErrs || f.parseErr != nil {
		f.kept = nil
	}
	return f
}

var usersField = model.KindByName(model.KindUser).RealmPath

// checkStripped parses again the files whose users the realm holds by key
// alone (Options.CheckOnly) and checks each user as validate would, now
// that the rest of the realm is known, one batch in memory at a time. It
// answers each user's errors by key, for validate to report in its place.
func checkStripped(realm *model.Realm, files []string, lookup func(string) (string, bool)) (map[string][]error, []error) {
	if len(files) == 0 {
		return nil, nil
	}
	checked := map[string][]error{}
	var errs []error
	users := model.KindByName(model.KindUser)
	for _, file := range files {
		data, err := readFile(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		visit := func(doc *document) {
			if doc.field != usersField {
				return
			}
			p, _ := model.Decompose(realm.Name, doc.root, doc.posOf) // its errors were reported
			for _, u := range p.Entities[model.KindUser] {
				// Only the user the realm holds, not a second definition.
				if held := realm.Get(model.KindUser, u.Key); held != nil && held.Source == u.Source {
					checked[u.Key] = validateEntity(realm, users, u)
				}
			}
		}
		if _, err := parseEach(file, data, Sources{Env: lookup, Dir: filepath.Dir(file)}, func() { clear(checked) }, visit); err != nil {
			errs = append(errs, fmt.Errorf("%s: changed while it was read: %w", file, err))
		}
	}
	return checked, errs
}
