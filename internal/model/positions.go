package model

import (
	"slices"
	"strings"
)

// Positions locate a desired entity's fields (and the names written in
// its relation fields, under RefPosKey) in its files. They are most of
// what a big desired realm costs beyond its values, so they are kept
// compact: a slice sorted by key, one file name shared by the entries
// written in the entity's own file, line and column in 32 bits. A map of
// Pos per entity took 180 MiB of a 50 MB users file's 470. The zero
// value is empty and ready to use.
type Positions struct {
	file string // the file of the entries
	at   []fieldAt
	// elsewhere: the files of entries written in another (realm
	// settings merge from many files).
	elsewhere map[string]string
}

type fieldAt struct {
	key       string
	line, col int32
}

func (p *Positions) find(key string) (int, bool) {
	return slices.BinarySearchFunc(p.at, key, func(a fieldAt, k string) int { return strings.Compare(a.key, k) })
}

// Lookup is where key is written, and whether it is known.
func (p *Positions) Lookup(key string) (Pos, bool) {
	i, ok := p.find(key)
	if !ok {
		return Pos{}, false
	}
	a := p.at[i]
	file := p.file
	if other, ok := p.elsewhere[key]; ok {
		file = other
	}
	return Pos{File: file, Line: int(a.line), Col: int(a.col)}, true
}

// Get is where key is written, or the zero Pos.
func (p *Positions) Get(key string) Pos {
	pos, _ := p.Lookup(key)
	return pos
}

// Set records where key is written.
func (p *Positions) Set(key string, pos Pos) {
	if len(p.at) == 0 {
		p.file = pos.File
	}
	a := fieldAt{key: key, line: int32(pos.Line), col: int32(pos.Col)}
	delete(p.elsewhere, key)
	if pos.File != p.file {
		if p.elsewhere == nil {
			p.elsewhere = map[string]string{}
		}
		p.elsewhere[key] = pos.File
	}
	i, found := p.find(key)
	if found {
		p.at[i] = a
		return
	}
	p.at = slices.Insert(p.at, i, a)
}

// Grow makes room for n more keys: an entity's positions, counted
// before they are recorded, take one allocation of their size.
func (p *Positions) Grow(n int) { p.at = slices.Grow(p.at, n) }

// Delete forgets key.
func (p *Positions) Delete(key string) {
	if i, found := p.find(key); found {
		p.at = slices.Delete(p.at, i, i+1)
	}
	delete(p.elsewhere, key)
}

// Len is the number of keys recorded.
func (p *Positions) Len() int { return len(p.at) }
