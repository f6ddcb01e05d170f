package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// proxyTo is a reverse proxy to the test's Keycloak.
func proxyTo(t *testing.T) *httputil.ReverseProxy {
	t.Helper()
	target, err := url.Parse(server.url)
	if err != nil {
		t.Fatal(err)
	}
	return httputil.NewSingleHostReverseProxy(target)
}

// TestWaitForServer: realmsync started before its server waits for it
// (--wait): nothing listens at first, then the server answers 503 as a
// starting Keycloak does, then it is ready; the plan then runs. Without
// --wait the same start fails at once; a wait that runs out names the
// reason; refused credentials end the wait at once.
func TestWaitForServer(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "wait")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n"})

	// A port nothing listens on yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	late := map[string]string{"KEYCLOAK_URL": "http://" + addr}

	r := realmsync(t, late, "plan", dir)
	expectCode(t, r, 1, "plan against a server that is not there, without --wait")

	r = realmsync(t, late, "plan", "--wait", "2s", dir)
	expectCode(t, r, 1, "plan with a wait that runs out")
	if !strings.Contains(r.stderr, "was not ready after waiting 2s (--wait)") {
		t.Errorf("the error should say the wait ran out:\n%s", r.stderr)
	}

	var starting atomic.Bool
	starting.Store(true)
	proxy := proxyTo(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if starting.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, req)
	}), ReadHeaderTimeout: 10 * time.Second}
	t.Cleanup(func() { srv.Close() })
	go func() {
		time.Sleep(2 * time.Second)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listening on %s: %v", addr, err)
			return
		}
		go func() { _ = srv.Serve(l) }()
		time.Sleep(2 * time.Second)
		starting.Store(false)
	}()
	begun := time.Now()
	r = realmsync(t, late, "plan", "--wait", "60s", dir)
	expectCode(t, r, 2, "plan with --wait against a server started after it")
	if waited := time.Since(begun); waited < 3*time.Second {
		t.Errorf("the plan ran after %v, before the server was ready", waited)
	}
	for _, want := range []string{"waiting for Keycloak", "connection refused", "503", "Keycloak is ready"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the progress lines lack %q:\n%s", want, r.stderr)
		}
	}

	if server.fake {
		return // the in-memory Keycloak takes any password
	}
	wrong := map[string]string{"KEYCLOAK_URL": "http://" + addr, "KEYCLOAK_PASSWORD": "not-the-password"}
	begun = time.Now()
	r = realmsync(t, wrong, "plan", "--wait", "60s", dir)
	expectCode(t, r, 1, "plan with --wait and a wrong password")
	if time.Since(begun) > 20*time.Second || !strings.Contains(r.stderr, "error: logging in to") {
		t.Errorf("refused credentials should end the wait at once (took %v):\n%s", time.Since(begun), r.stderr)
	}
}

// TestMutualTLS: in front of the admin API, a TLS proxy that requires a
// client certificate signed by its CA. With --client-cert and --client-key
// (and --ca-file for the proxy's own certificate) the plan goes through;
// without them the TLS handshake is refused and the error says so.
func TestMutualTLS(t *testing.T) {
	needKeycloak(t)
	realm := uniqueRealm(t, "mtls")
	dir, pki := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): "enabled: true\n"})

	ca, caKey := newCA(t)
	serverCert := issue(t, ca, caKey, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	clientCert := issue(t, ca, caKey, "realmsync", x509.ExtKeyUsageClientAuth)
	writePEM(t, filepath.Join(pki, "ca.pem"), "CERTIFICATE", ca.Raw)
	writePEM(t, filepath.Join(pki, "client.pem"), "CERTIFICATE", clientCert.Certificate[0])
	keyDER, err := x509.MarshalECPrivateKey(clientCert.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(pki, "client-key.pem"), "EC PRIVATE KEY", keyDER)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	var verified atomic.Int64
	proxy := proxyTo(t)
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.TLS == nil || len(req.TLS.VerifiedChains) == 0 {
			http.Error(w, "no client certificate", http.StatusForbidden)
			return
		}
		verified.Add(1)
		proxy.ServeHTTP(w, req)
	}))
	front.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the test
	front.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	front.StartTLS()
	t.Cleanup(front.Close)
	env := map[string]string{"KEYCLOAK_URL": front.URL, "KEYCLOAK_CA_FILE": filepath.Join(pki, "ca.pem")}

	r := realmsync(t, env, "plan", "--client-cert", filepath.Join(pki, "client.pem"), "--client-key", filepath.Join(pki, "client-key.pem"), dir)
	expectCode(t, r, 2, "plan through the mTLS proxy with a client certificate")
	if !strings.Contains(r.stdout, "realm "+realm) || verified.Load() == 0 {
		t.Errorf("the plan did not go through the proxy (%d verified requests):\n%s", verified.Load(), r)
	}

	env["KEYCLOAK_CLIENT_CERT"], env["KEYCLOAK_CLIENT_KEY"] = filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem")
	expectCode(t, realmsync(t, env, "plan", dir), 2, "plan with the certificate from the environment")

	delete(env, "KEYCLOAK_CLIENT_CERT")
	delete(env, "KEYCLOAK_CLIENT_KEY")
	r = realmsync(t, env, "plan", dir)
	expectCode(t, r, 1, "plan through the mTLS proxy without a client certificate")
	if !strings.Contains(r.stderr, "certificate") {
		t.Errorf("the error should say the handshake wanted a certificate:\n%s", r.stderr)
	}
	r = realmsync(t, env, "plan", "--client-cert", filepath.Join(pki, "client.pem"), dir)
	expectCode(t, r, 1, "a client certificate without its key")
	if !strings.Contains(r.stderr, "a client certificate needs its key") {
		t.Errorf("the error should name the missing key:\n%s", r.stderr)
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "realmsync test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLoginFailureWording: refused credentials read as a failed login,
// naming the server, realm and user, not as the read that needed a token;
// a base URL ending in /admin says what to give instead.
func TestLoginFailureWording(t *testing.T) {
	needServer(t) // the in-memory Keycloak takes any password
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{filepath.Join("wording", "realm.yaml"): "enabled: true\n"})
	r := realmsync(t, map[string]string{"KEYCLOAK_PASSWORD": "not-the-password"}, "plan", dir)
	expectCode(t, r, 1, "plan with a wrong password")
	want := "error: logging in to " + server.url + " (realm master, user " + server.user + "):"
	if !strings.HasPrefix(r.stderr, want) || strings.Contains(r.stderr, "reading realm") || strings.Contains(r.stderr, "not-the-password") {
		t.Errorf("want %q first, and neither the read nor the password:\n%s", want, r.stderr)
	}
	r = realmsync(t, map[string]string{"KEYCLOAK_URL": server.url + "/admin"}, "plan", dir)
	expectCode(t, r, 1, "plan against .../admin")
	if !strings.Contains(r.stderr, "without /admin") {
		t.Errorf("the error should say to leave /admin out:\n%s", r.stderr)
	}
}
