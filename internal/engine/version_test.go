package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

// versionServer answers /admin/serverinfo once release is closed, and
// counts what it was asked. Only Get is called by version detection; the
// embedded API is nil and would panic on anything else.
type versionServer struct {
	API
	version string
	release chan struct{}
	asked   atomic.Int32
}

func (s *versionServer) Get(_ context.Context, path string, _ url.Values, out any) error {
	s.asked.Add(1)
	<-s.release
	body, _ := json.Marshal(map[string]any{"systemInfo": map[string]any{"version": s.version}})
	return json.Unmarshal(body, out)
}

// TestAskVersion: a stated version is taken (or refused) at once, with no
// request; otherwise the server is asked in the background, and the answer
// waited for only when the plan needs it.
func TestAskVersion(t *testing.T) {
	tests := []struct {
		name    string
		stated  string
		want    model.Version
		wantErr bool
		asked   int32
	}{
		{name: "stated", stated: "24.0.5", want: model.Version{Major: 24, Minor: 0, Patch: 5}},
		{name: "stated badly", stated: "2x", wantErr: true},
		{name: "asked of the server", want: model.Version{Major: 25, Minor: 0, Patch: 6}, asked: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &versionServer{version: "25.0.6", release: make(chan struct{})}
			// AskVersion must return while the server has not answered.
			type asked struct {
				wait func() model.Version
				err  error
			}
			returned := make(chan asked, 1)
			go func() {
				wait, err := AskVersion(context.Background(), srv, tt.stated)
				returned <- asked{wait, err}
			}()
			var a asked
			select {
			case a = <-returned:
			case <-time.After(5 * time.Second):
				close(srv.release)
				t.Fatal("AskVersion waited for the server's answer")
			}
			wait, err := a.wait, a.err
			if (err != nil) != tt.wantErr {
				t.Fatalf("AskVersion(%q): error %v, want an error: %v", tt.stated, err, tt.wantErr)
			}
			close(srv.release)
			if tt.wantErr {
				if n := srv.asked.Load(); n != 0 {
					t.Errorf("a bad stated version asked the server %d times", n)
				}
				return
			}
			if got := wait(); got != tt.want {
				t.Errorf("version %+v, want %+v", got, tt.want)
			}
			if got := wait(); got != tt.want {
				t.Errorf("asked again: version %+v, want %+v", got, tt.want)
			}
			if n := srv.asked.Load(); n != tt.asked {
				t.Errorf("the server was asked %d times, want %d", n, tt.asked)
			}
		})
	}
}

// unreadable fails every read, as an older server does on an endpoint it
// lacks; it must never be written to.
type unreadable struct{ API }

var errUnreadable = errors.New("404 Not Found")

func (unreadable) Get(context.Context, string, url.Values, any) error { return errUnreadable }
func (unreadable) List(context.Context, string, url.Values, int) ([]map[string]any, error) {
	return nil, errUnreadable
}
func (unreadable) IDs(context.Context, string, url.Values, int) ([]string, error) {
	return nil, errUnreadable
}

// TestPlanRefusesForTheVersionAfterReading: the version is waited for once
// the realms are read, and a desired state the server is too old for is
// refused in place of the read's error; without a version, or with one new
// enough, the read's error is the plan's.
func TestPlanRefusesForTheVersionAfterReading(t *testing.T) {
	dir := t.TempDir()
	realmDir := filepath.Join(dir, "r")
	if err := os.MkdirAll(realmDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := "enabled: true\ngroups:\n  - name: staff\n    description: the staff\n"
	if err := os.WriteFile(filepath.Join(realmDir, "realm.yaml"), []byte(files), 0o644); err != nil {
		t.Fatal(err)
	}
	desired, err := load.Dir(dir, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	version := func(v model.Version) func() model.Version { return func() model.Version { return v } }
	tests := []struct {
		name    string
		version func() model.Version
		want    string
	}{
		{"too old", version(model.Version{Major: 24, Minor: 0, Patch: 5}), "needs a newer Keycloak"},
		{"new enough", version(model.Version{Major: 26, Minor: 7, Patch: 3}), errUnreadable.Error()},
		{"unknown", version(model.Version{}), errUnreadable.Error()},
		{"not asked", nil, errUnreadable.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Plan(context.Background(), unreadable{}, desired, []string{"r"}, Options{ServerVersion: tt.version})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Plan: error %v, want one saying %q", err, tt.want)
			}
		})
	}
}
