// Package fakekc is an in-memory Keycloak Admin REST API for tests. Its
// routes come from the kind table (each kind's endpoints, each relation's
// collection), its storage is generic, and a few server behaviours per
// kind imitate Keycloak's (behaviour.go): ids and derived fields, string
// and list attribute maps, defaults a new realm or client gets, service
// accounts, memberships read from the group and role side. It is enough
// for the lifecycle suite to run in `go test -short`; the same tests run
// against a real Keycloak in `make test`, which stays the judge of
// fidelity.
package fakekc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/realmsync/realmsync/internal/model"
)

// FakeVersion is the Keycloak version the in-memory one imitates.
const FakeVersion = "26.7.3"

// Server is a fake Keycloak. Start it with Start; its URL is the base URL
// realmsync takes (KEYCLOAK_URL).
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	realms map[string]*realm
	nextID int
	routes []route
}

// Start runs a fake Keycloak with the master realm.
func Start() *Server {
	s := &Server{realms: map[string]*realm{}, routes: buildRoutes()}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.createRealm(map[string]any{"realm": "master", "enabled": true})
	return s
}

// status is an error answer.
type status struct {
	code int
	msg  string
}

func (e *status) Error() string { return e.msg }

func notFound(format string, args ...any) error {
	return &status{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &status{http.StatusConflict, fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &status{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// request is one call, parsed.
type request struct {
	method string
	vars   map[string]string
	query  url.Values
	body   any
}

func (r *request) bodyObject() map[string]any {
	m, _ := r.body.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func (r *request) bodyList() []map[string]any {
	list, _ := r.body.([]any)
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// answer is what a handler returns: a value to encode, or a created
// object's location.
type answer struct {
	value    any
	location string
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	if strings.HasSuffix(req.URL.Path, "/protocol/openid-connect/token") {
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "fake-token", "expires_in": 300,
			"refresh_token": "fake-refresh", "refresh_expires_in": 1800, "token_type": "Bearer"})
		return
	}
	if realmPath, ok := strings.CutSuffix(req.URL.Path, "/.well-known/openid-configuration"); ok && strings.HasPrefix(realmPath, "/realms/") {
		base := "http://" + req.Host + realmPath
		writeJSON(w, http.StatusOK, map[string]any{"issuer": base, "token_endpoint": base + "/protocol/openid-connect/token"})
		return
	}
	if req.URL.Path == "/admin/serverinfo" {
		// The in-memory Keycloak imitates Keycloak 26.
		writeJSON(w, http.StatusOK, map[string]any{"systemInfo": map[string]any{"version": FakeVersion}})
		return
	}
	path, ok := strings.CutPrefix(req.URL.EscapedPath(), "/admin/realms")
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not found"})
		return
	}
	r := &request{method: req.Method, query: req.URL.Query()}
	if data, _ := io.ReadAll(req.Body); len(data) > 0 {
		if err := json.Unmarshal(data, &r.body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unable to read contents"})
			return
		}
	}
	segs := splitPath(strings.TrimPrefix(path, "/"))
	s.mu.Lock()
	ans, err := s.dispatch(r, segs)
	s.mu.Unlock()
	switch {
	case err != nil:
		code := http.StatusInternalServerError
		if st, ok := err.(*status); ok {
			code = st.code
		}
		writeJSON(w, code, map[string]any{"errorMessage": err.Error()})
	case ans.location != "":
		w.Header().Set("Location", s.URL+"/admin/realms/"+ans.location)
		w.WriteHeader(http.StatusCreated)
	case ans.value == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, ans.value)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, seg := range parts {
		if u, err := url.PathUnescape(seg); err == nil {
			parts[i] = u
		}
	}
	return parts
}

func (s *Server) dispatch(r *request, segs []string) (answer, error) {
	if len(segs) == 0 {
		switch r.method {
		case http.MethodGet:
			var out []any
			for _, name := range model.SortedKeys(s.realms) {
				out = append(out, s.realms[name].representation())
			}
			return answer{value: out}, nil
		case http.MethodPost:
			body := r.bodyObject()
			name, _ := body["realm"].(string)
			if _, dup := s.realms[name]; dup || name == "" {
				return answer{}, conflict("Conflict detected. See logs for details")
			}
			s.createRealm(body)
			return answer{location: url.PathEscape(name)}, nil
		}
	}
	for _, rt := range s.routes {
		if rt.method != r.method {
			continue
		}
		if vars, ok := rt.match(segs); ok {
			r.vars = vars
			rl := s.realms[vars["realm"]]
			if rl == nil {
				return answer{}, notFound("Realm not found.")
			}
			return rt.handle(s, rl, r)
		}
	}
	return answer{}, notFound("HTTP 404 Not Found")
}

// page applies first and max to a list answer.
func page(list []any, q url.Values) []any {
	if list == nil {
		list = []any{}
	}
	first, _ := strconv.Atoi(q.Get("first"))
	if first > len(list) {
		first = len(list)
	}
	list = list[first:]
	if max, err := strconv.Atoi(q.Get("max")); err == nil && max >= 0 && max < len(list) {
		list = list[:max]
	}
	return list
}

func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.nextID)
}
