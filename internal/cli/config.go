package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/realmsync/realmsync/internal/schema"
)

// DefaultConfigFile is read from the working directory when present.
const DefaultConfigFile = "realmsync.yaml"

// fileConfig is the optional config file: connection settings only, so a
// repository can say which server it belongs to. Flags and environment
// variables win over it. Keep secrets out of it; use the environment.
type fileConfig struct {
	URL                   string        `yaml:"url"`
	AuthRealm             string        `yaml:"authRealm"`
	User                  string        `yaml:"user"`
	Password              string        `yaml:"password"`
	ClientID              string        `yaml:"clientId"`
	ClientSecret          string        `yaml:"clientSecret"`
	CAFile                string        `yaml:"caFile"`
	ClientCert            string        `yaml:"clientCert"`
	ClientKey             string        `yaml:"clientKey"`
	InsecureSkipTLSVerify bool          `yaml:"insecureSkipTLSVerify"`
	Timeout               time.Duration `yaml:"timeout"`
}

// readConfig reads path; a missing default file is not an error, a
// missing named file is.
func readConfig(path string, named bool) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) && !named {
		return &fileConfig{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	if err := checkConfigKeys(path, data); err != nil {
		return nil, err
	}
	var c fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return &c, nil
}

// checkConfigKeys names an unknown setting the way realm files do
// (file:line:col, did-you-mean), not as the YAML library's Go type.
func checkConfigKeys(path string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil // the decoder says what is wrong with it
	}
	var known []string
	t := reflect.TypeOf(fileConfig{})
	for i := 0; i < t.NumField(); i++ {
		known = append(known, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0])
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key := m.Content[i]
		if !slices.Contains(known, key.Value) {
			hint := ""
			if s := schema.Suggest(key.Value, known); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return fmt.Errorf("config file %s:%d:%d: unknown setting %q%s; the settings are %s", path, key.Line, key.Column, key.Value, hint, strings.Join(known, ", "))
		}
	}
	return nil
}
