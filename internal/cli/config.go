package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
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
	var c fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return &c, nil
}
