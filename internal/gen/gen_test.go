package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/realmsync/realmsync/internal/load"
	"github.com/realmsync/realmsync/internal/model"
)

func TestPresetsLoadWithTheirCounts(t *testing.T) {
	for _, p := range []Preset{Small, Medium} {
		t.Run(p.Name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteDir(dir, p, "bench", 1); err != nil {
				t.Fatal(err)
			}
			d, err := load.Dir(dir, load.Options{})
			if err != nil {
				t.Fatalf("generated state does not load: %v", err)
			}
			r := d.Realms["bench"]
			for kind, want := range map[string]int{
				model.KindUser: p.Users, model.KindGroup: p.Groups, model.KindClient: p.Clients,
				model.KindClientMap: p.Clients * p.MappersPerClient, model.KindClientRole: p.Clients * p.RolesPerClient,
				model.KindRealmRole: p.RealmRoles,
			} {
				if got := len(r.Entities[kind]); got != want {
					t.Errorf("%s: %d, want %d", kind, got, want)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	read := func(seed int64) []byte {
		dir := t.TempDir()
		if err := WriteDir(dir, Small, "bench", seed); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "bench", "users.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(read(1), read(1)) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(read(1), read(2)) {
		t.Error("different seeds gave the same files")
	}
}
