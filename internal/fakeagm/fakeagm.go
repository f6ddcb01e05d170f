// Package fakeagm is a fake of the group-management plugin's admin API
// (rciam/keycloak-group-management, seed 003) for the tests: a front that
// answers /realms/{realm}/agm/admin/... itself and passes every other
// request to the Keycloak behind it (the real one, or the in-memory one),
// keeping the plugin's realm configuration as real realm attributes
// through that Keycloak's Admin API. The plugin itself cannot run here
// (see ../shared/notes/group-management-extension.md); this fake follows
// that page rule by rule, one line each:
//
//   - every agm path needs a bearer token (401 {"error":"HTTP 401 Unauthorized"});
//   - plugin absent (Installed false): every agm path answers 404;
//   - PUT /configuration keeps only invitation-expiration-period and
//     expiration-notification-period, as realm attributes of those names;
//     numbers become strings, null removes the attribute, values are not
//     checked, {} is a 204;
//   - GET /configuration is a 404: there is none;
//   - GET /member-user-attribute/configuration answers {} when there is
//     none, else id, userAttribute, urnNamespace, signatureMessage;
//     authority is stored and never returned;
//   - POST /member-user-attribute/configuration creates or replaces it
//     (204), the id stays, omitted fields are cleared, an unknown field is
//     a 400 naming it, an empty body a 500; PUT and DELETE are 404s;
//   - DefaultRows stands for the plugin's own default row (created three
//     minutes after a server start in every realm that has none);
//   - GET /configuration-rules lists {id, field, type, defaultValue, max,
//     required} in no fixed order;
//   - POST /configuration-rules answers 204 with no body and no Location;
//     a second rule of one (type, field) is a 409 {"error":"conflict",
//     "error_description":"Duplicate resource error"}, and so is a rule
//     without field, type or required;
//   - type is TOP_LEVEL or SUBGROUP, required a boolean, else a 400
//     "Cannot parse the JSON";
//   - defaultValue and max are strings of at most 36 characters (longer: a
//     500); numbers and booleans become strings;
//   - GET /configuration-rules/{id} is a 200, a 404 for an unknown id;
//     PUT /{id} replaces the whole rule (omitting max clears it), a 204;
//   - DELETE /configuration-rules/{id} is a 204, a 500 for an unknown id.
package fakeagm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
)

// Server is the fake plugin in front of a Keycloak.
type Server struct {
	*httptest.Server
	backend *url.URL
	forward *httputil.ReverseProxy

	mu        sync.Mutex
	requests  int // agm requests answered
	installed bool
	realms    map[string]*realmState
	nextID    int
}

type realmState struct {
	member map[string]any // nil: none
	rules  map[string]map[string]any
}

// Start runs the fake in front of the Keycloak at backend.
func Start(backend string, installed bool) (*Server, error) {
	u, err := url.Parse(backend)
	if err != nil {
		return nil, err
	}
	s := &Server{backend: u, forward: httputil.NewSingleHostReverseProxy(u), installed: installed, realms: map[string]*realmState{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// DefaultRows does what the plugin does three minutes after a start:
// every realm without a member user attribute gets the default one.
func (s *Server) DefaultRows(realms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range realms {
		st := s.state(name)
		if st.member == nil {
			s.nextID++
			st.member = map[string]any{"id": fmt.Sprintf("member-%d", s.nextID), "userAttribute": "eduPersonEntitlement",
				"urnNamespace": "urn%3Ageant%3Aeosc-portal.eu", "signatureMessage": "Support team"}
		}
	}
}

// Requests is how many requests reached the plugin's paths.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// DropRule deletes a rule behind everybody's back (a test's race).
func (s *Server) DropRule(realm, typ, field string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.state(realm).rules {
		if r["type"] == typ && r["field"] == field {
			delete(s.state(realm).rules, id)
		}
	}
}

// Authority is the stored, never returned, authority of a realm's member
// user attribute (for tests to check what was written).
func (s *Server) Authority(realm string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.state(realm).member; m != nil {
		return m["authority"]
	}
	return nil
}

func (s *Server) state(realm string) *realmState {
	st := s.realms[realm]
	if st == nil {
		st = &realmState{rules: map[string]map[string]any{}}
		s.realms[realm] = st
	}
	return st
}

func reply(w http.ResponseWriter, code int, v any) {
	if v == nil {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/realms/")
	realmSeg, sub, _ := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(sub, "agm/") {
		s.forward.ServeHTTP(w, r)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if !s.installed {
		reply(w, http.StatusNotFound, map[string]any{"error": "HTTP 404 Not Found"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		reply(w, http.StatusUnauthorized, map[string]any{"error": "HTTP 401 Unauthorized"})
		return
	}
	realm, _ := url.PathUnescape(realmSeg)
	path := strings.TrimPrefix(sub, "agm/admin")
	var body any
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		if err := json.Unmarshal(data, &body); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "Cannot parse the JSON"})
			return
		}
	}
	switch {
	case path == "/configuration" && r.Method == http.MethodPut:
		s.putConfiguration(w, r, realm, body)
	case path == "/member-user-attribute/configuration" && r.Method == http.MethodGet:
		s.mu.Lock()
		m := s.state(realm).member
		out := map[string]any{}
		for k, v := range m {
			if k != "authority" {
				out[k] = v
			}
		}
		s.mu.Unlock()
		reply(w, http.StatusOK, out)
	case path == "/member-user-attribute/configuration" && r.Method == http.MethodPost:
		s.postMember(w, realm, body)
	case path == "/configuration-rules" && r.Method == http.MethodGet:
		s.mu.Lock()
		out := []any{}
		for _, rule := range s.state(realm).rules { // map order: no fixed order
			out = append(out, rule)
		}
		s.mu.Unlock()
		reply(w, http.StatusOK, out)
	case path == "/configuration-rules" && r.Method == http.MethodPost:
		s.postRule(w, realm, body)
	case strings.HasPrefix(path, "/configuration-rules/"):
		s.rule(w, r.Method, realm, strings.TrimPrefix(path, "/configuration-rules/"), body)
	default:
		reply(w, http.StatusNotFound, map[string]any{"error": "HTTP 404 Not Found"})
	}
}

// putConfiguration keeps the two keys as realm attributes, through the
// Keycloak behind, with the caller's token.
func (s *Server) putConfiguration(w http.ResponseWriter, r *http.Request, realm string, body any) {
	in, _ := body.(map[string]any)
	realmURL := s.backend.String() + "/admin/realms/" + url.PathEscape(realm)
	var rep map[string]any
	if code, err := s.call(r, http.MethodGet, realmURL, nil, &rep); err != nil || code != http.StatusOK {
		reply(w, http.StatusInternalServerError, map[string]any{"errorMessage": fmt.Sprintf("reading the realm: %d %v", code, err)})
		return
	}
	attrs, _ := rep["attributes"].(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
	}
	for _, key := range []string{"invitation-expiration-period", "expiration-notification-period"} {
		v, present := in[key]
		switch {
		case !present:
		case v == nil:
			attrs[key] = nil // Keycloak removes a key sent as null
		default:
			attrs[key] = fmt.Sprint(v)
		}
	}
	rep["attributes"] = attrs
	if code, err := s.call(r, http.MethodPut, realmURL, rep, nil); err != nil || code >= 300 {
		reply(w, http.StatusInternalServerError, map[string]any{"errorMessage": fmt.Sprintf("writing the realm: %d %v", code, err)})
		return
	}
	reply(w, http.StatusNoContent, nil)
}

func (s *Server) call(r *http.Request, method, target string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, target, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	// The token's issuer is the address the client used: Keycloak checks
	// it against the Host it is asked under.
	req.Host = r.Host
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, nil
}

var memberFields = map[string]bool{"id": true, "userAttribute": true, "urnNamespace": true, "signatureMessage": true, "authority": true}

func (s *Server) postMember(w http.ResponseWriter, realm string, body any) {
	in, _ := body.(map[string]any)
	if len(in) == 0 {
		reply(w, http.StatusInternalServerError, map[string]any{"errorMessage": "internal server error"})
		return
	}
	for k := range in {
		if !memberFields[k] {
			reply(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("Unrecognized field %q", k)})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(realm)
	id := ""
	if st.member != nil {
		id, _ = st.member["id"].(string)
	}
	if id == "" {
		s.nextID++
		id = fmt.Sprintf("member-%d", s.nextID)
	}
	m := map[string]any{"id": id} // omitted fields are cleared
	for k, v := range in {
		if k != "id" && v != nil {
			m[k] = v
		}
	}
	st.member = m
	reply(w, http.StatusNoContent, nil)
}

// checkRule applies the plugin's rules to a rule body: the status and
// error a bad one gets, or 0.
func checkRule(in map[string]any) (int, map[string]any, map[string]any) {
	conflict := map[string]any{"error": "conflict", "error_description": "Duplicate resource error"}
	parse := map[string]any{"error": "Cannot parse the JSON"}
	for _, f := range []string{"field", "type", "required"} {
		if in[f] == nil {
			return http.StatusConflict, conflict, nil
		}
	}
	if t := in["type"]; t != "TOP_LEVEL" && t != "SUBGROUP" {
		return http.StatusBadRequest, parse, nil
	}
	if _, ok := in["required"].(bool); !ok {
		return http.StatusBadRequest, parse, nil
	}
	rule := map[string]any{"field": in["field"], "type": in["type"], "required": in["required"]}
	for _, f := range []string{"defaultValue", "max"} {
		if v, ok := in[f]; ok && v != nil {
			text := fmt.Sprint(v)
			if len([]rune(text)) > 36 {
				return http.StatusInternalServerError, map[string]any{"errorMessage": "internal server error"}, nil
			}
			rule[f] = text
		}
	}
	return 0, nil, rule
}

func (s *Server) postRule(w http.ResponseWriter, realm string, body any) {
	in, _ := body.(map[string]any)
	code, answer, rule := checkRule(in)
	if code != 0 {
		reply(w, code, answer)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(realm)
	for _, other := range st.rules {
		if other["type"] == rule["type"] && other["field"] == rule["field"] {
			reply(w, http.StatusConflict, map[string]any{"error": "conflict", "error_description": "Duplicate resource error"})
			return
		}
	}
	s.nextID++
	id := fmt.Sprintf("00000000-0000-4000-9000-%012d", s.nextID)
	rule["id"] = id
	st.rules[id] = rule
	reply(w, http.StatusNoContent, nil) // no body, no Location
}

func (s *Server) rule(w http.ResponseWriter, method, realm, id string, body any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(realm)
	rule := st.rules[id]
	switch method {
	case http.MethodGet:
		if rule == nil {
			reply(w, http.StatusNotFound, map[string]any{"error": "HTTP 404 Not Found"})
			return
		}
		reply(w, http.StatusOK, rule)
	case http.MethodPut:
		if rule == nil {
			reply(w, http.StatusNotFound, map[string]any{"error": "HTTP 404 Not Found"})
			return
		}
		in, _ := body.(map[string]any)
		code, answer, next := checkRule(in)
		if code != 0 {
			reply(w, code, answer)
			return
		}
		next["id"] = id // the whole rule is replaced: an omitted max is gone
		st.rules[id] = next
		reply(w, http.StatusNoContent, nil)
	case http.MethodDelete:
		if rule == nil {
			reply(w, http.StatusInternalServerError, map[string]any{"errorMessage": "internal server error"})
			return
		}
		delete(st.rules, id)
		reply(w, http.StatusNoContent, nil)
	default:
		reply(w, http.StatusNotFound, map[string]any{"error": "HTTP 404 Not Found"})
	}
}
