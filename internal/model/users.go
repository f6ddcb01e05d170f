package model

// The users row's hooks and what they need: which attributes a user
// keeps (the user profile the sync leaves), and realm settings as the
// sync will leave them.

import (
	"fmt"
	"strings"
)

// keptAttributes leaves out of a desired user the attributes Keycloak would
// drop (outside the user profile, with unmanaged attributes disabled), so
// that they do not show as a change on every plan. Warnings tells why.
func keptAttributes(d *Entity, profile *UserProfile) *Entity {
	attrs, ok := d.Fields["attributes"].(map[string]any)
	if !ok {
		return d
	}
	kept := map[string]any{}
	for k, v := range attrs {
		if profile.Keeps(k) {
			kept[k] = v
		}
	}
	if len(kept) == len(attrs) {
		return d
	}
	return withField(d, "attributes", kept)
}

// withField is a shallow copy of d with one field replaced: the desired
// object as the server keeps it, the files' own left as written.
func withField(d *Entity, field string, v any) *Entity {
	c := *d
	c.Fields = Object{}
	for k, x := range d.Fields {
		c.Fields[k] = x
	}
	c.Fields[field] = v
	return &c
}

// EmailIsUsername reports whether the realm's settings (desired, else
// live) make the email the username: Keycloak stores users so, and keying
// them by the written username would plan them again on every run.
func EmailIsUsername(desired, live *Realm) bool {
	return RealmSetting(desired, live, "registrationEmailAsUsername") == true
}

// RealmSetting is a realm field as the sync will leave it: desired if the
// desired state sets it, else live.
func RealmSetting(desired, live *Realm, field string) any {
	if s := desired.Settings(); s != nil {
		if v, ok := s.Fields[field]; ok {
			return v
		}
	}
	if live != nil && live.Settings() != nil {
		return live.Settings().Fields[field]
	}
	return nil
}

// ProfileFor is the user profile users will meet: the live one, with what
// the desired state declares merged in (it is applied before users).
func ProfileFor(desired, live *Realm) *UserProfile {
	var p *UserProfile
	if live != nil && live.UserProfile != nil {
		p = &UserProfile{Attributes: map[string]bool{}, UnmanagedPolicy: live.UserProfile.UnmanagedPolicy}
		for a := range live.UserProfile.Attributes {
			p.Attributes[a] = true
		}
	}
	if d := desired.Get(KindUserProfile, KindUserProfile); d != nil {
		want := ProfileOf(d.Fields)
		if p == nil {
			p = &UserProfile{Attributes: map[string]bool{}}
		}
		for a := range want.Attributes {
			p.Attributes[a] = true
		}
		if _, set := d.Fields["unmanagedAttributePolicy"]; set {
			p.UnmanagedPolicy = want.UnmanagedPolicy
		}
	}
	if p != nil {
		p.Locale = RealmSetting(desired, live, "internationalizationEnabled") == true
	}
	return p
}

// usersAsDesired is the users row's desiredFor hook: a desired user
// without the attributes Keycloak would drop.
func usersAsDesired(d *Entity, desired, live *Realm) *Entity {
	return withoutDefaultRole(keptAttributes(d, ProfileFor(desired, live)), desired.Name)
}

// withoutDefaultRole leaves the realm's default role out of a user's
// realm roles: every user has it (a realm export lists it for each), and
// what it grants is managed through its composites.
func withoutDefaultRole(d *Entity, realm string) *Entity {
	roles, ok := d.Fields["realmRoles"].([]any)
	if !ok {
		return d
	}
	kept := make([]any, 0, len(roles))
	for _, r := range roles {
		if name, _ := r.(string); !strings.EqualFold(name, DefaultRoleName(realm)) {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(roles) {
		return d
	}
	return withField(d, "realmRoles", kept)
}

// usersWarnings is the users row's warnings hook: what a plan cannot do
// for the desired users.
func usersWarnings(desired, live *Realm) []string {
	var out []string
	if renamed := desired.UsersKeyedByEmail(); len(renamed) > 0 && EmailIsUsername(desired, live) {
		out = append(out, fmt.Sprintf("realm %s: registrationEmailAsUsername is on, so Keycloak makes each user's email the username: users %s are keyed by their email.",
			desired.Name, ListSome(renamed)))
	}
	var dropped, passwords []string
	for _, d := range desired.Sorted(KindUser) {
		if attrs, ok := d.Fields["attributes"].(map[string]any); ok && live != nil {
			for _, k := range SortedKeys(attrs) {
				if !ProfileFor(desired, live).Keeps(k) {
					dropped = append(dropped, fmt.Sprintf("%s (user %s)", k, d.Key))
				}
			}
		}
		key := d.Key
		if EmailIsUsername(desired, live) {
			key = desired.EmailKey(d) // Warnings comes before Realm re-keys
		}
		// Only when the files say other than what realmsync set when it
		// made the user: a warning on every plan would be noise.
		if creds, ok := d.Fields["credentials"]; ok && live != nil && live.Get(KindUser, key) != nil &&
			live.Digests[DigestKey(KindUser, key, "credentials")] != Digest(desired.Name, creds) {
			passwords = append(passwords, d.Key)
		}
	}
	if len(dropped) > 0 {
		out = append(out, fmt.Sprintf("realm %s: user attributes %s are not declared in the realm's user profile and its unmanagedAttributePolicy is not ENABLED or ADMIN_EDIT: Keycloak drops them, so realmsync leaves them out of the plan. Declare them in the user profile, or set the policy.",
			desired.Name, ListSome(dropped)))
	}
	if len(passwords) > 0 {
		out = append(out, fmt.Sprintf("realm %s: the credentials of existing users %s differ from those realmsync created them with (or it did not create them) and are not applied: realmsync sets a password only when it creates a user and never resets one.",
			desired.Name, ListSome(passwords)))
	}
	return out
}

// ListSome lists the first few items and counts the rest, for warnings.
func ListSome(items []string) string {
	const most = 5
	if len(items) <= most {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:most], ", "), len(items)-most)
}
