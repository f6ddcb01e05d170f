package engine

import (
	"context"
	"encoding/json"
	"net/url"
	"sync/atomic"
	"testing"

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
			wait, err := AskVersion(context.Background(), srv, tt.stated)
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
