package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/faultproxy"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/peers"
)

// The peers of the benchmarks, each optional and run where present:
// keycloak-config-cli (KCC_JAR, its runnable jar; KCC_JAVA the java to run
// it with, default java on PATH: its releases for Keycloak 26 need Java 21)
// and OpenTofu (TOFU, its
// binary) with the Keycloak provider (TF_PROVIDER_DIR, the directory
// holding terraform-provider-keycloak, used through dev_overrides). Each
// is given the preset realmsync was given, converted from the same YAML
// files (internal/peers), in a realm of its own, behind a proxy that
// counts its Admin API requests. README's "Benchmarks" says how to build
// them from their public source.

// peersRun says which peers are configured, for the report's header.
func peersRun() []string {
	var names []string
	if jar := os.Getenv("KCC_JAR"); jar != "" {
		names = append(names, "keycloak-config-cli ("+filepath.Base(jar)+")")
	}
	if tofu := os.Getenv("TOFU"); tofu != "" {
		version := "OpenTofu"
		out, _ := exec.Command(tofu, "version").CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "OpenTofu v") { // after any CLI configuration warning
				version = line
				break
			}
		}
		names = append(names, version+" with the Keycloak provider from "+os.Getenv("TF_PROVIDER_DIR"))
	}
	return names
}

// benchPeers runs every configured peer on a preset, if the preset is one
// of REALMSYNC_BENCH_PEER_PRESETS (default small,medium: on large, both
// peers take hours).
func benchPeers(t *testing.T, p gen.Preset, report *strings.Builder) {
	if len(peersRun()) == 0 {
		return
	}
	wanted := false
	for _, name := range strings.Split(envOr("REALMSYNC_BENCH_PEER_PRESETS", "small,medium"), ",") {
		wanted = wanted || strings.TrimSpace(name) == p.Name
	}
	if !wanted {
		fmt.Fprintf(report, "| %s | peers | not run | | | add %s to REALMSYNC_BENCH_PEER_PRESETS |\n", p.Name, p.Name)
		return
	}
	proxy, err := faultproxy.Start(faultproxy.Config{Target: server.url})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	if jar := os.Getenv("KCC_JAR"); jar != "" {
		benchKCC(t, proxy, jar, p, report)
	}
	if tofu := os.Getenv("TOFU"); tofu != "" {
		benchTofu(t, proxy, tofu, os.Getenv("TF_PROVIDER_DIR"), p, report)
	}
}

// peerInput writes the preset in realmsync's layout and returns the
// directory and a function that converts the realm's files as they are
// now, so a change made to them (changeOnePercent) reaches the peer too.
func peerInput(t *testing.T, p gen.Preset, realm string, convert func(map[string]any) ([]byte, error)) (string, func() []byte) {
	t.Helper()
	dir := t.TempDir()
	if err := gen.WriteDir(dir, p, realm, 1); err != nil {
		t.Fatal(err)
	}
	return dir, func() []byte {
		doc, err := peers.ReadRealm(filepath.Join(dir, realm))
		if err != nil {
			t.Fatal(err)
		}
		data, err := convert(doc)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

// timedPeer runs a peer's command and measures it: wall time, the Admin
// API requests the proxy saw by method, and the peak memory of the
// process and its children.
func timedPeer(t *testing.T, proxy *faultproxy.Proxy, dir string, env []string, name string, args ...string) run {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	proxy.Reset()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	mem := watchTree(cmd.Process.Pid)
	err := cmd.Wait()
	r := run{wall: time.Since(start), rssKB: mem.Stop(), output: out.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	n := proxy.AdminRequests()
	r.requests = [4]int{n["GET"], n["POST"], n["PUT"], n["DELETE"]}
	return r
}

func benchKCC(t *testing.T, proxy *faultproxy.Proxy, jar string, p gen.Preset, report *strings.Builder) {
	realm := uniqueRealm(t, "kcc-"+p.Name)
	dir, convert := peerInput(t, p, realm, peers.KCCImport)
	file := filepath.Join(t.TempDir(), realm+".json")
	write := func() {
		if err := os.WriteFile(file, convert(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kcc := func(what string, settings ...string) run {
		args := append([]string{"-jar", jar, "--keycloak.url=" + proxy.URL, "--keycloak.user=" + server.user,
			"--keycloak.password=" + server.password, "--import.files.locations=" + file}, settings...)
		r := timedPeer(t, proxy, "", nil, envOr("KCC_JAVA", "java"), args...)
		if r.code != 0 {
			t.Fatalf("keycloak-config-cli, %s of %s: exit %d\n%s", what, p.Name, r.code, tail(r.output))
		}
		return r
	}
	const label = "keycloak-config-cli: "
	write()
	row(report, p.Name, label+"cold import", kcc("cold import"), "")
	row(report, p.Name, label+"re-import of unchanged files, its default", kcc("re-import"),
		"skipped: the file's checksum is unchanged; nothing read, so no drift seen")
	forced := kcc("forced re-import", "--import.cache.enabled=false")
	row(report, p.Name, label+"forced re-import of unchanged files", forced,
		fmt.Sprintf("import.cache.enabled=false: %d writes for 0 changes", forced.writes()))
	changes := changeOnePercent(t, dir, p, realm)
	write()
	changed := kcc("1% change")
	row(report, p.Name, fmt.Sprintf("%s1%% change: import (%d objects)", label, changes), changed,
		fmt.Sprintf("%d writes for %d changes", changed.writes(), changes))
}

// planSummary is OpenTofu's count of planned changes.
var planSummary = regexp.MustCompile(`Plan: \d+ to add, \d+ to change, \d+ to destroy`)

func benchTofu(t *testing.T, proxy *faultproxy.Proxy, tofu, providerDir string, p gen.Preset, report *strings.Builder) {
	if providerDir == "" {
		t.Fatal("TOFU is set without TF_PROVIDER_DIR, the directory holding terraform-provider-keycloak")
	}
	realm := uniqueRealm(t, "tofu-"+p.Name)
	dir, convert := peerInput(t, p, realm, peers.HCL)
	work := t.TempDir()
	rc := filepath.Join(work, "tofurc")
	overrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"keycloak/keycloak\" = %q\n  }\n  direct {}\n}\n", providerDir)
	if err := os.WriteFile(rc, []byte(overrides), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func() {
		if err := os.WriteFile(filepath.Join(work, "main.tf"), convert(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"KEYCLOAK_URL=" + proxy.URL, "KEYCLOAK_CLIENT_ID=admin-cli", "KEYCLOAK_REALM=master",
		"KEYCLOAK_USER=" + server.user, "KEYCLOAK_PASSWORD=" + server.password}
	// A plan's -detailed-exitcode: 0 no changes, 2 changes, 1 an error.
	tf := func(what string, args ...string) run {
		r := timedPeer(t, proxy, work, env, tofu, append(args, "-input=false", "-no-color")...)
		if r.code == 1 || r.code > 2 {
			t.Fatalf("OpenTofu, %s of %s: exit %d\n%s", what, p.Name, r.code, tail(r.output))
		}
		return r
	}
	planned := func(r run) string {
		if s := planSummary.FindString(r.output); s != "" {
			return s
		}
		return "no changes"
	}
	const label = "OpenTofu + provider: "
	write()
	row(report, p.Name, label+"cold apply", tf("cold apply", "apply", "-auto-approve"), "")
	noop := tf("no-op plan", "plan", "-detailed-exitcode")
	row(report, p.Name, label+"no-op plan (refresh)", noop, planned(noop))
	changes := changeOnePercent(t, dir, p, realm)
	write()
	plan := tf("1% change plan", "plan", "-detailed-exitcode")
	row(report, p.Name, fmt.Sprintf("%s1%% change: plan (%d objects)", label, changes), plan, planned(plan))
	apply := tf("1% change apply", "apply", "-auto-approve")
	row(report, p.Name, label+"1% change: apply", apply, fmt.Sprintf("%d writes for %d changes", apply.writes(), changes))
}
