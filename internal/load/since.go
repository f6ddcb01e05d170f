package load

import (
	"bytes"
	"errors"
	"os"

	"github.com/realmsync/realmsync/internal/model"
)

// FilePartSince is FilePart of a file's old version (old), for a plan
// scoped to a Git change, given the file now (now) and what it declares
// now (nowPart, FilePart of now). A one-user change to a users file of
// 10,000 leaves all its batches of items (pieces.go) but one as they were:
// those are not parsed again, their objects are nowPart's (the same
// entities, so the scope's comparison of them is immediate). The result
// is FilePart's, but for the positions of those objects, which are where
// they are now. A file that is not read in pieces, or whose reused
// objects do not fit, is parsed whole as FilePart does.
func FilePartSince(realm, file string, old, now []byte, nowPart *model.Realm, opts Options) (*model.Realm, error) {
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	if nowPart == nil || len(old) < piecesFrom || len(now) < piecesFrom {
		return FilePart(realm, file, old, opts)
	}
	nowPieces := splitPieces(now, model.StandAloneItems, batchBytes)
	if nowPieces == nil {
		return FilePart(realm, file, old, opts)
	}
	// The batches of now, by their text: a batch of old with the same text
	// (and list) declares the same objects.
	byText := map[string][]piece{}
	for _, p := range nowPieces {
		if p.field != "" {
			k := p.field + "\x00" + string(now[p.start:p.end])
			byText[k] = append(byText[k], p)
		}
	}
	var reused []piece // batches of now whose text old has
	skip := func(pieces []piece) []piece {
		var kept []piece
		for _, p := range pieces {
			k := p.field + "\x00" + string(old[p.start:p.end])
			if same := byText[k]; p.field != "" && len(same) > 0 {
				reused, byText[k] = append(reused, same[0]), same[1:]
				continue
			}
			kept = append(kept, p)
		}
		return kept
	}
	f := decomposeSome(realm, file, old, opts.Lookup, false, false, skip)
	if f.parseErr != nil {
		return nil, f.parseErr
	}
	if err := errors.Join(f.errs...); err != nil || len(reused) == 0 {
		return f.part, err
	}
	lines := make([][2]int, len(reused)) // each reused batch's lines in now
	keys := map[int]bool{}               // and its list's key: where the list is declared
	for i, p := range reused {
		text := bytes.TrimSuffix(now[p.start:p.end], []byte("\n")) // its last line ends where the next piece's begins
		lines[i] = [2]int{p.line, p.line + bytes.Count(text, []byte("\n"))}
		keys[p.key.Line] = true
	}
	within := func(pos model.Pos) bool {
		if pos.File != file {
			return false
		}
		for _, l := range lines {
			if pos.Line >= l[0] && pos.Line <= l[1] {
				return true
			}
		}
		return false
	}
	for _, k := range model.Kinds() {
		for _, e := range nowPart.Sorted(k.Name) {
			if !within(e.Source) {
				continue
			}
			if f.part.Get(k.Name, e.Key) != nil {
				// Declared in a batch that changed too (a stub and its
				// object apart): the whole parse says what old declares.
				return FilePart(realm, file, old, opts)
			}
			_ = f.part.Add(e) // not there yet: Add fails only on a second definition
		}
	}
	for sc, pos := range nowPart.Declared {
		if _, ok := f.part.Declared[sc]; !ok && (within(pos) || pos.File == file && keys[pos.Line]) {
			f.part.Declared[sc] = pos
		}
	}
	return f.part, nil
}
