package load

import (
	"fmt"
	"strings"
)

// Expand replaces ${env:NAME} and ${env:NAME:-default} in s with values
// from lookup. "$${" stands for a literal "${". Anything else that looks
// like ${...} is left alone: Keycloak itself uses ${client_account} style
// message keys in names.
func Expand(s string, lookup func(string) (string, bool)) (string, error) {
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
		if !strings.HasPrefix(s[i:], "${env:") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated %q", s[i:])
		}
		expr := s[i+len("${env:") : i+end]
		name, def, hasDefault := strings.Cut(expr, ":-")
		if !validEnvName(name) {
			return "", fmt.Errorf("invalid environment variable name %q in %q", name, s[i:i+end+1])
		}
		v, ok := lookup(name)
		switch {
		case ok:
			b.WriteString(v)
		case hasDefault:
			b.WriteString(def)
		default:
			return "", fmt.Errorf("environment variable %s is not set (use ${env:%s:-default} for a default)", name, name)
		}
		i += end + 1
	}
	return b.String(), nil
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
