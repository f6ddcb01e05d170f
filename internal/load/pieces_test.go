package load

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
)

// decomposeDocs is what the loader makes of a file's documents.
func decomposeDocs(docs []*document) (*model.Realm, []string) {
	realm := model.NewRealm("acme")
	var errs []string
	for _, d := range docs {
		p, perrs := model.Decompose("acme", d.root, d.posOf)
		for _, e := range append(perrs, realm.Merge(p)...) {
			errs = append(errs, e.Error())
		}
	}
	return realm, errs
}

// sameRealms reports how two decomposed realms differ: objects, their
// fields, where they and their fields are written, and the notes.
func sameRealms(a, b *model.Realm) string {
	if diff := sameEntities(a, b, func(x, y *model.Entity) bool { return reflect.DeepEqual(x, y) }); diff != "" {
		return diff
	}
	if !reflect.DeepEqual(a.Declared, b.Declared) || !reflect.DeepEqual(a.Unmanaged, b.Unmanaged) || !reflect.DeepEqual(a.Ignored, b.Ignored) {
		return fmt.Sprintf("notes: %v %v %v against %v %v %v", a.Declared, a.Unmanaged, a.Ignored, b.Declared, b.Unmanaged, b.Ignored)
	}
	return ""
}

// sameEntities reports the first object of a that is not the same (as
// same says) as b's, or a kind of which they hold other numbers.
func sameEntities(a, b *model.Realm, same func(x, y *model.Entity) bool) string {
	for _, k := range model.Kinds() {
		as, bs := a.Sorted(k.Name), b.Sorted(k.Name)
		if len(as) != len(bs) {
			return fmt.Sprintf("%d against %d %s", len(as), len(bs), k.Plural)
		}
		for i := range as {
			if !same(as[i], bs[i]) {
				return fmt.Sprintf("%s %q: %+v against %+v", k.Title, as[i].Key, *as[i], *bs[i])
			}
		}
	}
	return ""
}

// sameDecomposition fails when documents decompose into other objects or
// errors than the whole parse's.
func sameDecomposition(t *testing.T, whole, pieced []*document) {
	t.Helper()
	a, aerrs := decomposeDocs(whole)
	b, berrs := decomposeDocs(pieced)
	if diff := sameRealms(a, b); diff != "" {
		t.Errorf("whole and in pieces differ: %s", diff)
	}
	if !reflect.DeepEqual(aerrs, berrs) {
		t.Errorf("errors whole:\n%v\nin pieces:\n%v", aerrs, berrs)
	}
}

// inPieces parses data the way a big file is, with batches of batch bytes:
// nil when it would be parsed whole.
func inPieces(t *testing.T, data []byte, batch int) []*document {
	t.Helper()
	pieces := splitPieces(data, model.StandAloneItems, batch)
	if pieces == nil {
		return nil
	}
	var docs []*document
	if _, ok := parsePieces("f.yaml", data, Sources{Env: noEnv}, pieces, func(d *document) { docs = append(docs, d) }); !ok {
		return nil
	}
	return docs
}

func TestPiecesGiveWhatTheWholeParseGives(t *testing.T) {
	users := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, "  - username: User-%d\n    email: U%d@Example.com\n    enabled: true\n    groups: [/g]\n    # a comment\n\n    attributes:\n      a: [x]\n      b: |\n        two\n        lines\n", i, i)
		}
		return b.String()
	}
	cases := []struct {
		name   string
		data   string
		pieces bool // parsed in pieces, not whole
	}{
		{"users only", "users:\n" + users(0, 50), true},
		{"settings around lists", "# realm\nrealm: acme\nenabled: true\nusers:\n" + users(0, 30) + "displayName: Acme\ngroups:\n  - name: g\n    subGroups:\n      - name: h\n  - name: i\nattributes:\n  x: \"1\"\n", true},
		{"items at the key's indentation", "groups:\n- name: g\n- name: h\n  subGroups:\n  - name: k\nenabled: true\n", true},
		{"a list not split", "clients:\n  - clientId: a\n  - clientId: b\nusers:\n" + users(0, 5), true},
		{"an inline list", "users: [{username: a}, {username: b}]\nenabled: true\n", true},
		{"a users mapping (an error either way)", "users:\n  a: b\nenabled: true\n", true},
		{"a value continued", "displayName: a\n  long name\nusers:\n" + users(0, 3), true},
		{"windows line ends", strings.ReplaceAll("realm: acme\nusers:\n"+users(0, 10), "\n", "\r\n"), true},
		{"substitution", "users:\n  - username: a\n    email: ${env:NOPE:-x@y}\n", true},
		{"an alias across items", "users:\n  - username: a\n    groups: &g [/g]\n" + users(0, 20) + "  - username: b\n    groups: *g\n", false},
		{"an anchor in the settings", "attributes: &a {x: y}\nusers:\n  - username: a\n    attributes: *a\n", false},
		{"a key twice", "enabled: true\nusers:\n" + users(0, 2) + "enabled: false\n", false},
		{"documents", "realm: acme\n---\nusers:\n" + users(0, 2), false},
		{"a syntax error in an item", "users:\n" + users(0, 20) + "  - username: [a\n" + users(20, 5), false},
		{"a quoted key", "\"users\":\n" + users(0, 2), false},
		{"a root sequence", "- username: a\n", false},
		{"a list key with nothing under it", "enabled: true\nusers:\n", false},
		{"less indented text in a list", "users:\n    - username: a\n  - username: b\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.data)
			pieced := inPieces(t, data, 100)
			if (pieced != nil) != c.pieces {
				t.Fatalf("parsed in pieces: %v, want %v", pieced != nil, c.pieces)
			}
			whole, werr := parseWith("f.yaml", data, Sources{Env: noEnv})
			if pieced == nil {
				return
			}
			if werr != nil && !strings.Contains(werr.Error(), "NOPE") {
				t.Fatalf("parsed in pieces, but the whole parse fails: %v", werr)
			}
			if strings.Contains(c.data, "- username: User-2") && len(pieced) < 3 {
				t.Errorf("%d documents: the users are not batched", len(pieced))
			}
			sameDecomposition(t, whole, pieced)
		})
	}
}

// TestBigFileFallsBackWhole: a big file whose pieces do not parse alone
// loads as it always did, errors and all.
func TestBigFileFallsBackWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("users:\n  - username: first\n    groups: &g [/g]\n")
	for b.Len() < piecesFrom {
		fmt.Fprintf(&b, "  - username: u%d\n    groups: *g\n", b.Len())
	}
	root := writeTree(t, map[string]string{"acme/groups.yaml": "groups:\n  - name: g\n", "acme/users.yaml": b.String()})
	d, err := Dir(root, Options{Lookup: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	users := d.Realms["acme"].Sorted(model.KindUser)
	if len(users) < 10_000 || users[len(users)-1].Fields["groups"] == nil {
		t.Errorf("%d users, the last %v", len(users), users[len(users)-1].Fields)
	}
	bad := strings.Replace(b.String(), "*g", "[/nope]", 1) + "  - username: [broken\n"
	root = writeTree(t, map[string]string{"acme/users.yaml": bad})
	if _, err := Dir(root, Options{Lookup: noEnv}); err == nil || !strings.Contains(err.Error(), "users.yaml:") {
		t.Errorf("a big file with a syntax error: %v", err)
	}
}

func FuzzPieces(f *testing.F) {
	for _, s := range []string{"users:\n  - username: a\n  - username: b\nenabled: true\n", "groups:\n- name: g\n- name: h\n",
		"realm: a\nusers:\n  - username: a\n    attributes: {x: [y]}\n", "users:\n  - username: a\n    description: |\n      - b\n  - username: c\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pieced := inPieces(t, data, 10)
		if pieced == nil {
			return
		}
		whole, err := parseWith("f.yaml", data, Sources{Env: noEnv})
		if err != nil {
			t.Fatalf("parsed in pieces, but not whole: %v", err)
		}
		sameDecomposition(t, whole, pieced)
	})
}

// TestCheckOnlyReportsWhatAFullLoadReports: validate checks a big file's
// users batch by batch and keeps their keys alone, with the same errors,
// in the same order, as a load that keeps them whole.
func TestCheckOnlyReportsWhatAFullLoadReports(t *testing.T) {
	var b strings.Builder
	b.WriteString("registrationEmailAsUsername: false\nusers:\n")
	for i := 0; b.Len() < piecesFrom+1000; i++ {
		switch i {
		case 7:
			b.WriteString("  - username: bad-field\n    enabeld: true\n")
		case 2000:
			b.WriteString("  - username: bad-group\n    groups: [/nope]\n")
		case 5000:
			b.WriteString("  - username: twice\n    email: second@example.com\n")
		default:
			fmt.Fprintf(&b, "  - username: user-%d\n    email: u%d@example.com\n    groups: [/g]\n    federatedIdentities:\n      - identityProvider: idp\n        userId: \"%d\"\n        userName: u%d\n", i, i, i, i)
		}
	}
	root := writeTree(t, map[string]string{
		"acme/a.yaml":     "groups:\n  - name: g\nusers:\n  - username: twice\n    enabeld: 1\n",
		"acme/users.yaml": b.String(),
	})
	_, full := Dir(root, Options{Lookup: noEnv})
	_, checked := Dir(root, Options{Lookup: noEnv, CheckOnly: true})
	if full == nil || checked == nil || full.Error() != checked.Error() {
		t.Fatalf("errors of a full load:\n%v\nchecking only:\n%v", full, checked)
	}
	for _, want := range []string{`unknown field "enabeld"`, `"/nope", which is not defined`, `user "twice" is defined twice`} {
		if !strings.Contains(full.Error(), want) {
			t.Errorf("no error %q in:\n%v", want, full)
		}
	}

	// Valid, the users are there by key and place.
	good := strings.NewReplacer("enabeld: true", "enabled: true", "/nope", "/g", "username: twice", "username: once").Replace(b.String())
	root = writeTree(t, map[string]string{"acme/a.yaml": "groups:\n  - name: g\nidentityProviders:\n  - alias: idp\n    providerId: oidc\n    config: {clientId: x, clientSecret: y, tokenUrl: \"https://x\", authorizationUrl: \"https://x\"}\n", "acme/users.yaml": good})
	d, err := Dir(root, Options{Lookup: noEnv, CheckOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	u := d.Realms["acme"].Get(model.KindUser, "user-3")
	if u == nil || u.Fields != nil || u.Source.Line == 0 || len(d.Realms["acme"].Sorted(model.KindUser)) < 5000 {
		t.Errorf("user-3 held as %+v", u)
	}
}
