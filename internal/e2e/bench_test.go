package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/realmsync/realmsync/internal/admin"
	"github.com/realmsync/realmsync/internal/export"
	"github.com/realmsync/realmsync/internal/gen"
	"github.com/realmsync/realmsync/internal/live"
	"github.com/realmsync/realmsync/internal/model"
)

// TestBenchmarks measures realmsync against the real server at the scale
// of the generator's presets: cold apply, no-op plan (at several
// concurrencies), a 1% change, the cheapest full read the server offers
// (the floor) and the server's own partial import (the peer). It runs only
// with REALMSYNC_BENCH set (make bench), prints a table and writes it to
// the file REALMSYNC_BENCH names.
func TestBenchmarks(t *testing.T) {
	out := os.Getenv("REALMSYNC_BENCH")
	if out == "" {
		t.Skip("benchmarks run with REALMSYNC_BENCH=<output file> (make bench)")
	}
	needKeycloak(t)
	presets := strings.Split(envOr("REALMSYNC_BENCH_PRESETS", "small,medium,large"), ",")
	bin := buildBinary(t)
	var report strings.Builder
	db := "H2"
	if os.Getenv("KEYCLOAK_DB") == "postgres" {
		db = "PostgreSQL"
	}
	fmt.Fprintf(&report, "# realmsync benchmarks\n\nMeasured by `make bench` on %s: %d cores, Keycloak %s (start-dev, %s), Go %s.\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), envOr("KEYCLOAK_VERSION", "26.7.3"), db, runtime.Version())
	report.WriteString(hostSpeedMark)
	speedAtStart := hostSpeed(t, bin)
	if names := peersRun(); len(names) > 0 {
		fmt.Fprintf(&report, "Peers, each into a realm of its own: %s.\n\n", strings.Join(names, "; "))
	} else {
		report.WriteString("Peers: none configured (KCC_JAR, TOFU with TF_PROVIDER_DIR).\n\n")
	}
	fmt.Fprintf(&report, "| preset | measurement | wall time | requests (GET/POST/PUT/DELETE) | peak RSS | notes |\n|---|---|--:|---|--:|---|\n")
	figures := map[string]presetFigures{}
	for _, name := range presets {
		if strings.TrimSpace(name) == "" {
			continue // REALMSYNC_BENCH_PRESETS= measures the realm tree alone
		}
		p, ok := gen.PresetByName(strings.TrimSpace(name))
		if !ok {
			t.Fatalf("no preset %q", name)
		}
		// A subtest of its own, so that the preset's realms (its own, the
		// peers', the partial import's) are deleted before the next
		// preset: every preset is measured on a server holding master and
		// its own realms only, whatever ran before it (Keycloak's cost per
		// admin request grows with the number of realms: see
		// crowdedServer).
		t.Run(p.Name, func(t *testing.T) { figures[p.Name] = benchPreset(t, bin, p, &report) })
	}
	var treeRatio float64
	treeRealms, _ := strconv.Atoi(envOr("REALMSYNC_BENCH_REALMS", "50"))
	if treeRealms > 1 {
		treeRatio = benchManyRealms(t, bin, treeRealms, &report)
	}
	var validated run
	if envOr("REALMSYNC_BENCH_BIG_FILE", "1") != "0" {
		validated = benchBigFile(t, bin, &report)
	}
	writeGoals(&report, figures, treeRealms, treeRatio, validated)
	speedAtEnd := hostSpeed(t, bin)
	generated := strings.Replace(report.String(), hostSpeedMark, fmt.Sprintf("Host speed, the CPU time `realmsync validate` takes for the large preset's files (no server; best of 3): %.2f s as the run began, %.2f s as it ended. "+
		"Compare it across runs before their times: on a slower host the same build's plan takes longer.\n\n", speedAtStart.Seconds(), speedAtEnd.Seconds()), 1)
	report.Reset()
	report.WriteString(generated)
	fmt.Println(report.String())
	// The text after the marker explains the figures; it is kept.
	report.WriteString("\n" + benchMarker + "\n")
	if old, err := os.ReadFile(out); err == nil {
		if _, rest, ok := strings.Cut(string(old), benchMarker+"\n"); ok {
			report.WriteString(rest)
		}
	}
	if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostSpeedMark holds the place of the host's speed in the report until
// it is measured again at the end.
const hostSpeedMark = "<!-- host speed -->\n"

// hostSpeed is the CPU time (user and system) realmsync takes to validate
// the large preset's files, without a server, best of three. This virtual
// machine's host gives it more or less from hour to hour: on 2026-12-08
// the baseline build's large no-op plan took 21.2 s against 11.0 s the
// day before, and the same validate 1.7 CPU-s against 1.1 an hour
// earlier. Work of a known size tells a slower host from a slower build.
func hostSpeed(t *testing.T, bin string) time.Duration {
	t.Helper()
	dir := t.TempDir()
	p, _ := gen.PresetByName("large")
	if err := gen.WriteDir(dir, p, "bench-speed", 1); err != nil {
		t.Fatal(err)
	}
	best := time.Duration(0)
	for range 3 {
		r := timed(t, bin, "validate", dir)
		if r.code != 0 {
			t.Fatalf("validate of the large preset failed:\n%s", tail(r.output))
		}
		if best == 0 || r.cpu < best {
			best = r.cpu
		}
	}
	return best
}

// benchMarker ends the generated part of BENCHMARKS.md.
const benchMarker = "<!-- end of measurements: the text below is kept by make bench -->"

// run is one timed realmsync process.
type run struct {
	wall     time.Duration
	requests [4]int
	exports  int // read-only POSTs (the partial export), not in requests
	rssKB    int64
	code     int
	output   string
	// cpu is the process's CPU time (user and system), serverCPU the
	// server's in the same span (-1: the server's process is not here).
	cpu, serverCPU time.Duration
}

// cpuNote says the CPU a run took, realmsync's and the server's: what the
// wall time of a read-bound run on a machine running both is made of.
func (r run) cpuNote() string {
	if r.serverCPU < 0 {
		return fmt.Sprintf("CPU: realmsync %.2f s", r.cpu.Seconds())
	}
	return fmt.Sprintf("CPU: realmsync %.2f s, Keycloak %.2f s", r.cpu.Seconds(), r.serverCPU.Seconds())
}

func (r run) writes() int { return r.requests[1] + r.requests[2] + r.requests[3] }

func timed(t *testing.T, bin string, args ...string) run {
	t.Helper()
	return timedAs(t, nil, bin, args...)
}

// timedAs is timed with environment variables of env set over the master
// admin's login (realmAdminAccount's, to log in as another account).
func timedAs(t *testing.T, env map[string]string, bin string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KEYCLOAK_URL="+server.url, "KEYCLOAK_USER="+server.user, "KEYCLOAK_PASSWORD="+server.password, "NO_COLOR=1")
	for _, k := range model.SortedKeys(env) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	serverBefore := serverCPU()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A build that prints no peak of its own (the baseline) is sampled:
	// getrusage's would carry over exec from this test process, which
	// holds the presets in memory.
	sampled := watchProcess(cmd.Process.Pid)
	err := cmd.Wait()
	r := run{wall: time.Since(start), output: out.String(), rssKB: sampled.Stop(), serverCPU: -1}
	if serverBefore >= 0 {
		r.serverCPU = serverCPU() - serverBefore
	}
	if cmd.ProcessState != nil {
		r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if exit, ok := err.(*exec.ExitError); ok {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if m := requestReport.FindStringSubmatch(r.output); m != nil {
		for i := range r.requests {
			r.requests[i], _ = strconv.Atoi(m[i+1])
		}
	}
	if m := exportReport.FindStringSubmatch(r.output); m != nil {
		r.exports, _ = strconv.Atoi(m[1])
	}
	// The process's own peak (-V prints it), exact where sampling is not.
	if m := memoryReport.FindStringSubmatch(r.output); m != nil {
		r.rssKB, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r
}

// memoryReport is the --verbose peak resident set.
var memoryReport = regexp.MustCompile(`peak memory: (\d+) KiB`)

// exportReport is the --verbose count of read-only POSTs.
var exportReport = regexp.MustCompile(`\(and (\d+) read-only POST`)

func row(b *strings.Builder, preset, what string, r run, notes string) {
	switch {
	case r.exports == 1:
		notes = strings.TrimPrefix(notes+"; and 1 partial export (a read-only POST)", "; ")
	case r.exports > 1:
		notes = strings.TrimPrefix(notes+fmt.Sprintf("; and %d partial exports (read-only POSTs)", r.exports), "; ")
	}
	fmt.Fprintf(b, "| %s | %s | %.1f s | %d/%d/%d/%d | %d MiB | %s |\n", preset, what, r.wall.Seconds(),
		r.requests[0], r.requests[1], r.requests[2], r.requests[3], r.rssKB/1024, notes)
}

// presetFigures are what the performance issue's goals are judged by.
type presetFigures struct {
	noop          run     // no-op plan at the default concurrency (the median of baselineRounds against a baseline, when there is one)
	baselineRatio float64 // this build's no-op plan / the baseline's (0: no baseline)
	floorRatio    float64 // requiredFloor / the baseline's no-op plan (0: no baseline)
	scoped        run     // plan --changed-since of a one-user change
	plan1, sync1  run     // the 1% change
}

func benchPreset(t *testing.T, bin string, p gen.Preset, report *strings.Builder) (fig presetFigures) {
	realm := uniqueRealm(t, "bench-"+p.Name)
	dir := t.TempDir()
	if err := gen.WriteDir(dir, p, realm, 1); err != nil {
		t.Fatal(err)
	}
	limits := []string{"--max-deletes", "-1", "--max-delete-ratio", "1"}

	cold := timed(t, bin, append([]string{"sync", "-V"}, append(limits, dir)...)...)
	if cold.code != 0 {
		t.Fatalf("cold apply of %s failed:\n%s", p.Name, tail(cold.output))
	}
	row(report, p.Name, "cold apply (sync into an empty realm)", cold, "")
	// Right after tens of thousands of writes the server is slow to read
	// for a while (large: 51 s, then 16 s, then 9 s on 2026-12-04): the
	// first plan is reported apart, so that the rows below compare like
	// with like.
	settling := timed(t, bin, "plan", "-V", dir)
	if settling.code != 0 {
		t.Fatalf("no-op plan of %s is not empty:\n%s", p.Name, tail(settling.output))
	}
	row(report, p.Name, "first no-op plan after the cold apply (the server settling)", settling, "")

	var noop run
	levels := []string{"1", "4", "8"}
	if d := fmt.Sprint(live.DefaultConcurrency); !slices.Contains(levels, d) {
		levels = append(levels, d) // the goals are judged at the default
	}
	for _, c := range levels {
		r := timed(t, bin, "plan", "-V", "--concurrency", c, dir)
		if r.code != 0 {
			t.Fatalf("no-op plan of %s is not empty:\n%s", p.Name, tail(r.output))
		}
		if r.writes() != 0 {
			t.Errorf("no-op plan of %s wrote %d times", p.Name, r.writes())
		}
		row(report, p.Name, "no-op plan, --concurrency "+c, r, "")
		if c == fmt.Sprint(live.DefaultConcurrency) {
			noop = r
		}
	}

	fig.noop = noop
	if base := os.Getenv("REALMSYNC_BENCH_BASELINE"); base != "" {
		// As users run each build (the goals are judged by it), then like
		// with like.
		fig.noop, fig.baselineRatio = againstBaseline(t, base, bin, p.Name, dir, "", report)
		againstBaseline(t, base, bin, p.Name, dir, "4", report)
		coldAgainstBaseline(t, base, bin, p.Name, dir, realm, report)
		floor := requiredFloor(t, realm)
		note := "in process; the Keycloak CPU it took is not measured here"
		if floor.serverCPU >= 0 {
			note = fmt.Sprintf("in process; Keycloak CPU %.2f s", floor.serverCPU.Seconds())
		}
		row(report, p.Name, fmt.Sprintf("floor: only the reads every full plan needs (users' pages, one list per group and role), %d at once", live.DefaultConcurrency), floor, note)
		fig.floorRatio = floor.wall.Seconds() / (fig.noop.wall.Seconds() / fig.baselineRatio)
		fmt.Fprintf(report, "| %s | that floor / baseline | %.2f× | | | |\n", p.Name, fig.floorRatio)
	}
	fig.scoped = scopedPlan(t, bin, p, dir, realm, report)

	floor := readFloor(t, realm)
	row(report, p.Name, "floor: the same data by paged lists, sequential", run{wall: floor.wall, requests: floor.requests}, "in process, no process start")
	fmt.Fprintf(report, "| %s | no-op plan / floor | %.2f× | | | |\n", p.Name, noop.wall.Seconds()/floor.wall.Seconds())

	changes := changeOnePercent(t, dir, p, realm)
	plan1 := timed(t, bin, "plan", "-V", dir)
	sync1 := timed(t, bin, append([]string{"sync", "-V"}, append(limits, dir)...)...)
	if sync1.code != 0 {
		t.Fatalf("1%% change of %s failed:\n%s", p.Name, tail(sync1.output))
	}
	row(report, p.Name, fmt.Sprintf("1%% change: plan (%d objects)", changes), plan1, "")
	// Besides the changes, a sync writes its bookkeeping into the realm:
	// the lease taken and given back, and the ownership record when the
	// plan creates or adopts.
	const bookkeeping = 3
	row(report, p.Name, "1% change: sync", sync1, fmt.Sprintf("%d writes for %d changes (at most %d of them bookkeeping)", sync1.writes(), changes, bookkeeping))
	if sync1.writes() < changes || sync1.writes() > changes+bookkeeping {
		t.Errorf("%s: a 1%% change of %d objects made %d writes", p.Name, changes, sync1.writes())
	}
	fig.plan1, fig.sync1 = plan1, sync1

	if p.Name == envOr("REALMSYNC_BENCH_CROWDED", "medium") {
		crowdedServer(t, bin, p, dir, realm, report)
	}

	benchPeers(t, p, report)

	if p.Name == "large" && os.Getenv("REALMSYNC_BENCH_PEER") == "" {
		// Keycloak's partial import is single-threaded and slow (medium:
		// minutes); for large it would dominate the run. Opt in with
		// REALMSYNC_BENCH_PEER=1.
		fmt.Fprintf(report, "| %s | peer: the server's partial import | not run | | | set REALMSYNC_BENCH_PEER=1 |\n", p.Name)
		return fig
	}
	peer := partialImport(t, p)
	row(report, p.Name, "peer: the server's partial import", run{wall: peer, requests: [4]int{0, 1, 0, 0}}, "one request")
	fmt.Fprintf(report, "| %s | cold apply / partial import | %.1f× | | | |\n", p.Name, cold.wall.Seconds()/peer.Seconds())
	return fig
}

// againstBaseline times the no-op plan of another build (the binary
// REALMSYNC_BENCH_BASELINE names: the commit before a change) and of this
// one, alternating, baselineRounds times each, and reports the medians:
// both at --concurrency c, or each at its own default when c is "".
func againstBaseline(t *testing.T, base, bin, preset, dir, c string, report *strings.Builder) (this run, ratio float64) {
	t.Helper()
	args := []string{"plan", "-V", dir}
	how := "at each build's default concurrency (this build's: " + fmt.Sprint(live.DefaultConcurrency) + ")"
	if c != "" {
		args = []string{"plan", "-V", "--concurrency", c, dir}
		how = "both at --concurrency " + c
	}
	var runs [2][]run
	for i := 0; i < baselineRounds; i++ {
		for j, b := range []string{base, bin} {
			r := timed(t, b, args...)
			if r.code != 0 {
				t.Fatalf("no-op plan by %s is not empty:\n%s", b, tail(r.output))
			}
			runs[j] = append(runs[j], r)
		}
	}
	before, after := medianRun(runs[0]), medianRun(runs[1])
	row(report, preset, fmt.Sprintf("no-op plan %s, baseline build (median of %d, alternating)", how, baselineRounds), before,
		filepath.Base(base)+"; "+before.cpuNote())
	row(report, preset, fmt.Sprintf("no-op plan %s, this build (median of %d, alternating)", how, baselineRounds), after, after.cpuNote())
	ratio = after.wall.Seconds() / before.wall.Seconds()
	fmt.Fprintf(report, "| %s | this build / baseline, %s | %.2f× | | | |\n", preset, how, ratio)
	return after, ratio
}

// coldAgainstBaseline times the no-op plan of the baseline build and of
// this one, alternating, three times each, each right after the realm's
// caches were cleared (clear-realm-cache, clear-user-cache): what a plan
// costs on a server just restarted, or one whose caches evicted the realm.
func coldAgainstBaseline(t *testing.T, base, bin, preset, dir, realm string, report *strings.Builder) {
	t.Helper()
	c := adminClient(t)
	ctx := context.Background()
	var runs [2][]run
	for i := 0; i < 3; i++ {
		for j, b := range []string{base, bin} {
			for _, cache := range []string{"clear-realm-cache", "clear-user-cache"} {
				if _, err := c.Post(ctx, admin.Seg(realm)+"/"+cache, nil); err != nil {
					t.Fatalf("%s: %v", cache, err)
				}
			}
			r := timed(t, b, "plan", "-V", dir) // each at its default concurrency
			if r.code != 0 {
				t.Fatalf("no-op plan by %s on cleared caches is not empty:\n%s", b, tail(r.output))
			}
			runs[j] = append(runs[j], r)
		}
	}
	before, after := medianRun(runs[0]), medianRun(runs[1])
	row(report, preset, "no-op plan on cleared caches, baseline build (median of 3, alternating)", before, filepath.Base(base)+"; "+before.cpuNote())
	row(report, preset, "no-op plan on cleared caches, this build (median of 3, alternating)", after, after.cpuNote())
	fmt.Fprintf(report, "| %s | cleared caches: this build / baseline | %.2f× | | | |\n", preset, after.wall.Seconds()/before.wall.Seconds())
}

// baselineRounds is how many times againstBaseline runs each build: single
// runs of the medium preset's plan spread by a third on this machine.
const baselineRounds = 5

// crowdedRealms is how many other realms crowdedServer adds.
const crowdedRealms = 50

// crowdedServer times the no-op plan with crowdedRealms empty realms added
// to the server, alternating the master admin and a service account that
// holds only this realm's roles (realmAdminAccount), three times each, and
// reports the medians; then it deletes the added realms. On Keycloak
// 26.7.3 the server's checks of master's composite "admin" role grow with
// the number of realms (keycloak/keycloak#51554), the narrow account's
// much less: README's advice on which account to use rests on this.
func crowdedServer(t *testing.T, bin string, p gen.Preset, dir, realm string, report *strings.Builder) {
	t.Helper()
	c := adminClient(t)
	ctx := context.Background()
	var added []string
	defer func() {
		for _, name := range added {
			_ = c.Delete(ctx, admin.Seg(name), nil)
		}
	}()
	for i := 0; i < crowdedRealms; i++ {
		name := uniqueRealm(t, fmt.Sprintf("crowd%02d", i))
		if _, err := c.Post(ctx, "", map[string]any{"realm": name, "enabled": true}); err != nil {
			t.Fatalf("adding realm %s: %v", name, err)
		}
		added = append(added, name)
	}
	account := realmAdminAccount(t, "master", realm, false)
	var runs [2][]run
	for i := 0; i < 3; i++ {
		for j, env := range []map[string]string{nil, account} {
			r := timedAs(t, env, bin, "plan", "-V", dir)
			if r.code != 0 {
				t.Fatalf("no-op plan of %s on the crowded server is not empty:\n%s", p.Name, tail(r.output))
			}
			runs[j] = append(runs[j], r)
		}
	}
	asAdmin, asAccount := medianRun(runs[0]), medianRun(runs[1])
	what := fmt.Sprintf("no-op plan with %d more (empty) realms on the server", crowdedRealms)
	row(report, p.Name, what+", as master's admin (median of 3, alternating)", asAdmin, "")
	row(report, p.Name, what+", as a service account holding only this realm's roles (median of 3, alternating)", asAccount, "")
	fmt.Fprintf(report, "| %s | crowded server: service account / admin | %.2f× | | | |\n", p.Name, asAccount.wall.Seconds()/asAdmin.wall.Seconds())
}

// medianRun is the run of median wall time of rs (reordered).
func medianRun(rs []run) run {
	sort.Slice(rs, func(a, b int) bool { return rs[a].wall < rs[b].wall })
	return rs[len(rs)/2]
}

// scopedPlanBound is the most requests a plan scoped to a one-object
// change may make, at any preset size (the benchmarks issue's goal).
const scopedPlanBound = 30

// scopedPlan times `plan --changed-since HEAD` after one user's first name
// changed in the files, then puts the files back.
func scopedPlan(t *testing.T, bin string, p gen.Preset, dir, realm string, report *strings.Builder) run {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		fmt.Fprintf(report, "| %s | one-object change: plan --changed-since | not run | | | git is not installed |\n", p.Name)
		return run{}
	}
	restore := commitThenChangeOneUser(t, dir, realm)
	r := timed(t, bin, "plan", "-V", "--changed-since", "HEAD", dir)
	if r.code != 2 || !strings.Contains(r.output, "scoped plan") {
		t.Errorf("%s: the scoped plan of a one-user change exited %d:\n%s", p.Name, r.code, tail(r.output))
	}
	total := r.requests[0] + r.requests[1] + r.requests[2] + r.requests[3] + r.exports
	row(report, p.Name, "one-object change: plan --changed-since HEAD", r, fmt.Sprintf("%d requests (bound %d)", total, scopedPlanBound))
	if total > scopedPlanBound {
		t.Errorf("%s: the scoped plan of a one-user change made %d requests, more than %d", p.Name, total, scopedPlanBound)
	}
	restore()
	return r
}

// firstNameLine is a user's firstName line in a generated users.yaml.
var firstNameLine = regexp.MustCompile(`(?m)^(\s*firstName: ).*$`)

// commitThenChangeOneUser commits a generated realm's files to a new Git
// repository in dir, then changes the first user's first name in them.
// It returns what puts the file back.
func commitThenChangeOneUser(t *testing.T, dir, realm string) (restore func()) {
	t.Helper()
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "generated")
	users := filepath.Join(dir, realm, "users.yaml")
	data, err := os.ReadFile(users)
	if err != nil {
		t.Fatal(err)
	}
	at := firstNameLine.FindIndex(data)
	if at == nil {
		t.Fatalf("%s has no firstName", users)
	}
	edited := string(data[:at[0]]) + firstNameLine.ReplaceAllString(string(data[at[0]:at[1]]), "${1}Changed") + string(data[at[1]:])
	if err := os.WriteFile(users, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.WriteFile(users, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readFloor reads the same data by the cheapest means the server offers,
// one request after the other: paged lists of clients, roles, users and
// groups, and one paged list per client (its roles), per group (members,
// children) and per role (users, composites). Client role members and
// scope mappings are left out, so the floor errs low.
func readFloor(t *testing.T, realm string) run {
	t.Helper()
	ctx := context.Background()
	api := adminClient(t)
	api.ResetCounts()
	start := time.Now()
	r := admin.Seg(realm)
	full := map[string][]string{"briefRepresentation": {"false"}}
	clients, err := api.List(ctx, r+"/clients", nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if _, err := api.List(ctx, r+"/clients/"+admin.Seg(c["id"].(string))+"/roles", full, 100); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.List(ctx, r+"/users", full, 100); err != nil {
		t.Fatal(err)
	}
	brief := map[string][]string{"briefRepresentation": {"true"}}
	roles, err := api.List(ctx, r+"/roles", full, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range roles { // members and composites: the same data, one list each
		if _, err := api.List(ctx, r+"/roles/"+admin.Seg(role["name"].(string))+"/users", brief, 100); err != nil {
			t.Fatal(err)
		}
		if c, _ := role["composite"].(bool); c {
			if _, err := api.List(ctx, r+"/roles-by-id/"+admin.Seg(role["id"].(string))+"/composites", nil, 100); err != nil {
				t.Fatal(err)
			}
		}
	}
	level, err := api.List(ctx, r+"/groups", full, 100)
	for err == nil && len(level) > 0 {
		var next []admin.Object
		for _, g := range level {
			if _, err := api.List(ctx, r+"/groups/"+admin.Seg(g["id"].(string))+"/members", brief, 100); err != nil {
				t.Fatal(err)
			}
			if n, _ := g["subGroupCount"].(float64); n > 0 {
				children, cerr := api.List(ctx, r+"/groups/"+admin.Seg(g["id"].(string))+"/children", full, 100)
				if cerr != nil {
					t.Fatal(cerr)
				}
				next = append(next, children...)
			}
		}
		level = next
	}
	if err != nil {
		t.Fatal(err)
	}
	counts := api.Counts()
	return run{wall: time.Since(start), requests: [4]int{int(counts["GET"]), 0, 0, 0}}
}

// changeOnePercent rewrites the desired state with every hundredth client
// and user changed, and returns how many objects it changed.
func changeOnePercent(t *testing.T, dir string, p gen.Preset, realm string) int {
	t.Helper()
	doc := gen.Realm(p, realm, 1)
	changed := 0
	for _, c := range []struct{ collection, field string }{{"clients", "description"}, {"users", "firstName"}} {
		list, _ := doc[c.collection].([]any)
		for i, item := range list {
			if i%100 == 0 {
				item.(map[string]any)[c.field] = "changed by the benchmark"
				changed++
			}
		}
	}
	data, err := export.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, realm)
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{filepath.Join(realm, "realm.yaml"): string(data)})
	return changed
}

// partialImport times the server importing the same realm into a fresh one.
func partialImport(t *testing.T, p gen.Preset) time.Duration {
	t.Helper()
	ctx := context.Background()
	api := adminClient(t)
	realm := uniqueRealm(t, "peer-"+p.Name)
	createRealm(t, api, realm)
	// One large request: give it all the time it needs.
	slow, err := admin.New(admin.Config{BaseURL: server.url, Username: server.user, Password: server.password, Timeout: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	doc := gen.Realm(p, realm, 1)
	addGroupPaths(doc["groups"], "")
	body := map[string]any{"ifResourceExists": "SKIP"}
	for _, k := range []string{"clients", "roles", "groups", "users"} {
		body[k] = doc[k]
	}
	start := time.Now()
	if _, err := slow.Post(ctx, admin.Seg(realm)+"/partialImport", body); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// addGroupPaths fills the path partial import needs (it fails without).
func addGroupPaths(v any, parent string) {
	list, _ := v.([]any)
	for _, item := range list {
		g := item.(map[string]any)
		g["path"] = parent + "/" + fmt.Sprint(g["name"])
		addGroupPaths(g["subGroups"], g["path"].(string))
	}
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// benchManyRealms plans a tree of n small-preset realms, which the engine
// reads several at a time, against one realm of the tree on its own.
func benchManyRealms(t *testing.T, bin string, n int, report *strings.Builder) float64 {
	p, _ := gen.PresetByName("small")
	tree, one := t.TempDir(), t.TempDir()
	var first string
	for i := 0; i < n; i++ {
		realm := uniqueRealm(t, fmt.Sprintf("bench-many%02d", i))
		if err := gen.WriteDir(tree, p, realm, int64(i+1)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = realm
			if err := gen.WriteDir(one, p, realm, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	cold := timed(t, bin, "sync", "-V", "--max-deletes", "-1", "--max-delete-ratio", "1", tree)
	if cold.code != 0 {
		t.Fatalf("cold apply of %d realms failed:\n%s", n, tail(cold.output))
	}
	label := fmt.Sprintf("%d small realms", n)
	row(report, label, "cold apply (one sync of the tree)", cold, "")
	tree1 := timed(t, bin, "plan", "-V", tree)
	single := timed(t, bin, "plan", "-V", one)
	if tree1.code != 0 || single.code != 0 {
		t.Fatalf("no-op plans are not empty:\n%s\n%s", tail(tree1.output), tail(single.output))
	}
	row(report, label, "no-op plan of the tree (realms read at once)", tree1, "")
	row(report, label, "no-op plan of one of them ("+first+")", single, "")
	ratio := tree1.wall.Seconds() / (float64(n) * single.wall.Seconds())
	fmt.Fprintf(report, "| %s | tree / (%d × one realm) | %.2f× | | | |\n", label, n, ratio)
	return ratio
}
