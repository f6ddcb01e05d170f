package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/admin"
)

const profileUsers = `users:
  - username: bob
    enabled: true
    email: bob@example.com
    firstName: Bob
    lastName: Builder
    attributes:
      department: platform
      nickname: bobby
`

// TestUserProfile: attributes outside the user profile are explained, not
// planned forever; declaring one in the profile (merged by name into the
// live profile) makes it stick; the unmanaged-attribute policy keeps others.
func TestUserProfile(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "profile")
	dir := t.TempDir()
	file := filepath.Join(realm, "realm.yaml")
	writeFiles(t, dir, map[string]string{file: "enabled: true\n" + profileUsers})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync")
	r := realmsync(t, nil, "plan", dir)
	expectCode(t, r, 0, "plan with attributes the profile drops")
	if !strings.Contains(r.stdout, "department (user bob), nickname (user bob)") {
		t.Errorf("plan does not name the dropped attributes:\n%s", r.stdout)
	}

	withProfile := `enabled: true
userProfile:
  attributes:
    - name: department
      displayName: Department
      permissions:
        view: [admin, user]
        edit: [admin]
` + profileUsers
	writeFiles(t, dir, map[string]string{file: withProfile})
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 2, "plan declaring department")
	for _, want := range []string{`~ user profile "userProfile"`, `attributes[department]:`, `~ user "bob"`, `attributes.department: + "platform"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync declaring department")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 0, "plan after declaring department")
	if strings.Contains(r.stdout, "department (user bob)") || !strings.Contains(r.stdout, "nickname (user bob)") {
		t.Errorf("warning should name nickname only:\n%s", r.stdout)
	}

	// The built-in attributes are still there: the profile merged by name.
	var cfg map[string]any
	if err := adminClient(t).Get(context.Background(), admin.Seg(realm)+"/users/profile", nil, &cfg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range cfg["attributes"].([]any) {
		names = append(names, a.(map[string]any)["name"].(string))
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "username,email,firstName,lastName") || !strings.Contains(got, "department") {
		t.Errorf("profile attributes %s", got)
	}

	writeFiles(t, dir, map[string]string{file: strings.Replace(withProfile, "userProfile:\n", "userProfile:\n  unmanagedAttributePolicy: ENABLED\n", 1)})
	expectCode(t, realmsync(t, nil, "sync", dir), 0, "sync enabling unmanaged attributes")
	r = realmsync(t, nil, "plan", dir)
	expectCode(t, r, 0, "plan after enabling unmanaged attributes")
	if strings.Contains(r.stdout, "user profile") {
		t.Errorf("a warning about the profile remains:\n%s", r.stdout)
	}
}
