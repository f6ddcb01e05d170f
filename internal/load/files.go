package load

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFileSize bounds one desired-state file. Realm files are text that
// people review; a larger file is a mistake (a symlink to /dev/zero, a
// dump committed by accident) that would otherwise exhaust memory.
const MaxFileSize = 256 << 20

// realmFiles lists the YAML files under a realm directory, in lexical
// order. Symlinks are followed, to files and to directories alike (a link
// that leads back into the tree is an error, not a loop); anything that is
// neither a regular file nor a directory (a FIFO, a device) is an error
// naming it, never a hang. Directories whose names start with "." are
// skipped.
func realmFiles(dir string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	var walk func(dir string) error
	walk = func(dir string) error {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return err
		}
		if seen[real] {
			return fmt.Errorf("%s: a symlink leads back to %s, which is already read", dir, real)
		}
		seen[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			info, err := os.Stat(path) // follows symlinks
			if err != nil {
				return err
			}
			switch {
			case info.IsDir():
				if strings.HasPrefix(e.Name(), ".") {
					continue
				}
				if err := walk(path); err != nil {
					return err
				}
			case !isYAML(e.Name()):
			case !info.Mode().IsRegular():
				return fmt.Errorf("%s: not a regular file (%s); realm files must be files", path, info.Mode().Type())
			case info.Size() > MaxFileSize:
				return fmt.Errorf("%s: %d bytes, more than the %d a realm file may have", path, info.Size(), MaxFileSize)
			default:
				files = append(files, path)
			}
		}
		return nil
	}
	if err := walk(dir); err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// readFile reads a file found by realmFiles, bounded by MaxFileSize even
// if it grew (or was swapped for something endless) since it was listed.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errors.New(path + ": more than the " + fmt.Sprint(MaxFileSize) + " bytes a realm file may have")
	}
	return data, nil
}
