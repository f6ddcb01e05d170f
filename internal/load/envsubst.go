package load

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Sources resolve the references a desired-state value may hold.
type Sources struct {
	// Env resolves ${env:NAME}.
	Env func(string) (string, bool)
	// Dir is where a relative ${file:path} is read from: the directory of
	// the file that holds the reference.
	Dir string
	// ReadFile reads ${file:path} (nil: os.ReadFile).
	ReadFile func(string) ([]byte, error)
	// Keep leaves references as they are, once checked (convert writes
	// them into realmsync's files, to be resolved when those are read).
	Keep bool
	// Retype types a quoted value that held a reference, as an unquoted
	// one is (JSON quotes every "$(env:X)" of a keycloak-config-cli file,
	// where Keycloak reads "true" into a boolean).
	Retype bool
}

// Expand replaces ${env:NAME}, ${env:NAME:-default} and ${file:PATH} in s.
// A file's content stands without its trailing newlines, as a Kubernetes
// secret mounted as a file, or one written by echo, holds the value. "$${"
// stands for a literal "${". Anything else that looks like ${...} is left
// alone: Keycloak itself uses ${client_account} style message keys in
// names.
func Expand(s string, src Sources) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		prefix := ""
		for _, p := range []string{"${env:", "${file:"} {
			if strings.HasPrefix(s[i:], p) {
				prefix = p
			}
		}
		if prefix == "" {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated %q", s[i:])
		}
		expr := s[i+len(prefix) : i+end]
		var v string
		var err error
		switch {
		case src.Keep && prefix == "${file:" && expr == "":
			err = errors.New("${file:} names no file")
		case src.Keep && prefix == "${env:":
			if name, _, _ := strings.Cut(expr, ":-"); !validEnvName(name) {
				err = fmt.Errorf("invalid environment variable name %q in %q", name, s[i:i+end+1])
			}
			v = s[i : i+end+1]
		case src.Keep:
			v = s[i : i+end+1]
		case prefix == "${file:":
			v, err = src.file(expr)
		default:
			v, err = src.env(expr, s[i:i+end+1])
		}
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		i += end + 1
	}
	return b.String(), nil
}

func (src Sources) env(expr, ref string) (string, error) {
	name, def, hasDefault := strings.Cut(expr, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("invalid environment variable name %q in %q", name, ref)
	}
	lookup := src.Env
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, ok := lookup(name)
	switch {
	case ok:
		return v, nil
	case hasDefault:
		return def, nil
	}
	return "", fmt.Errorf("environment variable %s is not set (use ${env:%s:-default} for a default)", name, name)
}

// file reads ${file:path}. A missing file is an error, never an empty
// value: a secret that did not mount must not become a blank password.
func (src Sources) file(path string) (string, error) {
	if path == "" {
		return "", errors.New("${file:} names no file")
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(src.Dir, full)
	}
	read := src.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("${file:%s}: %s does not exist", path, full)
	case err != nil:
		return "", fmt.Errorf("${file:%s}: %w", path, err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
