// Package gen writes large, realistic desired states for benchmarks:
// deterministic from a seed, every reference valid, at the scale of a
// preset.
package gen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/model"
)

// Preset is the size of a generated realm.
type Preset struct {
	Name                       string
	Users, Groups, GroupDepth  int
	Clients, MappersPerClient  int
	RolesPerClient, RealmRoles int
}

// The presets of the benchmarks issue.
var (
	Small  = Preset{Name: "small", Users: 100, Groups: 20, GroupDepth: 2, Clients: 10, MappersPerClient: 2, RolesPerClient: 2, RealmRoles: 20}
	Medium = Preset{Name: "medium", Users: 2000, Groups: 300, GroupDepth: 3, Clients: 200, MappersPerClient: 3, RolesPerClient: 5, RealmRoles: 300}
	Large  = Preset{Name: "large", Users: 10000, Groups: 2000, GroupDepth: 4, Clients: 1000, MappersPerClient: 3, RolesPerClient: 2, RealmRoles: 2000}
)

// PresetByName returns the preset called name.
func PresetByName(name string) (Preset, bool) {
	for _, p := range []Preset{Small, Medium, Large} {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Realm returns the realm document of a preset.
func Realm(p Preset, realm string, seed int64) model.Object {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	var realmRoles []any
	for i := 0; i < p.RealmRoles; i++ {
		role := model.Object{"name": fmt.Sprintf("role-%04d", i), "description": fmt.Sprintf("Realm role %d", i)}
		// Composites point only at roles made earlier: no cycles.
		if i > 0 && i%5 == 0 {
			role["composites"] = model.Object{"realm": []any{fmt.Sprintf("role-%04d", rng.IntN(i))}}
		}
		realmRoles = append(realmRoles, role)
	}
	var clients []any
	clientRoles := model.Object{}
	for i := 0; i < p.Clients; i++ {
		id := fmt.Sprintf("app-%04d", i)
		var mappers []any
		for m := 0; m < p.MappersPerClient; m++ {
			mappers = append(mappers, model.Object{
				"name": fmt.Sprintf("claim-%d", m), "protocol": "openid-connect", "protocolMapper": "oidc-hardcoded-claim-mapper",
				"config": model.Object{"claim.name": fmt.Sprintf("c%d", m), "claim.value": fmt.Sprintf("%s-%d", id, m), "jsonType.label": "String", "access.token.claim": "true"},
			})
		}
		clients = append(clients, model.Object{
			"clientId": id, "name": fmt.Sprintf("Application %d", i), "publicClient": true,
			"redirectUris": []any{fmt.Sprintf("https://%s.example/*", id)}, "protocolMappers": mappers,
		})
		var roles []any
		for r := 0; r < p.RolesPerClient; r++ {
			roles = append(roles, model.Object{"name": fmt.Sprintf("perm-%d", r)})
		}
		if len(roles) > 0 {
			clientRoles[id] = roles
		}
	}
	groups, paths := groupTree(p, rng)
	var users []any
	for i := 0; i < p.Users; i++ {
		u := model.Object{
			"username": fmt.Sprintf("user-%05d", i), "enabled": true,
			"email": fmt.Sprintf("user-%05d@example.com", i), "firstName": "User", "lastName": fmt.Sprintf("Number %d", i),
		}
		if i%10 != 0 { // most users have memberships and mappings
			u["groups"] = []any{paths[rng.IntN(len(paths))]}
			if p.RealmRoles > 0 {
				u["realmRoles"] = []any{fmt.Sprintf("role-%04d", rng.IntN(p.RealmRoles))}
			}
			if p.Clients > 0 && p.RolesPerClient > 0 {
				u["clientRoles"] = model.Object{fmt.Sprintf("app-%04d", rng.IntN(p.Clients)): []any{fmt.Sprintf("perm-%d", rng.IntN(p.RolesPerClient))}}
			}
		}
		users = append(users, u)
	}
	return model.Object{
		"realm": realm, "enabled": true,
		"realmsync": model.Object{"deletionPolicy": model.Object{"users": "owned"}},
		"clients":   clients,
		"roles":     model.Object{"realm": realmRoles, "client": clientRoles},
		"groups":    groups,
		"users":     users,
	}
}

// groupTree spreads p.Groups groups over p.GroupDepth levels.
func groupTree(p Preset, rng *rand.Rand) ([]any, []string) {
	type node struct {
		obj  model.Object
		path string
	}
	var top []any
	var paths []string
	var parents []node
	perLevel := p.Groups / max(1, p.GroupDepth)
	made := 0
	for level := 0; level < p.GroupDepth && made < p.Groups; level++ {
		n := perLevel
		if level == p.GroupDepth-1 {
			n = p.Groups - made
		}
		var next []node
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("team-%04d", made)
			g := model.Object{"name": name, "attributes": model.Object{"cost-center": []any{fmt.Sprint(1000 + made)}}}
			path := "/" + name
			if level == 0 {
				top = append(top, g)
			} else {
				parent := parents[rng.IntN(len(parents))]
				sub, _ := parent.obj["subGroups"].([]any)
				parent.obj["subGroups"] = append(sub, g)
				path = parent.path + path
			}
			next = append(next, node{g, path})
			paths = append(paths, path)
			made++
		}
		parents = next
	}
	return top, paths
}

// WriteDir writes a preset as a desired-state directory dir/<realm>/.
func WriteDir(dir string, p Preset, realm string, seed int64) error {
	doc := Realm(p, realm, seed)
	root := filepath.Join(dir, realm)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	parts := map[string]model.Object{
		"realm.yaml":   {"realm": realm, "enabled": true, "realmsync": doc["realmsync"]},
		"clients.yaml": {"clients": doc["clients"]},
		"roles.yaml":   {"roles": doc["roles"]},
		"groups.yaml":  {"groups": doc["groups"]},
		"users.yaml":   {"users": doc["users"]},
	}
	for _, name := range model.SortedKeys(parts) {
		data, err := export.Marshal(parts[name])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
