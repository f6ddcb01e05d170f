package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/realmsync/realmsync/internal/model"
)

// DetectVersion learns the server's Keycloak version: the one stated
// (--keycloak-version), else /admin/serverinfo, else (that page is
// restricted for some admin roles from 26.4) what the master realm's
// built-in client scopes say: service_account 26, basic 25, neither 24.
// An unknown version (the probes fail too) checks nothing.
func DetectVersion(ctx context.Context, api API, stated string) (model.Version, error) {
	if stated != "" {
		v, ok := model.ParseVersion(stated)
		if !ok {
			return model.Version{}, fmt.Errorf("--keycloak-version %q: want a version such as 26.7.3", stated)
		}
		return v, nil
	}
	var info struct {
		SystemInfo struct {
			Version string `json:"version"`
		} `json:"systemInfo"`
	}
	if err := api.Get(ctx, "/admin/serverinfo", nil, &info); err == nil {
		if v, ok := model.ParseVersion(info.SystemInfo.Version); ok {
			return v, nil
		}
	}
	var scopes []map[string]any
	if err := api.Get(ctx, "master/client-scopes", nil, &scopes); err != nil {
		return model.Version{}, nil
	}
	names := make([]string, 0, len(scopes))
	for _, s := range scopes {
		name, _ := s["name"].(string)
		names = append(names, name)
	}
	switch {
	case slices.Contains(names, "service_account"):
		return model.Version{Major: 26}, nil
	case slices.Contains(names, "basic"):
		return model.Version{Major: 25}, nil
	}
	return model.Version{Major: 24}, nil
}

// AskVersion learns the server's version as DetectVersion does, in the
// background: a plan reads while it waits (the answer of /admin/serverinfo
// is 300 kB, and every plan would otherwise wait on its round trip before
// the first read). A stated version is parsed at once, so that a bad
// --keycloak-version fails before any read.
func AskVersion(ctx context.Context, api API, stated string) (func() model.Version, error) {
	if stated != "" {
		v, err := DetectVersion(ctx, api, stated)
		return func() model.Version { return v }, err
	}
	done := make(chan struct{})
	var v model.Version
	go func() {
		defer close(done)
		v, _ = DetectVersion(ctx, api, "") // asked of the server, it never fails: unknown checks nothing
	}()
	return func() model.Version { <-done; return v }, nil
}

// unsupported refuses a desired realm that needs a newer server.
func unsupported(v model.Version, desired *model.Realm) error {
	problems := model.Unsupported(v, desired)
	if len(problems) == 0 {
		return nil
	}
	msg := fmt.Sprintf("realm %s needs a newer Keycloak:", desired.Name)
	for _, p := range problems {
		msg += "\n  " + p
	}
	return fmt.Errorf("%s", msg)
}
