package e2e

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/faultproxy"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the expected messages of testdata/badinput")

// corpusCase is one file of testdata/badinput: a txtar-like list of
// "-- path --" sections (files of a desired-state tree, with realm acme
// standing for a realm of the test's own), and an "-- expect --" section
// holding the messages realmsync must print.
type corpusCase struct {
	header []byte
	files  map[string][]byte
	order  []string
	expect string
	online bool // planned against the server: reads, still no writes
}

func parseCorpusCase(data []byte) corpusCase {
	c := corpusCase{files: map[string][]byte{}}
	var current string
	for len(data) > 0 {
		line := data
		rest := []byte(nil)
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, rest = data[:i+1], data[i+1:]
		}
		data = rest
		trimmed := strings.TrimSpace(string(line))
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			current = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			if current != "expect" {
				c.order = append(c.order, current)
				c.files[current] = []byte{}
			}
			continue
		}
		switch current {
		case "":
			c.header = append(c.header, line...)
			c.online = c.online || strings.HasPrefix(trimmed, "# online")
		case "expect":
			c.expect += string(line)
		default:
			c.files[current] = append(c.files[current], line...)
		}
	}
	return c
}

func (c corpusCase) format() []byte {
	var b bytes.Buffer
	b.Write(c.header)
	for _, p := range c.order {
		b.WriteString("-- " + p + " --\n")
		b.Write(c.files[p])
	}
	b.WriteString("-- expect --\n" + c.expect)
	return b.Bytes()
}

// TestBadInputCorpus runs every case of testdata/badinput through a sync
// behind the fault proxy (with no faults): exit 1, the expected messages
// (with their file:line:col), and not one write. Offline cases make no
// request at all: validation precedes the first. -update-corpus rewrites
// the expected messages from what realmsync prints; review the diff.
func TestBadInputCorpus(t *testing.T) {
	needKeycloak(t)
	files, err := filepath.Glob(filepath.Join(repoRoot(), "testdata", "badinput", "*.txtar"))
	if err != nil || len(files) < 60 {
		t.Fatalf("want at least 60 cases, found %d (%v)", len(files), err)
	}
	proxy, err := faultproxy.Start(faultproxy.Config{Target: server.url})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	env := map[string]string{"KEYCLOAK_URL": proxy.URL}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := parseCorpusCase(data)
			realm := uniqueRealm(t, "bad")
			if c.online {
				createRealm(t, adminClient(t), realm)
			}
			dir := t.TempDir()
			for _, p := range c.order {
				path := filepath.Join(dir, strings.Replace(p, "acme/", realm+"/", 1))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, c.files[p], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			proxy.Reset()
			r := realmsync(t, env, "sync", dir)
			got := strings.ReplaceAll(strings.ReplaceAll(r.stderr, dir, "DIR"), realm, "acme")
			if *updateCorpus {
				c.expect = got
				if err := os.WriteFile(file, c.format(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r.code != 1 {
				t.Errorf("exit %d, want 1:\n%s", r.code, r)
			}
			if got != c.expect {
				t.Errorf("messages differ from %s (go test ./internal/e2e -run TestBadInputCorpus -update-corpus rewrites them)\n--- got ---\n%s--- want ---\n%s", file, got, c.expect)
			}
			if !strings.Contains(got, ".yaml:") && !c.online {
				t.Errorf("the message names no file position:\n%s", got)
			}
			if w := proxy.Writes(); w != 0 {
				t.Errorf("%d writes reached the server: %v", w, proxy.Requests())
			}
			if n := len(proxy.Requests()); !c.online && n != 0 {
				t.Errorf("an offline error made requests: %v", proxy.Requests())
			}
		})
	}
}
